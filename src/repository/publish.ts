/**
 * Publishing (spec §6 "Repository operations", §6.2 consistent snapshots): write the staged
 * repository as a directory that a plain static web server can serve (layout.ts).
 *
 * Order of work, so that a refused publish changes nothing and a client never sees a
 * half-published state:
 *
 * 1. snapshot is regenerated when any targets role changed (it lists every targets role with
 *    its version, spec §4.4), then timestamp (the snapshot's version, length and sha256, spec
 *    §4.6); both are signed with the keys tufkit.json names for them;
 * 2. checks, before anything is written: every changed role meets its threshold (a new root
 *    also the previous root's, spec §5.3.4, and its version is the previous + 1); no role is
 *    expired; no published versioned file (or hash-prefixed target) would be replaced with
 *    other content; every new target's working copy is there;
 * 3. target files: copied to temporary files beside their final names, each checked against
 *    its length and hashes, flushed to disk, then linked under `<sha256>.<name>` (and one
 *    hard link per other hash algorithm) or, without consistent snapshots, renamed to their path;
 * 4. metadata: delegated roles, targets, snapshot, root (`N.root.json`, then `root.json`), and
 *    last `timestamp.json` — each written atomically (temp file, fsync, rename or link);
 * 5. the staged snapshot and timestamp are saved.
 *
 * Published versioned files are never replaced; old versions stay (clients in the middle of an
 * update may still fetch them). tufkit does not prune them.
 */
import { randomBytes } from 'node:crypto';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  ExpiredMetadataError,
  LengthOrHashMismatchError,
  PublishConflictError,
  StorageError,
  UnsignedMetadataError,
  describeError,
} from '../errors.js';
import { MetaFile, type TargetFile } from '../metadata/files.js';
import { hashBytes } from '../metadata/hashes.js';
import { hashLocalFile } from './hash-files.js';
import type { Metadata } from '../metadata/metadata.js';
import type { Snapshot } from '../metadata/snapshot.js';
import type { Timestamp } from '../metadata/timestamp.js';
import { flushFiles, syncDirectories, writeFilesAtomic } from '../util/atomic-batch.js';
import { mapLimit } from '../util/pool.js';
import { noProgress, type ProgressFactory } from '../util/progress.js';
import { PublishedLayout } from './layout.js';
import type { Repository } from './repository.js';
import type { KeyRing } from './signers.js';

/** Options of {@link publish}. */
export interface PublishOptions {
  /** Signers for snapshot and timestamp (the online roles), re-signed here. */
  readonly keyring: KeyRing;
  /** New snapshot and timestamp versions (fresh expiry) even when nothing else changed. */
  readonly refresh?: boolean;
  /** Files copied at a time (default 16). */
  readonly concurrency?: number;
  readonly progress?: ProgressFactory;
}

/** What {@link publish} wrote. */
export interface PublishReport {
  /** The published repository's directory. */
  readonly dir: string;
  /** Metadata files written, relative to `metadata/`, in the order written. */
  readonly metadata: string[];
  /** Target files written (each hash-prefixed name counts once). */
  readonly targetFiles: number;
  /** Roles published in new versions, with those versions. */
  readonly roles: { role: string; version: number }[];
}

interface PlannedFile {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** Versioned names are immutable once published; others are replaced. */
  readonly immutable: boolean;
  /** Delegated roles are written together, in one batch; the others one by one, in order. */
  readonly group?: 'delegated';
}

interface PlannedTarget {
  readonly file: TargetFile;
  readonly source: string;
  /** Final paths (relative to targets/); the first is copied, the others linked. */
  readonly names: string[];
}

const HOUR_MS = 3_600_000;

/**
 * Publish `repo` (see the module documentation).
 * @throws {@link UnsignedMetadataError} (a threshold not met), {@link ExpiredMetadataError},
 *   {@link PublishConflictError}, {@link LengthOrHashMismatchError} (a working copy changed
 *   after it was added), {@link StorageError}, {@link SignerError}. When it throws before
 *   writing (every check failure does), nothing on disk changed; reopen the repository
 *   before trying again (the in-memory snapshot and timestamp may have changed).
 */
