/**
 * Small helpers shared by the benchmarks: timing with warm-up, medians, tables.
 * (Files starting with `_` are helpers, not benchmarks.)
 */
import { readFileSync } from 'node:fs';

/** Run `fn` repeatedly for about `ms` milliseconds after a warm-up; return the median time per call in ms. */
export function measure(fn: () => unknown, { ms = 1000, minRuns = 5, warmup = 2 } = {}): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const end = performance.now() + ms;
  while (times.length < minRuns || performance.now() < end) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** Async variant of {@link measure}. */
export async function measureAsync(fn: () => Promise<unknown>, { ms = 1000, minRuns = 5, warmup = 2 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  const end = performance.now() + ms;
  while (times.length < minRuns || performance.now() < end) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

/** The median of `xs`. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Print a Markdown table. */
export function table(headers: string[], rows: (string | number)[][]): void {
  const cells = rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c)));
  console.log('| ' + headers.join(' | ') + ' |');
  console.log('|' + headers.map((_, i) => (i === 0 ? '---' : '---:')).join('|') + '|');
  for (const r of cells) console.log('| ' + r.join(' | ') + ' |');
}

/** Format a number with sensible precision. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

/** Peak resident set size of this process so far, in MiB (Linux: VmHWM). */
export function peakRssMiB(): number {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    if (kb) return kb / 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss / 2 ** 20;
}
