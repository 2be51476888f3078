/**
 * {@link WasmCore}: typed calls into one instance of the WebAssembly crypto core, with
 * the memory handling the ABI needs (crypto-wasm/src/abi.rs documents the conventions).
 *
 * Memory: inputs are copied into linear memory allocated with `tk_alloc` and freed with
 * `tk_free`. Any call may grow the memory, which detaches every view of the old buffer, so
 * views are never kept across calls: {@link WasmCore.bytes} re-acquires one when the buffer
 * changed.
 *
 * Traps: the core is written never to trap, but if one did (a bug), the instance's state
 * (its stack pointer, its allocator) can no longer be trusted. The call then throws a
 * {@link CryptoCoreError}, the core marks itself {@link WasmCore.poisoned}, and the loader
 * gives the next caller a fresh instance: a trap never takes the process down and never
 * leaves a broken instance in use.
 */
import { CryptoCoreError, describeError } from '../../errors.js';
import {
  PREHASH_MIN,
  fitsBatchTable,
  hostSha512,
  layoutEd25519Batch,
  randomSeed,
  writeEd25519Batch,
  type BatchLayout,
  type Ed25519Input,
  type PackedBatch,
  type Sha512Parts,
} from './ed25519-batch.js';
import { webAssembly, type WasmMemory } from './webassembly.js';

/** The ABI version this loader speaks (`TK_ABI_VERSION` in crypto-wasm/src/abi.rs). */
export const ABI_VERSION = 1;

/** Status codes of the core's ABI (crypto-wasm/src/abi.rs). */
export const Status = {
  OK: 0,
  VALID: 1,
  INVALID: 0,
  ERR_RANGE: -1,
  ERR_LENGTH: -2,
  ERR_NOMEM: -3,
  ERR_FORMAT: -4,
} as const;

const STATUS_NAMES: Record<number, string> = {
  [-1]: 'TK_ERR_RANGE (a pointer/length outside linear memory)',
  [-2]: 'TK_ERR_LENGTH (a length the function does not accept)',
  [-3]: 'TK_ERR_NOMEM (out of WebAssembly memory)',
  [-4]: 'TK_ERR_FORMAT (an inconsistent argument table)',
};

/** A function exported by the core: i32/usize arguments, an i32 result. */
export type CoreFunction = (...args: number[]) => number;

/** Scratch memory kept between calls up to this size; larger inputs get a one-off allocation. */
const SCRATCH_KEEP = 1 << 16;

/**
 * Largest number of signatures per `tk_ed25519_verify_batch` call: bounds the core's
 * memory (~0.5 KiB per signature inside the call) while keeping the multi-scalar
 * multiplication large enough to be efficient.
 */
export const MAX_BATCH_CHUNK = 8192;

/** Why `tk_ed25519_check` rejected a signature (crypto-wasm/src/ed25519/verify.rs, `Reject`). */
export const ED25519_REJECT = ['accepted', 'length', 'S >= L', 'invalid A', 'invalid R', 'small-order A', 'small-order R', 'equation'] as const;

/** One instance of the core. Not safe to share between threads (each worker loads its own). */
export class WasmCore {
  private readonly memory: WasmMemory;
  private readonly exports: Record<string, unknown>;
  private readonly allocFn: CoreFunction;
  private readonly freeFn: CoreFunction;
  private view: Uint8Array;
  private readonly wrapped = new Map<string, CoreFunction>();
  private trapped = false;
  private scratchPtr = 0;
  private scratchLen = 0;
  private hostSha: Sha512Parts | undefined | null = null;

  /** Wrap an instance's exports; checks the ABI version. */
  constructor(exports: Record<string, unknown>) {
    this.exports = exports;
    const memory = exports['memory'] as WasmMemory | undefined;
    if (memory === undefined || !(memory.buffer instanceof ArrayBuffer)) {
      throw new CryptoCoreError('the WebAssembly crypto core exports no memory: not a tufkit_crypto.wasm module');
    }
    this.memory = memory;
    this.view = new Uint8Array(memory.buffer);
    this.allocFn = this.fn('tk_alloc');
    this.freeFn = this.fn('tk_free');
    const version = this.fn('tk_abi_version')();
    if (version !== ABI_VERSION) {
      throw new CryptoCoreError(
        `the WebAssembly crypto core speaks ABI version ${version}, this loader ABI version ${ABI_VERSION}: rebuild it with scripts/build-wasm`,
      );
    }
  }

  /** True when the core exports function `name` (e.g. a scheme added later). */
  has(name: string): boolean {
    return typeof this.exports[name] === 'function';
  }

  /** True once a call trapped: this instance must not be used again (module documentation). */
  get poisoned(): boolean {
    return this.trapped;
  }

