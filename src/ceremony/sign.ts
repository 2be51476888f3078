/**
 * Signing a proposal on an offline machine, into the proposal file or into a detached
 * signature file:
 *
 * ```json
 * { "format": "tufkit-ceremony-signature/1", "payloadSha256": "<hex>", "signatures": [{ "keyid": "…", "sig": "…" }] }
 * ```
 *
 * A signature is made once per key and stored under every keyid the current or the new root
 * lists that key under; it is verified against each listed key object before anything is
 * written, and files are written atomically (temp file, fsync, rename): an interrupted or
 * failed step leaves the files as they were. Signing again with a key that already signed
 * changes nothing.
 */
import { readFile } from 'node:fs/promises';
import { CeremonyError, DeserializationError, ProposalConflictError, SignatureNotVerifiedError, StorageError, describeError } from '../errors.js';
import { Signature } from '../metadata/signature.js';
import type { Signer } from '../metadata/signer.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { Proposal } from './proposal.js';

/** The `format` of a detached signature file. */
export const SIGNATURE_FORMAT = 'tufkit-ceremony-signature/1';

/** Signatures of a proposal's payload kept apart from it. */
export interface DetachedSignatures {
  readonly payloadSha256: string;
  readonly signatures: readonly Signature[];
}

/** Parse a detached signature file. @throws {@link DeserializationError} */
export function parseDetachedSignatures(bytes: Uint8Array | string, where = 'signature file'): DetachedSignatures {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new DeserializationError(`${where}: not JSON: ${describeError(err)}`);
  }
  const o = raw as Record<string, unknown>;
  if (typeof o !== 'object' || o === null || o['format'] !== SIGNATURE_FORMAT) {
    throw new DeserializationError(`${where}: format: expected ${JSON.stringify(SIGNATURE_FORMAT)}`);
  }
  if (typeof o['payloadSha256'] !== 'string' || !/^[0-9a-f]{64}$/.test(o['payloadSha256'])) throw new DeserializationError(`${where}: payloadSha256: expected 64 hex digits`);
  if (!Array.isArray(o['signatures'])) throw new DeserializationError(`${where}: signatures: expected a list`);
  const signatures = o['signatures'].map((s, i) => Signature.fromDict(s, `${where}: signatures[${i}]`));
  return { payloadSha256: o['payloadSha256'], signatures };
}

/** The text of a detached signature file. */
export function formatDetachedSignatures(detached: DetachedSignatures): string {
  return JSON.stringify({ format: SIGNATURE_FORMAT, payloadSha256: detached.payloadSha256, signatures: detached.signatures.map((s) => s.toDict()) }, null, 2) + '\n';
}

/** What signing did. */
export interface SignResult {
  /** Keyids signed now. */
  readonly added: readonly string[];
  /** Keyids that had a valid signature by this key already (nothing to do). */
  readonly already: readonly string[];
  /** Where the key is a root key: the current root, the new one, or both. */
  readonly roles: { readonly inPrevious: boolean; readonly inNext: boolean };
}

/**
 * What `signer` would sign in `proposal`: the keyids (current and new root) listing its key.
 * @throws {@link CeremonyError} when its key is a root key of neither version.
 */
export function signingPlan(proposal: Proposal, signer: Signer, verifier: Verifier = getDefaultVerifier()): { keyids: string[]; already: string[]; roles: SignResult['roles'] } {
  const matches = proposal.rootKeyidsOf(signer.publicKey);
  if (matches.length === 0) {
    const versions = proposal.previous ? `${proposal.previous.signed.version} or ${proposal.root.signed.version}` : `${proposal.root.signed.version}`;
    throw new CeremonyError(`key ${signer.publicKey.keyid} (${signer.publicKey.scheme}) is not a root key of version ${versions}; nothing signed`);
  }
  const already: string[] = [];
  const keyids: string[] = [];
  for (const m of matches) {
    const existing = proposal.root.signatures.get(m.keyid);
    if (existing !== undefined && proposal.isValidSignature(existing, verifier)) already.push(m.keyid);
    else keyids.push(m.keyid);
  }
  return { keyids, already, roles: { inPrevious: matches.some((m) => m.inPrevious), inNext: matches.some((m) => m.inNext) } };
}

/**
 * Sign `proposal`'s payload with `signer` and return the new signatures (one per keyid the
 * key is listed under), each verified against the listed key object. The proposal is not changed.
 * @throws {@link CeremonyError}, {@link SignatureNotVerifiedError}, the signer's errors.
 */
