/**
 * Batched atomic writes (src/util/atomic-batch.ts): every file lands with its own content,
 * no-clobber files never replace existing ones, no temporary file is left behind, and a
 * failure before the renames leaves the targets as they were.
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFilesAtomic } from '../../src/util/atomic-batch.js';
import { mapLimit } from '../../src/util/pool.js';
import { tempDir } from '../helpers/repo.js';

describe('writeFilesAtomic', () => {
  it('writes many files, each with its own content, and leaves no temporary file', async () => {
    const dir = tempDir('batch');
    const files = Array.from({ length: 300 }, (_, i) => ({ path: join(dir, `f${i}.json`), data: `content ${i}` }));
    expect(await writeFilesAtomic(files)).toEqual([]);
    for (let i = 0; i < 300; i++) expect(readFileSync(join(dir, `f${i}.json`), 'utf8')).toBe(`content ${i}`);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('replaces ordinary files, never no-clobber ones (those are reported)', async () => {
    const dir = tempDir('batch');
    writeFileSync(join(dir, 'a'), 'old a');
    writeFileSync(join(dir, 'b'), 'old b');
    const skipped = await writeFilesAtomic([
      { path: join(dir, 'a'), data: 'new a' },
      { path: join(dir, 'b'), data: 'new b', noClobber: true },
      { path: join(dir, 'c'), data: 'new c', noClobber: true },
    ]);
    expect(skipped).toEqual([join(dir, 'b')]);
    expect(['a', 'b', 'c'].map((n) => readFileSync(join(dir, n), 'utf8'))).toEqual(['new a', 'old b', 'new c']);
    expect(readdirSync(dir).sort()).toEqual(['a', 'b', 'c']);
  });

  it('a failure before the renames changes nothing', async () => {
    const dir = tempDir('batch');
    writeFileSync(join(dir, 'a'), 'old a');
    await expect(writeFilesAtomic([{ path: join(dir, 'a'), data: 'new a' }, { path: join(dir, 'missing-dir', 'b'), data: 'b' }])).rejects.toThrow(/cannot write 2 files/);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('old a');
    expect(readdirSync(dir)).toEqual(['a']);
  });
});

describe('mapLimit', () => {
  it('keeps input order, never exceeds the limit, and stops on the first failure', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (x) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, x));
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(peak).toBe(2);
    const seen: number[] = [];
    await expect(
      mapLimit([1, 2, 3, 4, 5, 6], 1, async (x) => {
        seen.push(x);
        if (x === 3) throw new Error('boom');
        return x;
      }),
    ).rejects.toThrow('boom');
    expect(seen).toEqual([1, 2, 3]);
  });
});
