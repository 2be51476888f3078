/**
 * Verify a published repository — a directory or an http(s) URL — the way a client would
 * (spec §5), but every role and (optionally) every target, with a report instead of a stop at
 * the first problem:
 *
 * The trust decisions are the client's own (src/client's TrustedMetadataSet), so `tufkit
 * verify` accepts exactly what tufkit's client accepts:
 *
 * 1. trust a root: the one given, or the repository's own `1.root.json` (trust on first use,
 *    said so in the report); it must be signed by a threshold of its own root keys;
 * 2. walk `N.root.json` for N = 2, 3, … (spec §5.3.3–§5.3.5): each signed by a threshold of the
 *    previous root's keys and of its own, with version exactly N; the last must not be expired
 *    (§5.3.10);
 * 3. timestamp (§5.4): signed, not expired;
 * 4. snapshot (§5.5): length and hashes as the timestamp says, signed, version as the timestamp
 *    says, not expired;
 * 5. every targets role reachable from `targets` through delegations (§5.6; hashed bins too),
 *    each listed in snapshot, fetched as `VERSION.ROLE.json` when consistent snapshots are on,
 *    with the length, hashes and version snapshot gives, signed by a threshold of its
 *    delegator's keys (all roles of one level in one verifier batch), not expired;
 * 6. with `checkTargets`, every target file (`dir/HASH.name` per hash when consistent,
 *    §5.7.3): its length and every hash.
 *
 * Signatures go through the default {@link Verifier} (the WASM batch engine when installed).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DownloadHttpError, StorageError, describeError } from '../errors.js';
import type { Delegations } from '../metadata/delegations.js';
import type { TargetFile } from '../metadata/files.js';
import { verifyLengthAndHashes } from '../metadata/hashes.js';
import type { Metadata } from '../metadata/metadata.js';
import type { Snapshot } from '../metadata/snapshot.js';
import type { Timestamp } from '../metadata/timestamp.js';
import { TrustedMetadataSet, type DelegatedUpdate, type DelegatedUpdateResult } from '../client/trusted-metadata-set.js';
import { mapLimit } from '../util/pool.js';
import { noProgress, type ProgressFactory } from '../util/progress.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { roleFileName } from './role-files.js';

/** Where a published repository's files come from. */
export interface PublishedSource {
  /** A human name (the directory or URL). */
  readonly location: string;
  /** `metadata/NAME`, or undefined when it does not exist. */
  metadata(name: string): Promise<Uint8Array | undefined>;
  /** `targets/PATH`, or undefined when it does not exist. */
  target(path: string): Promise<Uint8Array | undefined>;
}

/** A published repository in a directory. */
export class DirectorySource implements PublishedSource {
  /** @param dir the published repository's directory */
  constructor(readonly dir: string) {}
  /** The directory. */
  get location(): string {
    return this.dir;
  }
  /** Read `metadata/NAME`. */
  metadata(name: string): Promise<Uint8Array | undefined> {
    return readOrUndefined(join(this.dir, 'metadata', name));
  }
  /** Read `targets/PATH`. */
  target(path: string): Promise<Uint8Array | undefined> {
    return readOrUndefined(join(this.dir, 'targets', ...path.split('/')));
  }
}

async function readOrUndefined(path: string): Promise<Uint8Array | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
}

/** A published repository served over http(s): `BASE/metadata/…` and `BASE/targets/…`. */
export class HttpSource implements PublishedSource {
  private readonly base: string;
  /** @param baseUrl the repository's base URL (with or without a trailing `/`) */
  constructor(baseUrl: string) {
    this.base = baseUrl.endsWith('/') ? baseUrl : baseUrl + '/';
  }
  /** The base URL. */
  get location(): string {
    return this.base;
  }
  /** GET `metadata/NAME`. */
  metadata(name: string): Promise<Uint8Array | undefined> {
    return this.get(`metadata/${name}`);
  }
  /** GET `targets/PATH` (each segment percent-encoded). */
  target(path: string): Promise<Uint8Array | undefined> {
    return this.get(`targets/${path.split('/').map(encodeURIComponent).join('/')}`);
  }
  private async get(rel: string): Promise<Uint8Array | undefined> {
    const url = new URL(rel, this.base).toString();
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(60_000), redirect: 'error' });
    } catch (err) {
      throw new DownloadHttpError(`GET ${url} failed: ${describeError(err)}`, 0, { cause: err });
    }
    if (response.status === 404) return undefined;
    if (!response.ok) throw new DownloadHttpError(`GET ${url}: HTTP ${response.status}`, response.status);
    return new Uint8Array(await response.arrayBuffer());
  }
}

