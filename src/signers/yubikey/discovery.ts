/**
 * Finding YubiKeys: on the USB bus through HID (node-hid; Yubico's vendor id 0x1050) and as
 * PIV tokens through a PKCS#11 module (ykcs11 or OpenSC, which reach the key's CCID
 * interface through pcscd).
 *
 * HID tells what is plugged in even when the smart-card side is not reachable (pcscd not
 * running, CCID interface disabled), so "no YubiKey found" messages can say why. Signing
 * only ever goes through PKCS#11.
 */
import { createRequire } from 'node:module';
import { TokenOperationError, YubiKeyNotFoundError, describeError } from '../../errors.js';
import { CKF_TOKEN, CKR } from '../pkcs11/constants.js';
import { listModuleTokens } from '../pkcs11/session.js';
import type { TokenSummary } from '../pkcs11/token.js';

/** Yubico's USB vendor id. */
export const YUBICO_VENDOR_ID = 0x1050;

/** Yubico USB product ids and the interfaces each enables (Yubico's USB PID table). */
export const YUBIKEY_PRODUCTS: Readonly<Record<number, string>> = {
  0x0010: 'YubiKey (OTP)',
  0x0110: 'YubiKey NEO OTP',
  0x0111: 'YubiKey NEO OTP+CCID',
  0x0112: 'YubiKey NEO CCID',
  0x0113: 'YubiKey NEO FIDO',
  0x0114: 'YubiKey NEO OTP+FIDO',
  0x0115: 'YubiKey NEO FIDO+CCID',
  0x0116: 'YubiKey NEO OTP+FIDO+CCID',
  0x0120: 'Security Key by Yubico (FIDO)',
  0x0401: 'YubiKey 4/5 OTP',
  0x0402: 'YubiKey 4/5 FIDO',
  0x0403: 'YubiKey 4/5 OTP+FIDO',
  0x0404: 'YubiKey 4/5 CCID',
  0x0405: 'YubiKey 4/5 OTP+CCID',
  0x0406: 'YubiKey 4/5 FIDO+CCID',
  0x0407: 'YubiKey 4/5 OTP+FIDO+CCID',
  0x0410: 'YubiKey Plus',
};

/** A YubiKey seen on the USB bus. */
export interface UsbYubiKey {
  readonly productId: number;
  /** The product name (from the device, else from {@link YUBIKEY_PRODUCTS}). */
  readonly product: string;
  /** The serial number, where the device tells it over HID (often it does not). */
  readonly serial?: string;
  /** Whether the enabled USB interfaces include CCID (needed for PIV). */
  readonly ccid: boolean;
  /** HID interfaces seen for it. */
  readonly interfaces: number;
}

interface HidDevice {
  vendorId: number;
  productId: number;
  serialNumber?: string | undefined;
  product?: string | undefined;
  release: number;
}

interface HidModule {
  devicesAsync(vid: number, pid: number): Promise<HidDevice[]>;
  devicesAsync(): Promise<HidDevice[]>;
}

let hid: HidModule | null | undefined;

function loadHid(): HidModule | null {
  if (hid === undefined) {
    try {
      hid = createRequire(import.meta.url)('node-hid') as HidModule;
    } catch {
      hid = null; // no HID support on this platform: PKCS#11 discovery still works
    }
  }
  return hid;
}

/**
 * YubiKeys on the USB bus, one entry per device (the several HID interfaces of one key are
 * merged; keys that do not tell their serial over HID and share a product id are told apart
 * only by count). Empty when HID is not available.
 */
export async function listUsbYubiKeys(): Promise<UsbYubiKey[]> {
  const lib = loadHid();
  if (lib === null) return [];
  let devices: HidDevice[];
  try {
    devices = (await lib.devicesAsync()).filter((d) => d.vendorId === YUBICO_VENDOR_ID);
  } catch {
    return [];
  }
  const groups = new Map<string, { dev: HidDevice; count: number }>();
  for (const d of devices) {
    const key = `${d.productId}/${d.serialNumber ?? ''}/${d.release}`;
    const g = groups.get(key);
    if (g) g.count++;
    else groups.set(key, { dev: d, count: 1 });
  }
  return [...groups.values()].map(({ dev, count }) => {
    const name = YUBIKEY_PRODUCTS[dev.productId] ?? `Yubico device 0x${dev.productId.toString(16).padStart(4, '0')}`;
    return {
      productId: dev.productId,
      product: dev.product?.trim() || name,
      ...(dev.serialNumber ? { serial: dev.serialNumber } : {}),
      ccid: name.includes('CCID'),
      interfaces: count,
    };
  });
}

/** A YubiKey's PIV applet as a PKCS#11 token. */
export interface YubiKeyToken {
  /** The token as the module lists it. */
  readonly token: TokenSummary;
  /** The YubiKey serial number where the module tells it (ykcs11 does; OpenSC does not). */
  readonly serial?: string;
  /** The module convention: `ykcs11` or `opensc`. */
  readonly convention: 'ykcs11' | 'opensc';
}

const YKCS11_LABEL = /^YubiKey PIV #(\d+)$/;

