/**
 * Settings of the {@link Updater}, as python-tuf's `UpdaterConfig`, plus the opt-in lenient
 * parse and a reference clock.
 */
import { ValueError } from '../errors.js';
import type { Verifier } from '../verify/verifier.js';

/** Updater settings. Every field has a default (see {@link DEFAULT_UPDATER_CONFIG}). */
export interface UpdaterConfig {
  /** At most this many new root versions are fetched in one refresh (spec §5.3.3 "Y"). Default 32. */
  readonly maxRootRotations: number;
  /** At most this many delegated roles are visited in one target search (spec §5.6.7.1). Default 32. */
  readonly maxDelegations: number;
  /** Byte limit for a root file, whose size is unknown (spec §5.3.3 "W"). Default 512000. */
  readonly rootMaxLength: number;
  /** Byte limit for timestamp.json (spec §5.4.1 "X"). Default 16384. */
  readonly timestampMaxLength: number;
  /** Byte limit for snapshot.json when timestamp gives no length (spec §5.5.1 "Y"). Default 2000000. */
  readonly snapshotMaxLength: number;
  /** Byte limit for a targets file when snapshot gives no length (spec §5.6.1 "Z"). Default 5000000. */
  readonly targetsMaxLength: number;
  /** Under consistent snapshots, fetch targets as `HASH.NAME` (spec §5.7.3). Default true. */
  readonly prefixTargetsWithHash: boolean;
  /** Prepended to tufkit's own User-Agent by the default fetcher, e.g. `myapp/1.2`. */
  readonly appUserAgent: string | undefined;
  /**
   * Read metadata with the lenient parse (legacy `expires` forms, hex ECDSA keys; see
   * `ReadOptions.lenient`). Off by default: only for real-world repositories whose old roots
   * predate the spec's formats (sigstore's roots 1–4).
   */
  readonly lenient: boolean;
  /**
   * The clock: the reference time of each refresh (spec §5.1) is taken from it once, at the
   * start. Default: the system clock. A fixed Date is for tests and for verifying an archived
   * repository as it was.
   */
  readonly referenceTime: Date | (() => Date) | undefined;
  /** Verifier for every signature (default: the process-wide default verifier). */
  readonly verifier: Verifier | undefined;
}

/** python-tuf's defaults. */
export const DEFAULT_UPDATER_CONFIG: UpdaterConfig = Object.freeze({
  maxRootRotations: 32,
  maxDelegations: 32,
  rootMaxLength: 512_000,
  timestampMaxLength: 16_384,
  snapshotMaxLength: 2_000_000,
  targetsMaxLength: 5_000_000,
  prefixTargetsWithHash: true,
  appUserAgent: undefined,
  lenient: false,
  referenceTime: undefined,
  verifier: undefined,
});

/** The defaults overridden by `config`; numbers are checked. @throws {@link ValueError} */
export function resolveConfig(config: Partial<UpdaterConfig> = {}): UpdaterConfig {
  const out: UpdaterConfig = { ...DEFAULT_UPDATER_CONFIG, ...stripUndefined(config) };
  const positive = ['maxRootRotations', 'rootMaxLength', 'timestampMaxLength', 'snapshotMaxLength', 'targetsMaxLength'] as const;
  for (const name of positive) {
    const v = out[name];
    if (!Number.isSafeInteger(v) || v < 1) throw new ValueError(`UpdaterConfig.${name}: must be an integer ≥ 1, found ${v}`);
  }
  if (!Number.isSafeInteger(out.maxDelegations) || out.maxDelegations < 0) {
    throw new ValueError(`UpdaterConfig.maxDelegations: must be an integer ≥ 0, found ${out.maxDelegations}`);
  }
  return Object.freeze(out);
}

/** The reference time for a new refresh, from the configured clock. */
export function referenceTimeOf(config: UpdaterConfig): Date {
  const clock = config.referenceTime;
  if (clock === undefined) return new Date();
  const date = typeof clock === 'function' ? clock() : clock;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new ValueError('UpdaterConfig.referenceTime: not a valid date');
  return new Date(date.getTime());
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
