/**
 * The timestamp role (spec §2.1.4, §4.6 "timestamp.json"): the current snapshot's version
 * (and optionally its length and hashes), re-signed often with an online key.
 */
import { DeserializationError } from '../errors.js';
import type { JsonObject } from './canonical-json.js';
import { asObject, rest, take, takeFields } from './fields.js';
import { MetaFile } from './files.js';
import { Signed, takeCommonFields, type ReadOptions, type SignedFields } from './signed.js';

/** Constructor options of {@link Timestamp}. */
export interface TimestampFields extends SignedFields {
  /** The `snapshot.json` entry (default: version 1). */
  snapshotMeta?: MetaFile;
}

/** Timestamp metadata: points at the current snapshot (spec §4.6). */
export class Timestamp extends Signed {
  readonly type = 'timestamp' as const;
  /** The description of `snapshot.json`. */
  snapshotMeta: MetaFile;

  constructor(fields: TimestampFields = {}) {
    super(fields);
    this.snapshotMeta = fields.snapshotMeta ?? new MetaFile(1);
  }

  /** Read a timestamp `signed` object; `meta` must hold exactly `snapshot.json`. */
  static fromDict(value: unknown, options: ReadOptions = {}): Timestamp {
    const fields = takeFields(value, 'signed');
    const common = takeCommonFields(fields, 'timestamp', options);
    const meta = asObject(take(fields, 'meta'), 'signed.meta');
    const names = Object.keys(meta);
    if (names.length !== 1 || names[0] !== 'snapshot.json') {
      throw new DeserializationError(`signed.meta: timestamp meta must hold exactly "snapshot.json", found ${JSON.stringify(names)}`);
    }
    const snapshotMeta = MetaFile.fromDict(meta['snapshot.json'], 'signed.meta["snapshot.json"]');
    const timestamp = new Timestamp({ ...common.fields, snapshotMeta, unrecognizedFields: rest(fields) });
    timestamp.keepExpiresText(common.expiresText);
    return timestamp;
  }

  toDict(): JsonObject {
    return { ...this.commonDict(), meta: { 'snapshot.json': this.snapshotMeta.toDict() } };
  }
}