/** One role in the report. */
export interface VerifiedRole {
  readonly role: string;
  readonly version?: number;
  readonly ok: boolean;
  readonly problem?: string;
}

/** The report of {@link verifyPublished}. */
export interface PublishedReport {
  readonly location: string;
  /** Where trust started: `given` root or the repository's own `1.root.json` (trust on first use). */
  readonly trustAnchor: 'given' | 'repository 1.root.json';
  /** The root version the chain reached. */
  readonly rootVersion?: number;
  readonly consistentSnapshot?: boolean;
  readonly roles: VerifiedRole[];
  /** Target files checked and failures (when `checkTargets`). */
  readonly targets?: { readonly checked: number; readonly failed: { path: string; problem: string }[] };
  /** Every problem found, one line each. */
  readonly problems: string[];
  /** True when nothing is wrong. */
  readonly ok: boolean;
}

/** Options of {@link verifyPublished}. */
export interface VerifyPublishedOptions {
  /** The trusted root's bytes (default: the repository's `1.root.json`, trust on first use). */
  readonly trustedRoot?: Uint8Array;
  /** Reference time (default now). */
  readonly now?: Date;
  /** Also check every target file. */
  readonly checkTargets?: boolean;
  readonly verifier?: Verifier;
  /**
   * Read metadata with the opt-in lenient parse (legacy `expires` forms, hex SEC1 ECDSA keys:
   * see `ReadOptions.lenient`), for auditing repositories written by older tools.
   */
  readonly lenient?: boolean;
  readonly progress?: ProgressFactory;
  /** Files fetched at a time (default 8). */
  readonly concurrency?: number;
}

class Problems {
  readonly list: string[] = [];
  readonly roles: VerifiedRole[] = [];
  fail(role: string, problem: string, version?: number): void {
    this.list.push(`${role}${version !== undefined ? ` v${version}` : ''}: ${problem}`);
    this.roles.push({ role, ok: false, problem, ...(version !== undefined ? { version } : {}) });
  }
  pass(role: string, version: number): void {
    this.roles.push({ role, version, ok: true });
  }
}

