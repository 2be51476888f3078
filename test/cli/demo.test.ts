/**
 * `tufkit demo` as the real binary: it runs end to end, leaves a published repository that
 * verifies independently from its 1.root.json (every role, every target), replaces an
 * earlier demo and refuses to overwrite anything else.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Metadata } from '../../src/metadata/metadata.js';
import { DirectorySource, verifyPublished } from '../../src/repository/verify-published.js';
import { ensureBuilt, runBinary } from '../helpers/cli.js';
import { tempDir } from '../helpers/repo.js';

beforeAll(() => ensureBuilt());

describe('tufkit demo', () => {
  it('runs every step and leaves a repository any client can use', async () => {
    const cwd = tempDir('demo');
    const r = await runBinary(['demo', 'out'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    for (let i = 1; i <= 9; i++) expect(r.stdout).toContain(`[${i}/9]`);
    expect(r.stdout).toMatch(/downloaded 1048576 bytes .* identical to the original/);
    expect(r.stdout).toMatch(/re-signed bins-[0-9a-f]; published 2\.bins-[0-9a-f]\.json, 2\.snapshot\.json, timestamp\.json/);
    expect(r.stdout).toMatch(/20\/20 roles and 25\/25 targets verified/);
    // The offline keys live on a private SoftHSM token, the online ones in encrypted files.
    expect(r.stdout).toMatch(/root, targets: ECDSA P-256 keys generated on SoftHSM2 token "tufkit-demo"/);
    expect(r.stdout).toMatch(/timestamp, snapshot, bins: Ed25519 file keys/);
    const published = join(cwd, 'out', 'repository');
    const root = Metadata.fromFile(join(published, 'metadata', '1.root.json'), { type: 'root' }).signed;
    expect(root.getKey(root.roles.get('root')!.keyids[0]!).scheme).toBe('ecdsa-sha2-nistp256');
    const config = readFileSync(join(cwd, 'out', 'work', 'tufkit.json'), 'utf8');
    expect(config).toContain('pin-source=env:TUFKIT_DEMO_PIN');
    expect(config).not.toMatch(/pin-value/);
    expect(existsSync(join(published, 'metadata', '1.root.json'))).toBe(true);
    const report = await verifyPublished(new DirectorySource(published), { checkTargets: true });
    expect(report.problems).toEqual([]);
    expect(report.targets?.checked).toBe(25);
    // A second run replaces the first demo.
    const again = await runBinary(['demo', 'out', '--json'], { cwd });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ repository: published, roles: 20, targets: 25 });
  });

  it('with TUFKIT_DEMO_PIN and TUFKIT_DEMO_PASSPHRASE the token and key files stay usable: rotate root afterwards', async () => {
    const cwd = tempDir('demo');
    const env = { TUFKIT_DEMO_PIN: 'demo-pin-4711', TUFKIT_DEMO_PASSPHRASE: 'demo-passphrase' };
    expect((await runBinary(['demo', 'out'], { cwd, env })).code).toBe(0);
    const work = join(cwd, 'out', 'work');
    const withToken = { ...env, SOFTHSM2_CONF: join(work, 'softhsm', 'softhsm2.conf') };
    const sign = await runBinary(['sign', work, '--role', 'root', '--bump', '--passphrase-env', 'TUFKIT_DEMO_PASSPHRASE'], { cwd, env: withToken });
    expect(sign.code, sign.stderr).toBe(0);
    const pub = await runBinary(['publish', work, '--passphrase-env', 'TUFKIT_DEMO_PASSPHRASE'], { cwd, env: withToken });
    expect(pub.code, pub.stderr).toBe(0);
    const published = join(cwd, 'out', 'repository');
    const report = await verifyPublished(new DirectorySource(published), { checkTargets: false });
    expect(report.problems).toEqual([]);
    expect(Metadata.fromFile(join(published, 'metadata', '2.root.json')).signed.version).toBe(2);
    for (const out of [sign.stdout, sign.stderr, pub.stdout, pub.stderr]) expect(out).not.toContain('demo-pin-4711');
  });

  it('refuses a non-empty directory that is not an earlier demo (exit 2, nothing touched)', async () => {
    const cwd = tempDir('demo');
    mkdirSync(join(cwd, 'mine'));
    writeFileSync(join(cwd, 'mine', 'precious.txt'), 'keep me');
    const r = await runBinary(['demo', 'mine'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not empty and holds no earlier demo/);
    expect(readdirSync(join(cwd, 'mine'))).toEqual(['precious.txt']);
  });
});
