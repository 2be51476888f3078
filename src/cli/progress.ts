/**
 * Progress bars for long work (hashing a tree, signing thousands of bins, verifying).
 * Drawn on stderr only when stderr is a TTY (and not `--quiet` / `--json`); otherwise every
 * call is a no-op, so scripts and logs never see carriage returns.
 */

import type { Progress } from '../util/progress.js';

/** The stream a bar draws on. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly columns?: number;
}

const FRAME_MS = 100;

/** A bar drawn on `stream` (a TTY), redrawn at most every 100 ms. */
export class TtyProgress implements Progress {
  private count = 0;
  private lastDraw = 0;
  private readonly started = Date.now();
  private finished = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private total: number | undefined,
    private readonly clock: () => number = Date.now,
  ) {}

  tick(n = 1): void {
    this.count += n;
    const now = this.clock();
    if (now - this.lastDraw >= FRAME_MS) {
      this.lastDraw = now;
      this.draw(now);
    }
  }

  setTotal(total: number): void {
    this.total = total;
  }

  done(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.lastDraw !== 0) this.stream.write('\r\u001b[K');
  }

  private draw(now: number): void {
    const width = Math.max(20, Math.min(this.stream.columns ?? 80, 120));
    const elapsed = (now - this.started) / 1000;
    let line: string;
    if (this.total !== undefined && this.total > 0) {
      const fraction = Math.min(1, this.count / this.total);
      const rate = elapsed > 0 ? this.count / elapsed : 0;
      const eta = rate > 0 ? (this.total - this.count) / rate : 0;
      const tail = ` ${Math.floor(fraction * 100)}% ${this.count}/${this.total}` + (eta >= 1 ? ` ~${formatSeconds(eta)}` : '');
      const barWidth = Math.max(10, width - this.label.length - tail.length - 4);
      const filled = Math.round(fraction * barWidth);
      line = `${this.label} [${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]${tail}`;
    } else {
      line = `${this.label} ${this.count} (${formatSeconds(elapsed)})`;
    }
    this.stream.write('\r\u001b[K' + line.slice(0, width - 1));
  }
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}