export async function publish(repo: Repository, options: PublishOptions): Promise<PublishReport> {
  const progress = options.progress ?? noProgress;
  const now = repo.now();
  const out = repo.published;
  const root = await repo.root();
  const consistent = root.signed.consistentSnapshot === true;

  // 1. snapshot and timestamp
  const names = await repo.roleNames();
  const targetsRoles = names.filter((n) => n !== 'root' && n !== 'snapshot' && n !== 'timestamp');
  const reading = progress('reading roles', names.length);
  for (const name of names) {
    await repo.isUnpublished(name);
    reading.tick();
  }
  reading.done();
  await updateSnapshot(repo, targetsRoles, options.refresh === true);
  await repo.sign(['snapshot'], options.keyring);
  await updateTimestamp(repo, options.refresh === true);
  await repo.sign(['timestamp'], options.keyring);

  // 2. checks
  const unpublished: string[] = [];
  for (const name of names) if (await repo.isUnpublished(name)) unpublished.push(name);
  const problems: string[] = [];
  const states = await repo.signatureStates(unpublished);
  for (const state of states) {
    if (!state.verified) {
      const missing = state.missingKeyids.map((k) => k.slice(0, 8) + '…').join(', ');
      problems.push(`${state.role} v${state.version}: threshold not met` + (missing ? ` (unsigned: ${missing})` : ''));
    }
  }
  if (unpublished.includes('root')) {
    const last = await repo.lastPublishedRoot();
    const expected = last === undefined ? 1 : last.signed.version + 1;
    if (root.signed.version !== expected) problems.push(`root v${root.signed.version}: the next root must be version ${expected}`);
  }
  const expired: string[] = [];
  for (const name of names) {
    const md = await repo.role(name);
    if (md.signed.isExpired(now)) expired.push(`${name} v${md.signed.version} expired ${md.signed.expiresString}`);
  }
  if (problems.length) {
    throw new UnsignedMetadataError(`refusing to publish: ${summarise(problems)}` + (expired.length ? `; also ${summarise(expired)}` : ''));
  }
  if (expired.length) throw new ExpiredMetadataError(`refusing to publish: ${summarise(expired)} (change or re-sign the role first)`);

  // Plan the metadata files.
  const files: PlannedFile[] = [];
  const order = [...unpublished.filter((n) => n !== 'root' && n !== 'timestamp' && n !== 'snapshot' && n !== 'targets').reverse()];
  for (const n of ['targets', 'snapshot']) if (unpublished.includes(n)) order.push(n);
  for (const name of order) {
    const md = await repo.role(name);
    const delegated = name !== 'targets' && name !== 'snapshot';
    files.push({ path: out.metadataPath(name, consistent ? md.signed.version : undefined), bytes: md.toBytes(), immutable: consistent, ...(delegated ? { group: 'delegated' as const } : {}) });
  }
  if (unpublished.includes('root')) {
    files.push({ path: out.metadataPath('root', root.signed.version), bytes: root.toBytes(), immutable: true });
  }
  const rootCopy = out.metadataPath('root');
  const latestRootBytes = (await repo.lastPublishedRoot())?.toBytes();
  if (unpublished.includes('root') || latestRootBytes === undefined) files.push({ path: rootCopy, bytes: root.toBytes(), immutable: false });
  if (unpublished.includes('timestamp')) {
    files.push({ path: out.metadataPath('timestamp'), bytes: (await repo.timestamp()).toBytes(), immutable: false });
  }
  for (const f of files) {
    if (f.path === rootCopy) continue;
    const existing = await readFile(f.path).catch(() => undefined);
    if (existing === undefined || Buffer.from(f.bytes).equals(existing)) continue;
    if (f.immutable || versionOf(existing) === versionOf(f.bytes)) {
      throw new PublishConflictError(
        `refusing to publish: version ${versionOf(f.bytes) ?? '?'} of ${basename(f.path)} is already published with other content ` +
          `(published versions are never replaced; was it published from another working copy?)`,
      );
    }
  }

  // Plan the target files.
  const planned = await planTargets(repo, out, unpublished.filter((n) => targetsRoles.includes(n)), consistent, options.concurrency ?? 16);

  // 3. target files (directories this publish creates go again if it fails here)
  const created = [await mkdir(out.metadataDir, { recursive: true }), await mkdir(out.targetsDir, { recursive: true })];
  let targetFiles: number;
  try {
    targetFiles = await writeTargets(out, planned, consistent, options.concurrency ?? 16, progress, created);
  } catch (err) {
    for (const dir of created.reverse()) if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    throw err;
  }

  // 4. metadata: delegated roles (one batch), then targets, snapshot, root, root.json, timestamp.json last
  const written: string[] = [];
  const delegatedCount = files.length - files.filter((f) => f.group !== 'delegated').length;
  const groups: PlannedFile[][] = [files.slice(0, delegatedCount), ...files.slice(delegatedCount).map((f) => [f])];
  for (const group of groups) {
    if (group.length === 0) continue;
    const skipped = new Set(await writeFilesAtomic(group.map((f) => ({ path: f.path, data: f.bytes, noClobber: f.immutable }))));
    for (const f of group) if (!skipped.has(f.path)) written.push(basename(f.path));
  }
  // 5. staged state
  await repo.save();
  repo.notePublished(unpublished);
  const roles: { role: string; version: number }[] = [];
  for (const name of unpublished) roles.push({ role: name, version: (await repo.role(name)).signed.version });
  return { dir: out.dir, metadata: written, targetFiles, roles };
}

