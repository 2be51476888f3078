/**
 * The default verification engine: per scheme, the fastest engine measured on this kind of
 * machine (bench/ed25519.ts; figures in crypto-wasm/README.md), behind one
 * {@link VerifyEngine}. This is the engine the metadata layer's Verifier uses unless told
 * otherwise ({@link defaultEngine}).
 *
 * Choice per scheme ({@link AUTO_ENGINE_FOR_SCHEME}): Ed25519 → the WebAssembly core (its
 * batch verifier is several times faster than node:crypto); ECDSA and RSA → node:crypto
 * (OpenSSL's assembly beats the core there). One engine per scheme, for single and batch
 * verification alike, so that a scheme has one acceptance rule.
 *
 * Fallbacks, decided once per process:
 * - the runtime has no WebAssembly → @noble/curves ({@link NobleEngine}, same Ed25519 rules);
 * - the .wasm file is not built (a source checkout) → node:crypto, with a one-time warning
 *   saying how to build the core (node:crypto's Ed25519 rules differ from the core's on
 *   adversarial edge cases: crypto-wasm/README.md). Choosing `'wasm'` explicitly throws
 *   instead.
 */
import { CryptoCoreError, describeError } from '../errors.js';
import { NobleEngine } from './noble-engine.js';
import { NodeEngine } from './node-engine.js';
import type { Scheme, VerifyEngine, VerifyItem } from './types.js';
import { WasmEngine } from './wasm-engine.js';
import { hasWebAssembly } from './wasm/load.js';

/** An engine by name; `'auto'` is {@link AutoEngine}. */
export type EngineChoice = 'auto' | 'wasm' | 'node' | 'noble';

/**
 * The engine {@link AutoEngine} uses for each scheme. To change a row, show in the
 * benchmark (npm run bench) that the other engine is faster on this machine kind.
 */
export const AUTO_ENGINE_FOR_SCHEME: Readonly<Record<Scheme, 'wasm' | 'node'>> = {
  ed25519: 'wasm',
  'ecdsa-sha2-nistp256': 'node',
  'ecdsa-sha2-nistp384': 'node',
  'rsassa-pss-sha256': 'node',
  'rsa-pkcs1v15-sha256': 'node',
};

let nodeEngine: NodeEngine | undefined;
let nobleEngine: NobleEngine | undefined;
let wasmEngine: WasmEngine | null | undefined;
let warned = false;

/** The shared node:crypto engine. */
export function nodeEngineShared(): NodeEngine {
  return (nodeEngine ??= new NodeEngine());
}

/** The shared @noble/curves engine (RSA through node:crypto). */
export function nobleEngineShared(): NobleEngine {
  return (nobleEngine ??= new NobleEngine(nodeEngineShared()));
}

/**
 * The shared WebAssembly engine.
 * @throws CryptoCoreError when the core cannot be loaded (e.g. not built: the message says how).
 */
export function wasmEngineShared(): WasmEngine {
  if (wasmEngine === null || wasmEngine === undefined) wasmEngine = new WasmEngine();
  return wasmEngine;
}

/** The WebAssembly engine, or null (after one warning) when it cannot be loaded. */
function wasmEngineOrNull(): WasmEngine | null {
  if (wasmEngine !== undefined) return wasmEngine;
  try {
    wasmEngine = new WasmEngine();
  } catch (err) {
    if (!(err instanceof CryptoCoreError)) throw err;
    wasmEngine = null;
    if (!warned) {
      warned = true;
      const proc = (globalThis as { process?: { emitWarning?: (msg: string, type: string) => void } }).process;
      const msg = `tufkit: falling back to node:crypto for Ed25519: ${describeError(err)}`;
      if (proc?.emitWarning !== undefined) proc.emitWarning(msg, 'TufkitWarning');
      else console.warn(msg);
    }
  }
  return wasmEngine;
}

/** The engine named `choice` (`'auto'`: the shared {@link AutoEngine}). */
export function engineNamed(choice: EngineChoice): VerifyEngine {
  switch (choice) {
    case 'auto':
      return defaultEngine();
    case 'wasm':
      return wasmEngineShared();
    case 'node':
      return nodeEngineShared();
    case 'noble':
      return nobleEngineShared();
  }
}

/** {@link VerifyEngine} that sends each scheme to its fastest engine (module documentation). */
export class AutoEngine implements VerifyEngine {
  readonly name = 'auto';

  /** The engine this one uses for `scheme`. */
  engineFor(scheme: string): VerifyEngine {
    const pick = (AUTO_ENGINE_FOR_SCHEME as Record<string, 'wasm' | 'node' | undefined>)[scheme];
    if (pick === 'wasm') {
      if (!hasWebAssembly()) return nobleEngineShared();
      const wasm = wasmEngineOrNull();
      if (wasm !== null && wasm.supports(scheme)) return wasm;
    }
    return nodeEngineShared();
  }

  /** Check one signature with the scheme's engine. */
  verify(item: VerifyItem): boolean {
    return this.engineFor(item.scheme).verify(item);
  }

  /** Check many signatures, each scheme's items together on its engine. */
  verifyMany(items: readonly VerifyItem[]): boolean[] {
    const out = new Array<boolean>(items.length).fill(false);
    const groups = new Map<VerifyEngine, number[]>();
    for (let i = 0; i < items.length; i++) {
      const engine = this.engineFor(items[i]!.scheme);
      let list = groups.get(engine);
      if (list === undefined) groups.set(engine, (list = []));
      list.push(i);
    }
    for (const [engine, positions] of groups) {
      const answers = engine.verifyMany(positions.map((i) => items[i]!));
      for (let j = 0; j < positions.length; j++) out[positions[j]!] = answers[j]!;
    }
    return out;
  }
}

let auto: AutoEngine | undefined;

/** The process-wide default engine (an {@link AutoEngine}). */
export function defaultEngine(): AutoEngine {
  return (auto ??= new AutoEngine());
}
