/**
 * One entry of a metadata file's `signatures` list (spec §4.1 "Metaformat").
 */
import type { JsonObject } from './canonical-json.js';
import { asString, rest, take, takeFields, type UnrecognizedFields } from './fields.js';

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * A signature: the signing key's `keyid` and `sig`, the hex signature bytes.
 *
 * `sig` is kept exactly as read: an empty or malformed `sig` is not a parse error (real
 * repositories carry empty placeholders, sigstore's roots 12–14 among them); such a
 * signature simply does not verify.
 */
export class Signature {
  /** The keyid of the key that made this signature. */
  readonly keyid: string;
  /** The signature, hex as stored. */
  readonly sig: string;
  /** Other fields of the entry, kept for round trips. */
  readonly unrecognizedFields: UnrecognizedFields;

  constructor(keyid: string, sig: string, unrecognizedFields: UnrecognizedFields = {}) {
    this.keyid = asString(keyid, 'signature.keyid');
    this.sig = asString(sig, 'signature.sig');
    this.unrecognizedFields = unrecognizedFields;
  }

  /** A signature from raw signature bytes. */
  static fromBytes(keyid: string, bytes: Uint8Array): Signature {
    return new Signature(keyid, Buffer.from(bytes).toString('hex'));
  }

  /** Read one `signatures` entry. */
  static fromDict(value: unknown, path = 'signatures[]'): Signature {
    const fields = takeFields(value, path);
    const keyid = asString(take(fields, 'keyid'), `${path}.keyid`);
    const sig = asString(take(fields, 'sig'), `${path}.sig`);
    return new Signature(keyid, sig, rest(fields));
  }

  /** The entry as stored. */
  toDict(): JsonObject {
    return { ...this.unrecognizedFields, keyid: this.keyid, sig: this.sig };
  }

  /** The signature bytes, or `undefined` when `sig` is empty or not hex. */
  bytes(): Uint8Array | undefined {
    return HEX.test(this.sig) ? new Uint8Array(Buffer.from(this.sig, 'hex')) : undefined;
  }
}
