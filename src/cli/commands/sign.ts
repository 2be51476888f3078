/**
 * `tufkit sign`, `tufkit status`, `tufkit publish`: the signing and publishing cycle.
 */
import { UsageError } from '../../errors.js';
import { publish } from '../../repository/publish.js';
import type { SignOutcome } from '../../repository/repository.js';
import { repositoryStatus, type RoleStatus } from '../../repository/status.js';
import { command, type CommandContext } from '../command.js';
import { keyRingFor, openRepository, PASSPHRASE_ENV_OPTION, REPO_ARG, relativeTime, shortId } from '../repo-support.js';

/** `tufkit sign`. */
export const signCommand = command({
  name: 'sign',
  summary: 'sign changed roles with the keys at hand',
  description:
    'Add signatures to roles. Without --role, every role changed since the last publish that does not ' +
    'meet its threshold yet is signed. Keys come from tufkit.json (the keys `init` and `delegate` recorded) ' +
    'and from --key files; a role is signed by every one of its keys available, added to the signatures ' +
    'it has, so a threshold can be met by several people signing at different times. A new root is also ' +
    'signed with the previous root\'s keys (spec §5.3.4). Encrypted keys ask for their passphrase.',
  args: [REPO_ARG],
  options: [
    { name: 'role', kind: 'list', valueName: 'ROLE', description: 'sign this role (repeatable; default: every changed role still short of its threshold)' },
    { name: 'key', kind: 'list', valueName: 'KEYFILE', description: 'sign with this private key file (repeatable; only these keys are used when given)' },
    { name: 'bump', kind: 'flag', description: 'give the --role roles a new version and a fresh expiry first (to renew them)' },
    { name: 'renew', kind: 'flag', description: 'renew every role that is expired or has less than a quarter of its period left' },
    PASSPHRASE_ENV_OPTION,
  ],
  examples: ['tufkit sign my-repo', 'tufkit sign my-repo --role root --key /media/usb/root2.pem', 'tufkit sign my-repo --renew'],
  async run(ctx) {
    const repo = await openRepository(ctx);
    const keyFiles = ctx.options.list('key');
    if (keyFiles.length) repo.config.signers.clear(); // only the keys given
    const ring = await keyRingFor(ctx, repo, keyFiles);
    let roles = ctx.options.list('role');
    if (ctx.options.flag('bump') && roles.length === 0) throw new UsageError('--bump needs --role ROLE (or use --renew)');
    if (ctx.options.flag('renew')) {
      const due = (await repositoryStatus(repo)).filter((st) => st.expired || st.expiringSoon).map((st) => st.role);
      for (const r of due) await repo.touch(r);
      roles = [...new Set([...roles, ...due])];
      if (due.length) ctx.out.note(`renewing ${due.length > 8 ? `${due.length} roles` : due.join(', ')} (new versions, fresh expiry)`);
    }
    if (roles.length) {
      for (const r of roles) if (!(await repo.exists(r))) throw new UsageError(`no role ${JSON.stringify(r)} in this repository`);
      if (ctx.options.flag('bump')) for (const r of ctx.options.list('role')) await repo.touch(r);
    } else {
      const pending = await repo.unpublishedRoles();
      const states = await repo.signatureStates(pending);
      roles = states.filter((st) => !st.verified).map((st) => st.role);
    }
    if (roles.length === 0) {
      ctx.out.print('nothing to sign: every changed role meets its threshold');
      return { roles: [], saved: 0 };
    }
    const outcomes = await repo.sign(roles, ring, { progress: ctx.out.progress });
    const saved = await repo.save();
    const madeAny = outcomes.some((o) => o.signedBy.length > 0);
    if (keyFiles.length && !madeAny) {
      throw new UsageError(`the key${keyFiles.length > 1 ? 's' : ''} given ${keyFiles.length > 1 ? 'are' : 'is'} not a key of ${roles.join(', ')} (or already signed)`);
    }
    printOutcomes(ctx, outcomes);
    return {
      roles: outcomes.map((o) => ({ role: o.role, signedBy: o.signedBy, verified: o.verified, missingKeyids: o.missingKeyids, ...(o.skipped ? { skipped: o.skipped } : {}) })),
      saved: saved.length,
    };
  },
});

function printOutcomes(ctx: CommandContext, outcomes: readonly SignOutcome[]): void {
  const s = ctx.out.style;
  const many = outcomes.length > 12;
  let quietOk = 0;
  for (const o of outcomes) {
    if (many && o.verified && !o.skipped) {
      quietOk++;
      continue;
    }
    const state = o.skipped ? s.dim(o.skipped) : o.verified ? s.green('threshold met') : s.yellow(`needs ${o.missingKeyids.map(shortId).join(', ')}`);
    ctx.out.print(`${o.role.padEnd(16)} ${o.signedBy.length ? `signed by ${o.signedBy.map(shortId).join(', ')}` : 'no new signature'}  ${state}`);
  }
  if (quietOk) ctx.out.print(`${quietOk} more roles signed, threshold met`);
}

