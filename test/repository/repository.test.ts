/**
 * The repository library end to end on real files and keys: create (spec §6), add targets,
 * sign, publish (§6.2 consistent snapshots), and verify the result the way a client does (§5);
 * versions bump only for what changed; refusals (threshold, expiry, conflicts, bad paths,
 * changed content) leave every byte as it was.
 */
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ExpiredMetadataError,
  LengthOrHashMismatchError,
  PublishConflictError,
  TargetPathError,
  UnsignedMetadataError,
} from '../../src/errors.js';
import { Metadata, type Snapshot, type Timestamp } from '../../src/metadata/index.js';
import { publish } from '../../src/repository/publish.js';
import { Repository } from '../../src/repository/repository.js';
import { KeyRing } from '../../src/repository/signers.js';
import { repositoryStatus } from '../../src/repository/status.js';
import { DirectorySource, verifyPublished } from '../../src/repository/verify-published.js';
import { keyring, makeKey, makeRepository, tempDir, treeSnapshot, writeTree } from '../helpers/repo.js';

const meta = (dir: string) => readdirSync(join(dir, 'repository', 'metadata')).sort();

describe('create, sign, publish', () => {
  it('publishes version 1 of every role; the result verifies from 1.root.json', async () => {
    const { dir, repo, ring } = await makeRepository();
    const report = await publish(repo, { keyring: ring });
    expect(meta(dir)).toEqual(['1.root.json', '1.snapshot.json', '1.targets.json', 'root.json', 'timestamp.json']);
    expect(report.roles.map((r) => r.role).sort()).toEqual(['root', 'snapshot', 'targets', 'timestamp']);
    const ts = Metadata.fromFile(join(dir, 'repository', 'metadata', 'timestamp.json'), { type: 'timestamp' });
    const snapBytes = readFileSync(join(dir, 'repository', 'metadata', '1.snapshot.json'));
    ts.signed.snapshotMeta.verifyLengthAndHashes(snapBytes); // timestamp lists snapshot's length and sha256
    expect(ts.signed.snapshotMeta.length).toBe(snapBytes.length);
    const verified = await verifyPublished(new DirectorySource(join(dir, 'repository')), { checkTargets: true });
    expect(verified.problems).toEqual([]);
    expect(verified.ok).toBe(true);
  });

  it('adds targets (a tree, custom metadata, sha256+sha512), publishes them under hash-prefixed names, bumps only what changed', async () => {
    const { dir, repo, ring } = await makeRepository({ targetHashAlgorithms: ['sha256', 'sha512'] });
    await publish(repo, { keyring: ring });
    const src = tempDir('src');
    writeTree(src, { 'a.txt': 'alpha', 'docs/b.txt': 'bravo', 'docs/deep/c.bin': new Uint8Array([0, 1, 2, 255]) });
    const result = await repo.addTargets([
      { path: 'a.txt', source: join(src, 'a.txt'), custom: { kind: 'letter' } },
      { path: 'docs/b.txt', source: join(src, 'docs/b.txt') },
      { path: 'docs/deep/c.bin', source: join(src, 'docs/deep/c.bin') },
    ]);
    expect(result.roles).toEqual(['targets']);
    expect(readFileSync(join(dir, 'targets', 'docs', 'b.txt'), 'utf8')).toBe('bravo'); // copied into the working tree
    const targets = await repo.targets();
    expect(targets.signed.version).toBe(2);
    expect(targets.signatures.size).toBe(0);
    expect(targets.signed.targets.get('a.txt')?.custom).toEqual({ kind: 'letter' });
    expect(Object.keys(targets.signed.targets.get('a.txt')!.hashes)).toEqual(['sha256', 'sha512']);
    // A second change before publishing keeps version 2.
    await repo.addTargets([{ path: 'docs/b.txt', source: join(src, 'docs/b.txt') }]);
    expect(targets.signed.version).toBe(2);
    await repo.sign(['targets'], ring);
    await repo.save();
    const report = await publish(repo, { keyring: ring });
    expect(report.roles).toEqual([
      { role: 'timestamp', version: 2 },
      { role: 'snapshot', version: 2 },
      { role: 'targets', version: 2 },
    ]);
    expect(meta(dir)).toEqual(['1.root.json', '1.snapshot.json', '1.targets.json', '2.snapshot.json', '2.targets.json', 'root.json', 'timestamp.json']);
    const file = targets.signed.targets.get('docs/deep/c.bin')!;
    for (const prefixed of file.getPrefixedPaths()) {
      expect(readFileSync(join(dir, 'repository', 'targets', ...prefixed.split('/')))).toEqual(Buffer.from([0, 1, 2, 255]));
    }
    expect(report.targetFiles).toBe(6); // 3 targets × 2 hash algorithms
    const snapshot = Metadata.fromFile(join(dir, 'repository', 'metadata', '2.snapshot.json'), { type: 'snapshot' }) as Metadata<Snapshot>;
    expect(snapshot.signed.meta.get('targets.json')?.version).toBe(2);
    const verified = await verifyPublished(new DirectorySource(join(dir, 'repository')), { checkTargets: true });
    expect(verified.problems).toEqual([]);
    expect(verified.targets?.checked).toBe(3);

    // Nothing changed: publishing again writes nothing, versions stay.
    const again = await publish(await Repository.open(dir), { keyring: ring });
    expect(again.metadata).toEqual([]);
    expect(again.roles).toEqual([]);
  });

  it('re-adding identical content changes nothing, and keeps custom data', async () => {
    const { repo } = await makeRepository();
    writeTree(repo.layout.targetsDir, { 'x.txt': 'same' });
    await repo.addTargets([{ path: 'x.txt', custom: { keep: true } }]);
    await repo.save();
    const before = (await repo.targets()).signed.version;
    const again = await repo.addTargets([{ path: 'x.txt' }]);
    expect(again).toEqual({ changed: [], unchanged: ['x.txt'], roles: [] });
    expect((await repo.targets()).signed.version).toBe(before);
    writeTree(repo.layout.targetsDir, { 'x.txt': 'new content' });
    await repo.addTargets([{ path: 'x.txt' }]);
    expect((await repo.targets()).signed.targets.get('x.txt')?.custom).toEqual({ keep: true });
    await repo.addTargets([{ path: 'x.txt', custom: 'replaced' }]);
    expect((await repo.targets()).signed.targets.get('x.txt')?.custom).toBe('replaced');
  });

  it('removes targets by path and by directory prefix', async () => {
    const { dir, repo, ring } = await makeRepository();
    writeTree(repo.layout.targetsDir, { 'a.txt': 'a', 'd/b.txt': 'b', 'd/c.txt': 'c' });
    await repo.addTargetsFromWorkingTree();
    const removed = await repo.removeTargets(['a.txt', 'd/']);
    expect(removed.removed.sort()).toEqual(['a.txt', 'd/b.txt', 'd/c.txt']);
    expect(existsSync(join(dir, 'targets', 'a.txt'))).toBe(false);
    await expect(repo.removeTargets(['nope.txt'])).rejects.toThrow(/no target "nope.txt"/);
    await repo.sign(['targets'], ring);
    await repo.save();
    await publish(repo, { keyring: ring });
    expect((await repo.targets()).signed.targets.size).toBe(0);
  });

  it('works without consistent snapshots: unversioned names, targets at their paths', async () => {
    const { dir, repo, ring } = await makeRepository({ consistentSnapshot: false });
    writeTree(repo.layout.targetsDir, { 'p/q.txt': 'content' });
    await repo.addTargetsFromWorkingTree();
    await repo.sign(['targets'], ring);
    await repo.save();
    await publish(repo, { keyring: ring });
    expect(meta(dir)).toEqual(['1.root.json', 'root.json', 'snapshot.json', 'targets.json', 'timestamp.json']);
    expect(readFileSync(join(dir, 'repository', 'targets', 'p', 'q.txt'), 'utf8')).toBe('content');
    writeTree(repo.layout.targetsDir, { 'p/q.txt': 'new content' });
    await repo.addTargetsFromWorkingTree();
    await repo.sign(['targets'], ring);
    await repo.save();
    await publish(repo, { keyring: ring });
    expect(readFileSync(join(dir, 'repository', 'targets', 'p', 'q.txt'), 'utf8')).toBe('new content');
    expect((await verifyPublished(new DirectorySource(join(dir, 'repository')), { checkTargets: true })).problems).toEqual([]);
  });
});

