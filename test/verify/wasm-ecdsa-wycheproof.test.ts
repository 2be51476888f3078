/**
 * ECDSA P-256/SHA-256 and P-384/SHA-384 in the real WebAssembly core against every
 * Wycheproof vector (DER and IEEE P1363 files; P1363 r‖s converted to DER as our PKCS#11
 * signers do), cross-checked with node:crypto on the same inputs: every `valid` verifies,
 * every `invalid` does not, and there is no `acceptable` case in these files.
 */
import { expect, it } from 'vitest';
import { NodeEngine } from '../../src/verify/node-engine.js';
import { wasmCoreSync } from '../../src/verify/wasm/load.js';
import { describeWithFixtures } from '../helpers/fixtures.js';
import { loadWycheproof } from '../helpers/wycheproof.js';

const FN: Record<string, string> = {
  'ecdsa-sha2-nistp256': 'tk_ecdsa_p256_sha256_verify',
  'ecdsa-sha2-nistp384': 'tk_ecdsa_p384_sha384_verify',
};

const FILES = [
  'ecdsa_secp256r1_sha256_test.json',
  'ecdsa_secp256r1_sha256_p1363_test.json',
  'ecdsa_secp384r1_sha384_test.json',
  'ecdsa_secp384r1_sha384_p1363_test.json',
];

describeWithFixtures('ECDSA in the WASM core: Wycheproof', () => {
  for (const file of FILES) {
    it(`${file}: every valid verifies, every invalid does not, as node:crypto`, () => {
      const core = wasmCoreSync();
      const node = new NodeEngine();
      const cases = loadWycheproof(file);
      expect(cases.length).toBeGreaterThan(250);
      const wrong: string[] = [];
      for (const c of cases) {
        const { publicKey, message, signature, scheme } = c.item;
        const got = core.verifyWith(FN[scheme] as string, publicKey, message, signature);
        const ref = node.verify(c.item);
        if (c.result === 'acceptable') wrong.push(`tc${c.tcId} ${c.comment}: unexpected acceptable case`);
        else if (got !== (c.result === 'valid')) wrong.push(`tc${c.tcId} ${c.comment} [${c.result}]: wasm ${got}`);
        if (got !== ref) wrong.push(`tc${c.tcId} ${c.comment}: wasm ${got}, node:crypto ${ref}`);
      }
      expect(wrong).toEqual([]);
    });
  }
});
