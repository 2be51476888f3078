/**
 * Client benchmark: a full refresh plus one target lookup on a repository with 16,384
 * hashed bins (TAP 15 succinct roles), served on loopback, tufkit's Updater against
 * tuf-js's Updater (the peer, same run, same server, same files).
 *
 * The server runs in a worker thread so that serving does not share the clients' event loop.
 * Scenarios:
 * - cold: empty cache (root only): root N+1 (404), timestamp, snapshot (16,384 entries),
 *   targets, the target's bin;
 * - warm: a new Updater on a cache from a previous run (a new process on an up-to-date
 *   cache): root N+1 (404) and timestamp are fetched, everything else is re-verified from disk;
 * - bulk: after a refresh, tufkit loads and verifies all 16,384 bins (`loadDelegatedRoles`,
 *   one verifyMany batch) against tuf-js looking up one target in each bin.
 * Environment: BENCH_BITS (default 14), BENCH_RUNS (default 7), BENCH_BULK=0 to skip bulk.
 * Run time at 14 bits: about 13 minutes on 2 cores, nearly all of it in tuf-js (its snapshot
 * model is quadratic in the number of entries: 8,192 take it 26 s to parse, 16,384 over 2 min).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Updater as TufJsUpdater } from 'tuf-js';
import { Delegations, Key, Metadata, MetaFile, Root, Signature, Snapshot, SuccinctRoles, TargetFile, Targets, Timestamp, type AnySigned, type Signer } from '../src/index.js';
import { Updater } from '../src/client/index.js';
import { defaultEngine } from '../src/verify/auto-engine.js';
import { EngineVerifier, type Verifier } from '../src/verify/verifier.js';
import { fmt, median, peakRssMiB, table } from './_util.js';

const BITS = Number(process.env['BENCH_BITS'] ?? 14);
const TARGETS_PER_BIN = 2;
const RUNS = Number(process.env['BENCH_RUNS'] ?? 7);

function signer(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const hex = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('hex');
  const key = Key.create('ed25519', 'ed25519', { public: hex });
  return { publicKey: key, sign: async (p) => Signature.fromBytes(key.keyid, sign(null, p, privateKey)) };
}

// ------------------------------------------------------------------ the repository
const t0 = performance.now();
const repoDir = mkdtempSync(join(tmpdir(), 'tufkit-bench-repo-'));
const meta = join(repoDir, 'metadata');
mkdirSync(meta);
const expires = new Date(Date.now() + 365 * 86_400_000);
const keys = { root: signer(), timestamp: signer(), snapshot: signer(), targets: signer(), bins: signer() };
const root = new Root({ expires, consistentSnapshot: true });
for (const role of ['root', 'timestamp', 'snapshot', 'targets'] as const) root.addKey(keys[role].publicKey, role);
const succinct = new SuccinctRoles({ keyids: [keys.bins.publicKey.keyid], threshold: 1, bitLength: BITS, namePrefix: 'bin' });
const targets = new Targets({ expires, delegations: new Delegations({ keys: new Map([[keys.bins.publicKey.keyid, keys.bins.publicKey]]), succinctRoles: succinct }) });
const snapshotMeta = new Map<string, MetaFile>([['targets.json', new MetaFile(1)]]);
const bins = new Map<string, Targets>([...succinct.getRoles()].map((b) => [b, new Targets({ expires })]));
const paths: string[] = [];
let empty = bins.size;
// Until every bin has a target (and there are TARGETS_PER_BIN per bin on average).
for (let i = 0; empty > 0 || paths.length < bins.size * TARGETS_PER_BIN; i++) {
  const path = `packages/pkg-${i % 997}/release-${i}.tgz`;
  const bin = bins.get(succinct.getRoleForTarget(path))!;
  if (bin.targets.size === 0) empty--;
  bin.targets.set(path, new TargetFile(1024 + i, { sha256: (i.toString(16) + 'cd'.repeat(32)).slice(0, 64) }, path));
  paths.push(path);
}
async function write(name: string, signed: AnySigned, s: Signer): Promise<void> {
  const md = new Metadata(signed);
  await md.sign(s);
  writeFileSync(join(meta, name), md.toBytes());
}
for (const [name, bin] of bins) await write(`1.${name}.json`, bin, keys.bins);
for (const name of bins.keys()) snapshotMeta.set(`${name}.json`, new MetaFile(1));
await write('1.targets.json', targets, keys.targets);
await write('1.snapshot.json', new Snapshot({ expires, meta: snapshotMeta }), keys.snapshot);
await write('timestamp.json', new Timestamp({ expires, snapshotMeta: new MetaFile(1) }), keys.timestamp);
await write('1.root.json', root, keys.root);
const { size: snapshotSize } = await import('node:fs').then((fs) => fs.statSync(join(meta, '1.snapshot.json')));
console.log(`repository: ${bins.size} bins, ${paths.length} targets, snapshot ${(snapshotSize / 2 ** 20).toFixed(2)} MiB; built in ${fmt((performance.now() - t0) / 1000)} s`);

// ------------------------------------------------------------------ the server (worker)
const worker = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
   const http = require('node:http'); const fs = require('node:fs'); const path = require('node:path');
   const server = http.createServer((req, res) => {
     const name = decodeURIComponent((req.url || '/').replace(/^\\/metadata\\//, ''));
     if (name.includes('/')) { res.writeHead(404); res.end(); return; }
     fs.readFile(path.join(workerData, name), (err, data) => {
       if (err) { res.writeHead(404); res.end(); return; }
       res.writeHead(200, { 'Content-Length': data.length }); res.end(data);
     });
   });
   server.keepAliveTimeout = 60000;
   server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));`,
  { eval: true, workerData: meta },
);
const port = await new Promise<number>((ok) => worker.once('message', ok));
const baseUrl = `http://127.0.0.1:${port}/metadata/`;

// ------------------------------------------------------------------ the clients
// tuf-js's Snapshot model copies its meta map once per entry (quadratic): one refresh of this
// repository costs it minutes, so tuf-js gets one run per cell (its variance is small next
// to its time); tufkit gets RUNS runs (median) after two warm-up runs.
type Client = 'tufkit' | 'tuf-js';
interface Lookup {
  getTargetInfo(path: string): Promise<unknown>;
}
const work = mkdtempSync(join(tmpdir(), 'tufkit-bench-client-'));
let seq = 0;
function freshDir(): string {
  const dir = join(work, String(seq++));
  mkdirSync(join(dir, 'metadata'), { recursive: true });
  copyFileSync(join(meta, '1.root.json'), join(dir, 'metadata', 'root.json'));
  return dir;
}
/** A new Updater on `dir` (a new process), refresh, one lookup; returns the Updater and the time. */
async function refreshAndLookup(client: Client, dir: string, path: string): Promise<{ updater: Lookup; ms: number }> {
  const metadataDir = join(dir, 'metadata');
  const t = performance.now();
  const u =
    client === 'tufkit'
      ? new Updater({ metadataDir, metadataBaseUrl: baseUrl })
      : new TufJsUpdater({ metadataDir, metadataBaseUrl: baseUrl, targetDir: join(dir, 'targets') });
  await u.refresh();
  if ((await u.getTargetInfo(path)) === undefined) throw new Error(`${client}: ${path} not found`);
  return { updater: u, ms: performance.now() - t };
}
const pathAt = (r: number): string => paths[(r * 7919) % paths.length]!;

