/**
 * Finding, compiling and instantiating the WebAssembly crypto core (crypto-wasm/).
 *
 * One instance per thread: the first {@link wasmCoreSync} (Node) or {@link initWasm}
 * (any runtime) creates it and every later call returns the same {@link WasmCore}. Worker
 * threads have their own module state, hence their own instance.
 *
 * In Node the module is read from `crypto-wasm/pkg/tufkit_crypto.wasm`, found relative to
 * this file: `src/verify/wasm/load.ts` and `dist/verify/wasm/load.js` sit at the same
 * depth below the package root. In a browser, call {@link initWasm} with the bytes, a URL
 * or a precompiled `WebAssembly.Module` before the first synchronous use.
 */
import { CryptoCoreError, ValueError, describeError } from '../../errors.js';
import { WasmCore } from './core.js';
import { webAssembly, type WasmModule } from './webassembly.js';

/** Where the built core lives, relative to this file (see the module comment). */
export const DEFAULT_WASM_URL = new URL('../../../crypto-wasm/pkg/tufkit_crypto.wasm', import.meta.url);

/** How to build the core; part of every "not built" error. */
export const BUILD_HINT =
  'Build it with `scripts/build-wasm` from the tufkit source tree; it needs a Rust compiler with the ' +
  'wasm32-unknown-unknown target (Debian/Ubuntu: `apt-get install rustc cargo libstd-rust-dev-wasm32 binaryen`; ' +
  'rustup: `rustup target add wasm32-unknown-unknown`).';

/**
 * What {@link initWasm} accepts: the module's bytes, a URL (`file:` in Node, anything
 * `fetch` can read elsewhere) or a precompiled `WebAssembly.Module` (e.g. one received by a
 * worker through `postMessage`).
 */
export type WasmSource = Uint8Array | ArrayBuffer | URL | string | WasmModule;

let cached: WasmCore | undefined;
let compiled: WasmModule | undefined;

/** True when this runtime has WebAssembly at all (the pure-JS engine is the fallback). */
export function hasWebAssembly(): boolean {
  return webAssembly() !== undefined;
}

/** The core of this thread if it was already loaded, otherwise undefined. */
export function loadedWasmCore(): WasmCore | undefined {
  return cached !== undefined && !cached.poisoned ? cached : undefined;
}

/**
 * The compiled module behind this thread's core (to hand to workers), loading it first
 * when needed (Node only; elsewhere after {@link initWasm}).
 */
export function wasmModuleSync(): WasmModule {
  wasmCoreSync();
  return compiled as WasmModule;
}

/**
 * This thread's core, loading it synchronously on first use. In Node the module is read
 * from {@link DEFAULT_WASM_URL}; elsewhere {@link initWasm} must have run first.
 * @throws CryptoCoreError when the file is missing (the message says how to build it),
 *   when WebAssembly is unavailable, or when the module does not fit this loader.
 */
export function wasmCoreSync(): WasmCore {
  if (cached !== undefined) {
    if (!cached.poisoned) return cached;
    // The instance trapped: start a fresh one from the same compiled module.
    if (compiled !== undefined) return adopt(compiled);
  }
  const wa = requireWebAssembly();
  const fs = nodeFs();
  if (fs === undefined) {
    throw new CryptoCoreError(
      'the WebAssembly crypto core is not loaded: outside Node, await initWasm(bytes | url | module) before verifying',
    );
  }
  const bytes = readCoreFile(fs, DEFAULT_WASM_URL);
  let module: WasmModule;
  try {
    module = new wa.Module(bytes);
  } catch (err) {
    throw new CryptoCoreError(`${urlPath(DEFAULT_WASM_URL)} is not a valid WebAssembly module: ${describeError(err)}. ${BUILD_HINT}`, {
      cause: err,
    });
  }
  return adopt(module);
}

/**
 * Load the core from `source` (or, without one, from the default file in Node) and make
 * it this thread's core. A second call returns the core already loaded.
 */
