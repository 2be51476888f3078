/**
 * What every role's `signed` object has in common (spec §4.1 "Metaformat", §4.3–§4.6):
 * `_type`, `spec_version`, `version`, `expires`, and unrecognized fields.
 */
import { DeserializationError, ValueError } from '../errors.js';
import type { JsonObject } from './canonical-json.js';
import { checkDate, formatExpires, parseExpires, wholeSeconds } from './expires.js';
import { asInteger, asString, take, type FieldReader, type UnrecognizedFields } from './fields.js';

/** The four top-level role names (spec §2.1). */
export const TOP_LEVEL_ROLE_NAMES = ['root', 'timestamp', 'snapshot', 'targets'] as const;
/** One of {@link TOP_LEVEL_ROLE_NAMES}: also the `_type` of each role's metadata. */
export type RoleType = (typeof TOP_LEVEL_ROLE_NAMES)[number];

/**
 * The `spec_version` tufkit writes by default: python-tuf's, so that tufkit's files are
 * byte-identical with python-tuf's. tufkit implements spec 1.0.34, which changed no format.
 */
export const SPECIFICATION_VERSION = '1.0.31';
/** The major spec version tufkit reads (`spec_version` must be `1.x` or `1.x.y`). */
export const SUPPORTED_MAJOR_VERSION = '1';

/** Options for reading metadata. */
export interface ReadOptions {
  /**
   * Opt-in lenient parse for real-world legacy metadata (off by default): `expires` in any
   * RFC 3339 form (fractional seconds, as go-tuf writes them; UTC offsets, as sigstore's
   * first root has) and ECDSA keys as hex SEC1 points. Each non-standard value is kept
   * exactly as written, so the signed bytes, and with them the signatures, stay intact.
   */
  readonly lenient?: boolean;
}

/** Common fields of a role's `signed` part, for subclass constructors. */
export interface SignedFields {
  version?: number;
  specVersion?: string;
  expires?: Date;
  unrecognizedFields?: UnrecognizedFields;
}

/**
 * Base class of {@link Root}, {@link Timestamp}, {@link Snapshot} and {@link Targets}.
 *
 * Defaults are python-tuf's: version 1, `spec_version` {@link SPECIFICATION_VERSION},
 * `expires` now (whole seconds).
 */
export abstract class Signed {
  /** The role type, written as `_type`. */
  abstract readonly type: RoleType;
  /** The metadata version, ≥ 1 (spec §4.1). */
  version: number;
  /** The spec version the metadata claims to follow. */
  specVersion: string;
  /** Fields other than the known ones, kept for round trips. */
  unrecognizedFields: UnrecognizedFields;
  private expiresDate: Date;
  // The `expires` text as read, kept only when it is not in the spec's form (lenient parse).
  private expiresText: string | undefined;

  protected constructor(fields: SignedFields) {
    const version = fields.version ?? 1;
    if (!Number.isSafeInteger(version) || version < 1) throw new ValueError(`version: must be an integer ≥ 1, found ${version}`);
    this.version = version;
    this.specVersion = checkSpecVersion(fields.specVersion ?? SPECIFICATION_VERSION, 'spec_version');
    this.expiresDate = wholeSeconds(fields.expires ?? new Date());
    checkDate(this.expiresDate, 'expires');
    this.unrecognizedFields = fields.unrecognizedFields ?? {};
  }

  /** When the metadata expires (spec §4.1: UTC, whole seconds). */
  get expires(): Date {
    return new Date(this.expiresDate.getTime());
  }

  set expires(date: Date) {
    const whole = wholeSeconds(date);
    checkDate(whole, 'expires');
    this.expiresDate = whole;
    this.expiresText = undefined;
  }

  /** `expires` as it is written: the text read when it was not in the spec's form, else the spec's form. */
  get expiresString(): string {
    return this.expiresText ?? formatExpires(this.expiresDate);
  }

  /** True when `referenceTime` (default: now) is at or past `expires` (spec §5.3.10, §5.4.4, ...). */
  isExpired(referenceTime: Date = new Date()): boolean {
    return referenceTime.getTime() >= this.expiresDate.getTime();
  }

  /** The `signed` object as stored (what signatures cover, in canonical form). */
  abstract toDict(): JsonObject;

  /** The common fields as stored, for subclasses' `toDict`. */
  protected commonDict(): JsonObject {
    return {
      ...this.unrecognizedFields,
      _type: this.type,
      expires: this.expiresString,
      spec_version: this.specVersion,
      version: this.version,
    };
  }

  /** Keep the original text of a leniently read `expires` (used by parsers). */
  protected keepExpiresText(text: string | undefined): void {
    this.expiresText = text;
  }
}

/** Common fields read from a `signed` object, with what the parser needs to finish. */
export interface ReadCommon {
  readonly fields: SignedFields;
  readonly expiresText: string | undefined;
}

/**
 * Take the common fields out of `fields` (a copy of `signed`), checking `_type`.
 * What the subclass does not take afterwards is its unrecognized fields.
 */
export function takeCommonFields(fields: FieldReader, type: RoleType, options: ReadOptions = {}): ReadCommon {
  const actual = take(fields, '_type');
  if (actual !== type) {
    throw new DeserializationError(`signed._type: expected ${JSON.stringify(type)}, found ${JSON.stringify(actual ?? null)}`);
  }
  const version = asInteger(take(fields, 'version'), 'signed.version', 1);
  const specVersion = checkSpecVersion(asString(take(fields, 'spec_version'), 'signed.spec_version'), 'signed.spec_version');
  const parsed = parseExpires(asString(take(fields, 'expires'), 'signed.expires'), 'signed.expires', options.lenient === true);
  return { fields: { version, specVersion, expires: parsed.date }, expiresText: parsed.nonStandard };
}

/**
 * Check a `spec_version`: two or three dot-separated decimal numbers whose major version
 * is one tufkit supports (as python-tuf checks it).
 */
export function checkSpecVersion(specVersion: string, path: string): string {
  const parts = specVersion.split('.');
  if (parts.length < 2 || parts.length > 3 || !parts.every((p) => /^[0-9]+$/.test(p))) {
    throw new DeserializationError(`${path}: ${JSON.stringify(specVersion)} is not a version like 1.0.31`);
  }
  if (parts[0] !== SUPPORTED_MAJOR_VERSION) {
    throw new DeserializationError(`${path}: spec version ${specVersion} is not supported (major version must be ${SUPPORTED_MAJOR_VERSION})`);
  }
  return specVersion;
}
