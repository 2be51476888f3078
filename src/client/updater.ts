/**
 * The TUF client (spec §5 "Detailed client workflow"), at parity with python-tuf's
 * `ngclient.Updater`: refresh the top-level metadata, find a target's description through
 * the delegation graph, download and verify targets.
 *
 * The updater does the I/O — fetching, reading and writing the local cache — and hands
 * every byte to a {@link TrustedMetadataSet}, which makes every trust decision. Only bytes
 * the set accepted are written to the cache, atomically, exactly as served.
 *
 * ```ts
 * const updater = new Updater({ metadataDir, metadataBaseUrl: 'https://repo/metadata/', targetBaseUrl: 'https://repo/targets/', targetDir });
 * await updater.refresh();
 * const info = await updater.getTargetInfo('app/v1.tgz');
 * if (info) (await updater.findCachedTarget(info)) ?? (await updater.downloadTarget(info));
 * ```
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  DownloadError,
  DownloadHttpError,
  EqualVersionNumberError,
  LengthOrHashMismatchError,
  RepositoryError,
  StorageError,
  UnsupportedAlgorithmError,
  ValueError,
  describeError,
} from '../errors.js';
import type { TargetFile } from '../metadata/files.js';
import { createHasher, hashFile } from '../metadata/hashes.js';
import type { Metadata } from '../metadata/metadata.js';
import type { Targets } from '../metadata/targets.js';
import { referenceTimeOf, resolveConfig, type UpdaterConfig } from './config.js';
import { DefaultFetcher, TUFKIT_USER_AGENT, consumeWithLimit, downloadBytes, type Fetcher } from './fetcher.js';
import { MetadataCache } from './metadata-cache.js';
import { metadataUrl, quoteTargetPath, targetFileName, withTrailingSlash } from './names.js';
import { TrustedMetadataSet, type DelegatedUpdate } from './trusted-metadata-set.js';
import { syncDir, tempPathBeside } from '../util/atomic-file.js';

/** Constructor options of {@link Updater}. */
export interface UpdaterOptions {
  /** The local metadata cache; must hold the trusted `root.json` (spec §5.2). */
  readonly metadataDir: string;
  /** Base URL of the repository's metadata (`http(s)://` or `file://`). */
  readonly metadataBaseUrl: string;
  /** Base URL of target files (needed by {@link Updater.downloadTarget} unless given there). */
  readonly targetBaseUrl?: string;
  /** Where targets are stored by default (needed unless a path is given per call). */
  readonly targetDir?: string;
  /** Transport (default: {@link DefaultFetcher}). */
  readonly fetcher?: Fetcher;
  /** Settings; unset fields take python-tuf's defaults. */
  readonly config?: Partial<UpdaterConfig>;
  /** Receives one line per step, for diagnostics (nothing secret is ever logged). */
  readonly log?: (message: string) => void;
}

/** Result of {@link Updater.loadDelegatedRoles}. */
export interface BulkLoadResult {
  /** Roles now trusted (including those trusted before the call). */
  readonly loaded: readonly string[];
  /** Roles that could not be loaded, with why. */
  readonly failures: ReadonlyMap<string, Error>;
}

/** The TUF client. Calls on one Updater are serialized; use one Updater per cache directory. */
export class Updater {
  /** The settings in force. */
  readonly config: UpdaterConfig;
  private readonly cache: MetadataCache;
  private readonly metadataBaseUrl: string;
  private readonly targetBaseUrl: string | undefined;
  private readonly targetDir: string | undefined;
  private readonly fetcher: Fetcher;
  private readonly log: (message: string) => void;
  private rootBytes: Uint8Array;
  private set: TrustedMetadataSet;
  private queue: Promise<unknown> = Promise.resolve();

