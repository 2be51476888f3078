/**
 * The local metadata cache: one directory holding only verified metadata, under unversioned
 * names (`root.json`, `timestamp.json`, `ROLE.json` with the role name quoted), each file
 * exactly the bytes that were served. Writes are atomic (temp file, fsync, rename): a reader
 * or a crash sees the old file or the new one, never a half-written one.
 */
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StorageError, describeError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { metadataFileName } from './names.js';

/** Reads and writes the metadata cache directory. */
export class MetadataCache {
  constructor(readonly dir: string) {}

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

  /** Store `data` as `roleName`'s file, atomically. @throws {@link StorageError} */
  async write(roleName: string, data: Uint8Array): Promise<void> {
    await writeFileAtomic(this.pathOf(roleName), data);
  }

  /** Delete `roleName`'s file if there is one. @throws {@link StorageError} */
  async remove(roleName: string): Promise<void> {
    const path = this.pathOf(roleName);
    try {
      await rm(path, { force: true });
    } catch (err) {
      throw new StorageError(`cannot delete ${path}: ${describeError(err)}`, { cause: err });
    }
  }
}
