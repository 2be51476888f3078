/**
 * Delegations from a targets role to other targets roles (spec §4.5 "delegations"; TAP 15
 * succinct hashed-bin delegations).
 */
import { createHash } from 'node:crypto';
import { DeserializationError, ValueError } from '../errors.js';
import type { JsonObject } from './canonical-json.js';
import {
  asArray,
  asBoolean,
  asInteger,
  asNonEmptyString,
  asObject,
  asStringArray,
  asUniqueStrings,
  rest,
  take,
  takeFields,
  type UnrecognizedFields,
} from './fields.js';
import { Key } from './key.js';
import { isTargetInPathPattern } from './path-pattern.js';
import { Role } from './role.js';
import { TOP_LEVEL_ROLE_NAMES, type ReadOptions } from './signed.js';

/** Constructor options of {@link DelegatedRole}. */
export interface DelegatedRoleFields {
  name: string;
  keyids: string[];
  threshold?: number;
  terminating?: boolean;
  /** Path patterns; exactly one of `paths` and `pathHashPrefixes`. */
  paths?: string[];
  /** Hex prefixes of SHA-256(target path); exactly one of `paths` and `pathHashPrefixes`. */
  pathHashPrefixes?: string[];
  unrecognizedFields?: UnrecognizedFields;
}

/**
 * A delegated targets role (spec §4.5 DELEGATIONS "roles"): its name, keys and threshold,
 * whether it is terminating, and the targets it is trusted for, by path patterns or by
 * path hash prefixes.
 */
export class DelegatedRole extends Role {
  /** The role's name (also its metadata file name, percent-encoded by clients). */
  name: string;
  /** When true, the search for a target stops here (spec §5.6.7.2.2). */
  terminating: boolean;
  /** Path patterns (see `path-pattern.ts`), or undefined. */
  paths: string[] | undefined;
  /** SHA-256 hex prefixes of target paths, or undefined. */
  pathHashPrefixes: string[] | undefined;

  /** @throws {@link ValueError} unless exactly one of `paths` and `pathHashPrefixes` is given. */
  constructor(fields: DelegatedRoleFields) {
    super(fields.keyids, fields.threshold ?? 1, fields.unrecognizedFields ?? {});
    if ((fields.paths === undefined) === (fields.pathHashPrefixes === undefined)) {
      throw new ValueError(`delegated role ${JSON.stringify(fields.name)}: exactly one of paths and path_hash_prefixes must be set`);
    }
    this.name = fields.name;
    this.terminating = fields.terminating ?? false;
    this.paths = fields.paths;
    this.pathHashPrefixes = fields.pathHashPrefixes;
  }

  /** Read one entry of `delegations.roles`. */
  static override fromDict(value: unknown, path: string): DelegatedRole {
    const fields = takeFields(value, path);
    const name = asNonEmptyString(take(fields, 'name'), `${path}.name`);
    const keyids = asUniqueStrings(take(fields, 'keyids'), `${path}.keyids`);
    const threshold = asInteger(take(fields, 'threshold'), `${path}.threshold`, 1);
    const terminating = asBoolean(take(fields, 'terminating'), `${path}.terminating`);
    const rawPaths = take(fields, 'paths');
    const rawPrefixes = take(fields, 'path_hash_prefixes');
    if ((rawPaths === undefined) === (rawPrefixes === undefined)) {
      throw new DeserializationError(`${path}: exactly one of "paths" and "path_hash_prefixes" must be set`);
    }
    return new DelegatedRole({
      name,
      keyids,
      threshold,
      terminating,
      ...(rawPaths !== undefined ? { paths: asStringArray(rawPaths, `${path}.paths`) } : {}),
      ...(rawPrefixes !== undefined ? { pathHashPrefixes: asStringArray(rawPrefixes, `${path}.path_hash_prefixes`) } : {}),
      unrecognizedFields: rest(fields),
    });
  }

  override toDict(): JsonObject {
    const out: JsonObject = { ...super.toDict(), name: this.name, terminating: this.terminating };
    if (this.paths !== undefined) out['paths'] = [...this.paths];
    if (this.pathHashPrefixes !== undefined) out['path_hash_prefixes'] = [...this.pathHashPrefixes];
    return out;
  }

  /** True when this role is trusted for `targetPath` (spec §5.6.7.2). */
  isDelegatedPath(targetPath: string): boolean {
    if (this.paths !== undefined) return this.paths.some((pattern) => isTargetInPathPattern(targetPath, pattern));
    if (this.pathHashPrefixes !== undefined) {
      const digest = createHash('sha256').update(targetPath, 'utf8').digest('hex');
      return this.pathHashPrefixes.some((prefix) => digest.startsWith(prefix));
    }
    return false;
  }
}

