/**
 * Hashing local files for targets, fast for the common case of many small files: a file up to
 * 4 MiB is read whole through one handle (one open, one fstat, one read); a larger one is
 * streamed (the metadata API's `hashFile`), so memory stays bounded whatever the size.
 */
import { open } from 'node:fs/promises';
import { hashBytes, hashFile, type Hashes } from '../metadata/hashes.js';

const WHOLE_FILE_LIMIT = 4 << 20;

/** Length and `algorithms` hashes of the file at `path`. */
export async function hashLocalFile(path: string, algorithms: readonly string[]): Promise<{ length: number; hashes: Hashes }> {
  const handle = await open(path, 'r');
  let data: Buffer | undefined;
  try {
    const { size } = await handle.stat();
    if (size <= WHOLE_FILE_LIMIT) data = await handle.readFile();
  } finally {
    await handle.close();
  }
  if (data === undefined) return hashFile(path, algorithms);
  return { length: data.length, hashes: hashBytes(data, algorithms) };
}
