/**
 * A TUF repository under edit (spec §6 "Repository operations"): its metadata staged in a
 * working directory (see layout.ts), edited through this class, signed through the
 * {@link Signer} seam, then published (publish.ts) as a directory any static web server serves.
 *
 * Versions (spec §4.1 "version"; §5.5.5, §5.6.4: clients refuse rollbacks): a role's
 * version goes up by one the first time it changes after the version staged was published;
 * further changes before the next publish keep that new version. Every change resets the
 * role's expiry to now + its policy (config.ts) and clears its signatures, which no longer
 * cover its content. Only changed roles are written, re-signed and republished: adding a
 * target to a repository of 1,024 hashed bins touches one bin, snapshot and timestamp.
 */
import { mkdir, readdir, rename, rm, stat, copyFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DeserializationError, StorageError, UsageError, ValueError, describeError } from '../errors.js';
import type { JsonValue } from '../metadata/canonical-json.js';
import { DelegatedRole, Delegations, SuccinctRoles } from '../metadata/delegations.js';
import { MetaFile, TargetFile } from '../metadata/files.js';
import type { Key } from '../metadata/key.js';
import { Metadata, type AnySigned } from '../metadata/metadata.js';
import { Role } from '../metadata/role.js';
import { Root } from '../metadata/root.js';
import type { Signer } from '../metadata/signer.js';
import { TOP_LEVEL_ROLE_NAMES, type RoleType } from '../metadata/signed.js';
import { Snapshot } from '../metadata/snapshot.js';
import { Targets } from '../metadata/targets.js';
import { Timestamp } from '../metadata/timestamp.js';
import { RootVerificationResult, VerificationResult } from '../metadata/verification.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { writeFilesAtomic } from '../util/atomic-batch.js';
import { mapLimit } from '../util/pool.js';
import { noProgress, type ProgressFactory } from '../util/progress.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { verifyRolesBatch, type RoleCheck } from './batch-verify.js';
import { defaultConfig, expiryDays, readConfig, writeConfig, type ExpiryPolicy, type RepositoryConfig } from './config.js';
import { PublishedLayout, WorkingLayout } from './layout.js';
import { hashLocalFile } from './hash-files.js';
import { checkNewRoleName } from './role-files.js';
import type { KeyRing } from './signers.js';
import { checkTargetPath, targetPathFromLocal } from './target-path.js';

const DAY_MS = 86_400_000;

/** A top-level role name. */
export type TopLevelRole = (typeof TOP_LEVEL_ROLE_NAMES)[number];

/** Options of {@link Repository.open} and {@link Repository.init}. */
export interface RepositoryOptions {
  /** The clock (default: the system's); used for expiry. */
  readonly now?: () => Date;
  /** Signature verifier (default: the process-wide default, so the WASM engine plugs in). */
  readonly verifier?: Verifier;
}

/** Keys of one top-level role for {@link Repository.init}. */
export interface InitRole {
  /** The role's keys, each with the signer URI to record in tufkit.json (if any). */
  readonly keys: readonly { readonly key: Key; readonly uri?: string }[];
  /** Default 1. */
  readonly threshold?: number;
}

/** Options of {@link Repository.init}. */
export interface InitOptions extends RepositoryOptions {
  /** Keys and thresholds of the four top-level roles. */
  readonly roles: Readonly<Record<TopLevelRole, InitRole>>;
  /** Consistent snapshots (spec §6.2; default true). */
  readonly consistentSnapshot?: boolean;
  /** Expiry overrides, in days. */
  readonly expiry?: Partial<Omit<ExpiryPolicy, 'roles'>>;
  /** Hash algorithms of targets (default `['sha256']`). */
  readonly targetHashAlgorithms?: readonly string[];
  /** Where to publish, relative to the working directory (default `repository`). */
  readonly publishDir?: string;
  /** List length and hashes of targets roles in snapshot (default false). */
  readonly snapshotMetaHashes?: boolean;
}

/** One target to add. */
export interface TargetInput {
  /** The target path (checked, see target-path.ts). */
  readonly path: string;
  /**
   * The local file with its content. Default: the working copy `DIR/targets/<path>`; a file
   * elsewhere is copied there.
   */
  readonly source?: string;
  /** The target's `custom` metadata (spec §4.5), if any. */
  readonly custom?: JsonValue;
}

/** Options of {@link Repository.addTargets}. */
export interface AddTargetsOptions {
  /** Put every target in this role (checked to be trusted for each path) instead of routing by delegations. */
  readonly role?: string;
  /** Files hashed or copied at a time (default 16). */
  readonly concurrency?: number;
  readonly progress?: ProgressFactory;
}

/** What {@link Repository.addTargets} did. */
export interface AddTargetsResult {
  /** Targets that are new or whose content or custom data changed. */
  readonly changed: string[];
  /** Targets given that were already listed identically. */
  readonly unchanged: string[];
  /** Roles that changed (to be signed). */
  readonly roles: string[];
}

/** A path-pattern delegation to create. */
export interface DelegationSpec {
  /** The new role's name (see role-files.ts for the characters allowed). */
  readonly name: string;
  /** Path patterns (spec §4.5 "paths"); exactly one of `paths` and `pathHashPrefixes`. */
  readonly paths?: readonly string[];
  readonly pathHashPrefixes?: readonly string[];
  readonly keys: readonly Key[];
  readonly threshold?: number;
  readonly terminating?: boolean;
}

