/**
 * Loading PKCS#11 modules (shared libraries) through pkcs11js, once per process.
 *
 * A module may be initialized only once per process (PKCS#11 v2.40 §5.4: a second
 * C_Initialize fails with CKR_CRYPTOKI_ALREADY_INITIALIZED), and several signers may use
 * the same module at the same time (three SoftHSM tokens in a ceremony). So modules are
 * leased: the first lease loads and initializes the library, the last release finalizes
 * and unloads it. Every user releases its lease in a `finally`, so modules are finalized
 * on every path, errors included ({@link openModuleCount} lets tests check it).
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Pkcs11Js from 'pkcs11js';
import { ModuleNotFoundError, SignerError, TokenOperationError, describeError } from '../../errors.js';
import { CKF_OS_LOCKING_OK, CKR, ckrName } from './constants.js';

/** The pkcs11js binding of one loaded module. */
export type Pkcs11Library = Pkcs11Js.PKCS11;
/** A PKCS#11 handle (slot, session or object) as pkcs11js represents it. */
export type Handle = Buffer;

/** What C_GetInfo says about a module (padding trimmed). */
export interface ModuleInfo {
  readonly manufacturer: string;
  readonly description: string;
  /** `major.minor` of the library. */
  readonly version: string;
}

/** A loaded, initialized module. Obtain one with {@link acquireModule} or {@link withModule}. */
export class Pkcs11Module {
  /** The path the module was loaded from (as given). */
  readonly path: string;
  /** The pkcs11js binding. */
  readonly lib: Pkcs11Library;
  /** C_GetInfo of the module. */
  readonly info: ModuleInfo;
  /** Login reference counts by slot, shared by all sessions of this process (PKCS#11 §6.7.1: login state is per application). */
  readonly logins = new Map<string, number>();

  /** @internal use {@link acquireModule}. */
  constructor(path: string, lib: Pkcs11Library, info: ModuleInfo) {
    this.path = path;
    this.lib = lib;
    this.info = info;
  }
}

interface Entry {
  module: Pkcs11Module;
  refs: number;
  /** False when someone else in the process had initialized the module already: then we do not finalize it. */
  ownsInit: boolean;
}

const loaded = new Map<string, Entry>();
let binding: typeof Pkcs11Js | undefined;

function pkcs11js(): typeof Pkcs11Js {
  if (binding === undefined) {
    try {
      binding = createRequire(import.meta.url)('pkcs11js') as typeof Pkcs11Js;
    } catch (err) {
      throw new ModuleNotFoundError(`the pkcs11js native binding cannot be loaded (npm rebuild pkcs11js?): ${describeError(err)}`, { cause: err });
    }
  }
  return binding;
}

/** A lease on a loaded module; call {@link ModuleLease.release} exactly once. */
export interface ModuleLease {
  readonly module: Pkcs11Module;
  /** Give the lease back; the last one finalizes and unloads the module. Never throws. */
  release(): void;
}

/** The CK_RV of a pkcs11js error, or undefined when the error is not a PKCS#11 return value. */
export function ckrOf(err: unknown): number | undefined {
  if (!(err instanceof Error) || !/^CKR_/.test(err.message)) return undefined;
  const code: unknown = (err as Error & { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * Load and initialize the module at `path` (or share the already loaded one).
 * @throws {@link ModuleNotFoundError} when the file is missing or not a PKCS#11 module,
 *   {@link TokenOperationError} when C_Initialize fails.
 */
export function acquireModule(path: string): ModuleLease {
  if (!existsSync(path)) throw new ModuleNotFoundError(`PKCS#11 module ${path} not found`);
  const key = realpathSync(path);
  let entry = loaded.get(key);
  if (entry === undefined) {
    const js = pkcs11js();
    const lib = new js.PKCS11();
    try {
      lib.load(path);
    } catch (err) {
      throw new ModuleNotFoundError(`PKCS#11 module ${path} cannot be loaded: ${describeError(err)}`, { cause: err });
    }
    let ownsInit = true;
    try {
      lib.C_Initialize({ flags: CKF_OS_LOCKING_OK });
    } catch (err) {
      if (ckrOf(err) === CKR.CRYPTOKI_ALREADY_INITIALIZED) {
        ownsInit = false;
      } else {
        closeQuietly(lib);
        const code = ckrOf(err);
        throw new TokenOperationError(`PKCS#11 module ${path}: C_Initialize failed: ${code === undefined ? describeError(err) : ckrName(code)}`, code, {
          cause: err,
        });
      }
    }
    let info: ModuleInfo;
    try {
      const raw = lib.C_GetInfo();
      info = {
        manufacturer: raw.manufacturerID.trim(),
        description: raw.libraryDescription.trim(),
        version: `${raw.libraryVersion.major}.${raw.libraryVersion.minor}`,
      };
    } catch {
      info = { manufacturer: '', description: '', version: '' };
    }
    entry = { module: new Pkcs11Module(path, lib, info), refs: 0, ownsInit };
    loaded.set(key, entry);
  }
  entry.refs++;
  const held = entry;
  let released = false;
  return {
    module: held.module,
    release(): void {
      if (released) return;
      released = true;
      held.refs--;
      if (held.refs > 0) return;
      loaded.delete(key);
      if (held.ownsInit) {
        try {
          held.module.lib.C_Finalize();
        } catch {
          // Nothing useful to do: the module is being dropped either way.
        }
      }
      closeQuietly(held.module.lib);
    },
  };
}

function closeQuietly(lib: Pkcs11Library): void {
  try {
    lib.close();
  } catch {
    // as above
  }
}

/** Run `fn` with the module at `path`, releasing it afterwards whatever happens. */
export async function withModule<T>(path: string, fn: (module: Pkcs11Module) => Promise<T> | T): Promise<T> {
  const lease = acquireModule(path);
  try {
    return await fn(lease.module);
  } finally {
    lease.release();
  }
}

/** How many modules this process holds loaded right now (0 when every lease was released). */
export function openModuleCount(): number {
  return loaded.size;
}

/** Re-throw `err` from PKCS#11 function `fn` as a {@link SignerError} that names the CK_RV. */
export function pkcs11Failure(fn: string, err: unknown, context: string): SignerError {
  if (err instanceof SignerError) return err;
  const code = ckrOf(err);
  const what = code === undefined ? describeError(err) : ckrName(code);
  return new TokenOperationError(`${context}: ${fn} failed: ${what}`, code, { cause: err });
}
