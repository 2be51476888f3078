/**
 * TUF's canonical JSON: the exact bytes that signatures cover (spec §4.1 "Metaformat").
 *
 * This is OLPC canonical JSON as securesystemslib's `encode_canonical` writes it — the
 * serializer python-tuf, go-tuf and tuf-js sign with:
 *
 * - objects: keys sorted by Unicode code point (Python's `sorted` on `str`), no whitespace;
 * - strings: `"` and `\` are escaped with a backslash, nothing else: control characters
 *   (the newlines inside PEM keys among them) and all non-ASCII characters are written as
 *   raw UTF-8;
 * - numbers: integers only; floats, NaN, ±Infinity and integers beyond ±(2^53−1) are refused;
 * - `true`, `false`, `null`, arrays in order.
 *
 * It is *not* RFC 8785 (JCS): JCS escapes control characters (`\n` in every PEM key) and
 * writes floats, so it produces other bytes for every RSA/ECDSA key. It is also not
 * `@tufjs/canonical-json`, which sorts keys by UTF-16 code unit and so orders keys outside
 * the Basic Multilingual Plane differently from securesystemslib.
 */
import { SerializationError } from '../errors.js';

/** A JSON value as tufkit handles it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

// One scan finds every string that needs more than quotes: `"`, `\` or a surrogate
// (possibly lone, which has no UTF-8 form).
const SPECIAL = /["\\\ud800-\udfff]/;
const ESCAPE_ALL = /["\\]/g;
// Code units from U+D800 upward: only keys containing one can sort differently by code
// point than by UTF-16 code unit.
const HIGH_UNIT = /[\ud800-\uffff]/;

/** Nesting limit: deeper input is refused rather than overflowing the stack. */
export const MAX_DEPTH = 512;

/** Encode `value` as TUF canonical JSON and return its UTF-8 bytes. */
export function encodeCanonical(value: unknown): Uint8Array {
  return Buffer.from(canonicalString(value), 'utf8');
}

/**
 * Encode `value` as a TUF canonical JSON string (before UTF-8 encoding).
 *
 * Two paths give the same bytes. The fast path lets `JSON.stringify` write the text once
 * {@link toStringifyOrder} has checked that its output is canonical: every object
 * enumerates its keys in code point order (objects that do not are copied in that order),
 * and no string holds a control character or a surrogate, which `JSON.stringify` would
 * escape. Anything else (integer-like keys, which V8 enumerates first; keys or strings
 * with such characters; values with no canonical form) takes the plain recursive writer,
 * which also produces the error messages.
 * @throws {@link SerializationError} naming the JSON path of a value that has no canonical form.
 */
export function canonicalString(value: unknown): string {
  const ordered = toStringifyOrder(value, true);
  if (ordered !== NOT_FAST) return JSON.stringify(ordered);
  try {
    return write(value, 0);
  } catch (err) {
    if (err instanceof PathError) {
      throw new SerializationError(`$${err.path.reverse().join('')}: ${err.message}`);
    }
    throw err;
  }
}