/** A TAP 15 succinct hashed-bin delegation to create. */
export interface HashedBinsSpec {
  /** Number of bins: a power of two, 2–65,536. */
  readonly bins: number;
  /** Bin names are `PREFIX-xx` (default `bins`). */
  readonly namePrefix?: string;
  readonly keys: readonly Key[];
  readonly threshold?: number;
}

/** Signature state of one role. */
export interface RoleSignatureState {
  readonly role: string;
  readonly version: number;
  readonly expires: Date;
  /** Against the role's delegator (for root: against itself and, when rotating, its predecessor). */
  readonly result: VerificationResult | RootVerificationResult;
  readonly verified: boolean;
  /** Keyids whose signature is still missing while the threshold is not met. */
  readonly missingKeyids: string[];
  /** True when this staged version is not published yet. */
  readonly unpublished: boolean;
}

/** What {@link Repository.sign} did to one role. */
export interface SignOutcome {
  readonly role: string;
  /** Keyids that signed now. */
  readonly signedBy: string[];
  readonly verified: boolean;
  /** Keys of the role without a signature (and without a signer here). */
  readonly missingKeyids: string[];
  /** Why the role was not signed at all, if it was not. */
  readonly skipped?: string;
}

function isTopLevel(name: string): name is TopLevelRole {
  return (TOP_LEVEL_ROLE_NAMES as readonly string[]).includes(name);
}

/** A repository under edit. */
export class Repository {
  /** Where the working files are. */
  readonly layout: WorkingLayout;
  /** The configuration (tufkit.json); change it, then {@link Repository.saveConfig}. */
  readonly config: RepositoryConfig;
  private readonly clock: () => Date;
  /** The verifier used for every signature check. */
  readonly verifier: Verifier;
  private readonly loaded = new Map<string, Metadata>();
  private readonly modifiedRoles = new Set<string>();
  // Whether each role's staged version is unpublished, decided before this session changed it
  // (true: edits do not bump the version again).
  private readonly unpublishedState = new Map<string, boolean>();
  private readonly parents = new Map<string, string>();

  private constructor(dir: string, config: RepositoryConfig, options: RepositoryOptions) {
    this.layout = new WorkingLayout(dir);
    this.config = config;
    this.clock = options.now ?? (() => new Date());
    this.verifier = options.verifier ?? getDefaultVerifier();
  }

  // ------------------------------------------------------------------ creating, opening, saving