/** Verify the published repository at `source` (see the module documentation). Never throws for repository problems: they are in the report. */
export async function verifyPublished(source: PublishedSource, options: VerifyPublishedOptions = {}): Promise<PublishedReport> {
  const now = options.now ?? new Date();
  const verifier = options.verifier ?? getDefaultVerifier();
  const progress = options.progress ?? noProgress;
  const p = new Problems();
  const trustAnchor = options.trustedRoot !== undefined ? 'given' : 'repository 1.root.json';
  let set: TrustedMetadataSet | undefined;
  const done = (extra: Partial<PublishedReport> = {}): PublishedReport => ({
    location: source.location,
    trustAnchor,
    roles: p.roles,
    problems: p.list,
    ok: p.list.length === 0,
    ...(set !== undefined ? { rootVersion: set.root.signed.version, consistentSnapshot: set.root.signed.consistentSnapshot === true } : {}),
    ...extra,
  });

  // 1–2. root chain (spec §5.2, §5.3), by the client's trusted-set rules
  const anchorBytes = options.trustedRoot ?? (await source.metadata('1.root.json'));
  if (anchorBytes === undefined) {
    p.fail('root', `no trusted root given and ${source.location} has no metadata/1.root.json`);
    return done();
  }
  try {
    set = new TrustedMetadataSet(anchorBytes, { referenceTime: now, verifier, lenient: options.lenient === true });
  } catch (err) {
    p.fail('root', `the trusted root: ${describeError(err)}`);
    return done();
  }
  for (let n = set.root.signed.version + 1; ; n++) {
    const bytes = await source.metadata(`${n}.root.json`);
    if (bytes === undefined) break;
    try {
      set.updateRoot(bytes);
    } catch (err) {
      p.fail('root', describeError(err), n);
      return done();
    }
  }
  const root = set.root;
  const consistent = root.signed.consistentSnapshot === true;
  try {
    set.checkFinalRoot();
    p.pass('root', root.signed.version);
  } catch (err) {
    p.fail('root', describeError(err), root.signed.version);
    return done();
  }

  // 3. timestamp (§5.4)
  const tsBytes = await source.metadata('timestamp.json');
  if (tsBytes === undefined) {
    p.fail('timestamp', 'metadata/timestamp.json is missing');
    return done();
  }
  try {
    const ts = set.updateTimestamp(tsBytes);
    p.pass('timestamp', ts.signed.version);
  } catch (err) {
    p.fail('timestamp', describeError(err));
    return done();
  }

  // 4. snapshot (§5.5)
  const snapVersion = (set.timestamp as Metadata<Timestamp>).signed.snapshotMeta.version;
  const snapName = consistent ? roleFileName('snapshot', snapVersion) : roleFileName('snapshot');
  const snapBytes = await source.metadata(snapName);
  if (snapBytes === undefined) {
    p.fail('snapshot', `metadata/${snapName} is missing`, snapVersion);
    return done();
  }
  let snapshot: Metadata<Snapshot>;
  try {
    snapshot = set.updateSnapshot(snapBytes);
    p.pass('snapshot', snapshot.signed.version);
  } catch (err) {
    p.fail('snapshot', describeError(err), snapVersion);
    return done();
  }

  // 5. every targets role (§5.6), level by level, each level in one signature batch
  const allTargets: TargetFile[] = [];
  let level: { roleName: string; delegatorName: string }[] = [{ roleName: 'targets', delegatorName: 'root' }];
  const visited = new Set<string>();
  const bar = progress('verifying roles', snapshot.signed.meta.size);
  while (level.length) {
    const fetched = await mapLimit(level, options.concurrency ?? 8, async (item) => {
      const meta = snapshot.signed.meta.get(`${item.roleName}.json`);
      const file = consistent && meta !== undefined ? roleFileName(item.roleName, meta.version) : roleFileName(item.roleName);
      const data = meta === undefined ? undefined : await source.metadata(file);
      bar.tick();
      return { ...item, meta, file, data };
    });
    const ready: DelegatedUpdate[] = [];
    for (const f of fetched) {
      visited.add(f.roleName);
      if (f.meta === undefined) p.fail(f.roleName, 'not listed in snapshot (spec §5.6.1)');
      else if (f.data === undefined) p.fail(f.roleName, `metadata/${f.file} is missing`, f.meta.version);
      else ready.push({ data: f.data, roleName: f.roleName, delegatorName: f.delegatorName });
    }
    const results = ready.length === 1 && ready[0]?.roleName === 'targets' ? [tryTargets(set, ready[0].data)] : set.updateDelegatedTargetsMany(ready);
    const next: { roleName: string; delegatorName: string }[] = [];
    results.forEach((r, i) => {
      const item = ready[i] as DelegatedUpdate;
      if (!r.ok) {
        p.fail(item.roleName, describeError(r.error), snapshot.signed.meta.get(`${item.roleName}.json`)?.version);
        return;
      }
      p.pass(item.roleName, r.metadata.signed.version);
      allTargets.push(...r.metadata.signed.targets.values());
      for (const child of childrenOf(r.metadata.signed.delegations)) if (!visited.has(child)) next.push({ roleName: child, delegatorName: item.roleName });
    });
    level = next;
  }
  bar.done();

  // 6. targets (§5.7.3)
  let targets: PublishedReport['targets'];
  if (options.checkTargets) {
    const failed: { path: string; problem: string }[] = [];
    const tbar = progress('verifying targets', allTargets.length);
    await mapLimit(allTargets, options.concurrency ?? 8, async (file) => {
      const names = consistent ? file.getPrefixedPaths() : [file.path];
      for (const name of names) {
        const bytes = await source.target(name);
        if (bytes === undefined) {
          failed.push({ path: file.path, problem: `targets/${name} is missing` });
          continue;
        }
        try {
          verifyLengthAndHashes(bytes, file.length, file.hashes, `targets/${name}`);
        } catch (err) {
          failed.push({ path: file.path, problem: describeError(err) });
        }
      }
      tbar.tick();
    });
    tbar.done();
    for (const f of failed) p.list.push(`target ${JSON.stringify(f.path)}: ${f.problem}`);
    targets = { checked: allTargets.length, failed };
  }
  return done(targets ? { targets } : {});
}

function tryTargets(set: TrustedMetadataSet, data: Uint8Array): DelegatedUpdateResult {
  try {
    return { ok: true, metadata: set.updateTargets(data) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
  }
}

function childrenOf(d: Delegations | undefined): string[] {
  if (d === undefined) return [];
  if (d.succinctRoles !== undefined) return [...d.succinctRoles.getRoles()];
  return [...(d.roles?.keys() ?? [])];
}
