/**
 * `tufkit.json`: the configuration of a repository under edit (see layout.ts for the rest of
 * the working directory). It holds policy and where keys are, never keys or secrets:
 *
 * ```json
 * {
 *   "format": "tufkit-repository/1",
 *   "expiry": { "root": 365, "targets": 90, "snapshot": 7, "timestamp": 1, "delegated": 90, "roles": { "bins": 30 } },
 *   "targetHashAlgorithms": ["sha256"],
 *   "snapshotMetaHashes": false,
 *   "publishDir": "repository",
 *   "signers": { "<keyid>": "file:keys/root.pem" }
 * }
 * ```
 *
 * - `expiry`: days a role's metadata is valid after each change (fractions allowed); `roles`
 *   overrides for delegated roles by name (a hashed-bin delegation by its name prefix).
 * - `targetHashAlgorithms`: hashes of new targets (`sha256`, optionally `sha512`, ...).
 * - `snapshotMetaHashes`: also list length and hashes of every targets role in snapshot
 *   (spec §4.4 makes them optional; the timestamp always lists them for snapshot).
 * - `publishDir`: where `publish` writes the servable repository (relative to the working dir).
 * - `signers`: keyid → signer URI. `file:PATH` (relative to the working dir) is a key file;
 *   other schemes (`pkcs11:`, `yubikey:`) are resolved by src/signers.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, StorageError, describeError } from '../errors.js';
import { HASH_ALGORITHMS } from '../metadata/hashes.js';
import { writeFileAtomic } from '../util/atomic-file.js';

/** The `format` value of the current configuration file. */
export const CONFIG_FORMAT = 'tufkit-repository/1';

/** Days each role stays valid after it changes. */
export interface ExpiryPolicy {
  root: number;
  targets: number;
  snapshot: number;
  timestamp: number;
  /** Delegated targets roles without an entry in `roles`. */
  delegated: number;
  /** Per delegated role (or hashed-bin name prefix). */
  roles: Map<string, number>;
}

/** The default policy: root 365 days, targets 90, snapshot 7, timestamp 1, delegated roles 90. */
export function defaultExpiryPolicy(): ExpiryPolicy {
  return { root: 365, targets: 90, snapshot: 7, timestamp: 1, delegated: 90, roles: new Map() };
}

/** A repository's configuration. */
export interface RepositoryConfig {
  expiry: ExpiryPolicy;
  targetHashAlgorithms: string[];
  snapshotMetaHashes: boolean;
  publishDir: string;
  /** keyid → signer URI. */
  signers: Map<string, string>;
  /** Fields tufkit does not know, kept as they were. */
  unrecognized: Record<string, unknown>;
}

/** A configuration with every default. */
export function defaultConfig(): RepositoryConfig {
  return {
    expiry: defaultExpiryPolicy(),
    targetHashAlgorithms: ['sha256'],
    snapshotMetaHashes: false,
    publishDir: 'repository',
    signers: new Map(),
    unrecognized: {},
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function days(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 36500) {
    throw new ConfigError(`tufkit.json ${field}: expected a number of days in (0, 36500], found ${JSON.stringify(value)}`);
  }
  return value;
}

/** Check a list of target hash algorithms. @throws {@link ConfigError} */
export function checkHashAlgorithms(value: unknown, field = 'targetHashAlgorithms'): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'string')) {
    throw new ConfigError(`tufkit.json ${field}: expected a non-empty list of hash algorithm names`);
  }
  for (const a of value as string[]) {
    if (!(a in HASH_ALGORITHMS)) throw new ConfigError(`tufkit.json ${field}: ${JSON.stringify(a)} is not one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`);
  }
  if (new Set(value).size !== value.length) throw new ConfigError(`tufkit.json ${field}: an algorithm is listed twice`);
  return [...(value as string[])];
}

