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

/** A packed batch, ready to be copied into a core's memory. */
export interface PackedBatch {
  /** Number of entries. */
  readonly n: number;
  /** `n` entries of {@link ENTRY_SIZE} bytes. */
  readonly table: Uint8Array;
  /** The messages (and digests) the entries point into. */
  readonly data: Uint8Array;
}

/**
 * Pack `items` (all with a 32-byte key and a 64-byte signature: the caller answers the
 * others `false` itself). `sha512` enables host prehashing of messages ≥ {@link PREHASH_MIN}.
 */
export function packEd25519Batch(items: readonly Ed25519Input[], sha512?: Sha512Parts): PackedBatch {
  const n = items.length;
  const table = new Uint8Array(n * ENTRY_SIZE);
  const view = new DataView(table.buffer);
  // Lay out the data area: distinct messages first, then the host-computed digests.
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
  const data = new Uint8Array(messagesLen + 64 * digestCount);
  for (const [message, off] of offsets) data.set(message, off);
  let digestOff = messagesLen;
  for (let i = 0; i < n; i++) {
    const item = items[i]!;
    const base = i * ENTRY_SIZE;
    table.set(item.publicKey, base);
    table.set(item.signature, base + 32);
    const digest = digests[i];
    if (digest !== undefined) {
      data.set(digest, digestOff);
      view.setUint32(base + 96, digestOff, true);
      view.setUint32(base + 100, (64 | PREHASHED) >>> 0, true);
      digestOff += 64;
    } else {
      view.setUint32(base + 96, offsets.get(item.message)!, true);
      view.setUint32(base + 100, item.message.length, true);
    }
  }
  return { n, table, data };
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
