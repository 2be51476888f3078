/**
 * YubiKey PIV slots (NIST SP 800-73-4 Part 1 §3.1; Yubico's PIV slot reference) and how
 * the two PKCS#11 modules present them:
 *
 * | slot | use | CKA_ID | ykcs11 private key label | OpenSC private key label |
 * |---|---|---|---|---|
 * | 9a | PIV authentication | 1 | Private key for PIV Authentication | PIV AUTH key |
 * | 9c | digital signature (tufkit's default) | 2 | Private key for Digital Signature | SIGN key |
 * | 9d | key management | 3 | Private key for Key Management | KEY MAN key |
 * | 9e | card authentication | 4 | Private key for Card Authentication | CARD AUTH key |
 * | 82–95 | retired key 1–20 | 5–24 | Private key for Retired Key N | RETIRED KEY N |
 *
 * Both modules give the same CKA_ID to a slot, so keys are found by CKA_ID; labels are
 * shown in messages and used when tufkit lays a SoftHSM token out like a YubiKey in tests.
 */
import { ValueError } from '../../errors.js';

/** A PIV key slot. */
export interface PivSlot {
  /** Two hex digits, lower case: `9c`. */
  readonly slot: string;
  /** CKA_ID both ykcs11 and OpenSC give the slot's objects. */
  readonly id: number;
  /** What the slot is for. */
  readonly use: string;
  /** ykcs11's CKA_LABEL of the private key. */
  readonly ykcs11Label: string;
  /** ykcs11's CKA_LABEL of the public key. */
  readonly ykcs11PublicLabel: string;
  /** OpenSC's CKA_LABEL of the private key. */
  readonly openscLabel: string;
}

const NAMED: Array<[string, string, string, string]> = [
  ['9a', 'PIV authentication', 'PIV Authentication', 'PIV AUTH key'],
  ['9c', 'digital signature', 'Digital Signature', 'SIGN key'],
  ['9d', 'key management', 'Key Management', 'KEY MAN key'],
  ['9e', 'card authentication', 'Card Authentication', 'CARD AUTH key'],
];

/** Every PIV key slot, in CKA_ID order. */
export const PIV_SLOTS: readonly PivSlot[] = [
  ...NAMED.map(([slot, use, name, opensc], i) => ({
    slot,
    id: i + 1,
    use,
    ykcs11Label: `Private key for ${name}`,
    ykcs11PublicLabel: `Public key for ${name}`,
    openscLabel: opensc,
  })),
  ...Array.from({ length: 20 }, (_, i) => ({
    slot: (0x82 + i).toString(16),
    id: i + 5,
    use: `retired key ${i + 1}`,
    ykcs11Label: `Private key for Retired Key ${i + 1}`,
    ykcs11PublicLabel: `Public key for Retired Key ${i + 1}`,
    openscLabel: `RETIRED KEY ${i + 1}`,
  })),
];

/** The slot tufkit signs with unless told otherwise: 9c, "digital signature". */
export const DEFAULT_PIV_SLOT = '9c';

/**
 * The slot `text` names: `9c`, `0x9c`, `9C`.
 * @throws {@link ValueError} naming the valid slots.
 */
export function pivSlot(text: string): PivSlot {
  const norm = text.toLowerCase().replace(/^0x/, '');
  const slot = PIV_SLOTS.find((s) => s.slot === norm);
  if (slot === undefined) throw new ValueError(`PIV slot ${JSON.stringify(text)}: expected 9a, 9c, 9d, 9e or 82–95`);
  return slot;
}

/** The slot whose objects carry CKA_ID `id`, if any. */
export function pivSlotById(id: Uint8Array): PivSlot | undefined {
  return id.length === 1 ? PIV_SLOTS.find((s) => s.id === id[0]) : undefined;
}
