/**
 * The few WebAssembly JS-API types the loader uses. The project compiles without the DOM
 * library (and @types/node does not declare `WebAssembly`), so they are declared here and
 * the global is reached through `globalThis`, which also tells whether it exists at all.
 */

/** A compiled `WebAssembly.Module` (opaque here). */
export interface WasmModule {
  readonly __wasmModuleBrand?: never;
}

/** `WebAssembly.Memory`. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** `WebAssembly.Instance`. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

/** The part of the `WebAssembly` namespace used by the loader. */
export interface WebAssemblyApi {
  Module: new (bytes: Uint8Array | ArrayBuffer) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, unknown>) => WasmInstance;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  compile(bytes: Uint8Array | ArrayBuffer): Promise<WasmModule>;
  /** The class of traps (unreachable, out-of-bounds access, stack overflow, ...). */
  RuntimeError: new (...args: unknown[]) => Error;
}

/** The runtime's `WebAssembly`, or undefined when there is none. */
export function webAssembly(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}
