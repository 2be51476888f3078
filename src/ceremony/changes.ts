/**
 * What a root ceremony changes (spec §4.3 "root.json", §6.1 key management): the root that
 * comes out of the current one and a list of changes, and a human-readable summary of the
 * difference between two roots that every key holder reads before signing.
 */
import { CeremonyError } from '../errors.js';
import { encodeCanonical } from '../metadata/canonical-json.js';
import type { Key } from '../metadata/key.js';
import { Root } from '../metadata/root.js';
import { TOP_LEVEL_ROLE_NAMES } from '../metadata/signed.js';
import { signerUriOf } from '../signers/signer-uri.js';

/** A top-level role (the roles root lists keys for). */
export type TopLevelRoleName = (typeof TOP_LEVEL_ROLE_NAMES)[number];

/** The changes a ceremony makes to the root. */
export interface RootChanges {
  /** Keys to add to roles (a key already there is left as it is). */
  readonly addKeys?: ReadonlyArray<{ readonly role: TopLevelRoleName; readonly key: Key }>;
  /** Keys to remove from roles. */
  readonly removeKeys?: ReadonlyArray<{ readonly role: TopLevelRoleName; readonly keyid: string }>;
  /** New thresholds. */
  readonly thresholds?: ReadonlyMap<TopLevelRoleName, number>;
  /** New expiry (default: unchanged for a rotation, a year from now for a new repository). */
  readonly expires?: Date;
  /** `consistent_snapshot` (default unchanged; true for a new repository). */
  readonly consistentSnapshot?: boolean;
}

/** True when `name` is a top-level role name. */
export function isTopLevelRole(name: string): name is TopLevelRoleName {
  return (TOP_LEVEL_ROLE_NAMES as readonly string[]).includes(name);
}

/**
 * The root a ceremony proposes: a copy of `base` with the changes applied and every role
 * checked to be satisfiable. With `bumpVersion` (a rotation) the version is `base`'s + 1;
 * without `base` (a new repository from nothing) it is an empty version 1 expiring in a year.
 * @throws {@link CeremonyError} naming the role at fault (no key, threshold above the number of
 *   distinct keys, a key to remove that the role does not have).
 */
export function applyRootChanges(base: Root | undefined, changes: RootChanges, options: { bumpVersion?: boolean; now?: Date } = {}): Root {
  const now = options.now ?? new Date();
  const next = base === undefined ? new Root({ version: 1, expires: new Date(now.getTime() + 365 * 86_400_000) }) : Root.fromDict(JSON.parse(JSON.stringify(base.toDict())));
  if (base !== undefined && options.bumpVersion) next.version = base.version + 1;
  for (const { role, keyid } of changes.removeKeys ?? []) {
    try {
      next.revokeKey(keyid, role);
    } catch (err) {
      throw new CeremonyError(`remove key ${keyid} from ${role}: the role does not have it`, { cause: err });
    }
  }
  for (const { role, key } of changes.addKeys ?? []) {
    const existing = next.keys.get(key.keyid);
    if (existing !== undefined && JSON.stringify(existing.toDict()) !== JSON.stringify(key.toDict())) {
      throw new CeremonyError(`add key ${key.keyid} to ${role}: root lists another key object under that keyid`);
    }
    next.addKey(key, role);
  }
  for (const [role, threshold] of changes.thresholds ?? new Map()) {
    if (!Number.isSafeInteger(threshold) || threshold < 1) throw new CeremonyError(`threshold of ${role}: must be an integer ≥ 1, found ${threshold}`);
    next.getDelegatedRole(role).threshold = threshold;
  }
  if (changes.expires !== undefined) next.expires = changes.expires;
  if (changes.consistentSnapshot !== undefined) next.consistentSnapshot = changes.consistentSnapshot;
  checkRootSatisfiable(next);
  return next;
}

/**
 * Every top-level role has a key, and a threshold no greater than its number of distinct keys
 * (two keyids of one key count once, spec §5.3.4's "distinct keys").
 * @throws {@link CeremonyError}
 */
export function checkRootSatisfiable(root: Root): void {
  for (const name of TOP_LEVEL_ROLE_NAMES) {
    const role = root.getDelegatedRole(name);
    const keys: Key[] = [];
    for (const keyid of role.keyids) {
      const key = root.keys.get(keyid);
      if (key === undefined) throw new CeremonyError(`role ${name}: keyid ${keyid} has no key in root.keys`);
      if (!keys.some((k) => k.sameKeyAs(key))) keys.push(key);
    }
    if (keys.length === 0) throw new CeremonyError(`role ${name}: has no key`);
    if (role.threshold > keys.length) {
      throw new CeremonyError(`role ${name}: threshold ${role.threshold} but only ${keys.length} distinct key${keys.length === 1 ? '' : 's'}`);
    }
  }
}