/** Constructor options of {@link SuccinctRoles}. */
export interface SuccinctRolesFields {
  keyids: string[];
  threshold?: number;
  /** log2 of the number of bins, 1–32. */
  bitLength: number;
  /** Bin names are `${namePrefix}-${hex}`. */
  namePrefix: string;
  unrecognizedFields?: UnrecognizedFields;
}

/**
 * Succinct hashed-bin delegation (TAP 15): `2^bitLength` bins named
 * `NAME_PREFIX-XX` (lowercase hex, zero-padded), all with the same keys and threshold,
 * all terminating; a target belongs to the bin given by the first `bitLength` bits of
 * SHA-256(target path).
 */
export class SuccinctRoles extends Role {
  /** log2 of the number of bins. */
  readonly bitLength: number;
  /** The bins' name prefix. */
  readonly namePrefix: string;
  /** 2^bitLength. */
  readonly numberOfBins: number;
  /** Hex digits in a bin suffix: those of `numberOfBins − 1`. */
  readonly suffixLength: number;

  /** @throws {@link ValueError} for a bit length outside 1–32. */
  constructor(fields: SuccinctRolesFields) {
    super(fields.keyids, fields.threshold ?? 1, fields.unrecognizedFields ?? {});
    if (!Number.isSafeInteger(fields.bitLength) || fields.bitLength < 1 || fields.bitLength > 32) {
      throw new ValueError(`succinct_roles.bit_length: must be an integer in 1–32, found ${fields.bitLength}`);
    }
    this.bitLength = fields.bitLength;
    this.namePrefix = fields.namePrefix;
    this.numberOfBins = 2 ** fields.bitLength;
    this.suffixLength = (this.numberOfBins - 1).toString(16).length;
  }

  /** Read `delegations.succinct_roles`. */
  static override fromDict(value: unknown, path: string): SuccinctRoles {
    const fields = takeFields(value, path);
    const keyids = asUniqueStrings(take(fields, 'keyids'), `${path}.keyids`);
    const threshold = asInteger(take(fields, 'threshold'), `${path}.threshold`, 1);
    const bitLength = asInteger(take(fields, 'bit_length'), `${path}.bit_length`, 1);
    if (bitLength > 32) throw new DeserializationError(`${path}.bit_length: must be at most 32, found ${bitLength}`);
    const namePrefix = asNonEmptyString(take(fields, 'name_prefix'), `${path}.name_prefix`);
    return new SuccinctRoles({ keyids, threshold, bitLength, namePrefix, unrecognizedFields: rest(fields) });
  }

  override toDict(): JsonObject {
    return { ...super.toDict(), bit_length: this.bitLength, name_prefix: this.namePrefix };
  }

  /** The name of bin number `index`. */
  binName(index: number): string {
    return `${this.namePrefix}-${index.toString(16).padStart(this.suffixLength, '0')}`;
  }

  /** The bin that `targetPath` belongs to (TAP 15). */
  getRoleForTarget(targetPath: string): string {
    const digest = createHash('sha256').update(targetPath, 'utf8').digest();
    const first32 = digest.readUInt32BE(0);
    const index = this.bitLength === 32 ? first32 : first32 >>> (32 - this.bitLength);
    return this.binName(index);
  }

  /** Every bin name, in order. */
  *getRoles(): Generator<string> {
    for (let i = 0; i < this.numberOfBins; i++) yield this.binName(i);
  }

  /**
   * True when `roleName` is one of the bins: the prefix, `-`, and exactly
   * {@link SuccinctRoles.suffixLength} lowercase hex digits of a number below the bin count.
   * (Stricter than python-tuf, whose `int(suffix, 16)` also reads `0x`, `+` and upper case;
   * tufkit never generates such names and does not trust them.)
   */
  isDelegatedRole(roleName: string): boolean {
    const prefix = this.namePrefix + '-';
    if (!roleName.startsWith(prefix)) return false;
    const suffix = roleName.slice(prefix.length);
    if (suffix.length !== this.suffixLength || !/^[0-9a-f]+$/.test(suffix)) return false;
    return parseInt(suffix, 16) < this.numberOfBins;
  }
}

/** Constructor options of {@link Delegations}. */
export interface DelegationsFields {
  keys?: Map<string, Key>;
  /** Delegated roles by name, in priority order; exactly one of `roles` and `succinctRoles`. */
  roles?: Map<string, DelegatedRole>;
  succinctRoles?: SuccinctRoles;
  unrecognizedFields?: UnrecognizedFields;
}

