/**
 * `tufkit ceremony propose|sign|status|merge|finalize`: the offline root-key ceremony
 * (src/ceremony). Proposals and signature files move between air-gapped machines on
 * removable media; every write is atomic, and a refused or interrupted step leaves the
 * files as they were.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { parseExpires } from '../../metadata/expires.js';
import type { JsonValue } from '../../metadata/canonical-json.js';
import type { Key } from '../../metadata/key.js';
import type { Metadata } from '../../metadata/metadata.js';
import type { Root } from '../../metadata/root.js';
import { signerFromUri, withSignerUri } from '../../signers/signer-uri.js';
import { isTopLevelRole, type RootChanges, type TopLevelRoleName } from '../../ceremony/changes.js';
import { finalizeIntoRepository, finalizeToFile } from '../../ceremony/finalize.js';
import { mergeCeremonyFiles, readCeremonyFile, type CeremonyFile } from '../../ceremony/merge.js';
import { Proposal, sha256Hex, type CeremonyStatus, type ThresholdStatus } from '../../ceremony/proposal.js';
import { proposeFromRepository, proposeFromRoot, readCurrentRoot } from '../../ceremony/propose.js';
import { signProposalFile } from '../../ceremony/sign.js';
import { Repository } from '../../repository/repository.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { command, group, type CommandContext } from '../command.js';
import { resolveKeyReference } from '../repo-support.js';
import { PIN_ENV_OPTION, WAIT_OPTION, signerUriOptions } from '../signer-options.js';

/** `abcd1234 ef567890 ...`: a hash in groups, easier to compare aloud. */
export function groupedHash(hex: string): string {
  return (hex.match(/.{1,8}/g) ?? []).join(' ');
}

function splitRoleArg(value: string, option: string): [TopLevelRoleName, string] {
  const eq = value.indexOf('=');
  const role = eq < 0 ? '' : value.slice(0, eq);
  if (!isTopLevelRole(role)) throw new UsageError(`--${option} ${JSON.stringify(value.slice(0, 40))}: expected ROLE=…, ROLE one of root, targets, snapshot, timestamp`);
  return [role, value.slice(eq + 1)];
}

function parseDate(value: string, option: string): Date {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  try {
    return parseExpires(text, `--${option}`, false).date;
  } catch {
    throw new UsageError(`--${option}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ, found ${JSON.stringify(value)}`);
  }
}

/** Print a proposal's summary and hashes (to stderr: stdout is for the result). */
function showProposal(ctx: CommandContext, proposal: Proposal, where: string): void {
  const err = ctx.out.stderr;
  const s = ctx.out.errStyle;
  err.write(`${s.bold('Proposal')} ${where}${proposal.note ? ` — ${proposal.note}` : ''}\n`);
  for (const line of proposal.summary()) err.write(`  ${line}\n`);
  err.write(`  new root SHA-256:     ${s.bold(groupedHash(proposal.payloadSha256()))}\n`);
  const prev = proposal.previousSha256();
  if (prev) err.write(`  current root SHA-256: ${groupedHash(prev)}\n`);
}

/** Ask a yes/no question on stderr; read one line from stdin (EOF = no). */
export function askYesNo(ctx: CommandContext, question: string): Promise<boolean> {
  const stdin = ctx.stdin;
  ctx.out.stderr.write(`${question} [y/N] `);
  return new Promise((resolveAnswer) => {
    let buffer = '';
    const done = (answer: boolean) => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.pause();
      resolveAnswer(answer);
    };
    const onData = (chunk: Buffer | string) => {
      buffer += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl >= 0) done(/^\s*y(es)?\s*$/i.test(buffer.slice(0, nl)));
    };
    const onEnd = () => done(/^\s*y(es)?\s*$/i.test(buffer));
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    stdin.resume();
  });
}

function thresholdJson(t: ThresholdStatus): JsonValue {
  return { version: t.version, threshold: t.threshold, signed: [...t.signed], missing: [...t.missing], met: t.met };
}

function statusJson(status: CeremonyStatus): JsonValue {
  return {
    payloadSha256: status.payloadSha256,
    complete: status.complete,
    previous: status.previous ? thresholdJson(status.previous) : null,
    next: thresholdJson(status.next),
    invalid: [...status.invalid],
    unknown: [...status.unknown],
  };
}