export async function makeSignatures(proposal: Proposal, signer: Signer, verifier: Verifier = getDefaultVerifier()): Promise<{ signatures: Signature[]; result: SignResult }> {
  const plan = signingPlan(proposal, signer, verifier);
  if (plan.keyids.length === 0) return { signatures: [], result: { added: [], already: plan.already, roles: plan.roles } };
  const payload = proposal.payload();
  const made = await signer.sign(payload);
  const signatures: Signature[] = [];
  for (const keyid of plan.keyids) {
    const sig = new Signature(keyid, made.sig);
    if (!proposal.isValidSignature(sig, verifier)) {
      throw new SignatureNotVerifiedError(`the signature made by key ${signer.publicKey.keyid} does not verify as root key ${keyid}; nothing was written`);
    }
    signatures.push(sig);
  }
  return { signatures, result: { added: plan.keyids, already: plan.already, roles: plan.roles } };
}

/** Read a file's bytes. @throws {@link StorageError} */
async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
}

/** Options of {@link signProposalFile}. */
export interface SignFileOptions {
  /** Write the signatures to this detached file instead of into the proposal. */
  readonly detached?: string | undefined;
  /**
   * Asked after the proposal is read and checked, before anything is signed: show the
   * summary and the payload hash, return true to go on.
   */
  readonly confirm?: ((proposal: Proposal, plan: { keyids: string[]; already: string[] }) => Promise<boolean>) | undefined;
  readonly verifier?: Verifier | undefined;
}

/**
 * Sign the proposal in file `path` with `signer`: read and check it, confirm, sign, verify,
 * and write (into the proposal, or the detached file) atomically. The proposal file is
 * re-read just before writing and must be unchanged.
 * @throws {@link CeremonyError} (also when not confirmed: nothing is written), signer errors, {@link StorageError}.
 */
export async function signProposalFile(path: string, signer: Signer, options: SignFileOptions = {}): Promise<SignResult & { proposal: Proposal }> {
  const verifier = options.verifier ?? getDefaultVerifier();
  const original = await readBytes(path);
  const proposal = Proposal.fromBytes(original, path);
  const plan = signingPlan(proposal, signer, verifier);
  let detachedExisting: DetachedSignatures | undefined;
  if (options.detached !== undefined) {
    detachedExisting = await readDetachedIfAny(options.detached);
    if (detachedExisting !== undefined && detachedExisting.payloadSha256 !== proposal.payloadSha256()) {
      throw new ProposalConflictError(`${options.detached} holds signatures of another proposal (${detachedExisting.payloadSha256}); not mixing them`);
    }
    // signatures already in the detached file count as done too
    for (const s of detachedExisting?.signatures ?? []) {
      if (plan.keyids.includes(s.keyid) && proposal.isValidSignature(s, verifier)) {
        plan.keyids.splice(plan.keyids.indexOf(s.keyid), 1);
        plan.already.push(s.keyid);
      }
    }
  }
  if (plan.keyids.length === 0) return { added: [], already: plan.already, roles: plan.roles, proposal };
  if (options.confirm !== undefined && !(await options.confirm(proposal, plan))) {
    throw new CeremonyError(`not confirmed: nothing signed, ${path} unchanged`);
  }
  const { signatures } = await makeSignatures(proposal, signer, verifier);
  const fresh = signatures.filter((s) => plan.keyids.includes(s.keyid));
  if (options.detached !== undefined) {
    const merged = new Map((detachedExisting?.signatures ?? []).map((s) => [s.keyid, s] as const));
    for (const s of fresh) merged.set(s.keyid, s);
    await writeFileAtomic(options.detached, formatDetachedSignatures({ payloadSha256: proposal.payloadSha256(), signatures: [...merged.values()] }));
    return { added: fresh.map((s) => s.keyid), already: plan.already, roles: plan.roles, proposal };
  }
  const sigs = new Map(proposal.root.signatures);
  for (const s of fresh) sigs.set(s.keyid, s);
  const signed = proposal.withSignatures(sigs);
  const now = await readBytes(path);
  if (!now.equals(original)) throw new CeremonyError(`${path} changed while signing (another copy written over it?); nothing written — sign again`);
  await writeFileAtomic(path, signed.toBytes());
  return { added: fresh.map((s) => s.keyid), already: plan.already, roles: plan.roles, proposal: signed };
}

async function readDetachedIfAny(path: string): Promise<DetachedSignatures | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
  return parseDetachedSignatures(bytes, path);
}
