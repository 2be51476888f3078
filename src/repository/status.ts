/**
 * The state of every role of a repository under edit: version, expiry (with a warning when
 * it is close), signatures against the threshold and which keys are still missing, and
 * whether the staged version is published.
 */
import { expiryDays } from './config.js';
import type { Repository } from './repository.js';
import { RootVerificationResult, type VerificationResult } from '../metadata/verification.js';
import { Targets } from '../metadata/targets.js';

/** The state of one role. */
export interface RoleStatus {
  readonly role: string;
  readonly version: number;
  /** `expires` as written in the metadata. */
  readonly expires: string;
  /** Milliseconds until expiry (negative once expired). */
  readonly expiresInMs: number;
  readonly expired: boolean;
  /** Less than a quarter of the role's expiry period is left. */
  readonly expiringSoon: boolean;
  readonly threshold: number;
  /** Distinct keys with a valid signature (for a rotating root: the smaller of the two counts). */
  readonly validSignatures: number;
  readonly verified: boolean;
  /** Keys of the role that have not signed while the threshold is not met. */
  readonly missingKeyids: string[];
  /** Missing keys for which tufkit.json names a signer. */
  readonly missingWithSigner: string[];
  /** True when this staged version is not published yet. */
  readonly unpublished: boolean;
  /** Number of targets listed (targets roles only). */
  readonly targets?: number;
}

const DAY_MS = 86_400_000;

/** The status of every role of `repo` (all roles are read; signatures verified in one batch). */
export async function repositoryStatus(repo: Repository): Promise<RoleStatus[]> {
  const now = repo.now().getTime();
  const names = await repo.roleNames();
  const states = await repo.signatureStates(names);
  const out: RoleStatus[] = [];
  for (const state of states) {
    const md = await repo.role(state.role);
    const r = state.result;
    const parts: VerificationResult[] = r instanceof RootVerificationResult ? [r.first, r.second] : [r];
    const validSignatures = Math.min(...parts.map((p) => p.signedCount));
    const threshold = Math.max(...parts.map((p) => p.threshold));
    const expiresInMs = md.signed.expires.getTime() - now;
    const period = expiryDays(repo.config.expiry, state.role) * DAY_MS;
    out.push({
      role: state.role,
      version: state.version,
      expires: md.signed.expiresString,
      expiresInMs,
      expired: expiresInMs <= 0,
      expiringSoon: expiresInMs > 0 && expiresInMs < period / 4,
      threshold,
      validSignatures,
      verified: state.verified,
      missingKeyids: state.missingKeyids,
      missingWithSigner: state.missingKeyids.filter((k) => repo.config.signers.has(k)),
      unpublished: state.unpublished,
      ...(md.signed instanceof Targets ? { targets: md.signed.targets.size } : {}),
    });
  }
  return out;
}
