/**
 * The WebAssembly Ed25519 verifier against node:crypto and @noble/curves on random inputs,
 * the batch = map(single) invariant (with invalid and adversarial torsion items at random
 * positions), and bad input that must give `false` or a typed error, never a trap.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CryptoCoreError } from '../../src/errors.js';
import { NobleEngine } from '../../src/verify/noble-engine.js';
import { NodeEngine } from '../../src/verify/node-engine.js';
import type { VerifyItem } from '../../src/verify/types.js';
import { WasmEngine } from '../../src/verify/wasm-engine.js';
import { packEd25519Batch } from '../../src/verify/wasm/ed25519-batch.js';
import { wasmCoreSync } from '../../src/verify/wasm/load.js';
import {
  SMALL_ORDER_HEX,
  TORSION,
  edItem,
  flipBit,
  makeKey,
  signWithTorsionKey,
  signWithTorsionR,
  withSPlusL,
  type TestKey,
} from './ed25519-helpers.js';

const wasm = new WasmEngine();
const node = new NodeEngine();
const noble = new NobleEngine();
const core = wasmCoreSync();

const keys: TestKey[] = Array.from({ length: 8 }, () => makeKey());

function randomMessage(): Uint8Array {
  const r = Math.random();
  // Empty, short, around the SHA-512 block, and long (host-prehashed: ≥ 2048 bytes).
  const len = r < 0.1 ? 0 : r < 0.6 ? Math.floor(Math.random() * 300) : r < 0.9 ? 100 + Math.floor(Math.random() * 200) : 2048 + Math.floor(Math.random() * 20000);
  return new Uint8Array(randomBytes(len));
}

describe('Ed25519 differential: WASM vs node:crypto vs @noble/curves on random inputs', () => {
  it('all three accept valid signatures and reject bit flips, wrong keys and truncations', () => {
    const items: VerifyItem[] = [];
    const expectValid: boolean[] = [];
    for (let i = 0; i < 120; i++) {
      const key = keys[i % keys.length]!;
      const msg = randomMessage();
      const sig = key.sign(msg);
      items.push(edItem(key.publicKey, msg, sig));
      expectValid.push(true);
      const bad: VerifyItem[] = [
        edItem(key.publicKey, msg, flipBit(sig, Math.floor(Math.random() * 512))),
        edItem(flipBit(key.publicKey, Math.floor(Math.random() * 256)), msg, sig),
        edItem(keys[(i + 1) % keys.length]!.publicKey, msg, sig),
        edItem(key.publicKey, msg, sig.subarray(0, 63)),
        edItem(key.publicKey.subarray(0, 31), msg, sig),
        edItem(key.publicKey, new Uint8Array([...msg, 0]), sig),
      ];
      if (msg.length > 0) bad.push(edItem(key.publicKey, flipBit(msg, Math.floor(Math.random() * msg.length * 8)), sig));
      for (const b of bad) {
        items.push(b);
        expectValid.push(false);
      }
    }
    const ours = items.map((i) => wasm.verify(i));
    expect(ours).toEqual(expectValid);
    expect(items.map((i) => node.verify(i))).toEqual(expectValid);
    expect(items.map((i) => noble.verify(i))).toEqual(expectValid);
    expect(wasm.verifyMany(items)).toEqual(expectValid);
  });

  it('agrees with noble (same rules) on adversarial torsion signatures, and with node except where the rules differ', () => {
    const key = keys[0]!;
    for (let t = 1; t < 8; t++) {
      const msg = randomMessage();
      // Residue −T: cofactored-valid, cofactorless-invalid (unless R is small: rejected).
      const viaR = edItem(key.publicKey, msg, signWithTorsionR(key, msg, TORSION[t]!));
      expect(wasm.verify(viaR), `torsion R ${t}`).toBe(true);
      expect(noble.verify(viaR)).toBe(true);
      expect(node.verify(viaR), 'OpenSSL is cofactorless').toBe(false);
      // Mixed-order key: cofactored-valid.
      const mixed = signWithTorsionKey(key, msg, TORSION[t]!);
      const viaA = edItem(mixed.publicKey, msg, mixed.signature);
      expect(wasm.verify(viaA), `torsion A ${t}`).toBe(true);
      expect(noble.verify(viaA)).toBe(true);
    }
    // Small-order keys and R: rejected by us (rule 4), by noble strict too.
    for (const h of SMALL_ORDER_HEX) {
      const small = new Uint8Array(Buffer.from(h, 'hex'));
      const msg = randomMessage();
      const sig = key.sign(msg);
      const r = new Uint8Array([...small, ...sig.subarray(32)]);
      for (const it of [edItem(small, msg, sig), edItem(key.publicKey, msg, r)]) {
        expect(wasm.verify(it)).toBe(false);
        expect(noble.verify(it)).toBe(false);
      }
    }
  });
});

/** An arbitrary item: valid, or broken in one of many ways, or adversarial. */
function arbitraryItem(seed: number, key: TestKey): VerifyItem {
  const msg = new Uint8Array(randomBytes(seed % 7 === 0 ? 0 : 20 + (seed % 90)));
  const sig = key.sign(msg);
  switch (seed % 12) {
    case 0:
      return edItem(key.publicKey, msg, flipBit(sig, seed % 512));
    case 1:
      return edItem(key.publicKey, msg, withSPlusL(sig));
    case 2:
      return edItem(key.publicKey, msg, signWithTorsionR(key, msg, TORSION[1 + (seed % 7)]!));
    case 3: {
      const m = signWithTorsionKey(key, msg, TORSION[1 + (seed % 7)]!);
      return edItem(m.publicKey, msg, m.signature);
    }
    case 4:
      return edItem(new Uint8Array(Buffer.from(SMALL_ORDER_HEX[seed % 8]!, 'hex')), msg, sig);
    case 5:
      return edItem(new Uint8Array(randomBytes(32)), msg, sig);
    case 6:
      return edItem(key.publicKey, msg, new Uint8Array(randomBytes(64)));
    case 7:
      return edItem(key.publicKey, msg, sig.subarray(0, seed % 64));
    default:
      return edItem(key.publicKey, msg, sig);
  }
}

