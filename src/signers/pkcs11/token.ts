/**
 * Finding the token a signer URI names, among the slots of a module (RFC 7512 §2.3 token
 * and slot attributes: `token`, `manufacturer`, `model`, `serial`, `slot-id`,
 * `slot-description`, `slot-manufacturer`, and the `library-*` attributes).
 */
import { TokenNotFoundError } from '../../errors.js';
import { CKF_SLOT, CKF_TOKEN } from './constants.js';
import type { Handle, Pkcs11Module } from './module.js';
import { pkcs11Failure } from './module.js';

/** Which token to use; every given attribute must match exactly (after trimming the padding). */
export interface TokenFilter {
  /** Token label (`token=`). */
  readonly token?: string;
  readonly manufacturer?: string;
  readonly model?: string;
  /** Token serial number (`serial=`). */
  readonly serial?: string;
  /** Decimal CK_SLOT_ID (`slot-id=`). */
  readonly slotId?: string;
  readonly slotDescription?: string;
  readonly slotManufacturer?: string;
  readonly libraryManufacturer?: string;
  readonly libraryDescription?: string;
  /** `major[.minor]` (`library-version=`). */
  readonly libraryVersion?: string;
}

/** A token present in a slot (strings with their blank padding trimmed). */
export interface TokenSummary {
  readonly slot: Handle;
  /** The CK_SLOT_ID in decimal, as `slot-id=` writes it. */
  readonly slotId: string;
  readonly slotDescription: string;
  readonly slotManufacturer: string;
  readonly label: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly serial: string;
  /** CK_TOKEN_INFO.flags. */
  readonly flags: number;
  readonly minPinLength: number;
  readonly maxPinLength: number;
}

/** The decimal CK_SLOT_ID of a slot handle (CK_ULONG, little-endian as pkcs11js gives it). */
export function slotIdOf(slot: Handle): string {
  if (slot.length === 8) return slot.readBigUInt64LE(0).toString();
  if (slot.length === 4) return String(slot.readUInt32LE(0));
  return BigInt('0x' + Buffer.from(slot).reverse().toString('hex')).toString();
}

/** Every slot with a token present, initialized or not. */
export function listTokens(module: Pkcs11Module, context: string): TokenSummary[] {
  let slots: Handle[];
  try {
    slots = module.lib.C_GetSlotList(true);
  } catch (err) {
    throw pkcs11Failure('C_GetSlotList', err, context);
  }
  const out: TokenSummary[] = [];
  for (const slot of slots) {
    try {
      const slotInfo = module.lib.C_GetSlotInfo(slot);
      if ((slotInfo.flags & CKF_SLOT.TOKEN_PRESENT) === 0) continue;
      const info = module.lib.C_GetTokenInfo(slot);
      out.push({
        slot,
        slotId: slotIdOf(slot),
        slotDescription: slotInfo.slotDescription.trim(),
        slotManufacturer: slotInfo.manufacturerID.trim(),
        label: info.label.trim(),
        manufacturer: info.manufacturerID.trim(),
        model: info.model.trim(),
        serial: info.serialNumber.trim(),
        flags: info.flags,
        minPinLength: info.minPinLen,
        maxPinLength: info.maxPinLen,
      });
    } catch {
      // A token removed between C_GetSlotList and C_GetTokenInfo: not present.
    }
  }
  return out;
}

/** One line naming a token, for messages. */
export function describeToken(t: TokenSummary): string {
  return `"${t.label}" (serial ${t.serial || '-'}, slot-id ${t.slotId}${t.model ? `, ${t.model}` : ''})`;
}

function matches(module: Pkcs11Module, t: TokenSummary, filter: TokenFilter): boolean {
  const checks: Array<[string | undefined, string]> = [
    [filter.token, t.label],
    [filter.manufacturer, t.manufacturer],
    [filter.model, t.model],
    [filter.serial, t.serial],
    [filter.slotId, t.slotId],
    [filter.slotDescription, t.slotDescription],
    [filter.slotManufacturer, t.slotManufacturer],
    [filter.libraryManufacturer, module.info.manufacturer],
    [filter.libraryDescription, module.info.description],
  ];
  if (checks.some(([want, have]) => want !== undefined && want !== have)) return false;
  if (filter.libraryVersion !== undefined) {
    const want = filter.libraryVersion.includes('.') ? filter.libraryVersion : `${filter.libraryVersion}.0`;
    if (want !== module.info.version) return false;
  }
  return true;
}

/**
 * The one initialized token that matches `filter`.
 * @param context the (redacted) signer URI, for messages.
 * @throws {@link TokenNotFoundError} when none matches (listing the tokens there are) or more than one does.
 */
export function selectToken(module: Pkcs11Module, filter: TokenFilter, context: string): TokenSummary {
  const all = listTokens(module, context);
  const initialized = all.filter((t) => (t.flags & CKF_TOKEN.TOKEN_INITIALIZED) !== 0);
  const found = initialized.filter((t) => matches(module, t, filter));
  if (found.length === 1) return found[0] as TokenSummary;
  const listing = initialized.length ? initialized.map(describeToken).join(', ') : 'none';
  if (found.length === 0) {
    throw new TokenNotFoundError(`${context}: no token matches in module ${module.path}; tokens present: ${listing}`);
  }
  throw new TokenNotFoundError(`${context}: ${found.length} tokens match (${found.map(describeToken).join(', ')}); add token= or serial= to choose one`);
}
