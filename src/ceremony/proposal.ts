/**
 * A root ceremony proposal: one self-contained file that travels between offline machines.
 *
 * ```json
 * {
 *   "format": "tufkit-ceremony/1",
 *   "created": "2025-06-01T12:00:00Z",
 *   "note": "annual rotation",
 *   "payloadSha256": "<hex SHA-256 of the new root's canonical signed bytes>",
 *   "previousSha256": "<hex SHA-256 of the current root's canonical signed bytes>",
 *   "summary": ["root version 3 → 4", "...", "needs signatures from ..."],
 *   "previous": { "signatures": [...], "signed": { "_type": "root", ... } },
 *   "root": { "signatures": [...], "signed": { "_type": "root", ... } }
 * }
 * ```
 *
 * `previous` is the current root, as its signers published it (null for a new repository);
 * `root` is the proposed next root, whose `signatures` fill up as key holders sign. The
 * hashes and the summary are written for people (to compare between machines, to read on a
 * screen) and checked on every read against the content: a proposal whose stored summary or
 * hash does not match is refused, so what a key holder is shown is what they sign.
 *
 * Rules checked on every read (spec §5.3 "Update the root role"):
 * - the current root is signed by a threshold of its own root keys;
 * - the new root is the current version + 1 (version 1 for a new repository);
 * - every role of the new root has keys and a reachable threshold.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CeremonyError, DeserializationError, StorageError, describeError } from '../errors.js';
import type { JsonObject, JsonValue } from '../metadata/canonical-json.js';
import type { Key } from '../metadata/key.js';
import { Metadata } from '../metadata/metadata.js';
import type { Root } from '../metadata/root.js';
import type { Signature } from '../metadata/signature.js';
import type { RootVerificationResult, VerificationResult } from '../metadata/verification.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { checkRootSatisfiable, describeRootChanges, describeSignaturesNeeded } from './changes.js';

/** The `format` of a proposal file. */
export const PROPOSAL_FORMAT = 'tufkit-ceremony/1';

/** Hex SHA-256. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** One threshold of a ceremony: the current root's root role, or the new root's. */
export interface ThresholdStatus {
  /** The root version whose root role this is. */
  readonly version: number;
  readonly threshold: number;
  /** The role's keyids. */
  readonly keyids: readonly string[];
  /** Keyids with a valid signature. */
  readonly signed: readonly string[];
  /** Keyids without one. */
  readonly missing: readonly string[];
  /** Whether the threshold is met (counting distinct keys). */
  readonly met: boolean;
}

/** Where a ceremony stands. */
export interface CeremonyStatus {
  readonly payloadSha256: string;
  /** Against the current root (absent for a new repository). */
  readonly previous?: ThresholdStatus;
  /** Against the new root itself. */
  readonly next: ThresholdStatus;
  /** Both thresholds met: the proposal can be finalized. */
  readonly complete: boolean;
  /** Keyids of root keys whose signature does not verify. */
  readonly invalid: readonly string[];
  /** Keyids of signatures by keys that are root keys of neither version. */
  readonly unknown: readonly string[];
}

function thresholdStatus(version: number, result: VerificationResult, keyids: readonly string[]): ThresholdStatus {
  const signed = keyids.filter((k) => result.signed.has(k));
  return { version, threshold: result.threshold, keyids: [...keyids], signed, missing: keyids.filter((k) => !signed.includes(k)), met: result.verified };
}

/** A root ceremony proposal (see the file comment for the format and the rules). */
export class Proposal {
  private constructor(
    /** The current root (undefined for a new repository). */
    readonly previous: Metadata<Root> | undefined,
    /** The proposed root; its signatures are the ceremony's signatures. */
    readonly root: Metadata<Root>,
    /** When the proposal was made (RFC 3339). */
    readonly created: string,
    /** Free text from the proposer. */
    readonly note: string | undefined,
  ) {}