describe('Ed25519 batch = map(single)', () => {
  it('holds for random batches with invalid and torsion items at random positions (fast-check)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 1_000_000 }), { minLength: 0, maxLength: 90 }),
        fc.boolean(),
        (seeds, shared) => {
          const items = seeds.map((s, i) => arbitraryItem(s, shared ? keys[0]! : keys[i % keys.length]!));
          const single = items.map((i) => wasm.verify(i));
          expect(wasm.verifyMany(items)).toEqual(single);
          expect(items.map((i) => noble.verify(i))).toEqual(single);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('holds for a large batch (Pippenger path) with a few bad items, shared and distinct keys', () => {
    for (const shared of [true, false]) {
      const items: VerifyItem[] = [];
      for (let i = 0; i < 700; i++) {
        const key = shared ? keys[0]! : keys[i % keys.length]!;
        const msg = new Uint8Array(randomBytes(64));
        items.push(edItem(key.publicKey, msg, key.sign(msg)));
      }
      const badAt = [3, 250, 251, 699];
      for (const i of badAt) items[i] = edItem(items[i]!.publicKey, items[i]!.message, flipBit(items[i]!.signature, 300));
      items[400] = arbitraryItem(2, keys[0]!); // torsion residue: valid
      const got = wasm.verifyMany(items);
      const single = items.map((i) => wasm.verify(i));
      expect(got).toEqual(single);
      expect(got.filter((v) => !v).length).toBe(4);
    }
  });

  it('the same message object signed by several keys is packed once', () => {
    const msg = new Uint8Array(randomBytes(1000));
    const items = keys.map((k) => edItem(k.publicKey, msg, k.sign(msg)));
    const packed = packEd25519Batch(items);
    expect(packed.bytes.length - packed.tableLen).toBe(1000);
    expect(wasm.verifyMany(items)).toEqual(items.map(() => true));
  });
});

describe('Ed25519 bad input: false or a typed error, never a trap', () => {
  it('wrong lengths, garbage keys and signatures, unknown schemes give false', () => {
    const key = keys[0]!;
    const msg = new Uint8Array([1, 2, 3]);
    const sig = key.sign(msg);
    const bad: VerifyItem[] = [
      edItem(new Uint8Array(0), msg, sig),
      edItem(key.publicKey, msg, new Uint8Array(0)),
      edItem(new Uint8Array(33), msg, sig),
      edItem(key.publicKey, msg, new Uint8Array(65)),
      edItem(new Uint8Array(32).fill(0xff), msg, sig),
      edItem(key.publicKey, msg, new Uint8Array(64).fill(0xff)),
      { scheme: 'ed448', publicKey: key.publicKey, message: msg, signature: sig },
      { scheme: '', publicKey: key.publicKey, message: msg, signature: sig },
    ];
    expect(bad.map((i) => wasm.verify(i))).toEqual(bad.map(() => false));
    expect(wasm.verifyMany(bad)).toEqual(bad.map(() => false));
    expect(wasm.verifyMany([])).toEqual([]);
  });

  it('a 1,000,000-item batch answers per item (and the instance keeps working)', () => {
    const key = keys[0]!;
    const msg = new Uint8Array([7, 7, 7]);
    const good = edItem(key.publicKey, msg, key.sign(msg));
    const badS = edItem(key.publicKey, msg, withSPlusL(good.signature));
    const short = edItem(key.publicKey, msg, good.signature.subarray(0, 10));
    const items: VerifyItem[] = new Array<VerifyItem>(1_000_000);
    for (let i = 0; i < items.length; i++) items[i] = i % 997 === 0 ? good : i % 2 === 0 ? badS : short;
    const got = wasm.verifyMany(items);
    expect(got.length).toBe(1_000_000);
    let wrong = 0;
    for (let i = 0; i < items.length; i++) if (got[i] !== (i % 997 === 0)) wrong++;
    expect(wrong).toBe(0);
    expect(wasm.verify(good)).toBe(true);
  });

  it('an inconsistent batch table is a CryptoCoreError (TK_ERR_FORMAT), not a trap', () => {
    const key = keys[0]!;
    const msg = new Uint8Array(10);
    const packed = packEd25519Batch([edItem(key.publicKey, msg, key.sign(msg))]);
    new DataView(packed.bytes.buffer).setUint32(96, 1 << 30, true); // message offset far outside data
    let err: unknown;
    try {
      core.runPackedBatch(packed);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CryptoCoreError);
    expect((err as CryptoCoreError).code).toBe(-4);
    // Ranges outside linear memory: TK_ERR_RANGE.
    const f = core.fn('tk_ed25519_verify');
    expect(f(0x7fff_fff0, 32, 0, 0, 0, 64)).toBe(-1);
    expect(f(16, 32, 0, 0x7fff_ffff, 64, 64)).toBe(-1);
    // Still fine afterwards.
    expect(wasm.verify(edItem(key.publicKey, msg, key.sign(msg)))).toBe(true);
  });
});
