/**
 * The client's trusted metadata and every trust decision of the client workflow (spec §5),
 * split from I/O as in python-tuf's `_trusted_metadata_set.py`: the {@link Updater} fetches
 * and stores bytes; this set decides whether bytes become trusted.
 *
 * One set lives for one refresh: it fixes the reference time once (spec §5.1), starts from a
 * trusted root (spec §5.2) and only ever moves forward: root → timestamp → snapshot →
 * targets → delegated targets. Any method that refuses metadata throws and leaves the set
 * exactly as it was.
 *
 * Expired timestamp and snapshot metadata read from the local cache are still accepted as
 * *trusted for comparison* (the rollback checks of spec §5.4.3 and §5.5.5 need them) but
 * never as *final*: the `checkFinal*` methods refuse them, and nothing is loaded after a
 * role that is not final.
 */
import {
  BadVersionNumberError,
  DeserializationError,
  EqualVersionNumberError,
  ExpiredMetadataError,
  LengthOrHashMismatchError,
  RepositoryError,
  UnsignedMetadataError,
  ValueError,
} from '../errors.js';
import type { MetaFile } from '../metadata/files.js';
import { verifyLengthAndHashes } from '../metadata/hashes.js';
import { Metadata, type SignedByType } from '../metadata/metadata.js';
import type { Role } from '../metadata/role.js';
import type { Root } from '../metadata/root.js';
import type { RoleType } from '../metadata/signed.js';
import type { Snapshot } from '../metadata/snapshot.js';
import type { Targets } from '../metadata/targets.js';
import type { Timestamp } from '../metadata/timestamp.js';
import type { VerificationResult } from '../metadata/verification.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { BatchVerifier } from './batch-verifier.js';

/** Options of a {@link TrustedMetadataSet}. */
export interface TrustedSetOptions {
  /** The fixed reference time of this update (spec §5.1). Default: now. */
  readonly referenceTime?: Date;
  /** Verifier for every signature. Default: the process-wide default. */
  readonly verifier?: Verifier;
  /** Use the lenient parse (see `ReadOptions.lenient`). */
  readonly lenient?: boolean;
}

/** Where bytes offered to the set come from. */
export interface UpdateOptions {
  /**
   * True for bytes read back from the local cache. They are verified against the current
   * trusted delegator like any other, but may be kept for rollback comparison even when
   * they are not (or no longer) the final version.
   */
  readonly cached?: boolean;
}

/** One delegated role to verify in a batch. */
export interface DelegatedUpdate {
  readonly data: Uint8Array;
  readonly roleName: string;
  readonly delegatorName: string;
}

/** The outcome of one item of {@link TrustedMetadataSet.updateDelegatedTargetsMany}. */
export type DelegatedUpdateResult = { readonly ok: true; readonly metadata: Metadata<Targets> } | { readonly ok: false; readonly error: Error };

/** The trusted metadata of one refresh. */
export class TrustedMetadataSet {
  /** The fixed reference time against which every expiry is checked (spec §5.1). */
  readonly referenceTime: Date;
  private readonly verifier: Verifier;
  private readonly lenient: boolean;
  private trustedRoot: Metadata<Root>;
  private trustedTimestamp: Metadata<Timestamp> | undefined;
  private trustedSnapshot: Metadata<Snapshot> | undefined;
  // The bytes of the trusted snapshot when it came from the cache (to check timestamp's hashes).
  private cachedSnapshotBytes: Uint8Array | undefined;
  private readonly targetsRoles = new Map<string, Metadata<Targets>>();
  private rotated = false;

  /**
   * Load the trusted root (spec §5.2): it must be signed by a threshold of its own root keys.
   * Its expiry does not matter yet (checked at spec §5.3.10).
   * @throws {@link DeserializationError} or {@link UnsignedMetadataError}
   */
  constructor(rootData: Uint8Array, options: TrustedSetOptions = {}) {
    this.referenceTime = new Date((options.referenceTime ?? new Date()).getTime());
    this.verifier = options.verifier ?? getDefaultVerifier();
    this.lenient = options.lenient === true;
    const root = this.parse(rootData, 'root', 'root');
    const result = root.signed.getRootVerificationResult(undefined, root.signedBytes(), root.signatures, this.verifier);
    if (!result.second.verified) throw unsigned('trusted root', result.second);
    this.trustedRoot = root;
  }

