/**
 * Interop of what tufkit publishes:
 * - tuf-js 4.1.0's Updater (refresh, getTargetInfo, downloadTarget) and tufkit's own client
 *   accept repositories tufkit publishes — ed25519, ECDSA P-256/P-384 and RSA-PSS keys, path
 *   delegations and hashed bins, consistent snapshots on and off, and an update on top;
 * - python-tuf's test repository (../shared/fixtures) is opened, edited (a new target in
 *   targets, a changed one in the delegated role1), re-signed with its own test keys and
 *   republished; the result verifies from the original 1.root.json, and clients holding the
 *   original version 1 update to it. The fixture is left untouched.
 */
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Updater as TufJsUpdater } from 'tuf-js';
import { afterEach, describe, expect, it } from 'vitest';
import { Updater } from '../../src/client/updater.js';
import { importPublished } from '../../src/repository/import.js';
import { publish } from '../../src/repository/publish.js';
import { Repository } from '../../src/repository/repository.js';
import { KeyRing } from '../../src/repository/signers.js';
import { serveDirectory, type StaticServer } from '../../src/repository/serve.js';
import { DirectorySource, verifyPublished } from '../../src/repository/verify-published.js';
import { FileSigner } from '../../src/signers/file.js';
import { describeWithFixtures, fixture } from '../helpers/fixtures.js';
import { keyring, makeKey, tempDir, treeSnapshot, writeTree } from '../helpers/repo.js';

let server: StaticServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Both clients, each with its own cache seeded with `rootFile`, fetch `paths` from `url`; returns what they downloaded. */
async function bothClients(url: string, rootFile: string, paths: string[], caches?: { tufjs: string; tufkit: string }) {
  const dirs = caches ?? { tufjs: tempDir('tufjs'), tufkit: tempDir('tufkit-client') };
  const out: Record<string, { tufjs: Buffer; tufkit: Buffer }> = {};
  for (const d of Object.values(dirs)) {
    mkdirSync(join(d, 'metadata'), { recursive: true });
    mkdirSync(join(d, 'targets'), { recursive: true });
    if (caches === undefined) copyFileSync(rootFile, join(d, 'metadata', 'root.json'));
  }
  const tufjs = new TufJsUpdater({ metadataDir: join(dirs.tufjs, 'metadata'), metadataBaseUrl: `${url}metadata`, targetBaseUrl: `${url}targets`, targetDir: join(dirs.tufjs, 'targets') });
  const ours = new Updater({ metadataDir: join(dirs.tufkit, 'metadata'), metadataBaseUrl: `${url}metadata/`, targetBaseUrl: `${url}targets/`, targetDir: join(dirs.tufkit, 'targets') });
  await tufjs.refresh();
  await ours.refresh();
  for (const path of paths) {
    const a = await tufjs.getTargetInfo(path);
    const b = await ours.getTargetInfo(path);
    expect(a, `tuf-js finds ${path}`).toBeDefined();
    expect(b, `tufkit finds ${path}`).toBeDefined();
    out[path] = {
      tufjs: readFileSync(await tufjs.downloadTarget(a!, join(dirs.tufjs, 'targets', encodeURIComponent(path)))),
      tufkit: readFileSync(await ours.downloadTarget(b!, join(dirs.tufkit, 'targets', encodeURIComponent(path)))),
    };
  }
  return { out, dirs };
}

