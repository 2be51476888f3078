/**
 * Signing with, importing from and generating on a YubiKey's PIV applet, over PKCS#11
 * (Yubico's ykcs11 or OpenSC's module; see discovery.ts and piv.ts).
 *
 * Before each signature that the slot's touch policy makes wait for a touch, "Touch your
 * YubiKey" is printed (to stderr by default). The policy comes from the slot's attestation
 * certificate, or from the URI's `touch=` when the module does not show one (OpenSC, keys
 * imported rather than generated on the device).
 */
import { existsSync } from 'node:fs';
import { ModuleNotFoundError, SignerError, ValueError } from '../../errors.js';
import type { Key } from '../../metadata/key.js';
import type { Signature } from '../../metadata/signature.js';
import type { Signer } from '../../metadata/signer.js';
import { decodePublicKey } from '../../verify/public-key.js';
import { findModuleByName } from '../module-path.js';
import type { PinSource } from '../pin.js';
import { CKA } from '../pkcs11/constants.js';
import { generateTokenKeyPair, type TemplateAttribute, type TokenKeyAlgorithm } from '../pkcs11/generate.js';
import { withModule } from '../pkcs11/module.js';
import { ecSpki, readPublicKeySpki } from '../pkcs11/public-key.js';
import { withSession } from '../pkcs11/session.js';
import { Pkcs11Signer, type Pkcs11KeyLocation } from '../pkcs11/signer.js';
import { tufKeyFromSpki } from '../tuf-key.js';
import { pinSourceFor, type SignerUriOptions } from '../uri-options.js';
import { readSlotPolicies, type SlotPolicies, type TouchPolicy } from './attestation.js';
import { findYubiKey, type YubiKeyToken } from './discovery.js';
import type { PivSlot } from './piv.js';
import { formatYubiKeyUri, parseYubiKeyUri, type TouchSetting, type YubiKeyModuleChoice, type YubiKeyUri } from './uri.js';

/** The PKCS#11 module for `choice` (and an explicit path, which wins). @throws {@link ModuleNotFoundError} */
export function yubiKeyModulePath(choice: YubiKeyModuleChoice, modulePath?: string): string {
  if (modulePath !== undefined) {
    if (!existsSync(modulePath)) throw new ModuleNotFoundError(`PKCS#11 module ${modulePath} not found`);
    return modulePath;
  }
  if (choice === 'ykcs11') return findModuleByName('ykcs11');
  if (choice === 'opensc') return findModuleByName('opensc');
  try {
    return findModuleByName('ykcs11');
  } catch {
    try {
      return findModuleByName('opensc');
    } catch {
      throw new ModuleNotFoundError('neither ykcs11 (apt install ykcs11) nor OpenSC (apt install opensc) is installed: no way to reach a YubiKey');
    }
  }
}

/** A YubiKey slot, found: the module, the token and where the key is. */
export interface YubiKeySlot {
  readonly modulePath: string;
  readonly yubikey: YubiKeyToken;
  readonly slot: PivSlot;
  readonly location: Pkcs11KeyLocation;
}

/** Where `parsed` points: find the YubiKey (waiting for it when asked). */
export async function locateYubiKeySlot(parsed: YubiKeyUri, options: SignerUriOptions = {}): Promise<YubiKeySlot> {
  const modulePath = yubiKeyModulePath(parsed.module, parsed.modulePath);
  const yk = options.yubikey;
  const yubikey = await findYubiKey(modulePath, {
    serial: parsed.serial,
    waitMs: yk?.waitMs,
    onWait: yk?.onWait ?? ((m) => process.stderr.write(m + '\n')),
  });
  const t = yubikey.token;
  return {
    modulePath,
    yubikey,
    slot: parsed.slot,
    location: { modulePath, token: { token: t.label, serial: t.serial }, key: { id: Uint8Array.of(parsed.slot.id) } },
  };
}

/** The DER SPKI of a TUF key (Ed25519 keys are wrapped; others are SPKI already). */
function spkiOfKey(key: Key): Uint8Array {
  const decoded = decodePublicKey(key);
  return key.scheme === 'ed25519' ? ecSpki('Ed25519', decoded.publicKey) : decoded.publicKey;
}

/** The message shown before a signature, by touch policy (none for `never`). */
export function touchMessage(policy: TouchPolicy, who: string): string | undefined {
  switch (policy) {
    case 'always':
      return `Touch your YubiKey ${who} to sign…`;
    case 'cached':
      return `Touch your YubiKey ${who} if it blinks (touch policy: cached)…`;
    case 'unknown':
      return `If your YubiKey ${who} blinks, touch it to sign.`;
    default:
      return undefined;
  }
}

