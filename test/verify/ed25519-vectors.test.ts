/**
 * Ed25519 of the WebAssembly core against the shared real-world vectors: RFC 8032 §7.1,
 * Wycheproof, ed25519-speccheck (12 edge cases, with node:crypto's answers next to ours) and
 * the 914 flagged ed25519-cctv vectors. The acceptance rules are in crypto-wasm/README.md;
 * every test here checks the single verifier, the batch verifier and the pure-JS engine
 * (NobleEngine, an independent implementation of the same rules).
 */
import { createPrivateKey, sign as nodeSign } from 'node:crypto';
import { expect, it } from 'vitest';
import { NobleEngine } from '../../src/verify/noble-engine.js';
import { NodeEngine } from '../../src/verify/node-engine.js';
import type { VerifyItem } from '../../src/verify/types.js';
import { WasmEngine } from '../../src/verify/wasm-engine.js';
import { wasmCoreSync } from '../../src/verify/wasm/load.js';
import { describeWithFixtures, readFixtureJson } from '../helpers/fixtures.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const item = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): VerifyItem => ({
  scheme: 'ed25519',
  publicKey,
  message,
  signature,
});

const wasm = new WasmEngine();
const noble = new NobleEngine();
const node = new NodeEngine();
const core = wasmCoreSync();

/** Our answer, asserting single, batch and noble agree: one V/X per item. */
function answers(items: VerifyItem[]): string {
  const single = items.map((i) => wasm.verify(i));
  expect(wasm.verifyMany(items), 'batch = map(single)').toEqual(single);
  expect(items.map((i) => noble.verify(i)), 'noble (same rules) = wasm').toEqual(single);
  return single.map((v) => (v ? 'V' : 'X')).join('');
}

describeWithFixtures('Ed25519: RFC 8032 §7.1 vectors', () => {
  interface Rfc { vectors: { name: string; secret_key: string; public_key: string; message: string; signature: string }[] }
  const rfc = readFixtureJson<Rfc>('rfc8032', 'ed25519_rfc8032_7.1.json');

  it('signs (node:crypto, from the seed) to the exact signature and verifies; one flipped bit fails', () => {
    expect(rfc.vectors.length).toBe(5);
    for (const v of rfc.vectors) {
      const pk = hex(v.public_key);
      const msg = hex(v.message);
      const sig = hex(v.signature);
      // Derive the key from the seed (PKCS#8 prefix for Ed25519) and sign: deterministic.
      const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(v.secret_key, 'hex')]);
      const signed = nodeSign(null, msg, createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }));
      expect(Buffer.from(signed).toString('hex'), v.name).toBe(v.signature);
      expect(answers([item(pk, msg, sig)]), v.name).toBe('V');
      const flips: VerifyItem[] = [];
      for (const where of ['sig', 'msg', 'key'] as const) {
        const s = sig.slice();
        const m = msg.slice();
        const k = pk.slice();
        if (where === 'sig') s[7] ^= 0x20;
        if (where === 'msg' && m.length > 0) m[m.length - 1] ^= 1;
        if (where === 'key') k[3] ^= 1;
        if (where === 'msg' && m.length === 0) continue;
        flips.push(item(k, m, s));
      }
      expect(answers(flips), `${v.name} flipped`).toMatch(/^X+$/);
    }
  });
});

describeWithFixtures('Ed25519: Wycheproof ed25519_test.json', () => {
  interface Wp { testGroups: { publicKey: { pk: string }; tests: { tcId: number; msg: string; sig: string; result: string; comment: string }[] }[] }
  const wp = readFixtureJson<Wp>('wycheproof', 'ed25519_test.json');

  it('agrees with every valid/invalid verdict (single, batch, noble)', () => {
    const items: VerifyItem[] = [];
    const expected: string[] = [];
    const ids: number[] = [];
    for (const g of wp.testGroups) {
      for (const t of g.tests) {
        items.push(item(hex(g.publicKey.pk), hex(t.msg), hex(t.sig)));
        expected.push(t.result === 'valid' ? 'V' : 'X');
        ids.push(t.tcId);
      }
    }
    expect(items.length).toBe(151);
    const got = answers(items);
    const mismatches = ids.filter((_, i) => got[i] !== expected[i]);
    expect(mismatches, 'tcIds where we disagree').toEqual([]);
  });
});

