/**
 * BatchVerifier: threshold verification recorded, answered in one verifyMany call, replayed;
 * a replayed check that is not the very same check is verified afresh.
 */
import { describe, expect, it } from 'vitest';
import { Metadata, Targets, getDefaultVerifier, type SignatureCheck, type Verifier } from '../../src/index.js';
import { BatchVerifier } from '../../src/client/batch-verifier.js';
import { TestSigner } from './harness/signer.js';

function counting(): { verifier: Verifier; batches: number[]; singles: number } {
  const inner = getDefaultVerifier();
  const state = { batches: [] as number[], singles: 0, verifier: undefined as unknown as Verifier };
  state.verifier = {
    verify: (k, m, s) => {
      state.singles++;
      return inner.verify(k, m, s);
    },
    verifyMany: (checks: readonly SignatureCheck[]) => {
      state.batches.push(checks.length);
      return inner.verifyMany(checks);
    },
    explainKey: (k) => inner.explainKey(k),
  };
  return state;
}

describe('BatchVerifier', () => {
  it('answers several verifications with one verifyMany, with the same results as direct verification', async () => {
    const signers = [TestSigner.generate(), TestSigner.generate(), TestSigner.generate()];
    const mds = await Promise.all(
      signers.map(async (s, i) => {
        const md = new Metadata(new Targets({ version: i + 1 }));
        await md.sign(i === 1 ? TestSigner.generate() : s); // the second is signed by a stranger
        return md;
      }),
    );
    const c = counting();
    const batch = new BatchVerifier(c.verifier);
    const runs = mds.map((md, i) => {
      const payload = md.signedBytes();
      return batch.record(() => [...md.signatures.values()].some((sig) => signers[i]!.publicKey.verifySignature(sig, payload, batch.verifier)));
    });
    expect(c.batches).toEqual([]);
    batch.flush();
    expect(c.batches).toEqual([3]);
    expect(runs.map((r) => r())).toEqual([true, false, true]);
    expect(c.batches).toEqual([3]);
    expect(c.singles).toBe(0);
  });

  it('never hands a recorded answer to a different check', async () => {
    const s = TestSigner.generate();
    const good = new Uint8Array(Buffer.from('message'));
    const sig = (await s.sign(good)).bytes()!;
    const c = counting();
    const batch = new BatchVerifier(c.verifier);
    let message = good;
    const run = batch.record(() => batch.verifier.verify(s.publicKey, message, sig));
    batch.flush();
    expect(run()).toBe(true);
    message = new Uint8Array(Buffer.from('another message')); // same shape, other question
    expect(run()).toBe(false);
    expect(c.singles).toBe(1);
  });
});