  /** The trusted root. */
  get root(): Metadata<Root> {
    return this.trustedRoot;
  }

  /** The trusted timestamp, if loaded. */
  get timestamp(): Metadata<Timestamp> | undefined {
    return this.trustedTimestamp;
  }

  /** The trusted snapshot, if loaded. */
  get snapshot(): Metadata<Snapshot> | undefined {
    return this.trustedSnapshot;
  }

  /** The trusted top-level targets, if loaded. */
  get targets(): Metadata<Targets> | undefined {
    return this.targetsRoles.get('targets');
  }

  /** The trusted targets or delegated targets role `roleName`, if loaded. */
  getTargetsRole(roleName: string): Metadata<Targets> | undefined {
    return this.targetsRoles.get(roleName);
  }

  /**
   * True once a root accepted in this set removed a timestamp or snapshot key (spec §5.3.11):
   * cached timestamp and snapshot metadata must then be deleted, not used (fast-forward
   * attack recovery), and {@link updateTimestamp}/{@link updateSnapshot} refuse cached bytes.
   */
  get timestampSnapshotRotated(): boolean {
    return this.rotated;
  }

  // ---------------------------------------------------------------- root (§5.3)

  /**
   * Accept root version N+1 (spec §5.3.4–§5.3.7): signed by a threshold of the trusted root's
   * root keys and by a threshold of its own, and its version exactly N+1.
   * @throws {@link UnsignedMetadataError}, {@link BadVersionNumberError}, {@link DeserializationError}
   */
  updateRoot(data: Uint8Array): Metadata<Root> {
    if (this.trustedTimestamp !== undefined) throw new ValueError('root cannot be updated once timestamp is loaded (spec §5.3 comes before §5.4)');
    const previous = this.trustedRoot;
    const root = this.parse(data, 'root', 'root');
    // §5.3.4: a threshold of the previous root's keys and a threshold of the new root's keys.
    const result = root.signed.getRootVerificationResult(previous.signed, root.signedBytes(), root.signatures, this.verifier);
    if (!result.first.verified) throw unsigned(`root version ${root.signed.version} (by the keys of trusted root ${previous.signed.version})`, result.first);
    if (!result.second.verified) throw unsigned(`root version ${root.signed.version} (by its own keys)`, result.second);
    // §5.3.5: exactly N+1.
    const expected = previous.signed.version + 1;
    if (root.signed.version !== expected) {
      throw new BadVersionNumberError(`root version: expected ${expected}, found ${root.signed.version} (possible rollback attack, spec §5.3.5)`);
    }
    // §5.3.11 bookkeeping: was a timestamp or snapshot key taken away?
    if (keyRemoved(previous.signed, root.signed, 'timestamp') || keyRemoved(previous.signed, root.signed, 'snapshot')) this.rotated = true;
    this.trustedRoot = root; // §5.3.7
    return root;
  }

  /**
   * Spec §5.3.10: the final root must not be expired. Nothing may be loaded after an expired root.
   * @throws {@link ExpiredMetadataError}
   */
  checkFinalRoot(): void {
    if (this.trustedRoot.signed.isExpired(this.referenceTime)) {
      throw new ExpiredMetadataError(`root version ${this.trustedRoot.signed.version} expired at ${this.trustedRoot.signed.expiresString} (reference time ${iso(this.referenceTime)}; possible freeze attack, spec §5.3.10)`);
    }
  }

  // ----------------------------------------------------------- timestamp (§5.4)

