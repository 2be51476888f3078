/**
 * Verify a published repository — a directory or an http(s) URL — the way a client would
 * (spec §5), but every role and (optionally) every target, with a report instead of a stop at
 * the first problem:
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
import type { MetaFile, TargetFile } from '../metadata/files.js';
import { verifyLengthAndHashes } from '../metadata/hashes.js';
import { Metadata } from '../metadata/metadata.js';
import type { Root } from '../metadata/root.js';
import type { Snapshot } from '../metadata/snapshot.js';
import type { Targets } from '../metadata/targets.js';
import type { Timestamp } from '../metadata/timestamp.js';
import { mapLimit } from '../util/pool.js';
import { noProgress, type ProgressFactory } from '../util/progress.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { verifyRolesBatch, type RoleCheck } from './batch-verify.js';
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

function parse<K extends 'root' | 'timestamp' | 'snapshot' | 'targets'>(bytes: Uint8Array, type: K, name: string) {
  try {
    return Metadata.fromBytes(bytes, { type });
  } catch (err) {
    throw new Error(`${name} does not parse: ${describeError(err)}`);
  }
}

/** Verify the published repository at `source` (see the module documentation). Never throws for repository problems: they are in the report. */
export async function verifyPublished(source: PublishedSource, options: VerifyPublishedOptions = {}): Promise<PublishedReport> {
  const now = options.now ?? new Date();
  const verifier = options.verifier ?? getDefaultVerifier();
  const progress = options.progress ?? noProgress;
  const p = new Problems();
  const trustAnchor = options.trustedRoot !== undefined ? 'given' : 'repository 1.root.json';
  const done = (extra: Partial<PublishedReport> = {}): PublishedReport => ({
    location: source.location,
    trustAnchor,
    roles: p.roles,
    problems: p.list,
    ok: p.list.length === 0,
    ...extra,
  });

  // 1–2. root chain
  const anchorBytes = options.trustedRoot ?? (await source.metadata('1.root.json'));
  if (anchorBytes === undefined) {
    p.fail('root', `no trusted root given and ${source.location} has no metadata/1.root.json`);
    return done();
  }
  let root: Metadata<Root>;
  try {
    root = parse(anchorBytes, 'root', 'the trusted root');
  } catch (err) {
    p.fail('root', describeError(err));
    return done();
  }
  const self = root.signed.getRootVerificationResult(undefined, root.signedBytes(), root.signatures, verifier);
  if (!self.verified) {
    p.fail('root', `the trusted root is not signed by a threshold of its own keys (${self.second.signedCount}/${self.second.threshold})`, root.signed.version);
    return done();
  }
  for (let n = root.signed.version + 1; ; n++) {
    const bytes = await source.metadata(`${n}.root.json`);
    if (bytes === undefined) break;
    let next: Metadata<Root>;
    try {
      next = parse(bytes, 'root', `${n}.root.json`);
    } catch (err) {
      p.fail('root', describeError(err), n);
      return done();
    }
    const r = next.signed.getRootVerificationResult(root.signed, next.signedBytes(), next.signatures, verifier);
    if (!r.verified) {
      p.fail('root', `not signed by a threshold of the previous root's keys (${r.first.signedCount}/${r.first.threshold}) and its own (${r.second.signedCount}/${r.second.threshold}) (spec §5.3.4)`, n);
      return done({ rootVersion: root.signed.version });
    }
    if (next.signed.version !== n) {
      p.fail('root', `${n}.root.json holds version ${next.signed.version} (spec §5.3.5)`, n);
      return done({ rootVersion: root.signed.version });
    }
    root = next;
  }
  const consistent = root.signed.consistentSnapshot === true;
  if (root.signed.isExpired(now)) p.fail('root', `expired ${root.signed.expiresString} (spec §5.3.10)`, root.signed.version);
  else p.pass('root', root.signed.version);

  // 3. timestamp
  const tsBytes = await source.metadata('timestamp.json');
  if (tsBytes === undefined) {
    p.fail('timestamp', 'metadata/timestamp.json is missing');
    return done({ rootVersion: root.signed.version, consistentSnapshot: consistent });
  }
  let timestamp: Metadata<Timestamp>;
  try {
    timestamp = parse(tsBytes, 'timestamp', 'timestamp.json');
  } catch (err) {
    p.fail('timestamp', describeError(err));
    return done({ rootVersion: root.signed.version, consistentSnapshot: consistent });
  }
  checkSigned(p, 'timestamp', timestamp, root.signed.getVerificationResult('timestamp', timestamp.signedBytes(), timestamp.signatures, verifier), now);

  // 4. snapshot
  const snapMeta = timestamp.signed.snapshotMeta;
  const snapName = consistent ? roleFileName('snapshot', snapMeta.version) : roleFileName('snapshot');
  const snapBytes = await source.metadata(snapName);
  if (snapBytes === undefined) {
    p.fail('snapshot', `metadata/${snapName} is missing`, snapMeta.version);
    return done({ rootVersion: root.signed.version, consistentSnapshot: consistent });
  }
  let snapshot: Metadata<Snapshot>;
  try {
    snapMeta.verifyLengthAndHashes(snapBytes, snapName);
    snapshot = parse(snapBytes, 'snapshot', snapName);
  } catch (err) {
    p.fail('snapshot', describeError(err), snapMeta.version);
    return done({ rootVersion: root.signed.version, consistentSnapshot: consistent });
  }
  if (snapshot.signed.version !== snapMeta.version) {
    p.fail('snapshot', `version ${snapshot.signed.version}, but timestamp says ${snapMeta.version} (spec §5.5.5)`, snapshot.signed.version);
  } else {
    checkSigned(p, 'snapshot', snapshot, root.signed.getVerificationResult('snapshot', snapshot.signedBytes(), snapshot.signatures, verifier), now);
  }

  // 5. targets roles, level by level
  const allTargets: TargetFile[] = [];
  let level: { name: string; delegator: Root | Targets }[] = [{ name: 'targets', delegator: root.signed }];
  const visited = new Set<string>();
  const bar = progress('verifying roles', snapshot.signed.meta.size);
  while (level.length) {
    const fetched = await mapLimit(level, options.concurrency ?? 8, async ({ name, delegator }) => {
      const meta: MetaFile | undefined = snapshot.signed.meta.get(`${name}.json`);
      if (meta === undefined) return { name, delegator, problem: `not listed in snapshot (spec §5.6.1)` };
      const file = consistent ? roleFileName(name, meta.version) : roleFileName(name);
      const bytes = await source.metadata(file);
      bar.tick();
      if (bytes === undefined) return { name, delegator, problem: `metadata/${file} is missing`, version: meta.version };
      try {
        meta.verifyLengthAndHashes(bytes, file);
        const md = parse(bytes, 'targets', file);
        if (md.signed.version !== meta.version) return { name, delegator, problem: `version ${md.signed.version}, but snapshot says ${meta.version} (spec §5.6.4)`, version: md.signed.version };
        return { name, delegator, md };
      } catch (err) {
        return { name, delegator, problem: describeError(err), version: meta.version };
      }
    });
    const good = fetched.filter((f): f is typeof f & { md: Metadata<Targets> } => 'md' in f && f.md !== undefined);
    for (const f of fetched) if (!('md' in f) || f.md === undefined) p.fail(f.name, (f as { problem: string }).problem, (f as { version?: number }).version);
    const checks: RoleCheck[] = good.map(({ name, delegator, md }) => ({
      role: delegator.getDelegatedRole(name),
      keyFor: (id: string) => delegator.findKey(id),
      payload: md.signedBytes(),
      signatures: md.signatures,
    }));
    const results = verifyRolesBatch(checks, verifier);
    const nextLevel: { name: string; delegator: Root | Targets }[] = [];
    good.forEach(({ name, md }, i) => {
      visited.add(name);
      const ok = checkSigned(p, name, md, results[i] as ReturnType<typeof verifyRolesBatch>[number], now);
      if (!ok) return;
      allTargets.push(...md.signed.targets.values());
      for (const child of childrenOf(md.signed.delegations)) {
        if (!visited.has(child)) nextLevel.push({ name: child, delegator: md.signed });
      }
    });
    level = nextLevel;
  }
  bar.done();

  // 6. targets
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
  return done({ rootVersion: root.signed.version, consistentSnapshot: consistent, ...(targets ? { targets } : {}) });
}

function childrenOf(d: Delegations | undefined): string[] {
  if (d === undefined) return [];
  if (d.succinctRoles !== undefined) return [...d.succinctRoles.getRoles()];
  return [...(d.roles?.keys() ?? [])];
}

function checkSigned(p: Problems, role: string, md: Metadata, result: { verified: boolean; signedCount: number; threshold: number }, now: Date): boolean {
  const v = md.signed.version;
  if (!result.verified) {
    p.fail(role, `signed by ${result.signedCount} of the ${result.threshold} keys required`, v);
    return false;
  }
  if (md.signed.isExpired(now)) {
    p.fail(role, `expired ${md.signed.expiresString}`, v);
    return false;
  }
  p.pass(role, v);
  return true;
}
