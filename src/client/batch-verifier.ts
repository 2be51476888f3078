/**
 * Hand the signatures of many metadata files to one `Verifier.verifyMany` call.
 *
 * The acceptance rules of threshold verification live in the metadata layer
 * (`verifyRole`: which keyids count, distinct keys, empty signatures...). To batch without
 * re-implementing them, each verification runs twice: first against a recording verifier
 * that collects the signature checks (answering "invalid"), then, after one `verifyMany`
 * over everything collected, against a replaying verifier that returns the real answers.
 * A replayed check must be the very same check (same key object, same message buffer, same
 * signature bytes) or it is verified afresh: an answer is never given to another question.
 */
import type { PublicKeyLike } from '../verify/public-key.js';
import type { SignatureCheck, Verifier } from '../verify/verifier.js';

type Mode = 'direct' | 'record' | 'replay';

/** Collects signature checks from several verifications and answers them in one batch. */
export class BatchVerifier {
  /** Pass this verifier to the verifications to batch. */
  readonly verifier: Verifier;
  private mode: Mode = 'direct';
  private readonly recorded: SignatureCheck[] = [];
  private answers: boolean[] = [];
  private cursor = 0;

  constructor(private readonly inner: Verifier) {
    this.verifier = {
      verify: (key, message, signature) => this.answer([{ key, message, signature }])[0] as boolean,
      verifyMany: (checks) => this.answer(checks),
      explainKey: (key: PublicKeyLike) => this.inner.explainKey(key),
    };
  }

  /**
   * Run `fn` once to record its signature checks; return a function that runs it again
   * with the answers (call it after {@link flush}).
   */
  record<T>(fn: () => T): () => T {
    const start = this.recorded.length;
    this.mode = 'record';
    try {
      fn();
    } finally {
      this.mode = 'direct';
    }
    return () => {
      this.mode = 'replay';
      this.cursor = start;
      try {
        return fn();
      } finally {
        this.mode = 'direct';
      }
    };
  }

  /** Verify everything recorded so far in one `verifyMany` call. */
  flush(): void {
    this.answers = this.recorded.length ? this.inner.verifyMany(this.recorded) : [];
  }

  private answer(checks: readonly SignatureCheck[]): boolean[] {
    if (this.mode === 'record') {
      this.recorded.push(...checks);
      return checks.map(() => false);
    }
    if (this.mode === 'direct') return this.inner.verifyMany(checks);
    return checks.map((check) => {
      const i = this.cursor++;
      const seen = this.recorded[i];
      if (seen !== undefined && i < this.answers.length && seen.key === check.key && seen.message === check.message && sameBytes(seen.signature, check.signature)) {
        return this.answers[i] as boolean;
      }
      return this.inner.verify(check.key, check.message, check.signature);
    });
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}
