/**
 * The conformance executable (`tufkit-conformance-client`, the tuf-conformance client CLI
 * protocol) run as real child processes against the loopback repository: exit codes (only
 * ever 0 or 1), the metadata directory's files and bytes, the target directory, and the
 * exact sequence of metadata requests. One case runs under `faketime`.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/fixtures.js';
import { ensureBuilt, runInProcess } from '../helpers/cli.js';
import { cachedVersion, createEnv, type TestEnv } from './harness/env.js';
import { daysFromNow } from './harness/repository.js';
import { TestSigner } from './harness/signer.js';

const BIN = join(ROOT, 'dist', 'client', 'conformance-main.js');
let env: TestEnv;
beforeAll(() => ensureBuilt());
afterEach(async () => env?.close());

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function run(args: string[], options: { faketime?: string } = {}): Promise<Run> {
  const cmd = options.faketime ? ['faketime', ['-f', options.faketime, process.execPath, BIN, ...args]] : [process.execPath, [BIN, ...args]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0] as string, cmd[1] as string[], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env['PATH'] ?? '' } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

const init = (root?: string) => run(['--metadata-dir', env.metadataDir, 'init', root ?? join(env.dir, 'initial_root.json')]);
const refresh = (options: { faketime?: string } = {}) => run(['--metadata-url', env.metadataUrl, '--metadata-dir', env.metadataDir, 'refresh'], options);
const download = (...names: string[]) =>
  run([
    '--metadata-url',
    env.metadataUrl,
    '--metadata-dir',
    env.metadataDir,
    ...names.flatMap((n) => ['--target-name', n]),
    '--target-dir',
    env.targetDir,
    '--target-base-url',
    env.targetsUrl,
    'download',
  ]);

/** A repository whose client metadata directory is still empty (init not run yet). */
async function freshEnv(options: Parameters<typeof createEnv>[0] = {}): Promise<TestEnv> {
  env = await createEnv(options);
  writeFileSync(join(env.dir, 'initial_root.json'), env.repo.fetchMetadata('root', 1) as Uint8Array);
  (await import('node:fs')).rmSync(join(env.metadataDir, 'root.json'));
  return env;
}

function files(dir: string): string[] {
  return readdirSync(dir).sort();
}

