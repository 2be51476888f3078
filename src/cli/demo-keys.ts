/**
 * The keys `tufkit demo` signs with. One function decides where they live.
 *
 * By default the offline roles' keys (root, targets) are ECDSA P-256 keys generated on a
 * private SoftHSM2 token — the way Sigstore's root keys live on YubiKeys — and the online
 * roles' keys (timestamp, snapshot, the hashed bins) are Ed25519 file keys, PKCS#8
 * encrypted (scrypt), as an online signing service would hold them. Where SoftHSM2 is not
 * installed, every key is a file key and the description says so.
 *
 * Secrets: the token's user PIN is `TUFKIT_DEMO_PIN` when set, the file keys' passphrase
 * `TUFKIT_DEMO_PASSPHRASE` when set (so the demo repository can be edited afterwards: the
 * signer URIs in `tufkit.json` name those variables; SoftHSM also needs
 * `SOFTHSM2_CONF=DIR/work/softhsm/softhsm2.conf`); otherwise random one-time secrets that are
 * kept in memory only, never stored or shown. The token's SO PIN is always random and
 * forgotten: the demo token needs no administration.
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Key } from '../metadata/key.js';
import type { Signer } from '../metadata/signer.js';
import { FileSigner } from '../signers/file.js';
import { publicKeyPath, writePublicKeyFile } from '../signers/key-files.js';
import { generateTokenKeyPair } from '../signers/pkcs11/generate.js';
import { Pkcs11Signer } from '../signers/pkcs11/signer.js';
import { createSoftHsm, findSoftHsmModule, initSoftHsmToken } from '../signers/softhsm.js';

/** A demo key: its public key, the signer URI recorded in tufkit.json, its signer. */
export interface DemoKey {
  readonly key: Key;
  readonly uri: string;
  readonly signer: Signer;
}

/** What {@link provisionDemoKeys} made. */
export interface DemoKeys {
  /** One key per name asked for. */
  readonly keys: ReadonlyMap<string, DemoKey>;
  /** Lines saying where the keys are and how they are protected. */
  readonly description: string[];
  /** The passphrase of the key files (in memory only). */
  readonly passphrase: string;
}

/** The variable that names a reusable demo passphrase. */
export const DEMO_PASSPHRASE_ENV = 'TUFKIT_DEMO_PASSPHRASE';
/** The variable that names a reusable demo token PIN. */
export const DEMO_PIN_ENV = 'TUFKIT_DEMO_PIN';
/** The demo token's label. */
export const DEMO_TOKEN = 'tufkit-demo';
/** The keys that go on the token when SoftHSM2 is there: the offline roles'. */
export const DEMO_TOKEN_KEYS: readonly string[] = ['root', 'targets'];

type Env = Readonly<Record<string, string | undefined>>;

function secretFrom(env: Env, name: string): { value: string; given: boolean } {
  const given = env[name];
  return given !== undefined && given !== '' ? { value: given, given: true } : { value: randomBytes(24).toString('base64url'), given: false };
}

/**
 * Make one key per name: `DEMO_TOKEN_KEYS` on a private SoftHSM token in `workDir/softhsm/`
 * (when SoftHSM2 is installed), the others as files in `workDir/keys/` (`NAME.pem` +
 * `NAME.pem.pub`, URIs relative to `workDir`).
 */
export async function provisionDemoKeys(workDir: string, names: readonly string[], env: Env): Promise<DemoKeys> {
  const keys = new Map<string, DemoKey>();
  const description: string[] = [];
  const modulePath = findSoftHsmModule();
  const onToken = modulePath === undefined ? [] : names.filter((n) => DEMO_TOKEN_KEYS.includes(n));

  if (modulePath !== undefined && onToken.length > 0) {
    const pin = secretFrom(env, DEMO_PIN_ENV);
    const hsm = createSoftHsm(join(workDir, 'softhsm'), modulePath);
    await initSoftHsmToken(hsm, { label: DEMO_TOKEN, soPin: randomBytes(24).toString('base64url'), userPin: pin.value });
    const pinSource = async (): Promise<string> => pin.value;
    for (const name of onToken) {
      const context = `pkcs11:token=${DEMO_TOKEN};object=${name}`;
      const token = { token: DEMO_TOKEN };
      await generateTokenKeyPair({ modulePath, token, algorithm: 'ecdsa-p256', label: name, pin: pinSource, context });
      const signer = await Pkcs11Signer.create({ modulePath, token, key: { label: name } }, { pin: pinSource, context });
      const uri = `${context}?module-path=${encodeURIComponent(modulePath).replace(/%2F/g, '/')}&pin-source=env:${DEMO_PIN_ENV}`;
      keys.set(name, { key: signer.publicKey, uri, signer });
    }
    description.push(
      `${onToken.join(', ')}: ECDSA P-256 keys generated on SoftHSM2 token "${DEMO_TOKEN}" (${hsm.dir}), non-extractable, ` +
        (pin.given ? `user PIN from $${DEMO_PIN_ENV}` : `one-time random user PIN not stored (set $${DEMO_PIN_ENV} to keep the token usable)`),
    );
  } else if (modulePath === undefined) {
    description.push('SoftHSM2 is not installed (apt-get install softhsm2): every key is a file key');
  }

  const inFiles = names.filter((n) => !keys.has(n));
  const passphrase = secretFrom(env, DEMO_PASSPHRASE_ENV);
  if (inFiles.length > 0) {
    const dir = join(workDir, 'keys');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const name of inFiles) {
      const path = join(dir, `${name}.pem`);
      const signer = await FileSigner.generate('ed25519').writeFile(path, passphrase.value);
      await writePublicKeyFile(publicKeyPath(path), signer.publicKey);
      keys.set(name, { key: signer.publicKey, uri: `file:keys/${name}.pem`, signer });
    }
    description.push(
      `${inFiles.join(', ')}: Ed25519 file keys in ${dir}, PKCS#8 ` +
        (passphrase.given
          ? `encrypted with the passphrase in $${DEMO_PASSPHRASE_ENV}`
          : `encrypted with a one-time random passphrase that was not stored (set $${DEMO_PASSPHRASE_ENV} to keep them usable)`),
    );
  }
  // Report in the order asked.
  return { keys: new Map(names.map((n) => [n, keys.get(n) as DemoKey])), passphrase: passphrase.value, description };
}
