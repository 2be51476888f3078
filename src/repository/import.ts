/**
 * Open an existing published repository — written by tufkit, python-tuf, go-tuf, tuf-js… —
 * for editing: its current metadata becomes the staged metadata of a new working directory
 * (exact bytes: signatures stay valid), its target files the working copies, and its keys are
 * matched with the private keys given. Publishing then adds new versions on top of the
 * existing ones, in a copy of the published directory or in place.
 */
import { cpSync, existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { StorageError, UsageError, describeError } from '../errors.js';
import type { Delegations } from '../metadata/delegations.js';
import { verifyLengthAndHashes } from '../metadata/hashes.js';
import type { Key } from '../metadata/key.js';
import { Metadata } from '../metadata/metadata.js';
import type { Root } from '../metadata/root.js';
import type { Snapshot } from '../metadata/snapshot.js';
import type { Targets } from '../metadata/targets.js';
import { defaultConfig, writeConfig } from './config.js';
import { WorkingLayout } from './layout.js';
import { Repository, type RepositoryOptions } from './repository.js';
import { roleFileName } from './role-files.js';
import { localPathOf } from './target-path.js';
import { DirectorySource, verifyPublished } from './verify-published.js';

/** A private key offered to the imported repository. */
export interface ImportKey {
  /** Its public key (from the key file). */
  readonly key: Key;
  /** The signer URI to record for it (e.g. `file:/abs/path/targets_key`). */
  readonly uri: string;
}

/** Options of {@link importPublished}. */
export interface ImportOptions extends RepositoryOptions {
  /**
   * Where the new working directory publishes (relative to it, or absolute). Default
   * `repository`, a copy of the source made now. Give the source directory itself (with
   * `copyPublished: false`) to publish in place.
   */
  readonly publishDir?: string;
  /** Copy the source's published files into `publishDir` first (default true). */
  readonly copyPublished?: boolean;
  /** Private keys to match with the repository's keys (by public key). */
  readonly keys?: readonly ImportKey[];
}

/** What {@link importPublished} did. */
export interface ImportResult {
  readonly repository: Repository;
  /** Roles imported (top-level, then delegated). */
  readonly roles: string[];
  /** Target files copied into the working directory. */
  readonly targets: number;
  /** Targets whose content the source does not have. */
  readonly missingContent: string[];
  /** keyid → role names, for every key matched with a private key given. */
  readonly matchedKeys: Map<string, string[]>;
  /** What did not verify in the source (importing is allowed: re-signing may be the fix). */
  readonly problems: string[];
}

/**
 * Import the published repository in `sourceDir` into a new working directory `workDir`.
 * @throws {@link UsageError} when `workDir` already holds a repository; {@link StorageError}
 *   or {@link DeserializationError} when the source cannot be read.
 */
export async function importPublished(sourceDir: string, workDir: string, options: ImportOptions = {}): Promise<ImportResult> {
  const source = resolve(sourceDir);
  const layout = new WorkingLayout(resolve(workDir));
  if (existsSync(layout.configPath) || existsSync(layout.metadataDir)) {
    throw new UsageError(`${layout.dir} already holds a repository (tufkit.json or metadata/); not overwriting it`);
  }
  const src = new DirectorySource(source);
  const read = async (name: string): Promise<Uint8Array> => {
    const bytes = await src.metadata(name);
    if (bytes === undefined) throw new StorageError(`${join(source, 'metadata', name)} is missing`);
    return bytes;
  };
  // The newest root: the highest N.root.json, else root.json.
  let rootBytes = (await src.metadata('1.root.json')) ?? (await read('root.json'));
  for (let n = 2; ; n++) {
    const next = await src.metadata(`${n}.root.json`);
    if (next === undefined) break;
    rootBytes = next;
  }
  const root = Metadata.fromBytes(rootBytes, { type: 'root' }) as Metadata<Root>;
  const consistent = root.signed.consistentSnapshot === true;
  const timestampBytes = await read('timestamp.json');
  const timestamp = Metadata.fromBytes(timestampBytes, { type: 'timestamp' });
  const snapVersion = timestamp.signed.snapshotMeta.version;
  const snapshotBytes = await read(consistent ? roleFileName('snapshot', snapVersion) : roleFileName('snapshot'));
  const snapshot = Metadata.fromBytes(snapshotBytes, { type: 'snapshot' }) as Metadata<Snapshot>;
  const staged = new Map<string, Uint8Array>([
    ['root', rootBytes],
    ['timestamp', timestampBytes],
    ['snapshot', snapshotBytes],
  ]);
  const targetsRoles = new Map<string, Metadata<Targets>>();
  const queue = ['targets'];
  while (queue.length) {
    const name = queue.shift() as string;
    if (targetsRoles.has(name)) continue;
    const meta = snapshot.signed.meta.get(`${name}.json`);
    if (meta === undefined) throw new StorageError(`role ${name} is delegated but not listed in snapshot`);
    const bytes = await read(consistent ? roleFileName(name, meta.version) : roleFileName(name));
    const md = Metadata.fromBytes(bytes, { type: 'targets' }) as Metadata<Targets>;
    staged.set(name, bytes);
    targetsRoles.set(name, md);
    queue.push(...childrenOf(md.signed.delegations));
  }
  // Working copies of the targets.
  let copied = 0;
  const missingContent: string[] = [];
  let algorithms: string[] | undefined;
  for (const md of targetsRoles.values()) {
    for (const file of md.signed.targets.values()) {
      algorithms ??= Object.keys(file.hashes);
      const names = consistent ? file.getPrefixedPaths() : [file.path];
      let content: Uint8Array | undefined;
      for (const n of names) if ((content = await src.target(n)) !== undefined) break;
      if (content === undefined) {
        missingContent.push(file.path);
        continue;
      }
      try {
        verifyLengthAndHashes(content, file.length, file.hashes, `target ${JSON.stringify(file.path)}`);
      } catch (err) {
        throw new StorageError(`${source}: ${describeError(err)}`, { cause: err });
      }
      const dest = join(layout.targetsDir, localPathOf(file.path));
      if (!dest.startsWith(layout.targetsDir + '/')) throw new StorageError(`target path ${JSON.stringify(file.path)} leaves the targets directory`);
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, content);
      copied++;
    }
  }
  // Staged metadata, exactly as published.
  await mkdir(layout.metadataDir, { recursive: true });
  await mkdir(layout.targetsDir, { recursive: true });
  for (const [name, bytes] of staged) await writeFile(layout.rolePath(name), bytes);
  // Configuration: keys matched by public key.
  const config = defaultConfig();
  if (algorithms !== undefined) config.targetHashAlgorithms = algorithms;
  const publishDir = options.publishDir ?? 'repository';
  config.publishDir = publishDir;
  const allKeys: { key: Key; role: string }[] = [];
  for (const [keyid, key] of root.signed.keys) for (const [role, r] of root.signed.roles) if (r.keyids.includes(keyid)) allKeys.push({ key, role });
  for (const [name, md] of targetsRoles) {
    const d = md.signed.delegations;
    if (d === undefined) continue;
    const roles = d.succinctRoles !== undefined ? [{ name: `${d.succinctRoles.namePrefix}-*`, keyids: d.succinctRoles.keyids }] : [...(d.roles?.values() ?? [])];
    for (const r of roles) for (const keyid of r.keyids) {
      const key = d.keys.get(keyid);
      if (key !== undefined) allKeys.push({ key, role: `${r.name} (delegated by ${name})` });
    }
  }
  const matchedKeys = new Map<string, string[]>();
  for (const offered of options.keys ?? []) {
    for (const { key, role } of allKeys) {
      if (!key.sameKeyAs(offered.key)) continue;
      config.signers.set(key.keyid, offered.uri);
      matchedKeys.set(key.keyid, [...new Set([...(matchedKeys.get(key.keyid) ?? []), role])]);
    }
  }
  await writeConfig(layout.configPath, config);
  const publishPath = isAbsolute(publishDir) ? publishDir : join(layout.dir, publishDir);
  if (options.copyPublished ?? true) {
    if (resolve(publishPath) === source) throw new UsageError('publishing in place needs copyPublished: false');
    if (existsSync(publishPath)) throw new UsageError(`${publishPath} already exists; not copying the published repository over it`);
    cpSync(source, publishPath, { recursive: true });
  }
  const report = await verifyPublished(src, { trustedRoot: (await src.metadata('1.root.json')) ?? rootBytes, ...(options.now ? { now: options.now() } : {}) });
  const repository = await Repository.open(layout.dir, options);
  return {
    repository,
    roles: ['root', 'timestamp', 'snapshot', ...targetsRoles.keys()],
    targets: copied,
    missingContent,
    matchedKeys,
    problems: report.problems.map((p) => `${relative(process.cwd(), source) || source}: ${p}`),
  };
}

function childrenOf(d: Delegations | undefined): string[] {
  if (d === undefined) return [];
  if (d.succinctRoles !== undefined) return [...d.succinctRoles.getRoles()];
  return [...(d.roles?.keys() ?? [])];
}
