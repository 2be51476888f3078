/**
 * `tufkit key pkcs11 list|import|generate`: keys on PKCS#11 tokens (HSMs, smart cards,
 * SoftHSM) as TUF signing keys, addressed by RFC 7512 `pkcs11:` URIs.
 */
import { resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { JsonValue } from '../../metadata/canonical-json.js';
import type { Key } from '../../metadata/key.js';
import { writePublicKeyFile } from '../../signers/key-files.js';
import { resolveModulePath } from '../../signers/module-path.js';
import { CKF_TOKEN } from '../../signers/pkcs11/constants.js';
import { TOKEN_KEY_ALGORITHMS, generateTokenKeyPair, type TokenKeyAlgorithm } from '../../signers/pkcs11/generate.js';
import { describeKey, listKeyObjects } from '../../signers/pkcs11/objects.js';
import { spkiFromObject } from '../../signers/pkcs11/public-key.js';
import { listModuleTokens, withSession } from '../../signers/pkcs11/session.js';
import { formatPkcs11Uri, parsePkcs11Uri, redactUri, type Pkcs11Uri } from '../../signers/pkcs11/uri.js';
import { signerFromUri, withSignerUri } from '../../signers/signer-uri.js';
import { tufKeyFromSpki, type RsaScheme } from '../../signers/tuf-key.js';
import { pinSourceFor } from '../../signers/uri-options.js';
import { command, group, type CommandContext, type OptionSpec } from '../command.js';
import { PIN_ENV_OPTION, signerUriOptions } from '../signer-options.js';
import { keyJson } from './key.js';

const URI_ARG = { name: 'URI', description: 'pkcs11: URI of the key (token=…;object=…[;id=…]?module-path=…[&pin-source=env:NAME])' };
const OUTPUT_OPTIONS: OptionSpec[] = [
  { name: 'out', short: 'o', kind: 'value', valueName: 'FILE', description: 'write the TUF public key (JSON) to FILE' },
  { name: 'store-uri', kind: 'flag', description: 'put the signer URI into the key object (x-tufkit-signer-uri; changes the keyid)' },
  { name: 'scheme', kind: 'value', valueName: 'SCHEME', choices: ['rsassa-pss-sha256', 'rsa-pkcs1v15-sha256'], description: 'scheme of an RSA key (default rsassa-pss-sha256)' },
];

function parseUriArg(ctx: CommandContext): { uri: string; parsed: Pkcs11Uri } {
  const uri = ctx.args.required('URI');
  if (!uri.toLowerCase().startsWith('pkcs11:')) throw new UsageError(`${redactUri(uri)}: expected a pkcs11: URI`);
  return { uri, parsed: parsePkcs11Uri(uri) };
}

async function report(ctx: CommandContext, key: Key, uri: string, verb: string): Promise<JsonValue> {
  const stored = ctx.options.flag('store-uri') ? withSignerUri(key, uri) : key;
  const out = ctx.options.value('out');
  if (out !== undefined) await writePublicKeyFile(resolve(ctx.cwd, out), stored);
  const s = ctx.out.style;
  ctx.out.print(`${s.green(verb)} ${stored.scheme} key ${s.bold(stored.keyid)}`);
  ctx.out.print(`  signer URI: ${redactUri(uri)}`);
  if (out !== undefined) ctx.out.print(`  public key: ${resolve(ctx.cwd, out)}`);
  return { ...keyJson(stored), uri: redactUri(uri), ...(out !== undefined ? { path: resolve(ctx.cwd, out) } : {}) };
}

const list = command({
  name: 'list',
  summary: 'list the tokens of a PKCS#11 module and the keys on them',
  description:
    'List the tokens a PKCS#11 module shows and, for each (or the one --token-label names), the public keys visible ' +
    'without logging in, with their keyid and a signer URI. --login also lists private keys (PIN from --pin-env or a prompt).',
  options: [
    { name: 'module-path', kind: 'value', valueName: 'PATH', description: 'the PKCS#11 module (absolute path)' },
    { name: 'module-name', kind: 'value', valueName: 'NAME', description: 'a module by name (softhsm2, ykcs11, opensc, ...)' },
    { name: 'token-label', kind: 'value', valueName: 'LABEL', description: 'only the token with this label' },
    { name: 'login', kind: 'flag', description: 'log in to list private keys too' },
    PIN_ENV_OPTION,
  ],
  async run(ctx) {
    const modulePath = resolveModulePath(
      { modulePath: ctx.options.value('module-path'), moduleName: ctx.options.value('module-name') },
      ctx.env['TUFKIT_PKCS11_MODULE'],
      'tufkit key pkcs11 list',
    );
    const wanted = ctx.options.value('token-label');
    const tokens = (await listModuleTokens(modulePath)).filter((t) => t.flags & CKF_TOKEN.TOKEN_INITIALIZED && (wanted === undefined || t.label === wanted));
    if (tokens.length === 0) ctx.out.print(wanted === undefined ? `no initialized token in ${modulePath}` : `no token labelled ${JSON.stringify(wanted)} in ${modulePath}`);
    const login = ctx.options.flag('login');
    const options = signerUriOptions(ctx);
    const result: JsonValue[] = [];
    for (const t of tokens) {
      const context = formatPkcs11Uri({ token: { token: t.label }, modulePath });
      const keys = await withSession(
        { modulePath, token: { token: t.label, serial: t.serial }, login: login ? 'user' : 'none', pin: pinSourceFor(undefined, options), context },
        async (session) => {
          const out: Array<{ [k: string]: JsonValue }> = [];
          for (const objectClass of ['public', 'private'] as const) {
            if (objectClass === 'private' && !login) continue;
            for (const obj of listKeyObjects(session, objectClass)) {
              let key: Key | undefined;
              try {
                const spki = spkiFromObject(session, obj.handle);
                key = spki ? tufKeyFromSpki(spki) : undefined;
              } catch {
                key = undefined; // a key type TUF does not sign with: listed without keyid
              }
              out.push({
                class: objectClass,
                label: obj.label,
                id: Buffer.from(obj.id).toString('hex'),
                type: obj.keyType,
                keyid: key?.keyid ?? null,
                scheme: key?.scheme ?? null,
                uri: formatPkcs11Uri({ token: { token: t.label }, key: { label: obj.label, id: obj.id }, modulePath }),
              });
            }
          }
          return out;
        },
      );
      const s = ctx.out.style;
      ctx.out.print(`${s.bold(`"${t.label}"`)} serial ${t.serial} slot-id ${t.slotId}${t.model ? ` (${t.model})` : ''}`);
      if (keys.length === 0) ctx.out.print(login ? '  no keys' : '  no public keys visible (try --login)');
      for (const k of keys) ctx.out.print(`  ${describeKey({ label: String(k['label']), id: Buffer.from(String(k['id']), 'hex'), keyType: String(k['type']), objectClass: String(k['class']) })}  ${k['keyid'] ?? ''}`);
      result.push({ label: t.label, serial: t.serial, slotId: t.slotId, keys });
    }
    return { module: modulePath, tokens: result };
  },
});

const importCommand = command({
  name: 'import',
  summary: 'read the public key of a token key as a TUF key',
  description: 'Read the public key the URI names (logging in only when the token hides it) and print its keyid; --out writes the TUF key object.',
  args: [URI_ARG],
  options: [...OUTPUT_OPTIONS, PIN_ENV_OPTION],
  examples: ["tufkit key pkcs11 import 'pkcs11:token=root-hsm;object=root-1?module-name=softhsm2&pin-source=env:HSM_PIN' -o keys/root-1.pub"],
  async run(ctx) {
    const { uri } = parseUriArg(ctx);
    const scheme = ctx.options.value('scheme') as RsaScheme | undefined;
    const signer = await signerFromUri(uri, undefined, { ...signerUriOptions(ctx), ...(scheme ? { rsaScheme: scheme } : {}) });
    return report(ctx, signer.publicKey, uri, 'imported');
  },
});

const generate = command({
  name: 'generate',
  summary: 'generate a key pair on a token',
  description:
    'Generate a key pair on the token the URI names (object= is the label of the new key; id= its CKA_ID, default the ' +
    'smallest free one). The private key is sensitive and not extractable: it never leaves the token. A key with the ' +
    'same label or id is never overwritten.',
  args: [URI_ARG],
  options: [{ name: 'type', short: 't', kind: 'value', valueName: 'TYPE', choices: TOKEN_KEY_ALGORITHMS, default: 'ecdsa-p256', description: 'key type' }, ...OUTPUT_OPTIONS, PIN_ENV_OPTION],
  examples: ["tufkit key pkcs11 generate --type ed25519 'pkcs11:token=root-hsm;object=root-2?module-name=softhsm2&pin-source=env:HSM_PIN'"],
  async run(ctx) {
    const { uri, parsed } = parseUriArg(ctx);
    if (parsed.key.label === undefined) throw new UsageError(`${redactUri(uri)}: give object=LABEL, the label of the new key`);
    const options = signerUriOptions(ctx);
    const modulePath = resolveModulePath(parsed, ctx.env['TUFKIT_PKCS11_MODULE'], redactUri(uri));
    const generated = await generateTokenKeyPair({
      modulePath,
      token: parsed.token,
      algorithm: ctx.options.required('type') as TokenKeyAlgorithm,
      label: parsed.key.label,
      id: parsed.key.id,
      pin: pinSourceFor(parsed.pinSource, options),
      context: redactUri(uri),
    });
    const scheme = ctx.options.value('scheme') as RsaScheme | undefined;
    const key = tufKeyFromSpki(generated.spki, { rsaScheme: scheme });
    const signerUri = formatPkcs11Uri({
      token: parsed.token,
      key: { label: generated.label, id: generated.id },
      ...(parsed.modulePath ? { modulePath: parsed.modulePath } : {}),
      ...(parsed.moduleName ? { moduleName: parsed.moduleName } : {}),
      ...(parsed.pinSource ? { pinSource: parsed.pinSource } : {}),
    });
    return report(ctx, key, signerUri, 'generated');
  },
});

/** `tufkit key pkcs11`. */
export const pkcs11Group = group({
  name: 'pkcs11',
  summary: 'keys on PKCS#11 tokens (HSMs, smart cards, SoftHSM): list, import, generate',
  description:
    'Keys are addressed by RFC 7512 URIs: pkcs11:token=LABEL;object=KEY?module-path=/path/module.so&pin-source=env:NAME. ' +
    'PINs come from the variable pin-source (or --pin-env) names, or a hidden prompt; pin-value is refused.',
  children: [list, importCommand, generate],
});
