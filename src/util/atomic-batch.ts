/**
 * Atomic writes of many files at once (1,024 hashed bins, 100,000 target files) without one
 * fsync per file: every file goes to a temporary name beside its target, the file system is
 * flushed once (`sync -f`, i.e. syncfs(2), on Linux; an fsync per file elsewhere), then each
 * temporary file is renamed over its target — or hard-linked, which never replaces an
 * existing file — and each directory touched is fsynced. Readers see old files or new ones,
 * never partial ones; a failure before the renames leaves every target as it was.
 */
import { execFile } from 'node:child_process';
import { link, open, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { StorageError, describeError } from '../errors.js';
import { syncDir, tempPathBeside } from './atomic-file.js';
import { mapLimit } from './pool.js';

/** One file of a batch. */
export interface BatchFile {
  readonly path: string;
  readonly data: Uint8Array | string;
  /** Never replace an existing file (it is then left alone and reported). Default false. */
  readonly noClobber?: boolean;
  /** File mode (default 0o644). */
  readonly mode?: number;
}

const execFileAsync = promisify(execFile);


/**
 * Make `files` durable: one syncfs of the file system holding `dir` where `sync -f` exists
 * (Linux coreutils), otherwise an fsync of each file.
 */
export async function flushFiles(dir: string, files: readonly string[]): Promise<void> {
  if (files.length === 0) return;
  if (process.platform === 'linux' && files.length > 8) {
    try {
      await execFileAsync('sync', ['-f', dir]);
      return;
    } catch {
      // no `sync -f`: fsync each file
    }
  }
  await mapLimit(files, 16, async (f) => {
    const h = await open(f, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  });
}

/** fsync directories (after renames), ignoring platforms that cannot. */
export async function syncDirectories(dirs: Iterable<string>): Promise<void> {
  await mapLimit([...new Set(dirs)], 16, syncDir);
}

/**
 * Write every file of `files` atomically (see the module documentation), `concurrency` at a time.
 * @returns the paths left alone because they existed (`noClobber` files)
 * @throws {@link StorageError}; nothing was renamed into place when it throws before the renames
 */
export async function writeFilesAtomic(files: readonly BatchFile[], concurrency = 16): Promise<string[]> {
  if (files.length === 0) return [];
  const temps: (string | undefined)[] = new Array(files.length);
  const skipped: string[] = [];
  try {
    await mapLimit(files, concurrency, async (f, i) => {
      const temp = tempPathBeside(f.path);
      temps[i] = temp;
      await writeFile(temp, f.data, { mode: f.mode ?? 0o644, flag: 'wx' });
    });
    await flushFiles(dirname(files[0]?.path as string), temps as string[]);
    // The order of renames within one batch does not matter (the caller orders batches).
    await mapLimit(files, concurrency, async (f, i) => {
      const temp = temps[i] as string;
      if (f.noClobber) {
        try {
          await link(temp, f.path);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
          skipped.push(f.path);
        }
      } else {
        await rename(temp, f.path);
        temps[i] = undefined;
      }
    });
  } catch (err) {
    throw new StorageError(`cannot write ${files.length} files under ${dirname(files[0]?.path as string)}: ${describeError(err)}`, { cause: err });
  } finally {
    await Promise.all(temps.filter((t): t is string => t !== undefined).map((t) => rm(t, { force: true })));
  }
  await syncDirectories(files.map((f) => dirname(f.path)));
  return skipped;
}
