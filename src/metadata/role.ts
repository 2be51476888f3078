/**
 * The keys and threshold that may sign for a role (spec §4.3 "root.json": ROLE).
 */
import { ValueError } from '../errors.js';
import type { JsonObject } from './canonical-json.js';
import { asInteger, asUniqueStrings, assertUnique, rest, take, takeFields, type UnrecognizedFields } from './fields.js';

/**
 * A role's signing policy: the keyids of the keys that can sign it and how many of them
 * must (the threshold, ≥ 1). Keyids are unique within a role.
 */
export class Role {
  /** The keyids that may sign, in metadata order, without repeats. */
  keyids: string[];
  /** How many distinct keys must sign (≥ 1). */
  threshold: number;
  /** Other fields, kept for round trips. */
  unrecognizedFields: UnrecognizedFields;

  /** @throws {@link ValueError} for a threshold below 1 or repeated keyids. */
  constructor(keyids: string[], threshold = 1, unrecognizedFields: UnrecognizedFields = {}) {
    assertUnique(keyids, 'keyids');
    if (!Number.isSafeInteger(threshold) || threshold < 1) {
      throw new ValueError(`threshold: must be an integer ≥ 1, found ${threshold}`);
    }
    this.keyids = [...keyids];
    this.threshold = threshold;
    this.unrecognizedFields = unrecognizedFields;
  }

  /** Read a role object. */
  static fromDict(value: unknown, path: string): Role {
    const fields = takeFields(value, path);
    const keyids = asUniqueStrings(take(fields, 'keyids'), `${path}.keyids`);
    const threshold = asInteger(take(fields, 'threshold'), `${path}.threshold`, 1);
    return new Role(keyids, threshold, rest(fields));
  }

  /** The role object as stored. */
  toDict(): JsonObject {
    return { ...this.unrecognizedFields, keyids: [...this.keyids], threshold: this.threshold };
  }
}
