/**
 * Private keys in files: generation, storage (PKCS#8 PEM, passphrase-encrypted by default)
 * and a {@link Signer} over them, with node:crypto.
 *
 * Key types and what the TUF public key looks like (as securesystemslib writes them):
 *
 * | type | keytype | scheme | `keyval.public` | signature |
 * |---|---|---|---|---|
 * | `ed25519` | `ed25519` | `ed25519` | 64 hex digits | 64 bytes (RFC 8032) |
 * | `ecdsa-p256` | `ecdsa` | `ecdsa-sha2-nistp256` | PEM SPKI | ASN.1 DER (r, s), SHA-256 |
 * | `ecdsa-p384` | `ecdsa` | `ecdsa-sha2-nistp384` | PEM SPKI | ASN.1 DER (r, s), SHA-384 |
 * | `rsa` (3072 bits by default) | `rsa` | `rsassa-pss-sha256` | PEM SPKI | PSS, MGF1-SHA-256, salt 32 (as securesystemslib signs) |
 *
 * Files read: PKCS#8 PEM (`PRIVATE KEY`, as python-tuf's keystore), encrypted PKCS#8
 * (`ENCRYPTED PRIVATE KEY`: PBES2 with scrypt or PBKDF2, as tufkit and OpenSSL write),
 * PKCS#1 RSA PEM (`RSA PRIVATE KEY`, as go-tuf's keystore) and SEC1 EC PEM
 * (`EC PRIVATE KEY`). securesystemslib's legacy encrypted format (`salt@@@@iterations@@@@…`)
 * is refused with a message. Files written: encrypted PKCS#8 with scrypt (see
 * file-encryption.ts), or — only when asked explicitly — unencrypted PKCS#8, mode 0600.
 *
 * `file:PATH` signer URIs resolve to this signer (wired by `signerFromUri` in src/signers).
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KeyFormatError, SignerError, StorageError, UnsupportedAlgorithmError, describeError } from '../errors.js';
import { Key } from '../metadata/key.js';
import { Signature } from '../metadata/signature.js';
import type { Signer } from '../metadata/signer.js';
import { writeFileAtomicNoClobber } from '../util/atomic-file.js';
import { encryptPkcs8 } from './file-encryption.js';

/** Key types tufkit generates. */
export const FILE_KEY_TYPES = ['ed25519', 'ecdsa-p256', 'ecdsa-p384', 'rsa'] as const;
/** A key type tufkit generates. */
export type FileKeyType = (typeof FILE_KEY_TYPES)[number];

/** Default RSA modulus size of new keys. */
export const DEFAULT_RSA_BITS = 3072;

/** A passphrase, or a function that asks for one (called only when the file is encrypted). */
export type PassphraseSource = string | ((what: string) => Promise<string>);

/** Options for reading a key file. */
export interface FileKeyReadOptions {
  /** The passphrase of an encrypted file. */
  readonly passphrase?: PassphraseSource;
  /** How many times to ask `passphrase` (a function) when the answer is wrong (default 1). */
  readonly attempts?: number;
  /**
   * The key as metadata lists it: the signer then signs under that keyid (and scheme), after
   * checking it is the same public key (keyids of existing repositories need not be the
   * hash tufkit would compute, e.g. python-tuf's `keyid_hash_algorithms` keys).
   */
  readonly publicKey?: Key;
}

/** Signs with a private key held in memory, read from or written to a file. */
export class FileSigner implements Signer {
  /** The public key; its keyid is the signatures' keyid. */
  readonly publicKey: Key;
  /** The file the key came from or was written to, if any. */
  readonly path: string | undefined;
  private readonly privateKey: KeyObject;

