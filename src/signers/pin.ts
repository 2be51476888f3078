/**
 * Where PINs (and passphrases) come from: an environment variable the user names, or a
 * hidden prompt. Never from a command line, a URI (`pin-value` is refused) or a file
 * tufkit writes; never echoed, logged or put into an error message.
 */
import { PinError } from '../errors.js';

/** What a PIN source is told when asked for a PIN (never contains secrets). */
export interface PinRequest {
  /** The token's label, e.g. `YubiKey PIV #12345678`. */
  readonly tokenLabel: string;
  /** The signer URI with secrets removed, for the prompt. */
  readonly uri: string;
  /** `user` for signing; `so` for administration (SO PIN, YubiKey management key). */
  readonly userType: 'user' | 'so';
  /** A warning the token gave (few tries left), to show with the prompt. */
  readonly warning?: string;
}

/** Obtains a PIN. Implementations must not log or echo it. */
export type PinSource = (request: PinRequest) => Promise<string>;

/** A hidden prompt: shows `message`, reads a line without echo. */
export type SecretPrompt = (message: string) => Promise<string>;

/** A PIN read from environment variable `name` when needed. @throws {@link PinError} when unset or empty. */
export function pinFromEnv(name: string): PinSource {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new PinError(`pin-source env:${name}: not an environment variable name`);
  return async () => {
    const value = process.env[name];
    if (value === undefined || value === '') throw new PinError(`the PIN environment variable ${name} is not set`);
    return value;
  };
}

/** What a prompt for `request` says, e.g. `PIN for token "root-1" (few tries left)`. */
export function pinPromptText(request: PinRequest): string {
  const who = request.userType === 'so' ? 'SO PIN' : 'PIN';
  const warning = request.warning ? ` (${request.warning})` : '';
  return `${who} for token "${request.tokenLabel}"${warning}`;
}

/** A PIN asked with `prompt` (which must hide the input). */
export function pinFromPrompt(prompt: SecretPrompt): PinSource {
  return async (request) => {
    const pin = await prompt(pinPromptText(request));
    if (pin === '') throw new PinError(`no PIN entered for token "${request.tokenLabel}"`);
    return pin;
  };
}
