/**
 * RSASSA-PSS-SHA256 (salt length recovered) and RSASSA-PKCS1-v1_5-SHA256 in the real
 * WebAssembly core against every Wycheproof vector for them, cross-checked with
 * node:crypto on the same inputs.
 *
 * Expected: agreement with every `valid`/`invalid` verdict except the documented
 * difference: the salt length is recovered from the encoding (securesystemslib PSS.AUTO,
 * OpenSSL RSA_PSS_SALTLEN_AUTO), so the `invalid` cases "s_len changed to N" verify:
 * 6 per mgf1_32 file, 4 in mgf1_0. The one `acceptable` case of each rsa_signature file is
 * answered as node:crypto answers it (rejected).
 */
import { expect, it } from 'vitest';
import { NodeEngine } from '../../src/verify/node-engine.js';
import { wasmCoreSync } from '../../src/verify/wasm/load.js';
import { describeWithFixtures } from '../helpers/fixtures.js';
import { isSaltLengthChange, loadWycheproof } from '../helpers/wycheproof.js';

const FN: Record<string, string> = {
  'rsassa-pss-sha256': 'tk_rsa_pss_sha256_verify',
  'rsa-pkcs1v15-sha256': 'tk_rsa_pkcs1v15_sha256_verify',
};

const FILES = [
  'rsa_pss_2048_sha256_mgf1_32_test.json',
  'rsa_pss_3072_sha256_mgf1_32_test.json',
  'rsa_pss_4096_sha256_mgf1_32_test.json',
  'rsa_pss_2048_sha256_mgf1_0_test.json',
  'rsa_pss_misc_test.json',
  'rsa_signature_2048_sha256_test.json',
  'rsa_signature_3072_sha256_test.json',
  'rsa_signature_4096_sha256_test.json',
];

describeWithFixtures('RSA in the WASM core: Wycheproof', () => {
  for (const file of FILES) {
    it(`${file}: valid verify, invalid do not (but s_len changes), as node:crypto`, () => {
      const core = wasmCoreSync();
      const node = new NodeEngine();
      const cases = loadWycheproof(file);
      expect(cases.length).toBeGreaterThanOrEqual(file === 'rsa_pss_misc_test.json' ? 6 : 100);
      const wrong: string[] = [];
      const saltChanges: number[] = [];
      const acceptable: string[] = [];
      for (const c of cases) {
        const { publicKey, message, signature, scheme } = c.item;
        const got = core.verifyWith(FN[scheme] as string, publicKey, message, signature);
        const ref = node.verify(c.item);
        if (got !== ref) wrong.push(`tc${c.tcId} ${c.comment}: wasm ${got}, node:crypto ${ref}`);
        if (c.result === 'acceptable') acceptable.push(`tc${c.tcId} (${c.comment}): ${got ? 'accepted' : 'rejected'}`);
        else if (isSaltLengthChange(c)) {
          if (got) saltChanges.push(c.tcId);
          else wrong.push(`tc${c.tcId} ${c.comment}: salt length not recovered`);
        } else if (got !== (c.result === 'valid')) wrong.push(`tc${c.tcId} ${c.comment} [${c.result}]: wasm ${got}`);
      }
      expect(wrong).toEqual([]);
      expect(saltChanges.length).toBe(file.includes('mgf1_32') ? 6 : file.includes('mgf1_0') ? 4 : 0);
      if (file.startsWith('rsa_signature_')) {
        expect(acceptable).toHaveLength(1);
        expect(acceptable[0]).toMatch(/rejected$/);
      } else {
        expect(acceptable).toEqual([]);
      }
    });
  }
});
