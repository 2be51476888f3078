/**
 * `yubikey:` signer URIs: a key in a YubiKey's PIV slot.
 *
 * ```
 * yubikey:slot=9c;serial=12345678?pin-source=env:YK_PIN&module=ykcs11&touch=always
 * ```
 *
 * | part | attribute | meaning (default) |
 * |---|---|---|
 * | path | `slot` | PIV slot: 9a, 9c, 9d, 9e, 82–95 (`9c`, "digital signature") |
 * | path | `serial` | the YubiKey's serial number, to choose among several (the only one inserted) |
 * | query | `pin-source` | `env:NAME` or `prompt` (the CLI's prompt) |
 * | query | `module` | `ykcs11`, `opensc` or `auto` (`auto`: ykcs11 when installed, else OpenSC) |
 * | query | `module-path` | an explicit PKCS#11 module (absolute path) |
 * | query | `touch` | `always`, `cached`, `never` or `auto` (`auto`: from the slot's attestation) |
 *
 * Like `pkcs11:` URIs, a `pin-value` is refused and never shown.
 */
import { SignerError, ValueError } from '../../errors.js';
import { percentDecode, percentEncode, redactUri, splitAttributes } from '../pkcs11/uri.js';
import { DEFAULT_PIV_SLOT, pivSlot, type PivSlot } from './piv.js';

/** Which PKCS#11 module reaches the YubiKey. */
export type YubiKeyModuleChoice = 'auto' | 'ykcs11' | 'opensc';
/** The touch policy the user states, or `auto` to read it from the key. */
export type TouchSetting = 'auto' | 'always' | 'cached' | 'never';

/** A parsed `yubikey:` URI. */
export interface YubiKeyUri {
  readonly slot: PivSlot;
  readonly serial?: string;
  readonly pinSource?: string;
  readonly module: YubiKeyModuleChoice;
  readonly modulePath?: string;
  readonly touch: TouchSetting;
}

const MODULES = new Set(['auto', 'ykcs11', 'opensc']);
const TOUCH = new Set(['auto', 'always', 'cached', 'never']);

function text(value: string, what: string): string {
  return Buffer.from(percentDecode(value, what)).toString('utf8');
}

/**
 * Parse a `yubikey:` URI.
 * @throws {@link ValueError} naming the attribute at fault; {@link SignerError} for `pin-value`.
 */
export function parseYubiKeyUri(uri: string): YubiKeyUri {
  const shown = redactUri(uri);
  if (!uri.toLowerCase().startsWith('yubikey:')) throw new ValueError(`${shown}: not a yubikey: URI`);
  const rest = uri.slice('yubikey:'.length);
  const q = rest.indexOf('?');
  const pathPart = q < 0 ? rest : rest.slice(0, q);
  const queryPart = q < 0 ? '' : rest.slice(q + 1);
  let slot = pivSlot(DEFAULT_PIV_SLOT);
  let serial: string | undefined;
  for (const [name, value] of splitAttributes(pathPart, ';', shown)) {
    const v = text(value, `${shown}: ${name}`);
    if (name === 'slot') slot = pivSlot(v);
    else if (name === 'serial') {
      if (!/^[0-9]+$/.test(v)) throw new ValueError(`${shown}: serial: expected the YubiKey's decimal serial number`);
      serial = v;
    } else throw new ValueError(`${shown}: unknown attribute ${name} (yubikey: URIs take slot= and serial= before "?")`);
  }
  let pinSource: string | undefined;
  let module: YubiKeyModuleChoice = 'auto';
  let modulePath: string | undefined;
  let touch: TouchSetting = 'auto';
  for (const [name, value] of splitAttributes(queryPart, '&', shown)) {
    if (name === 'pin-value') throw new SignerError(`${shown}: pin-value is not accepted; use pin-source=env:NAME or pin-source=prompt`);
    const v = text(value, `${shown}: ${name}`);
    if (name === 'pin-source') pinSource = v;
    else if (name === 'module') {
      if (!MODULES.has(v)) throw new ValueError(`${shown}: module: expected ykcs11, opensc or auto`);
      module = v as YubiKeyModuleChoice;
    } else if (name === 'module-path') modulePath = v;
    else if (name === 'touch') {
      if (!TOUCH.has(v)) throw new ValueError(`${shown}: touch: expected always, cached, never or auto`);
      touch = v as TouchSetting;
    } else throw new ValueError(`${shown}: unknown query attribute ${name} (pin-source, module, module-path, touch)`);
  }
  return {
    slot,
    ...(serial !== undefined ? { serial } : {}),
    ...(pinSource !== undefined ? { pinSource } : {}),
    module,
    ...(modulePath !== undefined ? { modulePath } : {}),
    touch,
  };
}

/** A `yubikey:` URI for `parts` (defaults left out). */
export function formatYubiKeyUri(parts: { slot?: string; serial?: string; pinSource?: string; module?: YubiKeyModuleChoice; modulePath?: string; touch?: TouchSetting }): string {
  const path = [`slot=${parts.slot ?? DEFAULT_PIV_SLOT}`, ...(parts.serial !== undefined ? [`serial=${parts.serial}`] : [])];
  const query: string[] = [];
  if (parts.pinSource !== undefined) query.push(`pin-source=${percentEncode(parts.pinSource, true)}`);
  if (parts.module !== undefined && parts.module !== 'auto') query.push(`module=${parts.module}`);
  if (parts.modulePath !== undefined) query.push(`module-path=${percentEncode(parts.modulePath, true)}`);
  if (parts.touch !== undefined && parts.touch !== 'auto') query.push(`touch=${parts.touch}`);
  return `yubikey:${path.join(';')}${query.length ? '?' + query.join('&') : ''}`;
}
