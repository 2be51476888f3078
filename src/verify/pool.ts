/**
 * A pool of worker threads (node:worker_threads), each with its own instance of the
 * WebAssembly core, for Ed25519 batches large enough to pay for the hand-off.
 *
 * Workers receive packed batches (src/verify/wasm/ed25519-batch.ts) and answer with one
 * byte per signature: the same core and the same call as the single-thread path, so the
 * answers are identical (every batch call is exact, whatever its random coefficients).
 *
 * The worker's code is a small plain-JavaScript program run with `eval: true`, so the pool
 * works the same from the TypeScript sources (tests) and from dist/. It receives the
 * compiled `WebAssembly.Module` through `workerData` (no file access in the worker).
 *
 * Workers are unref'd while idle (an idle pool never keeps the process alive) and ref'd
 * while they hold a job (a pending `verifyBatch` does). {@link VerifyPool.close} terminates
 * them; {@link shutdownSharedPool} closes the shared pool.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { CryptoCoreError } from '../errors.js';
import type { PackedBatch } from './wasm/ed25519-batch.js';
import { randomSeed } from './wasm/ed25519-batch.js';
import type { WasmModule } from './wasm/webassembly.js';

/**
 * The worker program, run with `eval: true`. Valid both as a CommonJS script and as an ES
 * module (Node evaluates it as a module when the process runs with --input-type=module), so
 * it reaches node:worker_threads through process.getBuiltinModule rather than require/import.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const core = new WebAssembly.Instance(workerData.module, {}).exports;
parentPort.on('message', (job) => {
  const { id, n, bytes, tableLen, seed } = job;
  const dataLen = bytes.length - tableLen;
  const total = bytes.length + 32 + n;
  const base = core.tk_alloc(Math.max(1, total)) >>> 0;
  if (base === 0) { parentPort.postMessage({ id, rc: -3 }); return; }
  try {
    const dataPtr = base + tableLen, seedPtr = dataPtr + dataLen, outPtr = seedPtr + 32;
    let mem = new Uint8Array(core.memory.buffer);
    mem.set(bytes, base); mem.set(seed, seedPtr);
    const rc = core.tk_ed25519_verify_batch(base, n, dataPtr, dataLen, seedPtr, outPtr);
    mem = new Uint8Array(core.memory.buffer);
    const out = mem.slice(outPtr, outPtr + n);
    parentPort.postMessage({ id, rc, out }, [out.buffer]);
  } catch (err) {
    // A trap (never expected): this instance cannot be trusted any more. Answer, then end
    // the worker; the pool fails and the next verifyBatch starts a fresh one.
    parentPort.postMessage({ id, rc: -100, error: String(err && err.message || err) });
    process.exit(1);
  }
  core.tk_free(base, Math.max(1, total));
});
`;

interface Job {
  readonly id: number;
  resolve(out: Uint8Array): void;
  reject(err: Error): void;
}

interface Reply {
  id: number;
  rc: number;
  out?: Uint8Array;
  error?: string;
}

interface Slot {
  readonly worker: Worker;
  pending: number;
}

/** A fixed set of worker threads running Ed25519 batches on the WebAssembly core. */
export class VerifyPool {
  /** Number of worker threads. */
  readonly size: number;
  private readonly slots: Slot[];
  private readonly jobs = new Map<number, Job>();
  private nextId = 1;
  private closed = false;
  private broken: Error | undefined;

  /**
   * Start `size` workers (default: the number of cores) on the compiled core `module`.
   */
  constructor(module: WasmModule, size: number = availableParallelism()) {
    this.size = Math.max(1, Math.floor(size));
    this.slots = [];
    for (let i = 0; i < this.size; i++) {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { module } });
      const slot: Slot = { worker, pending: 0 };
      worker.unref();
      worker.on('message', (reply: Reply) => this.onReply(slot, reply));
      worker.on('error', (err: Error) => this.fail(new CryptoCoreError(`verification worker failed: ${err.message}`, { cause: err })));
      worker.on('exit', (code: number) => {
        if (!this.closed) this.fail(new CryptoCoreError(`verification worker exited unexpectedly (code ${code})`));
      });
      this.slots.push(slot);
    }
  }

  /**
   * Verify one packed batch on the least busy worker: `n` answer bytes (1 = accepted).
   * The batch's buffer is transferred to the worker (unusable afterwards).
   */
  run(batch: PackedBatch): Promise<Uint8Array> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.closed) return Promise.reject(new CryptoCoreError('the verification pool is closed'));
    const slot = this.slots.reduce((a, b) => (b.pending < a.pending ? b : a));
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.jobs.set(id, { id, resolve, reject });
      if (slot.pending++ === 0) slot.worker.ref();
      const seed = randomSeed();
      slot.worker.postMessage({ id, n: batch.n, bytes: batch.bytes, tableLen: batch.tableLen, seed }, [batch.bytes.buffer as ArrayBuffer]);
    });
  }

  /** False once closed or broken (a worker died): such a pool refuses work. */
  get usable(): boolean {
    return !this.closed && this.broken === undefined;
  }

  /** Terminate the workers; pending jobs fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.failAll(new CryptoCoreError('the verification pool was closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private onReply(slot: Slot, reply: Reply): void {
    if (--slot.pending === 0) slot.worker.unref();
    const job = this.jobs.get(reply.id);
    if (job === undefined) return;
    this.jobs.delete(reply.id);
    if (reply.rc === 0 && reply.out !== undefined) job.resolve(reply.out);
    else job.reject(new CryptoCoreError(`verification worker: tk_ed25519_verify_batch failed (${reply.error ?? `status ${reply.rc}`})`, { code: reply.rc }));
  }

  /** A worker died: fail everything now and later, stop the others. */
  private fail(err: Error): void {
    if (this.broken !== undefined || this.closed) return;
    this.broken = err;
    this.failAll(err);
    for (const slot of this.slots) void slot.worker.terminate();
  }

  private failAll(err: Error): void {
    for (const job of this.jobs.values()) job.reject(err);
    this.jobs.clear();
    for (const slot of this.slots) {
      slot.pending = 0;
      slot.worker.unref();
    }
  }
}

let shared: VerifyPool | undefined;

/** The process-wide pool used by `verifyBatch` (created on first use). */
export function sharedPool(module: WasmModule, size?: number): VerifyPool {
  if (shared === undefined || !shared.usable || (size !== undefined && shared.size !== size)) {
    void shared?.close();
    shared = new VerifyPool(module, size);
  }
  return shared;
}

/** Terminate the shared pool (if any); a later `verifyBatch` starts a new one. */
export async function shutdownSharedPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