  /**
   * Accept a timestamp (spec §5.4.2–§5.4.4): signed by a threshold of root's timestamp keys;
   * no rollback of its version or of the snapshot version it names; not expired.
   *
   * A new timestamp with the same version as the trusted one is refused with
   * {@link EqualVersionNumberError} (spec §5.4.3.1: keep the trusted one; not an attack).
   * Cached bytes become trusted even when expired: they then serve only the rollback checks.
   * @throws {@link RepositoryError} subclasses, {@link DeserializationError}
   */
  updateTimestamp(data: Uint8Array, options: UpdateOptions = {}): Metadata<Timestamp> {
    if (this.trustedSnapshot !== undefined) throw new ValueError('timestamp cannot be updated once snapshot is loaded');
    this.checkFinalRoot();
    if (options.cached && this.rotated) {
      throw new RepositoryError('cached timestamp not used: timestamp or snapshot keys were rotated (spec §5.3.11)');
    }
    const timestamp = this.parse(data, 'timestamp', 'timestamp');
    this.verifyDelegate(this.trustedRoot, 'timestamp', timestamp); // §5.4.2
    const trusted = this.trustedTimestamp;
    if (trusted !== undefined) {
      // §5.4.3.1
      if (timestamp.signed.version < trusted.signed.version) {
        throw new BadVersionNumberError(`timestamp version ${timestamp.signed.version} is lower than the trusted version ${trusted.signed.version} (rollback attack, spec §5.4.3.1)`);
      }
      if (timestamp.signed.version === trusted.signed.version) {
        throw new EqualVersionNumberError(`timestamp version ${timestamp.signed.version} is the trusted version; keeping the trusted one (spec §5.4.3.1)`);
      }
      // §5.4.3.2
      const before = trusted.signed.snapshotMeta.version;
      const after = timestamp.signed.snapshotMeta.version;
      if (after < before) {
        throw new BadVersionNumberError(`timestamp names snapshot version ${after}, lower than the trusted ${before} (rollback attack, spec §5.4.3.2)`);
      }
    }
    // §5.4.4: a new timestamp must not be expired; a cached one is kept for comparison.
    if (!options.cached) checkNotExpired(timestamp.signed, 'timestamp', this.referenceTime, '§5.4.4');
    this.trustedTimestamp = timestamp;
    return timestamp;
  }

  /**
   * The trusted timestamp is final: present and not expired (spec §5.4.4).
   * @throws {@link RepositoryError} when absent, {@link ExpiredMetadataError}
   */
  checkFinalTimestamp(): Metadata<Timestamp> {
    const timestamp = this.trustedTimestamp;
    if (timestamp === undefined) throw new RepositoryError('no trusted timestamp');
    checkNotExpired(timestamp.signed, 'timestamp', this.referenceTime, '§5.4.4');
    return timestamp;
  }

  // ------------------------------------------------------------ snapshot (§5.5)

  /**
   * Accept a snapshot (spec §5.5.2–§5.5.6): length and hashes as timestamp gives them (new
   * bytes only), signed by a threshold of root's snapshot keys, no targets version goes down
   * and no targets file disappears compared with the trusted snapshot, and — for new bytes —
   * the version timestamp names and not expired.
   *
   * Cached bytes need only a valid signature to become trusted (for the rollback comparison
   * of the next snapshot); whether they are final is {@link isSnapshotFinal}.
   * @throws {@link RepositoryError} subclasses, {@link DeserializationError}
   */
  updateSnapshot(data: Uint8Array, options: UpdateOptions = {}): Metadata<Snapshot> {
    if (this.targetsRoles.size > 0) throw new ValueError('snapshot cannot be updated once targets is loaded');
    const timestamp = this.checkFinalTimestamp();
    if (options.cached && this.rotated) {
      throw new RepositoryError('cached snapshot not used: timestamp or snapshot keys were rotated (spec §5.3.11)');
    }
    const meta = timestamp.signed.snapshotMeta;
    // §5.5.2 (hashes first: they come from the trusted timestamp).
    if (!options.cached) checkMeta(data, meta, 'snapshot', '§5.5.2');
    const snapshot = this.parse(data, 'snapshot', 'snapshot');
    this.verifyDelegate(this.trustedRoot, 'snapshot', snapshot); // §5.5.3
    if (!options.cached) {
      // §5.5.4
      if (snapshot.signed.version !== meta.version) {
        throw new BadVersionNumberError(`snapshot version ${snapshot.signed.version} is not the version ${meta.version} that timestamp names (spec §5.5.4)`);
      }
    }
    // §5.5.5
    const trusted = this.trustedSnapshot;
    if (trusted !== undefined) {
      for (const [name, before] of trusted.signed.meta) {
        const after = snapshot.signed.meta.get(name);
        if (after === undefined) throw new RepositoryError(`snapshot version ${snapshot.signed.version} no longer lists ${name} (spec §5.5.5)`);
        if (after.version < before.version) {
          throw new BadVersionNumberError(`snapshot version ${snapshot.signed.version} lists ${name} version ${after.version}, lower than the trusted ${before.version} (rollback attack, spec §5.5.5)`);
        }
      }
    }
    // §5.5.6
    if (!options.cached) checkNotExpired(snapshot.signed, 'snapshot', this.referenceTime, '§5.5.6');
    this.trustedSnapshot = snapshot;
    this.cachedSnapshotBytes = options.cached ? data : undefined;
    return snapshot;
  }

