/**
 * Interop with Sigstore's production repository (../shared/fixtures/sigstore-root-signing),
 * served on loopback. Its files are unprefixed although `consistent_snapshot` is true, so
 * the server maps the names a client asks for (`14.targets.json`, `HASH.trusted_root.json`)
 * to the files. Root chain 1..15: the lenient parse (UpdaterConfig.lenient) reads roots 1–4
 * (RFC 3339 `expires`, hex keys); the strict parse starts from root 5. The repository is
 * verified as of its publication (reference time 2026-08-21T19:25:56Z); later, it has expired.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeserializationError, ExpiredMetadataError, LengthOrHashMismatchError, Metadata } from '../../src/index.js';
import { Updater, type UpdaterConfig } from '../../src/client/index.js';
import { describeWithFixtures, fixture } from '../helpers/fixtures.js';
import { TestServer } from './harness/server.js';
import { staticResolver } from './harness/static.js';

const PUBLISHED = new Date('2026-08-21T19:25:56Z');
let server: TestServer | undefined;
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tufkit-sigstore-'));
  mkdirSync(join(dir, 'metadata'));
  mkdirSync(join(dir, 'targets'));
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const versionOf = (file: string): number => (JSON.parse(readFileSync(file, 'utf8')) as { signed: { version: number } }).signed.version;
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Serve `metadata/` and `targets/` of the fixture under consistent-snapshot names. */
function sigstoreServer(root: string): Promise<TestServer> {
  return TestServer.start(
    staticResolver((path) => {
      const m = /^metadata\/(?:([0-9]+)\.)?(.+)\.json$/.exec(path);
      if (m) {
        const [, version, name] = m as unknown as [string, string | undefined, string];
        if (name === 'root') return version === undefined ? undefined : join(root, 'metadata', 'root_history', `${version}.root.json`);
        if (name === 'timestamp') return version === undefined ? join(root, 'metadata', 'timestamp.json') : undefined;
        const file = join(root, 'metadata', `${name}.json`);
        return version !== undefined && versionOf(file) === Number(version) ? file : undefined;
      }
      const t = /^targets\/(.*?)([0-9a-f]{64})\.([^/]+)$/.exec(path);
      if (t) {
        const [, sub, hash, name] = t as unknown as [string, string, string, string];
        const file = join(root, 'targets', sub, name);
        return sha256(file) === hash ? file : undefined;
      }
      return undefined;
    }),
  );
}

