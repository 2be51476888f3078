/**
 * The public verification API (verify, verifyBatch), the auto engine's per-scheme choice,
 * the worker pool (identical answers, clean shutdown, never keeps the process alive) and the
 * loader's behaviour when the .wasm is missing (auto falls back with one warning; 'wasm'
 * throws the build hint) — the last two in child processes running the compiled package.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { constants, generateKeyPairSync, randomBytes, sign as nodeSign } from 'node:crypto';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoEngine, defaultEngine, engineNamed } from '../../src/verify/auto-engine.js';
import { POOL_MIN_ITEMS, verify, verifyBatch } from '../../src/verify/api.js';
import { UnsupportedAlgorithmError } from '../../src/errors.js';
import { NobleEngine } from '../../src/verify/noble-engine.js';
import { NodeEngine } from '../../src/verify/node-engine.js';
import { VerifyPool, shutdownSharedPool } from '../../src/verify/pool.js';
import type { VerifyItem } from '../../src/verify/types.js';
import { WasmEngine } from '../../src/verify/wasm-engine.js';
import { packEd25519Batch } from '../../src/verify/wasm/ed25519-batch.js';
import { wasmCoreSync, wasmModuleSync } from '../../src/verify/wasm/load.js';
import { ROOT } from '../helpers/fixtures.js';
import { edItem, flipBit, makeKey, signWithTorsionR, TORSION } from './ed25519-helpers.js';

function ecdsaItem(valid: boolean, p384 = false): VerifyItem {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: p384 ? 'secp384r1' : 'prime256v1' });
  const message = new Uint8Array(randomBytes(50));
  const sig = new Uint8Array(nodeSign(p384 ? 'sha384' : 'sha256', message, privateKey));
  return {
    scheme: p384 ? 'ecdsa-sha2-nistp384' : 'ecdsa-sha2-nistp256',
    publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    message,
    signature: valid ? sig : flipBit(sig, sig.length * 8 - 9),
  };
}

function rsaItem(valid: boolean, pss: boolean): VerifyItem {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const message = new Uint8Array(randomBytes(80));
  const padding = pss ? constants.RSA_PKCS1_PSS_PADDING : constants.RSA_PKCS1_PADDING;
  const sig = new Uint8Array(nodeSign('sha256', message, { key: privateKey, padding, saltLength: 32 }));
  return {
    scheme: pss ? 'rsassa-pss-sha256' : 'rsa-pkcs1v15-sha256',
    publicKey: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })),
    message,
    signature: valid ? sig : flipBit(sig, 77),
  };
}

/** n Ed25519 items over a few keys, about one in 50 invalid, some torsion residues. */
function ed25519Batch(n: number): { items: VerifyItem[]; expected: boolean[] } {
  const keys = Array.from({ length: 5 }, () => makeKey());
  const items: VerifyItem[] = [];
  const expected: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const key = keys[i % keys.length]!;
    const msg = new Uint8Array(randomBytes(40 + (i % 100)));
    if (i % 50 === 7) {
      items.push(edItem(key.publicKey, msg, flipBit(key.sign(msg), i % 512)));
      expected.push(false);
    } else if (i % 211 === 3) {
      items.push(edItem(key.publicKey, msg, signWithTorsionR(key, msg, TORSION[4]!)));
      expected.push(true);
    } else {
      items.push(edItem(key.publicKey, msg, key.sign(msg)));
      expected.push(true);
    }
  }
  return { items, expected };
}

describe('verify / verifyBatch', () => {
  afterAll(async () => {
    await shutdownSharedPool();
  });

  it('the auto engine sends Ed25519 to the WASM core and ECDSA/RSA to node:crypto', () => {
    const auto = defaultEngine();
    expect(auto).toBeInstanceOf(AutoEngine);
    expect(auto.engineFor('ed25519')).toBeInstanceOf(WasmEngine);
    expect(auto.engineFor('ecdsa-sha2-nistp256')).toBeInstanceOf(NodeEngine);
    expect(auto.engineFor('rsassa-pss-sha256')).toBeInstanceOf(NodeEngine);
  });

  it('every engine agrees on honest and broken items of mixed schemes', async () => {
    const { items: ed } = ed25519Batch(60);
    const items = [...ed, ecdsaItem(true), ecdsaItem(false), ecdsaItem(true, true), ecdsaItem(false, true), rsaItem(true, true), rsaItem(false, true), rsaItem(true, false), rsaItem(false, false)];
    const expected = items.map((i) => new NodeEngine().verify(i));
    // Honest and bit-flipped: all engines agree; the torsion items are where node differs.
    for (const engine of ['auto', 'wasm', 'node', 'noble'] as const) {
      const single = items.map((i) => verify(i, { engine }));
      expect(await verifyBatch(items, { engine }), engine).toEqual(single);
      // Honest items verify, broken ones do not, whatever the engine (torsion items aside).
      items.forEach((item, i) => {
        const torsion = item.scheme === 'ed25519' && i % 211 === 3;
        if (!torsion) expect(single[i], `${engine} ${item.scheme} #${i}`).toBe(expected[i]);
      });
    }
    const auto = await verifyBatch(items);
    items.forEach((item, i) => {
      const torsion = item.scheme === 'ed25519' && i % 211 === 3;
      expect(auto[i]).toBe(torsion ? true : expected[i]);
    });
  });

  it('NobleEngine without a fallback refuses RSA with a typed error, and answers false for unknown schemes', () => {
    const noble = new NobleEngine();
    expect(() => noble.verify(rsaItem(true, true))).toThrow(UnsupportedAlgorithmError);
    expect(noble.verify({ scheme: 'x-unknown', publicKey: new Uint8Array(1), message: new Uint8Array(0), signature: new Uint8Array(0) })).toBe(false);
  });

  it('an empty batch is an empty answer', async () => {
    expect(await verifyBatch([])).toEqual([]);
  });

  it('the worker pool gives exactly the single-thread answers (mixed schemes, invalid and torsion items)', async () => {
    const { items, expected } = ed25519Batch(POOL_MIN_ITEMS + 1500);
    items.splice(100, 0, ecdsaItem(true));
    expected.splice(100, 0, true);
    items.splice(2000, 0, ecdsaItem(false));
    expected.splice(2000, 0, false);
    const pooled = await verifyBatch(items, { workers: 2 });
    const singleThread = await verifyBatch(items, { workers: false });
    expect(singleThread).toEqual(expected);
    expect(pooled).toEqual(expected);
    expect(pooled).toEqual(items.map((i) => verify(i)));
  });

  it('a pool can be used and closed directly; a closed pool refuses work', async () => {
    const { items, expected } = ed25519Batch(300);
    const pool = new VerifyPool(wasmModuleSync(), 2);
    const answers = await Promise.all([pool.run(packEd25519Batch(items.slice(0, 150))), pool.run(packEd25519Batch(items.slice(150)))]);
    expect([...answers[0], ...answers[1]].map((b) => b === 1)).toEqual(expected);
    await pool.close();
    await expect(pool.run(packEd25519Batch(items.slice(0, 2)))).rejects.toThrow(/closed/);
  });

  it('engineNamed gives the shared engines', () => {
    expect(engineNamed('node')).toBeInstanceOf(NodeEngine);
    expect(engineNamed('wasm')).toBeInstanceOf(WasmEngine);
    expect(engineNamed('auto')).toBe(defaultEngine());
    expect(wasmCoreSync()).toBe(wasmCoreSync());
  });
});

