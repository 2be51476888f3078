/**
 * A metadata file: the role's `signed` part and its `signatures` (spec §4.1 "Metaformat").
 */
import { readFileSync } from 'node:fs';
import { DeserializationError, SignerError, StorageError, ValueError, describeError } from '../errors.js';
import { writeFileAtomicSync } from '../util/atomic-file.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';
import { encodeCanonical, type JsonObject } from './canonical-json.js';
import { asArray, asObject, rest, take, takeFields, type UnrecognizedFields } from './fields.js';
import { pythonJson, type PythonJsonOptions } from './python-json.js';
import { Root } from './root.js';
import { Signature } from './signature.js';
import type { Signer } from './signer.js';
import type { ReadOptions, RoleType } from './signed.js';
import { Snapshot } from './snapshot.js';
import { Targets } from './targets.js';
import { Timestamp } from './timestamp.js';
import type { VerificationResult } from './verification.js';

/** The `signed` part of any role. */
export type AnySigned = Root | Timestamp | Snapshot | Targets;

/** The class of `signed` for each role type. */
export interface SignedByType {
  root: Root;
  timestamp: Timestamp;
  snapshot: Snapshot;
  targets: Targets;
}

/** Options for reading a metadata file. */
export interface MetadataReadOptions extends ReadOptions {
  /** Require this `_type` (a {@link DeserializationError} otherwise). */
  readonly type?: RoleType;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A metadata file: `signed` (a {@link Root}, {@link Timestamp}, {@link Snapshot} or
 * {@link Targets}), `signatures` by keyid in file order, and unrecognized top-level fields.
 *
 * Signatures cover {@link Metadata.signedBytes}, the canonical JSON of `signed` — never the
 * file's bytes, so formatting does not matter to them.
 */
export class Metadata<T extends AnySigned = AnySigned> {
  /** The signed part. */
  signed: T;
  /** Signatures by keyid, in file order. */
  signatures: Map<string, Signature>;
  /** Top-level fields other than `signed` and `signatures`. */
  unrecognizedFields: UnrecognizedFields;

  constructor(signed: T, signatures: Map<string, Signature> = new Map(), unrecognizedFields: UnrecognizedFields = {}) {
    this.signed = signed;
    this.signatures = signatures;
    this.unrecognizedFields = unrecognizedFields;
  }

  /**
   * Read metadata from its bytes (UTF-8 JSON; a byte-order mark is refused, as python-tuf does).
   * @throws {@link DeserializationError} naming the field and value at fault.
   */
  static fromBytes<K extends RoleType>(data: Uint8Array | string, options: MetadataReadOptions & { type: K }): Metadata<SignedByType[K]>;
  static fromBytes(data: Uint8Array | string, options?: MetadataReadOptions): Metadata;
  static fromBytes(data: Uint8Array | string, options: MetadataReadOptions = {}): Metadata {
    let text: string;
    try {
      text = typeof data === 'string' ? data : decoder.decode(data);
    } catch {
      throw new DeserializationError('metadata is not valid UTF-8');
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new DeserializationError(`metadata is not valid JSON: ${describeError(err)}`);
    }
    return Metadata.fromDict(value, options);
  }