describeWithFixtures('Ed25519: ed25519-speccheck (12 edge cases)', () => {
  interface Case { message: string; pub_key: string; signature: string }
  interface Expected { measured_on_this_machine_2026_11_24: Record<string, string> }
  const cases = readFixtureJson<Case[]>('ed25519-speccheck', 'cases.json');
  const expected = readFixtureJson<Expected>('ed25519-speccheck', 'expected.json');
  const items = cases.map((c) => item(hex(c.pub_key), hex(c.message), hex(c.signature)));

  it('records our 12 answers next to node:crypto (OpenSSL) and explains each difference', () => {
    const ours = answers(items);
    const openssl = items.map((i) => (node.verify(i) ? 'V' : 'X')).join('');
    // node:crypto here, as measured by the fixture's author.
    expect(openssl).toBe('VVVVXXXXXXXV');
    expect(expected.measured_on_this_machine_2026_11_24['node:crypto (Node bundled OpenSSL 3.0.19)']).toBe(openssl);
    // Ours (crypto-wasm/README.md, "speccheck"):
    //  0-2: small-order A and/or R                  -> X (rule 4; OpenSSL accepts)
    //  3:   mixed-order A and R, residue cancels    -> V (as OpenSSL)
    //  4-5: torsion residue: cofactored V only      -> V (rule 5 is cofactored; OpenSSL is cofactorless)
    //  6-7: S >= L                                   -> X (rule 2, as OpenSSL)
    //  8-9: non-canonical R                          -> X (rule 3, as OpenSSL)
    //  10-11: non-canonical A                        -> X (rule 3; OpenSSL accepts 11, whose k hashes the given bytes)
    expect(ours).toBe('XXXVVVXXXXXX');
  });

  it('names the rule that rejects each case', () => {
    const reasons = items.map((i) => core.ed25519Check(i.publicKey, i.message, i.signature));
    expect(reasons).toEqual([
      'small-order A',
      'small-order A',
      'small-order R',
      'accepted',
      'accepted',
      'accepted',
      'S >= L',
      'S >= L',
      'invalid R',
      'invalid R',
      'invalid A',
      'invalid A',
    ]);
  });
});

describeWithFixtures('Ed25519: ed25519-cctv (914 flagged vectors)', () => {
  interface Vec { number: number; key: string; sig: string; msg: string; flags: string[] | null }
  const vectors = readFixtureJson<Vec[]>('ed25519-cctv', 'ed25519vectors.json');
  /** Our rule in the vectors' terms: reject exactly these flags. */
  const REJECTED_FLAGS = ['low_order_A', 'low_order_R', 'non_canonical_A', 'non_canonical_R'];

  it('accepts exactly the vectors flagged none of low_order_A/R, non_canonical_A/R (all 914)', () => {
    expect(vectors.length).toBe(914);
    const items = vectors.map((v) => item(hex(v.key), new TextEncoder().encode(v.msg), hex(v.sig)));
    const got = answers(items);
    const wrong: number[] = [];
    let accepted = 0;
    vectors.forEach((v, i) => {
      const flags = v.flags ?? [];
      const expectV = !flags.some((f) => REJECTED_FLAGS.includes(f));
      if (expectV) accepted++;
      if ((got[i] === 'V') !== expectV) wrong.push(v.number);
    });
    expect(wrong).toEqual([]);
    expect(accepted).toBe(106);
    // node:crypto's rule (the "ref10 rule"): reject non_canonical_R and low_order_residue.
    const nodeGot = items.map((i) => node.verify(i));
    vectors.forEach((v, i) => {
      const flags = v.flags ?? [];
      expect(nodeGot[i], `node #${v.number}`).toBe(!flags.includes('non_canonical_R') && !flags.includes('low_order_residue'));
    });
  });
});
