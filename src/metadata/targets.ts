/**
 * The targets role and delegated targets roles (spec §2.1.2, §4.5 "targets.json").
 */
import { ValueError } from '../errors.js';
import type { Verifier } from '../verify/verifier.js';
import { sortedStrings, type JsonObject } from './canonical-json.js';
import { delegateVerificationResult, verifyDelegateSignatures, type Delegator } from './delegator.js';
import { Delegations, type DelegatedRole } from './delegations.js';
import { asObject, rest, take, takeFields } from './fields.js';
import { TargetFile } from './files.js';
import type { Key } from './key.js';
import type { Role } from './role.js';
import type { Signature } from './signature.js';
import { Signed, takeCommonFields, type ReadOptions, type SignedFields } from './signed.js';
import type { VerificationResult } from './verification.js';

/** Constructor options of {@link Targets}. */
export interface TargetsFields extends SignedFields {
  /** Target path → TargetFile (default none). */
  targets?: Map<string, TargetFile>;
  /** Delegations, if any. */
  delegations?: Delegations;
}

/**
 * Targets metadata (spec §4.5): the target files this role vouches for, and its
 * delegations to other targets roles.
 */
export class Targets extends Signed implements Delegator {
  readonly type = 'targets' as const;
  /** Target path → description. */
  targets: Map<string, TargetFile>;
  /** Delegations, or undefined when the role delegates nothing. */
  delegations: Delegations | undefined;

  constructor(fields: TargetsFields = {}) {
    super(fields);
    this.targets = fields.targets ?? new Map();
    this.delegations = fields.delegations;
  }

  /** Read a targets `signed` object. */
  static fromDict(value: unknown, options: ReadOptions = {}): Targets {
    const fields = takeFields(value, 'signed');
    const common = takeCommonFields(fields, 'targets', options);
    const targets = new Map<string, TargetFile>();
    const targetsDict = asObject(take(fields, 'targets'), 'signed.targets');
    for (const path of Object.keys(targetsDict)) targets.set(path, TargetFile.fromDict(targetsDict[path], path));
    const rawDelegations = take(fields, 'delegations');
    const delegations = rawDelegations === undefined ? undefined : Delegations.fromDict(rawDelegations, 'signed.delegations', options);
    const result = new Targets({ ...common.fields, targets, ...(delegations ? { delegations } : {}), unrecognizedFields: rest(fields) });
    result.keepExpiresText(common.expiresText);
    return result;
  }

  toDict(): JsonObject {
    const out: JsonObject = this.commonDict();
    if (this.delegations !== undefined) out['delegations'] = this.delegations.toDict();
    // Entries in canonical (code point) order, each built in that order: the canonical
    // serializer then needs no re-ordered copy and walks memory in allocation order
    // (a 100,000-target role serializes ~2x faster than from insertion order).
    const targets = Object.create(null) as JsonObject;
    for (const path of sortedStrings([...this.targets.keys()])) targets[path] = (this.targets.get(path) as TargetFile).toDict();
    out['targets'] = targets;
    return out;
  }

  /**
   * Add `key` to delegated role `role` (and to the delegation keys); adding a key twice is a no-op.
   * @throws {@link ValueError} when `role` is not delegated here.
   */
  addKey(key: Key, role: string): void {
    const delegations = this.requireDelegations();
    const r = this.getDelegatedRole(role);
    if (!r.keyids.includes(key.keyid)) r.keyids.push(key.keyid);
    delegations.keys.set(key.keyid, key);
  }

  /**
   * Remove `keyid` from delegated role `role`; the key object goes too once no role uses it.
   * @throws {@link ValueError} when the role does not use the key.
   */
  revokeKey(keyid: string, role: string): void {
    const delegations = this.requireDelegations();
    const r = this.getDelegatedRole(role);
    if (!r.keyids.includes(keyid)) throw new ValueError(`key ${keyid} is not used by ${role}`);
    r.keyids = r.keyids.filter((k) => k !== keyid);
    const roles: Role[] = [...(delegations.roles?.values() ?? []), ...(delegations.succinctRoles ? [delegations.succinctRoles] : [])];
    if (!roles.some((other) => other.keyids.includes(keyid))) delegations.keys.delete(keyid);
  }

  /**
   * The role object of delegated role `roleName` — for a hashed bin, the shared
   * {@link SuccinctRoles} object (its keys and threshold).
   * @throws {@link ValueError} when `roleName` is not delegated here.
   */
  getDelegatedRole(roleName: string): Role {
    const delegations = this.requireDelegations();
    if (delegations.roles !== undefined) {
      const role = delegations.roles.get(roleName);
      if (role !== undefined) return role;
    } else if (delegations.succinctRoles?.isDelegatedRole(roleName)) {
      return delegations.succinctRoles;
    }
    throw new ValueError(`${JSON.stringify(roleName)} is not delegated by this targets role`);
  }

  /** The delegated role named `roleName` as a {@link DelegatedRole} (roles list only), or undefined. */
  findDelegatedRole(roleName: string): DelegatedRole | undefined {
    return this.delegations?.roles?.get(roleName);
  }

  /** The delegation key with `keyid`. @throws {@link ValueError} */
  getKey(keyid: string): Key {
    const key = this.findKey(keyid);
    if (key === undefined) throw new ValueError(`no delegation key ${keyid}`);
    return key;
  }

  /** The delegation key with `keyid`, or undefined. */
  findKey(keyid: string): Key | undefined {
    return this.delegations?.keys.get(keyid);
  }

  /** Check `signatures` over `payload` for delegated role `roleName`; never throws for bad signatures. */
  getVerificationResult(roleName: string, payload: Uint8Array, signatures: ReadonlyMap<string, Signature>, verifier?: Verifier): VerificationResult {
    return delegateVerificationResult(this, roleName, payload, signatures, verifier);
  }

  /**
   * Verify that a threshold of delegated role `roleName`'s keys signed `payload`.
   * @throws {@link UnsignedMetadataError}
   */
  verifyDelegate(roleName: string, payload: Uint8Array, signatures: ReadonlyMap<string, Signature>, verifier?: Verifier): VerificationResult {
    return verifyDelegateSignatures(this, roleName, payload, signatures, verifier);
  }

  private requireDelegations(): Delegations {
    if (this.delegations === undefined) throw new ValueError('this targets role has no delegations');
    return this.delegations;
  }
}