describe('tufkit-conformance-client', () => {
  it('init copies the trusted root without any request; refresh makes exactly the workflow requests', async () => {
    await freshEnv();
    expect((await init()).code).toBe(0);
    expect(readFileSync(join(env.metadataDir, 'root.json'))).toEqual(Buffer.from(env.repo.fetchMetadata('root', 1) as Uint8Array));
    expect(env.server.requests).toEqual([]);
    const r = await refresh();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/refresh: ok/);
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
      ['snapshot', 1],
      ['targets', 1],
    ]);
    expect(files(env.metadataDir)).toEqual(['root.json', 'snapshot.json', 'targets.json', 'timestamp.json']);
    for (const role of ['timestamp', 'snapshot', 'targets']) {
      expect(readFileSync(join(env.metadataDir, `${role}.json`))).toEqual(Buffer.from(env.repo.latest.get(role) as Uint8Array));
    }
    env.server.clear();
    expect((await refresh()).code).toBe(0);
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
    ]);
  });

  it('an invalid or unsigned initial root fails init or refresh, with no request', async () => {
    await freshEnv();
    const root = JSON.parse(Buffer.from(env.repo.fetchMetadata('root', 1) as Uint8Array).toString()) as { signed: Record<string, unknown>; signatures: { sig: string }[] };
    delete root.signed['version'];
    writeFileSync(join(env.dir, 'bad.json'), JSON.stringify(root));
    expect((await init(join(env.dir, 'bad.json'))).code).toBe(1);
    expect((await refresh()).code).toBe(1);
    const unsigned = JSON.parse(Buffer.from(env.repo.fetchMetadata('root', 1) as Uint8Array).toString()) as typeof root;
    unsigned.signatures[0]!.sig = 'ab'.repeat(64);
    writeFileSync(join(env.dir, 'unsigned.json'), JSON.stringify(unsigned));
    expect((await init(join(env.dir, 'unsigned.json'))).code).toBe(1);
    writeFileSync(join(env.metadataDir, 'root.json'), JSON.stringify(unsigned)); // as if init had copied it
    expect((await refresh()).code).toBe(1);
    expect(env.server.requests).toEqual([]);
  });

  it('download refreshes implicitly; a missing target exits 1 after the top-level requests', async () => {
    await freshEnv();
    await init();
    expect((await download('nonexistent artifact')).code).toBe(1);
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
      ['snapshot', 1],
      ['targets', 1],
    ]);
    expect(files(env.targetDir)).toEqual([]);
  });

  it('downloads targets in order, keeps a stored target with matching hashes, replaces a changed one under the same name', async () => {
    await freshEnv();
    await init();
    env.repo.addTarget('target_file.txt', 'target file contents');
    env.repo.addTarget('path/to/a/file.txt', 'in a sub dir');
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    const r = await download('target_file.txt', 'path/to/a/file.txt');
    expect(r.code, r.stderr).toBe(0);
    expect(files(env.targetDir)).toEqual(['path%2Fto%2Fa%2Ffile.txt', 'target_file.txt']);
    const targetRequests = () => env.server.requests.filter((p) => p.startsWith('targets/'));
    expect(targetRequests()).toHaveLength(2);
    env.server.clear();
    expect((await download('target_file.txt')).code).toBe(0);
    expect(targetRequests()).toEqual([]); // already there with matching hashes
    env.repo.addTarget('target_file.txt', 'modified contents');
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    expect((await download('target_file.txt')).code).toBe(0);
    expect(readFileSync(join(env.targetDir, 'target_file.txt'), 'utf8')).toBe('modified contents');
    expect(files(env.targetDir)).toEqual(['path%2Fto%2Fa%2Ffile.txt', 'target_file.txt']);
  });

  it('refuses substituted target content; keeps the good file and leaves no partial file; fails if any target fails', async () => {
    await freshEnv();
    await init();
    env.repo.addTarget('one.txt', 'good one');
    env.repo.addTarget('two.txt', 'good two');
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    expect((await download('one.txt')).code).toBe(0);
    env.repo.artifacts.set('one.txt', new Uint8Array(Buffer.from('malicious')));
    env.repo.artifacts.set('two.txt', new Uint8Array(Buffer.from('malicious')));
    env.repo.prefixTargetsWithHash = false; // the mirror serves anything under any name
    env.repo.root.consistentSnapshot = false;
    const r = await download('two.txt', 'one.txt');
    expect(r.code).toBe(1);
    expect(files(env.targetDir)).toEqual(['one.txt']);
    expect(readFileSync(join(env.targetDir, 'one.txt'), 'utf8')).toBe('good one');
  });

  it('refuses a timestamp rollback with exit 1 and leaves the metadata directory byte-identical', async () => {
    await freshEnv();
    await init();
    await env.repo.publish(['timestamp']);
    expect((await refresh()).code).toBe(0);
    const before = env.cache();
    env.repo.timestamp.version = 1;
    await env.repo.publish(['timestamp'], { bump: false });
    env.server.clear();
    expect((await refresh()).code).toBe(1);
    expect(env.cache()).toEqual(before);
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['timestamp', null],
    ]);
  });

  it('visits delegated roles in pre-order depth-first order, one request each', async () => {
    await freshEnv();
    await init();
    for (const [d, r] of [['targets', 'A'], ['targets', 'B'], ['A', 'C'], ['A', 'D']] as const) env.repo.addDelegation(d, r);
    await env.repo.publish(['A', 'B', 'C', 'D', 'targets']);
    await env.repo.updateSnapshot();
    expect((await download('missingpath')).code).toBe(1);
    expect(env.server.metadataRequests().slice(4)).toEqual([
      ['A', 1],
      ['C', 1],
      ['D', 1],
      ['B', 1],
    ]);
  });

  it('quotes unusual role names in requests and keeps their files inside the metadata directory', async () => {
    await freshEnv();
    await init();
    env.repo.addDelegation('targets', '../delegatedrole');
    await env.repo.publish(['../delegatedrole', 'targets']);
    await env.repo.updateSnapshot();
    expect((await download('nonexistent target')).code).toBe(1);
    expect(env.server.requests, env.server.requests.join(' ')).toContain('metadata/1...%2Fdelegatedrole.json');
    expect(files(env.metadataDir)).toEqual(['..%2Fdelegatedrole.json', 'root.json', 'snapshot.json', 'targets.json', 'timestamp.json']);
  });

  it('follows the system clock as the process sees it (faketime): expired cached metadata still guards the update', async () => {
    await freshEnv();
    await init();
    env.repo.timestamp.expires = daysFromNow(7);
    await env.repo.publish(['timestamp'], { bump: false });
    expect((await refresh()).code).toBe(0);
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    env.repo.timestamp.expires = daysFromNow(21);
    await env.repo.updateTimestamp();
    // 35 days on, everything has expired: the refresh must fail.
    expect((await refresh({ faketime: '+35d' })).code).toBe(1);
    expect(cachedVersion(env, 'targets')).toBe(1);
    // 18 days on, the cached timestamp has expired but the new one has not.
    const r = await refresh({ faketime: '+18d' });
    expect(r.code, r.stderr).toBe(0);
    expect(cachedVersion(env, 'targets')).toBe(2);
    expect(cachedVersion(env, 'timestamp')).toBe(3);
  });

  it('root rotation: root.json holds exactly the last accepted root', async () => {
    await freshEnv();
    await init();
    const old = [...env.repo.signers.get('root')!.values()];
    const fresh = env.repo.rotateKeys('root');
    await env.repo.publish(['root'], { signers: [...old, ...fresh] }); // v2: signed by old and new keys
    env.repo.rotateKeys('root');
    await env.repo.publish(['root']); // v3: signed only by its own new key: refused
    expect((await refresh()).code).toBe(1);
    expect(readFileSync(join(env.metadataDir, 'root.json'))).toEqual(Buffer.from(env.repo.fetchMetadata('root', 2) as Uint8Array));
  });

  it('exits 1, never 2 or a signal, for usage errors and impossible directories', async () => {
    await freshEnv();
    const cases: string[][] = [
      [],
      ['refresh'],
      ['--metadata-dir', env.metadataDir, 'frobnicate'],
      ['--metadata-dir', env.metadataDir, 'refresh'],
      ['--metadata-dir', env.metadataDir, '--metadata-url', env.metadataUrl, 'download'],
      ['--metadata-dir', env.metadataDir, '--bogus', 'x', 'refresh'],
      ['--metadata-dir', env.metadataDir, '--metadata-url'],
      ['--metadata-dir', join(env.dir, 'initial_root.json'), 'init', join(env.dir, 'initial_root.json')],
      ['--metadata-dir', env.metadataDir, '--metadata-url', 'not a url', 'refresh'],
    ];
    for (const args of cases) {
      const r = await run(args);
      expect({ args, code: r.code, signal: r.signal }).toEqual({ args, code: 1, signal: null });
      expect(r.stderr).toMatch(/tufkit-conformance-client: /);
    }
  });

  it('is also `tufkit client`, through the CLI framework', async () => {
    await freshEnv();
    const initRun = await runInProcess(['client', '--metadata-dir', env.metadataDir, 'init', join(env.dir, 'initial_root.json')]);
    expect(initRun.code).toBe(0);
    const r = await runInProcess(['client', '--metadata-url', env.metadataUrl, '--metadata-dir', env.metadataDir, 'refresh', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ action: 'refresh', targets: {} });
    expect(cachedVersion(env, 'targets')).toBe(1);
    const signer = TestSigner.generate();
    await env.repo.publish(['timestamp'], { signers: [signer] });
    const bad = await runInProcess(['client', '--metadata-url', env.metadataUrl, '--metadata-dir', env.metadataDir, 'refresh']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/timestamp was signed by 0\/1/);
  });
});
