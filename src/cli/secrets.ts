/**
 * Secrets (key passphrases, token PINs) for the command line — the one way every command
 * reads them, shared by the file-key, PKCS#11 and YubiKey commands.
 *
 * Rules:
 * - a secret is never an argument or an option value (the parser refuses to declare such
 *   options, see parse.ts), never printed, never put in an error message;
 * - it comes from an environment variable whose NAME the user gives with a flag
 *   (`--passphrase-env VAR`, `--pin-env VAR`; declare them with {@link secretEnvOption}), or
 * - from a hidden prompt: the terminal is put in raw mode and nothing is echoed.
 *   Standard input must be a TTY; otherwise the user is told to use the `--…-env` flag.
 *
 * Library code (src/signers, src/repository) never prompts: it takes a
 * {@link SecretProvider} callback, which the command line builds with {@link secretProvider}.
 */
import { UsageError } from '../errors.js';
import type { OptionSpec } from './command.js';

/** Asks for one secret; `what` says which (e.g. `passphrase for keys/root.pem`). */
export type SecretProvider = (what: string) => Promise<string>;

/** The streams and environment a secret is read from. */
export interface SecretIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly stderr: { write(text: string): unknown };
}

/** How to obtain a secret. */
export interface SecretRequest {
  /** What is asked for, shown in the prompt: e.g. `passphrase for keys/root.pem`. */
  readonly what: string;
  /** The environment variable to read it from (the value of a `--…-env VAR` option), if any. */
  readonly envVar?: string | undefined;
  /** The option that named `envVar`, for messages (e.g. `--passphrase-env`). */
  readonly envOption?: string;
  /** Ask twice and require the same answer (a new passphrase). */
  readonly confirm?: boolean;
  /** Accept an empty secret (default false). */
  readonly allowEmpty?: boolean;
}

/**
 * A `--NAME-env VAR` option: the name of the environment variable holding a secret.
 * @param name e.g. `passphrase-env`, `pin-env`
 */
export function secretEnvOption(name = 'passphrase-env', what = 'the passphrase'): OptionSpec {
  return {
    name,
    kind: 'value',
    valueName: 'VAR',
    description: `read ${what} from environment variable VAR (otherwise a hidden prompt asks for it)`,
  };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Read a secret from `request.envVar` or, without one, from a hidden prompt.
 * @throws {@link UsageError} when the variable is unset, empty (unless allowed) or the
 *   prompt cannot be shown (no TTY), or the user cancels; the message never holds the secret.
 */
export async function readSecret(request: SecretRequest, io: SecretIo): Promise<string> {
  const option = request.envOption ?? '--passphrase-env';
  if (request.envVar !== undefined) {
    if (!ENV_NAME.test(request.envVar)) {
      throw new UsageError(`${option} takes the NAME of an environment variable (letters, digits, _), not a value`);
    }
    const value = io.env[request.envVar];
    if (value === undefined) throw new UsageError(`environment variable ${request.envVar} (named by ${option}) is not set`);
    if (value === '' && !request.allowEmpty) throw new UsageError(`environment variable ${request.envVar} (named by ${option}) is empty`);
    return value;
  }
  if (io.stdin.isTTY !== true || typeof io.stdin.setRawMode !== 'function') {
    throw new UsageError(`cannot ask for the ${request.what}: standard input is not a terminal; put it in an environment variable and name it with ${option} VAR`);
  }
  for (;;) {
    const first = await promptHidden(`${capitalise(request.what)}: `, io);
    if (first === '' && !request.allowEmpty) {
      io.stderr.write('(empty; try again)\n');
      continue;
    }
    if (!request.confirm) return first;
    const second = await promptHidden(`${capitalise(request.what)} (again): `, io);
    if (first === second) return first;
    io.stderr.write('(the two entries differ; try again)\n');
  }
}

/**
 * A {@link SecretProvider} for library code: every request reads `envVar` when given,
 * else prompts. Answers are not cached (the caller decides whether to reuse one).
 */
export function secretProvider(io: SecretIo, envVar: string | undefined, envOption = '--passphrase-env'): SecretProvider {
  return (what: string) => readSecret({ what, envVar, envOption }, io);
}

/**
 * Show `prompt` on stderr and read one line from the terminal without echoing it.
 * Backspace deletes, Ctrl-C and Ctrl-D (on an empty line) cancel.
 * @throws {@link UsageError} when cancelled.
 */
export function promptHidden(prompt: string, io: SecretIo): Promise<string> {
  const stdin = io.stdin;
  return new Promise<string>((resolve, reject) => {
    let answer = '';
    let escape = false; // inside an escape sequence (arrow keys, ...): ignored
    const finish = (error?: Error) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (chunk: Buffer | string) => {
      const text = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
      for (const ch of text) {
        if (escape) {
          if (/[A-Za-z~]/.test(ch)) escape = false;
          continue;
        }
        if (ch === '\u001b') {
          escape = true;
          continue;
        }
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new UsageError('cancelled'));
        if (ch === '\u0004') {
          if (answer === '') return finish(new UsageError('cancelled'));
          continue;
        }
        if (ch === '\u007f' || ch === '\b') {
          answer = Array.from(answer).slice(0, -1).join('');
          continue;
        }
        if (ch === '\u0015') {
          answer = ''; // Ctrl-U: erase the line
          continue;
        }
        if (ch < ' ') continue; // other control characters
        answer += ch;
      }
    };
    io.stderr.write(prompt);
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
