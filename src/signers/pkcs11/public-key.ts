/**
 * Exporting a token's public key as DER SubjectPublicKeyInfo, from PKCS#11 attributes
 * (PKCS#11 v2.40 §2.3.3 EC, §2.1.2 RSA; v3.0 §2.3.5 Edwards):
 *
 * - EC: CKA_EC_PARAMS is the DER of the curve (an OID, RFC 5480 §2.1.1.1); CKA_EC_POINT is
 *   a DER OCTET STRING around the SEC1 uncompressed point `04‖X‖Y` (some older tokens give
 *   the bare point: both are accepted, told apart by length).
 * - Edwards: CKA_EC_PARAMS is the OID 1.3.101.112 or (SoftHSM 2.6, PKCS#11 v3.0 §2.3.5)
 *   the PrintableString "edwards25519"; CKA_EC_POINT is an OCTET STRING around the 32-byte
 *   public key (or the bare 32 bytes).
 * - RSA: CKA_MODULUS and CKA_PUBLIC_EXPONENT, big-endian (RFC 8017 §A.1.1 RSAPublicKey).
 *
 * The public key is read from the public-key object; tokens without one (or that hide it)
 * fall back to the private key's public attributes (RSA), then to a certificate with the
 * same CKA_ID (as PIV cards present keys).
 */
import { X509Certificate } from 'node:crypto';
import { KeyFormatError, KeyNotFoundError, UnsupportedAlgorithmError } from '../../errors.js';
import { DER_NULL, TAG, bitString, objectIdentifier, oidToString, readTlv, sequence, unsignedInteger } from '../der.js';
import { CKA, CKK, CKO } from './constants.js';
import type { Handle } from './module.js';
import { describeFilter, findObjects, listKeyObjects, readAttribute, readUlong, type KeyFilter } from './objects.js';
import type { Pkcs11Session } from './session.js';

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  prime256v1: '1.2.840.10045.3.1.7',
  secp384r1: '1.3.132.0.34',
  ed25519: '1.3.101.112',
  rsaEncryption: '1.2.840.113549.1.1.1',
} as const;

/** The curves tufkit signs with, by their CKA_EC_PARAMS meaning. */
export type TokenCurve = 'P-256' | 'P-384' | 'Ed25519';

const POINT_BYTES: Record<TokenCurve, number> = { 'P-256': 65, 'P-384': 97, Ed25519: 32 };

/** The curve CKA_EC_PARAMS names. @throws {@link UnsupportedAlgorithmError} for other curves. */
export function curveFromEcParams(params: Uint8Array): TokenCurve {
  const t = readTlv(params, 0, 'CKA_EC_PARAMS');
  if (t.tag === TAG.OID) {
    const oid = oidToString(t.content);
    if (oid === OID.prime256v1) return 'P-256';
    if (oid === OID.secp384r1) return 'P-384';
    if (oid === OID.ed25519) return 'Ed25519';
    throw new UnsupportedAlgorithmError(`CKA_EC_PARAMS: curve ${oid} is not one TUF signs with (P-256, P-384, Ed25519)`);
  }
  if (t.tag === TAG.PRINTABLE_STRING) {
    const name = Buffer.from(t.content).toString('latin1');
    if (name === 'edwards25519') return 'Ed25519';
    throw new UnsupportedAlgorithmError(`CKA_EC_PARAMS: curve ${JSON.stringify(name)} is not one TUF signs with`);
  }
  throw new KeyFormatError(`CKA_EC_PARAMS: expected an OID or a curve name, found DER tag 0x${t.tag.toString(16)}`);
}

/** The DER CKA_EC_PARAMS tufkit writes when generating a key on `curve`. */
export function ecParamsFor(curve: TokenCurve): Uint8Array {
  return objectIdentifier(curve === 'P-256' ? OID.prime256v1 : curve === 'P-384' ? OID.secp384r1 : OID.ed25519);
}

/** The point inside CKA_EC_POINT (unwrapping the OCTET STRING when present). */
export function unwrapEcPoint(value: Uint8Array, curve: TokenCurve): Uint8Array {
  const size = POINT_BYTES[curve];
  let point: Uint8Array;
  if (value.length === size && (curve === 'Ed25519' || value[0] === 0x04)) {
    point = value; // bare point (pre-v2.20 tokens)
  } else {
    const t = readTlv(value, 0, 'CKA_EC_POINT');
    if (t.tag !== TAG.OCTET_STRING || t.end !== value.length) throw new KeyFormatError('CKA_EC_POINT: expected a DER OCTET STRING around the point');
    point = t.content;
  }
  if (point.length !== size) {
    const hint = curve !== 'Ed25519' && (point[0] === 0x02 || point[0] === 0x03) ? ' (compressed points are not supported)' : '';
    throw new KeyFormatError(`CKA_EC_POINT: ${point.length}-byte point on ${curve}, expected ${size}${hint}`);
  }
  if (curve !== 'Ed25519' && point[0] !== 0x04) throw new KeyFormatError(`CKA_EC_POINT: not an uncompressed SEC1 point`);
  return point;
}