// tufkit
for (let i = 0; i < 2; i++) await refreshAndLookup('tufkit', freshDir(), pathAt(100 + i));
const coldTufkit: number[] = [];
for (let r = 0; r < RUNS; r++) coldTufkit.push((await refreshAndLookup('tufkit', freshDir(), pathAt(r))).ms);
const warmDir = freshDir();
await refreshAndLookup('tufkit', warmDir, pathAt(0));
const warmTufkit: number[] = [];
for (let r = 0; r < RUNS; r++) warmTufkit.push((await refreshAndLookup('tufkit', warmDir, pathAt(0))).ms);
// tuf-js: cold on a fresh cache, then warm on that cache (same target, so its bin is cached)
const tufjsDir = freshDir();
const coldTufjs = (await refreshAndLookup('tuf-js', tufjsDir, pathAt(0))).ms;
const warmRun = await refreshAndLookup('tuf-js', tufjsDir, pathAt(0));
const warmTufjs = warmRun.ms;
const cold = median(coldTufkit);
const warm = median(warmTufkit);
table(
  [`scenario (${bins.size} bins)`, 'tufkit ms', 'tuf-js ms', 'tuf-js / tufkit'],
  [
    ['cold cache: refresh + getTargetInfo', cold, coldTufjs, coldTufjs / cold],
    ['warm cache: new Updater, refresh + getTargetInfo', warm, warmTufjs, warmTufjs / warm],
  ],
);

// ------------------------------------------------------------------ bulk: every bin
if (process.env['BENCH_BULK'] !== '0') {
  const onePerBin = [...bins.values()].map((b) => b.targets.keys().next().value as string);
  const refreshed = async (verifier?: Verifier): Promise<Updater> => {
    const dir = freshDir();
    const u = new Updater({ metadataDir: join(dir, 'metadata'), metadataBaseUrl: baseUrl, config: verifier ? { verifier } : {} });
    await u.refresh();
    return u;
  };
  const bulkUpdater = await refreshed();
  let t = performance.now();
  const r = await bulkUpdater.loadDelegatedRoles('targets', { concurrency: 16 });
  if (r.failures.size || r.loaded.length !== bins.size) throw new Error('bulk load failed');
  const bulkTufkit = performance.now() - t;
  const wasmUpdater = await refreshed(new EngineVerifier(defaultEngine()));
  t = performance.now();
  const rw = await wasmUpdater.loadDelegatedRoles('targets', { concurrency: 16 });
  if (rw.failures.size || rw.loaded.length !== bins.size) throw new Error('bulk load (wasm) failed');
  const bulkWasm = performance.now() - t;
  const seqUpdater = await refreshed();
  t = performance.now();
  for (const p of onePerBin) if ((await seqUpdater.getTargetInfo(p)) === undefined) throw new Error(p);
  const seqTufkit = performance.now() - t;
  t = performance.now();
  for (const p of onePerBin) if ((await warmRun.updater.getTargetInfo(p)) === undefined) throw new Error(p);
  const seqTufjs = performance.now() - t;
  console.log();
  table(
    [`after a refresh: fetch and verify all ${bins.size} bins`, 'ms', 'tuf-js / this'],
    [
      ['tufkit loadDelegatedRoles (16 in flight, one verifyMany, node:crypto)', bulkTufkit, seqTufjs / bulkTufkit],
      ['tufkit loadDelegatedRoles (16 in flight, one verifyMany, WASM batch via AutoEngine)', bulkWasm, seqTufjs / bulkWasm],
      ['tufkit getTargetInfo once per bin (sequential)', seqTufkit, seqTufjs / seqTufkit],
      ['tuf-js getTargetInfo once per bin (sequential)', seqTufjs, 1],
    ],
  );
}
console.log(`\npeak RSS ${fmt(peakRssMiB())} MiB; tufkit: median of ${RUNS} runs, tuf-js: 1 run`);
await worker.terminate();
rmSync(work, { recursive: true, force: true });
rmSync(repoDir, { recursive: true, force: true });