describe('the compiled package in a child process', () => {
  const base = join(ROOT, '.tmp', `verify-engines-${process.pid}`);
  const withWasm = join(base, 'with');
  const withoutWasm = join(base, 'without');

  beforeAll(() => {
    rmSync(base, { recursive: true, force: true });
    // Compile src/ twice: one copy next to a built core, one without (a source checkout
    // where scripts/build-wasm was never run). Both sit under the project root so that
    // node_modules resolves.
    for (const dir of [withWasm, withoutWasm]) {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--sourceMap', 'false', '--declaration', 'false'], {
        stdio: 'pipe',
      });
    }
    mkdirSync(join(withWasm, 'crypto-wasm', 'pkg'), { recursive: true });
    copyFileSync(join(ROOT, 'crypto-wasm/pkg/tufkit_crypto.wasm'), join(withWasm, 'crypto-wasm/pkg/tufkit_crypto.wasm'));
  }, 180_000);

  afterAll(() => {
    rmSync(base, { recursive: true, force: true });
  });

  /** Run an ES module script in a child Node with the compiled package at `dir/dist`. */
  function run(dir: string, script: string): { status: number | null; stdout: string; stderr: string; ms: number } {
    const t = Date.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t };
  }

  const MAKE_ITEMS = `
    import { generateKeyPairSync, sign, randomBytes } from 'node:crypto';
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const pk = new Uint8Array(Buffer.from(publicKey.export({ format: 'jwk' }).x, 'base64url'));
    const items = [];
    for (let i = 0; i < 9000; i++) { const m = randomBytes(64); items.push({ scheme: 'ed25519', publicKey: pk, message: m, signature: sign(null, m, privateKey) }); }
  `;

  it('with the core: a pooled verifyBatch finishes and the process exits on its own (workers unref\'d)', () => {
    const r = run(
      withWasm,
      `${MAKE_ITEMS}
      const { readdirSync } = await import('node:fs');
      const { verifyBatch } = await import('./dist/index.js');
      const threads = () => readdirSync('/proc/self/task').length;
      const before = threads();
      const out = await verifyBatch(items, { workers: 2 });
      console.log(out.every(Boolean) ? 'ALL-VALID' : 'SOME-INVALID', threads() >= before + 2 ? 'POOL-USED' : 'NO-POOL');
      // No shutdown call: idle workers must not keep the process alive.`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('ALL-VALID POOL-USED');
    expect(r.status).toBe(0);
  });

  it('without the core: auto falls back to node:crypto with one warning; engine "wasm" throws the build hint', () => {
    const r = run(
      withoutWasm,
      `${MAKE_ITEMS}
      const { verify, verifyBatch, CryptoCoreError } = await import('./dist/index.js');
      console.log('auto', verify(items[0]), (await verifyBatch(items.slice(0, 5))).join(','));
      console.log('auto again', verify(items[1]));
      try { verify(items[0], { engine: 'wasm' }); console.log('no error'); }
      catch (e) { console.log('wasm error', e instanceof CryptoCoreError, e.message); }`,
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('auto true true,true,true,true,true');
    expect(lines[1]).toBe('auto again true');
    expect(lines[2]).toMatch(/^wasm error true tufkit's WebAssembly crypto core is not built: .*crypto-wasm\/pkg\/tufkit_crypto\.wasm does not exist\. Build it with `scripts\/build-wasm`/);
    // One warning, naming the fallback and how to build.
    const warnings = r.stderr.split('\n').filter((l) => l.includes('TufkitWarning'));
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatch(/falling back to node:crypto for Ed25519.*scripts\/build-wasm/);
  });
});