function printThreshold(ctx: CommandContext, label: string, t: ThresholdStatus): void {
  const s = ctx.out.style;
  const mark = t.met ? s.green('met') : s.yellow(`needs ${t.threshold - t.signed.length > 0 ? t.threshold - t.signed.length : 0} more`);
  ctx.out.print(`${label} (version ${t.version}): ${t.signed.length} of ${t.threshold} signed — ${mark}`);
  for (const k of t.signed) ctx.out.print(`  ${s.green('✓')} ${k}`);
  for (const k of t.missing) ctx.out.print(`  · ${k}`);
}

async function readInputs(ctx: CommandContext, paths: readonly string[]): Promise<CeremonyFile[]> {
  const out: CeremonyFile[] = [];
  for (const p of paths) out.push(await readCeremonyFile(resolve(ctx.cwd, p)));
  return out;
}

const propose = command({
  name: 'propose',
  summary: 'write an unsigned proposal for a new root',
  description:
    'Write a proposal: the next root (the current one with the changes asked for, version + 1) and a summary of what ' +
    'changes, for key holders to sign on offline machines. The current root comes from --repo DIR (its last ' +
    'published root; before the first publish, its staged version 1) or --current FILE; with neither, the proposal ' +
    'creates a new repository. Keys are public key files (.pub), key files with a .pub beside them, or pkcs11:/yubikey: ' +
    'URIs (the public key is read from the token).',
  options: [
    { name: 'repo', kind: 'value', valueName: 'DIR', description: 'the tufkit repository whose root rotates' },
    { name: 'current', kind: 'value', valueName: 'FILE', description: 'the current root metadata file (instead of --repo)' },
    { name: 'add-key', kind: 'list', valueName: 'ROLE=KEY', description: 'add a key to a role (repeatable)' },
    { name: 'remove-key', kind: 'list', valueName: 'ROLE=KEYID', description: 'remove a key from a role (keyid or a unique prefix of 8+ digits; repeatable)' },
    { name: 'threshold', kind: 'list', valueName: 'ROLE=N', description: 'set a role threshold (repeatable)' },
    { name: 'expires', kind: 'value', valueName: 'DATE', description: 'expiry of the new root (YYYY-MM-DD or RFC 3339 UTC)' },
    { name: 'expires-in', kind: 'value', valueName: 'DAYS', description: 'expiry in days from now (default: the repository policy, else 365)' },
    { name: 'consistent-snapshot', kind: 'value', valueName: 'BOOL', choices: ['true', 'false'], description: 'set consistent_snapshot' },
    { name: 'store-uris', kind: 'flag', description: 'record the pkcs11:/yubikey: URI of keys added by URI in the key objects (x-tufkit-signer-uri)' },
    { name: 'note', kind: 'value', valueName: 'TEXT', description: 'a note for the key holders' },
    { name: 'out', short: 'o', kind: 'value', valueName: 'FILE', description: 'where to write the proposal (never overwritten)' },
    PIN_ENV_OPTION,
  ],
  examples: [
    'tufkit ceremony propose --repo my-repo --add-key root=keys/carol.pub --remove-key root=1a2b3c4d --threshold root=2 -o rotate-4.json',
    "tufkit ceremony propose --add-key root='yubikey:serial=123' --add-key root=bob.pub --threshold root=2 --add-key targets=t.pub --add-key snapshot=s.pub --add-key timestamp=ts.pub -o new-repo.json",
  ],
  async run(ctx) {
    const outArg = ctx.options.value('out');
    if (outArg === undefined) throw new UsageError('--out FILE is required: where to write the proposal');
    const out = resolve(ctx.cwd, outArg);
    if (existsSync(out)) throw new UsageError(`${out} already exists; not overwriting a proposal`);
    const repoDir = ctx.options.value('repo');
    const currentFile = ctx.options.value('current');
    if (repoDir !== undefined && currentFile !== undefined) throw new UsageError('--repo and --current exclude each other');
    let current: Metadata<Root> | undefined;
    if (currentFile !== undefined) current = readCurrentRoot(resolve(ctx.cwd, currentFile));

    const addKeys: Array<{ role: TopLevelRoleName; key: Key }> = [];
    for (const value of ctx.options.list('add-key')) {
      const [role, ref] = splitRoleArg(value, 'add-key');
      const resolved = await resolveKeyReference(ctx, ref, ctx.cwd);
      const byUri = /^(pkcs11|yubikey):/i.test(ref);
      addKeys.push({ role, key: byUri && ctx.options.flag('store-uris') ? withSignerUri(resolved.key, ref) : resolved.key });
    }
    const removeKeys: Array<{ role: TopLevelRoleName; keyid: string }> = [];
    for (const value of ctx.options.list('remove-key')) {
      const [role, prefix] = splitRoleArg(value, 'remove-key');
      if (!/^[0-9a-f]{8,64}$/.test(prefix)) throw new UsageError(`--remove-key ${role}=…: expected a keyid or a prefix of at least 8 hex digits`);
      removeKeys.push({ role, keyid: prefix });
    }
    const thresholds = new Map<TopLevelRoleName, number>();
    for (const value of ctx.options.list('threshold')) {
      const [role, n] = splitRoleArg(value, 'threshold');
      if (!/^[1-9][0-9]{0,3}$/.test(n)) throw new UsageError(`--threshold ${role}=${n}: expected a positive integer`);
      thresholds.set(role, Number(n));
    }
    const expiresArg = ctx.options.value('expires');
    const expiresIn = ctx.options.integer('expires-in', 1, 36500);
    if (expiresArg !== undefined && expiresIn !== undefined) throw new UsageError('--expires and --expires-in exclude each other');
    const cs = ctx.options.value('consistent-snapshot');
    const now = new Date();
    const base: RootChanges = {
      addKeys,
      removeKeys,
      thresholds,
      ...(expiresArg !== undefined ? { expires: parseDate(expiresArg, 'expires') } : {}),
      ...(cs !== undefined ? { consistentSnapshot: cs === 'true' } : {}),
    };
    const note = ctx.options.value('note');
    const common = { now, ...(expiresIn !== undefined ? { expiryDays: expiresIn } : {}), ...(note !== undefined ? { note } : {}) };
    // keyid prefixes → full keyids, against the root they are removed from
    const expand = (root: Root | undefined): RootChanges => ({
      ...base,
      removeKeys: removeKeys.map(({ role, keyid }) => {
        const ids = root?.getDelegatedRole(role).keyids.filter((k) => k.startsWith(keyid)) ?? [];
        if (ids.length !== 1) throw new UsageError(`--remove-key ${role}=${keyid}: ${ids.length === 0 ? 'no key of the role starts with it' : 'more than one key of the role starts with it'}`);
        return { role, keyid: ids[0] as string };
      }),
    });
    let proposal: Proposal;
    if (repoDir !== undefined) {
      const dir = resolve(ctx.cwd, repoDir);
      const repo = await Repository.open(dir);
      const rootNow = (await repo.lastPublishedRoot())?.signed ?? (await repo.root()).signed;
      proposal = await proposeFromRepository(dir, { ...common, changes: expand(rootNow) });
    } else {
      proposal = proposeFromRoot(current, { ...common, changes: expand(current?.signed) });
    }
    await writeFileAtomic(out, proposal.toBytes());
    showProposal(ctx, proposal, out);
    ctx.out.print(`wrote ${out}: unsigned; copy it to the key holders' machines and run 'tufkit ceremony sign' there`);
    return { path: out, payloadSha256: proposal.payloadSha256(), previousSha256: proposal.previousSha256() ?? null, version: proposal.root.signed.version, summary: proposal.summary() };
  },
});