/** Returned by {@link toStringifyOrder}: "take the plain writer". */
export const NOT_FAST: unique symbol = Symbol('not-fast');
// Characters JSON.stringify escapes beyond `"` and `\`: controls and (lone) surrogates.
const STRINGIFY_ESCAPES = /[\u0000-\u001f\ud800-\udfff]/;
const SURROGATE = /[\ud800-\udfff]/;
// Keys V8 enumerates before all others, in numeric order (array-index-like).
const INDEX_KEY = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * Return `value`, or a copy of it, whose `JSON.stringify` output lists every object's keys
 * in code point order; or {@link NOT_FAST} where that cannot be arranged: integer-like or
 * surrogate-holding keys, values JSON has no integer form for, and — when `canonical` —
 * strings or keys that `JSON.stringify` would escape beyond `"` and `\` (controls,
 * surrogates).
 * @internal shared with the python-json writer.
 */
export function toStringifyOrder(value: unknown, canonical: boolean): unknown {
  try {
    return orderValue(value, 0, canonical);
  } catch (err) {
    if (err === NOT_FAST) return NOT_FAST;
    throw err;
  }
}

// The walk is plain module functions, one per JSON kind: measured 2x faster than the same
// code as class methods, and a single generic recursive function deoptimized over and over
// in V8 on documents with 100,000 entries.
const BAD_KEY_CANONICAL = new RegExp(`${SURROGATE.source}|${INDEX_KEY.source}|${STRINGIFY_ESCAPES.source}`);
const BAD_KEY_PYTHON = new RegExp(`${SURROGATE.source}|${INDEX_KEY.source}`);

function orderValue(value: unknown, depth: number, canonical: boolean): unknown {
  switch (typeof value) {
    case 'string':
      if (canonical && STRINGIFY_ESCAPES.test(value)) throw NOT_FAST;
      return value;
    case 'number':
      if (!Number.isSafeInteger(value)) throw NOT_FAST;
      return value;
    case 'boolean':
      return value;
    case 'object':
      if (value === null) return null;
      if (depth >= MAX_DEPTH) throw NOT_FAST;
      return Array.isArray(value) ? orderArray(value, depth, canonical) : orderObject(value, depth, canonical);
    default:
      throw NOT_FAST;
  }
}

function orderArray(items: unknown[], depth: number, canonical: boolean): unknown[] {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) throw NOT_FAST;
    const normal = orderValue(item, depth + 1, canonical);
    if (normal !== item) (copy ??= items.slice())[i] = normal;
  }
  return copy ?? items;
}

function orderObject(obj: object, depth: number, canonical: boolean): object {
  if (!isPlainObject(obj)) throw NOT_FAST;
  const record = obj as Record<string, unknown>;
  const badKey = canonical ? BAD_KEY_CANONICAL : BAD_KEY_PYTHON;
  // The common case, without allocating: keys already in order and no child copied.
  // (for-in may also list inherited enumerable keys of a polluted Object.prototype; that
  // only sends us to the exact path below, which reads own keys only.)
  let previous: string | undefined;
  for (const key in record) {
    if (badKey.test(key)) throw NOT_FAST;
    if (previous !== undefined && !(previous < key)) return reordered(record, depth, canonical);
    const item = record[key];
    if (item === undefined) throw NOT_FAST;
    if (orderValue(item, depth + 1, canonical) !== item) return reordered(record, depth, canonical);
    previous = key;
  }
  return obj;
}

/** `record` copied with its own keys in code point order and its children normalized. */
function reordered(record: Record<string, unknown>, depth: number, canonical: boolean): object {
  const keys = Object.keys(record);
  const badKey = canonical ? BAD_KEY_CANONICAL : BAD_KEY_PYTHON;
  for (const key of keys) if (badKey.test(key)) throw NOT_FAST;
  keys.sort(); // no surrogates here: UTF-16 order is code point order
  // A null prototype makes a key named "__proto__" an ordinary property.
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) throw NOT_FAST;
    out[key] = orderValue(item, depth + 1, canonical);
  }
  return out;
}

/** Internal: an error on its way up, collecting the JSON path as it goes. */
class PathError extends Error {
  readonly path: string[] = [];
}

function write(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      if (!Number.isSafeInteger(value)) {
        throw new PathError(`${value} is not an integer within ±(2^53−1); canonical JSON has integers only`);
      }
      return Object.is(value, -0) ? '0' : String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new PathError(`${value === undefined ? 'undefined' : 'a ' + typeof value} has no JSON form`);
  }
  if (value === null) return 'null';
  if (depth >= MAX_DEPTH) throw new PathError(`nested deeper than ${MAX_DEPTH} levels`);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      try {
        out += write(value[i], depth + 1);
      } catch (err) {
        if (err instanceof PathError) err.path.push(`[${i}]`);
        throw err;
      }
    }
    return out + ']';
  }
  if (!isPlainObject(value)) {
    throw new PathError(`a ${value.constructor?.name ?? 'object'} has no canonical JSON form; convert it first`);
  }
  const obj = value as Record<string, unknown>;
  out = '{';
  let first = true;
  for (const key of sortedKeys(obj)) {
    const v = obj[key];
    if (v === undefined) continue; // as JSON.stringify: an undefined value is an absent key
    try {
      out += (first ? '' : ',') + quote(key) + ':' + write(v, depth + 1);
    } catch (err) {
      if (err instanceof PathError) err.path.push('.' + key);
      throw err;
    }
    first = false;
  }
  return out + '}';
}

/** True for `{}` literals and `Object.create(null)` objects: the only objects JSON has. */
export function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function quote(s: string): string {
  if (!SPECIAL.test(s)) return '"' + s + '"';
  if (!s.isWellFormed()) {
    throw new PathError(`string ${JSON.stringify(s.slice(0, 40))} has a lone UTF-16 surrogate, which has no UTF-8 form`);
  }
  return '"' + s.replace(ESCAPE_ALL, '\\$&') + '"';
}

/** Object keys in Unicode code point order (Python's `sorted` on `str`). */
export function sortedKeys(obj: object): string[] {
  return sortedStrings(Object.keys(obj));
}

/** Sort `strings` in place by Unicode code point (Python's `sorted` on `str`) and return it. */
export function sortedStrings(strings: string[]): string[] {
  // UTF-16 order equals code point order unless a string holds a code unit ≥ U+D800.
  if (strings.some((k) => HIGH_UNIT.test(k))) return strings.sort(compareCodePoints);
  return strings.sort();
}

/** Compare two strings by Unicode code point, as Python compares `str`. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A surrogate (D800–DFFF) starts a code point ≥ U+10000, above every BMP unit.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