  /**
   * The exported function `name`, guarded: a trap inside it poisons this core and surfaces
   * as a {@link CryptoCoreError}.
   * @throws CryptoCoreError when the core lacks it, or when the core is poisoned.
   */
  fn(name: string): CoreFunction {
    const known = this.wrapped.get(name);
    if (known !== undefined) return known;
    const f = this.exports[name];
    if (typeof f !== 'function') {
      throw new CryptoCoreError(`the WebAssembly crypto core has no function ${name}: rebuild it with scripts/build-wasm`);
    }
    const raw = f as CoreFunction;
    const RuntimeError = webAssembly()?.RuntimeError;
    const guarded: CoreFunction = (...args) => {
      if (this.trapped) throw new CryptoCoreError(`the WebAssembly crypto core instance trapped earlier and was discarded (calling ${name})`);
      try {
        return raw(...args);
      } catch (err) {
        if (RuntimeError !== undefined && err instanceof RuntimeError) {
          this.trapped = true;
          throw new CryptoCoreError(`the WebAssembly crypto core trapped in ${name} (${describeError(err)}); this instance is discarded`, {
            cause: err,
          });
        }
        throw err;
      }
    };
    this.wrapped.set(name, guarded);
    return guarded;
  }

  /** A view of the whole linear memory, valid until the next call into the core. */
  bytes(): Uint8Array {
    if (this.view.buffer !== this.memory.buffer) this.view = new Uint8Array(this.memory.buffer);
    return this.view;
  }

  /** Allocate `len` bytes (at least 1). @throws CryptoCoreError when the core is out of memory. */
  alloc(len: number): number {
    const n = Math.max(1, len);
    const ptr = this.allocFn(n) >>> 0;
    if (ptr === 0) throw new CryptoCoreError(`the WebAssembly crypto core could not allocate ${n} bytes`, { code: Status.ERR_NOMEM });
    return ptr;
  }

  /** Free what {@link alloc} returned, with the same length. */
  free(ptr: number, len: number): void {
    if (ptr !== 0) this.freeFn(ptr, Math.max(1, len));
  }

  /** Copy `data` to linear memory at `ptr`. */
  write(ptr: number, data: Uint8Array): void {
    this.bytes().set(data, ptr);
  }

  /** Copy `len` bytes out of linear memory at `ptr`. */
  read(ptr: number, len: number): Uint8Array {
    return this.bytes().slice(ptr, ptr + len);
  }

  /**
   * Run `f` with `len` bytes of memory: the kept scratch area when small enough, a one-off
   * allocation otherwise. The area must not be used after `f` returns.
   */
  withMemory<T>(len: number, f: (ptr: number) => T): T {
    if (len > SCRATCH_KEEP) {
      const ptr = this.alloc(len);
      try {
        return f(ptr);
      } finally {
        this.free(ptr, len);
      }
    }
    if (this.scratchLen < len || this.scratchPtr === 0) {
      if (this.scratchPtr !== 0) this.free(this.scratchPtr, this.scratchLen);
      this.scratchPtr = 0;
      const size = Math.max(len, 1024);
      this.scratchPtr = this.alloc(size);
      this.scratchLen = size;
    }
    return f(this.scratchPtr);
  }

  /** Throw a {@link CryptoCoreError} for a negative status of function `name`; return it otherwise. */
  check(name: string, status: number): number {
    if (status < 0) {
      throw new CryptoCoreError(`WebAssembly crypto core: ${name} failed with ${STATUS_NAMES[status] ?? `status ${status}`}`, { code: status });
    }
    return status;
  }

  /** SHA-256 of `data`. */
  sha256(data: Uint8Array): Uint8Array {
    return this.digest('tk_sha256', data, 32);
  }

  /** SHA-384 of `data`. */
  sha384(data: Uint8Array): Uint8Array {
    return this.digest('tk_sha384', data, 48);
  }

  /** SHA-512 of `data`. */
  sha512(data: Uint8Array): Uint8Array {
    return this.digest('tk_sha512', data, 64);
  }

  /**
   * Call a single-signature verification function of the ABI convention
   * `name(key, key_len, msg, msg_len, sig, sig_len) -> i32` (1 valid, 0 invalid).
   * Malformed keys and signatures give `false`; only misuse of the ABI throws.
   */
  verifyWith(name: string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    const f = this.fn(name);
    const total = publicKey.length + message.length + signature.length;
    return this.withMemory(total, (base) => {
      const mem = this.bytes();
      const keyPtr = base;
      const msgPtr = keyPtr + publicKey.length;
      const sigPtr = msgPtr + message.length;
      mem.set(publicKey, keyPtr);
      mem.set(message, msgPtr);
      mem.set(signature, sigPtr);
      return this.check(name, f(keyPtr, publicKey.length, msgPtr, message.length, sigPtr, signature.length)) === Status.VALID;
    });
  }

