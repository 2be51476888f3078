/**
 * The repository commands as the real binary in temporary directories: the whole cycle
 * (init, targets add, delegate to hashed bins, sign, status, publish, verify), and bad input —
 * a wrong passphrase, a missing key file, a target path with "..", an expired role, a
 * threshold not met at publish time — each with a clear message and exit status, leaving
 * every byte of the repository as it was.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileSigner } from '../../src/signers/file.js';
import { spawn } from 'node:child_process';
import { BIN, ensureBuilt, runBinary } from '../helpers/cli.js';
import { describeWithFixtures, fixture } from '../helpers/fixtures.js';
import { tempDir, treeSnapshot, writeTree } from '../helpers/repo.js';

beforeAll(() => ensureBuilt());

const env = { TUF_PASS: 'pass phrase 1' };
const tufkit = (cwd: string, ...argv: string[]) => runBinary(argv, { cwd, env });

async function initRepo(cwd: string, ...extra: string[]) {
  const r = await tufkit(cwd, 'init', '--passphrase-env', 'TUF_PASS', 'repo', ...extra);
  expect(r.code, r.stderr).toBe(0);
  return join(cwd, 'repo');
}

describe('tufkit repository cycle', () => {
  it('init → targets add → delegate --hashed-bins → sign → status → publish → verify', async () => {
    const cwd = tempDir('cli');
    await initRepo(cwd);
    writeTree(cwd, { 'site/index.html': '<h1>hi</h1>', 'site/css/a.css': 'body{}', 'notes.txt': 'n' });
    const bins = await tufkit(cwd, 'delegate', 'repo', '--hashed-bins', '8', '--key', 'repo/keys/targets.pem', '--passphrase-env', 'TUF_PASS', '--json');
    expect(bins.code, bins.stderr).toBe(0);
    expect(JSON.parse(bins.stdout)).toMatchObject({ parent: 'targets', roles: ['bins-0', 'bins-1', 'bins-2', 'bins-3', 'bins-4', 'bins-5', 'bins-6', 'bins-7'], signed: 8 });
    const add = await tufkit(cwd, 'targets', 'add', 'repo', 'site', 'notes.txt', '--prefix', 'v1/', '--custom', '{"channel":"stable"}', '--json');
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout).changed.sort()).toEqual(['v1/css/a.css', 'v1/index.html', 'v1/notes.txt']);
    const before = await tufkit(cwd, 'status', 'repo', '--json');
    expect(before.code).toBe(1); // changed bins are not signed yet
    expect(JSON.parse(before.stdout).problems.length).toBeGreaterThan(0);
    const sign = await tufkit(cwd, 'sign', 'repo', '--passphrase-env', 'TUF_PASS', '--json');
    expect(sign.code, sign.stderr).toBe(0);
    expect(JSON.parse(sign.stdout).roles.every((r: { verified: boolean }) => r.verified)).toBe(true);
    const status = await tufkit(cwd, 'status', 'repo', '--json');
    expect(status.code, status.stdout).toBe(0);
    const pub = await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS', '--json');
    expect(pub.code, pub.stderr).toBe(0);
    expect(JSON.parse(pub.stdout).targetFiles).toBe(3);
    const verify = await tufkit(cwd, 'verify', 'repo/repository', '--targets', '--json');
    expect(verify.code, verify.stdout).toBe(0);
    const report = JSON.parse(verify.stdout);
    expect(report).toMatchObject({ ok: true, rootVersion: 1, consistentSnapshot: true, targets: { checked: 3, failed: [] } });
    expect(report.roles).toHaveLength(12);
    expect(verify.stderr).toMatch(/trust on first use/);
    // Human output of status names every role.
    const human = await tufkit(cwd, 'status', 'repo', '--all');
    expect(human.stdout).toMatch(/^root +v1 +published +1\/1 signed/m);
    expect(human.stdout).toMatch(/^bins-7 /m);
  });
});

describe('bad input: clear message, exit status, repository unchanged', () => {
  it('a wrong passphrase', async () => {
    const cwd = tempDir('cli');
    const repo = await initRepo(cwd);
    writeTree(cwd, { 'f.txt': 'f' });
    expect((await tufkit(cwd, 'targets', 'add', 'repo', 'f.txt')).code).toBe(0);
    const before = treeSnapshot(repo);
    const r = await runBinary(['sign', 'repo', '--passphrase-env', 'WRONG'], { cwd, env: { WRONG: 'not it' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot decrypt .*keys\/targets\.pem: wrong passphrase/m);
    expect(r.stderr + r.stdout).not.toContain('not it');
    expect(treeSnapshot(repo)).toEqual(before);
  });

  it('a missing key file', async () => {
    const cwd = tempDir('cli');
    const repo = await initRepo(cwd);
    writeTree(cwd, { 'f.txt': 'f' });
    expect((await tufkit(cwd, 'targets', 'add', 'repo', 'f.txt')).code).toBe(0);
    rmSync(join(repo, 'keys', 'targets.pem'));
    const before = treeSnapshot(repo);
    const r = await tufkit(cwd, 'sign', 'repo', '--passphrase-env', 'TUF_PASS');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: cannot read key file .*keys\/targets\.pem: ENOENT/m);
    const p = await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS');
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/targets v1: threshold not met/);
    expect(treeSnapshot(repo)).toEqual(before);
  });

  it('a target path with ".." (and other unclean paths)', async () => {
    const cwd = tempDir('cli');
    const repo = await initRepo(cwd);
    writeTree(cwd, { 'f.txt': 'f' });
    const before = treeSnapshot(repo);
    for (const [as, rule] of [['../escape.txt', /must not contain "\.\." segments/], ['/etc/x', /must be relative/], ['a\\b', /backslash/], ['a//b', /empty segments/]] as const) {
      const r = await tufkit(cwd, 'targets', 'add', 'repo', 'f.txt', '--as', as);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(rule);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1); // one line, no stack trace
    }
    const prefix = await tufkit(cwd, 'targets', 'add', 'repo', 'f.txt', '--prefix', '../');
    expect(prefix.code).toBe(1);
    expect(treeSnapshot(repo)).toEqual(before);
  });

  it('an expired role at publish time', async () => {
    const cwd = tempDir('cli');
    const repo = await initRepo(cwd, '--expiry', 'targets=0.00001'); // under a second
    await new Promise((r) => setTimeout(r, 1500));
    const before = treeSnapshot(repo);
    const r = await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: refusing to publish: targets v1 expired \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/m);
    expect(treeSnapshot(repo)).toEqual(before);
    const status = await tufkit(cwd, 'status', 'repo');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/^targets .*EXPIRED/m);
  });

  it('a threshold not met at publish time; a second key holder completes it', async () => {
    const cwd = tempDir('cli');
    mkdirSync(join(cwd, 'keys'));
    const second = await FileSigner.generate('ecdsa-p256').writeFile(join(cwd, 'keys', 'root2.pem'), 'second holder');
    writeFileSync(join(cwd, 'keys', 'root2.pem.pub'), JSON.stringify(second.publicKey.toDict()));
    const first = await FileSigner.generate('ed25519').writeFile(join(cwd, 'keys', 'root1.pem'), env.TUF_PASS);
    const repo = await initRepo(cwd, '--key', 'root=keys/root1.pem', '--key', 'root=keys/root2.pem.pub', '--threshold', 'root=2');
    expect(first.publicKey.keyid).toBeTruthy();
    const before = treeSnapshot(repo);
    const r = await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^error: refusing to publish: root v1: threshold not met \\(unsigned: ${second.publicKey.keyid.slice(0, 8)}…\\)`, 'm'));
    expect(treeSnapshot(repo)).toEqual(before);
    const status = await tufkit(cwd, 'status', 'repo', '--json');
    expect(JSON.parse(status.stdout).roles[0]).toMatchObject({ role: 'root', validSignatures: 1, threshold: 2, missingKeyids: [second.publicKey.keyid] });
    // The other key holder signs root with their own key and passphrase.
    const signed = await runBinary(['sign', 'repo', '--role', 'root', '--key', 'keys/root2.pem', '--passphrase-env', 'P2'], { cwd, env: { P2: 'second holder' } });
    expect(signed.code, signed.stderr).toBe(0);
    expect(signed.stdout).toMatch(/root +signed by .* threshold met/);
    expect((await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS')).code).toBe(0);
    expect((await tufkit(cwd, 'verify', 'repo')).code).toBe(0);
  });

  it('usage errors exit 2: unknown role, not a repository, existing repository', async () => {
    const cwd = tempDir('cli');
    await initRepo(cwd);
    const role = await tufkit(cwd, 'sign', 'repo', '--role', 'nope');
    expect(role.code).toBe(2);
    expect(role.stderr).toMatch(/no role "nope"/);
    const again = await tufkit(cwd, 'init', 'repo', '--passphrase-env', 'TUF_PASS');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a repository/);
    const none = await tufkit(cwd, 'status', 'nowhere');
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/tufkit\.json does not exist: not a tufkit repository/);
  });
});

describeWithFixtures('tufkit import (python-tuf test repository)', () => {
  it('imports with the keystore keys, adds a target, re-signs, publishes; verify from the original root passes and re-adding keeps custom data', async () => {
    const cwd = tempDir('cli');
    const keys = ['root_key', 'targets_key', 'snapshot_key', 'timestamp_key', 'delegation_key'].flatMap((k) => ['--key', fixture('python-tuf', 'repository_data', 'keystore', k)]);
    const imp = await runBinary(['import', fixture('python-tuf', 'repository_data', 'repository'), 'work', ...keys, '--json'], { cwd });
    expect(imp.code, imp.stderr).toBe(0);
    expect(JSON.parse(imp.stdout)).toMatchObject({ roles: ['root', 'timestamp', 'snapshot', 'targets', 'role1', 'role2'], targets: 3, problems: [] });
    writeTree(join(cwd, 'work', 'targets'), { 'new.txt': 'new' });
    const add = await runBinary(['targets', 'add', 'work', '--json'], { cwd });
    expect(JSON.parse(add.stdout)).toMatchObject({ changed: ['new.txt'], roles: ['targets'] });
    expect((await runBinary(['sign', 'work'], { cwd })).code).toBe(0);
    expect((await runBinary(['publish', 'work'], { cwd })).code).toBe(0);
    const verify = await runBinary(['verify', 'work', '--root', fixture('python-tuf', 'repository_data', 'repository', 'metadata', '1.root.json'), '--targets', '--json'], { cwd });
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, trustAnchor: 'given', targets: { checked: 4, failed: [] } });
    const list = JSON.parse((await runBinary(['targets', 'list', 'work', '--json'], { cwd })).stdout);
    expect(list.targets.map((t: { path: string }) => t.path).sort()).toEqual(['file1.txt', 'file2.txt', 'file3.txt', 'new.txt']);
  });
});

describe('tufkit key add/remove: root key rotation', () => {
  it('replaces the root key; root v2 is signed by the old and the new key; verify walks 1 → 2', async () => {
    const cwd = tempDir('cli');
    await initRepo(cwd);
    expect((await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS')).code).toBe(0);
    expect((await tufkit(cwd, 'key', 'generate', '--passphrase-env', 'TUF_PASS', 'newroot.pem')).code).toBe(0);
    const keys = JSON.parse((await tufkit(cwd, 'key', 'list', 'repo', '--json')).stdout).keys as { role: string; keyid: string }[];
    const oldRoot = keys.find((k) => k.role === 'root')!.keyid;
    const add = await tufkit(cwd, 'key', 'add', 'repo', 'root', 'newroot.pem', '--json');
    expect(add.code, add.stderr).toBe(0);
    const removed = await tufkit(cwd, 'key', 'remove', 'repo', 'root', oldRoot.slice(0, 10), '--json');
    expect(removed.code, removed.stderr).toBe(0);
    const sign = await tufkit(cwd, 'sign', 'repo', '--passphrase-env', 'TUF_PASS', '--json');
    expect(sign.code, sign.stderr).toBe(0);
    const root = JSON.parse(sign.stdout).roles.find((r: { role: string }) => r.role === 'root');
    expect(root.signedBy).toHaveLength(2);
    expect(root.signedBy).toContain(oldRoot);
    expect((await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS')).code).toBe(0);
    const verify = JSON.parse((await tufkit(cwd, 'verify', 'repo', '--json')).stdout);
    expect(verify).toMatchObject({ ok: true, rootVersion: 2 });
    const after = JSON.parse((await tufkit(cwd, 'key', 'list', 'repo', '--json')).stdout).keys as { role: string; keyid: string }[];
    expect(after.filter((k) => k.role === 'root').map((k) => k.keyid)).not.toContain(oldRoot);
  });
});

describe('tufkit serve and tufkit verify URL', () => {
  it('serves a published repository; verify over HTTP passes, and fails for a wrong trust anchor', async () => {
    const cwd = tempDir('cli');
    await initRepo(cwd);
    writeTree(cwd, { 'f.txt': 'served' });
    expect((await tufkit(cwd, 'targets', 'add', 'repo', 'f.txt')).code).toBe(0);
    expect((await tufkit(cwd, 'sign', 'repo', '--passphrase-env', 'TUF_PASS')).code).toBe(0);
    expect((await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS')).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'serve', 'repo/repository', '--port', '0'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const ok = await tufkit(cwd, 'verify', url, '--root', 'repo/repository/metadata/1.root.json', '--targets', '--json');
      expect(ok.code, ok.stdout).toBe(0);
      expect(JSON.parse(ok.stdout)).toMatchObject({ ok: true, trustAnchor: 'given', targets: { checked: 1, failed: [] } });
      const other = tempDir('cli');
      await initRepo(other);
      expect((await tufkit(other, 'publish', 'repo', '--passphrase-env', 'TUF_PASS')).code).toBe(0);
      const bad = await tufkit(cwd, 'verify', url, '--root', join(other, 'repo', 'repository', 'metadata', '1.root.json'));
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/^FAILED /m);
      expect(bad.stdout).toMatch(/✗ timestamp/);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    }
  });
});

describe('renewing expiring roles', () => {
  it('sign --renew gives expired roles new versions and fresh expiry; publish then succeeds', async () => {
    const cwd = tempDir('cli');
    await initRepo(cwd, '--expiry', 'targets=0.00002');
    expect((await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS')).code).toBe(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect((await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS')).code).toBe(1);
    // The policy is lengthened (tufkit.json), then the expired role is renewed under it.
    const configPath = join(cwd, 'repo', 'tufkit.json');
    const config = JSON.parse(readFileSync(configPath, 'utf8'));
    config.expiry.targets = 90;
    writeFileSync(configPath, JSON.stringify(config));
    const renew = await tufkit(cwd, 'sign', 'repo', '--renew', '--passphrase-env', 'TUF_PASS', '--json');
    expect(renew.code, renew.stderr).toBe(0);
    expect(JSON.parse(renew.stdout).roles).toEqual([expect.objectContaining({ role: 'targets', verified: true })]);
    const pub = await tufkit(cwd, 'publish', 'repo', '--passphrase-env', 'TUF_PASS', '--json');
    expect(pub.code, pub.stderr).toBe(0);
    expect(JSON.parse(pub.stdout).roles).toContainEqual({ role: 'targets', version: 2 });
    const bump = await tufkit(cwd, 'sign', 'repo', '--bump', '--role', 'snapshot', '--passphrase-env', 'TUF_PASS', '--json');
    expect(JSON.parse(bump.stdout).roles).toEqual([expect.objectContaining({ role: 'snapshot', verified: true })]);
  });
});

describe('one process changes a working directory at a time', () => {
  it('refuses while another live process holds the lock; takes over a stale lock; leaves no lock behind', async () => {
    const cwd = tempDir('cli');
    const repo = await initRepo(cwd);
    writeTree(cwd, { 'f.txt': 'f' });
    writeFileSync(join(repo, '.tufkit.lock'), `${process.pid}\n`); // this test process is alive
    const busy = await tufkit(cwd, 'targets', 'add', 'repo', 'f.txt');
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(new RegExp(`is being changed by another tufkit process \\(pid ${process.pid}\\)`));
    expect((await tufkit(cwd, 'status', 'repo')).code).not.toBe(2); // reading needs no lock
    writeFileSync(join(repo, '.tufkit.lock'), '2147483646\n'); // no such process
    const ok = await tufkit(cwd, 'targets', 'add', 'repo', 'f.txt');
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(join(repo, '.tufkit.lock'))).toBe(false);
  });
});
