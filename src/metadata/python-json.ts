/**
 * The on-disk form python-tuf writes: `json.dumps(obj, indent=1, separators=(",", ": "),
 * sort_keys=True)` with Python's default `ensure_ascii=True` (python-tuf's
 * `JSONSerializer(compact=False)`), or `separators=(",", ":")` without indent (compact).
 *
 * Writing metadata files in this form makes tufkit's files byte-identical with
 * python-tuf's for the same metadata. (Signatures do not depend on it: they cover the
 * canonical JSON of `signed`, see `canonical-json.ts`.)
 *
 * Python's layout with `indent=1` is the layout of `JSON.stringify(value, null, 1)`, and
 * both escape `"`, `\` and control characters alike (`\n`, `\t`, `\u001f`, ...); Python
 * additionally escapes every character outside printable ASCII (U+007F and above) as
 * `\uXXXX` with lowercase hex, characters beyond the BMP as a surrogate pair.
 */
import { SerializationError } from '../errors.js';
import { isPlainObject, MAX_DEPTH, NOT_FAST, sortedKeys, toStringifyOrder } from './canonical-json.js';

/** Options of {@link pythonJson}. */
export interface PythonJsonOptions {
  /** `true`: `separators=(",", ":")`, no newlines; default `false`: `indent=1`. */
  readonly compact?: boolean;
}

const HAS_NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII = /[\u007f-\uffff]/g;

/** Serialize `value` exactly as python-tuf's `JSONSerializer` would (see module doc). */
export function pythonJson(value: unknown, options: PythonJsonOptions = {}): string {
  const indent = options.compact ? undefined : 1;
  const ordered = toStringifyOrder(value, false);
  let text: string;
  if (ordered !== NOT_FAST) {
    text = JSON.stringify(ordered, null, indent);
  } else {
    text = writePretty(value, indent === undefined ? null : '\n', 0, '$');
  }
  return HAS_NON_ASCII.test(text) ? text.replace(NON_ASCII, escapeUnit) : text;
}

function escapeUnit(ch: string): string {
  return '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');
}

/** The plain writer, for what the fast path cannot order (integer-like keys, surrogate keys). */
function writePretty(value: unknown, newline: string | null, depth: number, path: string): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isSafeInteger(value)) throw new SerializationError(`${path}: ${value} is not an integer within ±(2^53−1)`);
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw new SerializationError(`${path}: a ${typeof value} has no JSON form`);
  }
  if (value === null) return 'null';
  if (depth >= MAX_DEPTH) throw new SerializationError(`${path}: nested deeper than ${MAX_DEPTH} levels`);
  const inner = newline === null ? '' : newline + ' '.repeat(depth + 1);
  const outer = newline === null ? '' : newline + ' '.repeat(depth);
  const colon = newline === null ? ':' : ': ';
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v: unknown, i) => inner + writePretty(v, newline, depth + 1, `${path}[${i}]`));
    return '[' + items.join(',') + outer + ']';
  }
  if (!isPlainObject(value)) throw new SerializationError(`${path}: a ${value.constructor?.name ?? 'object'} has no JSON form here`);
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(obj).filter((k) => obj[k] !== undefined);
  if (keys.length === 0) return '{}';
  const items = keys.map((k) => inner + JSON.stringify(k) + colon + writePretty(obj[k], newline, depth + 1, `${path}.${k}`));
  return '{' + items.join(',') + outer + '}';
}
