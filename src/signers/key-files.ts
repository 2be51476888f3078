/**
 * Key files on disk as tufkit (and securesystemslib) lays them out: the private key at PATH
 * and its public key at `PATH.pub`, a TUF key object as JSON (`keytype`, `scheme`, `keyval`),
 * the way securesystemslib's `generate_*_keypair` writes it. go-tuf's `.pub` files (SPKI PEM)
 * are read too. The `.pub` file lets tufkit name an encrypted key without its passphrase.
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { DeserializationError, KeyFormatError, StorageError, describeError } from '../errors.js';
import type { JsonValue } from '../metadata/canonical-json.js';
import { Key } from '../metadata/key.js';
import { writeFileAtomicNoClobber } from '../util/atomic-file.js';
import { isEncryptedPem, tufPublicKey } from './file.js';

/** The path of the public-key file next to private key file `path`. */
export function publicKeyPath(path: string): string {
  return `${path}.pub`;
}

/** The `.pub` file's text for `key` (securesystemslib's JSON form, keys sorted, newline-terminated). */
export function publicKeyFileText(key: Key): string {
  return JSON.stringify(sortKeys(key.toDict())) + '\n';
}

/** Write `key` to `path` (never over an existing file). @throws {@link StorageError} */
export async function writePublicKeyFile(path: string, key: Key): Promise<void> {
  if (!(await writeFileAtomicNoClobber(path, publicKeyFileText(key), 0o644))) {
    throw new StorageError(`${path} already exists; not overwriting it`);
  }
}

/**
 * Read a public key file: a TUF key object in JSON (securesystemslib), or an SPKI PEM (go-tuf;
 * the scheme is then the key type's default, see `tufPublicKey`). The keyid is computed (spec §4.2).
 * @throws {@link StorageError} or {@link KeyFormatError}
 */
export async function readPublicKeyFile(path: string): Promise<Key> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
  return parsePublicKeyText(text, path);
}

/** Parse the text of a public key file (see {@link readPublicKeyFile}). */
export function parsePublicKeyText(text: string, where: string): Key {
  if (text.trimStart().startsWith('-----BEGIN PUBLIC KEY-----')) {
    try {
      return tufPublicKey(createPublicKey({ key: text, format: 'pem' }));
    } catch (err) {
      throw new KeyFormatError(`${where}: not a readable public key (${describeError(err)})`, { cause: err });
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new KeyFormatError(`${where}: neither a TUF key in JSON nor a PEM public key`);
  }
  try {
    const draft = Key.fromDict('-', value, where);
    return draft.withKeyid(draft.computeKeyid());
  } catch (err) {
    if (err instanceof DeserializationError) throw new KeyFormatError(err.message, { cause: err });
    throw err;
  }
}

/** What can be said about a private key file without its passphrase. */
export interface KeyFileInfo {
  readonly path: string;
  readonly encrypted: boolean;
  /** The public key, from the `.pub` file or (unencrypted files) the private key; undefined when unknown. */
  readonly publicKey: Key | undefined;
  /** Why the public key is unknown, when it is. */
  readonly note?: string;
}

/** Describe the private key file at `path` (never asks for a passphrase). */
export async function describeKeyFile(path: string): Promise<KeyFileInfo> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
  const encrypted = isEncryptedPem(text) || text.includes('@@@@');
  let pub: Key | undefined;
  try {
    pub = await readPublicKeyFile(publicKeyPath(path));
  } catch {
    pub = undefined;
  }
  if (pub === undefined && !encrypted) {
    try {
      pub = tufPublicKey(createPrivateKey({ key: text, format: 'pem' }));
    } catch (err) {
      return { path, encrypted, publicKey: undefined, note: `not a readable private key: ${describeError(err)}` };
    }
  }
  return pub === undefined ? { path, encrypted, publicKey: undefined, note: `encrypted, and no ${publicKeyPath(path)}` } : { path, encrypted, publicKey: pub };
}

function sortKeys(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, JsonValue>)[k] as JsonValue)]));
  }
  return value;
}
