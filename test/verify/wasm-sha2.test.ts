/**
 * SHA-2 of the WebAssembly core through its ABI, against NIST's FIPS 180 examples and
 * against node:crypto on random inputs; and the loader's error when the .wasm is missing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoCoreError } from '../../src/errors.js';
import { compileWasm, wasmCoreSync } from '../../src/verify/wasm/load.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('WASM SHA-2 (FIPS 180-4)', () => {
  const core = wasmCoreSync();

  it('matches the FIPS 180 examples, including the 896-bit two-block message and one million "a"', () => {
    const m896 = ascii(
      'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    );
    const million = new Uint8Array(1_000_000).fill(0x61);
    expect(hex(core.sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(core.sha256(ascii('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(hex(core.sha256(million))).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
    expect(hex(core.sha512(ascii('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    );
    expect(hex(core.sha512(m896))).toBe(
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909',
    );
    expect(hex(core.sha512(million))).toBe(
      'e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b',
    );
    expect(hex(core.sha384(m896))).toBe(
      '09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039',
    );
    expect(hex(core.sha384(million))).toBe(
      '9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985',
    );
  });

  it('equals node:crypto on random inputs of every length around the block boundaries and beyond', () => {
    const lengths = [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 70_000, 300_000];
    for (let i = 0; i < 40; i++) lengths.push(Math.floor(Math.random() * 5000));
    for (const len of lengths) {
      const data = randomBytes(len);
      for (const alg of ['sha256', 'sha384', 'sha512'] as const) {
        const ours = core[alg](data);
        expect(hex(ours), `${alg} of ${len} bytes`).toBe(createHash(alg).update(data).digest('hex'));
      }
    }
  });

  it('gives a clear CryptoCoreError naming scripts/build-wasm when the .wasm file is missing', async () => {
    const missing = new URL('file:///nonexistent-tufkit/pkg/tufkit_crypto.wasm');
    const err = await compileWasm(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CryptoCoreError);
    expect((err as Error).message).toMatch(/not built: \/nonexistent-tufkit\/pkg\/tufkit_crypto\.wasm does not exist/);
    expect((err as Error).message).toMatch(/scripts\/build-wasm/);
    expect((err as Error).message).toMatch(/libstd-rust-dev-wasm32/);
  });

  it('rejects bytes that are not WebAssembly with a CryptoCoreError', async () => {
    await expect(compileWasm(new Uint8Array([1, 2, 3, 4]))).rejects.toBeInstanceOf(CryptoCoreError);
  });
});

describe('WASM loader: sources and memory growth', () => {
  it('compiles the core from bytes, a file URL (object and string) and a WebAssembly.Module; each instance works', async () => {
    const { readFileSync } = await import('node:fs');
    const { DEFAULT_WASM_URL } = await import('../../src/verify/wasm/load.js');
    const { WasmCore } = await import('../../src/verify/wasm/core.js');
    const bytes = new Uint8Array(readFileSync(DEFAULT_WASM_URL));
    const fromBytes = await compileWasm(bytes);
    const sources = [fromBytes, await compileWasm(DEFAULT_WASM_URL), await compileWasm(DEFAULT_WASM_URL.href), await compileWasm(fromBytes)];
    expect(sources[3]).toBe(fromBytes);
    const WA = (globalThis as unknown as { WebAssembly: { Instance: new (m: unknown, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;
    for (const module of sources) {
      const core = new WasmCore(new WA.Instance(module, {}).exports);
      expect(hex(core.sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    }
  });

  it('re-acquires its view of linear memory after the memory grew', () => {
    const core = wasmCoreSync();
    const before = core.bytes();
    const big = 64 << 20; // 64 MiB: more than the memory has, so it grows
    const ptr = core.alloc(big);
    const after = core.bytes();
    expect(after.buffer).not.toBe(before.buffer);
    expect(before.byteLength).toBe(0); // the old view is detached
    expect(after.byteLength).toBeGreaterThanOrEqual(ptr + big);
    core.free(ptr, big);
    const data = randomBytes(100_000);
    expect(hex(core.sha512(data))).toBe(createHash('sha512').update(data).digest('hex'));
  });
});

describe('WASM traps: typed error, instance discarded, next caller gets a fresh one', () => {
  // A stand-in module with the ABI's bookkeeping exports and a tk_ed25519_verify that
  // executes `unreachable` (assembled with binaryen's wasm-as from a 10-line .wat).
  const TRAP_MODULE =
    '0061736d0100000001190460017f017f60027f7f006000017f60067f7f7f7f7f7f017f0305040001020305030100010607017f014180080b074405066d656d6f7279020008746b5f616c6c6f63000007746b5f6672656500010e746b5f6162695f76657273696f6e000211746b5f656432353531395f76657269667900030a26041701017f230021012300200041076a4178716a240020010b0300010b040041010b0300000b';

  it('a trap becomes a CryptoCoreError and poisons the core', async () => {
    const { WasmCore } = await import('../../src/verify/wasm/core.js');
    const WA = (globalThis as unknown as { WebAssembly: { Instance: new (m: unknown, i: object) => { exports: Record<string, unknown> } } }).WebAssembly;
    const module = await compileWasm(new Uint8Array(Buffer.from(TRAP_MODULE, 'hex')));
    const core = new WasmCore(new WA.Instance(module, {}).exports);
    const key = new Uint8Array(32);
    const sig = new Uint8Array(64);
    let err: unknown;
    try {
      core.verifyWith('tk_ed25519_verify', key, new Uint8Array(3), sig);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CryptoCoreError);
    expect((err as Error).message).toMatch(/trapped in tk_ed25519_verify.*discarded/);
    expect(core.poisoned).toBe(true);
    expect(() => core.verifyWith('tk_ed25519_verify', key, new Uint8Array(3), sig)).toThrow(/trapped earlier and was discarded/);
  });

  it('the loader replaces a poisoned thread core with a fresh instance', async () => {
    const { WasmEngine } = await import('../../src/verify/wasm-engine.js');
    const engine = new WasmEngine();
    const first = wasmCoreSync();
    (first as unknown as { trapped: boolean }).trapped = true; // as if a call had trapped
    const second = wasmCoreSync();
    expect(second).not.toBe(first);
    expect(second.poisoned).toBe(false);
    expect(engine.core).toBe(second);
    expect(hex(second.sha256(ascii('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
