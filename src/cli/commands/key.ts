/**
 * `tufkit key ...`: file keys — generate, list.
 * (`tufkit key yubikey ...` is mounted under this group by the signers' own file.)
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { JsonValue } from '../../metadata/canonical-json.js';
import type { Key } from '../../metadata/key.js';
import { DEFAULT_RSA_BITS, FILE_KEY_TYPES, FileSigner, type FileKeyType } from '../../signers/file.js';
import { describeKeyFile, publicKeyPath, writePublicKeyFile, type KeyFileInfo } from '../../signers/key-files.js';
import { Repository } from '../../repository/repository.js';
import { command, group, type CommandContext } from '../command.js';
import { openRepository, PASSPHRASE_ENV_OPTION, REPO_ARG, resolveKeyReference, shortId } from '../repo-support.js';
import { readSecret, secretEnvOption } from '../secrets.js';

/** A key as JSON for `--json` output. */
export function keyJson(key: Key): { [k: string]: JsonValue } {
  return { keyid: key.keyid, keytype: key.keytype, scheme: key.scheme, public: key.keyval['public'] as string };
}

const generate = command({
  name: 'generate',
  summary: 'generate a private key file (encrypted) and its public key',
  description:
    'Generate a key pair. The private key is written to FILE as PKCS#8 PEM, encrypted with a passphrase ' +
    '(scrypt N=2^14 r=8 p=1, AES-256-CBC; readable by OpenSSL 3), mode 0600; the public key goes to FILE.pub ' +
    'as a TUF key object in JSON. Existing files are never overwritten.\n\n' +
    'The passphrase is asked for twice at a hidden prompt, or read from the environment variable named by ' +
    '--passphrase-env. It is never accepted on the command line.',
  args: [{ name: 'FILE', description: 'where to write the private key (the public key goes to FILE.pub)' }],
  options: [
    { name: 'type', short: 't', kind: 'value', valueName: 'TYPE', choices: FILE_KEY_TYPES, default: 'ed25519', description: 'key type' },
    { name: 'rsa-bits', kind: 'value', valueName: 'BITS', default: String(DEFAULT_RSA_BITS), description: 'RSA modulus size' },
    secretEnvOption('passphrase-env', 'the new passphrase'),
    { name: 'unencrypted', kind: 'flag', description: 'write the private key WITHOUT encryption (test keys only)' },
  ],
  examples: ['tufkit key generate keys/root.pem', 'tufkit key generate --type ecdsa-p256 --passphrase-env ROOT_PASS keys/root2.pem'],
  async run(ctx: CommandContext) {
    const file = resolve(ctx.cwd, ctx.args.required('FILE'));
    const type = ctx.options.required('type') as FileKeyType;
    const rsaBits = ctx.options.integer('rsa-bits', 2048, 16384) ?? DEFAULT_RSA_BITS;
    const unencrypted = ctx.options.flag('unencrypted');
    if (unencrypted && ctx.options.given('passphrase-env')) throw new UsageError('--unencrypted and --passphrase-env exclude each other');
    await refuseExisting(file);
    const passphrase = unencrypted
      ? null
      : await readSecret({ what: `new passphrase for ${file}`, envVar: ctx.options.value('passphrase-env'), confirm: true }, { env: ctx.env, stdin: ctx.stdin, stderr: ctx.out.stderr });
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    const signer = await FileSigner.generate(type, { rsaBits }).writeFile(file, passphrase);
    await writePublicKeyFile(publicKeyPath(file), signer.publicKey);
    const s = ctx.out.style;
    ctx.out.print(`${s.green('generated')} ${type} key ${s.bold(signer.publicKey.keyid)}`);
    ctx.out.print(`  private: ${file} (${unencrypted ? s.yellow('UNENCRYPTED') : 'encrypted'})`);
    ctx.out.print(`  public:  ${publicKeyPath(file)}`);
    if (unencrypted) ctx.out.warn(`${file} is not encrypted: anyone who can read it can sign as this key`);
    return { ...keyJson(signer.publicKey), path: file, publicPath: publicKeyPath(file), encrypted: !unencrypted };
  },
});

async function refuseExisting(file: string): Promise<void> {
  for (const path of [file, publicKeyPath(file)]) {
    const exists = await stat(path).then(
      () => true,
      () => false,
    );
    if (exists) throw new UsageError(`${path} already exists; not overwriting a key file`);
  }
}

const list = command({
  name: 'list',
  summary: 'list key files and their keyids',
  description:
    'Describe private key files: type, keyid and whether they are encrypted. Given a repository working ' +
    'directory, list its keys by role with their thresholds and recorded signers instead. A directory is searched for ' +
    'key files (*.pem, and files with a .pub beside them). No passphrase is asked for: the keyid of an encrypted ' +
    'key comes from its FILE.pub.',
  args: [{ name: 'PATH', description: 'key files or directories (default: keys/)', optional: true, variadic: true }],
  async run(ctx) {
    const paths = ctx.args.list('PATH');
    if (paths.length === 1 && existsSync(join(resolve(ctx.cwd, paths[0] as string), 'tufkit.json'))) return listRepositoryKeys(ctx, resolve(ctx.cwd, paths[0] as string));
    const files: string[] = [];
    for (const p of paths.length ? paths : ['keys']) files.push(...(await keyFilesUnder(resolve(ctx.cwd, p))));
    const infos: KeyFileInfo[] = [];
    for (const f of files) infos.push(await describeKeyFile(f));
    const s = ctx.out.style;
    if (infos.length === 0) ctx.out.print('no key files found');
    for (const info of infos) {
      const k = info.publicKey;
      const enc = info.encrypted ? 'encrypted' : s.yellow('unencrypted');
      ctx.out.print(k ? `${s.bold(k.keyid)}  ${k.scheme.padEnd(20)} ${enc.padEnd(11)} ${info.path}` : `${'?'.repeat(8).padEnd(64)}  ${''.padEnd(20)} ${enc} ${info.path}  (${info.note ?? ''})`);
    }
    return { keys: infos.map((i) => ({ path: i.path, encrypted: i.encrypted, ...(i.publicKey ? keyJson(i.publicKey) : { note: i.note ?? null }) })) };
  },
});