const sign = command({
  name: 'sign',
  summary: 'sign a proposal with a hardware or file key (on the offline machine)',
  description:
    'Read and check the proposal, show its summary and the hash of what is signed, ask for confirmation (or --yes), ' +
    'sign with the key --signer names (pkcs11:, yubikey: or file: URI), verify the signature, and add it to the ' +
    'proposal — or to a detached signature file with --detached — atomically. A key that signed already is not asked again.',
  args: [{ name: 'PROPOSAL', description: 'the proposal file' }],
  options: [
    { name: 'signer', kind: 'value', valueName: 'URI', description: 'the key to sign with: pkcs11:…, yubikey:… or file:PATH' },
    { name: 'detached', kind: 'value', valueName: 'FILE', description: 'write the signature to FILE instead of into the proposal' },
    { name: 'current-root', kind: 'value', valueName: 'FILE', description: "check that the proposal rotates from this (your trusted copy of the) current root" },
    { name: 'yes', short: 'y', kind: 'flag', description: 'do not ask for confirmation' },
    PIN_ENV_OPTION,
    WAIT_OPTION,
  ],
  examples: [
    "tufkit ceremony sign /media/usb/rotate-4.json --signer 'yubikey:slot=9c'",
    "tufkit ceremony sign rotate-4.json --signer 'pkcs11:token=root-hsm;object=root-2?module-name=softhsm2' --detached /media/usb/root-2.sig.json",
  ],
  async run(ctx) {
    const path = resolve(ctx.cwd, ctx.args.required('PROPOSAL'));
    const uri = ctx.options.value('signer');
    if (uri === undefined) throw new UsageError('--signer URI is required: the key to sign with');
    // Check the proposal before touching any key.
    const proposal = await Proposal.fromFile(path);
    const trusted = ctx.options.value('current-root');
    if (trusted !== undefined) {
      const mine = readCurrentRoot(resolve(ctx.cwd, trusted));
      if (proposal.previousSha256() !== sha256Hex(mine.signedBytes())) {
        throw new UsageError(`${path} does not rotate from the root in ${trusted} (version ${mine.signed.version}); not signing`);
      }
    }
    const options = signerUriOptions(ctx);
    const signer = await signerFromUri(uri, undefined, options);
    const detachedArg = ctx.options.value('detached');
    const detached = detachedArg === undefined ? undefined : resolve(ctx.cwd, detachedArg);
    const result = await signProposalFile(path, signer, {
      detached,
      confirm: async (p, plan) => {
        showProposal(ctx, p, path);
        const roles = p.rootKeyidsOf(signer.publicKey);
        const where = [roles.some((r) => r.inPrevious) ? `current version ${p.previous?.signed.version}` : '', roles.some((r) => r.inNext) ? `new version ${p.root.signed.version}` : '']
          .filter(Boolean)
          .join(' and ');
        ctx.out.stderr.write(`Signing as ${signer.publicKey.keyid} (${signer.publicKey.scheme}), a root key of the ${where}; keyids ${plan.keyids.join(', ')}\n`);
        if (ctx.options.flag('yes')) return true;
        return askYesNo(ctx, 'Sign this proposal?');
      },
    });
    const s = ctx.out.style;
    if (result.added.length === 0) ctx.out.print(`${s.green('already signed')} by ${signer.publicKey.keyid}: ${path} unchanged`);
    else ctx.out.print(`${s.green('signed')} ${result.added.join(', ')} → ${detached ?? path}`);
    const status = result.proposal.status();
    if (detached === undefined) ctx.out.print(status.complete ? 'both thresholds are met: ready to finalize' : 'more signatures are needed (tufkit ceremony status)');
    return { added: [...result.added], already: [...result.already], written: result.added.length ? (detached ?? path) : null, payloadSha256: result.proposal.payloadSha256() };
  },
});

