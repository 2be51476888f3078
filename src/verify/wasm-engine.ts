/**
 * The WebAssembly verification engine: tufkit's Rust core (crypto-wasm/) behind the
 * {@link VerifyEngine} seam.
 *
 * Schemes are dispatched through {@link WASM_SCHEMES}, one entry per scheme the core
 * implements; an entry calls the core's ABI (`src/verify/wasm/core.ts`). Ed25519 items of
 * `verifyMany` are verified together by the core's batch verifier, which answers exactly
 * as the single verifier does (crypto-wasm/README.md, "Ed25519 acceptance rules").
 */
import { UnsupportedAlgorithmError } from '../errors.js';
import { isScheme, type VerifyEngine, type VerifyItem } from './types.js';
import type { WasmCore } from './wasm/core.js';
import { initWasm, wasmCoreSync, type WasmSource } from './wasm/load.js';

/** Verifies one item of a given scheme with the core; `false` for any malformed input. */
export type WasmSchemeVerifier = (core: WasmCore, item: VerifyItem) => boolean;

/**
 * The schemes the WASM core verifies. To add one, export
 * `tk_<scheme>_verify(key, key_len, msg, msg_len, sig, sig_len) -> i32` from the crate and
 * add `'<scheme>': (core, item) => core.verifyWith('tk_<scheme>_verify', item.publicKey, item.message, item.signature)`.
 */
export const WASM_SCHEMES: Readonly<Record<string, WasmSchemeVerifier>> = {
  ed25519: (core, item) => core.ed25519Verify(item.publicKey, item.message, item.signature),
  'ecdsa-sha2-nistp256': abi('tk_ecdsa_p256_sha256_verify'),
  'ecdsa-sha2-nistp384': abi('tk_ecdsa_p384_sha384_verify'),
  'rsassa-pss-sha256': abi('tk_rsa_pss_sha256_verify'),
  'rsa-pkcs1v15-sha256': abi('tk_rsa_pkcs1v15_sha256_verify'),
};

/** A verifier calling the core's single-verification function `name` (ABI convention). */
function abi(name: string): WasmSchemeVerifier {
  return (core, item) => core.verifyWith(name, item.publicKey, item.message, item.signature);
}

/** {@link VerifyEngine} on the WebAssembly core. */
export class WasmEngine implements VerifyEngine {
  readonly name = 'wasm';
  private readonly given: WasmCore | undefined;

  /**
   * An engine on `core`, or on this thread's core (loaded synchronously in Node; if that
   * instance ever traps, the engine continues on a fresh one).
   * @throws CryptoCoreError when the core is not built (the message says how to build it).
   */
  constructor(core?: WasmCore) {
    this.given = core;
    if (core === undefined) wasmCoreSync();
  }

  /** The core calls go to. */
  get core(): WasmCore {
    return this.given ?? wasmCoreSync();
  }

  /** An engine on the core loaded from `source` (bytes, URL, WebAssembly.Module): for browsers. */
  static async create(source?: WasmSource): Promise<WasmEngine> {
    await initWasm(source);
    return new WasmEngine();
  }

  /** True when the core verifies `scheme`. */
  supports(scheme: string): boolean {
    return Object.prototype.hasOwnProperty.call(WASM_SCHEMES, scheme);
  }

  /**
   * Check one signature. `false` for unknown schemes and malformed input.
   * @throws UnsupportedAlgorithmError for a TUF scheme this core does not implement.
   */
  verify(item: VerifyItem): boolean {
    const f = this.verifierFor(item.scheme);
    return f === undefined ? false : f(this.core, item);
  }

  /** Check many signatures; Ed25519 ones in batches. Result `i` answers `items[i]`. */
  verifyMany(items: readonly VerifyItem[]): boolean[] {
    const out = new Array<boolean>(items.length).fill(false);
    const ed: VerifyItem[] = [];
    const edAt: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.scheme === 'ed25519') {
        ed.push(item);
        edAt.push(i);
      } else {
        out[i] = this.verify(item);
      }
    }
    if (ed.length === 1) {
      out[edAt[0]!] = this.verify(ed[0]!);
    } else if (ed.length > 1) {
      const answers = this.core.ed25519VerifyBatch(ed);
      for (let j = 0; j < answers.length; j++) out[edAt[j]!] = answers[j]!;
    }
    return out;
  }

  private verifierFor(scheme: string): WasmSchemeVerifier | undefined {
    if (this.supports(scheme)) return WASM_SCHEMES[scheme];
    if (isScheme(scheme)) {
      throw new UnsupportedAlgorithmError(`the WebAssembly engine does not implement scheme ${JSON.stringify(scheme)}; use engine 'auto' or 'node'`);
    }
    return undefined;
  }
}
