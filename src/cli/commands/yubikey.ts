/**
 * `tufkit key yubikey list|import|generate`: YubiKeys' PIV slots as TUF signing keys.
 */
import { resolve } from 'node:path';
import { YubiKeyNotFoundError } from '../../errors.js';
import type { JsonValue } from '../../metadata/canonical-json.js';
import type { Key } from '../../metadata/key.js';
import { writePublicKeyFile } from '../../signers/key-files.js';
import { listKeyObjects } from '../../signers/pkcs11/objects.js';
import { spkiFromObject } from '../../signers/pkcs11/public-key.js';
import { withSession } from '../../signers/pkcs11/session.js';
import { withSignerUri } from '../../signers/signer-uri.js';
import { tufKeyFromSpki } from '../../signers/tuf-key.js';
import { readSlotPolicies } from '../../signers/yubikey/attestation.js';
import { listUsbYubiKeys, listYubiKeyTokens, noYubiKeyMessage, type YubiKeyToken } from '../../signers/yubikey/discovery.js';
import { pivSlotById, DEFAULT_PIV_SLOT } from '../../signers/yubikey/piv.js';
import { YUBIKEY_ALGORITHMS, generateYubiKeyKey, importYubiKeyKey, yubiKeyModulePath, type ImportedYubiKeyKey } from '../../signers/yubikey/signer.js';
import { formatYubiKeyUri, type YubiKeyModuleChoice } from '../../signers/yubikey/uri.js';
import { command, group, type CommandContext, type OptionSpec } from '../command.js';
import { readSecret, secretEnvOption } from '../secrets.js';
import { PIN_ENV_OPTION, WAIT_OPTION, signerUriOptions } from '../signer-options.js';
import { keyJson } from './key.js';

const MODULE_OPTIONS: OptionSpec[] = [
  { name: 'module', kind: 'value', valueName: 'NAME', choices: ['auto', 'ykcs11', 'opensc'], default: 'auto', description: 'PKCS#11 module that reaches the YubiKey' },
  { name: 'module-path', kind: 'value', valueName: 'PATH', description: 'an explicit PKCS#11 module (absolute path)' },
];
const SLOT_OPTIONS: OptionSpec[] = [
  { name: 'slot', kind: 'value', valueName: 'SLOT', default: DEFAULT_PIV_SLOT, description: 'PIV slot: 9a, 9c (digital signature), 9d, 9e, 82–95' },
  { name: 'serial', kind: 'value', valueName: 'N', description: 'the YubiKey serial number (to choose among several)' },
];
const OUTPUT_OPTIONS: OptionSpec[] = [
  { name: 'out', short: 'o', kind: 'value', valueName: 'FILE', description: 'write the TUF public key (JSON) to FILE' },
  { name: 'store-uri', kind: 'flag', description: 'put the signer URI into the key object (x-tufkit-signer-uri; changes the keyid)' },
];

/** The `yubikey:` URI the options describe (no secrets). */
function uriFromOptions(ctx: CommandContext, extra: { touch?: string } = {}): string {
  const modulePath = ctx.options.value('module-path');
  const pinEnv = ctx.options.value('pin-env');
  return formatYubiKeyUri({
    slot: ctx.options.required('slot'),
    ...(ctx.options.value('serial') !== undefined ? { serial: ctx.options.value('serial') as string } : {}),
    ...(pinEnv !== undefined ? { pinSource: `env:${pinEnv}` } : {}),
    module: ctx.options.required('module') as YubiKeyModuleChoice,
    ...(modulePath !== undefined ? { modulePath: resolve(ctx.cwd, modulePath) } : {}),
    ...(extra.touch !== undefined ? { touch: extra.touch as 'always' } : {}),
  });
}

