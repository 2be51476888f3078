/**
 * `tufkit key pkcs11 ...` and `tufkit key yubikey ...` in-process, against a private
 * SoftHSM2 (tokens laid out as a generic HSM and as ykcs11 shows a YubiKey) and the real
 * ykcs11 module with no YubiKey inserted.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePublicKeyText } from '../../src/signers/key-files.js';
import { signerUriOf } from '../../src/signers/signer-uri.js';
import { runInProcess } from '../helpers/cli.js';
import { PKCS11_TOOL, SOFTHSM_MODULE, createTestHsm, type TestHsm, type TestToken } from '../helpers/softhsm.js';

const YKCS11 = '/usr/lib/x86_64-linux-gnu/libykcs11.so';

describe.runIf(SOFTHSM_MODULE !== undefined && PKCS11_TOOL !== undefined)('tufkit key pkcs11 / key yubikey on SoftHSM2', () => {
  let hsm: TestHsm;
  let token: TestToken;
  let yk: TestToken;
  let cwd: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    hsm = await createTestHsm('tufkit-cli-hsm-');
    token = await hsm.addToken('cli hsm');
    yk = await hsm.addToken('YubiKey PIV #424242');
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'Private key for Digital Signature', '--id', '02'], yk);
    cwd = mkdtempSync(join(tmpdir(), 'tufkit-cli-hw-'));
    env = { HSM_PIN: token.userPin, YK_PIN: yk.userPin, WRONG: '0000' };
  });
  afterAll(() => hsm?.cleanup());

  it('generates on the token, imports the same key, lists it; the PIN never appears', async () => {
    const uri = `pkcs11:token=cli%20hsm;object=root-1?module-path=${hsm.modulePath}&pin-source=env:HSM_PIN`;
    const gen = await runInProcess(['key', 'pkcs11', 'generate', '--type', 'ed25519', uri, '-o', 'root-1.pub', '--json'], { env, cwd });
    expect(gen.code, gen.stderr).toBe(0);
    const made = JSON.parse(gen.stdout);
    expect(made).toMatchObject({ keytype: 'ed25519', scheme: 'ed25519', uri: `pkcs11:token=cli%20hsm;object=root-1;id=%01?module-path=${hsm.modulePath}&pin-source=env:HSM_PIN` });
    expect(parsePublicKeyText(readFileSync(join(cwd, 'root-1.pub'), 'utf8'), 'root-1.pub').keyid).toBe(made.keyid);

    const imp = await runInProcess(['key', 'pkcs11', 'import', made.uri, '--store-uri', '-o', 'root-1-hint.pub', '--json'], { env, cwd });
    expect(imp.code, imp.stderr).toBe(0);
    const hinted = parsePublicKeyText(readFileSync(join(cwd, 'root-1-hint.pub'), 'utf8'), 'x');
    expect(signerUriOf(hinted)).toBe(made.uri);
    expect(JSON.parse(imp.stdout).keyid).toBe(hinted.keyid);

    const list = await runInProcess(['key', 'pkcs11', 'list', '--module-path', hsm.modulePath, '--token-label', 'cli hsm', '--json'], { env, cwd });
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout).tokens[0].keys).toEqual([expect.objectContaining({ class: 'public', label: 'root-1', keyid: made.keyid })]);

    const again = await runInProcess(['key', 'pkcs11', 'generate', uri], { env, cwd });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has .*root-1.*nothing was generated/);
    for (const r of [gen, imp, list, again]) expect(r.stdout + r.stderr).not.toContain(token.userPin);
  });

  it('a wrong PIN exits 1 with a typed message and no PIN; no source and no terminal exits with a hint', async () => {
    const uri = `pkcs11:token=cli%20hsm;object=root-1?module-path=${hsm.modulePath}&pin-source=env:WRONG`;
    const r = await runInProcess(['key', 'pkcs11', 'generate', uri.replace('root-1', 'root-9')], { env, cwd });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/wrong PIN for token "cli hsm"/);
    expect(r.stderr).not.toContain('0000');
    const noSource = await runInProcess(['key', 'pkcs11', 'list', '--module-path', hsm.modulePath, '--login'], { env, cwd });
    expect(noSource.code).toBe(2);
    expect(noSource.stderr).toMatch(/standard input is not a terminal.*--pin-env VAR/);
    const viaFlag = await runInProcess(['key', 'pkcs11', 'list', '--module-path', hsm.modulePath, '--token-label', 'cli hsm', '--login', '--pin-env', 'HSM_PIN', '--json'], { env, cwd });
    expect(viaFlag.code, viaFlag.stderr).toBe(0);
    expect(JSON.parse(viaFlag.stdout).tokens[0].keys.map((k: { class: string }) => k.class).sort()).toEqual(['private', 'public']);
  });

  it('key yubikey list / import / generate on a token laid out like ykcs11', async () => {
    const common = ['--module', 'ykcs11', '--module-path', hsm.modulePath];
    const list = await runInProcess(['key', 'yubikey', 'list', ...common, '--json'], { env, cwd });
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect(listed.yubikeys).toEqual([expect.objectContaining({ serial: '424242', slots: [expect.objectContaining({ slot: '9c', scheme: 'ecdsa-sha2-nistp256' })] })]);

    const imp = await runInProcess(['key', 'yubikey', 'import', ...common, '--pin-env', 'YK_PIN', '-o', 'yk.pub', '--json'], { env, cwd });
    expect(imp.code, imp.stderr).toBe(0);
    const imported = JSON.parse(imp.stdout);
    expect(imported).toMatchObject({ keyid: listed.yubikeys[0].slots[0].keyid, slot: '9c', serial: '424242' });
    expect(imported.uri).toBe(`yubikey:slot=9c;serial=424242?pin-source=env:YK_PIN&module=ykcs11&module-path=${hsm.modulePath}`);

    const gen = await runInProcess(['key', 'yubikey', 'generate', ...common, '--slot', '9d', '--pin-env', 'YK_PIN', '--json'], { env, cwd });
    expect(gen.code, gen.stderr).toBe(0);
    expect(JSON.parse(gen.stdout)).toMatchObject({ slot: '9d', scheme: 'ecdsa-sha2-nistp256' });
    const refused = await runInProcess(['key', 'yubikey', 'generate', ...common, '--slot', '9d', '--pin-env', 'YK_PIN'], { env, cwd });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already holds a key; pass replace \(--force\)/);
  });
});

describe.runIf(existsSync(YKCS11))('tufkit key yubikey with the real ykcs11 and no YubiKey', () => {
  it('list says no YubiKey found (exit 0); import fails with it (exit 1)', async () => {
    const list = await runInProcess(['key', 'yubikey', 'list', '--module', 'ykcs11']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/no YubiKey found/);
    const imp = await runInProcess(['key', 'yubikey', 'import', '--module', 'ykcs11']);
    expect(imp.code).toBe(1);
    expect(imp.stderr).toMatch(/no YubiKey found/);
  });
});
