/**
 * Where a command's output goes.
 *
 * - Human output (`print`) goes to stdout, except with `--json`, where stdout carries exactly
 *   one JSON document (the command's result) and human output is dropped.
 * - Notes (`note`) and warnings (`warn`) go to stderr; notes are dropped by `--quiet` and `--json`.
 * - Progress bars go to stderr, only on a TTY.
 * - Colours only on a TTY and without NO_COLOR (see style.ts).
 */
import { NO_PROGRESS, type Progress, type ProgressFactory } from '../util/progress.js';
import { TtyProgress } from './progress.js';
import { makeStyle, type Style } from './style.js';

/** A writable text stream (process.stdout, process.stderr, or a test's buffer). */
export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** Settings of an {@link Output}. */
export interface OutputSettings {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly colorStdout: boolean;
  readonly colorStderr: boolean;
}

/** Printing for commands. */
export class Output {
  /** Colours for what goes to stdout. */
  readonly style: Style;
  /** Colours for what goes to stderr. */
  readonly errStyle: Style;
  private readonly bars = new Set<Progress>();

  constructor(
    readonly stdout: TextStream,
    readonly stderr: TextStream,
    readonly settings: OutputSettings,
  ) {
    this.style = makeStyle(settings.colorStdout);
    this.errStyle = makeStyle(settings.colorStderr);
  }

  /** True with `--json`. */
  get json(): boolean {
    return this.settings.json;
  }

  /** A line of human output on stdout (dropped with `--json`). */
  print(line = ''): void {
    if (!this.settings.json) this.stdout.write(line + '\n');
  }

  /** An informational line on stderr (dropped with `--quiet` or `--json`). */
  note(line: string): void {
    if (!this.settings.json && !this.settings.quiet) this.stderr.write(line + '\n');
  }

  /** A warning on stderr (always shown, also with `--json` and `--quiet`). */
  warn(line: string): void {
    this.stderr.write(`${this.errStyle.yellow('warning:')} ${line}\n`);
  }

  /** Write the JSON result document (used by the framework). */
  writeJson(value: unknown): void {
    this.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** Start a progress bar (a no-op unless stderr is a TTY and neither `--quiet` nor `--json`). */
  readonly progress: ProgressFactory = (label: string, total?: number): Progress => {
    if (this.settings.quiet || this.settings.json || this.stderr.isTTY !== true) return NO_PROGRESS;
    const bar = new TtyProgress(this.stderr, label, total);
    this.bars.add(bar);
    return {
      tick: (n?: number) => bar.tick(n),
      setTotal: (t: number) => bar.setTotal(t),
      done: () => {
        bar.done();
        this.bars.delete(bar);
      },
    };
  };

  /** Erase any bar still drawn (before an error message). */
  clearProgress(): void {
    for (const bar of this.bars) bar.done();
    this.bars.clear();
  }
}
