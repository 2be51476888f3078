/**
 * How commands resolve signer URIs (`--signer URI`): the options every signer command
 * shares (`--pin-env VAR`, `--wait SECONDS`) and the {@link SignerUriOptions} built from
 * them: secrets from the variable named by `--pin-env` or a hidden prompt (never argv),
 * "touch your YubiKey" and "insert your YubiKey" on stderr.
 */
import type { SignerUriOptions } from '../signers/uri-options.js';
import type { CommandContext, OptionSpec } from './command.js';
import { readSecret, secretEnvOption } from './secrets.js';

/** `--pin-env VAR`: the PIN (or file-key passphrase) of `--signer` URIs that name no source. */
export const PIN_ENV_OPTION: OptionSpec = secretEnvOption('pin-env', 'the PIN or passphrase of a signer whose URI names no pin-source');

/** `--wait SECONDS`: how long to wait for a YubiKey to be inserted. */
export const WAIT_OPTION: OptionSpec = {
  name: 'wait',
  kind: 'value',
  valueName: 'SECONDS',
  default: '0',
  description: 'wait up to SECONDS for the YubiKey to be inserted',
};

/**
 * The options for `signerFromUri` in a command: `pin-source=prompt` (or none) reads the
 * variable named by `--pin-env`, else asks at a hidden prompt.
 */
export function signerUriOptions(ctx: CommandContext): SignerUriOptions {
  const declared = (name: string): boolean => {
    try {
      ctx.options.value(name);
      return true;
    } catch {
      return false;
    }
  };
  const envVar = declared('pin-env') ? ctx.options.value('pin-env') : undefined;
  const waitSeconds = declared('wait') ? (ctx.options.integer('wait', 0, 3600) ?? 0) : 0;
  const io = { env: ctx.env, stdin: ctx.stdin, stderr: ctx.out.stderr };
  return {
    env: ctx.env,
    cwd: ctx.cwd,
    prompt: (what: string) => readSecret({ what, envVar, envOption: '--pin-env' }, io),
    yubikey: {
      waitMs: waitSeconds * 1000,
      onTouch: (message) => ctx.out.stderr.write(`${message}\n`),
      onWait: (message) => ctx.out.stderr.write(`${message}\n`),
    },
  };
}
