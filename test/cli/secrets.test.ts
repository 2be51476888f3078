/**
 * Secrets for the command line: from the environment variable a flag names, or from a
 * hidden prompt on a terminal (raw mode, nothing echoed); never from argv, never printed.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { promptHidden, readSecret, type SecretIo } from '../../src/cli/secrets.js';
import { UsageError } from '../../src/errors.js';
import { Capture } from '../helpers/cli.js';

/** A fake terminal: a stream with isTTY and a recorded setRawMode. */
function terminal(): { stdin: PassThrough & { isTTY: boolean; setRawMode(mode: boolean): void; rawModes: boolean[] }; stderr: Capture } {
  const stdin = Object.assign(new PassThrough(), {
    isTTY: true,
    rawModes: [] as boolean[],
    setRawMode(mode: boolean) {
      this.rawModes.push(mode);
    },
  });
  return { stdin, stderr: new Capture(true) };
}

describe('readSecret from the environment', () => {
  const io = (env: Record<string, string>): SecretIo => ({ env, stdin: new PassThrough(), stderr: new Capture() });

  it('reads the variable the flag names', async () => {
    expect(await readSecret({ what: 'passphrase', envVar: 'MY_PASS' }, io({ MY_PASS: 'correct horse' }))).toBe('correct horse');
  });

  it('names an unset or empty variable without printing anything secret', async () => {
    await expect(readSecret({ what: 'passphrase', envVar: 'NOPE' }, io({}))).rejects.toThrow(/environment variable NOPE \(named by --passphrase-env\) is not set/);
    await expect(readSecret({ what: 'PIN', envVar: 'E', envOption: '--pin-env' }, io({ E: '' }))).rejects.toThrow(/E \(named by --pin-env\) is empty/);
  });

  it('refuses a value given where a variable name belongs', async () => {
    const err = await readSecret({ what: 'passphrase', envVar: 'hunter2!' }, io({})).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).not.toContain('hunter2');
  });

  it('without a variable and without a terminal, says how to give the secret', async () => {
    await expect(readSecret({ what: 'passphrase for k.pem' }, io({}))).rejects.toThrow(/standard input is not a terminal.*--passphrase-env VAR/);
  });
});

describe('hidden prompt', () => {
  it('reads a line in raw mode without echoing it; backspace and escape sequences are handled', async () => {
    const { stdin, stderr } = terminal();
    const answer = promptHidden('Passphrase: ', { env: {}, stdin, stderr });
    stdin.write('secx\u007f');
    stdin.write('r\u001b[Det\r');
    expect(await answer).toBe('secret');
    expect(stdin.rawModes).toEqual([true, false]);
    expect(stderr.text).toBe('Passphrase: \n');
  });

  it('Ctrl-C cancels with a UsageError and restores the terminal', async () => {
    const { stdin, stderr } = terminal();
    const answer = promptHidden('PIN: ', { env: {}, stdin, stderr });
    stdin.write('12\u0003');
    await expect(answer).rejects.toThrow(/cancelled/);
    expect(stdin.rawModes).toEqual([true, false]);
  });

  it('asks twice for a new secret until both entries agree', async () => {
    const { stdin, stderr } = terminal();
    const answer = readSecret({ what: 'new passphrase', confirm: true }, { env: {}, stdin, stderr });
    const feed = async (text: string) => {
      await new Promise((r) => setImmediate(r));
      stdin.write(text);
    };
    await feed('alpha1\r');
    await feed('beta2\r');
    await feed('\r'); // empty: asked again
    await feed('gamma3\r');
    await feed('gamma3\r');
    expect(await answer).toBe('gamma3');
    expect(stderr.text).toContain('the two entries differ');
    expect(stderr.text).not.toMatch(/alpha1|beta2|gamma3/);
  });
});