  /**
   * Create a repository in `dir` (which must not hold one yet): tufkit.json, and version 1
   * of root, targets, snapshot and timestamp, unsigned (sign with {@link Repository.sign}).
   * @throws {@link UsageError} when `dir` already holds a repository; {@link ValueError} for bad roles.
   */
  static async init(dir: string, options: InitOptions): Promise<Repository> {
    const abs = resolve(dir);
    const layout = new WorkingLayout(abs);
    if (existsSync(layout.configPath) || existsSync(layout.metadataDir)) {
      throw new UsageError(`${abs} already holds a repository (tufkit.json or metadata/); not overwriting it`);
    }
    const config = defaultConfig();
    Object.assign(config.expiry, options.expiry ?? {});
    if (options.targetHashAlgorithms) config.targetHashAlgorithms = [...options.targetHashAlgorithms];
    if (options.publishDir) config.publishDir = options.publishDir;
    if (options.snapshotMetaHashes !== undefined) config.snapshotMetaHashes = options.snapshotMetaHashes;
    const repo = new Repository(abs, config, options);
    const now = repo.now();
    const root = new Root({ version: 1, expires: repo.expiryFrom(now, 'root'), consistentSnapshot: options.consistentSnapshot ?? true });
    for (const name of TOP_LEVEL_ROLE_NAMES) {
      const spec = options.roles[name];
      if (spec === undefined || spec.keys.length === 0) throw new ValueError(`role ${name}: at least one key is needed`);
      for (const { key, uri } of spec.keys) {
        root.addKey(key, name);
        if (uri !== undefined) config.signers.set(key.keyid, uri);
      }
      const role = root.getDelegatedRole(name);
      const threshold = spec.threshold ?? 1;
      if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > role.keyids.length) {
        throw new ValueError(`role ${name}: threshold must be in 1–${role.keyids.length} (its number of keys), found ${threshold}`);
      }
      role.threshold = threshold;
    }
    const targets = new Targets({ version: 1, expires: repo.expiryFrom(now, 'targets') });
    const snapshot = new Snapshot({ version: 1, expires: repo.expiryFrom(now, 'snapshot'), meta: new Map([['targets.json', new MetaFile(1)]]) });
    const timestamp = new Timestamp({ version: 1, expires: repo.expiryFrom(now, 'timestamp'), snapshotMeta: new MetaFile(1) });
    for (const [name, signed] of [['root', root], ['targets', targets], ['snapshot', snapshot], ['timestamp', timestamp]] as const) {
      repo.loaded.set(name, new Metadata<AnySigned>(signed));
      repo.modifiedRoles.add(name);
      repo.unpublishedState.set(name, true);
    }
    await mkdir(layout.targetsDir, { recursive: true });
    await repo.save();
    await repo.saveConfig();
    return repo;
  }

  /**
   * Open the repository in `dir`.
   * @throws {@link ConfigError} when `dir` holds no repository; errors reading root.
   */
  static async open(dir: string, options: RepositoryOptions = {}): Promise<Repository> {
    const abs = resolve(dir);
    const config = await readConfig(new WorkingLayout(abs).configPath);
    const repo = new Repository(abs, config, options);
    await repo.role('root');
    return repo;
  }

  /** The current time (the clock given at open). */
  now(): Date {
    return this.clock();
  }

  /** The published repository's layout (tufkit.json `publishDir`). */
  get published(): PublishedLayout {
    const dir = this.config.publishDir;
    return new PublishedLayout(isAbsolute(dir) ? dir : join(this.layout.dir, dir));
  }

  /** Roles changed (or signed) in this session and not saved yet... or saved by {@link Repository.save}. */
  get modified(): ReadonlySet<string> {
    return this.modifiedRoles;
  }

  /**
   * Write every role changed in this session to the staged metadata (atomically, one file
   * per role) and return their names.
   * @throws {@link StorageError}
   */
  async save(): Promise<string[]> {
    await mkdir(this.layout.metadataDir, { recursive: true });
    const names = [...this.modifiedRoles];
    if (names.length === 1) {
      await writeFileAtomic(this.layout.rolePath(names[0] as string), (this.loaded.get(names[0] as string) as Metadata).toBytes());
    } else {
      await writeFilesAtomic(names.map((name) => ({ path: this.layout.rolePath(name), data: (this.loaded.get(name) as Metadata).toBytes() })));
    }
    this.modifiedRoles.clear();
    return names;
  }

  /** Write tufkit.json. @throws {@link StorageError} */
  async saveConfig(): Promise<void> {
    await writeConfig(this.layout.configPath, this.config);
  }

  // ------------------------------------------------------------------ reading roles

  /**
   * The staged metadata of role `name` (read once, then kept).
   * @throws {@link StorageError} when it has no staged file; {@link DeserializationError}.
   */
  async role(name: string): Promise<Metadata> {
    const cached = this.loaded.get(name);
    if (cached !== undefined) return cached;
    const path = this.layout.rolePath(name);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new StorageError(`role ${name}: cannot read its staged metadata ${path}: ${describeError(err)}`, { cause: err });
    }
    let md: Metadata;
    try {
      md = Metadata.fromBytes(bytes);
    } catch (err) {
      throw new DeserializationError(`${path}: ${describeError(err)}`, { cause: err });
    }
    const expected: RoleType = isTopLevel(name) ? name : 'targets';
    if (md.signed.type !== expected) throw new DeserializationError(`${path}: expected ${expected} metadata, found ${md.signed.type}`);
    this.loaded.set(name, md);
    return md;
  }

  /** Staged root. */
  async root(): Promise<Metadata<Root>> {
    return (await this.role('root')) as Metadata<Root>;
  }

  /** A staged targets role (`targets` or a delegated role). */
  async targets(name = 'targets'): Promise<Metadata<Targets>> {
    const md = await this.role(name);
    if (!(md.signed instanceof Targets)) throw new ValueError(`${name} is not a targets role`);
    return md as Metadata<Targets>;
  }

  /** Staged snapshot. */
  async snapshot(): Promise<Metadata<Snapshot>> {
    return (await this.role('snapshot')) as Metadata<Snapshot>;
  }

  /** Staged timestamp. */
  async timestamp(): Promise<Metadata<Timestamp>> {
    return (await this.role('timestamp')) as Metadata<Timestamp>;
  }

  /** True when role `name` is delegated somewhere in this repository. */
  async exists(name: string): Promise<boolean> {
    if (isTopLevel(name)) return true;
    return (await this.findParent(name)) !== undefined;
  }

  /**
   * The role that delegates to `name`: `root` for top-level roles.
   * @throws {@link ValueError} when no role delegates to `name`.
   */
  async parentOf(name: string): Promise<string> {
    const parent = await this.findParent(name);
    if (parent === undefined) throw new ValueError(`no role delegates to ${JSON.stringify(name)}`);
    return parent;
  }

  private async findParent(name: string): Promise<string | undefined> {
    if (isTopLevel(name)) return 'root';
    const known = this.parents.get(name);
    if (known !== undefined) return known;
    // Breadth-first through path delegations; hashed bins are leaves (tufkit never delegates from them).
    const queue = ['targets'];
    const seen = new Set(queue);
    while (queue.length) {
      const current = queue.shift() as string;
      const d = (await this.targets(current)).signed.delegations;
      if (d === undefined) continue;
      if (d.succinctRoles?.isDelegatedRole(name)) {
        this.parents.set(name, current);
        return current;
      }
      for (const child of d.roles?.keys() ?? []) {
        this.parents.set(child, current);
        if (child === name) return current;
        if (!seen.has(child)) {
          seen.add(child);
          queue.push(child);
        }
      }
    }
    return undefined;
  }

  /** The signed part that lists the keys of `name` (root, or its delegating targets role). */
  async delegatorOf(name: string): Promise<Root | Targets> {
    const parent = await this.parentOf(name);
    return parent === 'root' ? (await this.root()).signed : (await this.targets(parent)).signed;
  }

  /** The role object (keys, threshold) of `name`, from its delegator. */
  async roleInfo(name: string): Promise<Role> {
    return (await this.delegatorOf(name)).getDelegatedRole(name);
  }

  /**
   * Every role: the four top-level roles, then delegated roles breadth-first from targets
   * (a hashed-bin delegation's bins in order; bins are not read to list them).
   */
  async roleNames(): Promise<string[]> {
    const names: string[] = [...TOP_LEVEL_ROLE_NAMES];
    const queue = ['targets'];
    while (queue.length) {
      const current = queue.shift() as string;
      const d = (await this.targets(current)).signed.delegations;
      if (d === undefined) continue;
      if (d.succinctRoles !== undefined) {
        for (const bin of d.succinctRoles.getRoles()) {
          this.parents.set(bin, current);
          names.push(bin);
        }
      }
      for (const child of d.roles?.keys() ?? []) {
        this.parents.set(child, current);
        names.push(child);
        queue.push(child);
      }
    }
    return names;
  }

  /** The targets roles (`targets` and every delegated role), as snapshot lists them. */
  async targetsRoleNames(): Promise<string[]> {
    return (await this.roleNames()).filter((n) => n !== 'root' && n !== 'timestamp' && n !== 'snapshot');
  }

  // ------------------------------------------------------------------ published state

  /**
   * Whether version `version` of role `name` is in the published repository (spec §6.2:
   * versioned files when consistent snapshots are on, and for root always): `absent`,
   * `same` (the published file is byte-identical to the staged role) or `different` (the
   * same version was published with other content — by another working copy, say; publishing
   * then refuses).
   */
  async publishedState(name: string, version: number): Promise<'absent' | 'same' | 'different'> {
    const pub = this.published;
    const consistent = (await this.root()).signed.consistentSnapshot === true;
    const versioned = name === 'root' || (consistent && name !== 'timestamp');
    const path = versioned ? pub.metadataPath(name, version) : pub.metadataPath(name);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      return 'absent';
    }
    if (!versioned) {
      try {
        const raw = JSON.parse(bytes.toString('utf8')) as { signed?: { version?: unknown } };
        if (raw.signed?.version !== version) return 'absent';
      } catch {
        return 'absent';
      }
    }
    const staged = await this.role(name);
    if (staged.signed.version !== version) return 'same';
    return Buffer.from(staged.toBytes()).equals(bytes) ? 'same' : 'different';
  }

  /** True when version `version` of role `name` is published with the staged content. */
  async isPublished(name: string, version: number): Promise<boolean> {
    return (await this.publishedState(name, version)) === 'same';
  }

  /** Record that the staged versions of `names` are published now (called by `publish`). */
  notePublished(names: readonly string[]): void {
    for (const n of names) this.unpublishedState.set(n, false);
  }

  /** True when the staged version of `name` is not published yet. */
  async isUnpublished(name: string): Promise<boolean> {
    const known = this.unpublishedState.get(name);
    if (known !== undefined) return known;
    const md = await this.role(name);
    const unpublished = !(await this.isPublished(name, md.signed.version));
    this.unpublishedState.set(name, unpublished);
    return unpublished;
  }

  /** The newest published root (highest N.root.json), or undefined before the first publish. */
  async lastPublishedRoot(): Promise<Metadata<Root> | undefined> {
    let names: string[];
    try {
      names = await readdir(this.published.metadataDir);
    } catch {
      return undefined;
    }
    const versions = names.map((n) => /^([1-9][0-9]*)\.root\.json$/.exec(n)?.[1]).filter((v): v is string => v !== undefined).map(Number);
    if (!versions.length) return undefined;
    const latest = Math.max(...versions);
    return Metadata.fromFile(this.published.metadataPath('root', latest), { type: 'root' });
  }

  // ------------------------------------------------------------------ editing

  /** `now` + the expiry period of role `name`. */
  expiryFrom(now: Date, name: string, binPrefix?: string): Date {
    return new Date(now.getTime() + expiryDays(this.config.expiry, name, binPrefix) * DAY_MS);
  }

  private async binPrefixOf(name: string): Promise<string | undefined> {
    if (isTopLevel(name)) return undefined;
    const parent = await this.parentOf(name);
    const succinct = (await this.targets(parent)).signed.delegations?.succinctRoles;
    return succinct?.isDelegatedRole(name) ? succinct.namePrefix : undefined;
  }

  /**
   * Change role `name` with `mutate`. When `mutate` returns `false` nothing changed and
   * nothing happens; otherwise the role is marked changed: its version goes up by one unless
   * its staged version is already unpublished, its expiry becomes now + policy, its
   * signatures are dropped.
   */
  async edit<T extends AnySigned = AnySigned>(name: string, mutate: (signed: T) => boolean | void): Promise<boolean> {
    const md = await this.role(name);
    await this.isUnpublished(name); // decided on the content before the change
    const changed = mutate(md.signed as T);
    if (changed === false) return false;
    await this.touch(name);
    return true;
  }

  /** Mark role `name` changed (new version if needed, new expiry, no signatures), see {@link Repository.edit}. */
  async touch(name: string): Promise<void> {
    const md = await this.role(name);
    if (!(await this.isUnpublished(name))) {
      md.signed.version += 1;
      this.unpublishedState.set(name, true);
    }
    md.signed.expires = this.expiryFrom(this.now(), name, await this.binPrefixOf(name));
    md.signatures.clear();
    this.modifiedRoles.add(name);
  }

  /** Record that role `name` changed in a way {@link Repository.edit} did not see (signatures added). */
  markModified(name: string): void {
    if (!this.loaded.has(name)) throw new ValueError(`role ${name} is not loaded`);
    this.modifiedRoles.add(name);
  }

  // ------------------------------------------------------------------ targets

  /**
   * The role a new target at `path` goes to: following delegations from `targets`, the
   * first delegated role trusted for the path (spec §5.6.7.2 order), or the bin of a hashed-bin
   * delegation (TAP 15); the delegating role itself when none is.
   */
  async roleForTarget(path: string): Promise<string> {
    let current = 'targets';
    for (let depth = 0; depth < 64; depth++) {
      const d = (await this.targets(current)).signed.delegations;
      if (d === undefined) return current;
      if (d.succinctRoles !== undefined) {
        const bin = d.succinctRoles.getRoleForTarget(path);
        this.parents.set(bin, current);
        return bin;
      }
      const next = [...(d.roles?.values() ?? [])].find((r) => r.isDelegatedPath(path));
      if (next === undefined) return current;
      this.parents.set(next.name, current);
      current = next.name;
    }
    return current;
  }

  /** True when `role` may list `path`: every delegation from targets down to it covers the path. */
  async isTrustedFor(role: string, path: string): Promise<boolean> {
    let name = role;
    while (name !== 'targets') {
      const parent = await this.findParent(name);
      if (parent === undefined) return false;
      const d = (await this.targets(parent)).signed.delegations;
      if (d?.succinctRoles?.isDelegatedRole(name)) {
        if (d.succinctRoles.getRoleForTarget(path) !== name) return false;
      } else if (!d?.roles?.get(name)?.isDelegatedPath(path)) {
        return false;
      }
      name = parent;
    }
    return true;
  }

  /**
   * Add (or update) targets: hash their content (streamed, `concurrency` files at a time),
   * copy content from outside into `DIR/targets/`, and list each in the role it belongs to.
   * Nothing changes when any path is invalid or any file unreadable. Call {@link Repository.save} after.
   * @throws {@link TargetPathError}, {@link StorageError}, {@link ValueError}
   */
  async addTargets(inputs: readonly TargetInput[], options: AddTargetsOptions = {}): Promise<AddTargetsResult> {
    const progress = options.progress ?? noProgress;
    const seen = new Set<string>();
    const items = inputs.map((input) => {
      const path = checkTargetPath(input.path);
      if (seen.has(path)) throw new ValueError(`target ${JSON.stringify(path)} is given twice`);
      seen.add(path);
      const working = this.layout.targetPath(path);
      const source = input.source === undefined ? working : resolve(input.source);
      return { path, working, source, custom: input.custom };
    });
    const roles = new Map<string, string>();
    for (const item of items) {
      const role = options.role ?? (await this.roleForTarget(item.path));
      if (options.role !== undefined && !(await this.isTrustedFor(role, item.path))) {
        throw new ValueError(`role ${role} is not trusted for target ${JSON.stringify(item.path)} (its delegations do not cover that path)`);
      }
      roles.set(item.path, role);
    }
    // Hash (and copy into DIR/targets through temporary files) before changing anything.
    const bar = progress('hashing targets', items.length);
    const temps: { temp: string; working: string }[] = [];
    let files: TargetFile[];
    try {
      files = await mapLimit(items, options.concurrency ?? 16, async (item) => {
        let hashed = item.source;
        if (item.source !== item.working) {
          const temp = `${item.working}.${randomBytes(6).toString('hex')}.tmp`;
          await mkdir(dirname(item.working), { recursive: true });
          await copyFile(item.source, temp).catch((err: unknown) => {
            throw new StorageError(`target ${JSON.stringify(item.path)}: cannot read ${item.source}: ${describeError(err)}`, { cause: err });
          });
          temps.push({ temp, working: item.working });
          hashed = temp;
        }
        let file: TargetFile;
        try {
          const { length, hashes } = await hashLocalFile(hashed, this.config.targetHashAlgorithms);
          file = new TargetFile(length, hashes, item.path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === undefined) throw err;
          throw new StorageError(`target ${JSON.stringify(item.path)}: cannot read ${item.source}: ${describeError(err)}`, { cause: err });
        }
        if (item.custom !== undefined) file.custom = item.custom;
        bar.tick();
        return file;
      });
    } catch (err) {
      await Promise.all(temps.map((t) => rm(t.temp, { force: true })));
      throw err;
    } finally {
      bar.done();
    }
    for (const t of temps) await rename(t.temp, t.working);
    // List each in its role.
    const byRole = new Map<string, TargetFile[]>();
    files.forEach((file) => {
      const role = roles.get(file.path) as string;
      byRole.set(role, [...(byRole.get(role) ?? []), file]);
    });
    const changed: string[] = [];
    const unchanged: string[] = [];
    const changedRoles: string[] = [];
    const withCustom = new Set(items.filter((i) => i.custom !== undefined).map((i) => i.path));
    for (const [role, list] of byRole) {
      const touched = await this.edit<Targets>(role, (signed) => {
        let any = false;
        for (const file of list) {
          const old = signed.targets.get(file.path);
          // Re-adding keeps the custom data (and other fields) it had, unless new custom data is given.
          if (old !== undefined && !withCustom.has(file.path)) file.unrecognizedFields = { ...old.unrecognizedFields };
          if (old !== undefined && sameTarget(old, file)) {
            unchanged.push(file.path);
            continue;
          }
          signed.targets.set(file.path, file);
          changed.push(file.path);
          any = true;
        }
        return any;
      });
      if (touched) changedRoles.push(role);
    }
    return { changed, unchanged, roles: changedRoles };
  }

  /**
   * Hash every file under `DIR/targets/<subdir>` (default: all) and add them (see
   * {@link Repository.addTargets}); hidden files and tufkit's temporary files are skipped.
   */
  async addTargetsFromWorkingTree(subdir = '', options: AddTargetsOptions = {}): Promise<AddTargetsResult> {
    const base = this.layout.targetsDir;
    const start = subdir ? join(base, subdir) : base;
    const files = await listFiles(start);
    return this.addTargets(
      files.map((f) => ({ path: targetPathFromLocal(relative(base, f)) })),
      options,
    );
  }

  /**
   * Find the role listing target `path`: where a new target would go, else any role (all
   * roles are read). Returns undefined when no role lists it.
   */
  async findTarget(path: string): Promise<{ role: string; file: TargetFile } | undefined> {
    const routed = await this.roleForTarget(path);
    const file = (await this.targets(routed)).signed.targets.get(path);
    if (file !== undefined) return { role: routed, file };
    for (const role of await this.targetsRoleNames()) {
      const f = (await this.targets(role)).signed.targets.get(path);
      if (f !== undefined) return { role, file: f };
    }
    return undefined;
  }

  /** Every target of every targets role (all roles are read). */
  async *listTargets(): AsyncGenerator<{ role: string; file: TargetFile }> {
    for (const role of await this.targetsRoleNames()) {
      for (const file of (await this.targets(role)).signed.targets.values()) yield { role, file };
    }
  }

  /**
   * Remove targets: each path is a target path, or a directory prefix ending in `/` that
   * removes every target under it. Their working copies are deleted when `deleteContent`
   * (default true). Call {@link Repository.save} after.
   * @throws {@link ValueError} naming a path that matches no target (nothing is removed then).
   */
  async removeTargets(paths: readonly string[], options: { deleteContent?: boolean } = {}): Promise<{ removed: string[]; roles: string[] }> {
    const plan = new Map<string, Set<string>>();
    const add = (role: string, path: string) => plan.set(role, (plan.get(role) ?? new Set()).add(path));
    for (const raw of paths) {
      if (raw.endsWith('/')) {
        const prefix = raw;
        checkTargetPath(prefix.slice(0, -1));
        let found = false;
        for await (const { role, file } of this.listTargets()) {
          if (file.path.startsWith(prefix)) {
            add(role, file.path);
            found = true;
          }
        }
        if (!found) throw new ValueError(`no target under ${JSON.stringify(prefix)}`);
      } else {
        const found = await this.findTarget(checkTargetPath(raw));
        if (found === undefined) throw new ValueError(`no target ${JSON.stringify(raw)} in this repository`);
        add(found.role, raw);
      }
    }
    const removed: string[] = [];
    for (const [role, set] of plan) {
      await this.edit<Targets>(role, (signed) => {
        for (const p of set) {
          signed.targets.delete(p);
          removed.push(p);
        }
      });
    }
    if (options.deleteContent ?? true) {
      for (const p of removed) await rm(this.layout.targetPath(p), { force: true });
    }
    return { removed, roles: [...plan.keys()] };
  }

  // ------------------------------------------------------------------ delegations and keys

  /**
   * Delegate from `parent` to a new targets role trusted for `spec.paths` (or hash
   * prefixes), with its keys and threshold (spec §4.5 "delegations"). The new role starts
   * empty at version 1. Call {@link Repository.save} after.
   * @throws {@link ValueError} for a taken or invalid name, a parent with hashed bins, bad thresholds.
   */
  async delegate(parent: string, spec: DelegationSpec): Promise<void> {
    const name = checkNewRoleName(spec.name);
    if (await this.exists(name)) throw new ValueError(`role ${name} already exists`);
    if (existsSync(this.layout.rolePath(name))) throw new ValueError(`a staged file for role ${name} already exists (${this.layout.rolePath(name)})`);
    const threshold = checkThreshold(spec.threshold ?? 1, spec.keys.length, name);
    const parentMd = await this.targets(parent);
    if (parentMd.signed.delegations?.succinctRoles !== undefined) {
      throw new ValueError(`${parent} delegates to hashed bins; it cannot also delegate by paths`);
    }
    for (const p of spec.paths ?? []) if (p === '') throw new ValueError('delegation path patterns must not be empty');
    const role = new DelegatedRole({
      name,
      keyids: spec.keys.map((k) => k.keyid),
      threshold,
      terminating: spec.terminating ?? false,
      ...(spec.paths !== undefined ? { paths: [...spec.paths] } : {}),
      ...(spec.pathHashPrefixes !== undefined ? { pathHashPrefixes: [...spec.pathHashPrefixes] } : {}),
    });
    await this.edit<Targets>(parent, (signed) => {
      signed.delegations ??= new Delegations({ roles: new Map() });
      for (const key of spec.keys) signed.delegations.keys.set(key.keyid, key);
      signed.delegations.roles?.set(name, role);
    });
    this.parents.set(name, parent);
    this.createRole(name);
  }

  /**
   * Delegate from `parent` to `spec.bins` hashed bins (TAP 15 succinct delegation), all
   * with the same keys and threshold; targets added later go to their bin automatically.
   * Creates every bin, empty, at version 1. Call {@link Repository.save} after.
   * @throws {@link ValueError} when `parent` already delegates, or for a bad bin count.
   */
  async delegateHashedBins(parent: string, spec: HashedBinsSpec): Promise<string[]> {
    const bins = spec.bins;
    if (!Number.isSafeInteger(bins) || bins < 2 || bins > 65536 || (bins & (bins - 1)) !== 0) {
      throw new ValueError(`hashed bins: the number of bins must be a power of two in 2–65536, found ${bins}`);
    }
    const prefix = checkNewRoleName(spec.namePrefix ?? 'bins');
    const threshold = checkThreshold(spec.threshold ?? 1, spec.keys.length, `${prefix}-*`);
    const parentMd = await this.targets(parent);
    if (parentMd.signed.delegations !== undefined) throw new ValueError(`${parent} already delegates; hashed bins need a role without delegations`);
    const succinct = new SuccinctRoles({ keyids: spec.keys.map((k) => k.keyid), threshold, bitLength: Math.log2(bins), namePrefix: prefix });
    const names = [...succinct.getRoles()];
    for (const name of names) if (await this.exists(name)) throw new ValueError(`role ${name} already exists`);
    await this.edit<Targets>(parent, (signed) => {
      signed.delegations = new Delegations({ keys: new Map(spec.keys.map((k) => [k.keyid, k])), succinctRoles: succinct });
    });
    for (const name of names) {
      this.parents.set(name, parent);
      this.createRole(name, prefix);
    }
    return names;
  }

  private createRole(name: string, binPrefix?: string): void {
    const targets = new Targets({ version: 1, expires: this.expiryFrom(this.now(), name, binPrefix) });
    this.loaded.set(name, new Metadata<AnySigned>(targets));
    this.unpublishedState.set(name, true);
    this.modifiedRoles.add(name);
  }

  /**
   * Add `key` to role `name` (in root for top-level roles, else in its delegator), recording
   * `uri` in tufkit.json when given. The role itself is touched too: it must be signed again.
   */
  async addKey(name: string, key: Key, uri?: string): Promise<void> {
    const parent = await this.parentOf(name);
    await this.edit(parent, (signed) => {
      const delegator = signed as Root | Targets;
      if (delegator.getDelegatedRole(name).keyids.includes(key.keyid)) return false;
      delegator.addKey(key, name);
      return true;
    });
    if (name !== parent) await this.touchRoleAndBins(name);
    if (uri !== undefined) this.config.signers.set(key.keyid, uri);
  }

  /** Remove key `keyid` from role `name`; the threshold must stay reachable. */
  async removeKey(name: string, keyid: string): Promise<void> {
    const role = await this.roleInfo(name);
    if (!role.keyids.includes(keyid)) throw new ValueError(`key ${keyid} is not a key of ${name}`);
    if (role.keyids.length - 1 < role.threshold) {
      throw new ValueError(`removing key ${keyid.slice(0, 8)}… would leave ${name} with ${role.keyids.length - 1} keys for a threshold of ${role.threshold}`);
    }
    const parent = await this.parentOf(name);
    await this.edit(parent, (signed) => (signed as Root | Targets).revokeKey(keyid, name));
    if (name !== parent) await this.touchRoleAndBins(name);
  }

  /** Set the threshold of role `name`. */
  async setThreshold(name: string, threshold: number): Promise<void> {
    const role = await this.roleInfo(name);
    checkThreshold(threshold, role.keyids.length, name);
    if (role.threshold === threshold) return;
    const parent = await this.parentOf(name);
    await this.edit(parent, (signed) => {
      (signed as Root | Targets).getDelegatedRole(name).threshold = threshold;
    });
    if (name !== parent) await this.touchRoleAndBins(name);
  }

  // A key change of a hashed-bin delegation changes every bin's signers.
  private async touchRoleAndBins(name: string): Promise<void> {
    const parent = await this.parentOf(name);
    if (parent !== 'root') {
      const succinct = (await this.targets(parent)).signed.delegations?.succinctRoles;
      if (succinct?.isDelegatedRole(name)) {
        for (const bin of succinct.getRoles()) await this.touch(bin);
        return;
      }
    }
    await this.touch(name);
  }

  // ------------------------------------------------------------------ signatures

  /**
   * The signature state of role `name`: checked against its delegator (for a new root: against
   * itself and, when it rotates, the last published root too, spec §5.3.4).
   */
  async signatureState(name: string): Promise<RoleSignatureState> {
    return (await this.signatureStates([name]))[0] as RoleSignatureState;
  }

  /** {@link Repository.signatureState} of many roles, verified in one batch. */
  async signatureStates(names: readonly string[]): Promise<RoleSignatureState[]> {
    const checks: RoleCheck[] = [];
    const plan: { name: string; md: Metadata; unpublished: boolean; previous: Root | undefined; at: number }[] = [];
    for (const name of names) {
      const md = await this.role(name);
      const delegator = await this.delegatorOf(name);
      const unpublished = await this.isUnpublished(name);
      const payload = md.signedBytes();
      let previous: Root | undefined;
      if (name === 'root' && unpublished) {
        const last = await this.lastPublishedRoot();
        if (last !== undefined && last.signed.version !== md.signed.version) previous = last.signed;
      }
      plan.push({ name, md, unpublished, previous, at: checks.length });
      const own = delegator.getDelegatedRole(name);
      checks.push({ role: own, keyFor: (id) => delegator.findKey(id), payload, signatures: md.signatures });
      if (previous !== undefined) {
        const prev = previous;
        checks.push({ role: prev.getDelegatedRole('root'), keyFor: (id) => prev.findKey(id), payload, signatures: md.signatures });
      }
    }
    const results = verifyRolesBatch(checks, this.verifier);
    return plan.map(({ name, md, unpublished, previous, at }) => {
      const own = results[at] as VerificationResult;
      const result = previous !== undefined ? new RootVerificationResult(results[at + 1] as VerificationResult, own) : own;
      const parts = previous !== undefined ? [results[at + 1] as VerificationResult, own] : [own];
      const missingKeyids = parts.filter((r) => !r.verified).flatMap((r) => [...r.unsigned.keys()]);
      return { role: name, version: md.signed.version, expires: md.signed.expires, result, verified: result.verified, missingKeyids: [...new Set(missingKeyids)], unpublished };
    });
  }

  /**
   * Sign roles with every key of theirs that `keyring` can sign with, adding to the
   * signatures they have (thresholds can be met by several people at different times).
   * A published version is not signed again (change it first, or `touch` it). A new root is
   * also signed with the keys of the last published root (spec §5.3.4).
   * @throws {@link SignerError} when a configured signer cannot be used.
   */
  async sign(names: readonly string[], keyring: KeyRing, options: { progress?: ProgressFactory } = {}): Promise<SignOutcome[]> {
    const progress = (options.progress ?? noProgress)('signing', names.length);
    const outcomes: SignOutcome[] = [];
    try {
      for (const name of names) {
        const md = await this.role(name);
        const delegator = await this.delegatorOf(name);
        if (!(await this.isUnpublished(name))) {
          const state = await this.signatureState(name);
          outcomes.push({ role: name, signedBy: [], verified: state.verified, missingKeyids: state.missingKeyids, skipped: `version ${md.signed.version} is published` });
          progress.tick();
          continue;
        }
        const candidates: Key[] = [];
        const role = delegator.getDelegatedRole(name);
        for (const keyid of role.keyids) {
          const key = delegator.findKey(keyid);
          if (key !== undefined) candidates.push(key);
        }
        if (name === 'root') {
          const last = await this.lastPublishedRoot();
          if (last !== undefined && last.signed.version !== md.signed.version) {
            for (const keyid of last.signed.getDelegatedRole('root').keyids) {
              const key = last.signed.findKey(keyid);
              if (key !== undefined && !candidates.some((c) => c.keyid === key.keyid)) candidates.push(key);
            }
          }
        }
        const signedBy: string[] = [];
        const payload = md.signedBytes();
        for (const key of candidates) {
          const existing = md.signatures.get(key.keyid);
          if (existing !== undefined && key.verifySignature(existing, payload, this.verifier)) continue;
          const signer: Signer | undefined = await keyring.get(key);
          if (signer === undefined) continue;
          await md.sign(signer, { append: true, verifier: this.verifier });
          signedBy.push(key.keyid);
        }
        if (signedBy.length) this.modifiedRoles.add(name);
        outcomes.push({ role: name, signedBy, verified: false, missingKeyids: [] });
        progress.tick();
      }
    } finally {
      progress.done();
    }
    // Where the roles stand now: every signature checked in one batch.
    const signedNow = outcomes.filter((o) => o.skipped === undefined);
    const states = await this.signatureStates(signedNow.map((o) => o.role));
    const byRole = new Map(states.map((st) => [st.role, st]));
    return outcomes.map((o) => {
      const st = byRole.get(o.role);
      return st === undefined ? o : { ...o, verified: st.verified, missingKeyids: st.missingKeyids };
    });
  }

  /** Roles whose staged version is unpublished (changed since the last publish), in {@link Repository.roleNames} order. */
  async unpublishedRoles(): Promise<string[]> {
    const out: string[] = [];
    for (const name of await this.roleNames()) if (await this.isUnpublished(name)) out.push(name);
    return out;
  }
}

function checkThreshold(threshold: number, keys: number, role: string): number {
  if (keys === 0) throw new ValueError(`role ${role}: at least one key is needed`);
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > keys) {
    throw new ValueError(`role ${role}: threshold must be in 1–${keys} (its number of keys), found ${threshold}`);
  }
  return threshold;
}

function sameTarget(a: TargetFile, b: TargetFile): boolean {
  return JSON.stringify(sortedDict(a.toDict())) === JSON.stringify(sortedDict(b.toDict()));
}

function sortedDict(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedDict);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortedDict((value as Record<string, unknown>)[k])]));
  }
  return value;
}

/** Every regular file under `dir` (recursively, sorted), skipping dot-files and `*.tmp`. */
export async function listFiles(dir: string): Promise<string[]> {
  let st;
  try {
    st = await stat(dir);
  } catch (err) {
    throw new StorageError(`cannot read ${dir}: ${describeError(err)}`, { cause: err });
  }
  if (!st.isDirectory()) return [dir];
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name.endsWith('.tmp')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) out.push(p);
    }
  };
  await walk(dir);
  return out;
}
