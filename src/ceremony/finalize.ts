/**
 * Finalizing a ceremony: once both thresholds are met (spec §5.3.4: a threshold of the current
 * root's root keys and a threshold of the new root's), the new root becomes the repository's
 * next root version — the staged `metadata/root.json` of a tufkit working directory (publish
 * then writes `N.root.json`), or a plain metadata file.
 *
 * Refused, with nothing written: thresholds not met; the new root already expired; the
 * repository's current (last published) root is not the one the proposal rotates from; the
 * repository has other unpublished root changes, or signatures on a staged root the proposal
 * would replace.
 */
import { existsSync, readFileSync } from 'node:fs';
import { CeremonyError, ExpiredMetadataError, UnsignedMetadataError } from '../errors.js';
import { Metadata } from '../metadata/metadata.js';
import type { Root } from '../metadata/root.js';
import type { Signature } from '../metadata/signature.js';
import { Repository } from '../repository/repository.js';
import { signerUriOf } from '../signers/signer-uri.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { sha256Hex, type Proposal } from './proposal.js';

/** Options of the finalize functions. */
export interface FinalizeOptions {
  /** Reference time for the expiry check (default now). */
  readonly now?: Date;
  readonly verifier?: Verifier;
}

/**
 * The new root as it will be published: the proposal's root with its valid signatures only.
 * @throws {@link UnsignedMetadataError} naming the thresholds not met, {@link ExpiredMetadataError}.
 */
export function finalRoot(proposal: Proposal, options: FinalizeOptions = {}): Metadata<Root> {
  const verifier = options.verifier ?? getDefaultVerifier();
  const status = proposal.status(verifier);
  if (!status.complete) {
    const parts: string[] = [];
    if (status.previous && !status.previous.met) {
      parts.push(`${status.previous.signed.length} of the ${status.previous.threshold} needed signatures by root keys of the current version ${status.previous.version}`);
    }
    if (!status.next.met) parts.push(`${status.next.signed.length} of the ${status.next.threshold} needed signatures by root keys of the new version ${status.next.version}`);
    throw new UnsignedMetadataError(`refusing to finalize: only ${parts.join(' and ')} (spec §5.3.4); nothing written`);
  }
  const now = options.now ?? new Date();
  if (proposal.root.signed.isExpired(now)) {
    throw new ExpiredMetadataError(`refusing to finalize: the new root expired ${proposal.root.signed.expiresString}; nothing written`);
  }
  const valid = new Map<string, Signature>();
  for (const [keyid, sig] of proposal.root.signatures) if (proposal.isValidSignature(sig, verifier)) valid.set(keyid, sig);
  return new Metadata<Root>(proposal.root.signed, valid, proposal.root.unrecognizedFields);
}

/**
 * Write the finalized root to `path` (python-tuf's file format), never over another file
 * (writing the same root again is a no-op).
 * @throws see {@link finalRoot}; {@link CeremonyError} when `path` holds something else.
 */
export async function finalizeToFile(proposal: Proposal, path: string, options: FinalizeOptions = {}): Promise<Metadata<Root>> {
  const md = finalRoot(proposal, options);
  const bytes = md.toBytes();
  if (existsSync(path)) {
    if (Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))) return md;
    throw new CeremonyError(`${path} exists with other content; not overwriting it`);
  }
  await writeFileAtomic(path, bytes);
  return md;
}

/** What {@link finalizeIntoRepository} did. */
export interface FinalizeReport {
  readonly version: number;
  /** The staged root file written. */
  readonly path: string;
  /** Keyids whose signer URI hint (x-tufkit-signer-uri) was recorded in tufkit.json. */
  readonly signersRecorded: readonly string[];
  /** True when the staged root already was this root with these signatures. */
  readonly unchanged: boolean;
}

/**
 * Make the proposal's root the next root of the tufkit repository in `dir` (staged; publish it
 * with `tufkit publish`).
 * @throws see {@link finalRoot}; {@link CeremonyError} when the repository does not fit.
 */
export async function finalizeIntoRepository(proposal: Proposal, dir: string, options: FinalizeOptions = {}): Promise<FinalizeReport> {
  const md = finalRoot(proposal, options);
  const repo = await Repository.open(dir, { ...(options.now ? { now: () => options.now as Date } : {}), ...(options.verifier ? { verifier: options.verifier } : {}) });
  const last = await repo.lastPublishedRoot();
  const staged = await repo.root();
  const payload = sha256Hex(md.signedBytes());
  const stagedHash = sha256Hex(staged.signedBytes());
  if (proposal.previous !== undefined) {
    if (last === undefined) throw new CeremonyError(`${dir}: no root is published yet, but the proposal rotates from version ${proposal.previous.signed.version}`);
    if (sha256Hex(last.signedBytes()) !== proposal.previousSha256()) {
      throw new CeremonyError(
        `${dir}: the repository's current root (published version ${last.signed.version}) is not the root the proposal rotates from (version ${proposal.previous.signed.version}); nothing written`,
      );
    }
    if (stagedHash !== payload && stagedHash !== sha256Hex(last.signedBytes())) {
      throw new CeremonyError(`${dir}: the staged root (version ${staged.signed.version}) has unpublished changes of its own; publish or discard them first; nothing written`);
    }
  } else {
    if (last !== undefined) throw new CeremonyError(`${dir}: root version ${last.signed.version} is published already; a new-repository proposal does not fit; nothing written`);
    if (stagedHash !== payload && staged.signatures.size > 0) {
      throw new CeremonyError(`${dir}: the staged root version ${staged.signed.version} carries signatures the proposal would drop; nothing written`);
    }
  }
  // Keep valid signatures the staged copy of this very root has already (never drop one).
  const signatures = new Map(md.signatures);
  if (stagedHash === payload) for (const [keyid, sig] of staged.signatures) if (!signatures.has(keyid) && proposal.isValidSignature(sig, options.verifier)) signatures.set(keyid, sig);
  const out = new Metadata<Root>(md.signed, signatures, md.unrecognizedFields);
  const path = repo.layout.rolePath('root');
  const bytes = out.toBytes();
  const unchanged = existsSync(path) && Buffer.from(readFileSync(path)).equals(Buffer.from(bytes));
  if (!unchanged) await writeFileAtomic(path, bytes);
  const recorded: string[] = [];
  for (const [keyid, key] of out.signed.keys) {
    const uri = signerUriOf(key);
    if (uri !== undefined && !repo.config.signers.has(keyid)) {
      repo.config.signers.set(keyid, uri);
      recorded.push(keyid);
    }
  }
  if (recorded.length) await repo.saveConfig();
  return { version: out.signed.version, path, signersRecorded: recorded, unchanged };
}
