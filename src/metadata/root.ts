/**
 * The root role (spec §2.1.1, §4.3 "root.json"): the keys and thresholds of the top-level roles.
 */
import { DeserializationError, ValueError } from '../errors.js';
import type { Verifier } from '../verify/verifier.js';
import type { JsonObject } from './canonical-json.js';
import { delegateVerificationResult, verifyDelegateSignatures, type Delegator } from './delegator.js';
import { asBoolean, asObject, rest, take, takeFields } from './fields.js';
import { Key } from './key.js';
import { Role } from './role.js';
import type { Signature } from './signature.js';
import { Signed, takeCommonFields, TOP_LEVEL_ROLE_NAMES, type ReadOptions, type SignedFields } from './signed.js';
import { RootVerificationResult, type VerificationResult } from './verification.js';

/** Constructor options of {@link Root}. */
export interface RootFields extends SignedFields {
  /** Keys by keyid (default none). */
  keys?: Map<string, Key>;
  /** Exactly the four top-level roles (default: each with no keys, threshold 1). */
  roles?: Map<string, Role>;
  /** `consistent_snapshot` (default `true`; `undefined` leaves the field out). */
  consistentSnapshot?: boolean | undefined;
}

/**
 * Root metadata: which keys sign for root, timestamp, snapshot and targets, how many must
 * sign, and whether the repository uses consistent snapshots (spec §4.3).
 */
export class Root extends Signed implements Delegator {
  readonly type = 'root' as const;
  /** Keys by keyid. */
  keys: Map<string, Key>;
  /** The four top-level roles by name. */
  roles: Map<string, Role>;
  /** `consistent_snapshot`; `undefined` when the metadata does not have the field. */
  consistentSnapshot: boolean | undefined;

  constructor(fields: RootFields = {}) {
    super(fields);
    this.keys = fields.keys ?? new Map();
    this.roles = fields.roles ?? new Map(TOP_LEVEL_ROLE_NAMES.map((name) => [name, new Role([], 1)]));
    const names = [...this.roles.keys()].sort().join(',');
    if (names !== [...TOP_LEVEL_ROLE_NAMES].sort().join(',')) {
      throw new ValueError(`root roles: must be exactly ${TOP_LEVEL_ROLE_NAMES.join(', ')}, found ${[...this.roles.keys()].join(', ') || 'none'}`);
    }
    this.consistentSnapshot = 'consistentSnapshot' in fields ? fields.consistentSnapshot : true;
  }

  /** Read a root `signed` object. */
  static fromDict(value: unknown, options: ReadOptions = {}): Root {
    const fields = takeFields(value, 'signed');
    const common = takeCommonFields(fields, 'root', options);
    const rawConsistent = take(fields, 'consistent_snapshot');
    const consistentSnapshot = rawConsistent === undefined ? undefined : asBoolean(rawConsistent, 'signed.consistent_snapshot');
    const keys = new Map<string, Key>();
    for (const [keyid, keyDict] of Object.entries(asObject(take(fields, 'keys'), 'signed.keys'))) {
      keys.set(keyid, Key.fromDict(keyid, keyDict, `signed.keys.${keyid}`, options));
    }
    const rolesDict = asObject(take(fields, 'roles'), 'signed.roles');
    const roles = new Map<string, Role>();
    for (const [name, roleDict] of Object.entries(rolesDict)) roles.set(name, Role.fromDict(roleDict, `signed.roles.${name}`));
    const missing = TOP_LEVEL_ROLE_NAMES.filter((n) => !roles.has(n));
    const extra = [...roles.keys()].filter((n) => !(TOP_LEVEL_ROLE_NAMES as readonly string[]).includes(n));
    if (missing.length || extra.length) {
      throw new DeserializationError(
        `signed.roles: must be exactly the top-level roles` + (missing.length ? `; missing ${missing.join(', ')}` : '') + (extra.length ? `; unexpected ${extra.join(', ')}` : ''),
      );
    }
    const root = new Root({ ...common.fields, keys, roles, consistentSnapshot, unrecognizedFields: rest(fields) });
    root.keepExpiresText(common.expiresText);
    return root;
  }

