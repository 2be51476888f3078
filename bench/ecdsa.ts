/**
 * ECDSA P-256/P-384 and RSA (PSS, PKCS#1 v1.5) single-signature verification: the WASM core
 * against node:crypto (cached KeyObject, and a key import per signature as tuf-js does) and
 * @noble/curves (`lowS: false`), 200-byte messages. Ratios are to node:crypto with a cached
 * KeyObject, measured in the same run.
 *
 * WASM rows: "same key" verifies with one key again and again (after its 4th use the core
 * keeps a fixed-base table for it: no doublings); "16 keys in turn" never hits the core's
 * 8-key cache (Straus–Shamir with a per-call table for the key).
 */
import { constants, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { wasmCoreSync } from '../src/verify/wasm/load.js';
import { measure, table } from './_util.js';

const core = wasmCoreSync();
const message = new Uint8Array(200).map((_, i) => (i * 7) & 0xff);

interface Case {
  spki: Uint8Array;
  key: KeyObject;
  signature: Uint8Array;
  point?: Uint8Array;
}

const rows: (string | number)[][] = [];
function row(name: string, fn: () => boolean, base: number): number {
  if (!fn()) throw new Error(`${name}: the signature does not verify`);
  const ms = measure(fn, { ms: 1500, warmup: 20 });
  const us = ms * 1000;
  rows.push([name, us, 1e6 / us, base > 0 ? us / base : 1]);
  return us;
}

function ecCases(curve: string, hash: string, count: number): Case[] {
  return Array.from({ length: count }, () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
    const jwk = publicKey.export({ format: 'jwk' });
    const point = Uint8Array.from([4, ...Buffer.from(jwk.x as string, 'base64url'), ...Buffer.from(jwk.y as string, 'base64url')]);
    return {
      spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
      key: publicKey,
      signature: new Uint8Array(sign(hash, message, privateKey)),
      point,
    };
  });
}

for (const [label, curve, hash, fn, noble] of [
  ['P-256', 'prime256v1', 'sha256', 'tk_ecdsa_p256_sha256_verify', p256],
  ['P-384', 'secp384r1', 'sha384', 'tk_ecdsa_p384_sha384_verify', p384],
] as const) {
  const cases = ecCases(curve, hash, 16);
  const c = cases[0]!;
  const base = row(`${label} node:crypto, cached KeyObject`, () => verify(hash, message, c.key, c.signature), 0);
  row(`${label} node:crypto, import DER SPKI per signature`, () => verify(hash, message, createPublicKey({ key: Buffer.from(c.spki), format: 'der', type: 'spki' }), c.signature), base);
  row(`${label} WASM, same key`, () => core.verifyWith(fn, c.spki, message, c.signature), base);
  let i = 0;
  row(`${label} WASM, 16 keys in turn (no key table)`, () => {
    const k = cases[i++ % cases.length]!;
    return core.verifyWith(fn, k.spki, message, k.signature);
  }, base);
  row(`${label} @noble/curves (lowS: false)`, () => noble.verify(c.signature, message, c.point!, { lowS: false, format: 'der' }), base);
}

for (const [label, bits, padding] of [
  ['RSA-PSS-2048', 2048, constants.RSA_PKCS1_PSS_PADDING],
  ['RSA-PSS-4096', 4096, constants.RSA_PKCS1_PSS_PADDING],
  ['RSA-PKCS#1-2048', 2048, constants.RSA_PKCS1_PADDING],
] as const) {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const pss = padding === constants.RSA_PKCS1_PSS_PADDING;
  const signature = new Uint8Array(sign('sha256', message, { key: privateKey, padding, saltLength: 32 }));
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  const opts = { key: publicKey, padding, saltLength: constants.RSA_PSS_SALTLEN_AUTO };
  const fn = pss ? 'tk_rsa_pss_sha256_verify' : 'tk_rsa_pkcs1v15_sha256_verify';
  const base = row(`${label} node:crypto, cached KeyObject${pss ? ' (salt auto)' : ''}`, () => verify('sha256', message, opts, signature), 0);
  row(`${label} node:crypto, import DER SPKI per signature`, () => verify('sha256', message, { ...opts, key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }) }, signature), base);
  row(`${label} WASM`, () => core.verifyWith(fn, spki, message, signature), base);
}

table(['verify, 200-byte message', 'µs/op', 'ops/s', 'x node cached'], rows);
