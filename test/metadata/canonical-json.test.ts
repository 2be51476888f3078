/**
 * TUF canonical JSON (spec §4.1 "Metaformat": signatures cover the canonical form of
 * `signed`), as securesystemslib's `encode_canonical` writes it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalString, compareCodePoints, encodeCanonical, MAX_DEPTH, pythonJson, SerializationError } from '../../src/index.js';

/**
 * An independent reference, written for clarity rather than speed: sort keys by comparing
 * arrays of code points; escape only `"` and `\`.
 */
function reference(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return '"' + [...value].map((c) => (c === '"' || c === '\\' ? '\\' + c : c)).join('') + '"';
  if (Array.isArray(value)) return '[' + value.map(reference).join(',') + ']';
  const byCodePoints = (a: string, b: string) => {
    const x = [...a].map((c) => c.codePointAt(0)!);
    const y = [...b].map((c) => c.codePointAt(0)!);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
    return x.length - y.length;
  };
  const obj = value as Record<string, unknown>;
  return '{' + Object.keys(obj).sort(byCodePoints).map((k) => reference(k) + ':' + reference(obj[k])).join(',') + '}';
}

/** Strings biased towards what breaks serializers: controls, quotes, backslashes, astral characters, digit keys. */
const trickyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '\u2028', '\uffff', '\u{10000}', '\u{1f600}', 'a', '0', '/'), maxLength: 8 }),
  fc.nat({ max: 5000 }).map(String),
);
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    trickyString,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(trickyString, tie('value'), { maxKeys: 6 }),
  ),
})).value;

describe('canonical JSON', () => {
  it('matches the independent reference on random documents (property)', () => {
    fc.assert(fc.property(json, (doc) => canonicalString(doc) === reference(doc)), { numRuns: 3000 });
  });

  it('is byte-identical to JSON.parse∘canonical round trips (property)', () => {
    fc.assert(fc.property(json, (doc) => canonicalString(JSON.parse(JSON.stringify(doc))) === canonicalString(doc)), { numRuns: 1000 });
  });

  it('writes control characters and non-ASCII as raw UTF-8; escapes only " and \\', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n';
    const bytes = Buffer.from(encodeCanonical({ public: pem, q: 'a"b\\c', u: 'ö\u0001\u007f' }));
    expect(bytes.toString('utf8')).toBe(`{"public":"${pem}","q":"a\\"b\\\\c","u":"ö\u0001\u007f"}`);
    // RFC 8785 (JCS, the `canonicalize` package) would write "\n" as the two characters \n
    // and U+0001 as \u0001, so every PEM key would hash differently:
    expect(bytes.includes(Buffer.from('\\n'))).toBe(false);
    expect(bytes.includes(0x0a)).toBe(true);
    expect(bytes.includes(0x01)).toBe(true);
  });

  it('sorts keys by code point, not UTF-16 code unit (where @tufjs/canonical-json differs)', () => {
    // U+FFFF < U+10000 by code point; but "\uffff" > "\ud800\udc00" by UTF-16 code unit.
    const doc = { '\u{10000}': 1, '\uffff': 2, z: 3, 'é': 4, A: 5 };
    expect(canonicalString(doc)).toBe('{"A":5,"z":3,"é":4,"\uffff":2,"\u{10000}":1}');
    expect(['\u{10000}', '\uffff'].sort()).toEqual(['\u{10000}', '\uffff']); // what UTF-16 order gives
    expect(compareCodePoints('\uffff', '\u{10000}')).toBeLessThan(0);
  });

  it('orders integer-like keys as strings, as Python does ("10" < "9" < "a")', () => {
    expect(canonicalString({ a: 0, 9: 1, 10: 2, '-1': 3 })).toBe('{"-1":3,"10":2,"9":1,"a":0}');
  });

  it('keeps a key named __proto__ (no prototype tricks)', () => {
    const doc = JSON.parse('{"b":1,"__proto__":{"x":1},"a":2}') as object;
    expect(canonicalString(doc)).toBe('{"__proto__":{"x":1},"a":2,"b":1}');
  });

  it('accepts integers up to ±(2^53−1) and refuses the rest, naming the path', () => {
    expect(canonicalString({ n: Number.MAX_SAFE_INTEGER, m: -Number.MAX_SAFE_INTEGER, z: -0 })).toBe(
      '{"m":-9007199254740991,"n":9007199254740991,"z":0}',
    );
    expect(() => canonicalString({ a: { b: [1, 1.5] } })).toThrow(SerializationError);
    expect(() => canonicalString({ a: { b: [1, 1.5] } })).toThrow('$.a.b[1]: 1.5 is not an integer');
    expect(() => canonicalString({ n: 2 ** 53 })).toThrow(/\$\.n: 9007199254740992/);
    expect(() => canonicalString({ n: NaN })).toThrow(/NaN/);
    expect(() => canonicalString({ n: Infinity })).toThrow(/Infinity/);
  });

  it('refuses values JSON has no form for, and lone surrogates (no UTF-8 form)', () => {
    expect(() => canonicalString({ d: new Date(0) })).toThrow(/\$\.d: a Date has no canonical JSON form/);
    expect(() => canonicalString({ f: () => 1 })).toThrow(/a function has no JSON form/);
    expect(() => canonicalString({ big: 1n })).toThrow(/a bigint has no JSON form/);
    expect(() => canonicalString({ s: 'a\ud800b' })).toThrow(/lone UTF-16 surrogate/);
    expect(() => canonicalString({ ['\udc00']: 1 })).toThrow(/lone UTF-16 surrogate/);
  });

  it('skips undefined values in objects, as JSON.stringify does; refuses them in arrays', () => {
    expect(canonicalString({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalString([undefined])).toThrow(/\$\[0\]: undefined has no JSON form/);
  });

  it(`handles nesting up to ${MAX_DEPTH} levels and refuses deeper input without overflowing`, () => {
    let ok: unknown = 1;
    for (let i = 0; i < MAX_DEPTH; i++) ok = [ok];
    expect(canonicalString(ok)).toBe('['.repeat(MAX_DEPTH) + '1' + ']'.repeat(MAX_DEPTH));
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(() => canonicalString(deep)).toThrow(/nested deeper than 512 levels/);
  });
});

describe('python-tuf file format (json.dumps indent=1, sort_keys, ensure_ascii)', () => {
  it('escapes non-ASCII and DEL as lowercase \\u escapes, astral characters as surrogate pairs', () => {
    expect(pythonJson({ 'ö': '\u007f\u{1f600}\n\u0001' })).toBe('{\n "\\u00f6": "\\u007f\\ud83d\\ude00\\n\\u0001"\n}');
  });

  it('lays out nested and empty containers as Python does', () => {
    expect(pythonJson({ b: [1, {}], a: [], c: { d: null } })).toBe('{\n "a": [],\n "b": [\n  1,\n  {}\n ],\n "c": {\n  "d": null\n }\n}');
    expect(pythonJson({ b: [1, {}], a: [] }, { compact: true })).toBe('{"a":[],"b":[1,{}]}');
  });

  it('takes the same layout on the slow path (integer-like keys)', () => {
    expect(pythonJson({ 10: { x: [1] }, 9: 'é' })).toBe('{\n "10": {\n  "x": [\n   1\n  ]\n },\n "9": "\\u00e9"\n}');
  });
});