  /**
   * A new proposal.
   * @throws {@link CeremonyError} when it breaks a rule.
   */
  static create(previous: Metadata<Root> | undefined, root: Root, options: { now?: Date; note?: string } = {}): Proposal {
    const created = (options.now ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const proposal = new Proposal(previous, new Metadata<Root>(root), created, options.note);
    proposal.check();
    return proposal;
  }

  /**
   * Read a proposal and check it (format, stored hashes and summary, the rules).
   * @param where the file name, for messages.
   * @throws {@link DeserializationError} for a file that is not a proposal, {@link CeremonyError} for one that breaks a rule.
   */
  static fromBytes(bytes: Uint8Array | string, where = 'proposal'): Proposal {
    let raw: unknown;
    try {
      raw = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8'));
    } catch (err) {
      throw new DeserializationError(`${where}: not JSON: ${describeError(err)}`);
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new DeserializationError(`${where}: expected a JSON object`);
    const o = raw as Record<string, unknown>;
    if (o['format'] !== PROPOSAL_FORMAT) throw new DeserializationError(`${where}: format: expected ${JSON.stringify(PROPOSAL_FORMAT)}, found ${JSON.stringify(o['format'] ?? null)}`);
    const read = (value: unknown, field: string): Metadata<Root> => {
      try {
        return Metadata.fromDict(value, { type: 'root' });
      } catch (err) {
        throw new DeserializationError(`${where}: ${field}: ${describeError(err)}`, { cause: err });
      }
    };
    const previous = o['previous'] === null || o['previous'] === undefined ? undefined : read(o['previous'], 'previous');
    const root = read(o['root'], 'root');
    if (typeof o['created'] !== 'string') throw new DeserializationError(`${where}: created: expected a string`);
    const note = o['note'];
    if (note !== undefined && typeof note !== 'string') throw new DeserializationError(`${where}: note: expected a string`);
    const proposal = new Proposal(previous, root, o['created'], note);
    proposal.check(where);
    const stored = { payloadSha256: o['payloadSha256'], previousSha256: o['previousSha256'] ?? null, summary: o['summary'] };
    if (stored.payloadSha256 !== proposal.payloadSha256()) {
      throw new CeremonyError(`${where}: damaged or edited: it says the new root's hash is ${String(stored.payloadSha256)}, its content hashes to ${proposal.payloadSha256()}`);
    }
    if (stored.previousSha256 !== (proposal.previousSha256() ?? null)) {
      throw new CeremonyError(`${where}: damaged or edited: the stored hash of the current root does not match its content`);
    }
    if (JSON.stringify(stored.summary) !== JSON.stringify(proposal.summary())) {
      throw new CeremonyError(`${where}: damaged or edited: its stored summary does not describe its content`);
    }
    return proposal;
  }

  /** Read a proposal file. @throws {@link StorageError}; see {@link Proposal.fromBytes}. */
  static async fromFile(path: string): Promise<Proposal> {
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
    }
    return Proposal.fromBytes(bytes, path);
  }

  /**
   * The rules (spec §5.3): current root self-signed, version + 1, roles satisfiable.
   * @throws {@link CeremonyError}
   */
  check(where = 'proposal', verifier: Verifier = getDefaultVerifier()): void {
    const next = this.root.signed;
    if (this.previous === undefined) {
      if (next.version !== 1) throw new CeremonyError(`${where}: a new repository's first root must be version 1, found ${next.version}`);
    } else {
      const prev = this.previous.signed;
      if (next.version !== prev.version + 1) {
        throw new CeremonyError(`${where}: the new root must be version ${prev.version + 1} (current + 1, spec §5.3.5), found ${next.version}`);
      }
      const own = prev.getVerificationResult('root', this.previous.signedBytes(), this.previous.signatures, verifier);
      if (!own.verified) {
        throw new CeremonyError(`${where}: the current root (version ${prev.version}) is not signed by ${own.threshold} of its own root keys (${own.signed.size} valid): refusing to rotate from it`);
      }
    }
    try {
      checkRootSatisfiable(next);
    } catch (err) {
      throw new CeremonyError(`${where}: the new root: ${describeError(err)}`, { cause: err });
    }
  }

  /** The bytes every signature covers: the canonical JSON of the new root's `signed` (spec §4.1). */
  payload(): Uint8Array {
    return this.root.signedBytes();
  }

  /** Hex SHA-256 of {@link Proposal.payload}: compare it between machines before signing. */
  payloadSha256(): string {
    return sha256Hex(this.payload());
  }

  /** Hex SHA-256 of the current root's signed bytes (undefined for a new repository). */
  previousSha256(): string | undefined {
    return this.previous === undefined ? undefined : sha256Hex(this.previous.signedBytes());
  }

  /** What changes, line by line, then what signatures are needed. */
  summary(): string[] {
    return [...describeRootChanges(this.previous?.signed, this.root.signed), describeSignaturesNeeded(this.previous?.signed, this.root.signed)];
  }

  /** Both thresholds of spec §5.3.4 checked over the signatures gathered. */
  verification(verifier: Verifier = getDefaultVerifier()): RootVerificationResult {
    return this.root.signed.getRootVerificationResult(this.previous?.signed, this.payload(), this.root.signatures, verifier);
  }

  /**
   * The keyids under which `key` is a root key of the current or the new root (matching by
   * key material: a key may be listed under other keyids than its signer computes).
   */
  rootKeyidsOf(key: Key): Array<{ keyid: string; key: Key; inPrevious: boolean; inNext: boolean }> {
    const out = new Map<string, { keyid: string; key: Key; inPrevious: boolean; inNext: boolean }>();
    const scan = (root: Root, which: 'inPrevious' | 'inNext') => {
      for (const keyid of root.getDelegatedRole('root').keyids) {
        const listed = root.keys.get(keyid);
        if (listed === undefined || !listed.sameKeyAs(key)) continue;
        const entry = out.get(keyid) ?? { keyid, key: listed, inPrevious: false, inNext: false };
        entry[which] = true;
        out.set(keyid, entry);
      }
    };
    if (this.previous !== undefined) scan(this.previous.signed, 'inPrevious');
    scan(this.root.signed, 'inNext');
    return [...out.values()];
  }

  /** The root key (of either version) listed under `keyid`, if any. */
  rootKey(keyid: string): Key | undefined {
    for (const root of [this.root.signed, this.previous?.signed]) {
      if (root?.getDelegatedRole('root').keyids.includes(keyid)) {
        const key = root.keys.get(keyid);
        if (key !== undefined) return key;
      }
    }
    return undefined;
  }

  /** True when `signature` is a valid signature of the payload by the root key it names. */
  isValidSignature(signature: Signature, verifier: Verifier = getDefaultVerifier()): boolean {
    const key = this.rootKey(signature.keyid);
    return key !== undefined && key.verifySignature(signature, this.payload(), verifier);
  }

  /** Where the ceremony stands: both thresholds, and signatures that do not count. */
  status(verifier: Verifier = getDefaultVerifier()): CeremonyStatus {
    const result = this.verification(verifier);
    const invalid: string[] = [];
    const unknown: string[] = [];
    for (const sig of this.root.signatures.values()) {
      if (this.rootKey(sig.keyid) === undefined) unknown.push(sig.keyid);
      else if (!this.isValidSignature(sig, verifier)) invalid.push(sig.keyid);
    }
    const next = thresholdStatus(this.root.signed.version, result.second, this.root.signed.getDelegatedRole('root').keyids);
    const previous = this.previous === undefined ? undefined : thresholdStatus(this.previous.signed.version, result.first, this.previous.signed.getDelegatedRole('root').keyids);
    return { payloadSha256: this.payloadSha256(), ...(previous ? { previous } : {}), next, complete: result.verified, invalid, unknown };
  }

  /** The proposal with `signatures` instead of its own (a new object; this one is unchanged). */
  withSignatures(signatures: ReadonlyMap<string, Signature>): Proposal {
    const root = new Metadata<Root>(this.root.signed, new Map(signatures), this.root.unrecognizedFields);
    return new Proposal(this.previous, root, this.created, this.note);
  }

  /** The file's JSON object. */
  toDict(): JsonObject {
    const out: JsonObject = { format: PROPOSAL_FORMAT, created: this.created };
    if (this.note !== undefined) out['note'] = this.note;
    out['payloadSha256'] = this.payloadSha256();
    out['previousSha256'] = this.previousSha256() ?? null;
    out['summary'] = this.summary() as JsonValue;
    out['previous'] = this.previous === undefined ? null : this.previous.toDict();
    out['root'] = this.root.toDict();
    return out;
  }

  /** The file's bytes (JSON, two-space indent, newline-terminated). */
  toBytes(): Uint8Array {
    return Buffer.from(JSON.stringify(this.toDict(), null, 2) + '\n', 'utf8');
  }
}
