/**
 * A public key as TUF metadata lists it (spec §4.2 "Key objects").
 */
import { createHash } from 'node:crypto';
import { DeserializationError } from '../errors.js';
import { decodePublicKey, type PublicKeyLike } from '../verify/public-key.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { encodeCanonical, type JsonObject, type JsonValue } from './canonical-json.js';
import { asNonEmptyString, asObject, asString, cloneJson, rest, take, takeFields, type UnrecognizedFields } from './fields.js';
import type { Signature } from './signature.js';

/** Options for reading a key. */
export interface KeyReadOptions {
  /** Accept legacy encodings (hex SEC1 ECDSA keys); see `Metadata.fromBytes`. */
  readonly lenient?: boolean;
}

/**
 * A public key: `keytype`, `scheme`, `keyval` (with at least `public`) and any other
 * fields, kept as read (`keyid_hash_algorithms`, `x-tuf-on-ci-*`, ...).
 *
 * Keys are immutable values: the keyid is the identity metadata gives the key, and it is
 * never recomputed behind the user's back (sigstore's root v11 has a keyid that is not its
 * key's hash and must still verify). {@link Key.computeKeyid} says what it should be.
 */
export class Key implements PublicKeyLike {
  /** The keyid metadata uses for this key. */
  readonly keyid: string;
  /** e.g. `ed25519`, `ecdsa`, `rsa`. */
  readonly keytype: string;
  /** e.g. `ed25519`, `ecdsa-sha2-nistp256`, `rsassa-pss-sha256`. */
  readonly scheme: string;
  /** The key value; `keyval.public` holds the public key. */
  readonly keyval: Readonly<Record<string, JsonValue>>;
  /** Fields other than keytype, scheme and keyval, kept for round trips and keyids. */
  readonly unrecognizedFields: Readonly<UnrecognizedFields>;
  /** True when read by the lenient parse (legacy encodings accepted for verification). */
  readonly lenient: boolean;

  /**
   * @param keyid the keyid (see {@link Key.create} to compute it)
   * @throws {@link DeserializationError} when a field has the wrong type.
   */
  constructor(
    keyid: string,
    keytype: string,
    scheme: string,
    keyval: Record<string, JsonValue>,
    unrecognizedFields: UnrecognizedFields = {},
    options: KeyReadOptions = {},
  ) {
    this.keyid = asNonEmptyString(keyid, 'keyid');
    this.keytype = asString(keytype, 'keytype');
    this.scheme = asString(scheme, 'scheme');
    const val = asObject(keyval, 'keyval');
    asString(val['public'], 'keyval.public');
    this.keyval = deepFreeze(cloneJson(val));
    this.unrecognizedFields = deepFreeze(cloneJson(unrecognizedFields));
    this.lenient = options.lenient === true;
  }

  /**
   * A new key whose keyid is computed as TUF specifies: hex SHA-256 of the canonical JSON
   * of the key object (spec §4.2), including any extra fields given.
   */
  static create(keytype: string, scheme: string, keyval: Record<string, JsonValue>, unrecognizedFields: UnrecognizedFields = {}): Key {
    const draft = new Key('-', keytype, scheme, keyval, unrecognizedFields);
    return new Key(draft.computeKeyid(), keytype, scheme, keyval, unrecognizedFields);
  }

  /** Read a key object listed under `keyid`. */
  static fromDict(keyid: string, value: unknown, path = `keys.${keyid}`, options: KeyReadOptions = {}): Key {
    const fields = takeFields(value, path);
    const keytype = asString(take(fields, 'keytype'), `${path}.keytype`);
    const scheme = asString(take(fields, 'scheme'), `${path}.scheme`);
    const keyval = asObject(take(fields, 'keyval'), `${path}.keyval`);
    if (typeof keyval['public'] !== 'string') {
      throw new DeserializationError(`${path}.keyval.public: expected a string`);
    }
    return new Key(keyid, keytype, scheme, keyval, rest(fields), options);
  }

  /** The key object as stored in metadata (without the keyid). */
  toDict(): JsonObject {
    return {
      ...cloneJson(this.unrecognizedFields as JsonObject),
      keytype: this.keytype,
      keyval: cloneJson(this.keyval as JsonObject),
      scheme: this.scheme,
    };
  }

  /** Hex SHA-256 of the canonical key object: the keyid this key should have (spec §4.2). */
  computeKeyid(): string {
    return createHash('sha256').update(encodeCanonical(this.toDict())).digest('hex');
  }

  /** True when {@link Key.keyid} equals {@link Key.computeKeyid}. */
  hasCanonicalKeyid(): boolean {
    return this.keyid === this.computeKeyid();
  }

  /** The same key under another keyid (e.g. to fix a keyid that is not the key's hash). */
  withKeyid(keyid: string): Key {
    return new Key(keyid, this.keytype, this.scheme, this.keyval as Record<string, JsonValue>, this.unrecognizedFields as UnrecognizedFields, {
      lenient: this.lenient,
    });
  }

  /**
   * True when `signature` (for this key's keyid) is a valid signature of `payload`.
   * Never throws: empty, non-hex or wrong signatures and undecodable keys give `false`.
   */
  verifySignature(signature: Signature, payload: Uint8Array, verifier: Verifier = getDefaultVerifier()): boolean {
    const bytes = signature.bytes();
    return bytes !== undefined && verifier.verify(this, payload, bytes);
  }

  /**
   * True when both keys hold the same public key, whatever their keyids, extra fields or
   * encodings (PEM or hex): what decides that two keyids are one signer.
   */
  sameKeyAs(other: Key): boolean {
    return this.material() === other.material();
  }

  private material(): string {
    if (this.materialId === undefined) {
      let id: string;
      try {
        const decoded = decodePublicKey(this);
        id = Buffer.from(decoded.publicKey).toString('base64'); // SPKI DER or raw Ed25519: self-describing
      } catch {
        const pub = this.keyval['public'];
        id = `${this.keytype}/${this.scheme}:` + (typeof pub === 'string' ? pub.replace(/\s+/g, '').toLowerCase() : '');
      }
      this.materialId = id;
    }
    return this.materialId;
  }
  private materialId: string | undefined;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
