/**
 * `tufkit key generate` / `tufkit key list`, run as the real binary in temporary directories.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileSigner } from '../../src/signers/file.js';
import { ensureBuilt, runBinary } from '../helpers/cli.js';
import { tempDir } from '../helpers/repo.js';

beforeAll(() => ensureBuilt());

describe('tufkit key', () => {
  it('generates an encrypted key with the passphrase from --passphrase-env, lists it, and the passphrase opens it', async () => {
    const cwd = tempDir('cli-key');
    const env = { KEY_PASS: 'a passphrase' };
    const gen = await runBinary(['key', 'generate', '--type', 'ecdsa-p256', '--passphrase-env', 'KEY_PASS', 'keys/root.pem', '--json'], { cwd, env });
    expect(gen.code, gen.stderr).toBe(0);
    const out = JSON.parse(gen.stdout);
    expect(out).toMatchObject({ keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', encrypted: true });
    expect(gen.stdout + gen.stderr).not.toContain('a passphrase');
    const signer = await FileSigner.fromFile(join(cwd, 'keys', 'root.pem'), { passphrase: 'a passphrase' });
    expect(signer.publicKey.keyid).toBe(out.keyid);

    const list = await runBinary(['key', 'list', '--json'], { cwd });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).keys).toEqual([expect.objectContaining({ keyid: out.keyid, encrypted: true })]);
  });

  it('refuses to overwrite, to prompt without a terminal, and names a missing variable (exit 2, nothing written)', async () => {
    const cwd = tempDir('cli-key');
    expect((await runBinary(['key', 'generate', '--unencrypted', 'k.pem'], { cwd })).code).toBe(0);
    const before = readFileSync(join(cwd, 'k.pem'));
    const again = await runBinary(['key', 'generate', '--unencrypted', 'k.pem'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists; not overwriting/);
    expect(readFileSync(join(cwd, 'k.pem')).equals(before)).toBe(true);

    const noTty = await runBinary(['key', 'generate', 'other.pem'], { cwd });
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toMatch(/standard input is not a terminal/);
    const noVar = await runBinary(['key', 'generate', '--passphrase-env', 'UNSET_VAR', 'other.pem'], { cwd });
    expect(noVar.code).toBe(2);
    expect(noVar.stderr).toMatch(/UNSET_VAR .* is not set/);
    expect(readdirSync(cwd).sort()).toEqual(['k.pem', 'k.pem.pub']);
  });
});
