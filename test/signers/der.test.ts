/**
 * The DER pieces signers rely on, checked against node:crypto (OpenSSL) as the oracle, and
 * tufkit's PKCS#11 constants against pkcs11js's where it has them.
 */
import { generateKeyPairSync, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyFormatError } from '../../src/errors.js';
import { ecdsaRawToDer, objectIdentifier, oidToString, readTlv, unsignedInteger } from '../../src/signers/der.js';
import { CKA, CKF_TOKEN, CKK, CKM, CKO, CKR, CKU } from '../../src/signers/pkcs11/constants.js';
import { curveFromEcParams, ecSpki, rsaSpki, unwrapEcPoint } from '../../src/signers/pkcs11/public-key.js';
import { pinTriesNote } from '../../src/signers/pkcs11/session.js';

describe('ECDSA raw r||s → DER (RFC 3279 §2.2.3)', () => {
  for (const [curve, hash] of [
    ['prime256v1', 'sha256'],
    ['secp384r1', 'sha384'],
  ] as const) {
    it(`matches what OpenSSL accepts, ${curve}`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (msg) => {
          const raw = cryptoSign(hash, msg, { key: privateKey, dsaEncoding: 'ieee-p1363' });
          const der = ecdsaRawToDer(raw);
          // node's own DER signature of the same (r, s) would be byte-identical: check via verify
          return cryptoVerify(hash, msg, { key: publicKey, dsaEncoding: 'der' }, der);
        }),
        { numRuns: 60 },
      );
    });
  }

  it('encodes small and high-bit halves minimally', () => {
    const half = (first: number) => Uint8Array.from({ length: 32 }, (_, i) => (i === 0 ? first : i === 31 ? 7 : 0));
    // r = 0x80.. needs a 0x00 pad; s with leading zeros is shortened
    const raw = new Uint8Array([...half(0x80), ...new Uint8Array(31), 5]);
    expect(Buffer.from(ecdsaRawToDer(raw)).toString('hex')).toBe('3026' + '022100' + Buffer.from(half(0x80)).toString('hex') + '020105');
    expect(() => ecdsaRawToDer(new Uint8Array(63))).toThrow(KeyFormatError);
  });

  it('unsignedInteger keeps zero as one byte', () => {
    expect(Buffer.from(unsignedInteger(new Uint8Array(4))).toString('hex')).toBe('020100');
  });
});

describe('DER reading is strict', () => {
  it('refuses indefinite, non-minimal and overlong lengths', () => {
    expect(() => readTlv(Uint8Array.of(0x04, 0x80, 0, 0))).toThrow(/indefinite/);
    expect(() => readTlv(Uint8Array.of(0x04, 0x81, 0x05, 1, 2, 3, 4, 5))).toThrow(/non-minimal/);
    expect(() => readTlv(Uint8Array.of(0x04, 0x05, 1, 2))).toThrow(/runs past the end/);
    expect(() => readTlv(Uint8Array.of(0x04))).toThrow(/truncated/);
  });

  it('OIDs round-trip', () => {
    for (const oid of ['1.2.840.10045.3.1.7', '1.3.132.0.34', '1.3.101.112', '1.2.840.113549.1.1.1', '2.999.1']) {
      const der = objectIdentifier(oid);
      expect(oidToString(readTlv(der).content)).toBe(oid);
    }
  });
});

