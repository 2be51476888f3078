/**
 * What signer URIs are resolved with ({@link SignerUriOptions}), and where the secrets they
 * name come from: `pin-source=env:NAME` / `passphrase-source=env:NAME` read the environment,
 * `prompt` (or nothing) asks the hidden prompt the caller gives (the CLI's).
 */
import { PinError } from '../errors.js';
import type { Verifier } from '../verify/verifier.js';
import { pinFromPrompt, type PinSource, type SecretPrompt } from './pin.js';
import type { RsaScheme } from './tuf-key.js';

/** Options of `signerFromUri` (signer-uri.ts). */
export interface SignerUriOptions {
  /** The hidden prompt for `pin-source=prompt` / `passphrase-source=prompt` (the CLI passes its own). */
  readonly prompt?: SecretPrompt | undefined;
  /** Where `env:NAME` sources read (default `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Directory relative `file:` paths are resolved against (default the current directory). */
  readonly cwd?: string | undefined;
  /** PKCS#11 module for `pkcs11:` URIs that name none (default `TUFKIT_PKCS11_MODULE`). */
  readonly modulePath?: string | undefined;
  /** Scheme of an RSA key read from a token or file (default `rsassa-pss-sha256`). */
  readonly rsaScheme?: RsaScheme | undefined;
  /** Verifier of the check after each signature (default: the process default). */
  readonly verifier?: Verifier | undefined;
  /** YubiKey specifics: the touch prompt, waiting for insertion, module locations. */
  readonly yubikey?: YubiKeyOptions | undefined;
}

/** YubiKey options of {@link SignerUriOptions}. */
export interface YubiKeyOptions {
  /** Where "touch your YubiKey" goes (default: a line on stderr). */
  readonly onTouch?: ((message: string) => void) | undefined;
  /** Wait this long for the YubiKey to be inserted (default 0: fail at once). */
  readonly waitMs?: number | undefined;
  /** Told once when waiting for insertion starts (default: a line on stderr). */
  readonly onWait?: ((message: string) => void) | undefined;
}

/**
 * A secret source from a `pin-source` / `passphrase-source` value: `env:NAME` or `prompt`
 * (absent: the prompt, when there is one; else undefined).
 * @throws {@link PinError} for any other value (not echoed: it may be the secret itself).
 */
export function secretSourceFor(spec: string | undefined, options: SignerUriOptions, attribute: string): SecretPrompt | undefined {
  const env = options.env ?? process.env;
  if (spec === undefined) return options.prompt;
  if (spec.startsWith('env:')) {
    const name = spec.slice(4);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new PinError(`${attribute}=env:NAME: NAME must be an environment variable name`);
    return async () => {
      const value = env[name];
      if (value === undefined || value === '') throw new PinError(`the environment variable ${name} (named by ${attribute}) is not set`);
      return value;
    };
  }
  if (spec === 'prompt') {
    if (options.prompt === undefined) throw new PinError(`${attribute}=prompt: no interactive prompt here; use ${attribute}=env:NAME`);
    return options.prompt;
  }
  throw new PinError(`${attribute}: expected env:NAME or prompt (the value given is not shown; secrets are never read from files or URIs)`);
}

/** A PIN source from a `pin-source` value (see {@link secretSourceFor}). */
export function pinSourceFor(spec: string | undefined, options: SignerUriOptions): PinSource | undefined {
  const source = secretSourceFor(spec, options, 'pin-source');
  return source === undefined ? undefined : pinFromPrompt(source);
}