  private constructor(privateKey: KeyObject, publicKey: Key, path: string | undefined) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
    this.path = path;
  }

  /** A new key of `type` (in memory; see {@link FileSigner.writeFile}). */
  static generate(type: FileKeyType, options: { rsaBits?: number } = {}): FileSigner {
    let privateKey: KeyObject;
    switch (type) {
      case 'ed25519':
        privateKey = generateKeyPairSync('ed25519').privateKey;
        break;
      case 'ecdsa-p256':
        privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
        break;
      case 'ecdsa-p384':
        privateKey = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
        break;
      case 'rsa': {
        const bits = options.rsaBits ?? DEFAULT_RSA_BITS;
        if (!Number.isSafeInteger(bits) || bits < 2048 || bits > 16384 || bits % 8 !== 0) {
          throw new KeyFormatError(`RSA key size: must be a multiple of 8 in 2048–16384 bits, found ${bits}`);
        }
        privateKey = generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 65537 }).privateKey;
        break;
      }
      default:
        throw new UnsupportedAlgorithmError(`key type ${JSON.stringify(type)}: expected one of ${FILE_KEY_TYPES.join(', ')}`);
    }
    return new FileSigner(privateKey, tufPublicKey(privateKey), undefined);
  }

  /**
   * Read a private key from PEM text.
   * @throws {@link KeyFormatError} for text that is no supported private key,
   *   {@link SignerError} for a wrong or missing passphrase.
   */
  static async fromPem(pem: string | Uint8Array, options: FileKeyReadOptions & { path?: string } = {}): Promise<FileSigner> {
    const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
    const where = options.path ?? 'private key';
    if (!text.includes('-----BEGIN ')) {
      if (text.includes('@@@@')) {
        throw new KeyFormatError(`${where}: securesystemslib's legacy encrypted key format is not supported; export the key as PKCS#8 PEM`);
      }
      throw new KeyFormatError(`${where}: not a PEM private key`);
    }
    if (/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(text) && !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
      throw new KeyFormatError(`${where}: holds a public key or certificate, not a private key`);
    }
    let privateKey: KeyObject;
    if (isEncryptedPem(text)) {
      privateKey = await decryptWithRetries(text, where, options);
    } else {
      try {
        privateKey = createPrivateKey({ key: text, format: 'pem' });
      } catch (err) {
        throw new KeyFormatError(`${where}: not a readable private key (${describeError(err)})`, { cause: err });
      }
    }
    const derived = tufPublicKey(privateKey, options.publicKey?.scheme);
    let publicKey = derived;
    if (options.publicKey !== undefined) {
      if (!options.publicKey.sameKeyAs(derived)) {
        throw new SignerError(`${where}: holds key ${derived.keyid.slice(0, 8)}…, not key ${options.publicKey.keyid.slice(0, 8)}… that metadata lists`);
      }
      publicKey = options.publicKey;
    }
    return new FileSigner(privateKey, publicKey, options.path);
  }

  /**
   * Read a private key file.
   * @throws {@link StorageError} when it cannot be read; see {@link FileSigner.fromPem}.
   */
  static async fromFile(path: string, options: FileKeyReadOptions = {}): Promise<FileSigner> {
    let pem: string;
    try {
      pem = await readFile(path, 'utf8');
    } catch (err) {
      throw new StorageError(`cannot read key file ${path}: ${describeError(err)}`, { cause: err });
    }
    return FileSigner.fromPem(pem, { ...options, path });
  }

  /** The same private key, signing as `key` (checked to be the same public key). @throws {@link SignerError} */
  forKey(key: Key): FileSigner {
    if (!key.sameKeyAs(this.publicKey)) {
      throw new SignerError(`key ${key.keyid.slice(0, 8)}… is not the key in ${this.path ?? 'this signer'} (${this.publicKey.keyid.slice(0, 8)}…)`);
    }
    tufPublicKey(this.privateKey, key.scheme); // throws unless the key can sign with key.scheme
    return new FileSigner(this.privateKey, key, this.path);
  }

  /**
   * The private key as PEM: encrypted PKCS#8 (scrypt, AES-256-CBC) under `passphrase`,
   * or unencrypted PKCS#8 when `passphrase` is `null` (explicitly).
   */
  toPem(passphrase: string | null): string {
    const der = this.privateKey.export({ format: 'der', type: 'pkcs8' });
    if (passphrase === null) return this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    if (passphrase === '') throw new SignerError('the passphrase must not be empty (pass null for an unencrypted key file)');
    return encryptPkcs8(der, passphrase);
  }

  /**
   * Write the private key to `path` (mode 0600, atomically) — never over an existing file.
   * @throws {@link StorageError} when `path` exists or cannot be written.
   */
  async writeFile(path: string, passphrase: string | null): Promise<FileSigner> {
    const written = await writeFileAtomicNoClobber(path, this.toPem(passphrase), 0o600);
    if (!written) throw new StorageError(`${path} already exists; not overwriting a key file`);
    return new FileSigner(this.privateKey, this.publicKey, path);
  }

  /** Sign `payload` (spec §4.1: the canonical bytes of `signed`). @throws {@link SignerError} */
  async sign(payload: Uint8Array): Promise<Signature> {
    let sig: Buffer;
    try {
      sig = signWith(this.privateKey, this.publicKey.scheme, payload);
    } catch (err) {
      throw new SignerError(`signing with ${this.path ?? 'key'} ${this.publicKey.keyid.slice(0, 8)}… failed: ${describeError(err)}`, { cause: err });
    }
    return Signature.fromBytes(this.publicKey.keyid, sig);
  }
}