/** A {@link Signer} whose key is in a YubiKey's PIV slot. */
export class YubiKeySigner implements Signer {
  private constructor(
    private readonly inner: Pkcs11Signer,
    /** The YubiKey and slot. */
    readonly where: YubiKeySlot,
    /** The slot's touch policy as used for the prompt. */
    readonly touchPolicy: TouchPolicy,
    /** The slot's policies from its attestation, when the module shows it. */
    readonly attested: SlotPolicies | undefined,
  ) {}

  /** Create a signer for `parsed` (see {@link yubiKeySignerFromUri}). */
  static async create(parsed: YubiKeyUri, publicKey: Key | undefined, options: SignerUriOptions, context: string): Promise<YubiKeySigner> {
    const where = await locateYubiKeySlot(parsed, options);
    const who = where.yubikey.serial ? `#${where.yubikey.serial}` : `"${where.yubikey.token.label}"`;
    const onTouch = options.yubikey?.onTouch ?? ((m: string) => process.stderr.write(m + '\n'));
    let message: string | undefined;
    const inner = await Pkcs11Signer.create(
      where.location,
      {
        pin: pinSourceFor(parsed.pinSource, options),
        context,
        rsaScheme: options.rsaScheme,
        verifier: options.verifier,
        beforeSign: () => {
          if (message !== undefined) onTouch(message);
        },
      },
      publicKey,
    );
    let attested: SlotPolicies | undefined;
    if (parsed.touch === 'auto') {
      const spki = spkiOfKey(inner.publicKey);
      attested = await withSession({ modulePath: where.modulePath, token: where.location.token, login: 'none', context }, async (s) =>
        readSlotPolicies(s, parsed.slot.slot, spki),
      );
    }
    const policy: TouchPolicy = parsed.touch === 'auto' ? (attested?.touch ?? 'unknown') : parsed.touch;
    message = touchMessage(policy, `${who} (slot ${parsed.slot.slot})`);
    return new YubiKeySigner(inner, where, policy, attested);
  }

  get publicKey(): Key {
    return this.inner.publicKey;
  }

  /** Sign (prompting for a touch when the slot's policy asks); verified before it is returned. */
  sign(payload: Uint8Array): Promise<Signature> {
    return this.inner.sign(payload);
  }

  /** Sign several payloads with one PIN entry (each may still need a touch). */
  signMany(payloads: readonly Uint8Array[]): Promise<Signature[]> {
    return this.inner.signMany(payloads);
  }
}

/** The signer a `yubikey:` URI names (see uri.ts). */
export async function yubiKeySignerFromUri(uri: string, publicKey: Key | undefined, options: SignerUriOptions, context: string): Promise<YubiKeySigner> {
  return YubiKeySigner.create(parseYubiKeyUri(uri), publicKey, options, context);
}

/** What {@link importYubiKeyKey} found. */
export interface ImportedYubiKeyKey {
  /** The slot's public key as a TUF key. */
  readonly key: Key;
  /** A `yubikey:` URI that signs with it (serial and slot filled in; no PIN). */
  readonly uri: string;
  readonly serial?: string;
  readonly slot: string;
  /** The slot's attested policies, when the module shows them. */
  readonly policies?: SlotPolicies;
}

/**
 * Read the public key of an existing slot (no PIN needed where the module shows public keys).
 * @throws {@link YubiKeyNotFoundError}, {@link KeyNotFoundError} when the slot is empty.
 */
export async function importYubiKeyKey(uri: string, options: SignerUriOptions = {}): Promise<ImportedYubiKeyKey> {
  const parsed = parseYubiKeyUri(uri);
  const where = await locateYubiKeySlot(parsed, options);
  const context = formatYubiKeyUri({ slot: parsed.slot.slot, ...(where.yubikey.serial ? { serial: where.yubikey.serial } : {}) });
  const { spki, policies } = await withSession({ modulePath: where.modulePath, token: where.location.token, login: 'none', context }, async (s) => {
    const spki = readPublicKeySpki(s, where.location.key);
    return { spki, policies: readSlotPolicies(s, parsed.slot.slot, spki) };
  });
  const key = tufKeyFromSpki(spki, { rsaScheme: options.rsaScheme });
  return {
    key,
    uri: formatYubiKeyUri({ ...yubiKeyUriParts(parsed), ...(where.yubikey.serial ? { serial: where.yubikey.serial } : {}) }),
    ...(where.yubikey.serial ? { serial: where.yubikey.serial } : {}),
    slot: parsed.slot.slot,
    ...(policies ? { policies } : {}),
  };
}

/** Key algorithms a YubiKey's PIV applet generates (Ed25519 needs firmware 5.7 and is not offered by ykcs11 2.2). */
export const YUBIKEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'rsa-2048'] as const;

