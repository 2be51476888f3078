/**
 * The local metadata cache: one directory holding only verified metadata, under unversioned
 * names (`root.json`, `timestamp.json`, `ROLE.json` with the role name quoted), each file
 * exactly the bytes that were served. Writes are atomic (temp file, fsync, rename): a reader
 * or a crash sees the old file or the new one, never a half-written one.
 *
 * Writes run in the background, in order per file (a later write of `root.json` can never
 * land before an earlier one), so that the fsyncs overlap with the next download; a read or
 * delete of a file waits for that file's pending writes, and {@link MetadataCache.flush}
 * waits for all of them and reports the first failure. Every file is re-verified when read
 * back, so the order in which *different* files reach the disk does not matter.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, describeError } from '../errors.js';
import { writeFilesAtomic } from '../util/atomic-batch.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { metadataFileName } from './names.js';

/** Reads and writes the metadata cache directory. */
export class MetadataCache {
  private readonly pending = new Map<string, Promise<void>>();
  private failures: unknown[] = [];

  constructor(readonly dir: string) {}

  private enqueue(roleName: string, op: () => Promise<void>): Promise<void> {
    const previous = this.pending.get(roleName) ?? Promise.resolve();
    const next = previous.then(op);
    const settled = next.catch((err: unknown) => {
      this.failures.push(err);
    });
    this.pending.set(roleName, settled);
    return next;
  }

  /** Wait for every pending write. @throws the first write failure ({@link StorageError}) since the last flush. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) {
      const all = [...this.pending.values()];
      this.pending.clear();
      await Promise.all(all);
    }
    const [first] = this.failures;
    this.failures = [];
    if (first !== undefined) throw first instanceof Error ? first : new StorageError(String(first));
  }

  /** The path of role `roleName`'s file. */
  pathOf(roleName: string): string {
    return join(this.dir, metadataFileName(roleName));
  }

  /**
   * The cached bytes of `roleName`, or undefined when there is no such file or it is larger
   * than `maxLength` (a file that big was never written by the client: it is not read).
   * @throws {@link StorageError} for errors other than a missing file.
   */
  async read(roleName: string, maxLength: number): Promise<Uint8Array | undefined> {
    await this.pending.get(roleName);
    const path = this.pathOf(roleName);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
    }
    try {
      const info = await handle.stat();
      if (!info.isFile() || info.size > maxLength) return undefined;
      const data = await handle.readFile();
      return data.length > maxLength ? undefined : new Uint8Array(data.buffer, data.byteOffset, data.length);
    } catch (err) {
      throw new StorageError(`cannot read ${path}: ${describeError(err)}`, { cause: err });
    } finally {
      await handle.close();
    }
  }

  /** Store `data` as `roleName`'s file, atomically, in the background (see {@link MetadataCache.flush}). */
  write(roleName: string, data: Uint8Array): void {
    void this.enqueue(roleName, () => writeFileAtomic(this.pathOf(roleName), data)).catch(() => undefined);
  }

  /**
   * Store many roles' files at once (a bulk pass over hashed bins): atomic like
   * {@link MetadataCache.write}, but made durable with one file-system flush for the whole
   * batch instead of an fsync per file. In the background, after each file's pending writes.
   */
  writeMany(entries: readonly { roleName: string; data: Uint8Array }[]): void {
    if (entries.length === 0) return;
    const before = Promise.all(entries.map((e) => this.pending.get(e.roleName)));
    const next = before.then(async () => {
      await writeFilesAtomic(entries.map((e) => ({ path: this.pathOf(e.roleName), data: e.data })));
    });
    const settled = next.catch((err: unknown) => {
      this.failures.push(err);
    });
    for (const e of entries) this.pending.set(e.roleName, settled);
  }

  /** Delete `roleName`'s file if there is one. @throws {@link StorageError} */
  async remove(roleName: string): Promise<void> {
    const path = this.pathOf(roleName);
    await this.enqueue(roleName, async () => {
      try {
        await rm(path, { force: true });
      } catch (err) {
        throw new StorageError(`cannot delete ${path}: ${describeError(err)}`, { cause: err });
      }
    });
  }
}
