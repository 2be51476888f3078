/**
 * The progress seam: long library operations (hashing a tree, signing thousands of bins,
 * verifying a repository) report through a {@link ProgressFactory}; the command line draws
 * bars with it (`src/cli/progress.ts`), library users may pass their own or none.
 */

/** Progress of one piece of work. */
export interface Progress {
  /** Advance by `n` (default 1) units. */
  tick(n?: number): void;
  /** Set the total when it becomes known (or changes). */
  setTotal(total: number): void;
  /** Finish (a bar is erased). */
  done(): void;
}

/** Starts a {@link Progress} for work called `label`, of `total` units when known. */
export type ProgressFactory = (label: string, total?: number) => Progress;

/** A {@link Progress} that does nothing. */
export const NO_PROGRESS: Progress = Object.freeze({ tick() {}, setTotal() {}, done() {} });

/** A {@link ProgressFactory} that reports nothing. */
export const noProgress: ProgressFactory = () => NO_PROGRESS;