/** Options of {@link generateYubiKeyKey}. */
export interface YubiKeyGenerateOptions extends SignerUriOptions {
  readonly algorithm: (typeof YUBIKEY_ALGORITHMS)[number];
  /** Touch policy of the new key (ykcs11 only; default: the device's default, "never"). */
  readonly touch?: Exclude<TouchSetting, 'auto'> | undefined;
  /** PIN policy of the new key (ykcs11 only). */
  readonly pinPolicy?: 'never' | 'once' | 'always' | undefined;
  /**
   * The secret that authorizes generation: the PIV management key (hex) with Yubico's
   * ykcs11 (it logs in as SO), the user PIN with other modules.
   */
  readonly authorization?: PinSource | undefined;
  /** Replace a key the slot holds already (default: refuse). */
  readonly replace?: boolean | undefined;
}

/**
 * Generate a key pair in a YubiKey slot and return it as {@link importYubiKeyKey} does.
 * @throws {@link SignerError} when the slot holds a key and `replace` is not set, or the module
 *   cannot generate (OpenSC's PIV driver needs the management key out of band: use ykcs11).
 */
export async function generateYubiKeyKey(uri: string, options: YubiKeyGenerateOptions): Promise<ImportedYubiKeyKey> {
  const parsed = parseYubiKeyUri(uri);
  if (!(YUBIKEY_ALGORITHMS as readonly string[]).includes(options.algorithm)) {
    throw new ValueError(`algorithm ${JSON.stringify(options.algorithm)}: a YubiKey generates ${YUBIKEY_ALGORITHMS.join(', ')}`);
  }
  const where = await locateYubiKeySlot(parsed, options);
  const context = formatYubiKeyUri({ slot: parsed.slot.slot, ...(where.yubikey.serial ? { serial: where.yubikey.serial } : {}) });
  if (where.yubikey.convention === 'opensc') {
    throw new SignerError(`${context}: generating through OpenSC's PIV driver is not supported; use module=ykcs11 (or ykman piv keys generate, then tufkit key yubikey import)`);
  }
  const info = await withModule(where.modulePath, (m) => m.info);
  const realYkcs11 = /yubico/i.test(info.manufacturer);
  const occupied = await withSession({ modulePath: where.modulePath, token: where.location.token, login: 'none', context }, async (s) => {
    try {
      readPublicKeySpki(s, where.location.key);
      return true;
    } catch {
      return false;
    }
  });
  if (occupied && !options.replace) {
    throw new SignerError(`${context}: slot ${parsed.slot.slot} already holds a key; pass replace (--force) to overwrite it (the old key is lost)`);
  }
  const extras: TemplateAttribute[] = [];
  if (realYkcs11) {
    if (options.touch) extras.push({ type: { always: CKA.YUBICO_TOUCH_ALWAYS, cached: CKA.YUBICO_TOUCH_CACHED, never: CKA.YUBICO_TOUCH_NEVER }[options.touch], value: true });
    if (options.pinPolicy) extras.push({ type: { always: CKA.YUBICO_PIN_ALWAYS, once: CKA.YUBICO_PIN_ONCE, never: CKA.YUBICO_PIN_NEVER }[options.pinPolicy], value: true });
  } else if (options.touch || options.pinPolicy) {
    throw new SignerError(`${context}: touch and PIN policies can be set only through Yubico's ykcs11 (this module is ${info.description || where.modulePath})`);
  }
  await generateTokenKeyPair({
    modulePath: where.modulePath,
    token: where.location.token,
    algorithm: options.algorithm as TokenKeyAlgorithm,
    label: parsed.slot.ykcs11Label,
    id: Uint8Array.of(parsed.slot.id),
    pin: options.authorization ?? pinSourceFor(parsed.pinSource, options),
    login: realYkcs11 ? 'so' : 'user',
    privateExtras: extras,
    // ykcs11 replaces the slot's key in place; other modules get the old objects removed first
    existing: occupied ? (realYkcs11 ? 'overwrite' : 'destroy') : 'refuse',
    context,
  });
  const touchUri = options.touch ? { touch: options.touch } : {};
  return importYubiKeyKey(formatYubiKeyUri({ ...yubiKeyUriParts(parsed), ...(where.yubikey.serial ? { serial: where.yubikey.serial } : {}), ...touchUri }), options);
}

function yubiKeyUriParts(parsed: YubiKeyUri): Parameters<typeof formatYubiKeyUri>[0] {
  return {
    slot: parsed.slot.slot,
    ...(parsed.serial ? { serial: parsed.serial } : {}),
    ...(parsed.pinSource ? { pinSource: parsed.pinSource } : {}),
    module: parsed.module,
    ...(parsed.modulePath ? { modulePath: parsed.modulePath } : {}),
    ...(parsed.touch !== 'auto' ? { touch: parsed.touch } : {}),
  };
}