const status = command({
  name: 'status',
  summary: 'which signatures a proposal has and which keys must still sign',
  description:
    'Check every signature of the proposal (and of detached signature files given with --signatures) against the ' +
    "current root's root keys and the new root's (spec §5.3.4: a threshold of each is needed), and list the keys still missing.",
  args: [{ name: 'PROPOSAL', description: 'the proposal file' }],
  options: [{ name: 'signatures', kind: 'list', valueName: 'FILE', description: 'detached signature files to count too (repeatable)' }],
  async run(ctx) {
    const inputs = await readInputs(ctx, [ctx.args.required('PROPOSAL'), ...ctx.options.list('signatures')]);
    if (inputs[0]?.kind !== 'proposal') throw new UsageError(`${ctx.args.required('PROPOSAL')} is a signature file, not a proposal`);
    const merged = mergeCeremonyFiles(inputs);
    const st = merged.proposal.status();
    const p = merged.proposal;
    for (const line of p.summary()) ctx.out.print(line);
    ctx.out.print(`new root SHA-256: ${groupedHash(st.payloadSha256)}`);
    if (st.previous) printThreshold(ctx, 'current root keys', st.previous);
    printThreshold(ctx, 'new root keys', st.next);
    for (const k of st.invalid) ctx.out.warn(`the signature by ${k} does not verify`);
    for (const k of st.unknown) ctx.out.warn(`a signature by ${k}, a root key of neither version, does not count`);
    for (const d of merged.dropped) ctx.out.warn(`${d.from}: signature by ${d.keyid} ${d.reason}`);
    ctx.out.print(st.complete ? ctx.out.style.green('complete: ready to finalize') : 'incomplete');
    return statusJson(st);
  },
});

