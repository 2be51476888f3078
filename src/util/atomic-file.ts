/**
 * Atomic file writes: write a temporary file beside the target, fsync it, rename it over
 * the target (or hard-link it, which never replaces a file), fsync the directory. A reader
 * sees the old file or the new one, never a half-written one, and a crash or error leaves
 * the old file in place. `atomic-batch.ts` does the same for many files at once.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { link, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageError, describeError } from '../errors.js';

/** A fresh temporary name beside `path` (same directory, so a rename is atomic). */
export function tempPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

const toBytes = (data: Uint8Array | string): Uint8Array => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

/** Write `data` to `path` atomically (synchronous). @throws {@link StorageError} */
export function writeFileAtomicSync(path: string, data: Uint8Array | string, mode = 0o644): void {
  const tmp = tempPathBeside(path);
  const bytes = toBytes(data);
  try {
    const fd = openSync(tmp, 'wx', mode);
    try {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw new StorageError(`cannot write ${path}: ${describeError(err)}`, { cause: err });
  }
  syncDirSync(dirname(path));
}

/** Create `tmp` (it must not exist), write `bytes`, fsync, close. */
async function writeDurable(tmp: string, bytes: Uint8Array, mode: number): Promise<void> {
  const handle = await open(tmp, 'wx', mode);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Write `data` to `path` atomically. @throws {@link StorageError} */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  const tmp = tempPathBeside(path);
  try {
    await writeDurable(tmp, toBytes(data), mode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new StorageError(`cannot write ${path}: ${describeError(err)}`, { cause: err });
  }
  await syncDir(dirname(path));
}

/**
 * Write `data` to `path` atomically unless `path` already exists: the data goes to a
 * temporary file (fsynced), which is then hard-linked to `path` — `link` never replaces an
 * existing file, so two writers cannot clobber each other. Returns `false`, writing nothing,
 * when `path` exists.
 * @throws {@link StorageError}
 */
export async function writeFileAtomicNoClobber(path: string, data: Uint8Array | string, mode = 0o644): Promise<boolean> {
  const tmp = tempPathBeside(path);
  try {
    await writeDurable(tmp, toBytes(data), mode);
    try {
      await link(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
  } catch (err) {
    throw new StorageError(`cannot write ${path}: ${describeError(err)}`, { cause: err });
  } finally {
    await rm(tmp, { force: true });
  }
  await syncDir(dirname(path));
  return true;
}

/** fsync a directory (after a rename in it); a no-op where the platform cannot (Windows). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The rename is atomic anyway; only its durability across a crash is weaker.
  }
}

/** Synchronous {@link syncDir}. */
export function syncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // as above
  }
}