function versionOf(bytes: Uint8Array): number | undefined {
  try {
    const v = (JSON.parse(Buffer.from(bytes).toString('utf8')) as { signed?: { version?: unknown } }).signed?.version;
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

function summarise(items: string[]): string {
  return items.length <= 5 ? items.join('; ') : `${items.slice(0, 5).join('; ')}; and ${items.length - 5} more`;
}

function sameMeta(a: ReadonlyMap<string, MetaFile>, b: ReadonlyMap<string, MetaFile>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, m] of a) {
    const o = b.get(name);
    if (o === undefined || JSON.stringify(o.toDict()) !== JSON.stringify(m.toDict())) return false;
  }
  return true;
}

function needsRefresh(expires: Date, now: Date): boolean {
  return expires.getTime() - now.getTime() < HOUR_MS;
}

async function updateSnapshot(repo: Repository, targetsRoles: string[], refresh: boolean): Promise<void> {
  const snapshot = await repo.snapshot();
  const meta = new Map<string, MetaFile>();
  for (const name of targetsRoles) {
    const md = await repo.role(name);
    meta.set(`${name}.json`, repo.config.snapshotMetaHashes ? MetaFile.fromData(md.signed.version, md.toBytes()) : new MetaFile(md.signed.version));
  }
  const unchanged = sameMeta(meta, snapshot.signed.meta);
  if (unchanged && !refresh && !needsRefresh(snapshot.signed.expires, repo.now())) return;
  await repo.edit<Snapshot>('snapshot', (signed) => {
    signed.meta = meta;
  });
}

async function updateTimestamp(repo: Repository, refresh: boolean): Promise<void> {
  const snapshot: Metadata<Snapshot> = await repo.snapshot();
  const timestamp: Metadata<Timestamp> = await repo.timestamp();
  const bytes = snapshot.toBytes();
  const wanted = new MetaFile(snapshot.signed.version, bytes.length, hashBytes(bytes, ['sha256']));
  const current = timestamp.signed.snapshotMeta;
  const unchanged = JSON.stringify(current.toDict()) === JSON.stringify(wanted.toDict());
  if (unchanged && !refresh && !needsRefresh(timestamp.signed.expires, repo.now())) return;
  await repo.edit<Timestamp>('timestamp', (signed) => {
    signed.snapshotMeta = wanted;
  });
}

