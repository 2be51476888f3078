/**
 * The little DER (ITU-T X.690 §10) that signers need: building SubjectPublicKeyInfo
 * (RFC 5280 §4.1.2.7) and ECDSA-Sig-Value (RFC 3279 §2.2.3), and reading what tokens
 * return (CKA_EC_PARAMS, CKA_EC_POINT, certificates).
 *
 * The reader is strict: definite, minimal lengths only, and every read stays inside its
 * buffer. It is not a general ASN.1 library.
 */
import { KeyFormatError } from '../errors.js';

/** Universal tags used here. */
export const TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  SEQUENCE: 0x30,
} as const;

/** One parsed TLV: its tag, its content and where the next TLV starts. */
export interface Tlv {
  readonly tag: number;
  readonly content: Uint8Array;
  /** Offset of the byte after this TLV in the buffer it was read from. */
  readonly end: number;
}

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

/** Concatenate byte arrays. */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** A TLV with `tag` around `content`. */
export function tlv(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), encodeLength(content.length), content);
}

/** SEQUENCE of the given encoded elements. */
export function sequence(...elements: readonly Uint8Array[]): Uint8Array {
  return tlv(TAG.SEQUENCE, concatBytes(...elements));
}

/** INTEGER holding the unsigned big-endian `magnitude` (minimal encoding, X.690 §8.3.2). */
export function unsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  let body = magnitude.subarray(start);
  if (body.length === 0) body = Uint8Array.of(0);
  if ((body[0] as number) & 0x80) body = concatBytes(Uint8Array.of(0), body);
  return tlv(TAG.INTEGER, body);
}

/** OBJECT IDENTIFIER from dotted decimal (X.690 §8.19). */
export function objectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => Number(a));
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new KeyFormatError(`OID ${dotted}: not dotted decimal`);
  const out: number[] = [];
  const first = (arcs[0] as number) * 40 + (arcs[1] as number);
  for (const arc of [first, ...arcs.slice(2)]) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift(0x80 | (n & 0x7f));
    out.push(...chunk);
  }
  return tlv(TAG.OID, Uint8Array.from(out));
}

/** Dotted decimal of an OBJECT IDENTIFIER's content bytes. */
export function oidToString(content: Uint8Array): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  if (arcs.length === 0) return '';
  const first = arcs[0] as number;
  const head = first < 80 ? [Math.floor(first / 40), first % 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

/** BIT STRING with no unused bits. */
export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.BIT_STRING, concatBytes(Uint8Array.of(0), bytes));
}

/** OCTET STRING. */
export function octetString(bytes: Uint8Array): Uint8Array {
  return tlv(TAG.OCTET_STRING, bytes);
}

/** NULL. */
export const DER_NULL = Uint8Array.of(TAG.NULL, 0);

/**
 * Read one TLV at `offset` of `bytes`.
 * @throws {@link KeyFormatError} naming `what` for truncated, indefinite or non-minimal lengths.
 */
export function readTlv(bytes: Uint8Array, offset = 0, what = 'DER'): Tlv {
  if (offset + 2 > bytes.length) throw new KeyFormatError(`${what}: truncated DER at byte ${offset}`);
  const tag = bytes[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new KeyFormatError(`${what}: multi-byte DER tags are not supported`);
  let length = bytes[offset + 1] as number;
  let pos = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0) throw new KeyFormatError(`${what}: indefinite DER length`);
    if (count > 4) throw new KeyFormatError(`${what}: DER length of ${count} bytes`);
    if (pos + count > bytes.length) throw new KeyFormatError(`${what}: truncated DER length`);
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (bytes[pos + i] as number);
    if (length < 0x80 || bytes[pos] === 0) throw new KeyFormatError(`${what}: non-minimal DER length`);
    pos += count;
  }
  if (pos + length > bytes.length) throw new KeyFormatError(`${what}: DER value of ${length} bytes runs past the end`);
  return { tag, content: bytes.subarray(pos, pos + length), end: pos + length };
}

/** Read `bytes` as exactly one TLV with `tag`. @throws {@link KeyFormatError} */
export function readSingle(bytes: Uint8Array, tag: number, what: string): Uint8Array {
  const t = readTlv(bytes, 0, what);
  if (t.tag !== tag) throw new KeyFormatError(`${what}: expected DER tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  if (t.end !== bytes.length) throw new KeyFormatError(`${what}: ${bytes.length - t.end} bytes after the DER value`);
  return t.content;
}

/** The elements of a constructed value's content, in order. */
export function readElements(content: Uint8Array, what: string): Tlv[] {
  const out: Tlv[] = [];
  for (let off = 0; off < content.length; ) {
    const t = readTlv(content, off, what);
    out.push(t);
    off = t.end;
  }
  return out;
}

/**
 * ECDSA-Sig-Value (RFC 3279 §2.2.3) from the raw `r‖s` a PKCS#11 token returns for
 * CKM_ECDSA (PKCS#11 v2.40 §2.3.1: both halves of the curve's order size).
 */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0) throw new KeyFormatError(`ECDSA signature: raw r||s of ${raw.length} bytes is not two equal halves`);
  const half = raw.length / 2;
  return sequence(unsignedInteger(raw.subarray(0, half)), unsignedInteger(raw.subarray(half)));
}
