/**
 * Wycheproof vectors (../shared/fixtures/wycheproof) as engine input: every test case of a
 * file becomes a {@link VerifyItem} for the TUF scheme it exercises, with its expected result.
 * Shared by the tests of every engine (node:crypto, WASM, noble).
 */
import type { VerifyItem } from '../../src/verify/types.js';
import { readFixtureJson } from './fixtures.js';

/** One Wycheproof test case, ready for an engine. */
export interface WycheproofCase {
  readonly file: string;
  readonly tcId: number;
  readonly comment: string;
  readonly flags: readonly string[];
  readonly result: 'valid' | 'invalid' | 'acceptable';
  readonly item: VerifyItem;
}

interface Group {
  publicKeyDer?: string;
  publicKey?: { pk?: string };
  sha?: string;
  mgfSha?: string;
  tests: { tcId: number; comment: string; flags?: string[]; msg: string; sig: string; result: WycheproofCase['result'] }[];
}

/** The TUF scheme each file exercises. */
export const WYCHEPROOF_FILES: Readonly<Record<string, string>> = {
  'ed25519_test.json': 'ed25519',
  'ecdsa_secp256r1_sha256_test.json': 'ecdsa-sha2-nistp256',
  'ecdsa_secp256r1_sha256_p1363_test.json': 'ecdsa-sha2-nistp256',
  'ecdsa_secp384r1_sha384_test.json': 'ecdsa-sha2-nistp384',
  'ecdsa_secp384r1_sha384_p1363_test.json': 'ecdsa-sha2-nistp384',
  'rsa_pss_2048_sha256_mgf1_32_test.json': 'rsassa-pss-sha256',
  'rsa_pss_3072_sha256_mgf1_32_test.json': 'rsassa-pss-sha256',
  'rsa_pss_4096_sha256_mgf1_32_test.json': 'rsassa-pss-sha256',
  'rsa_pss_2048_sha256_mgf1_0_test.json': 'rsassa-pss-sha256',
  'rsa_pss_misc_test.json': 'rsassa-pss-sha256',
  'rsa_signature_2048_sha256_test.json': 'rsa-pkcs1v15-sha256',
  'rsa_signature_3072_sha256_test.json': 'rsa-pkcs1v15-sha256',
  'rsa_signature_4096_sha256_test.json': 'rsa-pkcs1v15-sha256',
};

const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

/**
 * Load a Wycheproof file's cases. For `rsa_pss_misc_test.json` only the groups TUF can use
 * (SHA-256 with MGF1-SHA-256) are returned. P1363 (raw r‖s) signatures are converted to
 * the DER that TUF stores, as tufkit's PKCS#11 signers do; a raw signature of the wrong
 * length has no DER form and is returned as an empty signature (must be rejected).
 */
export function loadWycheproof(file: string): WycheproofCase[] {
  const scheme = WYCHEPROOF_FILES[file];
  if (scheme === undefined) throw new Error(`unknown Wycheproof file ${file}`);
  const doc = readFixtureJson<{ testGroups: Group[] }>('wycheproof', file);
  const p1363 = file.includes('p1363');
  const cases: WycheproofCase[] = [];
  for (const group of doc.testGroups) {
    if (file === 'rsa_pss_misc_test.json' && (group.sha !== 'SHA-256' || group.mgfSha !== 'SHA-256')) continue;
    const publicKey = scheme === 'ed25519' ? hex(group.publicKey?.pk ?? '') : hex(group.publicKeyDer ?? '');
    for (const t of group.tests) {
      const sig = hex(t.sig);
      const signature = p1363 ? rawToDer(sig, scheme === 'ecdsa-sha2-nistp256' ? 32 : 48) : sig;
      cases.push({
        file,
        tcId: t.tcId,
        comment: t.comment,
        flags: t.flags ?? [],
        result: t.result,
        item: { scheme, publicKey, message: hex(t.msg), signature },
      });
    }
  }
  return cases;
}

/** r‖s (each `size` bytes) → DER SEQUENCE { INTEGER r, INTEGER s }; wrong length → empty. */
export function rawToDer(raw: Uint8Array, size: number): Uint8Array {
  if (raw.length !== 2 * size) return new Uint8Array(0);
  const int = (b: Uint8Array) => {
    let i = 0;
    while (i < b.length - 1 && b[i] === 0) i++;
    const body = b[i]! & 0x80 ? Buffer.concat([Buffer.from([0]), b.subarray(i)]) : Buffer.from(b.subarray(i));
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const seq = Buffer.concat([int(raw.subarray(0, size)), int(raw.subarray(size))]);
  const len = seq.length < 128 ? Buffer.from([seq.length]) : Buffer.from([0x81, seq.length]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x30]), len, seq]));
}

/** True for the cases where a salt-length-recovering PSS verifier intentionally answers `valid`. */
export function isSaltLengthChange(c: WycheproofCase): boolean {
  return c.item.scheme === 'rsassa-pss-sha256' && /^s_len changed to \d+$/.test(c.comment);
}