async function report(ctx: CommandContext, imported: ImportedYubiKeyKey, verb: string): Promise<JsonValue> {
  let key: Key = imported.key;
  if (ctx.options.flag('store-uri')) key = withSignerUri(key, imported.uri);
  const out = ctx.options.value('out');
  if (out !== undefined) await writePublicKeyFile(resolve(ctx.cwd, out), key);
  const s = ctx.out.style;
  ctx.out.print(`${s.green(verb)} ${key.scheme} key ${s.bold(key.keyid)} from YubiKey${imported.serial ? ` #${imported.serial}` : ''} slot ${imported.slot}`);
  ctx.out.print(`  signer URI: ${imported.uri}`);
  if (imported.policies) ctx.out.print(`  policies:   PIN ${imported.policies.pin}, touch ${imported.policies.touch} (attested)`);
  if (out !== undefined) ctx.out.print(`  public key: ${resolve(ctx.cwd, out)}`);
  return {
    ...keyJson(key),
    uri: imported.uri,
    slot: imported.slot,
    serial: imported.serial ?? null,
    policies: imported.policies ? { pin: imported.policies.pin, touch: imported.policies.touch } : null,
    ...(out !== undefined ? { path: resolve(ctx.cwd, out) } : {}),
  };
}

const list = command({
  name: 'list',
  summary: 'list inserted YubiKeys and the keys in their PIV slots',
  description:
    'Show the YubiKeys on the USB bus (HID, Yubico vendor id 0x1050) and, through the PKCS#11 module, their PIV ' +
    'slots that hold a key: slot, keyid, scheme and (where the key was generated on the device) its attested PIN ' +
    'and touch policies. No PIN is needed.',
  options: [...MODULE_OPTIONS],
  async run(ctx) {
    const s = ctx.out.style;
    const usb = await listUsbYubiKeys();
    for (const u of usb) ctx.out.print(`USB: ${u.product}${u.serial ? ` #${u.serial}` : ''}${u.ccid ? '' : s.yellow(' (CCID disabled: no PIV)')}`);
    const modulePath = yubiKeyModulePath(ctx.options.required('module') as YubiKeyModuleChoice, ctx.options.value('module-path'));
    let tokens: YubiKeyToken[] = [];
    try {
      tokens = await listYubiKeyTokens(modulePath);
    } catch (err) {
      if (!(err instanceof YubiKeyNotFoundError)) throw err;
      ctx.out.print(err.message);
      return { usb: usb.map((u) => ({ product: u.product, serial: u.serial ?? null, ccid: u.ccid })), yubikeys: [] };
    }
    if (tokens.length === 0) ctx.out.print(await noYubiKeyMessage(modulePath));
    const yubikeys: JsonValue[] = [];
    for (const t of tokens) {
      const slots = await withSession({ modulePath, token: { token: t.token.label, serial: t.token.serial }, login: 'none', context: `yubikey ${t.token.label}` }, async (session) => {
        const found: Array<{ [k: string]: JsonValue }> = [];
        for (const obj of listKeyObjects(session, 'public')) {
          const slot = pivSlotById(obj.id);
          const spki = slot ? spkiFromObject(session, obj.handle) : undefined;
          if (slot === undefined || spki === undefined) continue;
          const key = tufKeyFromSpki(spki);
          const policies = readSlotPolicies(session, slot.slot, spki);
          found.push({ slot: slot.slot, use: slot.use, ...keyJson(key), pin: policies?.pin ?? null, touch: policies?.touch ?? null });
        }
        return found.sort((a, b) => String(a['slot']).localeCompare(String(b['slot'])));
      });
      ctx.out.print(`${s.bold(t.serial ? `YubiKey #${t.serial}` : t.token.label)} (${t.convention})`);
      if (slots.length === 0) ctx.out.print('  no keys in PIV slots');
      for (const k of slots) {
        const policy = k['touch'] !== null ? `  touch ${String(k['touch'])}, PIN ${String(k['pin'])}` : '';
        ctx.out.print(`  ${String(k['slot'])}  ${String(k['keyid'])}  ${String(k['scheme']).padEnd(20)}${policy}`);
      }
      yubikeys.push({ serial: t.serial ?? null, token: t.token.label, module: t.convention, slots });
    }
    return { usb: usb.map((u) => ({ product: u.product, serial: u.serial ?? null, ccid: u.ccid })), yubikeys };
  },
});

const importCommand = command({
  name: 'import',
  summary: 'read the public key of a PIV slot as a TUF key',
  description:
    'Read the public key in a YubiKey PIV slot (default 9c, "digital signature"), print its keyid and the ' +
    'yubikey: signer URI that signs with it, and write it as a TUF key object with --out. No PIN is needed.',
  options: [...SLOT_OPTIONS, ...MODULE_OPTIONS, PIN_ENV_OPTION, WAIT_OPTION, ...OUTPUT_OPTIONS],
  examples: ['tufkit key yubikey import --slot 9c --out keys/alice.pub', 'tufkit key yubikey import --serial 12345678 --pin-env YK_PIN --store-uri -o alice.pub'],
  async run(ctx) {
    return report(ctx, await importYubiKeyKey(uriFromOptions(ctx), signerUriOptions(ctx)), 'imported');
  },
});

const generate = command({
  name: 'generate',
  summary: 'generate a key pair in a PIV slot',
  description:
    'Generate a key pair on the YubiKey itself (the private key never leaves it) and print it as import does. ' +
    "With Yubico's ykcs11 this needs the PIV management key (hex), read from the variable named by " +
    '--management-key-env or at a hidden prompt; --touch and --pin-policy set the slot policies. A slot that ' +
    'holds a key is overwritten only with --force.',
  options: [
    ...SLOT_OPTIONS,
    { name: 'type', short: 't', kind: 'value', valueName: 'TYPE', choices: YUBIKEY_ALGORITHMS, default: 'ecdsa-p256', description: 'key type' },
    { name: 'touch', kind: 'value', valueName: 'POLICY', choices: ['always', 'cached', 'never'], description: 'touch policy (ykcs11)' },
    { name: 'pin-policy', kind: 'value', valueName: 'POLICY', choices: ['always', 'once', 'never'], description: 'PIN policy (ykcs11)' },
    secretEnvOption('management-key-env', 'the PIV management key'),
    { name: 'force', kind: 'flag', description: 'overwrite a key the slot holds (it is lost)' },
    ...MODULE_OPTIONS,
    PIN_ENV_OPTION,
    WAIT_OPTION,
    ...OUTPUT_OPTIONS,
  ],
  examples: ['tufkit key yubikey generate --slot 9c --touch always --management-key-env YK_MGMT -o keys/alice.pub'],
  async run(ctx) {
    const io = { env: ctx.env, stdin: ctx.stdin, stderr: ctx.out.stderr };
    const touch = ctx.options.value('touch');
    const options = signerUriOptions(ctx);
    const pinPolicy = ctx.options.value('pin-policy') as 'always' | 'once' | 'never' | undefined;
    const imported = await generateYubiKeyKey(uriFromOptions(ctx, touch !== undefined ? { touch } : {}), {
      ...options,
      algorithm: ctx.options.required('type') as (typeof YUBIKEY_ALGORITHMS)[number],
      ...(touch !== undefined ? { touch: touch as 'always' | 'cached' | 'never' } : {}),
      ...(pinPolicy !== undefined ? { pinPolicy } : {}),
      replace: ctx.options.flag('force'),
      authorization: async (request) =>
        request.userType === 'so'
          ? readSecret({ what: `PIV management key for ${request.tokenLabel}`, envVar: ctx.options.value('management-key-env'), envOption: '--management-key-env' }, io)
          : readSecret({ what: `PIN for ${request.tokenLabel}`, envVar: ctx.options.value('pin-env'), envOption: '--pin-env' }, io),
    });
    if (ctx.options.value('touch') === undefined && ctx.options.value('pin-policy') === undefined) {
      ctx.out.note("the slot keeps the device's default policies (touch: never); use --touch always to require a touch for each signature");
    }
    return report(ctx, imported, 'generated');
  },
});

/** `tufkit key yubikey`. */
export const yubikeyGroup = group({
  name: 'yubikey',
  summary: 'YubiKey PIV slots as signing keys: list, import, generate',
  description:
    'A YubiKey signs through its PIV applet over PKCS#11 (Yubico ykcs11, or OpenSC). Signer URIs look like ' +
    'yubikey:slot=9c;serial=12345678?pin-source=env:YK_PIN. PINs come from the variable named by --pin-env or a hidden prompt, never argv. ' +
    'Without a YubiKey, commands fail with "no YubiKey found" and say why (nothing on USB, pcscd not running, CCID disabled).',
  children: [list, importCommand, generate],
});
