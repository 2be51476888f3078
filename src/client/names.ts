/**
 * How role names and target paths become URLs and file names.
 *
 * Role names are percent-encoded exactly as python-tuf does it (`urllib.parse.quote(name, "")`):
 * every byte of the UTF-8 encoding except the unreserved characters `A–Z a–z 0–9 _ . - ~` is
 * written `%XX` (upper-case hex). So `../a` → `..%2Fa`, `ö` → `%C3%B6`, `?` → `%3F`: a role
 * name can never name a directory or a query, in a URL or in the local cache.
 *
 * Target paths keep their `/` separators in URLs (spec §5.7.3) and have every other
 * character outside RFC 3986 `pchar` percent-encoded, so `?`, `#`, `%` and spaces cannot
 * change the meaning of the URL. In the local target directory a target is stored under its
 * whole path quoted like a role name (python-tuf's default), one flat file per target.
 */

const UNRESERVED = /[A-Za-z0-9_.~-]/;
// RFC 3986 pchar = unreserved / pct-encoded / sub-delims / ":" / "@"
const PCHAR = /[A-Za-z0-9_.~!$&'()*+,;=:@-]/;

function encode(text: string, keep: RegExp): string {
  let out = '';
  for (const ch of text) {
    if (ch.length === 1 && keep.test(ch)) {
      out += ch;
    } else {
      for (const byte of Buffer.from(ch, 'utf8')) out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
    }
  }
  return out;
}

/** A role name as python-tuf writes it in URLs and file names (`quote(name, "")`). */
export function quoteRoleName(name: string): string {
  return encode(name, UNRESERVED);
}

/** A target path for a URL: each `/`-separated segment percent-encoded outside RFC 3986 pchar. */
export function quoteTargetPath(path: string): string {
  return path
    .split('/')
    .map((segment) => encode(segment, PCHAR))
    .join('/');
}

/** `url` with exactly one trailing `/`, so that names can be appended. */
export function withTrailingSlash(url: string): string {
  return url.endsWith('/') ? url : url + '/';
}

/**
 * The URL of a metadata file: `BASE/ROLE.json`, or `BASE/VERSION.ROLE.json` when a version
 * is given (root always; other roles under consistent snapshots, spec §5.3.3, §5.5.1, §5.6.1).
 */
export function metadataUrl(baseUrl: string, roleName: string, version?: number): string {
  const name = quoteRoleName(roleName);
  return withTrailingSlash(baseUrl) + (version === undefined ? `${name}.json` : `${version}.${name}.json`);
}

/** The local cache file name of a role's metadata: `ROLE.json`, role name quoted. */
export function metadataFileName(roleName: string): string {
  return `${quoteRoleName(roleName)}.json`;
}

/** The local file name of a downloaded target: its whole path quoted (python-tuf's default). */
export function targetFileName(targetPath: string): string {
  return quoteRoleName(targetPath);
}