  toDict(): JsonObject {
    const out: JsonObject = this.commonDict();
    if (this.consistentSnapshot !== undefined) out['consistent_snapshot'] = this.consistentSnapshot;
    out['keys'] = Object.fromEntries([...this.keys].map(([keyid, key]) => [keyid, key.toDict()]));
    out['roles'] = Object.fromEntries([...this.roles].map(([name, role]) => [name, role.toDict()]));
    return out;
  }

  /**
   * Add `key` to `role`'s keys (and to `keys`); adding a key twice is a no-op.
   * @throws {@link ValueError} when `role` is not a top-level role.
   */
  addKey(key: Key, role: string): void {
    const r = this.getDelegatedRole(role);
    if (!r.keyids.includes(key.keyid)) r.keyids.push(key.keyid);
    this.keys.set(key.keyid, key);
  }

  /**
   * Remove `keyid` from `role`; the key object goes too once no role uses it.
   * @throws {@link ValueError} when the role does not use the key.
   */
  revokeKey(keyid: string, role: string): void {
    const r = this.getDelegatedRole(role);
    if (!r.keyids.includes(keyid)) throw new ValueError(`key ${keyid} is not used by ${role}`);
    r.keyids = r.keyids.filter((k) => k !== keyid);
    if (![...this.roles.values()].some((other) => other.keyids.includes(keyid))) this.keys.delete(keyid);
  }

  /** The role object of top-level role `roleName`. @throws {@link ValueError} */
  getDelegatedRole(roleName: string): Role {
    const role = this.roles.get(roleName);
    if (role === undefined) throw new ValueError(`${JSON.stringify(roleName)} is not a top-level role`);
    return role;
  }

  /** The key with `keyid`. @throws {@link ValueError} when root has no such key. */
  getKey(keyid: string): Key {
    const key = this.keys.get(keyid);
    if (key === undefined) throw new ValueError(`root has no key ${keyid}`);
    return key;
  }

  /** The key with `keyid`, or undefined. */
  findKey(keyid: string): Key | undefined {
    return this.keys.get(keyid);
  }

  /** Check `signatures` over `payload` for top-level role `roleName`; never throws for bad signatures. */
  getVerificationResult(roleName: string, payload: Uint8Array, signatures: ReadonlyMap<string, Signature>, verifier?: Verifier): VerificationResult {
    return delegateVerificationResult(this, roleName, payload, signatures, verifier);
  }

  /**
   * Verify that a threshold of `roleName`'s keys signed `payload`.
   * @throws {@link UnsignedMetadataError}
   */
  verifyDelegate(roleName: string, payload: Uint8Array, signatures: ReadonlyMap<string, Signature>, verifier?: Verifier): VerificationResult {
    return verifyDelegateSignatures(this, roleName, payload, signatures, verifier);
  }

  /**
   * Check a root rotation (spec §5.3.4): this root, the candidate, must be signed by a
   * threshold of `previous`'s root keys and a threshold of its own. With no `previous`
   * (the first root), both checks are against this root.
   */
  getRootVerificationResult(previous: Root | undefined, payload: Uint8Array, signatures: ReadonlyMap<string, Signature>, verifier?: Verifier): RootVerificationResult {
    return new RootVerificationResult(
      (previous ?? this).getVerificationResult('root', payload, signatures, verifier),
      this.getVerificationResult('root', payload, signatures, verifier),
    );
  }

  /** Keyids that are not the SHA-256 of their key (spec §4.2): reported, still used as given. */
  keyidMismatches(): string[] {
    return [...this.keys.values()].filter((k) => !k.hasCanonicalKeyid()).map((k) => k.keyid);
  }
}
