/**
 * What Root and Targets share as delegators: they list keys and roles, and check the
 * signatures of the metadata they delegate to (python-tuf's `_DelegatorMixin`).
 */
import { UnsignedMetadataError } from '../errors.js';
import type { Verifier } from '../verify/verifier.js';
import type { Key } from './key.js';
import type { Role } from './role.js';
import type { Signature } from './signature.js';
import { verifyRole, type VerificationResult } from './verification.js';

/** A role that delegates trust: {@link Root} (to the top-level roles) or {@link Targets}. */
export interface Delegator {
  /** The role object for `roleName`. @throws {@link ValueError} when not delegated here. */
  getDelegatedRole(roleName: string): Role;
  /** The key listed under `keyid`, or undefined. */
  findKey(keyid: string): Key | undefined;
}

/** Check `signatures` over `payload` against the role `roleName` of `delegator`; never throws for bad signatures. */
export function delegateVerificationResult(
  delegator: Delegator,
  roleName: string,
  payload: Uint8Array,
  signatures: ReadonlyMap<string, Signature>,
  verifier?: Verifier,
): VerificationResult {
  const role = delegator.getDelegatedRole(roleName);
  return verifyRole(role, (keyid) => delegator.findKey(keyid), payload, signatures, verifier);
}

/**
 * Like {@link delegateVerificationResult}, but throws when the threshold is not met.
 * @throws {@link UnsignedMetadataError} saying how many of how many keys signed, and why the others did not.
 */
export function verifyDelegateSignatures(
  delegator: Delegator,
  roleName: string,
  payload: Uint8Array,
  signatures: ReadonlyMap<string, Signature>,
  verifier?: Verifier,
): VerificationResult {
  const result = delegateVerificationResult(delegator, roleName, payload, signatures, verifier);
  if (!result.verified) {
    const why = [...result.reasons].map(([keyid, reason]) => `${keyid.slice(0, 8)}: ${reason}`).join('; ');
    throw new UnsignedMetadataError(
      `${roleName} was signed by ${result.signedCount}/${result.threshold} required keys` + (why ? ` (${why})` : ''),
    );
  }
  return result;
}
