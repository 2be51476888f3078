/**
 * Verify the signatures of many roles with ONE `verifyMany` call, so a batch engine (the WASM
 * core) sees every signature of a 1,024-bin repository at once instead of 1,024 small batches.
 *
 * It runs the metadata API's own threshold logic (`verifyRole`, spec §5.3.4/§5.4.2/§5.5.3/
 * §5.6.3 and the acceptance rules written there) twice: first with a verifier that only
 * records the checks, then — after one real `verifyMany` over all of them — with one that
 * replays the answers in the same order. The rules are thus exactly those of `verifyRole`.
 */
import type { Key } from '../metadata/key.js';
import type { Role } from '../metadata/role.js';
import type { Signature } from '../metadata/signature.js';
import { verifyRole, type VerificationResult } from '../metadata/verification.js';
import { getDefaultVerifier, type SignatureCheck, type Verifier } from '../verify/verifier.js';
import type { PublicKeyLike } from '../verify/public-key.js';

/** One role's signatures to check. */
export interface RoleCheck {
  readonly role: Role;
  readonly keyFor: (keyid: string) => Key | undefined;
  readonly payload: Uint8Array;
  readonly signatures: ReadonlyMap<string, Signature>;
}

class Recorder implements Verifier {
  readonly checks: SignatureCheck[] = [];
  constructor(private readonly real: Verifier) {}
  verify(key: PublicKeyLike, message: Uint8Array, signature: Uint8Array): boolean {
    this.checks.push({ key, message, signature });
    return false;
  }
  verifyMany(checks: readonly SignatureCheck[]): boolean[] {
    this.checks.push(...checks);
    return checks.map(() => false);
  }
  explainKey(key: PublicKeyLike): string | undefined {
    return this.real.explainKey(key);
  }
}

class Replayer implements Verifier {
  private next = 0;
  constructor(
    private readonly answers: readonly boolean[],
    private readonly real: Verifier,
  ) {}
  verify(): boolean {
    return this.answers[this.next++] === true;
  }
  verifyMany(checks: readonly SignatureCheck[]): boolean[] {
    return checks.map(() => this.answers[this.next++] === true);
  }
  explainKey(key: PublicKeyLike): string | undefined {
    return this.real.explainKey(key);
  }
}

/** The verification result of every check, in order, from one `verifyMany` call. */
export function verifyRolesBatch(items: readonly RoleCheck[], verifier: Verifier = getDefaultVerifier()): VerificationResult[] {
  const recorder = new Recorder(verifier);
  for (const item of items) verifyRole(item.role, item.keyFor, item.payload, item.signatures, recorder);
  const answers = recorder.checks.length ? verifier.verifyMany(recorder.checks) : [];
  const replayer = new Replayer(answers, verifier);
  return items.map((item) => verifyRole(item.role, item.keyFor, item.payload, item.signatures, replayer));
}
