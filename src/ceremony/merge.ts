/**
 * Merging the copies of a proposal signed on different machines (embedded signatures) and
 * detached signature files into one proposal.
 *
 * Every input must be about the same payload (the same new root over the same current root):
 * otherwise nothing is merged and {@link ProposalConflictError} names the file that differs.
 * Every valid signature of any input is kept; a keyid signed validly in two copies (ECDSA
 * signatures differ each time) keeps the first valid one. Signatures that do not verify, or
 * whose key is a root key of neither version, cannot count and are left out — reported.
 */
import { readFile } from 'node:fs/promises';
import { DeserializationError, ProposalConflictError, StorageError, describeError } from '../errors.js';
import type { Signature } from '../metadata/signature.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { PROPOSAL_FORMAT, Proposal } from './proposal.js';
import { SIGNATURE_FORMAT, parseDetachedSignatures, type DetachedSignatures } from './sign.js';

/** One file given to a merge. */
export type CeremonyFile = { readonly path: string; readonly kind: 'proposal'; readonly proposal: Proposal } | { readonly path: string; readonly kind: 'signatures'; readonly detached: DetachedSignatures };

/**
 * Read a proposal or a detached signature file (told apart by `format`).
 * @throws {@link StorageError}, {@link DeserializationError}, {@link CeremonyError}
 */
export async function readCeremonyFile(path: string): Promise<CeremonyFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
  let format: unknown;
  try {
    format = (JSON.parse(bytes.toString('utf8')) as { format?: unknown }).format;
  } catch (err) {
    throw new DeserializationError(`${path}: not JSON: ${describeError(err)}`);
  }
  if (format === PROPOSAL_FORMAT) return { path, kind: 'proposal', proposal: Proposal.fromBytes(bytes, path) };
  if (format === SIGNATURE_FORMAT) return { path, kind: 'signatures', detached: parseDetachedSignatures(bytes, path) };
  throw new DeserializationError(`${path}: neither a ceremony proposal (${PROPOSAL_FORMAT}) nor a signature file (${SIGNATURE_FORMAT})`);
}

/** What a merge did. */
export interface MergeResult {
  readonly proposal: Proposal;
  /** Keyids whose signature came from an input other than the first proposal. */
  readonly added: readonly string[];
  /** Signatures left out, and why. */
  readonly dropped: ReadonlyArray<{ readonly keyid: string; readonly from: string; readonly reason: string }>;
}

/**
 * Merge `files` (at least one proposal; the first is the base).
 * @throws {@link ProposalConflictError} when the inputs disagree on the payload.
 */
export function mergeCeremonyFiles(files: readonly CeremonyFile[], verifier: Verifier = getDefaultVerifier()): MergeResult {
  const base = files.find((f): f is Extract<CeremonyFile, { kind: 'proposal' }> => f.kind === 'proposal');
  if (base === undefined) throw new ProposalConflictError('merge needs at least one proposal file (detached signatures alone do not say what was signed)');
  const payload = base.proposal.payloadSha256();
  const previous = base.proposal.previousSha256() ?? null;
  const candidates: Array<{ sig: Signature; from: string }> = [];
  for (const f of files) {
    if (f.kind === 'proposal') {
      if (f.proposal.payloadSha256() !== payload) {
        throw new ProposalConflictError(`${f.path} proposes another root (payload sha256 ${f.proposal.payloadSha256()}) than ${base.path} (${payload}); nothing merged`);
      }
      if ((f.proposal.previousSha256() ?? null) !== previous) {
        throw new ProposalConflictError(`${f.path} rotates from another current root than ${base.path}; nothing merged`);
      }
      for (const sig of f.proposal.root.signatures.values()) candidates.push({ sig, from: f.path });
    } else {
      if (f.detached.payloadSha256 !== payload) {
        throw new ProposalConflictError(`${f.path} signs another payload (sha256 ${f.detached.payloadSha256}) than ${base.path} (${payload}); nothing merged`);
      }
      for (const sig of f.detached.signatures) candidates.push({ sig, from: f.path });
    }
  }
  const chosen = new Map<string, Signature>();
  const added: string[] = [];
  const dropped: Array<{ keyid: string; from: string; reason: string }> = [];
  for (const { sig, from } of candidates) {
    if (chosen.has(sig.keyid)) continue;
    if (base.proposal.rootKey(sig.keyid) === undefined) {
      dropped.push({ keyid: sig.keyid, from, reason: 'not a root key of either version' });
      continue;
    }
    if (!base.proposal.isValidSignature(sig, verifier)) {
      dropped.push({ keyid: sig.keyid, from, reason: 'does not verify' });
      continue;
    }
    chosen.set(sig.keyid, sig);
    if (from !== base.path || base.proposal.root.signatures.get(sig.keyid) !== sig) added.push(sig.keyid);
  }
  // A keyid dropped from one input but valid in another is not dropped.
  const reallyDropped = dropped.filter((d) => !chosen.has(d.keyid));
  // Order: the new root's keyids first, then the current root's, as the roots list them.
  const order = [...base.proposal.root.signed.getDelegatedRole('root').keyids, ...(base.proposal.previous?.signed.getDelegatedRole('root').keyids ?? [])];
  const sorted = new Map([...chosen].sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)));
  return { proposal: base.proposal.withSignatures(sorted), added, dropped: reallyDropped };
}
