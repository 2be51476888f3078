/**
 * Descriptions of files: {@link MetaFile} (a metadata file, in timestamp and snapshot:
 * spec §4.4 METAFILES) and {@link TargetFile} (a target file, in targets: spec §4.5 TARGETS).
 */
import { ValueError } from '../errors.js';
import type { JsonObject, JsonValue } from './canonical-json.js';
import { asInteger, prefixPath, rest, take, takeFields, withExtra, type UnrecognizedFields } from './fields.js';
import { hashBytes, hashFile, readHashes, verifyLengthAndHashes, type Hashes } from './hashes.js';

/** Default hash algorithms for new target files (python-tuf's default). */
export const DEFAULT_HASH_ALGORITHMS: readonly string[] = ['sha256'];

function checkLength(length: number, what: string): number {
  if (!Number.isSafeInteger(length) || length < 0) throw new ValueError(`${what}: length must be an integer ≥ 0, found ${length}`);
  return length;
}

function checkHashes(hashes: Hashes, what: string): Hashes {
  if (Object.keys(hashes).length === 0) throw new ValueError(`${what}: hashes must not be empty`);
  return hashes;
}

/**
 * A metadata file as timestamp and snapshot describe it: its `version`, and optionally its
 * `length` and `hashes` (spec §4.4: optional, "useful to protect against ... endless data").
 */
export class MetaFile {
  /** The file's version (≥ 1). */
  version: number;
  /** The file's length in bytes, when given. */
  length: number | undefined;
  /** The file's hashes, when given. */
  hashes: Hashes | undefined;
  /** Other fields, kept for round trips. */
  unrecognizedFields: UnrecognizedFields;

  constructor(version = 1, length?: number, hashes?: Hashes, unrecognizedFields: UnrecognizedFields = {}) {
    if (!Number.isSafeInteger(version) || version < 1) throw new ValueError(`meta version: must be an integer ≥ 1, found ${version}`);
    this.version = version;
    this.length = length === undefined ? undefined : checkLength(length, 'meta');
    this.hashes = hashes === undefined ? undefined : checkHashes(hashes, 'meta');
    this.unrecognizedFields = unrecognizedFields;
  }

  /** Read a METAFILES entry. */
  static fromDict(value: unknown, path: string): MetaFile {
    try {
      const fields = takeFields(value, '');
      const version = asInteger(take(fields, 'version'), 'version', 1);
      const rawLength = take(fields, 'length');
      const rawHashes = take(fields, 'hashes');
      const length = rawLength === undefined ? undefined : asInteger(rawLength, 'length', 0);
      const hashes = rawHashes === undefined ? undefined : readHashes(rawHashes, 'hashes');
      return new MetaFile(version, length, hashes, rest(fields));
    } catch (err) {
      throw prefixPath(err, path);
    }
  }

  /** A MetaFile describing `data` (a serialized metadata file) at `version`. */
  static fromData(version: number, data: Uint8Array, algorithms: readonly string[] = DEFAULT_HASH_ALGORITHMS): MetaFile {
    return new MetaFile(version, data.length, hashBytes(data, algorithms));
  }

  /** The entry as stored. Like python-tuf's, it shares `hashes` with this object. */
  toDict(): JsonObject {
    // Keys in code point order, so the canonical serializer needs no re-ordered copy.
    const known: JsonObject =
      this.hashes !== undefined && this.length !== undefined
        ? { hashes: this.hashes, length: this.length, version: this.version }
        : this.hashes !== undefined
          ? { hashes: this.hashes, version: this.version }
          : this.length !== undefined
            ? { length: this.length, version: this.version }
            : { version: this.version };
    return withExtra(this.unrecognizedFields, known);
  }

  /**
   * Check `data` against the length and hashes given (those absent are not checked).
   * @throws {@link LengthOrHashMismatchError}
   */
  verifyLengthAndHashes(data: Uint8Array, what = 'metadata file'): void {
    verifyLengthAndHashes(data, this.length, this.hashes, what);
  }
}

/**
 * A target file as targets metadata describe it (spec §4.5): its `length`, `hashes` and
 * optional `custom` data; `path` is the key it is listed under.
 */
export class TargetFile {
  /** The target path (the key in `targets`). */
  path: string;
  /** Length in bytes. */
  length: number;
  /** Hashes (non-empty). */
  hashes: Hashes;
  /** Other fields (`custom` among them), kept for round trips. */
  unrecognizedFields: UnrecognizedFields;

  constructor(length: number, hashes: Hashes, path: string, unrecognizedFields: UnrecognizedFields = {}) {
    this.length = checkLength(length, `target ${path}`);
    this.hashes = checkHashes(hashes, `target ${path}`);
    this.path = path;
    this.unrecognizedFields = unrecognizedFields;
  }

  /** The `custom` field (spec §4.5: "opaque ... application-specific"), if any. */
  get custom(): JsonValue | undefined {
    return this.unrecognizedFields['custom'];
  }

  set custom(value: JsonValue | undefined) {
    if (value === undefined) delete this.unrecognizedFields['custom'];
    else this.unrecognizedFields['custom'] = value;
  }

  /** Read a TARGETS entry listed under `path`. */
  static fromDict(value: unknown, path: string, where?: string): TargetFile {
    try {
      const fields = takeFields(value, '');
      const length = asInteger(take(fields, 'length'), 'length', 0);
      const hashes = readHashes(take(fields, 'hashes'), 'hashes');
      return new TargetFile(length, hashes, path, rest(fields));
    } catch (err) {
      throw prefixPath(err, where ?? `targets.${path}`);
    }
  }

  /** A TargetFile for `data` listed as `targetPath`. */
  static fromData(targetPath: string, data: Uint8Array, algorithms: readonly string[] = DEFAULT_HASH_ALGORITHMS): TargetFile {
    return new TargetFile(data.length, hashBytes(data, algorithms), targetPath);
  }

  /** A TargetFile for the local file `localPath` listed as `targetPath` (streamed, not read whole). */
  static async fromFile(targetPath: string, localPath: string, algorithms: readonly string[] = DEFAULT_HASH_ALGORITHMS): Promise<TargetFile> {
    const { length, hashes } = await hashFile(localPath, algorithms);
    return new TargetFile(length, hashes, targetPath);
  }

  /** The entry as stored (without the path). Like python-tuf's, it shares `hashes` and custom values with this object. */
  toDict(): JsonObject {
    return withExtra(this.unrecognizedFields, { hashes: this.hashes, length: this.length });
  }

  /**
   * Check `data` against this target's length and every hash (spec §5.7.3).
   * @throws {@link LengthOrHashMismatchError}
   */
  verifyLengthAndHashes(data: Uint8Array): void {
    verifyLengthAndHashes(data, this.length, this.hashes, `target ${JSON.stringify(this.path)}`);
  }

  /**
   * The names under which a consistent-snapshot repository stores this target
   * (spec §6.2 "Consistent snapshots": `dirname/HASH.basename`), one per hash.
   */
  getPrefixedPaths(): string[] {
    const slash = this.path.lastIndexOf('/');
    const parent = this.path.slice(0, slash + 1); // "" or "dir/"
    const name = this.path.slice(slash + 1);
    return Object.values(this.hashes).map((h) => `${parent}${h}.${name}`);
  }
}