async function planTargets(repo: Repository, out: PublishedLayout, roles: string[], consistent: boolean, concurrency: number): Promise<PlannedTarget[]> {
  const files: TargetFile[] = [];
  for (const role of roles) files.push(...(await repo.targets(role)).signed.targets.values());
  // What is published already: one readdir per target directory instead of a stat per file.
  const listings = new Map<string, Promise<Set<string>>>();
  const listing = (dir: string): Promise<Set<string>> => {
    let p = listings.get(dir);
    if (p === undefined) listings.set(dir, (p = readdir(dir).then((names) => new Set(names), () => new Set<string>())));
    return p;
  };
  const planned = await mapLimit(files, concurrency, async (file): Promise<PlannedTarget | undefined> => {
    const names = consistent ? file.getPrefixedPaths() : [file.path];
    const todo: string[] = [];
    for (const name of names) {
      const path = out.targetFilePath(name);
      if (!(await listing(dirname(path))).has(basename(path))) {
        todo.push(name);
        continue;
      }
      const st = await stat(path);
      if (consistent && st.size !== file.length) {
        throw new PublishConflictError(`refusing to publish: ${path} is already published with another length (${st.size}, not ${file.length})`);
      }
      if (!consistent && !(st.size === file.length && (await sameHashes(path, file)))) {
        todo.push(name); // an unversioned target path whose content changed: replaced
      }
    }
    // A missing working copy shows up when it is copied (before anything is published).
    return todo.length === 0 ? undefined : { file, source: repo.layout.targetPath(file.path), names: todo };
  });
  return planned.filter((p): p is PlannedTarget => p !== undefined);
}

async function sameHashes(path: string, file: TargetFile): Promise<boolean> {
  const { hashes } = await hashLocalFile(path, Object.keys(file.hashes));
  return Object.entries(file.hashes).every(([a, h]) => hashes[a] === h);
}

async function writeTargets(
  out: PublishedLayout,
  planned: PlannedTarget[],
  consistent: boolean,
  concurrency: number,
  progress: ProgressFactory,
  created: (string | undefined)[],
): Promise<number> {
  if (planned.length === 0) return 0;
  const temps: string[] = [];
  const made = new Map<string, Promise<string | undefined>>();
  const mkdirOnce = (d: string) => {
    let p = made.get(d);
    if (p === undefined) made.set(d, (p = mkdir(d, { recursive: true })));
    return p;
  };
  const bar = progress('copying targets', planned.length);
  let staged: { target: PlannedTarget; temp: string }[];
  try {
    staged = await mapLimit(planned, concurrency, async (target) => {
      const first = out.targetFilePath(target.names[0] as string);
      created.push(await mkdirOnce(dirname(first)));
      const temp = join(dirname(first), `.${basename(first)}.${randomBytes(6).toString('hex')}.tmp`);
      temps.push(temp);
      try {
        await copyFile(target.source, temp);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          throw new StorageError(`refusing to publish: the content of target ${JSON.stringify(target.file.path)} is missing (${target.source})`, { cause: err });
        }
        throw new StorageError(`target ${JSON.stringify(target.file.path)}: cannot copy ${target.source}: ${describeError(err)}`, { cause: err });
      }
      const { length, hashes } = await hashLocalFile(temp, Object.keys(target.file.hashes));
      if (length !== target.file.length || Object.entries(target.file.hashes).some(([a, h]) => hashes[a] !== h)) {
        throw new LengthOrHashMismatchError(
          `refusing to publish: ${target.source} changed after it was added as target ${JSON.stringify(target.file.path)} ` +
            `(length ${length}, metadata says ${target.file.length}); add it again with 'tufkit targets add'`,
        );
      }
      bar.tick();
      return { target, temp };
    });
  } catch (err) {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
    throw err;
  } finally {
    bar.done();
  }
  await flushFiles(out.targetsDir, temps);
  let count = 0;
  try {
    await mapLimit(staged, concurrency, async ({ target, temp }) => {
      for (const name of target.names) {
        const final = out.targetFilePath(name);
        await mkdirOnce(dirname(final));
        if (!consistent) {
          await rename(temp, final); // an unversioned target path: replaced atomically
        } else {
          await link(temp, final).catch((err: NodeJS.ErrnoException) => {
            if (err.code !== 'EEXIST') throw err;
          });
        }
        count++;
      }
    });
    await syncDirectories(staged.flatMap(({ target }) => target.names.map((n) => dirname(out.targetFilePath(n)))));
  } finally {
    await Promise.all(temps.map((t) => rm(t, { force: true })));
  }
  return count;
}
