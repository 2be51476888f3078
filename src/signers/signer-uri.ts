/**
 * Signers addressed by URI (like securesystemslib's signer URIs):
 *
 * | URI | signer |
 * |---|---|
 * | `file:PATH[?passphrase-source=env:NAME\|prompt]` | {@link FileSigner}: a PKCS#8 PEM file, encrypted or not |
 * | `pkcs11:…` (RFC 7512; see pkcs11/uri.ts) | {@link Pkcs11Signer}: a key on an HSM, smart card or SoftHSM |
 * | `yubikey:[slot=9c][;serial=N][?pin-source=…&module=ykcs11\|opensc&touch=…]` (see yubikey/uri.ts) | {@link YubiKeySigner}: a YubiKey's PIV slot |
 *
 * Every signer returned verifies each signature it makes before returning it. URIs never
 * carry secrets: `pin-value` is refused, and messages show URIs through {@link redactUri}.
 *
 * A key written into metadata may carry its signer's URI (field
 * {@link SIGNER_URI_FIELD}, like tuf-on-ci's `x-tuf-on-ci-online-uri`) — only when the user
 * asks for it ({@link withSignerUri}); the field is part of the key object, so of its keyid.
 */
import { isAbsolute, resolve } from 'node:path';
import { SignerError, ValueError } from '../errors.js';
import type { JsonValue } from '../metadata/canonical-json.js';
import { Key } from '../metadata/key.js';
import type { Signature } from '../metadata/signature.js';
import type { Signer } from '../metadata/signer.js';
import type { Verifier } from '../verify/verifier.js';
import { checkedSignature } from './checked.js';
import { FileSigner } from './file.js';
import { resolveModulePath } from './module-path.js';
import { Pkcs11Signer } from './pkcs11/signer.js';
import { parsePkcs11Uri, percentDecode, redactUri, splitAttributes } from './pkcs11/uri.js';
import { pinSourceFor, secretSourceFor, type SignerUriOptions } from './uri-options.js';
import { yubiKeySignerFromUri, type YubiKeySigner } from './yubikey/signer.js';

/** The key-object field that holds a signer URI hint. */
export const SIGNER_URI_FIELD = 'x-tufkit-signer-uri';

/** The kind of signer a URI names. */
export type SignerUriKind = 'file' | 'pkcs11' | 'yubikey';

/** The scheme of `uri`. @throws {@link ValueError} for anything else. */
export function signerUriKind(uri: string): SignerUriKind {
  const scheme = /^([a-z0-9+.-]+):/i.exec(uri)?.[1]?.toLowerCase();
  if (scheme === 'file' || scheme === 'pkcs11' || scheme === 'yubikey') return scheme;
  throw new ValueError(`signer URI ${JSON.stringify(redactUri(uri))}: expected file:, pkcs11: or yubikey:`);
}

/**
 * The signer `uri` names. With `publicKey` (the key as metadata lists it) the signer signs
 * under that key's keyid and scheme; without, the public key is read from the token or file.
 * @throws {@link ValueError} for a malformed URI, {@link SignerError} (and subclasses) when
 *   the key cannot be reached.
 */
export async function signerFromUri(uri: string, publicKey?: Key, options: SignerUriOptions = {}): Promise<Signer> {
  const context = redactUri(uri);
  switch (signerUriKind(uri)) {
    case 'file':
      return fileSignerFromUri(uri, publicKey, options, context);
    case 'pkcs11': {
      const parsed = parsePkcs11Uri(uri);
      if (parsed.type !== undefined && parsed.type !== 'private') throw new ValueError(`${context}: type=${parsed.type}: a signer needs type=private (or no type)`);
      const modulePath = resolveModulePath(parsed, options.modulePath ?? (options.env ?? process.env)['TUFKIT_PKCS11_MODULE'], context);
      return Pkcs11Signer.create(
        { modulePath, token: parsed.token, key: parsed.key },
        { pin: pinSourceFor(parsed.pinSource, options), context, rsaScheme: options.rsaScheme, verifier: options.verifier },
        publicKey,
      );
    }
    case 'yubikey':
      return yubiKeySignerFromUri(uri, publicKey, options, context);
  }
}

