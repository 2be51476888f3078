/**
 * Metadata file names of roles (spec §5.2–§5.6 fetch `VERSION.ROLENAME.json` when consistent
 * snapshots are on, `ROLENAME.json` otherwise; §5.3.3: root is always `VERSION.root.json`).
 *
 * Role names are percent-encoded in file names exactly as python-tuf does it
 * (`urllib.parse.quote(name, safe="")`: every byte of the UTF-8 form except ASCII letters,
 * digits and `_.-~` becomes `%XX`, upper-case hex), so `../a` can never name a file outside
 * `metadata/`. Names tufkit creates are restricted further (see {@link checkNewRoleName}) so
 * that every client's encoding (tuf-js uses `encodeURIComponent`, which keeps `!'()*`) agrees.
 */
import { ValueError } from '../errors.js';
import { TOP_LEVEL_ROLE_NAMES } from '../metadata/signed.js';

const UNRESERVED = /[A-Za-z0-9_.~-]/;

/** Percent-encode a role name as python-tuf does for file names and URLs. */
export function encodeRoleName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += byte < 0x80 && UNRESERVED.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** `ROLE.json`, or `VERSION.ROLE.json` when `version` is given (role name percent-encoded). */
export function roleFileName(name: string, version?: number): string {
  return version === undefined ? `${encodeRoleName(name)}.json` : `${version}.${encodeRoleName(name)}.json`;
}

/**
 * Check a name for a new delegated role: ASCII letters, digits, `_`, `-` and `.`, not starting
 * with `.` or `-`, at most 200 characters, not a top-level role name.
 * @throws {@link ValueError}
 */
export function checkNewRoleName(name: string): string {
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/.test(name)) {
    throw new ValueError(`role name ${JSON.stringify(name)}: use ASCII letters, digits, "_", "-" and "." (not first), at most 200 characters`);
  }
  if ((TOP_LEVEL_ROLE_NAMES as readonly string[]).includes(name)) {
    throw new ValueError(`role name ${JSON.stringify(name)} is a top-level role`);
  }
  return name;
}
