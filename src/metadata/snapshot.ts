/**
 * The snapshot role (spec §2.1.3, §4.4 "snapshot.json"): the version of every targets
 * metadata file, so that a client never mixes files from different moments.
 */
import { sortedStrings, type JsonObject } from './canonical-json.js';
import { asObject, prefixPath, rest, take, takeFields } from './fields.js';
import { MetaFile } from './files.js';
import { Signed, takeCommonFields, type ReadOptions, type SignedFields } from './signed.js';

/** Constructor options of {@link Snapshot}. */
export interface SnapshotFields extends SignedFields {
  /** File name (`targets.json`, `ROLE.json`) → MetaFile (default: `targets.json` version 1). */
  meta?: Map<string, MetaFile>;
}

/** Snapshot metadata (spec §4.4): `meta` maps `ROLE.json` file names to their MetaFile. */
export class Snapshot extends Signed {
  readonly type = 'snapshot' as const;
  /** `targets.json` and each delegated role's `ROLE.json` → its description. */
  meta: Map<string, MetaFile>;

  constructor(fields: SnapshotFields = {}) {
    super(fields);
    this.meta = fields.meta ?? new Map([['targets.json', new MetaFile(1)]]);
  }

  /** Read a snapshot `signed` object. */
  static fromDict(value: unknown, options: ReadOptions = {}): Snapshot {
    const fields = takeFields(value, 'signed');
    const common = takeCommonFields(fields, 'snapshot', options);
    const meta = new Map<string, MetaFile>();
    const metaDict = asObject(take(fields, 'meta'), 'signed.meta');
    for (const name of Object.keys(metaDict)) {
      try {
        meta.set(name, MetaFile.fromDict(metaDict[name], ''));
      } catch (err) {
        throw prefixPath(err, `signed.meta[${JSON.stringify(name)}]`);
      }
    }
    const snapshot = new Snapshot({ ...common.fields, meta, unrecognizedFields: rest(fields) });
    snapshot.keepExpiresText(common.expiresText);
    return snapshot;
  }

  toDict(): JsonObject {
    // Entries in canonical order (see Targets.toDict): no re-ordered copy when serializing.
    const names = sortedStrings([...this.meta.keys()]);
    return { ...this.commonDict(), meta: Object.fromEntries(names.map((name) => [name, (this.meta.get(name) as MetaFile).toDict()])) };
  }
}
