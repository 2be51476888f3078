/**
 * Bounded concurrency: run an async function over many items with at most `limit` in flight
 * (hashing or copying 100,000 files without opening 100,000 at once).
 */

/**
 * `fn(item, index)` for every item, at most `limit` at a time; results in input order.
 * The first failure stops new work and is thrown once the work in flight has settled.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