  /** Read metadata from a parsed JSON object. @throws {@link DeserializationError} */
  static fromDict<K extends RoleType>(value: unknown, options: MetadataReadOptions & { type: K }): Metadata<SignedByType[K]>;
  static fromDict(value: unknown, options?: MetadataReadOptions): Metadata;
  static fromDict(value: unknown, options: MetadataReadOptions = {}): Metadata {
    const fields = takeFields(value, 'metadata');
    const signedDict = asObject(take(fields, 'signed'), 'signed');
    const type = signedDict['_type'];
    if (options.type !== undefined && type !== options.type) {
      throw new DeserializationError(`signed._type: expected ${JSON.stringify(options.type)}, found ${JSON.stringify(type ?? null)}`);
    }
    let signed: AnySigned;
    switch (type) {
      case 'root':
        signed = Root.fromDict(signedDict, options);
        break;
      case 'timestamp':
        signed = Timestamp.fromDict(signedDict, options);
        break;
      case 'snapshot':
        signed = Snapshot.fromDict(signedDict, options);
        break;
      case 'targets':
        signed = Targets.fromDict(signedDict, options);
        break;
      default:
        throw new DeserializationError(`signed._type: expected root, timestamp, snapshot or targets, found ${JSON.stringify(type ?? null)}`);
    }
    const signatures = new Map<string, Signature>();
    asArray(take(fields, 'signatures'), 'signatures').forEach((entry, i) => {
      const sig = Signature.fromDict(entry, `signatures[${i}]`);
      if (signatures.has(sig.keyid)) throw new DeserializationError(`signatures[${i}].keyid: more than one signature by key ${sig.keyid}`);
      signatures.set(sig.keyid, sig);
    });
    return new Metadata(signed, signatures, rest(fields));
  }

  /** Read a metadata file. @throws {@link StorageError} or {@link DeserializationError} */
  static fromFile<K extends RoleType>(path: string, options: MetadataReadOptions & { type: K }): Metadata<SignedByType[K]>;
  static fromFile(path: string, options?: MetadataReadOptions): Metadata;
  static fromFile(path: string, options: MetadataReadOptions = {}): Metadata {
    let data: Buffer;
    try {
      data = readFileSync(path);
    } catch (err) {
      throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
    }
    try {
      return Metadata.fromBytes(data, options);
    } catch (err) {
      if (err instanceof DeserializationError) throw new DeserializationError(`${path}: ${err.message}`, { cause: err });
      throw err;
    }
  }

  /** The file's JSON object. */
  toDict(): JsonObject {
    return {
      ...this.unrecognizedFields,
      signatures: [...this.signatures.values()].map((s) => s.toDict()),
      signed: this.signed.toDict(),
    };
  }

  /** The file's bytes, formatted as python-tuf writes them (see `python-json.ts`). */
  toBytes(options: PythonJsonOptions = {}): Uint8Array {
    return Buffer.from(pythonJson(this.toDict(), options), 'utf8');
  }

  /** Write the file atomically (temp file, fsync, rename). @throws {@link StorageError} */
  toFile(path: string, options: PythonJsonOptions = {}): void {
    writeFileAtomicSync(path, this.toBytes(options));
  }

  /** The bytes signatures cover: canonical JSON of `signed` (spec §4.1). */
  signedBytes(): Uint8Array {
    return encodeCanonical(this.signed.toDict());
  }

  /**
   * Sign with `signer` and add the signature (replacing all others unless `append`).
   * The new signature is verified against the signer's public key before it is added.
   * @throws {@link SignerError} when signing fails or the signature does not verify.
   */
  async sign(signer: Signer, options: { append?: boolean; verifier?: Verifier } = {}): Promise<Signature> {
    const payload = this.signedBytes();
    const signature = await signer.sign(payload);
    const verifier = options.verifier ?? getDefaultVerifier();
    if (signature.keyid !== signer.publicKey.keyid || !signer.publicKey.verifySignature(signature, payload, verifier)) {
      throw new SignerError(`the signature made by key ${signer.publicKey.keyid} does not verify; nothing was added`);
    }
    if (!options.append) this.signatures.clear();
    this.signatures.set(signature.keyid, signature);
    return signature;
  }

  /**
   * Verify that `delegated` is signed by a threshold of the keys this metadata (root or
   * targets) assigns to `roleName`.
   * @throws {@link UnsignedMetadataError}, or {@link ValueError} when `roleName` is not delegated here.
   */
  verifyDelegate(roleName: string, delegated: Metadata, verifier?: Verifier): VerificationResult {
    const signed = this.signed;
    if (signed instanceof Root || signed instanceof Targets) {
      return signed.verifyDelegate(roleName, delegated.signedBytes(), delegated.signatures, verifier);
    }
    throw new ValueError(`${signed.type} metadata delegates to no role`);
  }
}