export async function initWasm(source?: WasmSource): Promise<WasmCore> {
  if (cached !== undefined && !cached.poisoned) return cached;
  if (cached !== undefined && compiled !== undefined) return adopt(compiled);
  if (source === undefined) {
    if (nodeFs() !== undefined) return wasmCoreSync();
    throw new ValueError('initWasm: source is required outside Node (the bytes, a URL or a WebAssembly.Module of tufkit_crypto.wasm)');
  }
  const module = await compileWasm(source);
  if (cached !== undefined && !cached.poisoned) return cached; // another initWasm finished first
  return adopt(module);
}

/**
 * Compile `source` into a `WebAssembly.Module` without making it this thread's core (a
 * module is returned as is).
 * @throws CryptoCoreError when the file or URL cannot be read (with how to build the core)
 *   or the bytes are not WebAssembly; ValueError for a source of another type.
 */
export async function compileWasm(source: WasmSource): Promise<WasmModule> {
  const wa = requireWebAssembly();
  if (source instanceof wa.Module) return source;
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return compile(source);
  if (typeof source === 'string' || source instanceof URL) {
    const url = typeof source === 'string' ? new URL(source, baseUrl()) : source;
    const fs = nodeFs();
    if (url.protocol === 'file:' && fs !== undefined) return compile(readCoreFile(fs, url));
    let response;
    try {
      response = await fetch(url);
    } catch (err) {
      throw new CryptoCoreError(`cannot fetch the WebAssembly crypto core from ${url.href}: ${describeError(err)}`, { cause: err });
    }
    if (!response.ok) {
      throw new CryptoCoreError(`fetching the WebAssembly crypto core from ${url.href} gave HTTP ${response.status}. ${BUILD_HINT}`);
    }
    return compile(new Uint8Array(await response.arrayBuffer()));
  }
  throw new ValueError('initWasm: source must be bytes, a URL or a WebAssembly.Module, got ' + Object.prototype.toString.call(source));
}

/** Instantiate `module` and make it this thread's core. */
function adopt(module: WasmModule): WasmCore {
  const wa = requireWebAssembly();
  let instance;
  try {
    instance = new wa.Instance(module, {});
  } catch (err) {
    throw new CryptoCoreError(`the WebAssembly crypto core could not be instantiated: ${describeError(err)}`, { cause: err });
  }
  const core = new WasmCore(instance.exports);
  compiled = module;
  cached = core;
  return core;
}

async function compile(bytes: Uint8Array | ArrayBuffer): Promise<WasmModule> {
  try {
    return await requireWebAssembly().compile(bytes);
  } catch (err) {
    throw new CryptoCoreError(`initWasm: the bytes are not a valid WebAssembly module: ${describeError(err)}`, { cause: err });
  }
}

function requireWebAssembly() {
  const wa = webAssembly();
  if (wa === undefined) {
    throw new CryptoCoreError('this JavaScript runtime has no WebAssembly; use the pure-JS engine (NobleEngine) instead');
  }
  return wa;
}

/** The subset of node:fs used here. */
interface NodeFs {
  readFileSync(path: URL): Uint8Array;
  existsSync(path: URL): boolean;
}

/**
 * node:fs when running in Node, without a static import (so that bundling this file for a
 * browser does not pull in Node built-ins).
 */
function nodeFs(): NodeFs | undefined {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs');
  return fs as NodeFs | undefined;
}

function readCoreFile(fs: NodeFs, url: URL): Uint8Array {
  if (!fs.existsSync(url)) {
    throw new CryptoCoreError(`tufkit's WebAssembly crypto core is not built: ${urlPath(url)} does not exist. ${BUILD_HINT}`);
  }
  try {
    return fs.readFileSync(url);
  } catch (err) {
    throw new CryptoCoreError(`cannot read ${urlPath(url)}: ${describeError(err)}`, { cause: err });
  }
}

function urlPath(url: URL): string {
  return url.protocol === 'file:' ? decodeURIComponent(url.pathname) : url.href;
}

function baseUrl(): string | undefined {
  const loc = (globalThis as { location?: { href?: string } }).location;
  return loc?.href ?? import.meta.url;
}