/**
 * The `delegations` of a targets role (spec §4.5): the keys of the delegated roles and
 * either the ordered list of roles or a succinct hashed-bin delegation.
 */
export class Delegations {
  /** Keys of delegated roles by keyid. */
  keys: Map<string, Key>;
  /** Delegated roles by name, in the order given (the order of trust, spec §5.6.7.2). */
  roles: Map<string, DelegatedRole> | undefined;
  /** Hashed-bin delegation, when used instead of `roles`. */
  succinctRoles: SuccinctRoles | undefined;
  /** Other fields, kept for round trips. */
  unrecognizedFields: UnrecognizedFields;

  /** @throws {@link ValueError} unless exactly one of roles/succinctRoles is given, or for a top-level role name. */
  constructor(fields: DelegationsFields) {
    if ((fields.roles === undefined) === (fields.succinctRoles === undefined)) {
      throw new ValueError('delegations: exactly one of roles and succinct_roles must be set');
    }
    for (const name of fields.roles?.keys() ?? []) checkDelegatedName(name);
    this.keys = fields.keys ?? new Map();
    this.roles = fields.roles;
    this.succinctRoles = fields.succinctRoles;
    this.unrecognizedFields = fields.unrecognizedFields ?? {};
  }

  /** Read a `delegations` object. */
  static fromDict(value: unknown, path = 'signed.delegations', options: ReadOptions = {}): Delegations {
    const fields = takeFields(value, path);
    const keys = new Map<string, Key>();
    for (const [keyid, keyDict] of Object.entries(asObject(take(fields, 'keys'), `${path}.keys`))) {
      keys.set(keyid, Key.fromDict(keyid, keyDict, `${path}.keys.${keyid}`, options));
    }
    const rawRoles = take(fields, 'roles');
    const rawSuccinct = take(fields, 'succinct_roles');
    if ((rawRoles === undefined) === (rawSuccinct === undefined)) {
      throw new DeserializationError(`${path}: exactly one of "roles" and "succinct_roles" must be set`);
    }
    let roles: Map<string, DelegatedRole> | undefined;
    if (rawRoles !== undefined) {
      roles = new Map();
      asArray(rawRoles, `${path}.roles`).forEach((roleDict, i) => {
        const role = DelegatedRole.fromDict(roleDict, `${path}.roles[${i}]`);
        if (roles?.has(role.name)) throw new DeserializationError(`${path}.roles[${i}].name: role ${JSON.stringify(role.name)} is delegated twice`);
        try {
          checkDelegatedName(role.name);
        } catch (err) {
          throw new DeserializationError(`${path}.roles[${i}].name: ${(err as Error).message}`);
        }
        roles?.set(role.name, role);
      });
    }
    const succinctRoles = rawSuccinct === undefined ? undefined : SuccinctRoles.fromDict(rawSuccinct, `${path}.succinct_roles`);
    return new Delegations({
      keys,
      ...(roles ? { roles } : {}),
      ...(succinctRoles ? { succinctRoles } : {}),
      unrecognizedFields: rest(fields),
    });
  }

  /** The object as stored. */
  toDict(): JsonObject {
    const out: JsonObject = { ...this.unrecognizedFields, keys: Object.fromEntries([...this.keys].map(([id, k]) => [id, k.toDict()])) };
    if (this.roles !== undefined) out['roles'] = [...this.roles.values()].map((r) => r.toDict());
    if (this.succinctRoles !== undefined) out['succinct_roles'] = this.succinctRoles.toDict();
    return out;
  }

  /**
   * The roles trusted for `targetPath`, in the order a client must visit them
   * (spec §5.6.7.2), with whether each is terminating. Hashed bins yield one bin.
   */
  *getRolesForTarget(targetPath: string): Generator<{ name: string; terminating: boolean }> {
    if (this.roles !== undefined) {
      for (const role of this.roles.values()) {
        if (role.isDelegatedPath(targetPath)) yield { name: role.name, terminating: role.terminating };
      }
    } else if (this.succinctRoles !== undefined) {
      yield { name: this.succinctRoles.getRoleForTarget(targetPath), terminating: true };
    }
  }
}

function checkDelegatedName(name: string): void {
  if (name === '' || (TOP_LEVEL_ROLE_NAMES as readonly string[]).includes(name)) {
    throw new ValueError(`delegated role name ${JSON.stringify(name)} is empty or a top-level role name`);
  }
}
