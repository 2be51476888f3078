/**
 * Ed25519 verification throughput, single thread unless a row says otherwise: the WASM core
 * (single verification for batch size 1, batch verification otherwise) against node:crypto
 * (a cached KeyObject, and a key import from DER SPKI per signature as tuf-js does) and
 * @noble/curves, 200-byte messages, batch sizes 1..16384, one shared key and all-distinct
 * keys. Ratios are to node:crypto with a cached KeyObject, measured in the same run.
 *
 * Single-thread rows are timed in CPU time of this process (process.cpuUsage, median of
 * repeated runs): on a machine shared with other jobs, wall time mostly measures the other
 * jobs. The pool rows need wall time (they measure parallelism) and also print CPU time.
 *
 * Then: the 2-worker pool against one thread, and the peak RSS of a plain Node process (the
 * compiled package, rebuilt into dist/ here) verifying a 100,000-signature batch.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { verifyBatch } from '../src/verify/api.js';
import { shutdownSharedPool } from '../src/verify/pool.js';
import type { VerifyItem } from '../src/verify/types.js';
import { WasmEngine } from '../src/verify/wasm-engine.js';
import { median, table } from './_util.js';

/** Median CPU time (user + system) of `fn` in ms, over runs for about `ms` of wall time. */
function cpuMeasure(fn: () => unknown, { ms = 1000, minRuns = 3, warmup = 1 } = {}): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const end = performance.now() + ms;
  while (times.length < minRuns || performance.now() < end) {
    const t = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t);
    times.push((d.user + d.system) / 1000);
  }
  return median(times);
}