  /**
   * Load the trusted root from `metadataDir/root.json` and check that it is signed by a
   * threshold of its own keys (spec §5.2). Nothing is fetched.
   * @throws {@link StorageError}, {@link DeserializationError}, {@link UnsignedMetadataError}, {@link ValueError}
   */
  constructor(options: UpdaterOptions) {
    this.config = resolveConfig(options.config);
    this.cache = new MetadataCache(options.metadataDir);
    this.metadataBaseUrl = withTrailingSlash(options.metadataBaseUrl);
    this.targetBaseUrl = options.targetBaseUrl === undefined ? undefined : withTrailingSlash(options.targetBaseUrl);
    this.targetDir = options.targetDir;
    const userAgent = this.config.appUserAgent ? `${this.config.appUserAgent} ${TUFKIT_USER_AGENT}` : TUFKIT_USER_AGENT;
    this.fetcher = options.fetcher ?? new DefaultFetcher({ userAgent });
    this.log = options.log ?? (() => undefined);
    this.rootBytes = readTrustedRoot(this.cache.pathOf('root'));
    // Verifies the trusted root now; each refresh starts a new set with its own reference time.
    this.set = this.newSet(new Date());
  }

  /** The trusted metadata of the latest refresh (read it; do not hand it bytes). */
  get trustedMetadata(): TrustedMetadataSet {
    return this.set;
  }

  /**
   * Run the client workflow for the top-level roles (spec §5.1–§5.6.6): update root
   * (§5.3), timestamp (§5.4), snapshot (§5.5) and targets (§5.6), from the cache where it is
   * still valid and from the repository otherwise. Each refresh fixes a new reference time.
   * A refused update throws and leaves the cache as it was (except roots and the §5.3.11
   * deletions accepted before the failure, as the spec requires).
   * @throws {@link RepositoryError}, {@link DownloadError}, {@link StorageError}, {@link DeserializationError} subclasses
   */
  refresh(): Promise<void> {
    return this.exclusive(() => this.doRefresh());
  }

  /**
   * The description of target `targetPath` (spec §5.6.7: pre-order depth-first search of
   * the delegation graph), or undefined when no trusted role lists it. Refreshes first when
   * the top-level targets are not trusted yet.
   * @throws when metadata needed on the way cannot be fetched or verified (spec §5.6.7 note)
   */
  getTargetInfo(targetPath: string): Promise<TargetFile | undefined> {
    return this.exclusive(async () => {
      if (this.set.targets === undefined) await this.doRefresh();
      return this.preorderDepthFirstWalk(targetPath);
    });
  }

