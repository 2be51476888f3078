/**
 * Delegation path patterns (spec §4.5 "paths"): a target path matches a pattern when both
 * have the same number of `/`-separated segments and each segment matches with shell-style
 * wildcards, exactly as python-tuf does with `fnmatch.fnmatch` per segment. So `*` never
 * matches across a `/`: `targets/*.tgz` matches `targets/foo.tgz` but not
 * `targets/sub/foo.tgz`.
 *
 * Wildcards (Python's `fnmatch`, case-sensitive as on POSIX):
 * `*` any run of characters, `?` one character, `[seq]` one character in seq (ranges
 * `a-z`), `[!seq]` one character not in seq; a `[` without a closing `]` is literal.
 */

const cache = new Map<string, RegExp>();

/** True when `targetPath` matches `pattern` segment by segment. */
export function isTargetInPathPattern(targetPath: string, pattern: string): boolean {
  const targetParts = targetPath.split('/');
  const patternParts = pattern.split('/');
  if (targetParts.length !== patternParts.length) return false;
  return targetParts.every((part, i) => fnmatch(part, patternParts[i] as string));
}

/** Python's `fnmatch.fnmatchcase(name, pattern)`. */
export function fnmatch(name: string, pattern: string): boolean {
  let re = cache.get(pattern);
  if (re === undefined) {
    re = new RegExp(translate(pattern), 's');
    if (cache.size > 10_000) cache.clear();
    cache.set(pattern, re);
  }
  return re.test(name);
}

const escapeChar = (c: string): string => c.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** Translate a shell pattern to an anchored regular expression source (as `fnmatch.translate`). */
export function translate(pattern: string): string {
  const chars = [...pattern]; // code points
  let out = '';
  let i = 0;
  while (i < chars.length) {
    const c = chars[i++] as string;
    if (c === '*') {
      while (chars[i] === '*') i++;
      out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      let j = i;
      if (chars[j] === '!') j++;
      if (chars[j] === ']') j++;
      while (j < chars.length && chars[j] !== ']') j++;
      if (j >= chars.length) {
        out += '\\[';
        continue;
      }
      out += bracket(chars.slice(i, j));
      i = j + 1;
    } else {
      out += escapeChar(c);
    }
  }
  return '^(?:' + out + ')$';
}

/** A `[...]` set (contents without the brackets) as a regex; empty ranges like `z-a` are dropped. */
function bracket(body: string[]): string {
  let negate = false;
  let k = 0;
  if (body[0] === '!') {
    negate = true;
    k = 1;
  }
  const items: string[] = [];
  while (k < body.length) {
    const lo = body[k] as string;
    if (body[k + 1] === '-' && k + 2 < body.length) {
      const hi = body[k + 2] as string;
      if ((lo.codePointAt(0) as number) <= (hi.codePointAt(0) as number)) items.push(`${escapeChar(lo)}-${escapeChar(hi)}`);
      k += 3;
    } else {
      items.push(escapeChar(lo));
      k += 1;
    }
  }
  if (items.length === 0) return negate ? '.' : '(?!)'; // Python: `[!]`-like sets match anything, empty sets nothing
  return (negate ? '[^' : '[') + items.join('') + ']';
}