/** Parse the text of `tufkit.json`. @throws {@link ConfigError} naming the field at fault. */
export function parseConfig(text: string): RepositoryConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`tufkit.json is not valid JSON: ${describeError(err)}`);
  }
  if (!isObject(raw)) throw new ConfigError('tufkit.json: expected a JSON object');
  const { format, expiry, targetHashAlgorithms, snapshotMetaHashes, publishDir, signers, ...unrecognized } = raw;
  if (format !== CONFIG_FORMAT) throw new ConfigError(`tufkit.json format: expected ${JSON.stringify(CONFIG_FORMAT)}, found ${JSON.stringify(format ?? null)}`);
  const config = defaultConfig();
  config.unrecognized = unrecognized;
  if (expiry !== undefined) {
    if (!isObject(expiry)) throw new ConfigError('tufkit.json expiry: expected an object');
    for (const [name, value] of Object.entries(expiry)) {
      if (name === 'roles') {
        if (!isObject(value)) throw new ConfigError('tufkit.json expiry.roles: expected an object of role name → days');
        for (const [role, d] of Object.entries(value)) config.expiry.roles.set(role, days(d, `expiry.roles.${role}`));
      } else if (name === 'root' || name === 'targets' || name === 'snapshot' || name === 'timestamp' || name === 'delegated') {
        config.expiry[name] = days(value, `expiry.${name}`);
      } else {
        throw new ConfigError(`tufkit.json expiry.${name}: unknown role (expected root, targets, snapshot, timestamp, delegated or roles)`);
      }
    }
  }
  if (targetHashAlgorithms !== undefined) config.targetHashAlgorithms = checkHashAlgorithms(targetHashAlgorithms);
  if (snapshotMetaHashes !== undefined) {
    if (typeof snapshotMetaHashes !== 'boolean') throw new ConfigError('tufkit.json snapshotMetaHashes: expected true or false');
    config.snapshotMetaHashes = snapshotMetaHashes;
  }
  if (publishDir !== undefined) {
    if (typeof publishDir !== 'string' || publishDir === '') throw new ConfigError('tufkit.json publishDir: expected a non-empty path');
    config.publishDir = publishDir;
  }
  if (signers !== undefined) {
    if (!isObject(signers)) throw new ConfigError('tufkit.json signers: expected an object of keyid → signer URI');
    for (const [keyid, uri] of Object.entries(signers)) {
      if (typeof uri !== 'string' || !/^[a-z][a-z0-9+.-]*:/.test(uri)) {
        throw new ConfigError(`tufkit.json signers.${keyid}: expected a signer URI such as "file:keys/root.pem", found ${JSON.stringify(uri)}`);
      }
      config.signers.set(keyid, uri);
    }
  }
  return config;
}

/** The text of `tufkit.json` for `config` (stable field order, two-space indent). */
export function formatConfig(config: RepositoryConfig): string {
  const e = config.expiry;
  const expiry: Record<string, unknown> = { root: e.root, targets: e.targets, snapshot: e.snapshot, timestamp: e.timestamp, delegated: e.delegated };
  if (e.roles.size) expiry['roles'] = Object.fromEntries(e.roles);
  return (
    JSON.stringify(
      {
        format: CONFIG_FORMAT,
        expiry,
        targetHashAlgorithms: config.targetHashAlgorithms,
        snapshotMetaHashes: config.snapshotMetaHashes,
        publishDir: config.publishDir,
        signers: Object.fromEntries(config.signers),
        ...config.unrecognized,
      },
      null,
      2,
    ) + '\n'
  );
}

/** Read `tufkit.json` at `path`. @throws {@link StorageError}, {@link ConfigError} */
export async function readConfig(path: string): Promise<RepositoryConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ConfigError(`${path} does not exist: not a tufkit repository (create one with 'tufkit init DIR')`);
    }
    throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
  }
  try {
    return parseConfig(text);
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(err.message.replace(/^tufkit\.json/, path));
    throw err;
  }
}

/** Write `tufkit.json` atomically. @throws {@link StorageError} */
export async function writeConfig(path: string, config: RepositoryConfig): Promise<void> {
  await writeFileAtomic(path, formatConfig(config));
}

/** The expiry period in days of role `name` (a hashed bin is looked up by `binPrefix`). */
export function expiryDays(policy: ExpiryPolicy, name: string, binPrefix?: string): number {
  switch (name) {
    case 'root':
    case 'targets':
    case 'snapshot':
    case 'timestamp':
      return policy[name];
    default:
      return policy.roles.get(name) ?? (binPrefix !== undefined ? policy.roles.get(binPrefix) : undefined) ?? policy.delegated;
  }
}
