/** Serving fixture repositories as static files: a request path → a file, or 404. */
import { existsSync, readFileSync, statSync } from 'node:fs';

/** A resolver that reads the file `route(path)` names (undefined or absent → 404). */
export function staticResolver(route: (path: string) => string | undefined): (path: string) => Uint8Array | undefined {
  return (path) => {
    const file = route(path);
    if (file === undefined || !existsSync(file) || !statSync(file).isFile()) return undefined;
    return new Uint8Array(readFileSync(file));
  };
}

/** Percent-decode one request path segment; undefined when it would name a sub-path. */
export function decodeFlat(name: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    return undefined;
  }
  return decoded.includes('/') || decoded === '..' || decoded === '.' ? undefined : decoded;
}
