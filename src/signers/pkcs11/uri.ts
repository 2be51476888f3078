/**
 * PKCS#11 URIs (RFC 7512): parsing, formatting and redaction.
 *
 * ```
 * pkcs11:token=Root%20HSM;object=root-1;id=%01?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:ROOT_PIN
 * ```
 *
 * Path attributes (RFC 7512 §2.3): `token`, `manufacturer`, `serial`, `model`,
 * `library-manufacturer`, `library-description`, `library-version`, `object`, `type`, `id`,
 * `slot-manufacturer`, `slot-description`, `slot-id`; query attributes: `module-path`,
 * `module-name`, `pin-source`, `pin-value`; and vendor attributes `x-…` in either part.
 *
 * tufkit's decisions:
 * - `pin-value` is refused: a PIN written in a URI ends up in shell history, process lists,
 *   configuration files and logs. Use `pin-source=env:NAME` or `pin-source=prompt`.
 *   Every message shows URIs through {@link redactUri}, which hides a `pin-value` anyway.
 * - `pin-source` takes `env:NAME` or `prompt` (RFC 7512 allows any URI, e.g. `file:`;
 *   PINs are never read from files).
 * - An attribute given twice, an unknown non-vendor attribute or a malformed percent escape
 *   is an error (RFC 7512 §2.3: attributes must not repeat; unknown ones must not be ignored
 *   when they could change which object is meant).
 */
import { SignerError, ValueError } from '../../errors.js';
import type { KeyFilter } from './objects.js';
import type { TokenFilter } from './token.js';

/** A parsed PKCS#11 URI. */
export interface Pkcs11Uri {
  /** Which token (RFC 7512 token, slot and library attributes). */
  readonly token: TokenFilter;
  /** Which key (`object` = CKA_LABEL, `id` = CKA_ID bytes). */
  readonly key: KeyFilter;
  /** `type=` (public, private, cert, secret-key, data), if given. */
  readonly type?: string;
  /** `module-path=`. */
  readonly modulePath?: string;
  /** `module-name=`. */
  readonly moduleName?: string;
  /** `pin-source=` (`env:NAME` or `prompt`). */
  readonly pinSource?: string;
  /** Vendor (`x-…`) attributes, path and query. */
  readonly vendor: ReadonlyMap<string, string>;
}

const PATH_ATTRS = new Map<string, keyof TokenFilter | 'object' | 'id' | 'type'>([
  ['token', 'token'],
  ['manufacturer', 'manufacturer'],
  ['serial', 'serial'],
  ['model', 'model'],
  ['library-manufacturer', 'libraryManufacturer'],
  ['library-description', 'libraryDescription'],
  ['library-version', 'libraryVersion'],
  ['slot-manufacturer', 'slotManufacturer'],
  ['slot-description', 'slotDescription'],
  ['slot-id', 'slotId'],
  ['object', 'object'],
  ['id', 'id'],
  ['type', 'type'],
]);
const QUERY_ATTRS = new Set(['module-path', 'module-name', 'pin-source', 'pin-value']);
const TYPES = new Set(['public', 'private', 'cert', 'secret-key', 'data']);

/**
 * The URI with the value of any `pin-value` attribute replaced (also when its name is
 * percent-encoded or in any case); safe to print, whatever the input.
 */
export function redactUri(uri: string): string {
  return uri.replace(/([?&;:])([^=;?&#:]*)=([^&;?#]*)/g, (whole, sep: string, name: string) => {
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // keep it as written
    }
    return decoded.toLowerCase() === 'pin-value' ? `${sep}${name}=REDACTED` : whole;
  });
}

/** Percent-decode to bytes (RFC 3986 §2.1). @throws {@link ValueError} on a malformed escape. */
export function percentDecode(text: string, what: string): Uint8Array {
  const out: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i] as number;
    if (b !== 0x25) {
      out.push(b);
      continue;
    }
    const hex = raw.subarray(i + 1, i + 3).toString('latin1');
    if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new ValueError(`${what}: malformed percent escape at "${text.slice(i, i + 3)}"`);
    out.push(parseInt(hex, 16));
    i += 2;
  }
  return Uint8Array.from(out);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeText(text: string, what: string): string {
  try {
    return utf8.decode(percentDecode(text, what));
  } catch (err) {
    if (err instanceof ValueError) throw err;
    throw new ValueError(`${what}: not UTF-8 after percent-decoding`);
  }
}

/** The attributes of one part (`sep`-separated `name=value`), with duplicates refused. */
export function splitAttributes(part: string, sep: string, what: string): Array<[string, string]> {
  if (part === '') return [];
  const seen = new Set<string>();
  return part.split(sep).map((pair) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ValueError(`${what}: expected name=value, found ${JSON.stringify(redactUri(pair))}`);
    const name = pair.slice(0, eq).toLowerCase();
    if (seen.has(name)) throw new ValueError(`${what}: attribute ${name} given twice`);
    seen.add(name);
    return [name, pair.slice(eq + 1)];
  });
}

/**
 * Parse a `pkcs11:` URI.
 * @throws {@link ValueError} for a malformed URI (the message shows it redacted),
 *   {@link SignerError} for `pin-value`.
 */
