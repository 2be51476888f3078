/**
 * The public verification functions: {@link verify} (one signature, synchronous) and
 * {@link verifyBatch} (many, asynchronous: large Ed25519 batches run on a worker-thread
 * pool, one WebAssembly instance per core).
 *
 * Both answer exactly as the chosen engine's `verify` does, item by item: `true` only for a
 * valid signature, `false` for anything else (wrong lengths, garbage keys, unknown schemes).
 */
import { ValueError } from '../errors.js';
import { engineNamed, type EngineChoice, AutoEngine } from './auto-engine.js';
import { sharedPool } from './pool.js';
import type { VerifyEngine, VerifyItem } from './types.js';
import { fitsBatchTable, hostSha512, packEd25519Batch } from './wasm/ed25519-batch.js';
import { wasmModuleSync } from './wasm/load.js';
import { WasmEngine } from './wasm-engine.js';

/** Options of {@link verify} and {@link verifyBatch}. */
export interface VerifyOptions {
  /**
   * `'auto'` (default): per scheme the fastest engine on this platform (Ed25519: the WASM
   * core; ECDSA/RSA: node:crypto). `'wasm'`, `'node'`, `'noble'`: that engine for every
   * scheme it implements.
   */
  readonly engine?: EngineChoice;
  /**
   * Worker threads for {@link verifyBatch}: `true`/undefined (default) uses the shared pool
   * sized to the cores when the batch has at least {@link POOL_MIN_ITEMS} Ed25519
   * signatures; a number sets the pool size; `false` stays on the calling thread.
   */
  readonly workers?: boolean | number;
}

/**
 * Ed25519 signatures per batch below which {@link verifyBatch} stays on the calling
 * thread. Measured (bench/ed25519.ts, 2 cores): starting the pool costs ~100 ms once per
 * process, and 2048 signatures took as long on 2 workers as on one thread; from ~8192 the
 * pool pays (1.8x at 16384 with a shared key).
 */
export const POOL_MIN_ITEMS = 8192;

/** Chunks kept in flight per worker (bounds memory for very large batches). */
const IN_FLIGHT_PER_WORKER = 2;

/**
 * Largest number of signatures per job sent to a worker: bounds each worker's memory
 * (~0.5 KiB per signature inside the core) and the buffers in flight; jobs are smaller
 * when that still gives every worker two (so that workers finish together).
 */
const POOL_CHUNK = 8192;

/** Check one signature with the chosen engine (default `'auto'`). */
export function verify(item: VerifyItem, options: VerifyOptions = {}): boolean {
  return engineNamed(options.engine ?? 'auto').verify(item);
}

/**
 * Check many signatures; result `i` answers `items[i]`, exactly as {@link verify} would.
 * Large Ed25519 batches run on worker threads (see {@link VerifyOptions.workers}).
 */
export async function verifyBatch(items: readonly VerifyItem[], options: VerifyOptions = {}): Promise<boolean[]> {
  if (!Array.isArray(items)) throw new ValueError('verifyBatch: items must be an array of VerifyItem');
  const engine = engineNamed(options.engine ?? 'auto');
  const workers = options.workers ?? true;
  if (workers === false || items.length < POOL_MIN_ITEMS) return engine.verifyMany(items);
  const wasm = wasmForEd25519(engine);
  if (wasm === undefined) return engine.verifyMany(items);
  const edAt: number[] = [];
  const rest: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.scheme === 'ed25519' && fitsBatchTable(item)) edAt.push(i);
    else rest.push(i);
  }
  if (edAt.length < POOL_MIN_ITEMS) return engine.verifyMany(items);
  const size = typeof workers === 'number' ? workers : undefined;
  const pool = sharedPool(wasmModuleSync(), size);
  const out = new Array<boolean>(items.length).fill(false);
  const chunk = Math.max(1024, Math.min(POOL_CHUNK, Math.ceil(edAt.length / (2 * pool.size))));
  const sha = hostSha512();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  for (let start = 0; start < edAt.length && failure === undefined; start += chunk) {
    const positions = edAt.slice(start, start + chunk);
    const packed = packEd25519Batch(positions.map((i) => items[i]!), sha);
    const job: Promise<void> = pool.run(packed).then(
      (answers) => {
        for (let j = 0; j < positions.length; j++) out[positions[j]!] = answers[j] === 1;
        inFlight.delete(job);
      },
      (err: unknown) => {
        failure ??= err;
        inFlight.delete(job);
      },
    );
    inFlight.add(job);
    if (inFlight.size >= pool.size * IN_FLIGHT_PER_WORKER) await Promise.race(inFlight);
  }
  // The other schemes on this thread while the workers run.
  if (rest.length > 0 && failure === undefined) {
    const answers = engine.verifyMany(rest.map((i) => items[i]!));
    for (let j = 0; j < rest.length; j++) out[rest[j]!] = answers[j]!;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return out;
}

/** The WASM engine when `engine` sends Ed25519 to it, else undefined. */
function wasmForEd25519(engine: VerifyEngine): WasmEngine | undefined {
  const e = engine instanceof AutoEngine ? engine.engineFor('ed25519') : engine;
  return e instanceof WasmEngine ? e : undefined;
}
