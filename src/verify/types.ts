/**
 * The raw verification seam: one signature check on bytes, no TUF objects.
 *
 * Every engine (node:crypto, the Rust/WASM core, the pure-JS fallback) implements
 * {@link VerifyEngine}; the TUF layer turns a `Key` into a {@link VerifyItem} with
 * `src/verify/public-key.ts` and never touches an engine's internals.
 */

/** The TUF signature schemes tufkit verifies (spec §4.2 "Key objects", securesystemslib names). */
export const SCHEMES = [
  'ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'rsassa-pss-sha256',
  'rsa-pkcs1v15-sha256',
] as const;

/** One of {@link SCHEMES}. */
export type Scheme = (typeof SCHEMES)[number];

/** True when `s` names a scheme tufkit can verify. */
export function isScheme(s: string): s is Scheme {
  return (SCHEMES as readonly string[]).includes(s);
}

/**
 * One signature to check.
 *
 * - `publicKey`: the raw 32 bytes for `ed25519`; the DER SubjectPublicKeyInfo for ECDSA and RSA.
 * - `message`: exactly the bytes that were signed (for TUF: the canonical JSON of `signed`).
 * - `signature`: as TUF stores it, hex-decoded (64 bytes for Ed25519, ASN.1 DER for ECDSA,
 *   the modulus-sized integer for RSA).
 */
export interface VerifyItem {
  readonly scheme: string;
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * A signature-verification engine.
 *
 * Contract, for every engine:
 * - `verify` returns `true` only for a valid signature; any malformed input (unknown scheme,
 *   wrong lengths, garbage key) gives `false`, never an exception.
 * - `verifyMany(items)` returns exactly `items.map(verify)`; engines may batch internally
 *   but must never accept an item that `verify` rejects.
 */
export interface VerifyEngine {
  /** Short name for reports and benchmarks, e.g. `node`, `wasm`, `noble`. */
  readonly name: string;
  /** Check one signature. */
  verify(item: VerifyItem): boolean;
  /** Check many signatures; result `i` is the answer for `items[i]`. */
  verifyMany(items: readonly VerifyItem[]): boolean[];
}
