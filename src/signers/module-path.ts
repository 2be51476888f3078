/**
 * Finding a PKCS#11 module (shared library) by path or by name (RFC 7512 §2.3
 * `module-path`, `module-name`).
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ModuleNotFoundError } from '../errors.js';
import { SOFTHSM_MODULE_CANDIDATES } from './softhsm.js';

/** Directories searched for `module-name=NAME` (p11-kit's and the distributions' module dirs). */
export const MODULE_DIRS = [
  '/usr/lib/x86_64-linux-gnu/pkcs11',
  '/usr/lib/x86_64-linux-gnu',
  '/usr/lib/aarch64-linux-gnu/pkcs11',
  '/usr/lib/aarch64-linux-gnu',
  '/usr/lib64/pkcs11',
  '/usr/lib64',
  '/usr/lib/pkcs11',
  '/usr/lib',
  '/usr/local/lib/pkcs11',
  '/usr/local/lib',
  '/opt/homebrew/lib',
];

/** Well-known module names and where their libraries are. */
const ALIASES: Record<string, readonly string[]> = {
  softhsm2: SOFTHSM_MODULE_CANDIDATES,
  softhsm: SOFTHSM_MODULE_CANDIDATES,
  ykcs11: MODULE_DIRS.map((d) => join(d, 'libykcs11.so')),
  opensc: MODULE_DIRS.map((d) => join(d, 'opensc-pkcs11.so')),
};

/**
 * The path of module `name`: an alias above, or `NAME`, `NAME.so`, `libNAME.so` in {@link MODULE_DIRS}.
 * @throws {@link ModuleNotFoundError} naming the places searched.
 */
export function findModuleByName(name: string): string {
  if (name.includes('/') || name.includes('\0')) throw new ModuleNotFoundError(`module-name ${JSON.stringify(name)}: a name, not a path (use module-path=)`);
  const candidates = [...(ALIASES[name.toLowerCase()] ?? []), ...MODULE_DIRS.flatMap((d) => [name, `${name}.so`, `lib${name}.so`].map((f) => join(d, f)))];
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new ModuleNotFoundError(`PKCS#11 module named ${JSON.stringify(name)} not found in ${MODULE_DIRS.join(', ')}; give module-path=`);
  return found;
}

/**
 * The module to load: `modulePath`, else the module `moduleName` names, else `fallback`
 * (an option, or the `TUFKIT_PKCS11_MODULE` environment variable).
 * @throws {@link ModuleNotFoundError} when nothing names a module, or a relative path is given.
 */
export function resolveModulePath(
  parts: { modulePath?: string | undefined; moduleName?: string | undefined },
  fallback: string | undefined,
  context: string,
): string {
  if (parts.modulePath !== undefined) {
    if (!isAbsolute(parts.modulePath)) throw new ModuleNotFoundError(`${context}: module-path must be absolute (a relative one depends on the current directory)`);
    return parts.modulePath;
  }
  if (parts.moduleName !== undefined) return findModuleByName(parts.moduleName);
  if (fallback !== undefined && fallback !== '') return fallback;
  throw new ModuleNotFoundError(`${context}: no PKCS#11 module given; add module-path=/path/to/module.so (or set TUFKIT_PKCS11_MODULE)`);
}