/** `file:PATH?query` → path and query attributes (`file://` and `file:///abs` forms too). */
export function parseFileUri(uri: string, cwd = process.cwd()): { path: string; passphraseSource?: string } {
  const context = redactUri(uri);
  let rest = uri.slice('file:'.length);
  const q = rest.indexOf('?');
  const query = q < 0 ? '' : rest.slice(q + 1);
  if (q >= 0) rest = rest.slice(0, q);
  if (rest.startsWith('//')) {
    // file://HOST/path: only an empty host (or localhost) is a local file (RFC 8089 §2)
    const slash = rest.indexOf('/', 2);
    const host = slash < 0 ? rest.slice(2) : rest.slice(2, slash);
    if (host !== '' && host !== 'localhost') throw new ValueError(`${context}: file URIs of host ${host} are not local files`);
    rest = slash < 0 ? '' : rest.slice(slash);
  }
  const path = Buffer.from(percentDecode(rest, context)).toString('utf8');
  if (path === '') throw new ValueError(`${context}: no file path`);
  let passphraseSource: string | undefined;
  for (const [name, value] of splitAttributes(query, '&', context)) {
    if (name === 'passphrase-source') passphraseSource = Buffer.from(percentDecode(value, context)).toString('utf8');
    else if (name === 'encrypted') continue; // securesystemslib's hint; tufkit reads the file to know
    else throw new ValueError(`${context}: unknown attribute ${name} (file: URIs take passphrase-source=env:NAME or prompt)`);
  }
  return { path: isAbsolute(path) ? path : resolve(cwd, path), ...(passphraseSource !== undefined ? { passphraseSource } : {}) };
}

async function fileSignerFromUri(uri: string, publicKey: Key | undefined, options: SignerUriOptions, context: string): Promise<Signer> {
  const { path, passphraseSource } = parseFileUri(uri, options.cwd);
  const passphrase = secretSourceFor(passphraseSource, options, 'passphrase-source');
  let signer = await FileSigner.fromFile(path, {
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(publicKey !== undefined ? { publicKey } : {}),
  });
  if (publicKey === undefined && options.rsaScheme !== undefined && signer.publicKey.keytype === 'rsa') {
    signer = signer.forKey(Key.create('rsa', options.rsaScheme, signer.publicKey.keyval as Record<string, JsonValue>));
  }
  return new VerifiedSigner(signer, context, options.verifier);
}

/** Wraps a signer so that each signature is verified before it is returned. */
export class VerifiedSigner implements Signer {
  constructor(
    /** The wrapped signer. */
    readonly inner: Signer,
    /** The (redacted) URI, for messages. */
    readonly context: string,
    private readonly verifier?: Verifier,
  ) {}

  get publicKey(): Key {
    return this.inner.publicKey;
  }

  async sign(payload: Uint8Array): Promise<Signature> {
    const signature = await this.inner.sign(payload);
    const bytes = signature.bytes();
    if (signature.keyid !== this.publicKey.keyid || bytes === undefined) {
      throw new SignerError(`${this.context}: the signer returned a signature under keyid ${signature.keyid} or without bytes; discarded`);
    }
    return checkedSignature(this.publicKey, payload, bytes, this.context, this.verifier);
  }
}

/** The URI as it may be stored in metadata: without any secret (a `pin-value` is dropped). */
export function storableSignerUri(uri: string): string {
  return uri.replace(/([?&;])pin-value=[^&;?#]*/gi, '').replace(/\?&/, '?').replace(/[?&]$/, '');
}

/**
 * `key` with the signer URI hint {@link SIGNER_URI_FIELD} set (secrets removed). The hint is
 * part of the key object, so the returned key has a new keyid (spec §4.2) — add it to
 * metadata instead of `key`, never next to it.
 */
export function withSignerUri(key: Key, uri: string): Key {
  signerUriKind(uri);
  const fields: Record<string, JsonValue> = { ...(key.unrecognizedFields as Record<string, JsonValue>), [SIGNER_URI_FIELD]: storableSignerUri(uri) };
  return Key.create(key.keytype, key.scheme, key.keyval as Record<string, JsonValue>, fields);
}

/** The signer URI hint of `key`, if it has one. */
export function signerUriOf(key: Key): string | undefined {
  const value = key.unrecognizedFields[SIGNER_URI_FIELD];
  return typeof value === 'string' ? value : undefined;
}
