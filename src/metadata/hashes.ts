/**
 * Hashes of files that metadata describe (spec §4.4 METAFILES, §4.5 TARGETS: `HASHES`),
 * and the length-and-hash check the client runs on every download (spec §5.5.2, §5.6.2, §5.7.3).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { LengthOrHashMismatchError, UnsupportedAlgorithmError } from '../errors.js';
import { asNonEmptyString, asString, isObject, show } from './fields.js';
import { DeserializationError } from '../errors.js';

/** Hash algorithm names tufkit computes, as securesystemslib names them, mapped to node:crypto's. */
export const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  sha224: 'sha224',
  sha256: 'sha256',
  sha384: 'sha384',
  sha512: 'sha512',
  blake2b: 'blake2b512',
  blake2s: 'blake2s256',
};

/** A `HASHES` object: algorithm name → lowercase hex digest. */
export type Hashes = Record<string, string>;

/** A hasher for `algorithm`. @throws {@link UnsupportedAlgorithmError} */
export function createHasher(algorithm: string): Hash {
  const nodeName = HASH_ALGORITHMS[algorithm];
  if (nodeName === undefined) {
    throw new UnsupportedAlgorithmError(`hash algorithm ${JSON.stringify(algorithm)} is not supported (supported: ${Object.keys(HASH_ALGORITHMS).join(', ')})`);
  }
  return createHash(nodeName);
}

/** Read a `hashes` object: non-empty, names and digests strings (python-tuf's rules). */
export function readHashes(value: unknown, path: string): Hashes {
  if (!isObject(value)) throw new DeserializationError(`${path}: expected an object of hashes, found ${show(value)}`);
  const names = Object.keys(value);
  if (names.length === 0) throw new DeserializationError(`${path}: hashes must not be empty`);
  for (const name of names) {
    if (name === '') asNonEmptyString(name, `${path} (algorithm name)`);
    if (typeof value[name] !== 'string') asString(value[name], `${path}.${name}`);
  }
  // Checked in place: the parsed object is the parser's own, no copy needed.
  return value as Hashes;
}

/** Compute `algorithms` over `data`. */
export function hashBytes(data: Uint8Array, algorithms: readonly string[]): Hashes {
  return Object.fromEntries(algorithms.map((a) => [a, createHasher(a).update(data).digest('hex')]));
}

/** Compute `algorithms` and the length of a file, streaming it once. */
export async function hashFile(path: string, algorithms: readonly string[]): Promise<{ length: number; hashes: Hashes }> {
  const hashers = algorithms.map((a) => [a, createHasher(a)] as const);
  let length = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    length += chunk.length;
    for (const [, h] of hashers) h.update(chunk);
  }
  return { length, hashes: Object.fromEntries(hashers.map(([a, h]) => [a, h.digest('hex')])) };
}

/**
 * Check `data` against an expected length and hashes; every listed algorithm must be
 * supported and match (python-tuf's rule: an unknown algorithm is a mismatch).
 * @throws {@link LengthOrHashMismatchError} naming `what`, the algorithm and both values.
 */
export function verifyLengthAndHashes(data: Uint8Array, length: number | undefined, hashes: Hashes | undefined, what: string): void {
  if (length !== undefined && data.length !== length) {
    throw new LengthOrHashMismatchError(`${what}: length ${data.length} does not match the expected ${length}`);
  }
  if (hashes === undefined) return;
  for (const [algorithm, expected] of Object.entries(hashes)) {
    let observed: string;
    try {
      observed = createHasher(algorithm).update(data).digest('hex');
    } catch (err) {
      throw new LengthOrHashMismatchError(`${what}: cannot check hash ${JSON.stringify(algorithm)}: unsupported algorithm`, { cause: err });
    }
    if (observed !== expected) {
      throw new LengthOrHashMismatchError(`${what}: ${algorithm} ${observed} does not match the expected ${expected}`);
    }
  }
}
