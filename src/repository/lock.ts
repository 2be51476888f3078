/**
 * A working directory is changed by one tufkit process at a time: `DIR/.tufkit.lock` holds
 * the pid of the process that changes it. Two `tufkit sign` runs on one directory would
 * otherwise each add their signature to the same staged file and one would be lost.
 * A lock whose process is gone (crashed) is taken over.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StorageError, describeError } from '../errors.js';

const held = new Set<string>();

/** The lock file of working directory `dir`. */
export function lockPath(dir: string): string {
  return join(dir, '.tufkit.lock');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take the lock of `dir` for this process (again is a no-op); it is released by
 * {@link releaseLock} or when the process exits.
 * @throws {@link StorageError} naming the pid of a live process holding it
 */
export function acquireLock(dir: string): void {
  const path = lockPath(dir);
  if (held.has(path)) return;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      held.add(path);
      if (held.size === 1) process.once('exit', releaseAll);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new StorageError(`cannot create ${path}: ${describeError(err)}`, { cause: err });
    }
    let pid = NaN;
    try {
      pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    } catch {
      // vanished meanwhile: try again
    }
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
      throw new StorageError(`${dir} is being changed by another tufkit process (pid ${pid}); wait for it, or delete ${path} if no such process runs`);
    }
    rmSync(path, { force: true }); // a stale lock
  }
  throw new StorageError(`cannot take the lock ${path}`);
}

/** Release the lock of `dir` if this process holds it. */
export function releaseLock(dir: string): void {
  const path = lockPath(dir);
  if (held.delete(path)) rmSync(path, { force: true });
}

function releaseAll(): void {
  for (const path of held) rmSync(path, { force: true });
  held.clear();
}
