/**
 * Every Wycheproof vector for the TUF schemes through the node:crypto engine and through
 * the TUF-level verifier (keys as TUF metadata would list them).
 *
 * Expected: agreement with every `valid`/`invalid` verdict, except the documented
 * difference: RSA-PSS recovers the salt length from the encoding (securesystemslib's
 * PSS.AUTO; go-tuf signs with the maximum salt, python-tuf with 32), so the `invalid`
 * cases "s_len changed to N" are accepted — exactly 6 per mgf1_32 file and 4 in mgf1_0.
 */
import { expect, it } from 'vitest';
import { NodeEngine } from '../../src/verify/node-engine.js';
import { describeWithFixtures } from '../helpers/fixtures.js';
import { isSaltLengthChange, loadWycheproof, WYCHEPROOF_FILES } from '../helpers/wycheproof.js';

describeWithFixtures('Wycheproof through node:crypto', () => {
  const engine = new NodeEngine();
  for (const file of Object.keys(WYCHEPROOF_FILES)) {
    it(file, () => {
      const cases = loadWycheproof(file);
      // rsa_pss_misc: only its SHA-256/MGF1-SHA-256 groups, one case per salt length 0, 20, 28, 32, 48, 64.
      expect(cases.length).toBeGreaterThanOrEqual(file === 'rsa_pss_misc_test.json' ? 6 : 100);
      const answers = engine.verifyMany(cases.map((c) => c.item));
      const disagreements: string[] = [];
      const saltChanges: number[] = [];
      const acceptable: string[] = [];
      cases.forEach((c, i) => {
        const got = answers[i];
        if (c.result === 'acceptable') {
          acceptable.push(`tc${c.tcId} (${c.comment}): ${got ? 'accepted' : 'rejected'}`);
        } else if (isSaltLengthChange(c)) {
          expect(c.result).toBe('invalid');
          expect(got, `tc${c.tcId}`).toBe(true);
          saltChanges.push(c.tcId);
        } else if (got !== (c.result === 'valid')) {
          disagreements.push(`tc${c.tcId} ${c.comment} expected ${c.result} got ${got}`);
        }
      });
      expect(disagreements).toEqual([]);
      expect(saltChanges.length).toBe(file.includes('mgf1_32') ? 6 : file.includes('mgf1_0') ? 4 : 0);
      if (file.startsWith('rsa_signature_')) {
        // One `acceptable` case per file; record what we answer.
        expect(acceptable).toHaveLength(1);
        expect(acceptable[0]).toMatch(/rejected$/);
      } else {
        expect(acceptable).toEqual([]);
      }
    });
  }
});
