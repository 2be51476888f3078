/**
 * Ed25519 test data: honest signatures (node:crypto), and adversarial ones built with
 * @noble/curves' point arithmetic — signatures whose residue [S]B − R − [k]A is a torsion
 * point (valid under the cofactored equation only), keys and nonces with torsion
 * components, small-order points.
 */
import { createHash, randomBytes, sign as nodeSign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { VerifyItem } from '../../src/verify/types.js';

/** The group order L. */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** Canonical encodings of the 8 points of order dividing 8 (crypto-wasm point.rs). */
export const SMALL_ORDER_HEX = [
  '0100000000000000000000000000000000000000000000000000000000000000',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
];

type Point = ReturnType<typeof ed25519.Point.fromBytes>;
const Point = ed25519.Point;

/** The torsion points, decoded. */
export const TORSION: Point[] = SMALL_ORDER_HEX.map((h) => Point.fromBytes(Buffer.from(h, 'hex')));

const leBytesToBig = (b: Uint8Array): bigint => BigInt('0x' + (Buffer.from(b).reverse().toString('hex') || '0'));
const bigToLe32 = (x: bigint): Uint8Array => new Uint8Array(Buffer.from(x.toString(16).padStart(64, '0'), 'hex').reverse());

function challenge(r: Uint8Array, a: Uint8Array, msg: Uint8Array): bigint {
  return leBytesToBig(createHash('sha512').update(r).update(a).update(msg).digest()) % L;
}

/** A signing key with its secret scalar (for building adversarial signatures). */
export interface TestKey {
  readonly publicKey: Uint8Array;
  readonly scalar: bigint;
  /** RFC 8032 signature (node:crypto). */
  sign(msg: Uint8Array): Uint8Array;
}

/** A fresh key. */
export function makeKey(): TestKey {
  const seed = randomBytes(32);
  // node:crypto signs from the seed (PKCS#8 form); noble gives the same key's scalar.
  const ext = ed25519.utils.getExtendedPublicKey(seed);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return {
    publicKey: new Uint8Array(ext.pointBytes),
    scalar: ext.scalar,
    sign: (msg) => new Uint8Array(nodeSign(null, msg, { key: der, format: 'der', type: 'pkcs8' })),
  };
}

/**
 * A signature by `key` on `msg` with nonce point R = [r]B + T: [S]B − R − [k]A = −T, so it
 * is valid exactly under the cofactored equation when T ≠ 0 (and R is not small).
 */
export function signWithTorsionR(key: TestKey, msg: Uint8Array, t: Point): Uint8Array {
  const r = (leBytesToBig(randomBytes(64)) % (L - 1n)) + 1n;
  const rBytes = Point.BASE.multiply(r).add(t).toBytes();
  const k = challenge(rBytes, key.publicKey, msg);
  const s = (r + k * key.scalar) % L;
  return new Uint8Array([...rBytes, ...bigToLe32(s)]);
}

/**
 * A mixed-order key A' = A + T and a signature by it on `msg` with the honest scalar:
 * [S]B − R − [k]A' = −[k]T, zero exactly when the order of T divides k.
 */
export function signWithTorsionKey(key: TestKey, msg: Uint8Array, t: Point): { publicKey: Uint8Array; signature: Uint8Array } {
  const publicKey = Point.fromBytes(key.publicKey).add(t).toBytes();
  const r = (leBytesToBig(randomBytes(64)) % (L - 1n)) + 1n;
  const rBytes = Point.BASE.multiply(r).toBytes();
  const k = challenge(rBytes, publicKey, msg);
  const s = (r + k * key.scalar) % L;
  return { publicKey, signature: new Uint8Array([...rBytes, ...bigToLe32(s)]) };
}

/** An Ed25519 item. */
export function edItem(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): VerifyItem {
  return { scheme: 'ed25519', publicKey, message, signature };
}

/** S + L in place of S (same value mod L, non-canonical). */
export function withSPlusL(sig: Uint8Array): Uint8Array {
  const s = leBytesToBig(sig.subarray(32));
  return new Uint8Array([...sig.subarray(0, 32), ...bigToLe32(s + L)]);
}

/** A copy of `b` with bit `bit` flipped. */
export function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}