describe('tuf-js and tufkit clients accept what tufkit publishes', () => {
  for (const consistentSnapshot of [true, false]) {
    it(`mixed key types, path delegation, hashed bins, then an update (consistent snapshots ${consistentSnapshot ? 'on' : 'off'})`, async () => {
      const dir = tempDir();
      const k = {
        root: await makeKey(dir, 'root', 'rsa'),
        targets: await makeKey(dir, 'targets', 'ecdsa-p256'),
        snapshot: await makeKey(dir, 'snapshot', 'ecdsa-p256'),
        timestamp: await makeKey(dir, 'timestamp', 'ed25519'),
        docs: await makeKey(dir, 'docs', 'ed25519'),
        bins: await makeKey(dir, 'bins', 'ecdsa-p256'),
      };
      const repo = await Repository.init(dir, {
        consistentSnapshot,
        targetHashAlgorithms: ['sha256', 'sha512'],
        roles: { root: { keys: [k.root] }, targets: { keys: [k.targets] }, snapshot: { keys: [k.snapshot] }, timestamp: { keys: [k.timestamp] } },
      });
      await repo.delegate('targets', { name: 'docs', paths: ['docs/*'], keys: [k.docs.key], terminating: true });
      await repo.delegate('targets', { name: 'packages', paths: ['pkg/*'], keys: [k.bins.key] });
      await repo.delegateHashedBins('packages', { bins: 8, namePrefix: 'pkg-bins', keys: [k.bins.key] });
      for (const x of [k.docs, k.bins]) repo.config.signers.set(x.key.keyid, x.uri);
      await repo.saveConfig();
      const files: Record<string, string> = { 'top.txt': 'top level', 'docs/guide.md': '# guide', 'sub dir/ü nicode.txt': 'non-ascii path' };
      for (let i = 0; i < 12; i++) files[`pkg/p${i}.tgz`] = `package ${i}`;
      writeTree(repo.layout.targetsDir, files);
      await repo.addTargetsFromWorkingTree();
      await repo.sign(await repo.unpublishedRoles(), keyring(repo));
      await repo.save();
      await publish(repo, { keyring: keyring(repo) });
      const published = join(dir, 'repository');
      server = await serveDirectory(published);
      const paths = ['top.txt', 'docs/guide.md', 'sub dir/ü nicode.txt', 'pkg/p3.tgz', 'pkg/p11.tgz'];
      const first = await bothClients(server.url, join(published, 'metadata', '1.root.json'), paths);
      for (const p of paths) {
        expect(first.out[p]!.tufjs.toString(), p).toBe(files[p]);
        expect(first.out[p]!.tufkit.toString(), p).toBe(files[p]);
      }
      // An update: a changed package (one bin) and a rotated timestamp key (root v2).
      const next = await Repository.open(dir);
      writeTree(next.layout.targetsDir, { 'pkg/p3.tgz': 'package 3, second release' });
      await next.addTargets([{ path: 'pkg/p3.tgz' }]);
      const ts2 = await makeKey(dir, 'timestamp2', 'ecdsa-p256');
      await next.addKey('timestamp', ts2.key, ts2.uri);
      await next.removeKey('timestamp', k.timestamp.key.keyid);
      await next.saveConfig();
      const ring = keyring(next);
      await next.sign(await next.unpublishedRoles(), ring);
      await next.save();
      const report = await publish(next, { keyring: ring });
      const bin = (await next.targets('packages')).signed.delegations!.succinctRoles!.getRoleForTarget('pkg/p3.tgz');
      expect(report.roles).toEqual([
        { role: 'root', version: 2 },
        { role: 'timestamp', version: 2 },
        { role: 'snapshot', version: 2 },
        { role: bin, version: 2 },
      ]);
      const second = await bothClients(server.url, '', ['pkg/p3.tgz'], first.dirs);
      expect(second.out['pkg/p3.tgz']!.tufjs.toString()).toBe('package 3, second release');
      expect(second.out['pkg/p3.tgz']!.tufkit.toString()).toBe('package 3, second release');
    });
  }
});

describe('ECDSA P-384 (ecdsa-sha2-nistp384)', () => {
  it('tufkit signs with SHA-384 as securesystemslib does; tuf-js 4.1.0 verifies every ECDSA key with SHA-256 and so refuses it', async () => {
    const dir = tempDir();
    const k = { root: await makeKey(dir, 'root'), t: await makeKey(dir, 't'), s: await makeKey(dir, 's', 'ecdsa-p384'), ts: await makeKey(dir, 'ts') };
    const repo = await Repository.init(dir, { roles: { root: { keys: [k.root] }, targets: { keys: [k.t] }, snapshot: { keys: [k.s] }, timestamp: { keys: [k.ts] } } });
    await repo.sign(['root', 'targets', 'snapshot', 'timestamp'], keyring(repo));
    await repo.save();
    await publish(repo, { keyring: keyring(repo) });
    const published = join(dir, 'repository');
    server = await serveDirectory(published);
    const cache = tempDir('tufjs');
    mkdirSync(join(cache, 'metadata'));
    copyFileSync(join(published, 'metadata', '1.root.json'), join(cache, 'metadata', 'root.json'));
    const tufjs = new TufJsUpdater({ metadataDir: join(cache, 'metadata'), metadataBaseUrl: `${server.url}metadata` });
    await expect(tufjs.refresh()).rejects.toThrow(/snapshot was signed by 0\/1 keys/);
    // tufkit's client and verifier accept it (SHA-384, as securesystemslib's ecdsa-sha2-nistp384).
    expect((await verifyPublished(new DirectorySource(published))).ok).toBe(true);
    const ours = tempDir('tufkit-client');
    mkdirSync(join(ours, 'metadata'));
    copyFileSync(join(published, 'metadata', '1.root.json'), join(ours, 'metadata', 'root.json'));
    await new Updater({ metadataDir: join(ours, 'metadata'), metadataBaseUrl: `${server.url}metadata/` }).refresh();
  });
});

