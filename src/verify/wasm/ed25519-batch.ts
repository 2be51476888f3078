/**
 * Packing Ed25519 signatures into the table format of `tk_ed25519_verify_batch`
 * (crypto-wasm/src/ed25519/abi.rs) — shared by the single-thread path ({@link WasmCore})
 * and the worker pool, which ships packed batches to its workers.
 *
 * Entry (104 bytes): public key (32) ‖ signature (64) ‖ msg_off (u32 LE) ‖ msg_len (u32 LE).
 * Messages go once each into a data area (the same `Uint8Array` object signed by several
 * keys is stored once). With a host SHA-512 (node:crypto) long messages are not copied at
 * all: the challenge digest SHA-512(R ‖ A ‖ M) is computed here and flagged in msg_len.
 */
import { CryptoCoreError } from '../../errors.js';

/** Bytes per table entry. */
export const ENTRY_SIZE = 104;
/** Flag in msg_len: the range holds the 64-byte challenge digest. */
export const PREHASHED = 0x8000_0000;
/** Messages at least this long are hashed by the host when it can (node:crypto is faster). */
export const PREHASH_MIN = 2048;

/** A SHA-512 over several parts, when the runtime has a fast one (node:crypto). */
export type Sha512Parts = (parts: readonly Uint8Array[]) => Uint8Array;

/** One signature to pack: the fields of a `VerifyItem` with scheme `ed25519`. */
export interface Ed25519Input {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/** A packed batch, ready to be copied into a core's memory (or sent to a worker). */
export interface PackedBatch {
  /** Number of entries. */
  readonly n: number;
  /** The table (`n` entries of {@link ENTRY_SIZE} bytes), then the data area it points into. */
  readonly bytes: Uint8Array;
  /** Length of the table part of `bytes` (= n × ENTRY_SIZE). */
  readonly tableLen: number;
}

/** Where everything of a batch goes: computed once, then written to any target. */
export interface BatchLayout {
  readonly n: number;
  /** Bytes of the table: n × {@link ENTRY_SIZE}. */
  readonly tableLen: number;
  /** Bytes of the data area: distinct messages, then host-computed digests. */
  readonly dataLen: number;
  readonly offsets: ReadonlyMap<Uint8Array, number>;
  readonly digests: readonly (Uint8Array | undefined)[];
  readonly messagesLen: number;
}

/**
 * Lay out `items` (all with a 32-byte key and a 64-byte signature: the caller answers the
 * others `false` itself). `sha512` enables host prehashing of messages ≥ {@link PREHASH_MIN}.
 */
export function layoutEd25519Batch(items: readonly Ed25519Input[], sha512?: Sha512Parts): BatchLayout {
  const n = items.length;
  const offsets = new Map<Uint8Array, number>();
  const digests: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(n);
  let messagesLen = 0;
  let digestCount = 0;
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    if (sha512 !== undefined && item.message.length >= PREHASH_MIN) {
      digests[i] = sha512([item.signature.subarray(0, 32), item.publicKey, item.message]);
      digestCount++;
    } else if (!offsets.has(item.message)) {
      offsets.set(item.message, messagesLen);
      messagesLen += item.message.length;
    }
  }
  return { n, tableLen: n * ENTRY_SIZE, dataLen: messagesLen + 64 * digestCount, offsets, digests, messagesLen };
}

function putU32(target: Uint8Array, at: number, v: number): void {
  target[at] = v & 0xff;
  target[at + 1] = (v >>> 8) & 0xff;
  target[at + 2] = (v >>> 16) & 0xff;
  target[at + 3] = (v >>> 24) & 0xff;
}

/**
 * Write the table at `target[tableAt ..]` and the data area at `target[dataAt ..]`
 * (e.g. straight into a core's linear memory, or into a packed batch's buffers).
 */
export function writeEd25519Batch(
  layout: BatchLayout,
  items: readonly Ed25519Input[],
  target: Uint8Array,
  tableAt: number,
  dataAt: number,
): void {
  for (const [message, off] of layout.offsets) target.set(message, dataAt + off);
  let digestOff = layout.messagesLen;
  for (let i = 0; i < layout.n; i++) {
    const item = items[i]!;
    const base = tableAt + i * ENTRY_SIZE;
    target.set(item.publicKey, base);
    target.set(item.signature, base + 32);
    const digest = layout.digests[i];
    if (digest !== undefined) {
      target.set(digest, dataAt + digestOff);
      putU32(target, base + 96, digestOff);
      putU32(target, base + 100, (64 | PREHASHED) >>> 0);
      digestOff += 64;
    } else {
      putU32(target, base + 96, layout.offsets.get(item.message)!);
      putU32(target, base + 100, item.message.length);
    }
  }
}

/** Pack `items` into fresh buffers (for a worker): see {@link layoutEd25519Batch}. */
export function packEd25519Batch(items: readonly Ed25519Input[], sha512?: Sha512Parts): PackedBatch {
  const layout = layoutEd25519Batch(items, sha512);
  const bytes = new Uint8Array(layout.tableLen + layout.dataLen);
  writeEd25519Batch(layout, items, bytes, 0, layout.tableLen);
  return { n: layout.n, bytes, tableLen: layout.tableLen };
}

/** True when the item has the lengths the batch table can hold. */
export function fitsBatchTable(item: Ed25519Input): boolean {
  return item.publicKey.length === 32 && item.signature.length === 64;
}

/** node:crypto's SHA-512 when running in Node, else undefined (no static import). */
export function hostSha512(): Sha512Parts | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const nodeCrypto = proc?.getBuiltinModule?.('node:crypto') as
    | { createHash(alg: string): { update(b: Uint8Array): unknown; digest(): Uint8Array } }
    | undefined;
  if (nodeCrypto === undefined) return undefined;
  return (parts) => {
    const h = nodeCrypto.createHash('sha512');
    for (const p of parts) h.update(p);
    return new Uint8Array(h.digest());
  };
}

/** 32 bytes from the runtime's CSPRNG (`crypto.getRandomValues`). */
export function randomSeed(): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto;
  if (c === undefined) throw new CryptoCoreError('batch verification needs crypto.getRandomValues, which this runtime lacks');
  return c.getRandomValues(new Uint8Array(32));
}