/** Whether `token` is a YubiKey's PIV applet, and how the module presents it. */
export function asYubiKeyToken(token: TokenSummary): YubiKeyToken | undefined {
  if ((token.flags & CKF_TOKEN.TOKEN_INITIALIZED) === 0) return undefined;
  const m = YKCS11_LABEL.exec(token.label);
  if (m) return { token, serial: m[1] as string, convention: 'ykcs11' };
  // OpenSC: the PIV driver ("PIV_II" model) in a Yubico reader
  if (/^PIV/i.test(token.model) && /yubico|yubikey/i.test(`${token.slotDescription} ${token.slotManufacturer} ${token.manufacturer}`)) {
    return { token, convention: 'opensc' };
  }
  return undefined;
}

/**
 * The YubiKey PIV tokens `modulePath` shows.
 * @throws {@link YubiKeyNotFoundError} when the module cannot reach any smart-card reader
 *   (ykcs11 fails C_Initialize with CKR_DEVICE_ERROR when pcscd is not running).
 */
export async function listYubiKeyTokens(modulePath: string): Promise<YubiKeyToken[]> {
  let tokens: TokenSummary[];
  try {
    tokens = await listModuleTokens(modulePath);
  } catch (err) {
    if (err instanceof TokenOperationError && (err.code === CKR.DEVICE_ERROR || err.code === CKR.DEVICE_REMOVED || err.code === CKR.TOKEN_NOT_PRESENT)) {
      throw new YubiKeyNotFoundError(await noYubiKeyMessage(modulePath, `the module cannot reach a smart-card reader (${describeError(err)}); is pcscd running?`), {
        cause: err,
      });
    }
    throw err;
  }
  // In a stable order (serial, then label): modules order slots as they please.
  const order = (t: YubiKeyToken) => `${(t.serial ?? '').padStart(12, '0')}\u0000${t.token.label}`;
  return tokens
    .map(asYubiKeyToken)
    .filter((t): t is YubiKeyToken => t !== undefined)
    .sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
}

/** "no YubiKey found" with what HID sees, to say why. */
export async function noYubiKeyMessage(modulePath: string, reason?: string): Promise<string> {
  const usb = await listUsbYubiKeys();
  let why: string;
  if (usb.length === 0) why = 'none is plugged in (no Yubico device on the USB bus)';
  else {
    const names = usb.map((u) => `${u.product}${u.serial ? ` #${u.serial}` : ''}`).join(', ');
    const noCcid = usb.filter((u) => !u.ccid);
    why =
      `USB shows ${names}, but ${modulePath} shows no PIV token` +
      (noCcid.length ? ` (the CCID interface, which PIV needs, is disabled on ${noCcid.map((u) => u.product).join(', ')}; enable it with ykman config usb)` : '; is pcscd running?');
  }
  return `no YubiKey found: ${why}${reason ? `; ${reason}` : ''}`;
}

/** Options of {@link findYubiKey}. */
export interface FindYubiKeyOptions {
  /** The YubiKey serial number to choose among several. */
  readonly serial?: string | undefined;
  /** Wait up to this long for the key to be inserted (default 0: do not wait). */
  readonly waitMs?: number | undefined;
  /** Poll interval while waiting (default 500 ms). */
  readonly pollMs?: number | undefined;
  /** Told once when waiting starts (e.g. "insert your YubiKey…"). */
  readonly onWait?: ((message: string) => void) | undefined;
}

/**
 * The YubiKey token to use: the one with `serial`, or the only one.
 * @throws {@link YubiKeyNotFoundError} when none is found (in time), or several and no serial.
 */
export async function findYubiKey(modulePath: string, options: FindYubiKeyOptions = {}): Promise<YubiKeyToken> {
  const deadline = Date.now() + (options.waitMs ?? 0);
  let told = false;
  for (;;) {
    let found: YubiKeyToken[] = [];
    let lastError: YubiKeyNotFoundError | undefined;
    try {
      found = await listYubiKeyTokens(modulePath);
    } catch (err) {
      if (!(err instanceof YubiKeyNotFoundError)) throw err;
      lastError = err;
    }
    const matching = options.serial === undefined ? found : found.filter((t) => t.serial === options.serial || t.token.serial === options.serial);
    if (matching.length === 1) return matching[0] as YubiKeyToken;
    if (matching.length > 1) {
      throw new YubiKeyNotFoundError(
        `${matching.length} YubiKeys found (${matching.map((t) => (t.serial ? `serial ${t.serial}` : `token "${t.token.label}"`)).join(', ')}); add serial= to choose one`,
      );
    }
    if (Date.now() >= deadline) {
      if (options.serial !== undefined && found.length > 0) {
        throw new YubiKeyNotFoundError(
          `no YubiKey with serial ${options.serial} found; inserted: ${found.map((t) => (t.serial ? `serial ${t.serial}` : `"${t.token.label}" (serial not shown by this module)`)).join(', ')}`,
        );
      }
      const waited = options.waitMs ? ` within ${Math.round(options.waitMs / 1000)} s` : '';
      if (lastError && !waited) throw lastError;
      throw new YubiKeyNotFoundError((await noYubiKeyMessage(modulePath)).replace('no YubiKey found', `no YubiKey found${waited}`), { cause: lastError });
    }
    if (!told) {
      options.onWait?.(`Insert your YubiKey${options.serial ? ` (serial ${options.serial})` : ''}…`);
      told = true;
    }
    await new Promise((r) => setTimeout(r, Math.min(options.pollMs ?? 500, Math.max(0, deadline - Date.now()))));
  }
}