const merge = command({
  name: 'merge',
  summary: 'combine copies of a proposal signed on different machines',
  description:
    'Combine proposals (signatures embedded) and detached signature files about the same payload into one proposal. ' +
    'Inputs that are about another payload are refused (nothing is written). Every valid signature is kept; ones that ' +
    'do not verify are left out and reported. --out may be one of the inputs (it is replaced atomically).',
  args: [{ name: 'FILE', description: 'proposals and signature files (the first proposal is the base)', variadic: true }],
  options: [{ name: 'out', short: 'o', kind: 'value', valueName: 'FILE', description: 'where to write the merged proposal' }],
  async run(ctx) {
    const paths = ctx.args.list('FILE');
    if (paths.length === 0) throw new UsageError('give the files to merge');
    const outArg = ctx.options.value('out');
    if (outArg === undefined) throw new UsageError('--out FILE is required');
    const out = resolve(ctx.cwd, outArg);
    const inputs = await readInputs(ctx, paths);
    if (existsSync(out) && !inputs.some((i) => i.path === out)) {
      // an existing file is replaced only when its signatures are part of the merge
      inputs.push(await readCeremonyFile(out));
    }
    const result = mergeCeremonyFiles(inputs);
    await writeFileAtomic(out, result.proposal.toBytes());
    for (const d of result.dropped) ctx.out.warn(`${d.from}: left out the signature by ${d.keyid}: ${d.reason}`);
    const st = result.proposal.status();
    ctx.out.print(`merged ${inputs.length} file${inputs.length === 1 ? '' : 's'} → ${out}: ${result.proposal.root.signatures.size} signature${result.proposal.root.signatures.size === 1 ? '' : 's'}`);
    ctx.out.print(st.complete ? 'both thresholds are met: ready to finalize' : 'more signatures are needed (tufkit ceremony status)');
    return { path: out, signatures: [...result.proposal.root.signatures.keys()], dropped: result.dropped.map((d) => ({ ...d })), status: statusJson(st) };
  },
});

const finalize = command({
  name: 'finalize',
  summary: 'make the signed proposal the next root (refused unless both thresholds are met)',
  description:
    "Check that a threshold of the current root's root keys and a threshold of the new root's have signed (spec §5.3.4) " +
    "and that the new root has not expired; then write it as the repository's next root (--repo: the staged root, to " +
    "publish with 'tufkit publish') or as a metadata file (--out). Signatures in --signatures files count too.",
  args: [{ name: 'PROPOSAL', description: 'the signed proposal' }],
  options: [
    { name: 'repo', kind: 'value', valueName: 'DIR', description: 'the tufkit repository to stage the new root in' },
    { name: 'out', short: 'o', kind: 'value', valueName: 'FILE', description: 'write the new root metadata to FILE instead' },
    { name: 'signatures', kind: 'list', valueName: 'FILE', description: 'detached signature files to include (repeatable)' },
  ],
  async run(ctx): Promise<JsonValue> {
    const repoDir = ctx.options.value('repo');
    const outArg = ctx.options.value('out');
    if ((repoDir === undefined) === (outArg === undefined)) throw new UsageError('give exactly one of --repo DIR and --out FILE');
    const inputs = await readInputs(ctx, [ctx.args.required('PROPOSAL'), ...ctx.options.list('signatures')]);
    if (inputs[0]?.kind !== 'proposal') throw new UsageError(`${ctx.args.required('PROPOSAL')} is a signature file, not a proposal`);
    const { proposal } = mergeCeremonyFiles(inputs);
    const s = ctx.out.style;
    if (repoDir !== undefined) {
      const report = await finalizeIntoRepository(proposal, resolve(ctx.cwd, repoDir));
      ctx.out.print(`${s.green(report.unchanged ? 'already staged' : 'staged')} root version ${report.version} in ${report.path}; publish it with 'tufkit publish ${repoDir}'`);
      for (const k of report.signersRecorded) ctx.out.print(`  recorded the signer of ${k} in tufkit.json`);
      return { version: report.version, path: report.path, unchanged: report.unchanged, signersRecorded: [...report.signersRecorded] };
    }
    const out = resolve(ctx.cwd, outArg as string);
    const md = await finalizeToFile(proposal, out);
    ctx.out.print(`${s.green('wrote')} root version ${md.signed.version} to ${out}`);
    return { version: md.signed.version, path: out };
  },
});

/** `tufkit ceremony`. */
export const ceremonyGroup = group({
  name: 'ceremony',
  summary: 'offline root-key ceremony: propose, sign, status, merge, finalize',
  description:
    'Rotate root keys (or create a repository) with key holders who sign on air-gapped machines:\n' +
    '  1. propose: write the new root and a summary of its changes;\n' +
    '  2. sign: on each offline machine, check, confirm and sign (embedded or --detached);\n' +
    '  3. status: which signatures are there, which keys are still needed;\n' +
    '  4. merge: combine the signed copies and signature files;\n' +
    '  5. finalize: once both thresholds are met, stage the new root in the repository (then tufkit publish).',
  children: [propose, sign, status, merge, finalize],
});
