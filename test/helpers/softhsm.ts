/**
 * Test helper: a private SoftHSM2 per test file, as the real PKCS#11 token.
 *
 * `createTestHsm()` makes a temporary directory with its own `softhsm2.conf` and token
 * directory and points this process at it (vitest runs each file in its own process), so
 * no system token is ever touched. Tokens are initialized through PKCS#11 (no PIN on any
 * command line); `pkcs11Tool()` runs OpenSC's pkcs11-tool for independent key setup and
 * checks, passing the PIN through an environment variable (`--pin env:NAME`).
 *
 * Others may reuse it:
 *
 * ```ts
 * const hsm = await createTestHsm();
 * const token = await hsm.addToken('root-1');
 * hsm.pkcs11Tool(['--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'k', '--id', '01'], token);
 * const signer = await signerFromUri(token.uri('object=k'), undefined, { env });
 * afterAll(() => hsm.cleanup());
 * ```
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activateSoftHsm, createSoftHsm, findSoftHsmModule, initSoftHsmToken, type SoftHsm } from '../../src/signers/softhsm.js';

/** The SoftHSM2 module, or undefined when SoftHSM2 is not installed (tests then skip). */
export const SOFTHSM_MODULE = findSoftHsmModule();
/** Whether pkcs11-tool (OpenSC) is installed. */
export const PKCS11_TOOL = ['/usr/bin/pkcs11-tool', '/usr/local/bin/pkcs11-tool'].find((p) => existsSync(p));

/** A token made for a test. */
export interface TestToken {
  readonly label: string;
  readonly serial: string;
  readonly soPin: string;
  readonly userPin: string;
  /** Name of an environment variable holding the user PIN (set by the helper). */
  readonly pinEnv: string;
  /** A pkcs11: URI for this token plus `path` attributes (e.g. `object=k`), PIN from {@link TestToken.pinEnv}. */
  uri(path?: string): string;
}

/** A private SoftHSM2 for one test file. */
export interface TestHsm extends SoftHsm {
  /** Initialize a token (PINs default to fresh random digits). */
  addToken(label: string, pins?: { userPin?: string; soPin?: string }): Promise<TestToken>;
  /** Run pkcs11-tool on this SoftHSM, logged in to `token` when given; returns stdout. */
  pkcs11Tool(args: readonly string[], token?: TestToken): string;
  /** Remove the directory. */
  cleanup(): void;
}

let envCounter = 0;

function randomDigits(n: number): string {
  let out = '';
  while (out.length < n) out += Math.floor(Math.random() * 10).toString();
  return out;
}

/** Create a private SoftHSM2 under a new temporary directory and activate it. */
export async function createTestHsm(prefix = 'tufkit-softhsm-'): Promise<TestHsm> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const hsm = createSoftHsm(dir);
  activateSoftHsm(hsm);
  return {
    ...hsm,
    async addToken(label, pins = {}) {
      const userPin = pins.userPin ?? randomDigits(8);
      const soPin = pins.soPin ?? randomDigits(8);
      const token = await initSoftHsmToken(hsm, { label, soPin, userPin });
      const pinEnv = `TUFKIT_TEST_PIN_${process.pid}_${++envCounter}`;
      process.env[pinEnv] = userPin;
      return {
        label,
        serial: token.serial,
        soPin,
        userPin,
        pinEnv,
        uri(path = '') {
          const attrs = [`token=${encodeURIComponent(label)}`, ...(path ? [path] : [])].join(';');
          return `pkcs11:${attrs}?module-path=${hsm.modulePath}&pin-source=env:${pinEnv}`;
        },
      };
    },
    pkcs11Tool(args, token) {
      if (PKCS11_TOOL === undefined) throw new Error('pkcs11-tool (OpenSC) is not installed');
      const login = token ? ['--token-label', token.label, '--login', '--pin', `env:${token.pinEnv}`] : [];
      return execFileSync(PKCS11_TOOL, ['--module', hsm.modulePath, ...login, ...args], {
        env: { ...process.env, SOFTHSM2_CONF: hsm.confPath },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
