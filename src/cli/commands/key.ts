/**
 * `tufkit key ...`: file keys — generate, list.
 * (`tufkit key yubikey ...` is mounted under this group by the signers' own file.)
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { JsonValue } from '../../metadata/canonical-json.js';
import type { Key } from '../../metadata/key.js';
import { DEFAULT_RSA_BITS, FILE_KEY_TYPES, FileSigner, type FileKeyType } from '../../signers/file.js';
import { describeKeyFile, publicKeyPath, writePublicKeyFile, type KeyFileInfo } from '../../signers/key-files.js';
import { command, group, type CommandContext } from '../command.js';
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
    'Describe private key files: type, keyid and whether they are encrypted. A directory is searched for ' +
    'key files (*.pem, and files with a .pub beside them). No passphrase is asked for: the keyid of an encrypted ' +
    'key comes from its FILE.pub.',
  args: [{ name: 'PATH', description: 'key files or directories (default: keys/)', optional: true, variadic: true }],
  async run(ctx) {
    const paths = ctx.args.list('PATH');
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

/** `tufkit key`. */
export const keyGroup = group({
  name: 'key',
  summary: 'generate and list signing keys',
  children: [generate, list],
});
