/**
 * Threshold signature verification of a role (spec §5.3.4, §5.4.2, §5.5.3, §5.6.3):
 * which keys of the role signed, which did not and why, and whether the threshold is met.
 */
import { getDefaultVerifier, type SignatureCheck, type Verifier } from '../verify/verifier.js';
import type { Key } from './key.js';
import type { Role } from './role.js';
import type { Signature } from './signature.js';

/**
 * The result of checking one role's signatures.
 *
 * Acceptance rules:
 * - only keys listed for the role count; signatures by other keys are ignored, never fatal;
 * - a keyid of the role that has no key object in the delegator is skipped (python-tuf);
 * - an empty (`"sig": ""`), non-hex or invalid signature leaves its key unsigned;
 * - each distinct key counts once toward the threshold, even if the role lists the same
 *   public key under two keyids (a key cannot vote twice).
 */
export class VerificationResult {
  /** The role's threshold. */
  readonly threshold: number;
  /** Keys of the role with a valid signature, by keyid. */
  readonly signed: ReadonlyMap<string, Key>;
  /** Keys of the role without a valid signature, by keyid. */
  readonly unsigned: ReadonlyMap<string, Key>;
  /** Why each unsigned keyid (and each keyid without a key) did not count. */
  readonly reasons: ReadonlyMap<string, string>;

  constructor(threshold: number, signed: ReadonlyMap<string, Key>, unsigned: ReadonlyMap<string, Key>, reasons: ReadonlyMap<string, string> = new Map()) {
    this.threshold = threshold;
    this.signed = signed;
    this.unsigned = unsigned;
    this.reasons = reasons;
  }

  /** The number of distinct keys with a valid signature. */
  get signedCount(): number {
    return countDistinct([...this.signed.values()]);
  }

  /** True when at least `threshold` distinct keys signed. */
  get verified(): boolean {
    return this.signedCount >= this.threshold;
  }

  /** How many more distinct keys must sign to meet the threshold. */
  get missing(): number {
    return Math.max(0, this.threshold - this.signedCount);
  }
}

/**
 * The result of checking a new root (spec §5.3.4): it must be signed by a threshold of the
 * previous root's root keys (`first`) and by a threshold of its own (`second`).
 */
export class RootVerificationResult {
  constructor(
    /** Against the previous (trusted) root's root role. */
    readonly first: VerificationResult,
    /** Against the new root's own root role. */
    readonly second: VerificationResult,
  ) {}

  /** True when both thresholds are met. */
  get verified(): boolean {
    return this.first.verified && this.second.verified;
  }

  /** Keys with a valid signature, from either root. */
  get signed(): ReadonlyMap<string, Key> {
    return new Map([...this.first.signed, ...this.second.signed]);
  }

  /** Keys without a valid signature, from either root. */
  get unsigned(): ReadonlyMap<string, Key> {
    return new Map([...this.first.unsigned, ...this.second.unsigned]);
  }
}

function countDistinct(keys: Key[]): number {
  const distinct: Key[] = [];
  for (const key of keys) if (!distinct.some((k) => k.sameKeyAs(key))) distinct.push(key);
  return distinct.length;
}

/**
 * Check `signatures` over `payload` against `role`, looking keys up with `keyFor`.
 * All signatures are handed to the verifier at once, so a batch engine can batch them.
 */
export function verifyRole(
  role: Role,
  keyFor: (keyid: string) => Key | undefined,
  payload: Uint8Array,
  signatures: ReadonlyMap<string, Signature>,
  verifier: Verifier = getDefaultVerifier(),
): VerificationResult {
  const signed = new Map<string, Key>();
  const unsigned = new Map<string, Key>();
  const reasons = new Map<string, string>();
  const pending: { keyid: string; key: Key }[] = [];
  const checks: SignatureCheck[] = [];
  for (const keyid of role.keyids) {
    const key = keyFor(keyid);
    if (key === undefined) {
      reasons.set(keyid, 'no key object for this keyid');
      continue;
    }
    const signature = signatures.get(keyid);
    const bytes = signature?.bytes();
    if (bytes === undefined) {
      unsigned.set(keyid, key);
      reasons.set(keyid, signature === undefined ? 'no signature' : signature.sig === '' ? 'empty signature' : 'signature is not hex');
      continue;
    }
    pending.push({ keyid, key });
    checks.push({ key, message: payload, signature: bytes });
  }
  const answers = checks.length ? verifier.verifyMany(checks) : [];
  pending.forEach(({ keyid, key }, i) => {
    if (answers[i]) {
      signed.set(keyid, key);
    } else {
      unsigned.set(keyid, key);
      reasons.set(keyid, verifier.explainKey(key) ?? 'invalid signature');
    }
  });
  return new VerificationResult(role.threshold, signed, unsigned, reasons);
}