describeWithFixtures('the python-tuf test repository: open, edit, re-sign, republish', () => {
  const source = fixture('python-tuf', 'repository_data', 'repository');
  const keystore = (name: string) => fixture('python-tuf', 'repository_data', 'keystore', name);

  it('imports, adds a target to targets and changes one in role1, re-signs with its test keys; every client accepts the result', async () => {
    const fixtureBefore = treeSnapshot(source);
    const work = tempDir('import');
    const offered = [];
    for (const name of ['root_key', 'targets_key', 'snapshot_key', 'timestamp_key', 'delegation_key']) {
      const signer = await FileSigner.fromFile(keystore(name));
      offered.push({ key: signer.publicKey, uri: `file:${keystore(name)}` });
    }
    const imported = await importPublished(source, work, { keys: offered });
    expect(imported.problems).toEqual([]);
    expect(imported.roles).toEqual(['root', 'timestamp', 'snapshot', 'targets', 'role1', 'role2']);
    expect(imported.targets).toBe(3);
    expect([...imported.matchedKeys.values()].flat().sort()).toEqual(['role1 (delegated by targets)', 'role2 (delegated by role1)', 'root', 'snapshot', 'targets', 'timestamp']);
    const repo = imported.repository;
    expect(repo.config.targetHashAlgorithms).toEqual(['sha256', 'sha512']);
    // Unchanged, nothing to publish.
    expect(await repo.unpublishedRoles()).toEqual([]);

    writeTree(repo.layout.targetsDir, { 'file4.txt': 'added by tufkit\n', 'file3.txt': 'changed by tufkit\n' });
    const added = await repo.addTargets([{ path: 'file4.txt', custom: { file_permissions: '0600' } }, { path: 'file3.txt' }]);
    expect(added.roles.sort()).toEqual(['role1', 'targets']);
    const ring = new KeyRing(repo.config.signers, { baseDir: repo.layout.dir });
    const signed = await repo.sign(await repo.unpublishedRoles(), ring);
    expect(signed.every((s) => s.verified)).toBe(true);
    await repo.save();
    const report = await publish(repo, { keyring: ring });
    expect(report.roles).toEqual([
      { role: 'timestamp', version: 2 },
      { role: 'snapshot', version: 2 },
      { role: 'targets', version: 2 },
      { role: 'role1', version: 2 },
    ]);
    const published = join(work, 'repository');
    // Unversioned names, as the source (consistent_snapshot false); root untouched.
    expect(readFileSync(join(published, 'metadata', 'root.json'))).toEqual(readFileSync(join(source, 'metadata', 'root.json')));
    expect(readFileSync(join(published, 'targets', 'file4.txt'), 'utf8')).toBe('added by tufkit\n');
    // The edited role keeps python-tuf's formatting and keyids: re-read, re-serialized, identical bytes.
    const verified = await verifyPublished(new DirectorySource(published), { trustedRoot: readFileSync(join(source, 'metadata', '1.root.json')), checkTargets: true });
    expect(verified.problems).toEqual([]);
    expect(verified.roles.map((r) => `${r.role} v${r.version}`)).toEqual(['root v1', 'timestamp v2', 'snapshot v2', 'targets v2', 'role1 v2', 'role2 v1']);

    // Clients that trusted the original version 1 (its metadata cached) update to the edit.
    server = await serveDirectory(published);
    const caches = { tufjs: tempDir('tufjs'), tufkit: tempDir('tufkit-client') };
    for (const d of Object.values(caches)) {
      mkdirSync(join(d, 'metadata'), { recursive: true });
      for (const f of ['root.json', 'timestamp.json', 'snapshot.json', 'targets.json']) copyFileSync(join(source, 'metadata', f), join(d, 'metadata', f));
    }
    const { out } = await bothClients(server.url, '', ['file4.txt', 'file3.txt', 'file1.txt'], caches);
    expect(out['file4.txt']!.tufjs.toString()).toBe('added by tufkit\n');
    expect(out['file4.txt']!.tufkit.toString()).toBe('added by tufkit\n');
    expect(out['file3.txt']!.tufkit.toString()).toBe('changed by tufkit\n');
    expect(out['file1.txt']!.tufjs).toEqual(readFileSync(join(source, 'targets', 'file1.txt')));
    expect(treeSnapshot(source)).toEqual(fixtureBefore);
  });
});
