/**
 * Atomic file writes: write a temporary file beside the target, fsync it, rename it over
 * the target, fsync the directory. A reader sees the old file or the new one, never a
 * half-written one, and a crash or error leaves the old file in place.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StorageError, describeError } from '../errors.js';

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

/** Write `data` to `path` atomically (synchronous). @throws {@link StorageError} */
export function writeFileAtomicSync(path: string, data: Uint8Array | string, mode = 0o644): void {
  const tmp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
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

/** Write `data` to `path` atomically. @throws {@link StorageError} */
export async function writeFileAtomic(path: string, data: Uint8Array | string, mode = 0o644): Promise<void> {
  const tmp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const handle = await open(tmp, 'wx', mode);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new StorageError(`cannot write ${path}: ${describeError(err)}`, { cause: err });
  }
  await syncDir(dirname(path));
}

function syncDirSync(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic.
  }
}

async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // as above
  }
}
