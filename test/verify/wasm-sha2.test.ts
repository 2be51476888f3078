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
