/**
 * A PIV slot's PIN and touch policies, read from the slot's attestation certificate.
 *
 * YubiKeys (firmware ≥ 4.3) attest keys generated on the device with a certificate that
 * carries Yubico's extension 1.3.6.1.4.1.41482.3.8: two bytes, the PIN policy (1 never,
 * 2 once, 3 always) and the touch policy (1 never, 2 always, 3 cached). ykcs11 presents the
 * attestation as certificate object "X.509 Certificate for PIV Attestation 9c" (per slot).
 * The certificate is used only if it attests the very key the signer uses.
 */
import { X509Certificate } from 'node:crypto';
import { TAG, oidToString, readElements, readTlv } from '../der.js';
import { CKA, CKO } from '../pkcs11/constants.js';
import { findObjects, readAttribute } from '../pkcs11/objects.js';
import type { Pkcs11Session } from '../pkcs11/session.js';

/** Yubico's PIN/touch policy extension. */
export const YUBICO_POLICY_OID = '1.3.6.1.4.1.41482.3.8';

/** A slot's touch policy; `unknown` when it cannot be read. */
export type TouchPolicy = 'never' | 'always' | 'cached' | 'unknown';
/** A slot's PIN policy; `unknown` when it cannot be read. */
export type PinPolicy = 'never' | 'once' | 'always' | 'unknown';

/** The policies of a slot. */
export interface SlotPolicies {
  readonly pin: PinPolicy;
  readonly touch: TouchPolicy;
}

const PIN: Record<number, PinPolicy> = { 1: 'never', 2: 'once', 3: 'always' };
const TOUCH: Record<number, TouchPolicy> = { 1: 'never', 2: 'always', 3: 'cached' };

/** The policies in a certificate's Yubico extension, or undefined when it has none. */
export function policiesFromCertificate(der: Uint8Array): SlotPolicies | undefined {
  try {
    const cert = readTlv(der, 0, 'certificate');
    const tbs = readElements(cert.content, 'certificate')[0];
    if (tbs === undefined) return undefined;
    const extsWrapper = readElements(tbs.content, 'tbsCertificate').find((t) => t.tag === 0xa3); // [3] extensions (RFC 5280 §4.1)
    if (extsWrapper === undefined) return undefined;
    const exts = readTlv(extsWrapper.content, 0, 'extensions');
    for (const ext of readElements(exts.content, 'extensions')) {
      const parts = readElements(ext.content, 'extension');
      const oid = parts[0];
      const value = parts[parts.length - 1];
      if (oid?.tag !== TAG.OID || value?.tag !== TAG.OCTET_STRING || oidToString(oid.content) !== YUBICO_POLICY_OID) continue;
      if (value.content.length < 2) return undefined;
      return { pin: PIN[value.content[0] as number] ?? 'unknown', touch: TOUCH[value.content[1] as number] ?? 'unknown' };
    }
  } catch {
    // Not a certificate we can read: no policies.
  }
  return undefined;
}

/**
 * The policies of PIV slot `slot` (e.g. `9c`) from its attestation certificate, if the
 * token shows one that attests `spki` (DER SubjectPublicKeyInfo of the slot's key).
 */
export function readSlotPolicies(session: Pkcs11Session, slot: string, spki: Uint8Array): SlotPolicies | undefined {
  const label = `X.509 Certificate for PIV Attestation ${slot}`;
  for (const handle of findObjects(session, [
    { type: CKA.CLASS, value: CKO.CERTIFICATE },
    { type: CKA.LABEL, value: label },
  ])) {
    const der = readAttribute(session, handle, CKA.VALUE);
    if (der === undefined) continue;
    try {
      const attested = new X509Certificate(der).publicKey.export({ format: 'der', type: 'spki' });
      if (!attested.equals(Buffer.from(spki))) continue; // attests another key: not this slot's current key
    } catch {
      continue;
    }
    const policies = policiesFromCertificate(der);
    if (policies !== undefined) return policies;
  }
  return undefined;
}
