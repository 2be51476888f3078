/**
 * From a public key (DER SubjectPublicKeyInfo, RFC 5280 §4.1.2.7) to the TUF key object
 * that metadata lists (spec §4.2 "Key objects"), in securesystemslib's encodings:
 *
 * | key | keytype | scheme | keyval.public |
 * |---|---|---|---|
 * | Ed25519 | `ed25519` | `ed25519` | 64 hex digits |
 * | ECDSA P-256 | `ecdsa` | `ecdsa-sha2-nistp256` | PEM SPKI |
 * | ECDSA P-384 | `ecdsa` | `ecdsa-sha2-nistp384` | PEM SPKI |
 * | RSA ≥ 2048 bits | `rsa` | `rsassa-pss-sha256` (default) or `rsa-pkcs1v15-sha256` | PEM SPKI |
 *
 * node:crypto parses the SPKI first, so a point off its curve or a malformed modulus is
 * refused here rather than written into metadata.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { KeyFormatError, UnsupportedAlgorithmError, describeError } from '../errors.js';
import type { JsonValue } from '../metadata/canonical-json.js';
import { Key } from '../metadata/key.js';
import { derToPem } from '../verify/public-key.js';
import { MAX_RSA_BITS, MIN_RSA_BITS } from '../verify/node-engine.js';

/** The two RSA schemes TUF knows. */
export type RsaScheme = 'rsassa-pss-sha256' | 'rsa-pkcs1v15-sha256';

/** Options for {@link tufKeyFromSpki}. */
export interface TufKeyOptions {
  /** Scheme for RSA keys (default `rsassa-pss-sha256`, securesystemslib's default). */
  readonly rsaScheme?: RsaScheme | undefined;
  /** Extra fields of the key object (e.g. `x-tufkit-signer-uri`); they are part of the keyid. */
  readonly extraFields?: Record<string, JsonValue> | undefined;
}

/** The TUF key for a DER SubjectPublicKeyInfo. @throws {@link KeyFormatError}, {@link UnsupportedAlgorithmError} */
export function tufKeyFromSpki(spki: Uint8Array, options: TufKeyOptions = {}): Key {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (err) {
    throw new KeyFormatError(`public key: not a valid SubjectPublicKeyInfo: ${describeError(err)}`, { cause: err });
  }
  return tufKeyFromKeyObject(key, options);
}

/** The TUF key for a node:crypto public (or private: its public half) key. */
export function tufKeyFromKeyObject(key: KeyObject, options: TufKeyOptions = {}): Key {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const extra = options.extraFields ?? {};
  const spkiPem = (): string => derToPem(new Uint8Array(pub.export({ format: 'der', type: 'spki' })));
  switch (pub.asymmetricKeyType) {
    case 'ed25519': {
      const jwk = pub.export({ format: 'jwk' });
      const raw = Buffer.from(String(jwk.x), 'base64url');
      if (raw.length !== 32) throw new KeyFormatError(`ed25519 public key: ${raw.length} bytes, expected 32`);
      return Key.create('ed25519', 'ed25519', { public: raw.toString('hex') }, extra);
    }
    case 'ec': {
      const curve = pub.asymmetricKeyDetails?.namedCurve;
      const scheme = curve === 'prime256v1' ? 'ecdsa-sha2-nistp256' : curve === 'secp384r1' ? 'ecdsa-sha2-nistp384' : undefined;
      if (scheme === undefined) throw new UnsupportedAlgorithmError(`EC public key on curve ${curve ?? 'unknown'}: TUF signs with P-256 or P-384 only`);
      return Key.create('ecdsa', scheme, { public: spkiPem() }, extra);
    }
    case 'rsa': {
      const bits = pub.asymmetricKeyDetails?.modulusLength ?? 0;
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw new UnsupportedAlgorithmError(`RSA public key of ${bits} bits: tufkit accepts ${MIN_RSA_BITS} to ${MAX_RSA_BITS} bits`);
      }
      return Key.create('rsa', options.rsaScheme ?? 'rsassa-pss-sha256', { public: spkiPem() }, extra);
    }
    default:
      throw new UnsupportedAlgorithmError(`public key of type ${pub.asymmetricKeyType ?? 'unknown'}: TUF signs with ed25519, ecdsa or rsa keys`);
  }
}
