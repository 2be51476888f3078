/**
 * Target paths (spec §4.5 TARGETPATH: "a path relative to the targets base URL"). tufkit
 * only writes clean paths, so that every client resolves them to the same file and none
 * escapes the targets directory:
 *
 * - not empty, not absolute (no leading `/`), no backslash (`\`: a separator on Windows);
 * - no empty segment (`a//b`, a trailing `/`), no `.` or `..` segment;
 * - no control character (U+0000–U+001F, U+007F).
 */
import { sep } from 'node:path';
import { TargetPathError } from '../errors.js';

/**
 * Check that `path` is a clean target path and return it.
 * @throws {@link TargetPathError} naming the path and the rule it breaks.
 */
export function checkTargetPath(path: string): string {
  const show = JSON.stringify(path);
  if (typeof path !== 'string' || path === '') throw new TargetPathError('target path: must not be empty');
  if (path.startsWith('/')) throw new TargetPathError(`target path ${show}: must be relative (no leading "/")`);
  if (path.includes('\\')) throw new TargetPathError(`target path ${show}: must not contain a backslash; use "/" between directories`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new TargetPathError(`target path ${show}: must not contain control characters`);
  for (const segment of path.split('/')) {
    if (segment === '') throw new TargetPathError(`target path ${show}: must not have empty segments ("//" or a trailing "/")`);
    if (segment === '.' || segment === '..') throw new TargetPathError(`target path ${show}: must not contain "${segment}" segments`);
  }
  return path;
}

/** A target path from a relative local path (OS separators become `/`), checked. */
export function targetPathFromLocal(relative: string): string {
  return checkTargetPath(sep === '/' ? relative : relative.split(sep).join('/'));
}

/** The local path (under a base directory's own separators) for target path `path`. */
export function localPathOf(path: string): string {
  return sep === '/' ? path : path.split('/').join(sep);
}