describe('refusals leave everything as it was', () => {
  it('invalid target paths are typed errors and change nothing', async () => {
    const { dir, repo } = await makeRepository();
    writeTree(repo.layout.targetsDir, { 'ok.txt': 'ok' });
    const before = treeSnapshot(dir);
    for (const bad of ['../escape.txt', '/abs.txt', 'a\\b.txt', 'a//b.txt', 'dir/', '', 'a/./b', 'a/../b', 'tab\there']) {
      await expect(repo.addTargets([{ path: 'ok.txt' }, { path: bad }])).rejects.toThrow(TargetPathError);
    }
    expect(repo.modified.size).toBe(0);
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('an unreadable source changes nothing (no partial copies)', async () => {
    const { dir, repo } = await makeRepository();
    const src = tempDir('src');
    writeTree(src, { 'one.txt': '1' });
    const before = treeSnapshot(dir);
    await expect(repo.addTargets([{ path: 'one.txt', source: join(src, 'one.txt') }, { path: 'two.txt', source: join(src, 'missing.txt') }])).rejects.toThrow(/cannot read/);
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('a threshold not met: publish refuses, naming the unsigned key; a second signer later completes it', async () => {
    const dir = tempDir();
    const k = { root: await makeKey(dir, 'root'), root2: await makeKey(dir, 'root2'), t: await makeKey(dir, 't'), s: await makeKey(dir, 's'), ts: await makeKey(dir, 'ts') };
    const repo = await Repository.init(dir, {
      roles: { root: { keys: [k.root, k.root2], threshold: 2 }, targets: { keys: [k.t] }, snapshot: { keys: [k.s] }, timestamp: { keys: [k.ts] } },
    });
    // Only the first root key is at hand (the second holder signs later).
    const partial = new KeyRing(new Map([...repo.config.signers].filter(([id]) => id !== k.root2.key.keyid)), { baseDir: dir });
    const outcome = await repo.sign(['root', 'targets', 'snapshot', 'timestamp'], partial);
    expect(outcome[0]).toMatchObject({ role: 'root', verified: false, missingKeyids: [k.root2.key.keyid] });
    await repo.save();
    const status = (await repositoryStatus(repo)).find((s) => s.role === 'root')!;
    expect(status).toMatchObject({ verified: false, validSignatures: 1, threshold: 2, missingKeyids: [k.root2.key.keyid] });
    const before = treeSnapshot(dir);
    const err = await publish(repo, { keyring: partial }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsignedMetadataError);
    expect((err as Error).message).toMatch(new RegExp(`root v1: threshold not met \\(unsigned: ${k.root2.key.keyid.slice(0, 8)}…\\)`));
    expect(treeSnapshot(dir)).toEqual(before);
    // The second key holder signs in another session: root now has both signatures.
    const later = await Repository.open(dir);
    const second = new KeyRing(new Map([[k.root2.key.keyid, k.root2.uri]]), { baseDir: dir });
    expect((await later.sign(['root'], second))[0]).toMatchObject({ signedBy: [k.root2.key.keyid], verified: true });
    await later.save();
    expect((await Repository.open(dir).then((r) => r.root())).signatures.size).toBe(2);
    await publish(await Repository.open(dir), { keyring: keyring(later) });
    expect((await verifyPublished(new DirectorySource(join(dir, 'repository')))).ok).toBe(true);
  });

  it('an expired role: publish refuses and writes nothing', async () => {
    const { dir, repo, ring } = await makeRepository();
    await publish(repo, { keyring: ring });
    const before = treeSnapshot(dir);
    const future = await Repository.open(dir, { now: () => new Date(Date.now() + 100 * 86_400_000) });
    const err = await publish(future, { keyring: ring }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpiredMetadataError);
    expect((err as Error).message).toMatch(/targets v1 expired/);
    expect(treeSnapshot(dir)).toEqual(before);
  });

  it('never replaces a published version with other content (two working copies publishing to one place)', async () => {
    const { dir, repo, ring } = await makeRepository();
    const shared = tempDir('published');
    repo.config.publishDir = shared;
    await repo.saveConfig();
    await publish(repo, { keyring: ring });
    const copy = tempDir('copy');
    cpSync(dir, copy, { recursive: true });
    // Both copies change targets: each stages targets v2, with different content.
    for (const [where, content] of [[dir, 'from A'], [copy, 'from B']] as const) {
      const r = await Repository.open(where);
      writeTree(r.layout.targetsDir, { 'f.txt': content });
      await r.addTargetsFromWorkingTree();
      await r.sign(['targets'], keyring(r));
      await r.save();
    }
    await publish(await Repository.open(dir), { keyring: ring });
    const before = { work: treeSnapshot(copy), published: treeSnapshot(shared) };
    const b = await Repository.open(copy);
    expect(await b.publishedState('targets', 2)).toBe('different');
    const err = await publish(b, { keyring: keyring(b) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PublishConflictError);
    expect((err as Error).message).toMatch(/version 2 of 2\.targets\.json is already published with other content/);
    expect({ work: treeSnapshot(copy), published: treeSnapshot(shared) }).toEqual(before);
  });

  it('a working copy changed after it was added: publish refuses, no target file appears', async () => {
    const { dir, repo, ring } = await makeRepository();
    writeTree(repo.layout.targetsDir, { 'f.txt': 'original' });
    await repo.addTargetsFromWorkingTree();
    await repo.sign(['targets'], ring);
    await repo.save();
    writeTree(repo.layout.targetsDir, { 'f.txt': 'tampered' });
    const before = treeSnapshot(dir);
    await expect(publish(await Repository.open(dir), { keyring: ring })).rejects.toThrow(LengthOrHashMismatchError);
    expect(treeSnapshot(dir)).toEqual(before);
  });
});

describe('missing content', () => {
  it('a working copy deleted after it was added: publish refuses and writes nothing', async () => {
    const { dir, repo, ring } = await makeRepository();
    writeTree(repo.layout.targetsDir, { 'keep.txt': 'k', 'gone.txt': 'g' });
    await repo.addTargetsFromWorkingTree();
    await repo.sign(['targets'], ring);
    await repo.save();
    rmSync(join(repo.layout.targetsDir, 'gone.txt'));
    const before = treeSnapshot(dir);
    await expect(publish(await Repository.open(dir), { keyring: ring })).rejects.toThrow(/the content of target "gone.txt" is missing/);
    expect(treeSnapshot(dir)).toEqual(before);
  });
});

describe('delegations', () => {
  it('path delegations: targets go to the first role trusted for them, signed by that role\'s key', async () => {
    const { dir, repo, ring } = await makeRepository();
    const docsKey = await makeKey(dir, 'docs');
    await repo.delegate('targets', { name: 'docs', paths: ['docs/*'], keys: [docsKey.key] });
    repo.config.signers.set(docsKey.key.keyid, docsKey.uri);
    writeTree(repo.layout.targetsDir, { 'docs/a.md': 'A', 'readme.txt': 'R' });
    const added = await repo.addTargetsFromWorkingTree();
    expect(added.roles.sort()).toEqual(['docs', 'targets']);
    expect([...(await repo.targets('docs')).signed.targets.keys()]).toEqual(['docs/a.md']);
    await expect(repo.addTargets([{ path: 'readme.txt' }], { role: 'docs' })).rejects.toThrow(/not trusted for target "readme.txt"/);
    await repo.sign(await repo.unpublishedRoles(), keyring(repo));
    await repo.save();
    await publish(repo, { keyring: ring });
    expect(meta(dir)).toContain('1.docs.json');
    const verified = await verifyPublished(new DirectorySource(join(dir, 'repository')), { checkTargets: true });
    expect(verified.problems).toEqual([]);
    expect(verified.roles.map((r) => r.role)).toEqual(['root', 'timestamp', 'snapshot', 'targets', 'docs']);
  });

  it('hashed bins: targets land in the right bin; adding one target later re-signs and republishes only its bin', async () => {
    const { dir, repo, ring } = await makeRepository();
    const binKey = await makeKey(dir, 'bins');
    repo.config.signers.set(binKey.key.keyid, binKey.uri);
    const bins = await repo.delegateHashedBins('targets', { bins: 16, namePrefix: 'bins', keys: [binKey.key] });
    await repo.saveConfig();
    expect(bins).toHaveLength(16);
    expect(bins[0]).toBe('bins-0');
    const files: Record<string, string> = {};
    for (let i = 0; i < 200; i++) files[`pkg/${i}.txt`] = `content ${i}`;
    writeTree(repo.layout.targetsDir, files);
    await repo.addTargetsFromWorkingTree();
    const succinct = (await repo.targets()).signed.delegations!.succinctRoles!;
    for (const bin of bins) {
      for (const path of (await repo.targets(bin)).signed.targets.keys()) expect(succinct.getRoleForTarget(path)).toBe(bin);
    }
    await repo.sign(await repo.unpublishedRoles(), keyring(repo));
    await repo.save();
    await publish(repo, { keyring: ring });
    expect(meta(dir).filter((n) => n.includes('bins-'))).toHaveLength(16);

    const next = await Repository.open(dir);
    writeTree(next.layout.targetsDir, { 'pkg/new.txt': 'brand new' });
    const added = await next.addTargets([{ path: 'pkg/new.txt' }]);
    const bin = succinct.getRoleForTarget('pkg/new.txt');
    expect(added.roles).toEqual([bin]);
    expect(await next.unpublishedRoles()).toEqual([bin]);
    const signed = await next.sign(await next.unpublishedRoles(), keyring(next));
    expect(signed.map((s) => s.role)).toEqual([bin]);
    expect(await next.save()).toEqual([bin]);
    const report = await publish(next, { keyring: ring });
    expect(report.metadata).toEqual([`2.${bin}.json`, '2.snapshot.json', 'timestamp.json']);
    const snapshot = Metadata.fromFile(join(dir, 'repository', 'metadata', '2.snapshot.json'), { type: 'snapshot' }) as Metadata<Snapshot>;
    expect(snapshot.signed.meta.size).toBe(17);
    expect(snapshot.signed.meta.get(`${bin}.json`)?.version).toBe(2);
    const ts = Metadata.fromFile(join(dir, 'repository', 'metadata', 'timestamp.json'), { type: 'timestamp' }) as Metadata<Timestamp>;
    expect(ts.signed.snapshotMeta.version).toBe(2);
    const verified = await verifyPublished(new DirectorySource(join(dir, 'repository')), { checkTargets: true });
    expect(verified.problems).toEqual([]);
    expect(verified.targets?.checked).toBe(201);
  });

  it('refuses bad bin counts and a second delegation kind', async () => {
    const { dir, repo } = await makeRepository();
    const k = await makeKey(dir, 'k');
    await expect(repo.delegateHashedBins('targets', { bins: 10, keys: [k.key] })).rejects.toThrow(/power of two/);
    await repo.delegate('targets', { name: 'a', paths: ['a/*'], keys: [k.key] });
    await expect(repo.delegateHashedBins('targets', { bins: 4, keys: [k.key] })).rejects.toThrow(/already delegates/);
    await expect(repo.delegate('targets', { name: 'a', paths: ['x'], keys: [k.key] })).rejects.toThrow(/already exists/);
    await expect(repo.delegate('targets', { name: '../evil', paths: ['x'], keys: [k.key] })).rejects.toThrow(/role name/);
  });
});

describe('root rotation', () => {
  it('a new root key: root v2 is signed by the old and the new root keys; the chain verifies', async () => {
    const { dir, repo, ring } = await makeRepository();
    await publish(repo, { keyring: ring });
    const next = await Repository.open(dir);
    const newRoot = await makeKey(dir, 'root-new');
    const oldRootId = (await next.root()).signed.getDelegatedRole('root').keyids[0]!;
    await next.addKey('root', newRoot.key, newRoot.uri);
    await next.removeKey('root', oldRootId);
    await next.saveConfig();
    // Only the new key: the old root's threshold is not met.
    const onlyNew = new KeyRing(new Map([[newRoot.key.keyid, newRoot.uri]]), { baseDir: dir });
    await next.sign(['root'], onlyNew);
    await next.save();
    await expect(publish(await Repository.open(dir), { keyring: ring })).rejects.toThrow(/root v2: threshold not met/);
    // The old key signs too (sign() offers the previous root's keys for a new root).
    const again = await Repository.open(dir);
    const outcome = await again.sign(['root'], ring);
    expect(outcome[0]).toMatchObject({ signedBy: [oldRootId], verified: true });
    await again.save();
    await publish(again, { keyring: ring });
    expect(meta(dir)).toContain('2.root.json');
    const verified = await verifyPublished(new DirectorySource(join(dir, 'repository')));
    expect(verified.problems).toEqual([]);
    expect(verified.rootVersion).toBe(2);
  });
});

function rawStatus(base: string, path: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static server', () => {
  it('serves files under its directory and nothing outside it', async () => {
    const { serveDirectory } = await import('../../src/repository/serve.js');
    const root = tempDir('serve');
    writeTree(root, { 'metadata/1.root.json': '{}', 'targets/a.txt': 'A', '.hidden': 'h' });
    writeTree(join(root, '..'), { [`${root.split('/').pop()}-secret.txt`]: 'outside' });
    const server = await serveDirectory(root);
    try {
      expect(await (await fetch(`${server.url}targets/a.txt`)).text()).toBe('A');
      expect((await fetch(`${server.url}metadata/1.root.json`)).headers.get('content-type')).toBe('application/json');
      // Raw request paths (fetch would normalise them before sending).
      const secret = `${root.split('/').pop()}-secret.txt`;
      for (const path of ['/targets/../../etc/passwd', `/../${secret}`, `/..%2F${secret}`, `/targets/..%2f..%2f${secret}`, '/.hidden', '/targets', '/nope']) {
        expect(await rawStatus(server.url, path), path).toBe(404);
      }
      expect((await fetch(`${server.url}targets/a.txt`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.close();
      rmSync(join(root, '..', `${root.split('/').pop()}-secret.txt`), { force: true });
    }
  });
});

describe('verifying a published repository reports what is wrong', () => {
  it('a tampered bin, a tampered target, a missing target, an expired repository, a foreign trust anchor', async () => {
    const { dir, repo, ring } = await makeRepository();
    const binKey = await makeKey(dir, 'bins');
    repo.config.signers.set(binKey.key.keyid, binKey.uri);
    await repo.delegateHashedBins('targets', { bins: 4, keys: [binKey.key] });
    writeTree(repo.layout.targetsDir, { 'a.txt': 'A', 'b.txt': 'B', 'c.txt': 'C' });
    await repo.addTargetsFromWorkingTree();
    await repo.sign(await repo.unpublishedRoles(), keyring(repo));
    await repo.save();
    await publish(repo, { keyring: ring });
    const published = join(dir, 'repository');
    const source = new DirectorySource(published);
    expect((await verifyPublished(source, { checkTargets: true })).ok).toBe(true);

    const binOf = (p: string) => (repo as Repository).roleForTarget(p);
    const bin = await binOf('a.txt');
    const binFile = join(published, 'metadata', `1.${bin}.json`);
    const original = readFileSync(binFile);
    // Formatting is not content: signatures cover the canonical form (spec §4.1).
    writeFileSync(binFile, original.toString().replace('"version": 1', '"version":   1'));
    expect((await verifyPublished(source)).ok).toBe(true);
    writeFileSync(binFile, original.toString().replace('"length": 1', '"length": 2'));
    let report = await verifyPublished(source);
    expect(report.ok).toBe(false);
    expect(report.roles.find((r) => r.role === bin)).toMatchObject({ ok: false, problem: expect.stringMatching(/signed by 0\/1/) });
    writeFileSync(binFile, original);

    const file = (await repo.findTarget('b.txt'))!.file;
    const targetPath = join(published, 'targets', file.getPrefixedPaths()[0]!);
    writeFileSync(targetPath, 'X');
    rmSync(join(published, 'targets', (await repo.findTarget('c.txt'))!.file.getPrefixedPaths()[0]!));
    report = await verifyPublished(source, { checkTargets: true });
    expect(report.targets?.failed.map((f) => f.path).sort()).toEqual(['b.txt', 'c.txt']);
    expect(report.problems.join('\n')).toMatch(/target "c.txt": targets\/.*c\.txt is missing/);

    report = await verifyPublished(source, { now: new Date(Date.now() + 400 * 86_400_000) });
    expect(report.problems[0]).toMatch(/^root v1: .*expired/);

    const other = await makeRepository();
    await publish(other.repo, { keyring: other.ring });
    report = await verifyPublished(source, { trustedRoot: readFileSync(join(other.dir, 'repository', 'metadata', '1.root.json')) });
    expect(report.ok).toBe(false);
    expect(report.problems[0]).toMatch(/^timestamp: .*signed by 0\/1|^timestamp: /);
  });
});