async function keyFilesUnder(path: string): Promise<string[]> {
  let st;
  try {
    st = await stat(path);
  } catch {
    throw new UsageError(`${path} does not exist`);
  }
  if (!st.isDirectory()) return [path];
  const names = (await readdir(path)).sort();
  const set = new Set(names);
  return names
    .filter((n) => !n.startsWith('.') && !n.endsWith('.pub') && (n.endsWith('.pem') || n.endsWith('.key') || set.has(`${n}.pub`)))
    .map((n) => join(path, n));
}

async function listRepositoryKeys(ctx: CommandContext, dir: string) {
  const repo = await Repository.open(dir);
  const rows: { role: string; keyid: string; scheme: string; threshold: number; signer: string | null }[] = [];
  const names = await repo.roleNames();
  const succinct = (await repo.targets()).signed.delegations?.succinctRoles;
  for (const name of names) {
    if (succinct?.isDelegatedRole(name) && name !== succinct.binName(0)) continue; // bins share one key set
    const role = await repo.roleInfo(name);
    const delegator = await repo.delegatorOf(name);
    const shown = succinct?.isDelegatedRole(name) ? `${succinct.namePrefix}-*` : name;
    for (const keyid of role.keyids) {
      const key = delegator.findKey(keyid);
      rows.push({ role: shown, keyid, scheme: key?.scheme ?? '?', threshold: role.threshold, signer: repo.config.signers.get(keyid) ?? null });
    }
  }
  for (const r of rows) {
    ctx.out.print(`${r.role.padEnd(12)} ${ctx.out.style.bold(r.keyid)}  ${r.scheme.padEnd(20)} threshold ${r.threshold}  ${r.signer ?? ctx.out.style.dim('(no signer recorded)')}`);
  }
  return { keys: rows };
}

const add = command({
  name: 'add',
  summary: 'add a key to a role of a repository (a new root is then signed by old and new root keys)',
  description:
    'Add KEYFILE\'s key to ROLE (root, timestamp, snapshot, targets or a delegated role) and record it in ' +
    'tufkit.json. The role that lists the key (root, or the delegating role) and ROLE itself change and must ' +
    'be signed again; a new root must be signed by a threshold of the previous root\'s keys and of its own.',
  args: [REPO_ARG, { name: 'ROLE', description: 'the role' }, { name: 'KEYFILE', description: 'private key file, its .pub, or a signer URI' }],
  options: [{ name: 'threshold', kind: 'value', valueName: 'N', description: 'also set the role\'s threshold' }, PASSPHRASE_ENV_OPTION],
  async run(ctx) {
    const repo = await openRepository(ctx);
    const role = ctx.args.required('ROLE');
    if (!(await repo.exists(role))) throw new UsageError(`no role ${JSON.stringify(role)} in this repository`);
    const ref = await resolveKeyReference(ctx, ctx.args.required('KEYFILE'), repo.layout.dir);
    await repo.addKey(role, ref.key, ref.uri || undefined);
    const threshold = ctx.options.integer('threshold', 1, 1000);
    if (threshold !== undefined) await repo.setThreshold(role, threshold);
    await repo.save();
    await repo.saveConfig();
    ctx.out.print(`${ctx.out.style.green('added')} key ${shortId(ref.key.keyid)} to ${role}; sign next: 'tufkit sign ${ctx.args.required('DIR')}'`);
    return { role, keyid: ref.key.keyid, threshold: (await repo.roleInfo(role)).threshold };
  },
});

const remove = command({
  name: 'remove',
  summary: 'remove a key from a role of a repository',
  args: [REPO_ARG, { name: 'ROLE', description: 'the role' }, { name: 'KEYID', description: 'the keyid (or a unique prefix of it)' }],
  options: [{ name: 'threshold', kind: 'value', valueName: 'N', description: 'also set the role\'s threshold' }],
  async run(ctx) {
    const repo = await openRepository(ctx);
    const role = ctx.args.required('ROLE');
    if (!(await repo.exists(role))) throw new UsageError(`no role ${JSON.stringify(role)} in this repository`);
    const prefix = ctx.args.required('KEYID');
    const matches = (await repo.roleInfo(role)).keyids.filter((k) => k.startsWith(prefix));
    if (matches.length !== 1) throw new UsageError(`${JSON.stringify(prefix)} matches ${matches.length} keys of ${role}`);
    const keyid = matches[0] as string;
    const threshold = ctx.options.integer('threshold', 1, 1000);
    if (threshold !== undefined && threshold < (await repo.roleInfo(role)).threshold) await repo.setThreshold(role, threshold);
    await repo.removeKey(role, keyid);
    if (threshold !== undefined) await repo.setThreshold(role, threshold);
    await repo.save();
    ctx.out.print(`${ctx.out.style.green('removed')} key ${shortId(keyid)} from ${role}; sign next: 'tufkit sign ${ctx.args.required('DIR')}'`);
    return { role, keyid, threshold: (await repo.roleInfo(role)).threshold };
  },
});

/** `tufkit key`. */
export const keyGroup = group({
  name: 'key',
  summary: 'generate, list, add and remove signing keys',
  children: [generate, list, add, remove],
});
