/**
 * The TUF-level verification seam: "does this signature by this key cover these bytes?"
 *
 * Every signature check in tufkit (metadata, client, repository, ceremonies) goes through
 * a {@link Verifier}. The default turns keys into engine input with `decodePublicKey` and
 * asks the {@link AutoEngine} (see {@link getDefaultVerifier}); another engine plugs in
 * with {@link setDefaultVerifier} or per call.
 */
import { describeError } from '../errors.js';
import { defaultEngine, type AutoEngine } from './auto-engine.js';
import { decodePublicKey, type DecodedKey, type PublicKeyLike } from './public-key.js';
import type { VerifyEngine, VerifyItem } from './types.js';

/** One signature to check at the TUF level. */
export interface SignatureCheck {
  readonly key: PublicKeyLike;
  /** The signed bytes (canonical JSON of `signed`). */
  readonly message: Uint8Array;
  /** The signature bytes (hex-decoded `sig`). */
  readonly signature: Uint8Array;
}

/**
 * Verifies signatures by TUF keys. Implementations never throw for bad keys or bad
 * signatures: the answer is `false`, and {@link Verifier.explainKey} says why a key
 * cannot verify anything.
 */
export interface Verifier {
  /** Check one signature. */
  verify(key: PublicKeyLike, message: Uint8Array, signature: Uint8Array): boolean;
  /** Check many; result `i` answers `checks[i]` (implementations may batch). */
  verifyMany(checks: readonly SignatureCheck[]): boolean[];
  /** Why `key` cannot verify any signature, or `undefined` when it can be used. */
  explainKey(key: PublicKeyLike): string | undefined;
}

/** A {@link Verifier} on top of a raw {@link VerifyEngine}. */
export class EngineVerifier implements Verifier {
  // Keys are immutable once parsed; decode each once.
  private readonly decoded = new WeakMap<PublicKeyLike, DecodedKey | string>();

  constructor(readonly engine: VerifyEngine) {}

  verify(key: PublicKeyLike, message: Uint8Array, signature: Uint8Array): boolean {
    const item = this.item({ key, message, signature });
    return item !== undefined && this.engine.verify(item);
  }

  verifyMany(checks: readonly SignatureCheck[]): boolean[] {
    const items: VerifyItem[] = [];
    const where: number[] = [];
    const out = new Array<boolean>(checks.length).fill(false);
    checks.forEach((check, i) => {
      const item = this.item(check);
      if (item !== undefined) {
        items.push(item);
        where.push(i);
      }
    });
    const answers = items.length ? this.engine.verifyMany(items) : [];
    answers.forEach((ok, j) => (out[where[j] as number] = ok));
    return out;
  }

  explainKey(key: PublicKeyLike): string | undefined {
    const decoded = this.decode(key);
    return typeof decoded === 'string' ? decoded : undefined;
  }

  private item(check: SignatureCheck): VerifyItem | undefined {
    const decoded = this.decode(check.key);
    if (typeof decoded === 'string') return undefined;
    return { scheme: decoded.scheme, publicKey: decoded.publicKey, message: check.message, signature: check.signature };
  }

  private decode(key: PublicKeyLike): DecodedKey | string {
    let decoded = this.decoded.get(key);
    if (decoded === undefined) {
      try {
        decoded = decodePublicKey(key);
      } catch (err) {
        decoded = describeError(err);
      }
      this.decoded.set(key, decoded);
    }
    return decoded;
  }
}

let defaultVerifier: Verifier | undefined;

/**
 * The verifier used where none is given: the {@link AutoEngine} (per scheme the engine
 * measured fastest: the WebAssembly core for Ed25519, with its batch verifier behind
 * `verifyMany`; node:crypto for ECDSA and RSA), unless replaced with {@link setDefaultVerifier}.
 */
export function getDefaultVerifier(): Verifier {
  return (defaultVerifier ??= new EngineVerifier(defaultEngine()));
}

/** Replace the process-wide default verifier (e.g. with the WASM engine's). */
export function setDefaultVerifier(verifier: Verifier): void {
  defaultVerifier = verifier;
}