  /**
   * The local path of target `info` if a file is there whose length and hashes match
   * (default path: `targetDir/` + the target path quoted), otherwise undefined.
   */
  async findCachedTarget(info: TargetFile, filePath?: string): Promise<string | undefined> {
    const path = filePath ?? this.defaultTargetPath(info);
    try {
      const { length, hashes } = await hashFile(path, Object.keys(info.hashes));
      if (length !== info.length) return undefined;
      return Object.entries(info.hashes).every(([alg, digest]) => hashes[alg] === digest) ? path : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Download target `info` (spec §5.7): at most `info.length` bytes, from
   * `baseUrl/PATH` — `dir/HASH.name` under consistent snapshots (§5.7.3) — verifying length
   * and every hash while streaming, then move it atomically to `filePath` (default as in
   * {@link findCachedTarget}). On any failure nothing is left at `filePath`'s place but what
   * was there before.
   * @returns the path written
   * @throws {@link DownloadError} subclasses, {@link LengthOrHashMismatchError}, {@link StorageError}, {@link ValueError}
   */
  downloadTarget(info: TargetFile, filePath?: string, baseUrl?: string): Promise<string> {
    return this.exclusive(() => this.doDownloadTarget(info, filePath, baseUrl));
  }

  /**
   * Bulk pass for mirrors and auditors: trust every role that `delegatorName` delegates to
   * (or `roleNames`), e.g. all bins of a hashed-bin delegation. Cached files are checked
   * first, all in one batch; the rest are fetched (`concurrency` at a time) and verified in
   * one batch: every signature of a batch goes to one `Verifier.verifyMany` call.
   * The delegator must be trusted already (top-level `targets` after a refresh).
   */
  loadDelegatedRoles(delegatorName = 'targets', options: { roleNames?: readonly string[]; concurrency?: number } = {}): Promise<BulkLoadResult> {
    return this.exclusive(async () => {
      if (this.set.targets === undefined) await this.doRefresh();
      return this.bulkLoad(delegatorName, options.roleNames, options.concurrency ?? 8);
    });
  }

  // --------------------------------------------------------------- workflow

  private newSet(referenceTime: Date = referenceTimeOf(this.config)): TrustedMetadataSet {
    return new TrustedMetadataSet(this.rootBytes, {
      referenceTime,
      lenient: this.config.lenient,
      ...(this.config.verifier ? { verifier: this.config.verifier } : {}),
    });
  }

  private async doRefresh(): Promise<void> {
    const set = this.newSet(); // §5.1 fixed start time, §5.2 trusted root
    this.set = set;
    this.log(`refresh: trusted root version ${set.root.signed.version}, reference time ${set.referenceTime.toISOString()}`);
    await this.loadRoot(set);
    await this.loadTimestamp(set);
    await this.loadSnapshot(set);
    await this.loadTargets(set, 'targets', 'root');
    // Final expiry check of everything trusted, at the one reference time.
    set.checkFinalRoot();
    set.checkFinalSnapshot();
  }

  /** Spec §5.3. */
  private async loadRoot(set: TrustedMetadataSet): Promise<void> {
    const first = set.root.signed.version + 1;
    for (let version = first; version < first + this.config.maxRootRotations; version++) {
      let data: Uint8Array;
      try {
        data = await this.download(metadataUrl(this.metadataBaseUrl, 'root', version), this.config.rootMaxLength);
      } catch (err) {
        // §5.3.3: the next version is not available: the trusted root is the latest.
        if (err instanceof DownloadHttpError && (err.statusCode === 404 || err.statusCode === 403)) break;
        throw err;
      }
      const rotatedBefore = set.timestampSnapshotRotated;
      set.updateRoot(data); // §5.3.4–§5.3.7
      if (set.timestampSnapshotRotated && !rotatedBefore) {
        // §5.3.11, done before root N+1 is persisted so that no crash can keep them.
        this.log('root: timestamp or snapshot keys rotated; deleting cached timestamp and snapshot (spec §5.3.11)');
        await this.cache.remove('timestamp');
        await this.cache.remove('snapshot');
      }
      this.cache.write('root', data); // §5.3.8
      this.rootBytes = data;
      this.log(`root: updated to version ${set.root.signed.version}`);
    }
    set.checkFinalRoot(); // §5.3.10
  }

  /** Spec §5.4. */
  private async loadTimestamp(set: TrustedMetadataSet): Promise<void> {
    const max = this.config.timestampMaxLength;
    if (!set.timestampSnapshotRotated) {
      try {
        const cached = await this.cache.read('timestamp', max);
        if (cached !== undefined) set.updateTimestamp(cached, { cached: true });
      } catch (err) {
        this.log(`timestamp: cached copy not used: ${describeError(err)}`);
      }
    }
    const data = await this.download(metadataUrl(this.metadataBaseUrl, 'timestamp'), max);
    try {
      set.updateTimestamp(data);
    } catch (err) {
      if (!(err instanceof EqualVersionNumberError)) throw err;
      this.log(`timestamp: ${err.message}`);
      set.checkFinalTimestamp();
      return;
    }
    this.cache.write('timestamp', data); // §5.4.5
    this.log(`timestamp: updated to version ${set.timestamp?.signed.version}`);
  }

  /** Spec §5.5. */
  private async loadSnapshot(set: TrustedMetadataSet): Promise<void> {
    const timestamp = set.checkFinalTimestamp();
    const meta = timestamp.signed.snapshotMeta;
    const max = meta.length ?? this.config.snapshotMaxLength;
    if (!set.timestampSnapshotRotated) {
      try {
        const cached = await this.cache.read('snapshot', max);
        if (cached !== undefined) {
          set.updateSnapshot(cached, { cached: true });
          if (set.isSnapshotFinal()) {
            this.log(`snapshot: cached version ${meta.version} is current`);
            return;
          }
        }
      } catch (err) {
        this.log(`snapshot: cached copy not used: ${describeError(err)}`);
      }
    }
    const version = set.root.signed.consistentSnapshot ? meta.version : undefined; // §5.5.1
    const data = await this.download(metadataUrl(this.metadataBaseUrl, 'snapshot', version), max);
    set.updateSnapshot(data);
    this.cache.write('snapshot', data); // §5.5.7
    this.log(`snapshot: updated to version ${meta.version}`);
  }

  /** Spec §5.6.1–§5.6.6 for `roleName`, delegated by the trusted `delegatorName`. */
  private async loadTargets(set: TrustedMetadataSet, roleName: string, delegatorName: string): Promise<Metadata<Targets>> {
    const loaded = set.getTargetsRole(roleName);
    if (loaded !== undefined) return loaded;
    const snapshot = set.checkFinalSnapshot();
    const meta = snapshot.signed.meta.get(`${roleName}.json`);
    if (meta === undefined) throw new RepositoryError(`snapshot does not list ${roleName}.json (spec §5.6.1)`);
    const max = meta.length ?? this.config.targetsMaxLength;
    try {
      const cached = await this.cache.read(roleName, max);
      if (cached !== undefined) {
        const md = set.updateDelegatedTargets(cached, roleName, delegatorName);
        this.log(`${roleName}: cached version ${md.signed.version} is current`);
        return md;
      }
    } catch (err) {
      this.log(`${roleName}: cached copy not used: ${describeError(err)}`);
    }
    const version = set.root.signed.consistentSnapshot ? meta.version : undefined; // §5.6.1
    const data = await this.download(metadataUrl(this.metadataBaseUrl, roleName, version), max);
    const md = set.updateDelegatedTargets(data, roleName, delegatorName);
    this.cache.write(roleName, data); // §5.6.6
    this.log(`${roleName}: updated to version ${md.signed.version}`);
    return md;
  }

  /** Spec §5.6.7: pre-order depth-first search, visited set, terminating, max delegations. */
  private async preorderDepthFirstWalk(targetPath: string): Promise<TargetFile | undefined> {
    const set = this.set;
    const stack: [role: string, delegator: string][] = [['targets', 'root']];
    const visited = new Set<string>();
    while (visited.size <= this.config.maxDelegations && stack.length > 0) {
      const [roleName, delegatorName] = stack.pop() as [string, string];
      if (visited.has(roleName)) continue; // §5.6.7.1: cycles
      const targets = (await this.loadTargets(set, roleName, delegatorName)).signed;
      const target = targets.targets.get(targetPath);
      if (target !== undefined) {
        this.log(`target ${JSON.stringify(targetPath)}: found in ${roleName}`);
        return target;
      }
      visited.add(roleName);
      if (targets.delegations === undefined) continue;
      const children: [string, string][] = [];
      for (const child of targets.delegations.getRolesForTarget(targetPath)) {
        children.push([child.name, roleName]);
        if (child.terminating) {
          stack.length = 0; // §5.6.7.2.1: no backtracking past a terminating delegation
          break;
        }
      }
      stack.push(...children.reverse()); // §5.6.7.2: in order of appearance
    }
    if (stack.length > 0) this.log(`target ${JSON.stringify(targetPath)}: ${stack.length} roles left unvisited: at most ${this.config.maxDelegations} delegations`);
    this.log(`target ${JSON.stringify(targetPath)}: not found`);
    return undefined;
  }

  private async bulkLoad(delegatorName: string, roleNames: readonly string[] | undefined, concurrency: number): Promise<BulkLoadResult> {
    const set = this.set;
    const delegator = set.getTargetsRole(delegatorName);
    if (delegator === undefined) throw new ValueError(`${delegatorName} is not trusted yet: load it before the roles it delegates to`);
    const delegations = delegator.signed.delegations;
    const all = roleNames ?? (delegations === undefined ? [] : delegations.roles !== undefined ? [...delegations.roles.keys()] : [...(delegations.succinctRoles?.getRoles() ?? [])]);
    const failures = new Map<string, Error>();
    const snapshot = set.checkFinalSnapshot();
    const todo = all.filter((name) => set.getTargetsRole(name) === undefined);
    // Cached copies, one batch.
    const cachedItems: DelegatedUpdate[] = [];
    for (const name of todo) {
      const meta = snapshot.signed.meta.get(`${name}.json`);
      if (meta === undefined) continue;
      try {
        const data = await this.cache.read(name, meta.length ?? this.config.targetsMaxLength);
        if (data !== undefined) cachedItems.push({ data, roleName: name, delegatorName });
      } catch (err) {
        this.log(`${name}: cached copy not used: ${describeError(err)}`);
      }
    }
    set.updateDelegatedTargetsMany(cachedItems).forEach((r, i) => {
      if (!r.ok) this.log(`${cachedItems[i]?.roleName}: cached copy not used: ${r.error.message}`);
    });
    // The rest from the repository, `concurrency` at a time, then one batch.
    const fetchNames = todo.filter((name) => set.getTargetsRole(name) === undefined);
    const fetched: DelegatedUpdate[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < fetchNames.length) {
        const name = fetchNames[next++] as string;
        const meta = snapshot.signed.meta.get(`${name}.json`);
        if (meta === undefined) {
          failures.set(name, new RepositoryError(`snapshot does not list ${name}.json (spec §5.6.1)`));
          continue;
        }
        const version = set.root.signed.consistentSnapshot ? meta.version : undefined;
        try {
          const data = await this.download(metadataUrl(this.metadataBaseUrl, name, version), meta.length ?? this.config.targetsMaxLength);
          fetched.push({ data, roleName: name, delegatorName });
        } catch (err) {
          failures.set(name, err instanceof Error ? err : new Error(String(err)));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, fetchNames.length)) }, worker));
    const results = set.updateDelegatedTargetsMany(fetched);
    const accepted: { roleName: string; data: Uint8Array }[] = [];
    for (let i = 0; i < results.length; i++) {
      const r = results[i];
      const item = fetched[i];
      if (r === undefined || item === undefined) continue;
      if (r.ok) accepted.push(item);
      else failures.set(item.roleName, r.error);
    }
    this.cache.writeMany(accepted); // §5.6.6, one flush for the batch
    return { loaded: all.filter((name) => set.getTargetsRole(name) !== undefined), failures };
  }

  // --------------------------------------------------------------- targets

  private defaultTargetPath(info: TargetFile): string {
    if (this.targetDir === undefined) throw new ValueError('no file path given and the Updater has no targetDir');
    return join(this.targetDir, targetFileName(info.path));
  }

  private async doDownloadTarget(info: TargetFile, filePath: string | undefined, baseUrl: string | undefined): Promise<string> {
    const path = filePath ?? this.defaultTargetPath(info);
    const base = baseUrl !== undefined ? withTrailingSlash(baseUrl) : this.targetBaseUrl;
    if (base === undefined) throw new ValueError('no target base URL given and the Updater has no targetBaseUrl');
    let remotePath = info.path;
    const first = Object.values(info.hashes)[0];
    if (this.set.root.signed.consistentSnapshot && this.config.prefixTargetsWithHash && first !== undefined) {
      const slash = remotePath.lastIndexOf('/');
      remotePath = `${remotePath.slice(0, slash + 1)}${first}.${remotePath.slice(slash + 1)}`; // §5.7.3
    }
    const url = base + quoteTargetPath(remotePath);
    const hashers = Object.keys(info.hashes).map((alg) => {
      try {
        return [alg, createHasher(alg)] as const;
      } catch (err) {
        if (err instanceof UnsupportedAlgorithmError) throw new LengthOrHashMismatchError(`target ${JSON.stringify(info.path)}: cannot check hash ${JSON.stringify(alg)}: unsupported algorithm`);
        throw err;
      }
    });
    const dir = dirname(path);
    await mkdir(dir, { recursive: true }).catch((err: unknown) => {
      throw new StorageError(`cannot create ${dir}: ${describeError(err)}`, { cause: err });
    });
    const tmp = tempPathBeside(path);
    let handle: FileHandle | undefined;
    try {
      handle = await open(tmp, 'wx', 0o644);
    } catch (err) {
      throw new StorageError(`cannot write ${tmp}: ${describeError(err)}`, { cause: err });
    }
    let done = false;
    try {
      this.log(`target ${JSON.stringify(info.path)}: fetching ${url}`);
      const length = await consumeWithLimit(this.fetcher.fetch(url, { maxLength: info.length }), url, info.length, async (chunk) => {
        for (const [, h] of hashers) h.update(chunk);
        await (handle as FileHandle).write(chunk);
      });
      // §5.7.3: length and every hash.
      if (length !== info.length) throw new LengthOrHashMismatchError(`target ${JSON.stringify(info.path)}: length ${length} does not match the expected ${info.length}`);
      for (const [alg, h] of hashers) {
        const observed = h.digest('hex');
        const expected = info.hashes[alg];
        if (observed !== expected) throw new LengthOrHashMismatchError(`target ${JSON.stringify(info.path)}: ${alg} ${observed} does not match the expected ${expected}`);
      }
      await handle.sync();
      const written = handle;
      handle = undefined;
      await written.close();
      await rename(tmp, path);
      done = true;
      await syncDir(dir);
      this.log(`target ${JSON.stringify(info.path)}: stored as ${path}`);
      return path;
    } catch (err) {
      if (err instanceof DownloadError || err instanceof LengthOrHashMismatchError) throw err;
      throw new StorageError(`cannot store target ${JSON.stringify(info.path)} at ${path}: ${describeError(err)}`, { cause: err });
    } finally {
      if (handle !== undefined) await handle.close().catch(() => undefined);
      if (!done) await rm(tmp, { force: true }).catch(() => undefined);
    }
  }

  // --------------------------------------------------------------- plumbing

  private async download(url: string, maxLength: number): Promise<Uint8Array> {
    this.log(`fetch ${url} (at most ${maxLength} bytes)`);
    return downloadBytes(this.fetcher, url, maxLength);
  }

  /** Run `fn` alone, then wait until everything it cached is on disk. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const withFlush = async (): Promise<T> => {
      let result: T;
      try {
        result = await fn();
      } catch (err) {
        await this.cache.flush().catch((flushErr: unknown) => this.log(`cache: ${describeError(flushErr)}`));
        throw err;
      }
      await this.cache.flush();
      return result;
    };
    const run = this.queue.then(withFlush, withFlush);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function readTrustedRoot(path: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new StorageError(`cannot read the trusted root ${path}: ${describeError(err)}`, { cause: err });
  }
  try {
    const size = fstatSync(fd).size;
    const out = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = readSync(fd, out, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return new Uint8Array(out.buffer, out.byteOffset, off);
  } catch (err) {
    throw new StorageError(`cannot read the trusted root ${path}: ${describeError(err)}`, { cause: err });
  } finally {
    closeSync(fd);
  }
}

