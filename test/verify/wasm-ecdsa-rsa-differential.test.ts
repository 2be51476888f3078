/**
 * Differential tests of the WASM core's ECDSA and RSA verification against node:crypto
 * (OpenSSL) and @noble/curves on random inputs: valid signatures, high-S twins, flipped
 * bits in signature and message, the wrong key, truncated signatures, compressed keys,
 * PSS salt lengths 0/32/max, and the key rules (sizes, exponents, key types).
 */
import { constants, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { NodeEngine } from '../../src/verify/node-engine.js';
import { wasmCoreSync } from '../../src/verify/wasm/load.js';
import type { VerifyItem } from '../../src/verify/types.js';

const core = wasmCoreSync();
const node = new NodeEngine();

const FN: Record<string, string> = {
  'ecdsa-sha2-nistp256': 'tk_ecdsa_p256_sha256_verify',
  'ecdsa-sha2-nistp384': 'tk_ecdsa_p384_sha384_verify',
  'rsassa-pss-sha256': 'tk_rsa_pss_sha256_verify',
  'rsa-pkcs1v15-sha256': 'tk_rsa_pkcs1v15_sha256_verify',
};

function wasm(item: VerifyItem): boolean {
  return core.verifyWith(FN[item.scheme] as string, item.publicKey, item.message, item.signature);
}

/** A deterministic byte generator (xorshift32) so failures reproduce. */
function rng(seed: number): (n: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (n) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      out[i] = x & 0xff;
    }
    return out;
  };
}

function flipBit(b: Uint8Array, bit: number): Uint8Array {
  const c = Uint8Array.from(b);
  c[(bit >>> 3) % c.length]! ^= 1 << (bit & 7);
  return c;
}

function spki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