/** SubjectPublicKeyInfo of an EC or Edwards public key. */
export function ecSpki(curve: TokenCurve, point: Uint8Array): Uint8Array {
  if (curve === 'Ed25519') return sequence(sequence(objectIdentifier(OID.ed25519)), bitString(point)); // RFC 8410 §4
  return sequence(sequence(objectIdentifier(OID.ecPublicKey), objectIdentifier(curve === 'P-256' ? OID.prime256v1 : OID.secp384r1)), bitString(point));
}

/** SubjectPublicKeyInfo of an RSA public key (RFC 8017 §A.1.1, RFC 3279 §2.3.1). */
export function rsaSpki(modulus: Uint8Array, exponent: Uint8Array): Uint8Array {
  return sequence(sequence(objectIdentifier(OID.rsaEncryption), DER_NULL), bitString(sequence(unsignedInteger(modulus), unsignedInteger(exponent))));
}

/** The SPKI of key object `object` from its attributes, or undefined when it lacks them. */
export function spkiFromObject(session: Pkcs11Session, object: Handle): Uint8Array | undefined {
  const keyType = readUlong(session, object, CKA.KEY_TYPE);
  if (keyType === CKK.EC || keyType === CKK.EC_EDWARDS) {
    const params = readAttribute(session, object, CKA.EC_PARAMS);
    const point = readAttribute(session, object, CKA.EC_POINT);
    if (params === undefined || point === undefined) return undefined;
    const curve = curveFromEcParams(params);
    return ecSpki(curve, unwrapEcPoint(point, curve));
  }
  if (keyType === CKK.RSA) {
    const modulus = readAttribute(session, object, CKA.MODULUS);
    const exponent = readAttribute(session, object, CKA.PUBLIC_EXPONENT);
    if (modulus === undefined || exponent === undefined || modulus.length === 0 || exponent.length === 0) return undefined;
    return rsaSpki(modulus, exponent);
  }
  if (keyType === undefined) return undefined;
  throw new UnsupportedAlgorithmError(`${session.context}: key type CKK 0x${keyType.toString(16)} is not one TUF signs with`);
}

function spkiFromCertificate(session: Pkcs11Session, filter: KeyFilter): Uint8Array | undefined {
  if (filter.id === undefined) return undefined;
  for (const cert of findObjects(session, [
    { type: CKA.CLASS, value: CKO.CERTIFICATE },
    { type: CKA.ID, value: Buffer.from(filter.id) },
  ])) {
    const der = readAttribute(session, cert, CKA.VALUE);
    if (der === undefined) continue;
    try {
      return new Uint8Array(new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' }));
    } catch {
      // Not an X.509 certificate we can read; try the next one.
    }
  }
  return undefined;
}

/**
 * The SPKI of the key `filter` names: from its public-key object, else from the private
 * key's public attributes, else from a certificate with the same CKA_ID.
 * @throws {@link KeyNotFoundError} when none of them gives it.
 */
export function readPublicKeySpki(session: Pkcs11Session, filter: KeyFilter): Uint8Array {
  const publics = listKeyObjects(session, 'public', filter);
  if (publics.length > 1) {
    throw new KeyNotFoundError(`${session.context}: ${publics.length} public keys match ${describeFilter(filter)}; add object= or id= to choose one`);
  }
  if (publics.length === 1) {
    const spki = spkiFromObject(session, (publics[0] as { handle: Handle }).handle);
    if (spki !== undefined) return spki;
  }
  const privates = listKeyObjects(session, 'private', filter);
  if (privates.length > 1) {
    throw new KeyNotFoundError(`${session.context}: ${privates.length} private keys match ${describeFilter(filter)}; add object= or id= to choose one`);
  }
  if (privates.length === 1) {
    const spki = spkiFromObject(session, (privates[0] as { handle: Handle }).handle);
    if (spki !== undefined) return spki;
    const id = filter.id ?? privates[0]?.id;
    const fromCert = spkiFromCertificate(session, { ...filter, id });
    if (fromCert !== undefined) return fromCert;
  }
  const fromCert = spkiFromCertificate(session, filter);
  if (fromCert !== undefined) return fromCert;
  throw new KeyNotFoundError(
    `${session.context}: no public key for ${describeFilter(filter)} on the token` + (session.loggedIn ? '' : ' (without logging in; the PIN may be needed)'),
  );
}
