/**
 * The client workflow for the top-level roles (spec §5.1–§5.6), against a repository served
 * on loopback: request sequences, the local cache, consistent snapshots on and off.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExpiredMetadataError, StorageError, UnsignedMetadataError } from '../../src/index.js';
import { Updater } from '../../src/client/index.js';
import { cachedVersion, createEnv, type TestEnv } from './harness/env.js';

let env: TestEnv;
afterEach(async () => env?.close());

describe('refresh of the top-level roles', () => {
  it('fetches root N+1, timestamp, snapshot and targets, and caches exactly the served bytes (§5.3–§5.6)', async () => {
    env = await createEnv();
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
      ['snapshot', 1],
      ['targets', 1],
    ]);
    const cache = env.cache();
    expect(Object.keys(cache).sort()).toEqual(['root.json', 'snapshot.json', 'targets.json', 'timestamp.json']);
    for (const role of ['timestamp', 'snapshot', 'targets']) {
      expect(cache[`${role}.json`]).toBe(Buffer.from(env.repo.latest.get(role) as Uint8Array).toString('hex'));
    }
  });

  it('uses the cache when nothing changed: only root N+1 and timestamp are requested', async () => {
    env = await createEnv();
    await env.refresh();
    env.server.clear();
    const before = env.cache();
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
    ]);
    expect(env.cache()).toEqual(before);
  });

  it('without consistent snapshots fetches unversioned snapshot and targets (§5.5.1, §5.6.1)', async () => {
    env = await createEnv({ consistentSnapshot: false });
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
      ['snapshot', null],
      ['targets', null],
    ]);
  });

  it('follows a chain of new roots and persists each as root.json (§5.3.8)', async () => {
    env = await createEnv();
    for (let i = 0; i < 3; i++) await env.repo.publish(['root']);
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests().slice(0, 4)).toEqual([
      ['root', 2],
      ['root', 3],
      ['root', 4],
      ['root', 5],
    ]);
    expect(readFileSync(join(env.metadataDir, 'root.json'))).toEqual(Buffer.from(env.repo.fetchMetadata('root', 4) as Uint8Array));
  });

  it('fetches a new snapshot and targets when timestamp names new versions', async () => {
    env = await createEnv();
    await env.refresh();
    env.repo.addTarget('a.txt', 'hello');
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    env.server.clear();
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
      ['snapshot', 2],
      ['targets', 2],
    ]);
    expect(cachedVersion(env, 'targets')).toBe(2);
  });

  it('re-downloads a cached snapshot that no longer verifies (tampered cache is never trusted)', async () => {
    env = await createEnv();
    await env.refresh();
    const path = join(env.metadataDir, 'snapshot.json');
    const text = readFileSync(path, 'utf8').replace('"version": 1', '"version": 7');
    (await import('node:fs')).writeFileSync(path, text);
    env.server.clear();
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
      ['snapshot', 1],
    ]);
    expect(readFileSync(path)).toEqual(Buffer.from(env.repo.latest.get('snapshot') as Uint8Array));
  });

  it('re-downloads corrupt cached timestamp and targets files', async () => {
    env = await createEnv();
    await env.refresh();
    const fs = await import('node:fs');
    fs.writeFileSync(join(env.metadataDir, 'timestamp.json'), '{"not": "metadata"');
    fs.writeFileSync(join(env.metadataDir, 'targets.json'), Buffer.alloc(0));
    env.server.clear();
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
      ['targets', 1],
    ]);
    expect(cachedVersion(env, 'timestamp')).toBe(1);
    expect(cachedVersion(env, 'targets')).toBe(1);
  });

  it('fixes one reference time for the whole refresh (§5.1): a configured clock decides expiry', async () => {
    env = await createEnv();
    const later = new Date(Date.now() + 40 * 86_400_000);
    const err = await env.refresh({ referenceTime: later });
    expect(err).toBeInstanceOf(ExpiredMetadataError);
    expect(err?.message).toMatch(/root version 1 expired/);
    let calls = 0;
    expect(
      await env.refresh({
        referenceTime: () => {
          calls++;
          return new Date();
        },
      }),
    ).toBeUndefined();
    expect(calls).toBe(1);
  });

  it('refuses to start without a trusted root, or with one not signed by its own keys (§5.2)', async () => {
    env = await createEnv();
    const fs = await import('node:fs');
    fs.rmSync(join(env.metadataDir, 'root.json'));
    expect(() => env.updater()).toThrow(StorageError);
    const root = JSON.parse(Buffer.from(env.repo.fetchMetadata('root', 1) as Uint8Array).toString()) as { signed: { version: number } };
    root.signed.version = 5;
    fs.writeFileSync(join(env.metadataDir, 'root.json'), JSON.stringify(root));
    expect(() => env.updater()).toThrow(UnsignedMetadataError);
    expect(env.server.requests).toEqual([]);
  });

  it('stops after maxRootRotations new roots and continues with the last one (§5.3.3)', async () => {
    env = await createEnv();
    for (let i = 0; i < 40; i++) await env.repo.publish(['root']);
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests().filter(([r]) => r === 'root')).toHaveLength(32);
    expect(cachedVersion(env, 'root')).toBe(33);
    env.server.clear();
    expect(await env.refresh()).toBeUndefined();
    expect(env.server.metadataRequests().filter(([r]) => r === 'root').map(([, v]) => v)).toEqual([34, 35, 36, 37, 38, 39, 40, 41, 42]);
    expect(cachedVersion(env, 'root')).toBe(41);
  });

  it('one Updater can refresh again: each refresh starts from the latest trusted root with a new reference time', async () => {
    env = await createEnv();
    const updater = env.updater();
    await updater.refresh();
    const first = updater.trustedMetadata.referenceTime;
    await env.repo.publish(['root']);
    env.repo.addTarget('later.txt', 'later');
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    expect(await updater.getTargetInfo('later.txt')).toBeUndefined(); // no implicit refresh once targets is trusted
    await new Promise((r) => setTimeout(r, 5));
    await updater.refresh();
    expect(updater.trustedMetadata.referenceTime.getTime()).toBeGreaterThan(first.getTime());
    expect(updater.trustedMetadata.root.signed.version).toBe(2);
    expect(await updater.getTargetInfo('later.txt')).toBeDefined();
    expect(cachedVersion(env, 'root')).toBe(2);
  });

  it('works on a file:// repository', async () => {
    env = await createEnv({ consistentSnapshot: false });
    const fs = await import('node:fs');
    const repoDir = join(env.dir, 'repo');
    fs.mkdirSync(repoDir);
    for (const role of ['timestamp', 'snapshot', 'targets']) fs.writeFileSync(join(repoDir, `${role}.json`), env.repo.latest.get(role) as Uint8Array);
    fs.writeFileSync(join(repoDir, '1.root.json'), env.repo.fetchMetadata('root', 1) as Uint8Array);
    const updater = new Updater({ metadataDir: env.metadataDir, metadataBaseUrl: `file://${repoDir}` });
    await updater.refresh();
    expect(cachedVersion(env, 'targets')).toBe(1);
  });
});