// --- DER helpers for ECDSA signatures -------------------------------------------------------
function derInt(v: bigint): number[] {
  let hex = v.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  const b = [...Buffer.from(hex, 'hex')];
  if (b[0]! & 0x80) b.unshift(0);
  return [0x02, b.length, ...b];
}
function derSig(r: bigint, s: bigint): Uint8Array {
  const body = [...derInt(r), ...derInt(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
}
function parseDerSig(sig: Uint8Array): [bigint, bigint] {
  const rl = sig[3]!;
  const r = BigInt('0x' + Buffer.from(sig.subarray(4, 4 + rl)).toString('hex'));
  const sl = sig[5 + rl]!;
  const s = BigInt('0x' + Buffer.from(sig.subarray(6 + rl, 6 + rl + sl)).toString('hex'));
  return [r, s];
}

const CURVES = [
  { scheme: 'ecdsa-sha2-nistp256', curve: 'prime256v1', hash: 'sha256', noble: p256, size: 32 },
  { scheme: 'ecdsa-sha2-nistp384', curve: 'secp384r1', hash: 'sha384', noble: p384, size: 48 },
] as const;

describe('ECDSA: WASM core vs node:crypto and @noble/curves on random inputs', () => {
  for (const c of CURVES) {
    it(`${c.scheme}: valid, high-S, flipped, wrong key, truncated, compressed key`, () => {
      const n = c.noble.Point.CURVE().n;
      const bytes = rng(c.size);
      const keys = Array.from({ length: 3 }, () => generateKeyPairSync('ec', { namedCurve: c.curve }));
      const mismatches: string[] = [];
      const check = (label: string, item: VerifyItem, expected?: boolean) => {
        const got = wasm(item);
        const ref = node.verify(item);
        if (got !== ref) mismatches.push(`${label}: wasm ${got}, node ${ref}`);
        if (expected !== undefined && got !== expected) mismatches.push(`${label}: wasm ${got}, expected ${expected}`);
      };
      let highS = 0;
      for (let i = 0; i < 40; i++) {
        const k = keys[i % keys.length]!;
        const other = keys[(i + 1) % keys.length]!;
        const message = bytes(i * 7);
        const signature = new Uint8Array(sign(c.hash, message, k.privateKey));
        const publicKey = spki(k.publicKey);
        const item = { scheme: c.scheme, publicKey, message, signature };
        check(`valid ${i}`, item, true);
        // The high-S twin (n - s) is just as valid: no low-S rule.
        const [r, s] = parseDerSig(signature);
        const twin = derSig(r, n - s);
        if (n - s > n / 2n) highS++;
        check(`high/low-S twin ${i}`, { ...item, signature: twin }, true);
        const raw = k.publicKey.export({ format: 'jwk' });
        const point = Uint8Array.from([4, ...Buffer.from(raw.x as string, 'base64url'), ...Buffer.from(raw.y as string, 'base64url')]);
        for (const sig of [signature, twin]) {
          const noble = c.noble.verify(sig, message, point, { lowS: false, format: 'der' });
          if (!noble) mismatches.push(`noble rejects ${i}`);
        }
        // Flipped bits anywhere in the signature, and in the message.
        for (let j = 0; j < 4; j++) check(`sig bit ${i}/${j}`, { ...item, signature: flipBit(signature, bytes(2)[0]! * 3 + j * 97) });
        if (message.length > 0) check(`msg bit ${i}`, { ...item, message: flipBit(message, i) }, false);
        check(`wrong key ${i}`, { ...item, publicKey: spki(other.publicKey) }, false);
        check(`truncated ${i}`, { ...item, signature: signature.subarray(0, signature.length - 1) }, false);
        check(`extended ${i}`, { ...item, signature: Uint8Array.from([...signature, 0]) }, false);
        // The same key as a compressed point (OpenSSL accepts both forms in SPKI).
        const compressed = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' });
        const ecPoint = c.noble.Point.fromBytes(point).toBytes(true);
        const prefixLen = publicKey.length - point.length;
        const hdr = Uint8Array.from(publicKey.subarray(0, prefixLen));
        // Rebuild the SPKI with the shorter BIT STRING: patch the two lengths.
        hdr[1] = hdr[1]! - (point.length - ecPoint.length);
        hdr[prefixLen - 2] = hdr[prefixLen - 2]! - (point.length - ecPoint.length);
        const compressedSpki = Uint8Array.from([...hdr, ...ecPoint]);
        expect(compressed.asymmetricKeyType).toBe('ec');
        check(`compressed key ${i}`, { ...item, publicKey: compressedSpki }, true);
      }
      expect(mismatches).toEqual([]);
      expect(highS).toBeGreaterThan(5);
    });
  }

  it('refuses a key of the other curve, garbage keys and signatures', () => {
    const k256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const k384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    const message = new Uint8Array([1, 2, 3]);
    const sig384 = new Uint8Array(sign('sha384', message, k384.privateKey));
    const item = { scheme: 'ecdsa-sha2-nistp256', publicKey: spki(k384.publicKey), message, signature: sig384 };
    expect(wasm(item)).toBe(false);
    expect(node.verify(item)).toBe(false);
    const bytes = rng(99);
    for (let i = 0; i < 200; i++) {
      const junk = { scheme: i % 2 ? 'ecdsa-sha2-nistp256' : 'ecdsa-sha2-nistp384', publicKey: bytes(i % 120), message, signature: bytes(i % 110) };
      expect(wasm(junk)).toBe(false);
      expect(wasm({ ...junk, publicKey: spki(k256.publicKey) })).toBe(false);
    }
  });
});

describe('RSA: WASM core vs node:crypto on random inputs', () => {
  const rsa2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const rsa2049 = generateKeyPairSync('rsa', { modulusLength: 2049 }); // emLen = k - 1 cases
  const rsa3 = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });

  it('PSS with salt lengths 0, 32 and max, PKCS#1 v1.5, flipped bits, cross-scheme', () => {
    const bytes = rng(7);
    const mismatches: string[] = [];
    const check = (label: string, item: VerifyItem, expected?: boolean) => {
      const got = wasm(item);
      const ref = node.verify(item);
      if (got !== ref) mismatches.push(`${label}: wasm ${got}, node ${ref}`);
      if (expected !== undefined && got !== expected) mismatches.push(`${label}: wasm ${got}, expected ${expected}`);
    };
    for (const [name, k] of [['2048', rsa2048], ['2049', rsa2049], ['e=3', rsa3]] as const) {
      const publicKey = spki(k.publicKey);
      for (let i = 0; i < 6; i++) {
        const message = bytes(i * 31);
        for (const saltLength of [0, 32, constants.RSA_PSS_SALTLEN_MAX_SIGN]) {
          const signature = new Uint8Array(sign('sha256', message, { key: k.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }));
          const item = { scheme: 'rsassa-pss-sha256', publicKey, message, signature };
          check(`${name} pss salt ${saltLength} #${i}`, item, true);
          check(`${name} pss flipped #${i}`, { ...item, signature: flipBit(signature, i * 101 + saltLength) }, false);
          check(`${name} pss as pkcs1 #${i}`, { ...item, scheme: 'rsa-pkcs1v15-sha256' }, false);
          if (message.length > 0) check(`${name} pss msg flipped #${i}`, { ...item, message: flipBit(message, i) }, false);
        }
        const signature = new Uint8Array(sign('sha256', message, { key: k.privateKey, padding: constants.RSA_PKCS1_PADDING }));
        const item = { scheme: 'rsa-pkcs1v15-sha256', publicKey, message, signature };
        check(`${name} pkcs1 #${i}`, item, true);
        check(`${name} pkcs1 flipped #${i}`, { ...item, signature: flipBit(signature, i * 13) }, false);
        check(`${name} pkcs1 as pss #${i}`, { ...item, scheme: 'rsassa-pss-sha256' }, false);
        check(`${name} pkcs1 truncated #${i}`, { ...item, signature: signature.subarray(1) }, false);
        check(`${name} pkcs1 wrong key #${i}`, { ...item, publicKey: spki(name === '2048' ? rsa3.publicKey : rsa2048.publicKey) }, false);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('key rules: 1024-bit and RSASSA-PSS-OID keys refused, as by the node engine', () => {
    const message = new Uint8Array([5]);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const sig = new Uint8Array(sign('sha256', message, { key: small.privateKey, padding: constants.RSA_PKCS1_PADDING }));
    const item = { scheme: 'rsa-pkcs1v15-sha256', publicKey: spki(small.publicKey), message, signature: sig };
    expect(wasm(item)).toBe(false);
    expect(node.verify(item)).toBe(false);
    const pssKey = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
    const pssSig = new Uint8Array(sign('sha256', message, { key: pssKey.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
    const pssItem = { scheme: 'rsassa-pss-sha256', publicKey: spki(pssKey.publicKey), message, signature: pssSig };
    expect(wasm(pssItem)).toBe(false);
    expect(node.verify(pssItem)).toBe(false);
  });

  it('a signature one byte short is refused (RFC 8017 8.1.2 step 1), even where OpenSSL pads it', () => {
    // Find a PSS signature whose first byte is 0: OpenSSL accepts it without that byte.
    const bytes = rng(3);
    for (let i = 0; i < 2000; i++) {
      const message = bytes(8);
      const signature = new Uint8Array(sign('sha256', message, { key: rsa2048.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
      if (signature[0] !== 0) continue;
      const item = { scheme: 'rsassa-pss-sha256', publicKey: spki(rsa2048.publicKey), message, signature: signature.subarray(1) };
      expect(wasm({ ...item, signature })).toBe(true);
      expect(wasm(item)).toBe(false);
      expect(node.verify(item)).toBe(true); // the documented difference
      return;
    }
    throw new Error('no signature with a leading zero byte in 2000 tries');
  });
});
