/**
 * One test's world: a simulated repository served on loopback, a client metadata directory
 * initialised with root version 1, a target directory, and Updaters on them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Updater, type UpdaterConfig } from '../../../src/client/index.js';
import { TestRepository, type TestRepositoryOptions } from './repository.js';
import { TestServer } from './server.js';
import { dirContents } from './files.js';

export interface TestEnv {
  repo: TestRepository;
  server: TestServer;
  dir: string;
  metadataDir: string;
  targetDir: string;
  metadataUrl: string;
  targetsUrl: string;
  /** A new Updater on the metadata directory (a new "process"). */
  updater(config?: Partial<UpdaterConfig>): Updater;
  /** refresh() with a new Updater; resolves to the error thrown, or undefined. */
  refresh(config?: Partial<UpdaterConfig>): Promise<Error | undefined>;
  /** The metadata directory's files and bytes. */
  cache(): Record<string, string>;
  close(): Promise<void>;
}

export async function createEnv(options: TestRepositoryOptions = {}): Promise<TestEnv> {
  const repo = await TestRepository.create(options);
  const server = await TestServer.start((p) => repo.resolve(p));
  const dir = mkdtempSync(join(tmpdir(), 'tufkit-client-'));
  const metadataDir = join(dir, 'metadata');
  const targetDir = join(dir, 'targets');
  mkdirSync(metadataDir);
  mkdirSync(targetDir);
  writeFileSync(join(metadataDir, 'root.json'), repo.fetchMetadata('root', 1) as Uint8Array);
  const env: TestEnv = {
    repo,
    server,
    dir,
    metadataDir,
    targetDir,
    metadataUrl: `${server.url}/metadata/`,
    targetsUrl: `${server.url}/targets/`,
    updater: (config) => new Updater({ metadataDir, metadataBaseUrl: env.metadataUrl, targetBaseUrl: env.targetsUrl, targetDir, config: config ?? {} }),
    refresh: async (config) => {
      try {
        await env.updater(config).refresh();
        return undefined;
      } catch (err) {
        return err as Error;
      }
    },
    cache: () => dirContents(metadataDir),
    close: async () => {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return env;
}

/** The version in the cached file of `role`. */
export function cachedVersion(env: TestEnv, role: string): number | undefined {
  const hex = env.cache()[`${role}.json`];
  if (hex === undefined) return undefined;
  return (JSON.parse(Buffer.from(hex, 'hex').toString('utf8')) as { signed: { version: number } }).signed.version;
}
