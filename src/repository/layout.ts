/**
 * Where things are on disk.
 *
 * A repository under edit (the working directory, `tufkit init DIR`):
 *
 * ```
 * DIR/tufkit.json        configuration: expiry policy, hash algorithms, keyid → signer URI (config.ts)
 * DIR/keys/              key files made by `tufkit init` (encrypted PKCS#8 + .pub); any other place works
 * DIR/metadata/          staged metadata, one file per role, current version, unversioned names:
 *                        root.json, timestamp.json, snapshot.json, targets.json, <role>.json
 *                        (role names percent-encoded as python-tuf does)
 * DIR/targets/           target content, at its target path (DIR/targets/a/b.txt is target "a/b.txt")
 * DIR/repository/        the published repository (tufkit.json "publishDir"; see below)
 * ```
 *
 * The published repository, what a static web server serves (spec §6.2 for consistent snapshots):
 *
 * ```
 * metadata/N.root.json          every root version ever published (spec §5.3.3); 1.root.json is the trust anchor
 * metadata/root.json            a copy of the newest root (for trust-on-first-use bootstrapping tools)
 * metadata/timestamp.json       unversioned, replaced at each publish (spec §5.4)
 * metadata/N.snapshot.json      consistent snapshots on: versioned names, never replaced
 * metadata/N.targets.json       ...
 * metadata/N.<role>.json        ... one per delegated role (hashed bins included)
 * metadata/snapshot.json, targets.json, <role>.json    consistent snapshots off: unversioned
 * targets/<dir>/<hash>.<name>   consistent snapshots on: one file per hash algorithm (hard links)
 * targets/<path>                consistent snapshots off
 * ```
 */
import { join } from 'node:path';
import { roleFileName } from './role-files.js';
import { localPathOf } from './target-path.js';

/** Paths of a working directory. */
export class WorkingLayout {
  /** @param dir the working directory (absolute) */
  constructor(readonly dir: string) {}

  /** `DIR/tufkit.json`. */
  get configPath(): string {
    return join(this.dir, 'tufkit.json');
  }

  /** `DIR/metadata`: staged metadata. */
  get metadataDir(): string {
    return join(this.dir, 'metadata');
  }

  /** `DIR/targets`: target content. */
  get targetsDir(): string {
    return join(this.dir, 'targets');
  }

  /** `DIR/keys`: key files made by `init`. */
  get keysDir(): string {
    return join(this.dir, 'keys');
  }

  /** The staged metadata file of role `name`. */
  rolePath(name: string): string {
    return join(this.metadataDir, roleFileName(name));
  }

  /** The working copy of target `targetPath`. */
  targetPath(targetPath: string): string {
    return join(this.targetsDir, localPathOf(targetPath));
  }
}

/** Paths of a published repository. */
export class PublishedLayout {
  /** @param dir the published repository's directory (absolute) */
  constructor(readonly dir: string) {}

  /** `metadata/`. */
  get metadataDir(): string {
    return join(this.dir, 'metadata');
  }

  /** `targets/`. */
  get targetsDir(): string {
    return join(this.dir, 'targets');
  }

  /** `metadata/ROLE.json`, or `metadata/VERSION.ROLE.json`. */
  metadataPath(role: string, version?: number): string {
    return join(this.metadataDir, roleFileName(role, version));
  }

  /** A target's file under `targets/` (a target path or a hash-prefixed one). */
  targetFilePath(path: string): string {
    return join(this.targetsDir, localPathOf(path));
  }
}
