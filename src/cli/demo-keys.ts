/**
 * The keys `tufkit demo` signs with. One function decides where they live, so the demo can
 * switch from file keys to token-backed keys (SoftHSM) without touching the rest of it.
 *
 * Today: one ed25519 file key per role, PKCS#8 encrypted (scrypt) under one passphrase —
 * `TUFKIT_DEMO_PASSPHRASE` when set (so the demo repository can be edited afterwards with
 * `--passphrase-env TUFKIT_DEMO_PASSPHRASE`), otherwise a random one-time passphrase that is
 * never stored or shown (the demo repository can then be verified and served, not re-signed).
 */
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Key } from '../metadata/key.js';
import type { Signer } from '../metadata/signer.js';
import { FileSigner } from '../signers/file.js';
import { publicKeyPath, writePublicKeyFile } from '../signers/key-files.js';

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
  /** One line saying where the keys are and how they are protected. */
  readonly description: string;
  /** The passphrase of the key files (in memory only). */
  readonly passphrase: string;
}

/** The variable that names a reusable demo passphrase. */
export const DEMO_PASSPHRASE_ENV = 'TUFKIT_DEMO_PASSPHRASE';

/**
 * Make one key per name in `workDir/keys/` (`NAME.pem` + `NAME.pem.pub`), URIs relative to `workDir`.
 */
export async function provisionDemoKeys(workDir: string, names: readonly string[], env: Readonly<Record<string, string | undefined>>): Promise<DemoKeys> {
  const fromEnv = env[DEMO_PASSPHRASE_ENV];
  const passphrase = fromEnv !== undefined && fromEnv !== '' ? fromEnv : randomBytes(24).toString('base64url');
  const dir = join(workDir, 'keys');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const keys = new Map<string, DemoKey>();
  for (const name of names) {
    const path = join(dir, `${name}.pem`);
    const signer = await FileSigner.generate('ed25519').writeFile(path, passphrase);
    await writePublicKeyFile(publicKeyPath(path), signer.publicKey);
    keys.set(name, { key: signer.publicKey, uri: `file:keys/${name}.pem`, signer });
  }
  const protection =
    fromEnv !== undefined && fromEnv !== ''
      ? `encrypted with the passphrase in $${DEMO_PASSPHRASE_ENV}`
      : `encrypted with a one-time random passphrase that was not stored (set $${DEMO_PASSPHRASE_ENV} to keep them usable)`;
  return { keys, passphrase, description: `${names.length} ed25519 file keys in ${dir}, ${protection}` };
}
