/**
 * The node:crypto (OpenSSL) verification engine: the default for ECDSA and RSA, and the
 * reference the other engines are measured and tested against.
 *
 * Imported public keys are cached by their bytes: importing a key costs as much as a
 * verification (../shared/notes/measurements.md), and TUF checks the same few keys over
 * and over. Ed25519 keys are imported as JWK, which is almost free.
 */
import { constants, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import type { VerifyEngine, VerifyItem } from './types.js';

/** Smallest RSA modulus accepted, in bits (NIST SP 800-131A: 1024-bit RSA is disallowed). */
export const MIN_RSA_BITS = 2048;
/** Largest RSA modulus accepted, in bits (bounds the work one hostile key can cause). */
export const MAX_RSA_BITS = 16384;

const CURVE_OF_SCHEME: Record<string, string> = {
  'ecdsa-sha2-nistp256': 'prime256v1',
  'ecdsa-sha2-nistp384': 'secp384r1',
};

const CACHE_LIMIT = 4096;

/** {@link VerifyEngine} on node:crypto. */
export class NodeEngine implements VerifyEngine {
  readonly name = 'node';
  private readonly keys = new Map<string, KeyObject | null>();

  verify(item: VerifyItem): boolean {
    const key = this.importKey(item.scheme, item.publicKey);
    if (key === null) return false;
    try {
      switch (item.scheme) {
        case 'ed25519':
          return item.signature.length === 64 && cryptoVerify(null, item.message, key, item.signature);
        case 'ecdsa-sha2-nistp256':
          return cryptoVerify('sha256', item.message, { key, dsaEncoding: 'der' }, item.signature);
        case 'ecdsa-sha2-nistp384':
          return cryptoVerify('sha384', item.message, { key, dsaEncoding: 'der' }, item.signature);
        case 'rsassa-pss-sha256':
          // Salt length recovered from the encoding (go-tuf signs with the maximum salt,
          // python-tuf with 32; securesystemslib verifies with PSS.AUTO).
          return cryptoVerify(
            'sha256',
            item.message,
            { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
            item.signature,
          );
        case 'rsa-pkcs1v15-sha256':
          return cryptoVerify('sha256', item.message, { key, padding: constants.RSA_PKCS1_PADDING }, item.signature);
        default:
          return false;
      }
    } catch {
      // OpenSSL throws on some malformed signatures (e.g. bad DER); that is a "no".
      return false;
    }
  }

  verifyMany(items: readonly VerifyItem[]): boolean[] {
    return items.map((item) => this.verify(item));
  }

  /** Import (or fetch from the cache) the key, or null when it does not fit the scheme. */
  private importKey(scheme: string, publicKey: Uint8Array): KeyObject | null {
    const id = scheme + ':' + Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64');
    const cached = this.keys.get(id);
    if (cached !== undefined) return cached;
    const key = importForScheme(scheme, publicKey);
    if (this.keys.size >= CACHE_LIMIT) this.keys.delete(this.keys.keys().next().value as string);
    this.keys.set(id, key);
    return key;
  }
}

function importForScheme(scheme: string, publicKey: Uint8Array): KeyObject | null {
  try {
    if (scheme === 'ed25519') {
      if (publicKey.length !== 32) return null;
      const x = Buffer.from(publicKey).toString('base64url');
      return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
    }
    const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
    const details = key.asymmetricKeyDetails ?? {};
    if (scheme in CURVE_OF_SCHEME) {
      return key.asymmetricKeyType === 'ec' && details.namedCurve === CURVE_OF_SCHEME[scheme] ? key : null;
    }
    if (scheme === 'rsassa-pss-sha256' || scheme === 'rsa-pkcs1v15-sha256') {
      const bits = details.modulusLength ?? 0;
      return key.asymmetricKeyType === 'rsa' && bits >= MIN_RSA_BITS && bits <= MAX_RSA_BITS ? key : null;
    }
    return null;
  } catch {
    return null;
  }
}
