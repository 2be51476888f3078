/**
 * Building test repositories with real file keys in temporary directories, and snapshots of
 * directory trees (to assert that a refused operation left every byte as it was).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll } from 'vitest';
import { dirname, join, relative } from 'node:path';
import { KeyRing } from '../../src/repository/signers.js';
import { Repository, type RepositoryOptions } from '../../src/repository/repository.js';
import { FileSigner, type FileKeyType } from '../../src/signers/file.js';
import type { Key } from '../../src/metadata/key.js';

const created: string[] = [];
// Registered while the importing test file is collected: its temporary directories go after it.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A new temporary directory (removed after the test file). */
export function tempDir(tag = 'repo'): string {
  const dir = mkdtempSync(join(tmpdir(), `tufkit-${tag}-`));
  created.push(dir);
  return dir;
}

/** Generate a key, write it unencrypted to `DIR/keys/NAME.pem`, return its signer and `file:` URI. */
export async function makeKey(dir: string, name: string, type: FileKeyType = 'ed25519'): Promise<{ signer: FileSigner; key: Key; uri: string }> {
  mkdirSync(join(dir, 'keys'), { recursive: true });
  const signer = await FileSigner.generate(type).writeFile(join(dir, 'keys', `${name}.pem`), null);
  return { signer, key: signer.publicKey, uri: `file:keys/${name}.pem` };
}

/** A repository with one file key per top-level role, every role signed, not yet published. */
export async function makeRepository(options: RepositoryOptions & { consistentSnapshot?: boolean; targetHashAlgorithms?: string[] } = {}) {
  const dir = tempDir();
  const keys = {
    root: await makeKey(dir, 'root'),
    targets: await makeKey(dir, 'targets'),
    snapshot: await makeKey(dir, 'snapshot'),
    timestamp: await makeKey(dir, 'timestamp'),
  };
  const repo = await Repository.init(dir, {
    ...options,
    roles: {
      root: { keys: [keys.root] },
      targets: { keys: [keys.targets] },
      snapshot: { keys: [keys.snapshot] },
      timestamp: { keys: [keys.timestamp] },
    },
  });
  const ring = keyring(repo);
  await repo.sign(['root', 'targets', 'snapshot', 'timestamp'], ring);
  await repo.save();
  return { dir, repo, keys, ring };
}

/** A key ring over the repository's tufkit.json signers. */
export function keyring(repo: Repository): KeyRing {
  return new KeyRing(repo.config.signers, { baseDir: repo.layout.dir });
}

/** Write files under `dir` (path → content), creating directories. */
export function writeTree(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [path, content] of Object.entries(files)) {
    const p = join(dir, ...path.split('/'));
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
}

/** Every file under `dir` (relative path → bytes, base64), to compare trees byte for byte. */
export function treeSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        out[relative(dir, p) + '/'] = '';
        walk(p);
      } else {
        out[relative(dir, p)] = readFileSync(p).toString('base64');
      }
    }
  };
  walk(dir);
  return out;
}