  /** True when the trusted snapshot may be used as is: {@link checkFinalSnapshot} passes. */
  isSnapshotFinal(): boolean {
    try {
      this.checkFinalSnapshot();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * The trusted snapshot is final: the version timestamp names (§5.5.4), not expired (§5.5.6),
   * and — for a snapshot read from the cache — the length and hashes timestamp gives (§5.5.2).
   * @throws {@link RepositoryError} subclasses
   */
  checkFinalSnapshot(): Metadata<Snapshot> {
    const timestamp = this.checkFinalTimestamp();
    const snapshot = this.trustedSnapshot;
    if (snapshot === undefined) throw new RepositoryError('no trusted snapshot');
    const meta = timestamp.signed.snapshotMeta;
    if (snapshot.signed.version !== meta.version) {
      throw new BadVersionNumberError(`snapshot version ${snapshot.signed.version} is not the version ${meta.version} that timestamp names (spec §5.5.4)`);
    }
    if (this.cachedSnapshotBytes !== undefined) checkMeta(this.cachedSnapshotBytes, meta, 'snapshot', '§5.5.2');
    checkNotExpired(snapshot.signed, 'snapshot', this.referenceTime, '§5.5.6');
    return snapshot;
  }

  // ------------------------------------------------------------- targets (§5.6)

  /** Accept the top-level targets (spec §5.6.2–§5.6.5). See {@link updateDelegatedTargets}. */
  updateTargets(data: Uint8Array): Metadata<Targets> {
    return this.updateDelegatedTargets(data, 'targets', 'root');
  }

  /**
   * Accept targets role `roleName` delegated by the trusted role `delegatorName` (`root` for
   * the top-level targets): length and hashes as snapshot gives them (§5.6.2), signed by a
   * threshold of the keys the delegator assigns (§5.6.3), the version snapshot names
   * (§5.6.4), not expired (§5.6.5). Cached bytes get exactly the same checks.
   * @throws {@link RepositoryError} subclasses, {@link DeserializationError}, {@link ValueError} when the delegator is not trusted yet
   */
  updateDelegatedTargets(data: Uint8Array, roleName: string, delegatorName: string): Metadata<Targets> {
    const [result] = this.updateDelegatedTargetsMany([{ data, roleName, delegatorName }]);
    if (result === undefined) throw new ValueError('internal: no result');
    if (!result.ok) throw result.error;
    return result.metadata;
  }

  /**
   * Verify many delegated roles at once (e.g. the bins of a hashed-bin delegation): the same
   * checks as {@link updateDelegatedTargets} for each, but every signature of every item is
   * handed to the verifier in one `verifyMany` call, so that a batch engine can batch them.
   * Items are independent: each succeeds or fails on its own. An item's delegator must be
   * trusted before the call (items cannot delegate to each other within one batch).
   */
  updateDelegatedTargetsMany(items: readonly DelegatedUpdate[]): DelegatedUpdateResult[] {
    const snapshot = this.checkFinalSnapshot();
    type Pending = { roleName: string; delegator: Metadata<Root> | Metadata<Targets>; md: Metadata<Targets>; run: () => VerificationResult };
    const batch = new BatchVerifier(this.verifier);
    const pending: (Pending | Error)[] = items.map(({ data, roleName, delegatorName }) => {
      try {
        const delegator = delegatorName === 'root' ? this.trustedRoot : this.targetsRoles.get(delegatorName);
        if (delegator === undefined) throw new ValueError(`cannot load ${roleName}: its delegator ${delegatorName} is not trusted yet`);
        if ((delegatorName === 'root') !== (roleName === 'targets')) throw new ValueError(`${roleName} cannot be delegated by ${delegatorName}`);
        const meta = snapshot.signed.meta.get(`${roleName}.json`);
        if (meta === undefined) throw new RepositoryError(`snapshot does not list ${roleName}.json (spec §5.6.2)`);
        checkMeta(data, meta, roleName, '§5.6.2'); // §5.6.2
        const md = this.parse(data, 'targets', roleName);
        if (md.signed.version !== meta.version) {
          throw new BadVersionNumberError(`${roleName} version ${md.signed.version} is not the version ${meta.version} that snapshot names (spec §5.6.4)`);
        }
        checkNotExpired(md.signed, roleName, this.referenceTime, '§5.6.5');
        const payload = md.signedBytes();
        const run = batch.record(() => delegator.signed.getVerificationResult(roleName, payload, md.signatures, batch.verifier));
        return { roleName, delegator, md, run };
      } catch (err) {
        return err instanceof Error ? err : new Error(String(err));
      }
    });
    batch.flush();
    return pending.map((p): DelegatedUpdateResult => {
      if (p instanceof Error) return { ok: false, error: p };
      try {
        const result = p.run(); // §5.6.3
        if (!result.verified) throw unsigned(p.roleName, result);
        this.targetsRoles.set(p.roleName, p.md);
        return { ok: true, metadata: p.md };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
      }
    });
  }

  // -------------------------------------------------------------------- helpers

  private parse<K extends RoleType>(data: Uint8Array, type: K, roleName: string): Metadata<SignedByType[K]> {
    try {
      return Metadata.fromBytes(data, { type, lenient: this.lenient });
    } catch (err) {
      if (err instanceof DeserializationError) throw new DeserializationError(`${roleName}: ${err.message}`, { cause: err });
      throw err;
    }
  }

  private verifyDelegate(delegator: Metadata<Root> | Metadata<Targets>, roleName: string, md: Metadata): void {
    const result = delegator.signed.getVerificationResult(roleName, md.signedBytes(), md.signatures, this.verifier);
    if (!result.verified) throw unsigned(roleName, result);
  }
}

function unsigned(what: string, result: VerificationResult): UnsignedMetadataError {
  const why = [...result.reasons].map(([keyid, reason]) => `${keyid.slice(0, 8)}: ${reason}`).join('; ');
  return new UnsignedMetadataError(`${what} was signed by ${result.signedCount}/${result.threshold} required keys` + (why ? ` (${why})` : ''));
}

function checkMeta(data: Uint8Array, meta: MetaFile, roleName: string, section: string): void {
  try {
    verifyLengthAndHashes(data, meta.length, meta.hashes, `${roleName}.json`);
  } catch (err) {
    if (err instanceof LengthOrHashMismatchError) throw new LengthOrHashMismatchError(`${err.message} (spec ${section})`, { cause: err });
    throw err;
  }
}

function checkNotExpired(signed: { isExpired(ref: Date): boolean; expiresString: string; version: number }, roleName: string, ref: Date, section: string): void {
  if (signed.isExpired(ref)) {
    throw new ExpiredMetadataError(`${roleName} version ${signed.version} expired at ${signed.expiresString} (reference time ${iso(ref)}; possible freeze attack, spec ${section})`);
  }
}

function keyRemoved(before: Root, after: Root, roleName: 'timestamp' | 'snapshot'): boolean {
  const oldRole: Role | undefined = before.roles.get(roleName);
  const newRole: Role | undefined = after.roles.get(roleName);
  if (oldRole === undefined || newRole === undefined) return true;
  return oldRole.keyids.some((keyid) => {
    if (!newRole.keyids.includes(keyid)) return true;
    const a = before.keys.get(keyid);
    const b = after.keys.get(keyid);
    return a !== undefined && (b === undefined || !a.sameKeyAs(b));
  });
}

function iso(date: Date): string {
  return date.toISOString().replace(/\.000Z$/, 'Z');
}