/** True for an `ENCRYPTED PRIVATE KEY` PEM, or an OpenSSL "traditional" PEM with `Proc-Type: 4,ENCRYPTED`. */
export function isEncryptedPem(text: string): boolean {
  return text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type:\s*4,ENCRYPTED/.test(text);
}

async function decryptWithRetries(text: string, where: string, options: FileKeyReadOptions): Promise<KeyObject> {
  const source = options.passphrase;
  if (source === undefined) throw new SignerError(`${where} is encrypted: a passphrase is needed`);
  const attempts = typeof source === 'string' ? 1 : Math.max(1, options.attempts ?? 1);
  for (let attempt = 1; ; attempt++) {
    const passphrase = typeof source === 'string' ? source : await source(`passphrase for ${where}`);
    try {
      return createPrivateKey({ key: text, format: 'pem', passphrase });
    } catch (err) {
      if (attempt >= attempts) {
        // OpenSSL says "bad decrypt" for a wrong passphrase, or a DER error when the wrong
        // key happened to leave valid padding; either way the passphrase did not open it.
        throw new SignerError(`cannot decrypt ${where}: wrong passphrase (or the file is damaged)`, { cause: err });
      }
    }
  }
}

/**
 * The TUF public key of a private (or public) key object, as securesystemslib would list it.
 * `scheme` picks among the schemes a key type allows (RSA: `rsassa-pss-sha256` by default,
 * or `rsa-pkcs1v15-sha256`).
 * @throws {@link UnsupportedAlgorithmError} for key types TUF has no scheme for.
 */
export function tufPublicKey(key: KeyObject, scheme?: string): Key {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  switch (publicKey.asymmetricKeyType) {
    case 'ed25519': {
      if (scheme !== undefined && scheme !== 'ed25519') throw schemeMismatch('ed25519', scheme);
      const jwk = publicKey.export({ format: 'jwk' });
      return Key.create('ed25519', 'ed25519', { public: Buffer.from(jwk.x as string, 'base64url').toString('hex') });
    }
    case 'ec': {
      const curve = publicKey.asymmetricKeyDetails?.namedCurve;
      const expected = curve === 'prime256v1' ? 'ecdsa-sha2-nistp256' : curve === 'secp384r1' ? 'ecdsa-sha2-nistp384' : undefined;
      if (expected === undefined) throw new UnsupportedAlgorithmError(`EC key on curve ${curve ?? '?'}: TUF keys use P-256 or P-384`);
      if (scheme !== undefined && scheme !== expected) throw schemeMismatch(`EC ${curve}`, scheme);
      return Key.create('ecdsa', expected, { public: spkiPem(publicKey) });
    }
    case 'rsa': {
      const chosen = scheme ?? 'rsassa-pss-sha256';
      if (chosen !== 'rsassa-pss-sha256' && chosen !== 'rsa-pkcs1v15-sha256') throw schemeMismatch('RSA', chosen);
      return Key.create('rsa', chosen, { public: spkiPem(publicKey) });
    }
    default:
      throw new UnsupportedAlgorithmError(`${publicKey.asymmetricKeyType ?? 'unknown'} keys are not supported (ed25519, ECDSA P-256/P-384 and RSA are)`);
  }
}

function schemeMismatch(what: string, scheme: string): UnsupportedAlgorithmError {
  return new UnsupportedAlgorithmError(`a ${what} key cannot sign with scheme ${JSON.stringify(scheme)}`);
}

function spkiPem(publicKey: KeyObject): string {
  return publicKey.export({ format: 'pem', type: 'spki' }).toString(); // 64-column lines, trailing newline
}

function signWith(privateKey: KeyObject, scheme: string, payload: Uint8Array): Buffer {
  switch (scheme) {
    case 'ed25519':
      return cryptoSign(null, payload, privateKey);
    case 'ecdsa-sha2-nistp256':
      return cryptoSign('sha256', payload, { key: privateKey, dsaEncoding: 'der' });
    case 'ecdsa-sha2-nistp384':
      return cryptoSign('sha384', payload, { key: privateKey, dsaEncoding: 'der' });
    case 'rsassa-pss-sha256':
      return cryptoSign('sha256', payload, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    case 'rsa-pkcs1v15-sha256':
      return cryptoSign('sha256', payload, { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
    default:
      throw new UnsupportedAlgorithmError(`scheme ${JSON.stringify(scheme)} is not supported by file keys`);
  }
}