describe('PKCS#11 public key attributes → SubjectPublicKeyInfo', () => {
  it('EC points: wrapped in an OCTET STRING (v2.20+) or bare; SPKI equals OpenSSL’s', () => {
    for (const [curve, name] of [
      ['prime256v1', 'P-256'],
      ['secp384r1', 'P-384'],
    ] as const) {
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: curve });
      const spki = publicKey.export({ format: 'der', type: 'spki' });
      const point = new Uint8Array(spki.subarray(spki.length - (name === 'P-256' ? 65 : 97)));
      const wrapped = Uint8Array.of(0x04, point.length, ...point);
      expect(Buffer.from(ecSpki(name, unwrapEcPoint(wrapped, name))).equals(spki)).toBe(true);
      expect(Buffer.from(ecSpki(name, unwrapEcPoint(point, name))).equals(spki)).toBe(true);
    }
  });

  it('Ed25519 and RSA SPKI equal OpenSSL’s', () => {
    const ed = generateKeyPairSync('ed25519').publicKey;
    const edSpki = ed.export({ format: 'der', type: 'spki' });
    const raw = Buffer.from(String(ed.export({ format: 'jwk' }).x), 'base64url');
    expect(Buffer.from(ecSpki('Ed25519', unwrapEcPoint(Uint8Array.of(0x04, 0x20, ...raw), 'Ed25519'))).equals(edSpki)).toBe(true);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
    const jwk = rsa.export({ format: 'jwk' });
    const spki = rsaSpki(Buffer.from(String(jwk.n), 'base64url'), Buffer.from(String(jwk.e), 'base64url'));
    expect(Buffer.from(spki).equals(rsa.export({ format: 'der', type: 'spki' }))).toBe(true);
  });

  it('CKA_EC_PARAMS: OIDs and SoftHSM’s PrintableString "edwards25519"; other curves refused', () => {
    expect(curveFromEcParams(Buffer.from('06082a8648ce3d030107', 'hex'))).toBe('P-256');
    expect(curveFromEcParams(Buffer.from('06052b81040022', 'hex'))).toBe('P-384');
    expect(curveFromEcParams(Buffer.from('06032b6570', 'hex'))).toBe('Ed25519');
    expect(curveFromEcParams(Buffer.from('130c656477617264733235353139', 'hex'))).toBe('Ed25519');
    expect(() => curveFromEcParams(Buffer.from('06052b81040023', 'hex'))).toThrow(/1.3.132.0.35 is not one TUF signs with/);
    expect(() => unwrapEcPoint(Uint8Array.of(0x04, 0x21, 0x02, ...new Uint8Array(32)), 'P-256')).toThrow(/compressed points are not supported/);
  });
});

describe('PKCS#11 constants', () => {
  it('agree with pkcs11js wherever pkcs11js defines them', () => {
    const js = createRequire(import.meta.url)('pkcs11js') as Record<string, unknown>;
    let compared = 0;
    const tables: Array<[string, Record<string, number>]> = [
      ['CKA_', CKA],
      ['CKK_', CKK],
      ['CKM_', CKM],
      ['CKO_', CKO],
      ['CKR_', CKR],
      ['CKU_', CKU],
      ['CKF_', CKF_TOKEN],
    ];
    for (const [prefix, table] of tables) {
      for (const [name, value] of Object.entries(table)) {
        const theirs = js[prefix + name];
        if (typeof theirs === 'number') {
          expect(value, prefix + name).toBe(theirs);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
  });
});

describe('what the token flags say about PIN tries (PKCS#11 v2.40 §3.2 CK_TOKEN_INFO flags)', () => {
  it('maps COUNT_LOW, FINAL_TRY for the user and the SO', () => {
    expect(pinTriesNote(0, 'user')).toEqual({ remaining: 'unknown' });
    expect(pinTriesNote(CKF_TOKEN.USER_PIN_COUNT_LOW, 'user')).toMatchObject({ remaining: 'low' });
    expect(pinTriesNote(CKF_TOKEN.USER_PIN_COUNT_LOW | CKF_TOKEN.USER_PIN_FINAL_TRY, 'user')).toMatchObject({ remaining: 'final', text: 'one try left before the PIN is locked' });
    expect(pinTriesNote(CKF_TOKEN.USER_PIN_FINAL_TRY, 'so')).toEqual({ remaining: 'unknown' });
    expect(pinTriesNote(CKF_TOKEN.SO_PIN_FINAL_TRY, 'so')).toMatchObject({ remaining: 'final' });
  });
});