export function parsePkcs11Uri(uri: string): Pkcs11Uri {
  const shown = redactUri(uri);
  if (!uri.toLowerCase().startsWith('pkcs11:')) throw new ValueError(`${shown}: not a pkcs11: URI`);
  const rest = uri.slice('pkcs11:'.length);
  if (rest.includes('#')) throw new ValueError(`${shown}: a PKCS#11 URI has no fragment`);
  const q = rest.indexOf('?');
  const pathPart = q < 0 ? rest : rest.slice(0, q);
  const queryPart = q < 0 ? '' : rest.slice(q + 1);
  const token: Record<string, string> = {};
  const key: { label?: string; id?: Uint8Array } = {};
  const vendor = new Map<string, string>();
  let type: string | undefined;
  for (const [name, value] of splitAttributes(pathPart, ';', shown)) {
    const what = `${shown}: ${name}`;
    if (name.startsWith('x-')) {
      vendor.set(name, decodeText(value, what));
      continue;
    }
    const field = PATH_ATTRS.get(name);
    if (field === undefined) {
      const hint = QUERY_ATTRS.has(name) ? ` (${name} belongs in the query, after "?")` : '';
      throw new ValueError(`${shown}: unknown path attribute ${name}${hint}`);
    }
    if (field === 'id') key.id = percentDecode(value, what);
    else if (field === 'object') key.label = decodeText(value, what);
    else if (field === 'type') {
      type = decodeText(value, what);
      if (!TYPES.has(type)) throw new ValueError(`${what}: expected one of ${[...TYPES].join(', ')}`);
    } else {
      const text = decodeText(value, what);
      if (field === 'slotId' && !/^[0-9]+$/.test(text)) throw new ValueError(`${what}: expected a decimal slot number`);
      if (field === 'libraryVersion' && !/^[0-9]+(\.[0-9]+)?$/.test(text)) throw new ValueError(`${what}: expected M or M.N`);
      token[field] = text;
    }
  }
  let modulePath: string | undefined;
  let moduleName: string | undefined;
  let pinSource: string | undefined;
  for (const [name, value] of splitAttributes(queryPart, '&', shown)) {
    if (name === 'pin-value') {
      throw new SignerError(`${shown}: pin-value is not accepted (a PIN in a URI leaks into histories and logs); use pin-source=env:NAME or pin-source=prompt`);
    }
    const what = `${shown}: ${name}`;
    if (name.startsWith('x-')) vendor.set(name, decodeText(value, what));
    else if (name === 'module-path') modulePath = decodeText(value, what);
    else if (name === 'module-name') moduleName = decodeText(value, what);
    else if (name === 'pin-source') pinSource = decodeText(value, what);
    else {
      const hint = PATH_ATTRS.has(name) ? ` (${name} belongs in the path, before "?")` : '';
      throw new ValueError(`${shown}: unknown query attribute ${name}${hint}`);
    }
  }
  return {
    token: token as TokenFilter,
    key,
    ...(type !== undefined ? { type } : {}),
    ...(modulePath !== undefined ? { modulePath } : {}),
    ...(moduleName !== undefined ? { moduleName } : {}),
    ...(pinSource !== undefined ? { pinSource } : {}),
    vendor,
  };
}

// RFC 7512 §2.3: characters a value may hold unescaped (unreserved plus some sub-delims).
const PATH_SAFE = /[A-Za-z0-9\-._~:[\]@!$'()*+,]/;
const QUERY_SAFE = /[A-Za-z0-9\-._~:[\]@!$'()*+,/?|]/;

/** Percent-encode `value` for a path (`query` false) or query attribute. */
export function percentEncode(value: string | Uint8Array, query = false): string {
  if (typeof value !== 'string') return Array.from(value, (b) => '%' + b.toString(16).padStart(2, '0').toUpperCase()).join('');
  const safe = query ? QUERY_SAFE : PATH_SAFE;
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && safe.test(ch) ? ch : '%' + byte.toString(16).padStart(2, '0').toUpperCase();
  }
  return out;
}

/** What {@link formatPkcs11Uri} writes. */
export interface Pkcs11UriParts {
  readonly token?: TokenFilter;
  readonly key?: KeyFilter;
  readonly type?: string;
  readonly modulePath?: string;
  readonly moduleName?: string;
  readonly pinSource?: string;
}

const FIELD_NAMES: Array<[keyof TokenFilter, string]> = [
  ['token', 'token'],
  ['manufacturer', 'manufacturer'],
  ['model', 'model'],
  ['serial', 'serial'],
  ['slotId', 'slot-id'],
  ['slotDescription', 'slot-description'],
  ['slotManufacturer', 'slot-manufacturer'],
  ['libraryManufacturer', 'library-manufacturer'],
  ['libraryDescription', 'library-description'],
  ['libraryVersion', 'library-version'],
];

/** A `pkcs11:` URI for `parts` (never with a PIN). */
export function formatPkcs11Uri(parts: Pkcs11UriParts): string {
  const path: string[] = [];
  for (const [field, name] of FIELD_NAMES) {
    const v = parts.token?.[field];
    if (v !== undefined) path.push(`${name}=${percentEncode(v)}`);
  }
  if (parts.key?.label !== undefined) path.push(`object=${percentEncode(parts.key.label)}`);
  if (parts.key?.id !== undefined) path.push(`id=${percentEncode(parts.key.id)}`);
  if (parts.type !== undefined) path.push(`type=${percentEncode(parts.type)}`);
  const query: string[] = [];
  if (parts.modulePath !== undefined) query.push(`module-path=${percentEncode(parts.modulePath, true)}`);
  if (parts.moduleName !== undefined) query.push(`module-name=${percentEncode(parts.moduleName, true)}`);
  if (parts.pinSource !== undefined) query.push(`pin-source=${percentEncode(parts.pinSource, true)}`);
  return `pkcs11:${path.join(';')}${query.length ? '?' + query.join('&') : ''}`;
}