describeWithFixtures('Sigstore production repository', () => {
  const root = fixture('sigstore-root-signing');
  const updaterFrom = (version: number, config: Partial<UpdaterConfig>): Updater => {
    copyFileSync(join(root, 'metadata', 'root_history', `${version}.root.json`), join(dir, 'metadata', 'root.json'));
    return new Updater({
      metadataDir: join(dir, 'metadata'),
      metadataBaseUrl: `${server!.url}/metadata/`,
      targetBaseUrl: `${server!.url}/targets/`,
      targetDir: join(dir, 'targets'),
      config: { referenceTime: PUBLISHED, ...config },
    });
  };

  it('lenient: walks the root chain 1→15 and downloads all 12 targets', async () => {
    server = await sigstoreServer(root);
    const updater = updaterFrom(1, { lenient: true });
    await updater.refresh();
    expect(server.metadataRequests()).toEqual([
      ...Array.from({ length: 15 }, (_, i) => ['root', i + 2]),
      ['timestamp', null],
      ['snapshot', 165],
      ['targets', 14],
    ]);
    expect(readFileSync(join(dir, 'metadata', 'root.json'))).toEqual(readFileSync(join(root, 'metadata', 'root.json')));
    const targets = (Metadata.fromBytes(readFileSync(join(root, 'metadata', 'targets.json')), { type: 'targets' }).signed.targets.keys());
    const names = [...targets, 'registry.npmjs.org/keys.json'];
    expect(names).toHaveLength(12);
    for (const name of names) {
      const info = await updater.getTargetInfo(name);
      expect(info, name).toBeDefined();
      const path = await updater.downloadTarget(info!);
      expect(readFileSync(path)).toEqual(readFileSync(join(root, 'targets', name)));
    }
    expect(server.metadataRequests().at(-1)).toEqual(['registry.npmjs.org', 8]);
  });

  it('strict: root 1 is refused (RFC 3339 expires), root 5 bootstraps the chain to 15', async () => {
    server = await sigstoreServer(root);
    expect(() => updaterFrom(1, {})).toThrow(DeserializationError);
    const updater = updaterFrom(5, {});
    await updater.refresh();
    expect(server.metadataRequests().slice(0, 11).map(([, v]) => v)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect((await updater.getTargetInfo('trusted_root.json'))?.length).toBe(readFileSync(join(root, 'targets', 'trusted_root.json')).length);
  });

  it('has expired since: root 15 after 2026-11-20, the timestamp after 2026-08-28', async () => {
    server = await sigstoreServer(root);
    await expect(updaterFrom(5, { referenceTime: new Date('2026-11-21T00:00:00Z') }).refresh()).rejects.toThrow(/root version 15 expired/);
    rmSync(join(dir, 'metadata'), { recursive: true });
    mkdirSync(join(dir, 'metadata'));
    const err = await updaterFrom(5, { referenceTime: new Date('2026-08-29T00:00:00Z') })
      .refresh()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpiredMetadataError);
    expect((err as Error).message).toMatch(/timestamp version 762 expired/);
  });
});

describeWithFixtures('Sigstore legacy layout (root 9, 2024-09-04)', () => {
  const legacy = fixture('sigstore-root-signing', 'legacy-2024-09-04');
  const AT = new Date('2024-08-30T16:06:05Z');
  const start = async (swap?: Record<string, string>): Promise<Updater> => {
    server = await TestServer.start(
      staticResolver((path) => {
        if (!path.startsWith('metadata/')) return undefined;
        const name = path.slice('metadata/'.length);
        return join(legacy, swap?.[name] ?? name);
      }),
    );
    copyFileSync(join(legacy, '9.root.json'), join(dir, 'metadata', 'root.json'));
    return new Updater({ metadataDir: join(dir, 'metadata'), metadataBaseUrl: `${server.url}/metadata/`, config: { referenceTime: AT } });
  };

  it('refreshes from the consistent-snapshot files, including the delegated role', async () => {
    const updater = await start();
    await updater.refresh();
    expect(server!.metadataRequests()).toEqual([
      ['root', 10],
      ['timestamp', null],
      ['snapshot', 155],
      ['targets', 9],
    ]);
    const info = await updater.getTargetInfo('registry.npmjs.org/keys.json');
    expect(info).toBeDefined();
    expect(server!.metadataRequests().at(-1)).toEqual(['registry.npmjs.org', 3]);
  });

  it('refuses an older real targets file (v8) served where snapshot names v9', async () => {
    const updater = await start({ '9.targets.json': '8.targets.json' });
    // snapshot carries length and hashes of 9.targets.json: the old file (5254 bytes, not 5478) fails them
    await expect(updater.refresh()).rejects.toThrow(LengthOrHashMismatchError);
    expect(readdirSync(join(dir, 'metadata')).sort()).toEqual(['root.json', 'snapshot.json', 'timestamp.json']);
  });

  it('discards a stale cached targets (the real v8) and fetches v9', async () => {
    const { writeFileSync } = await import('node:fs');
    const updater = await start();
    writeFileSync(join(dir, 'metadata', 'targets.json'), readFileSync(join(legacy, '8.targets.json')));
    await updater.refresh();
    expect(server!.metadataRequests().at(-1)).toEqual(['targets', 9]);
    expect(readFileSync(join(dir, 'metadata', 'targets.json'))).toEqual(readFileSync(join(legacy, '9.targets.json')));
  });
});
