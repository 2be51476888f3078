/**
 * What the repository commands share: opening a working directory, passphrases for key
 * files, key references on the command line, and the key ring that signs.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { Key } from '../metadata/key.js';
import type { Signer } from '../metadata/signer.js';
import { acquireLock } from '../repository/lock.js';
import { Repository } from '../repository/repository.js';
import { filePathOfUri, KeyRing } from '../repository/signers.js';
import { FileSigner, type PassphraseSource } from '../signers/file.js';
import { signerFromUri, storableSignerUri } from '../signers/signer-uri.js';
import { readPublicKeyFile, publicKeyPath } from '../signers/key-files.js';
import type { CommandContext, OptionSpec } from './command.js';
import { readSecret, secretEnvOption } from './secrets.js';

/** `--passphrase-env VAR`, for commands that open encrypted key files. */
export const PASSPHRASE_ENV_OPTION: OptionSpec = secretEnvOption('passphrase-env', 'the passphrase of encrypted key files');

/** The `DIR` argument of repository commands. */
export const REPO_ARG = { name: 'DIR', description: 'the repository working directory (made by tufkit init)' } as const;

/**
 * Open the repository in the `DIR` argument; commands that change it (`write`, the default)
 * take its lock first (src/repository/lock.ts), released when the command's process exits.
 */
export async function openRepository(ctx: CommandContext, options: { write?: boolean } = {}): Promise<Repository> {
  const dir = resolve(ctx.cwd, ctx.args.required('DIR'));
  const repo = await Repository.open(dir);
  if (options.write ?? true) acquireLock(dir);
  return repo;
}

/**
 * Passphrases for key files: from `--passphrase-env VAR` (one answer for every file), or
 * from the hidden prompt. With the prompt, a passphrase typed for one file is tried first
 * on the next one, so keys sharing a passphrase ask once.
 */
export function passphraseSource(ctx: CommandContext): { source: PassphraseSource; attempts: number } {
  const envVar = ctx.options.value('passphrase-env');
  const io = { env: ctx.env, stdin: ctx.stdin, stderr: ctx.out.stderr };
  if (envVar !== undefined) {
    let cached: Promise<string> | undefined;
    return { source: () => (cached ??= readSecret({ what: 'passphrase', envVar }, io)), attempts: 1 };
  }
  let last: string | undefined;
  const tried = new Set<string>();
  return {
    attempts: 4,
    source: async (what: string) => {
      if (last !== undefined && !tried.has(what)) {
        tried.add(what);
        return last;
      }
      tried.add(what);
      last = await readSecret({ what }, io);
      return last;
    },
  };
}

/** A key ring over tufkit.json's signers, plus explicit key files (`--key FILE`). */
export async function keyRingFor(ctx: CommandContext, repo: Repository, keyFiles: readonly string[] = []): Promise<KeyRing> {
  const { source, attempts } = passphraseSource(ctx);
  const ring = new KeyRing(repo.config.signers, {
    baseDir: repo.layout.dir,
    passphrase: source,
    attempts,
    resolveUri: (uri, key) => openSignerUri(ctx, uri, key, repo.layout.dir),
  });
  for (const file of keyFiles) {
    ring.add(await FileSigner.fromFile(resolve(ctx.cwd, file), { passphrase: source, attempts }));
  }
  return ring;
}

/**
 * Open a signer URI (`pkcs11:…`, `yubikey:…`, `file:…`) with src/signers' `signerFromUri`;
 * PINs and passphrases come from the URI's `pin-source=env:NAME`, else the hidden prompt.
 * Relative `file:` paths are resolved against `baseDir`.
 */
export async function openSignerUri(ctx: CommandContext, uri: string, key: Key | undefined, baseDir: string): Promise<Signer> {
  const io = { env: ctx.env, stdin: ctx.stdin, stderr: ctx.out.stderr };
  return signerFromUri(uri, key, {
    prompt: (message: string) => readSecret({ what: message.replace(/:\s*$/, '') }, io),
    env: ctx.env,
    cwd: baseDir,
  });
}

/** A key named on the command line: its public key, the signer URI to record, and the signer when it was opened. */
export interface KeyReference {
  readonly key: Key;
  readonly uri: string;
  readonly signer?: Signer;
}

/**
 * Resolve a key reference: a private key file path or `file:PATH` URI (public key from
 * `PATH.pub` when there, else from the key itself, asking for its passphrase), or a `.pub`
 * file (public key only; no signer is recorded).
 */
export async function resolveKeyReference(ctx: CommandContext, ref: string, baseDir: string): Promise<KeyReference> {
  const path = filePathOfUri(ref, ctx.cwd) ?? (/^[a-z][a-z0-9+.-]*:/.test(ref) ? undefined : resolve(ctx.cwd, ref));
  if (path === undefined) {
    // pkcs11: or yubikey: — the token gives the public key (and may ask for its PIN).
    const signer = await openSignerUri(ctx, ref, undefined, baseDir);
    return { key: signer.publicKey, uri: storableSignerUri(ref), signer };
  }
  if (!existsSync(path)) throw new UsageError(`key file ${path} does not exist`);
  const uri = `file:${relativeOrAbsolute(path, baseDir)}`;
  if (path.endsWith('.pub')) return { key: await readPublicKeyFile(path), uri: '' };
  if (existsSync(publicKeyPath(path))) {
    const key = await readPublicKeyFile(publicKeyPath(path));
    return { key, uri };
  }
  const { source, attempts } = passphraseSource(ctx);
  const signer = await FileSigner.fromFile(path, { passphrase: source, attempts });
  return { key: signer.publicKey, uri, signer };
}

function relativeOrAbsolute(path: string, baseDir: string): string {
  const rel = resolve(path).startsWith(resolve(baseDir) + '/') ? resolve(path).slice(resolve(baseDir).length + 1) : undefined;
  return rel ?? resolve(path);
}

/** A short keyid for human output. */
export function shortId(keyid: string): string {
  return keyid.slice(0, 8);
}

/** "in 3 days", "in 5 hours", "2 days ago". */
export function relativeTime(ms: number): string {
  const abs = Math.abs(ms);
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  let text = 'less than a minute';
  for (const [size, name] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      text = `${n} ${name}${n === 1 ? '' : 's'}`;
      break;
    }
  }
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}