/** Wall and CPU time of one awaited call, in ms (median of `runs`). */
async function wallAndCpu(fn: () => Promise<unknown>, runs = 5): Promise<{ wall: number; cpu: number }> {
  await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    await fn();
    const d = process.cpuUsage(c);
    wall.push(performance.now() - t);
    cpu.push((d.user + d.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

const SIZES = [1, 16, 256, 4096, 16384];
const MAX = SIZES[SIZES.length - 1]!;

interface Sig {
  item: VerifyItem;
  keyObject: KeyObject;
  spki: Buffer;
}

function makeSigs(count: number, keyCount: number): Sig[] {
  const keys = Array.from({ length: keyCount }, () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const raw = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'));
    return { publicKey, privateKey, raw, spki: publicKey.export({ format: 'der', type: 'spki' }) };
  });
  return Array.from({ length: count }, (_, i) => {
    const k = keys[i % keyCount]!;
    const message = new Uint8Array(200).map((_, j) => (i * 31 + j * 7) & 0xff);
    const signature = new Uint8Array(sign(null, message, k.privateKey));
    return { item: { scheme: 'ed25519', publicKey: k.raw, message, signature }, keyObject: k.publicKey, spki: k.spki };
  });
}

const wasm = new WasmEngine();
const sets = { 'one shared key': makeSigs(MAX, 1), 'all distinct keys': makeSigs(MAX, MAX) };

/** µs per signature of `fn` over `sigs`. */
function perSig(sigs: Sig[], fn: (s: Sig) => boolean, ms = 700): number {
  return (cpuMeasure(() => { for (const s of sigs) if (!fn(s)) throw new Error('a valid signature failed'); }, { ms, minRuns: 3, warmup: 1 }) * 1000) / sigs.length;
}

const rows: (string | number)[][] = [];
for (const [label, all] of Object.entries(sets)) {
  // Per-signature peers: independent of the batch size; measured on up to 1024 / 32 items.
  const sample = all.slice(0, 1024);
  const nodeCached = perSig(sample, (s) => nodeVerify(null, s.item.message, s.keyObject, s.item.signature));
  const nodeImport = perSig(sample, (s) => nodeVerify(null, s.item.message, createPublicKey({ key: s.spki, format: 'der', type: 'spki' }), s.item.signature));
  const noble = perSig(all.slice(0, 32), (s) => ed25519.verify(s.item.signature, s.item.message, s.item.publicKey, { zip215: false }));
  for (const n of SIZES) {
    const items = all.slice(0, n).map((s) => s.item);
    let us: number;
    if (n === 1) {
      // Single verification: cycle through different signatures (and keys) of the set.
      const single = all.slice(0, 256);
      us = perSig(single, (s) => wasm.verify(s.item), 1000);
    } else {
      const ms = cpuMeasure(() => {
        const out = wasm.verifyMany(items);
        if (!out.every(Boolean)) throw new Error('a valid signature failed');
      }, { ms: n >= 4096 ? 3000 : 1000, minRuns: 3, warmup: 1 });
      us = (ms * 1000) / n;
    }
    rows.push([label, n, us, 1e6 / us, nodeCached / us, nodeCached, nodeImport, noble, noble / us]);
  }
}
console.log('Single thread, CPU time. "x node" = node:crypto cached-KeyObject µs ÷ WASM µs (higher is better).\n');
table(
  ['keys', 'batch', 'WASM µs/sig', 'WASM sig/s', 'x node cached', 'node cached µs', 'node import-per-sig µs', 'noble µs', 'x noble'],
  rows,
);

// The worker pool (2 workers) against one thread, on the largest batches: wall time (what
// parallelism buys) and CPU time of the whole process (main thread and workers).
console.log('');
const poolRows: (string | number)[][] = [];
for (const [label, all] of Object.entries(sets)) {
  const items = all.map((s) => s.item);
  const one = await wallAndCpu(() => verifyBatch(items, { workers: false }));
  const two = await wallAndCpu(() => verifyBatch(items, { workers: 2 }));
  const us = (ms: number): number => (ms * 1000) / items.length;
  poolRows.push([label, items.length, us(one.wall), us(two.wall), one.wall / two.wall, us(one.cpu), us(two.cpu)]);
}
await shutdownSharedPool();
table(['keys', 'batch', '1 thread wall µs/sig', '2-worker pool wall µs/sig', 'speed-up', '1 thread CPU µs/sig', 'pool CPU µs/sig (all threads)'], poolRows);

// Peak RSS of a fresh plain-Node process (the compiled package, dist/) verifying 100,000
// signatures (200-byte messages, 100 keys) in one verifyBatch call: once on one thread, once
// with the 2-worker pool, each in its own process.
console.log('');
execFileSync(process.execPath, [join(process.cwd(), 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
const RSS_SCRIPT = `
  import { generateKeyPairSync, sign } from 'node:crypto';
  import { readFileSync } from 'node:fs';
  import { verifyBatch, shutdownSharedPool } from './dist/index.js';
  const peak = () => Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
  const N = 100000;
  const keys = Array.from({ length: 100 }, () => generateKeyPairSync('ed25519'));
  const raw = keys.map((k) => new Uint8Array(Buffer.from(k.publicKey.export({ format: 'jwk' }).x, 'base64url')));
  // Messages and signatures as views into two large buffers (as a client holding many
  // signed documents in one read buffer would), so the items themselves stay small.
  const messages = new Uint8Array(N * 200).map((_, j) => (j * 13) & 0xff);
  const signatures = new Uint8Array(N * 64);
  const items = [];
  for (let i = 0; i < N; i++) {
    const message = messages.subarray(i * 200, i * 200 + 200);
    signatures.set(sign(null, message, keys[i % 100].privateKey), i * 64);
    items.push({ scheme: 'ed25519', publicKey: raw[i % 100], message, signature: signatures.subarray(i * 64, i * 64 + 64) });
  }
  globalThis.gc?.();
  const before = peak();
  const t = performance.now();
  const out = await verifyBatch(items, { workers: process.argv[1] === 'pool' ? 2 : false });
  const ms = performance.now() - t;
  await shutdownSharedPool();
  if (!out.every(Boolean)) throw new Error('a valid signature failed');
  console.log(JSON.stringify({ before, after: peak(), ms }));
`;
const rssRows: (string | number)[][] = [];
for (const mode of ['one', 'pool']) {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', RSS_SCRIPT, mode], { encoding: 'utf8', cwd: process.cwd() });
  if (r.status !== 0) throw new Error(r.stderr);
  const { before, after, ms } = JSON.parse(r.stdout) as { before: number; after: number; ms: number };
  rssRows.push([mode === 'one' ? '1 thread' : '2-worker pool', ms, (ms * 1000) / 100_000, before, after]);
}
table(['100,000 signatures, one verifyBatch call (plain node, dist/)', 'ms', 'µs/sig', 'peak RSS MiB before', 'peak RSS MiB after'], rssRows);
