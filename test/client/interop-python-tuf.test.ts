/**
 * Interop with python-tuf's test repository (../shared/fixtures/python-tuf/repository_data):
 * the client updates from it and downloads its targets; starts from python-tuf's own
 * client cache; and handles the fishy role names (`../a`, `.`, `ö`) exactly as python-tuf
 * encodes them, never writing outside its metadata directory.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater } from '../../src/client/index.js';
import { describeWithFixtures, fixture } from '../helpers/fixtures.js';
import { dirContents } from './harness/files.js';
import { TestServer } from './harness/server.js';
import { decodeFlat, staticResolver } from './harness/static.js';

let server: TestServer | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tufkit-pytuf-'));
  mkdirSync(join(dir, 'metadata'));
  mkdirSync(join(dir, 'targets'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function pythonTufServer(repo: string): Promise<TestServer> {
  return TestServer.start(
    staticResolver((path) => {
      if (path.startsWith('metadata/')) {
        const name = decodeFlat(path.slice('metadata/'.length));
        return name === undefined ? undefined : join(repo, 'metadata', name);
      }
      if (path.startsWith('targets/')) {
        const name = decodeFlat(path.slice('targets/'.length));
        return name === undefined ? undefined : join(repo, 'targets', name);
      }
      return undefined;
    }),
  );
}

describeWithFixtures('python-tuf test repository', () => {
  const repo = fixture('python-tuf', 'repository_data', 'repository');

  it('refreshes from it, caches its exact bytes and downloads every target (two hashes each)', async () => {
    server = await pythonTufServer(repo);
    copyFileSync(join(repo, 'metadata', 'root.json'), join(dir, 'metadata', 'root.json'));
    const updater = new Updater({ metadataDir: join(dir, 'metadata'), metadataBaseUrl: `${server.url}/metadata`, targetBaseUrl: `${server.url}/targets`, targetDir: join(dir, 'targets') });
    await updater.refresh();
    expect(server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
      ['snapshot', null],
      ['targets', null],
    ]);
    for (const name of ['root.json', 'timestamp.json', 'snapshot.json', 'targets.json']) {
      expect(readFileSync(join(dir, 'metadata', name))).toEqual(readFileSync(join(repo, 'metadata', name)));
    }
    for (const file of ['file1.txt', 'file2.txt', 'file3.txt']) {
      const info = await updater.getTargetInfo(file);
      expect(info, file).toBeDefined();
      expect(Object.keys(info!.hashes).sort()).toEqual(['sha256', 'sha512']);
      const path = await updater.downloadTarget(info!);
      expect(readFileSync(path)).toEqual(readFileSync(join(repo, 'targets', file)));
    }
    // file3.txt is delegated to role1 (paths ["file3.txt"]), which delegates to role2 (paths []).
    expect(server.metadataRequests().slice(4)).toEqual([['role1', null]]);
    expect(await updater.getTargetInfo('nonexistent.txt')).toBeUndefined();
    expect(readdirSync(join(dir, 'metadata')).sort()).toEqual(['role1.json', 'root.json', 'snapshot.json', 'targets.json', 'timestamp.json']);
  });

  it("starts from python-tuf's own client cache (test_repository1, current)", async () => {
    server = await pythonTufServer(repo);
    const cache = fixture('python-tuf', 'repository_data', 'client', 'test_repository1', 'metadata', 'current');
    for (const name of readdirSync(cache)) copyFileSync(join(cache, name), join(dir, 'metadata', name));
    const updater = new Updater({ metadataDir: join(dir, 'metadata'), metadataBaseUrl: `${server.url}/metadata/` });
    await updater.refresh();
    expect(await updater.getTargetInfo('file3.txt')).toBeDefined();
    // Everything valid was taken from the cache: only root N+1 and timestamp were asked for.
    expect(server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
    ]);
  });
});

describeWithFixtures('python-tuf fishy role names', () => {
  const fishy = fixture('python-tuf', 'repository_data', 'fishy_rolenames');

  it('encodes ../a, . and ö as python-tuf does, and never reaches the decoy outside metadata/', async () => {
    // A server that stores role ../a under the decoy's bytes: the client must still keep the
    // file inside its metadata directory, as ..%2Fa.json.
    server = await TestServer.start(
      staticResolver((path) => {
        if (!path.startsWith('metadata/')) return undefined;
        const raw = path.slice('metadata/'.length);
        if (raw === '1...%2Fa.json') return join(fishy, '1.a.json');
        const name = decodeFlat(raw);
        return name === undefined ? undefined : join(fishy, 'metadata', name);
      }),
    );
    const metadataDir = join(dir, 'metadata');
    copyFileSync(join(fishy, 'metadata', '1.root.json'), join(metadataDir, 'root.json'));
    const updater = new Updater({ metadataDir, metadataBaseUrl: `${server.url}/metadata/` });
    await updater.refresh();
    const outside = dirContents(dir);
    expect(await updater.getTargetInfo('anything')).toBeUndefined();
    expect(server.requests.slice(-3)).toEqual(['metadata/1...%2Fa.json', 'metadata/1...json', 'metadata/1.%C3%B6.json']);
    expect(readdirSync(metadataDir).sort()).toEqual(['..%2Fa.json', '..json', '%C3%B6.json', 'root.json', 'snapshot.json', 'targets.json', 'timestamp.json'].sort());
    // Nothing was written anywhere but metadata/ (targets/ is still empty).
    const after = dirContents(dir);
    for (const key of Object.keys(after)) expect(key.startsWith('metadata/') || key in outside).toBe(true);
    expect(readdirSync(join(dir, 'targets'))).toEqual([]);
  });
});