  /** Ed25519 single verification under the core's rules (crypto-wasm/README.md). */
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (publicKey.length !== 32 || signature.length !== 64) return false;
    const sha = message.length >= PREHASH_MIN ? this.sha512Host() : undefined;
    if (sha !== undefined) {
      const digest = sha([signature.subarray(0, 32), publicKey, message]);
      return this.verifyWith('tk_ed25519_verify_prehashed', publicKey, digest, signature);
    }
    return this.verifyWith('tk_ed25519_verify', publicKey, message, signature);
  }

  /**
   * Which rule (by name, {@link ED25519_REJECT}) rejects an Ed25519 signature, or
   * `'accepted'`: for tests and diagnostics.
   */
  ed25519Check(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): (typeof ED25519_REJECT)[number] {
    const f = this.fn('tk_ed25519_check');
    const total = publicKey.length + message.length + signature.length;
    const code = this.withMemory(total, (base) => {
      const mem = this.bytes();
      mem.set(publicKey, base);
      mem.set(message, base + publicKey.length);
      mem.set(signature, base + publicKey.length + message.length);
      return this.check('tk_ed25519_check', f(base, publicKey.length, base + publicKey.length, message.length, base + publicKey.length + message.length, signature.length));
    });
    return ED25519_REJECT[code] ?? 'equation';
  }

  /**
   * Ed25519 batch verification: answer `i` is exactly `ed25519Verify(items[i])`. Runs in
   * chunks of at most {@link MAX_BATCH_CHUNK}; items with wrong key or signature lengths
   * are answered `false` without entering the core.
   */
  ed25519VerifyBatch(items: readonly Ed25519Input[]): boolean[] {
    const out = new Array<boolean>(items.length).fill(false);
    const sha = this.sha512Host();
    let chunk: Ed25519Input[] = [];
    let positions: number[] = [];
    const flush = (): void => {
      if (chunk.length === 0) return;
      const answers = this.runBatch(layoutEd25519Batch(chunk, sha), chunk);
      for (let j = 0; j < positions.length; j++) out[positions[j]!] = answers[j] === 1;
      chunk = [];
      positions = [];
    };
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (!fitsBatchTable(item)) continue;
      chunk.push(item);
      positions.push(i);
      if (chunk.length === MAX_BATCH_CHUNK) flush();
    }
    flush();
    return out;
  }

  /** Run one packed batch (see ed25519-batch.ts): `n` answer bytes, 1 = accepted. */
  runPackedBatch(batch: PackedBatch, seed: Uint8Array = randomSeed()): Uint8Array {
    return this.callBatch(batch.n, batch.tableLen, batch.bytes.length - batch.tableLen, seed, (mem, at) => mem.set(batch.bytes, at));
  }

  /** Run one laid-out batch, writing it straight into linear memory (no intermediate copy). */
  private runBatch(layout: BatchLayout, items: readonly Ed25519Input[]): Uint8Array {
    return this.callBatch(layout.n, layout.tableLen, layout.dataLen, randomSeed(), (mem, at) =>
      writeEd25519Batch(layout, items, mem, at, at + layout.tableLen),
    );
  }

  /** Allocate table ‖ data ‖ seed ‖ out, let `fill` write table ‖ data, call the core. */
  private callBatch(n: number, tableLen: number, dataLen: number, seed: Uint8Array, fill: (mem: Uint8Array, at: number) => void): Uint8Array {
    const f = this.fn('tk_ed25519_verify_batch');
    const total = tableLen + dataLen + 32 + n;
    const base = this.alloc(total);
    try {
      const dataPtr = base + tableLen;
      const seedPtr = dataPtr + dataLen;
      const outPtr = seedPtr + 32;
      const mem = this.bytes();
      fill(mem, base);
      mem.set(seed, seedPtr);
      this.check('tk_ed25519_verify_batch', f(base, n, dataPtr, dataLen, seedPtr, outPtr));
      return this.read(outPtr, n);
    } finally {
      this.free(base, total);
    }
  }

  private sha512Host(): Sha512Parts | undefined {
    if (this.hostSha === null) this.hostSha = hostSha512();
    return this.hostSha;
  }

  private digest(name: string, data: Uint8Array, outLen: number): Uint8Array {
    const f = this.fn(name);
    return this.withMemory(data.length + outLen, (base) => {
      const outPtr = base;
      const dataPtr = base + outLen;
      this.bytes().set(data, dataPtr);
      this.check(name, f(dataPtr, data.length, outPtr));
      return this.read(outPtr, outLen);
    });
  }
}