function describeKeyLine(key: Key): string {
  const hint = signerUriOf(key);
  return `${key.keyid} (${key.scheme})${hint ? ` ${hint}` : ''}`;
}

function roleKeyids(root: Root, role: string): string[] {
  return root.getDelegatedRole(role).keyids;
}

/**
 * The summary of what `next` changes against `current` (or, for a new repository, what it
 * is), one line per fact, in a fixed order. Every key holder sees it before signing; the
 * proposal file stores it and is refused when it does not match its content.
 */
export function describeRootChanges(current: Root | undefined, next: Root): string[] {
  const lines: string[] = [];
  if (current === undefined) {
    lines.push(`new repository: root version ${next.version}, expires ${next.expiresString}`);
  } else {
    lines.push(`root version ${current.version} → ${next.version}`);
    lines.push(current.expiresString === next.expiresString ? `expires ${next.expiresString} (unchanged)` : `expires ${current.expiresString} → ${next.expiresString}`);
  }
  for (const name of TOP_LEVEL_ROLE_NAMES) {
    const nextRole = next.getDelegatedRole(name);
    const after = roleKeyids(next, name);
    if (current === undefined) {
      lines.push(`${name}: threshold ${nextRole.threshold} of ${after.length} key${after.length === 1 ? '' : 's'}`);
      for (const keyid of after) lines.push(`  ${describeKeyLine(next.keys.get(keyid) as Key)}`);
      continue;
    }
    const curRole = current.getDelegatedRole(name);
    const before = roleKeyids(current, name);
    const added = after.filter((k) => !before.includes(k));
    const removed = before.filter((k) => !after.includes(k));
    const changedKeys = after.filter((k) => before.includes(k) && JSON.stringify(current.keys.get(k)?.toDict()) !== JSON.stringify(next.keys.get(k)?.toDict()));
    const threshold = curRole.threshold === nextRole.threshold ? `threshold ${nextRole.threshold}` : `threshold ${curRole.threshold} → ${nextRole.threshold}`;
    if (!added.length && !removed.length && !changedKeys.length && curRole.threshold === nextRole.threshold && sameDict(curRole.toDict(), nextRole.toDict())) {
      lines.push(`${name}: unchanged (threshold ${nextRole.threshold} of ${after.length})`);
      continue;
    }
    lines.push(`${name}: ${threshold} of ${after.length} key${after.length === 1 ? '' : 's'} (was ${before.length})`);
    for (const keyid of added) lines.push(`  + ${describeKeyLine(next.keys.get(keyid) as Key)}`);
    for (const keyid of removed) lines.push(`  - ${describeKeyLine(current.keys.get(keyid) as Key)}`);
    for (const keyid of changedKeys) lines.push(`  ~ ${keyid}: key object changed`);
    if (!sameDict({ ...curRole.toDict(), keyids: [], threshold: 0 }, { ...nextRole.toDict(), keyids: [], threshold: 0 })) lines.push(`  ~ other fields of the role changed`);
  }
  if (current === undefined || current.consistentSnapshot !== next.consistentSnapshot) {
    const was = current === undefined ? '' : ` (was ${String(current.consistentSnapshot ?? 'absent')})`;
    lines.push(`consistent_snapshot: ${String(next.consistentSnapshot ?? 'absent')}${was}`);
  }
  if (current !== undefined) {
    const other = otherFieldChanges(current, next);
    if (other.length) lines.push(`other fields changed: ${other.join(', ')}`);
    const unusedBefore = [...current.keys.keys()].filter((k) => !TOP_LEVEL_ROLE_NAMES.some((r) => roleKeyids(current, r).includes(k)));
    if (unusedBefore.length) lines.push(`(the current root lists keys no role uses: ${unusedBefore.join(', ')})`);
  }
  return lines;
}

function sameDict(a: unknown, b: unknown): boolean {
  return Buffer.from(encodeCanonical(a)).equals(Buffer.from(encodeCanonical(b)));
}

function otherFieldChanges(current: Root, next: Root): string[] {
  const a = current.toDict();
  const b = next.toDict();
  const known = new Set(['_type', 'version', 'expires', 'keys', 'roles', 'consistent_snapshot']);
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((n) => !known.has(n)).sort();
  return names.filter((n) => !sameDict(a[n] ?? null, b[n] ?? null));
}

/** The threshold sentence of a summary: what signatures the new root needs (spec §5.3.4). */
export function describeSignaturesNeeded(current: Root | undefined, next: Root): string {
  const nr = next.getDelegatedRole('root');
  const own = `${nr.threshold} of the ${nr.keyids.length} root keys of version ${next.version}`;
  if (current === undefined) return `needs signatures from ${own}`;
  const cr = current.getDelegatedRole('root');
  return `needs signatures from ${cr.threshold} of the ${cr.keyids.length} root keys of version ${current.version} and from ${own}`;
}
