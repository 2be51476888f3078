/**
 * A private SoftHSM2 (software PKCS#11 token) for demos, tests and benchmarks: its own
 * configuration file and token directory under a directory you choose, so no system
 * token is ever touched.
 *
 * SoftHSM reads `SOFTHSM2_CONF` when the module is initialized, so {@link activateSoftHsm}
 * sets it for this process; tokens are created through PKCS#11 itself (C_InitToken,
 * C_InitPIN), so no PIN ever goes on a command line.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SignerError, TokenNotFoundError } from '../errors.js';
import { CKF_SESSION, CKF_TOKEN, CKU } from './pkcs11/constants.js';
import { acquireModule, openModuleCount, pkcs11Failure } from './pkcs11/module.js';
import { listTokens, type TokenSummary } from './pkcs11/token.js';

/** Where SoftHSM2's module is looked for (Debian/Ubuntu, Fedora, Homebrew, FreeBSD). */
export const SOFTHSM_MODULE_CANDIDATES = [
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so',
];

/** The SoftHSM2 module on this machine (`SOFTHSM2_MODULE` overrides), or undefined. */
export function findSoftHsmModule(): string | undefined {
  const fromEnv = process.env['SOFTHSM2_MODULE'];
  if (fromEnv) return existsSync(fromEnv) ? fromEnv : undefined;
  return SOFTHSM_MODULE_CANDIDATES.find((p) => existsSync(p));
}

/** A private SoftHSM2 instance. */
export interface SoftHsm {
  /** The directory holding the configuration and the tokens. */
  readonly dir: string;
  /** The configuration file (the value of `SOFTHSM2_CONF`). */
  readonly confPath: string;
  /** The token directory. */
  readonly tokenDir: string;
  /** The SoftHSM2 PKCS#11 module. */
  readonly modulePath: string;
}

/**
 * Create (or reuse) a private SoftHSM2 configuration and token directory under `dir`.
 * @throws {@link SignerError} when SoftHSM2 is not installed.
 */
export function createSoftHsm(dir: string, modulePath = findSoftHsmModule()): SoftHsm {
  if (modulePath === undefined) throw new SignerError('SoftHSM2 is not installed (apt install softhsm2), or set SOFTHSM2_MODULE');
  const root = resolve(dir);
  const tokenDir = join(root, 'tokens');
  mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
  const confPath = join(root, 'softhsm2.conf');
  writeFileSync(confPath, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`, { mode: 0o600 });
  return { dir: root, confPath, tokenDir, modulePath };
}

/**
 * Point this process's SoftHSM2 at `hsm` (sets `SOFTHSM2_CONF`).
 * @throws {@link SignerError} while a module is loaded: SoftHSM reads the setting only when initialized.
 */
export function activateSoftHsm(hsm: SoftHsm): void {
  if (process.env['SOFTHSM2_CONF'] === hsm.confPath) return;
  if (openModuleCount() > 0) throw new SignerError('cannot switch SoftHSM configuration while a PKCS#11 module is in use');
  process.env['SOFTHSM2_CONF'] = hsm.confPath;
}

/** Options of {@link initSoftHsmToken}. */
export interface SoftHsmTokenOptions {
  /** Token label (at most 32 bytes). */
  readonly label: string;
  /** Security officer PIN. */
  readonly soPin: string;
  /** User PIN. */
  readonly userPin: string;
}

/**
 * Initialize a new token labelled `options.label` in the free slot of `hsm` and set its
 * user PIN. Returns the token as the module lists it.
 * @throws {@link SignerError} when a token with that label exists or SoftHSM refuses.
 */
export async function initSoftHsmToken(hsm: SoftHsm, options: SoftHsmTokenOptions): Promise<TokenSummary> {
  if (Buffer.byteLength(options.label, 'utf8') > 32) throw new SignerError(`token label ${JSON.stringify(options.label)}: longer than 32 bytes`);
  activateSoftHsm(hsm);
  const context = `softhsm:${hsm.dir}`;
  const lease = acquireModule(hsm.modulePath);
  try {
    const lib = lease.module.lib;
    const tokens = listTokens(lease.module, context);
    if (tokens.some((t) => t.label === options.label && t.flags & CKF_TOKEN.TOKEN_INITIALIZED)) {
      throw new SignerError(`${context}: a token labelled ${JSON.stringify(options.label)} exists already`);
    }
    const free = tokens.find((t) => (t.flags & CKF_TOKEN.TOKEN_INITIALIZED) === 0);
    if (free === undefined) throw new TokenNotFoundError(`${context}: no free SoftHSM slot`);
    try {
      lib.C_InitToken(free.slot, options.soPin, options.label.padEnd(32, ' '));
    } catch (err) {
      throw pkcs11Failure('C_InitToken', err, context);
    }
    // SoftHSM moves the new token to a slot of its own: list again.
    const token = listTokens(lease.module, context).find((t) => t.label === options.label && t.flags & CKF_TOKEN.TOKEN_INITIALIZED);
    if (token === undefined) throw new TokenNotFoundError(`${context}: token ${JSON.stringify(options.label)} not found after initialization`);
    const session = lib.C_OpenSession(token.slot, CKF_SESSION.SERIAL_SESSION | CKF_SESSION.RW_SESSION);
    try {
      lib.C_Login(session, CKU.SO, options.soPin);
      try {
        lib.C_InitPIN(session, options.userPin);
      } finally {
        lib.C_Logout(session);
      }
    } catch (err) {
      throw pkcs11Failure('C_InitPIN', err, context);
    } finally {
      lib.C_CloseSession(session);
    }
    return listTokens(lease.module, context).find((t) => t.slotId === token.slotId) ?? token;
  } finally {
    lease.release();
  }
}
