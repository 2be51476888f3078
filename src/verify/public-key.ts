/**
 * From a TUF key object (spec §4.2 "Key objects") to the bytes an engine verifies with.
 *
 * Accepted key types and schemes (securesystemslib's names):
 *
 * | keytype | scheme | `keyval.public` |
 * |---|---|---|
 * | `ed25519` | `ed25519` | 64 hex digits: the 32-byte public key |
 * | `ecdsa` | `ecdsa-sha2-nistp256`, `ecdsa-sha2-nistp384` | PEM SubjectPublicKeyInfo |
 * | `ecdsa-sha2-nistp256`, `ecdsa-sha2-nistp384` (legacy keytype = scheme) | same as keytype | PEM |
 * | `rsa` | `rsassa-pss-sha256`, `rsa-pkcs1v15-sha256` | PEM SubjectPublicKeyInfo |
 *
 * Lenient keys (read with the opt-in lenient parse) may also give an ECDSA public key as
 * the hex of its uncompressed SEC1 point (`04‖X‖Y`), as go-tuf v0 wrote them (sigstore's
 * roots 1–4). Whether the key really lies on the scheme's curve is the engine's check.
 */
import { KeyFormatError, UnsupportedAlgorithmError } from '../errors.js';
import type { Scheme } from './types.js';

/** The parts of a TUF key that verification needs. `Key` in src/metadata satisfies it. */
export interface PublicKeyLike {
  readonly keytype: string;
  readonly scheme: string;
  readonly keyval: Readonly<Record<string, unknown>>;
  /** Set on keys read by the lenient parser: legacy encodings are accepted. */
  readonly lenient?: boolean;
}

/** What an engine needs: the scheme and the raw key bytes (see `VerifyItem`). */
export interface DecodedKey {
  readonly scheme: Scheme;
  readonly publicKey: Uint8Array;
}

const ECDSA_SCHEMES: Record<string, { spkiPrefix: string; pointBytes: number }> = {
  // SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING (0 unused bits) } (RFC 5480 §2)
  'ecdsa-sha2-nistp256': { spkiPrefix: '3059301306072a8648ce3d020106082a8648ce3d030107034200', pointBytes: 65 },
  // ... secp384r1
  'ecdsa-sha2-nistp384': { spkiPrefix: '3076301006072a8648ce3d020106052b81040022036200', pointBytes: 97 },
};

const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/**
 * Decode `key` for verification.
 * @throws {@link UnsupportedAlgorithmError} for a keytype/scheme pair tufkit does not verify,
 *   {@link KeyFormatError} for a `keyval.public` that is not what the pair requires.
 */
export function decodePublicKey(key: PublicKeyLike): DecodedKey {
  const { keytype, scheme } = key;
  const pub = key.keyval['public'];
  if (typeof pub !== 'string') throw new KeyFormatError(`${keytype}/${scheme} key: keyval.public must be a string`);
  if (keytype === 'ed25519' && scheme === 'ed25519') {
    if (pub.length !== 64 || !HEX.test(pub)) {
      throw new KeyFormatError(`ed25519 key: keyval.public must be 64 hex digits, found ${pub.length} characters`);
    }
    return { scheme, publicKey: hexToBytes(pub) };
  }
  if ((keytype === 'ecdsa' || keytype === scheme) && scheme in ECDSA_SCHEMES) {
    const curve = ECDSA_SCHEMES[scheme] as { spkiPrefix: string; pointBytes: number };
    if (isPem(pub)) return { scheme: scheme as Scheme, publicKey: pemToDer(pub, keytype) };
    if (key.lenient && pub.length === 2 * curve.pointBytes && HEX.test(pub) && pub.startsWith('04')) {
      return { scheme: scheme as Scheme, publicKey: hexToBytes(curve.spkiPrefix + pub) };
    }
    throw new KeyFormatError(
      `${keytype}/${scheme} key: keyval.public must be a PEM public key` +
        (key.lenient ? ' or the hex of an uncompressed SEC1 point' : ' (hex SEC1 points are accepted only by the lenient parse)'),
    );
  }
  if (keytype === 'rsa' && (scheme === 'rsassa-pss-sha256' || scheme === 'rsa-pkcs1v15-sha256')) {
    if (!isPem(pub)) throw new KeyFormatError(`rsa/${scheme} key: keyval.public must be a PEM public key`);
    return { scheme, publicKey: pemToDer(pub, keytype) };
  }
  throw new UnsupportedAlgorithmError(`key type ${JSON.stringify(keytype)} with scheme ${JSON.stringify(scheme)} is not supported`);
}

function isPem(text: string): boolean {
  return text.trimStart().startsWith('-----BEGIN PUBLIC KEY-----');
}

/** The DER inside a `PUBLIC KEY` PEM block (RFC 7468 §13). */
export function pemToDer(pem: string, what = 'key'): Uint8Array {
  const match = /^\s*-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\r\n\t ]+)-----END PUBLIC KEY-----\s*$/.exec(pem);
  if (!match) throw new KeyFormatError(`${what}: malformed PEM public key`);
  const body = (match[1] as string).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw new KeyFormatError(`${what}: PEM public key body is not base64`);
  }
  return new Uint8Array(Buffer.from(body, 'base64'));
}

/** A `PUBLIC KEY` PEM block for `der`, 64 characters a line, with a trailing newline (as securesystemslib writes it). */
export function derToPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

/** Decode hex (either case) to bytes; the caller has checked the format. */
export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