function statusLine(ctx: CommandContext, st: RoleStatus): string {
  const s = ctx.out.style;
  const expiry = st.expired ? s.red(`EXPIRED ${relativeTime(st.expiresInMs)}`) : st.expiringSoon ? s.yellow(`expires ${relativeTime(st.expiresInMs)}`) : `expires ${relativeTime(st.expiresInMs)}`;
  const sigs = st.verified ? s.green(`${st.validSignatures}/${st.threshold} signed`) : s.yellow(`${st.validSignatures}/${st.threshold} signed, missing ${st.missingKeyids.map(shortId).join(', ')}`);
  const state = st.unpublished ? s.cyan('unpublished') : 'published';
  const targets = st.targets !== undefined ? `  ${st.targets} targets` : '';
  return `${st.role.padEnd(16)} v${String(st.version).padEnd(4)} ${state.padEnd(11)} ${sigs}  ${expiry}${targets}`;
}

/** `tufkit status`. */
export const statusCommand = command({
  name: 'status',
  summary: 'show every role: version, expiry, signatures and what is missing',
  description:
    'Show each role\'s version, whether it is published, its signatures against its threshold (and which ' +
    'keys are missing), and its expiry (a warning when less than a quarter of its period is left). Hashed ' +
    'bins are summarised; --all lists each. Exits 1 when a role is expired or short of its threshold.',
  args: [REPO_ARG],
  options: [{ name: 'all', kind: 'flag', description: 'list every hashed bin too' }],
  async run(ctx) {
    const repo = await openRepository(ctx, { write: false });
    const statuses = await repositoryStatus(repo);
    const bins = new Set<string>();
    const succinct = (await repo.targets()).signed.delegations?.succinctRoles;
    if (succinct !== undefined && !ctx.options.flag('all')) for (const b of succinct.getRoles()) bins.add(b);
    for (const st of statuses) if (!bins.has(st.role) || !st.verified || st.expired) ctx.out.print(statusLine(ctx, st));
    if (bins.size && succinct !== undefined) {
      const binStatus = statuses.filter((st) => bins.has(st.role));
      const ok = binStatus.filter((st) => st.verified && !st.expired).length;
      const versions = binStatus.map((st) => st.version);
      const targets = binStatus.reduce((n, st) => n + (st.targets ?? 0), 0);
      const soonest = Math.min(...binStatus.map((st) => st.expiresInMs));
      const unpublished = binStatus.filter((st) => st.unpublished).length;
      ctx.out.print(
        `${`${succinct.namePrefix}-*`.padEnd(16)} ${binStatus.length} bins, versions ${Math.min(...versions)}–${Math.max(...versions)}, ${ok}/${binStatus.length} signed and valid, ` +
          `${unpublished} unpublished, ${targets} targets, first expiry ${relativeTime(soonest)}`,
      );
    }
    const bad = statuses.filter((st) => st.expired || !st.verified);
    if (bad.length) ctx.setFailed();
    const unpublished = statuses.filter((st) => st.unpublished).length;
    if (unpublished && !bad.length) ctx.out.print(`${unpublished} role${unpublished === 1 ? '' : 's'} to publish: 'tufkit publish ${ctx.args.required('DIR')}'`);
    return {
      roles: statuses.map((st) => ({ ...st })),
      problems: bad.map((st) => (st.expired ? `${st.role} expired` : `${st.role} needs ${st.missingKeyids.join(', ')}`)),
    };
  },
});

/** `tufkit publish`. */
export const publishCommand = command({
  name: 'publish',
  summary: 'write the repository for a static web server (refuses unsigned or expired roles)',
  description:
    'Regenerate snapshot and timestamp (signed with their keys from tufkit.json), check that every changed ' +
    'role meets its threshold and that no role is expired, then write the published repository ' +
    '(tufkit.json publishDir, default DIR/repository): metadata/N.root.json, versioned metadata when ' +
    'consistent snapshots are on, hash-prefixed target files, and timestamp.json last. Published versions ' +
    'are never replaced. When a check fails nothing is written.',
  args: [REPO_ARG],
  options: [
    { name: 'refresh', kind: 'flag', description: 'publish new snapshot and timestamp versions (fresh expiry) even when nothing changed' },
    PASSPHRASE_ENV_OPTION,
  ],
  async run(ctx) {
    const repo = await openRepository(ctx);
    const keyring = await keyRingFor(ctx, repo);
    const report = await publish(repo, { keyring, refresh: ctx.options.flag('refresh'), progress: ctx.out.progress });
    const s = ctx.out.style;
    if (report.roles.length === 0) {
      ctx.out.print(`nothing new to publish in ${report.dir}`);
    } else {
      const shown = report.roles.length > 10 ? [...report.roles.slice(0, 10).map((r) => `${r.role} v${r.version}`), `and ${report.roles.length - 10} more`] : report.roles.map((r) => `${r.role} v${r.version}`);
      ctx.out.print(`${s.green('published')} ${shown.join(', ')} to ${s.bold(report.dir)}`);
      ctx.out.print(`  ${report.metadata.length} metadata files, ${report.targetFiles} target files written`);
    }
    return { dir: report.dir, roles: report.roles, metadata: report.metadata, targetFiles: report.targetFiles };
  },
});
