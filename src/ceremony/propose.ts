/**
 * Making a proposal: from the current root (a file, or a tufkit repository's last published
 * root) or from nothing (a new repository), and the changes requested.
 */
import { CeremonyError } from '../errors.js';
import { Metadata } from '../metadata/metadata.js';
import type { Root } from '../metadata/root.js';
import { Repository } from '../repository/repository.js';
import { applyRootChanges, type RootChanges } from './changes.js';
import { Proposal, sha256Hex } from './proposal.js';

const DAY_MS = 86_400_000;

/** Options of the propose functions. */
export interface ProposeOptions {
  readonly changes: RootChanges;
  /** Clock for `created` and the default expiry (default now). */
  readonly now?: Date;
  /** Days the new root is valid when `changes.expires` is not given (default 365). */
  readonly expiryDays?: number;
  /** Free text for the key holders. */
  readonly note?: string;
}

function withDefaultExpiry(changes: RootChanges, now: Date, days: number): RootChanges {
  return changes.expires !== undefined ? changes : { ...changes, expires: new Date(now.getTime() + days * DAY_MS) };
}

/**
 * A proposal rotating from `current` (checked to be signed by its own root keys), or — with
 * `current` undefined — creating a new repository's first root from `changes` alone.
 * @throws {@link CeremonyError}
 */
export function proposeFromRoot(current: Metadata<Root> | undefined, options: ProposeOptions): Proposal {
  const now = options.now ?? new Date();
  const changes = withDefaultExpiry(options.changes, now, options.expiryDays ?? 365);
  const next = applyRootChanges(current?.signed, changes, { bumpVersion: current !== undefined, now });
  return Proposal.create(current, next, { now, ...(options.note !== undefined ? { note: options.note } : {}) });
}

/**
 * A proposal for the tufkit repository in `dir`: rotating from its last published root, or,
 * before the first publish, replacing the staged version 1 (whose keys it starts from).
 * The default expiry is the repository's root policy (tufkit.json `expiry.root`).
 * @throws {@link CeremonyError} when the staged root has unpublished changes of its own.
 */
export async function proposeFromRepository(dir: string, options: ProposeOptions): Promise<Proposal> {
  const repo = await Repository.open(dir);
  const now = options.now ?? new Date();
  const last = await repo.lastPublishedRoot();
  const staged = await repo.root();
  const expiryDays = options.expiryDays ?? repo.config.expiry.root;
  const changes = withDefaultExpiry(options.changes, now, expiryDays);
  const note = options.note !== undefined ? { note: options.note } : {};
  if (last !== undefined) {
    if (sha256Hex(staged.signedBytes()) !== sha256Hex(last.signedBytes())) {
      throw new CeremonyError(`${dir}: the staged root (version ${staged.signed.version}) has unpublished changes; publish or discard them before a ceremony`);
    }
    const next = applyRootChanges(last.signed, changes, { bumpVersion: true, now });
    return Proposal.create(last, next, { now, ...note });
  }
  if (staged.signed.version !== 1) throw new CeremonyError(`${dir}: no root is published, and the staged root is version ${staged.signed.version}, not 1`);
  const next = applyRootChanges(staged.signed, changes, { bumpVersion: false, now });
  return Proposal.create(undefined, next, { now, ...note });
}

/** Read a root metadata file as the current root of a ceremony. */
export function readCurrentRoot(path: string): Metadata<Root> {
  return Metadata.fromFile(path, { type: 'root' });
}
