/**
 * The pure-JavaScript engine on @noble/curves: the fallback where WebAssembly is not
 * available, and an independent implementation that the tests compare the WASM core with.
 *
 * - Ed25519: `ed25519.verify` with `zip215: false` (RFC 8032 strict decoding: canonical A
 *   and R, S < L, small-order A rejected, cofactored equation), plus tufkit's rule that a
 *   small-order R is rejected — together exactly the WASM core's rules (crypto-wasm/README.md).
 * - ECDSA P-256/P-384: `p256`/`p384.verify` on the DER signature with `lowS: false` (TUF
 *   signers, like OpenSSL, do not normalise S) and `prehash: true` (SHA-256/SHA-384 of the
 *   message); the public key is taken out of its DER SubjectPublicKeyInfo.
 * - RSA: noble has none. RSA items go to the `fallback` engine given to the constructor
 *   (the auto engine passes node:crypto's when running in Node); without one they throw
 *   {@link UnsupportedAlgorithmError} (a synchronous RSA verifier is not available in a
 *   browser: WebCrypto is asynchronous).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384 } from '@noble/curves/nist.js';
import { UnsupportedAlgorithmError } from '../errors.js';
import type { VerifyEngine, VerifyItem } from './types.js';

/** OID bytes (DER contents) of id-ecPublicKey, prime256v1 and secp384r1. */
const OID_EC_PUBLIC_KEY = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const OID_P256 = [0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384 = [0x2b, 0x81, 0x04, 0x00, 0x22];

/** {@link VerifyEngine} on @noble/curves. */
export class NobleEngine implements VerifyEngine {
  readonly name = 'noble';
  private readonly fallback: VerifyEngine | undefined;

  /** @param fallback engine for the RSA schemes (noble has no RSA). */
  constructor(fallback?: VerifyEngine) {
    this.fallback = fallback;
  }

  /**
   * Check one signature; `false` for malformed input and unknown schemes.
   * @throws UnsupportedAlgorithmError for RSA without a fallback engine.
   */
  verify(item: VerifyItem): boolean {
    switch (item.scheme) {
      case 'ed25519':
        return verifyEd25519(item);
      case 'ecdsa-sha2-nistp256':
        return verifyEcdsa(item, OID_P256, p256);
      case 'ecdsa-sha2-nistp384':
        return verifyEcdsa(item, OID_P384, p384);
      case 'rsassa-pss-sha256':
      case 'rsa-pkcs1v15-sha256':
        if (this.fallback === undefined) {
          throw new UnsupportedAlgorithmError(
            `scheme ${item.scheme}: @noble/curves has no RSA and no fallback engine was given (in Node, use engine 'node' or 'auto')`,
          );
        }
        return this.fallback.verify(item);
      default:
        return false;
    }
  }

  /** `items.map(verify)`. */
  verifyMany(items: readonly VerifyItem[]): boolean[] {
    return items.map((item) => this.verify(item));
  }
}

function verifyEd25519(item: VerifyItem): boolean {
  if (item.publicKey.length !== 32 || item.signature.length !== 64) return false;
  try {
    // tufkit rule 4 for R (noble's strict mode rejects small-order A only).
    if (ed25519.Point.fromBytes(item.signature.subarray(0, 32), false).isSmallOrder()) return false;
    return ed25519.verify(item.signature, item.message, item.publicKey, { zip215: false });
  } catch {
    return false;
  }
}

interface NobleEcdsa {
  verify(sig: Uint8Array, msg: Uint8Array, publicKey: Uint8Array, opts: { lowS: boolean; prehash: boolean; format: 'der' }): boolean;
}

function verifyEcdsa(item: VerifyItem, curveOid: readonly number[], curve: NobleEcdsa): boolean {
  const point = ecPointOfSpki(item.publicKey, curveOid);
  if (point === undefined) return false;
  try {
    return curve.verify(item.signature, item.message, point, { lowS: false, prehash: true, format: 'der' });
  } catch {
    return false;
  }
}

/** One DER TLV: tag, and the contents' [start, end). */
interface Tlv {
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, pos: number, limit: number): Tlv | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = der[pos]!;
  let len = der[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const bytes = len & 0x7f;
    if (bytes < 1 || bytes > 3 || start + bytes > limit) return undefined;
    len = 0;
    for (let i = 0; i < bytes; i++) len = len * 256 + der[start + i]!;
    start += bytes;
  }
  const end = start + len;
  return end <= limit ? { tag, start, end } : undefined;
}

function bytesEqual(der: Uint8Array, tlv: Tlv, expect: readonly number[]): boolean {
  if (tlv.end - tlv.start !== expect.length) return false;
  for (let i = 0; i < expect.length; i++) if (der[tlv.start + i] !== expect[i]) return false;
  return true;
}

/**
 * The SEC1 point inside an EC SubjectPublicKeyInfo (RFC 5480 §2) for the curve `curveOid`,
 * or undefined when `spki` is anything else.
 */
export function ecPointOfSpki(spki: Uint8Array, curveOid: readonly number[]): Uint8Array | undefined {
  const outer = readTlv(spki, 0, spki.length);
  if (outer === undefined || outer.tag !== 0x30 || outer.end !== spki.length) return undefined;
  const alg = readTlv(spki, outer.start, outer.end);
  if (alg === undefined || alg.tag !== 0x30) return undefined;
  const oid = readTlv(spki, alg.start, alg.end);
  if (oid === undefined || oid.tag !== 0x06 || !bytesEqual(spki, oid, OID_EC_PUBLIC_KEY)) return undefined;
  const curve = readTlv(spki, oid.end, alg.end);
  if (curve === undefined || curve.tag !== 0x06 || curve.end !== alg.end || !bytesEqual(spki, curve, curveOid)) return undefined;
  const bits = readTlv(spki, alg.end, outer.end);
  if (bits === undefined || bits.tag !== 0x03 || bits.end !== outer.end || bits.end - bits.start < 2 || spki[bits.start] !== 0) {
    return undefined;
  }
  return spki.subarray(bits.start + 1, bits.end);
}
