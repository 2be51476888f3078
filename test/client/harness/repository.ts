/**
 * A TUF repository built with the metadata API and changed between refreshes, like
 * python-tuf's RepositorySimulator: every published version of every role is kept, served
 * by {@link TestRepository.resolve} under the names a client asks for.
 */
import {
  DelegatedRole,
  Delegations,
  Metadata,
  MetaFile,
  Root,
  Snapshot,
  SuccinctRoles,
  TargetFile,
  Targets,
  Timestamp,
  hashBytes,
  type AnySigned,
  type Signer,
} from '../../../src/index.js';
import { TestSigner } from './signer.js';

const DAY = 86_400_000;

/** A date `days` from now, whole seconds. */
export function daysFromNow(days: number): Date {
  return new Date(Math.floor((Date.now() + days * DAY) / 1000) * 1000);
}

/** Options of a new repository. */
export interface TestRepositoryOptions {
  consistentSnapshot?: boolean;
  /** Put length and hashes in timestamp/snapshot meta. */
  computeHashes?: boolean;
}

/** A simulated repository. */
export class TestRepository {
  /** Current (editable) signed parts. Targets roles by name, top-level `targets` included. */
  readonly md = new Map<string, Metadata<AnySigned>>();
  /** Signers per role name (keyid → signer). */
  readonly signers = new Map<string, Map<string, Signer>>();
  /** Published bytes: role → version → bytes; `latest` → the last published version. */
  readonly published = new Map<string, Map<number, Uint8Array>>();
  readonly latest = new Map<string, Uint8Array>();
  /** Target files served: path → bytes (may differ from metadata, to simulate attacks). */
  readonly artifacts = new Map<string, Uint8Array>();
  computeHashes: boolean;
  /** Serve targets with a hash prefix when consistent snapshots are on. */
  prefixTargetsWithHash = true;

  private constructor(options: TestRepositoryOptions) {
    this.computeHashes = options.computeHashes ?? false;
  }

  /** A minimal valid repository: one Ed25519 key per top-level role, all published at version 1. */
  static async create(options: TestRepositoryOptions = {}): Promise<TestRepository> {
    const repo = new TestRepository(options);
    const expires = daysFromNow(30);
    const root = new Root({ expires, consistentSnapshot: options.consistentSnapshot ?? true });
    repo.md.set('root', new Metadata<AnySigned>(root));
    repo.md.set('timestamp', new Metadata<AnySigned>(new Timestamp({ expires })));
    repo.md.set('snapshot', new Metadata<AnySigned>(new Snapshot({ expires })));
    repo.md.set('targets', new Metadata<AnySigned>(new Targets({ expires })));
    for (const role of ['root', 'timestamp', 'snapshot', 'targets']) {
      const signer = TestSigner.generate();
      root.addKey(signer.publicKey, role);
      repo.addSigner(role, signer);
    }
    await repo.publish(['targets', 'snapshot', 'timestamp', 'root']);
    return repo;
  }

  get root(): Root {
    return this.md.get('root')?.signed as Root;
  }
  get timestamp(): Timestamp {
    return this.md.get('timestamp')?.signed as Timestamp;
  }
  get snapshot(): Snapshot {
    return this.md.get('snapshot')?.signed as Snapshot;
  }
  /** The targets role `name` (default top-level). */
  targets(name = 'targets'): Targets {
    const md = this.md.get(name);
    if (md === undefined || !(md.signed instanceof Targets)) throw new Error(`no targets role ${name}`);
    return md.signed;
  }

  addSigner(role: string, signer: Signer): void {
    let map = this.signers.get(role);
    if (map === undefined) this.signers.set(role, (map = new Map()));
    map.set(signer.publicKey.keyid, signer);
  }

  /** Replace all keys of top-level `role` with `count` new ones (default: threshold many). */
  rotateKeys(role: string, count?: number): TestSigner[] {
    const r = this.root.roles.get(role);
    if (r === undefined) throw new Error(role);
    for (const keyid of [...r.keyids]) this.root.revokeKey(keyid, role);
    this.signers.set(role, new Map());
    const out: TestSigner[] = [];
    for (let i = 0; i < (count ?? r.threshold); i++) {
      const s = TestSigner.generate();
      this.root.addKey(s.publicKey, role);
      this.addSigner(role, s);
      out.push(s);
    }
    return out;
  }

  /**
   * Sign and publish `roles` (bumping the version of a role published before, unless
   * `bump` is false). Signed by every signer of the role, or by `signers` if given.
   */
  async publish(roles: string[], options: { bump?: boolean; signers?: Signer[] } = {}): Promise<void> {
    for (const role of roles) {
      const md = this.md.get(role);
      if (md === undefined) throw new Error(`unknown role ${role}`);
      if ((options.bump ?? true) && this.published.has(role)) md.signed.version += 1;
      md.signatures.clear();
      for (const signer of options.signers ?? [...(this.signers.get(role)?.values() ?? [])]) await md.sign(signer, { append: true });
      const bytes = md.toBytes();
      let versions = this.published.get(role);
      if (versions === undefined) this.published.set(role, (versions = new Map()));
      versions.set(md.signed.version, bytes);
      this.latest.set(role, bytes);
    }
  }

  private metaFor(role: string): MetaFile {
    const bytes = this.latest.get(role);
    const md = this.md.get(role);
    if (bytes === undefined || md === undefined) throw new Error(`${role} not published`);
    const version = Metadata.fromBytes(bytes).signed.version;
    return this.computeHashes ? new MetaFile(version, bytes.length, hashBytes(bytes, ['sha256'])) : new MetaFile(version);
  }

  /** Point timestamp at the latest snapshot and publish it. */
  async updateTimestamp(): Promise<void> {
    this.timestamp.snapshotMeta = this.metaFor('snapshot');
    await this.publish(['timestamp']);
  }

  /** Record every published targets role in snapshot, publish it, then the timestamp. */
  async updateSnapshot(): Promise<void> {
    for (const [role] of this.published) {
      if (role === 'root' || role === 'timestamp' || role === 'snapshot') continue;
      this.snapshot.meta.set(`${role}.json`, this.metaFor(role));
    }
    await this.publish(['snapshot']);
    await this.updateTimestamp();
  }

  /** Add target `path` with `data` to targets role `role` (metadata and served bytes). */
  addTarget(path: string, data: Uint8Array | string, role = 'targets'): TargetFile {
    const bytes = typeof data === 'string' ? new Uint8Array(Buffer.from(data)) : data;
    const file = TargetFile.fromData(path, bytes, ['sha256']);
    this.targets(role).targets.set(path, file);
    this.artifacts.set(path, bytes);
    return file;
  }

  /**
   * Delegate from `delegator` to a new role (one new key; paths default `*`), creating its
   * (unpublished) metadata.
   */
  addDelegation(
    delegator: string,
    name: string,
    fields: { paths?: string[]; pathHashPrefixes?: string[]; terminating?: boolean; threshold?: number } = {},
  ): TestSigner {
    const targets = this.targets(delegator);
    if (targets.delegations === undefined) targets.delegations = new Delegations({ keys: new Map(), roles: new Map() });
    const roles = targets.delegations.roles;
    if (roles === undefined) throw new Error('succinct delegations in use');
    roles.set(
      name,
      new DelegatedRole({
        name,
        keyids: [],
        threshold: fields.threshold ?? 1,
        terminating: fields.terminating ?? false,
        ...(fields.pathHashPrefixes ? { pathHashPrefixes: fields.pathHashPrefixes } : { paths: fields.paths ?? ['*'] }),
      }),
    );
    const signer = TestSigner.generate();
    targets.addKey(signer.publicKey, name);
    this.addSigner(name, signer);
    if (!this.md.has(name)) this.md.set(name, new Metadata<AnySigned>(new Targets({ expires: daysFromNow(30) })));
    return signer;
  }

  /** Delegate from `delegator` to 2^bitLength hashed bins sharing one new key; bins are created unpublished. */
  addSuccinctRoles(delegator: string, bitLength: number, namePrefix: string): TestSigner {
    const signer = TestSigner.generate();
    const succinct = new SuccinctRoles({ keyids: [signer.publicKey.keyid], threshold: 1, bitLength, namePrefix });
    this.targets(delegator).delegations = new Delegations({ keys: new Map([[signer.publicKey.keyid, signer.publicKey]]), succinctRoles: succinct });
    const expires = daysFromNow(30);
    for (const bin of succinct.getRoles()) {
      this.md.set(bin, new Metadata<AnySigned>(new Targets({ expires })));
      this.addSigner(bin, signer);
    }
    return signer;
  }

  /** The published bytes of `role` at `version` (latest when undefined). */
  fetchMetadata(role: string, version?: number): Uint8Array | undefined {
    if (version === undefined) return role === 'root' ? undefined : this.latest.get(role);
    return this.published.get(role)?.get(version);
  }

  /**
   * Serve a request path relative to the repository: `metadata/NAME` or `targets/PATH`.
   * Role names are percent-decoded; versions are read from `N.` prefixes.
   */
  resolve(path: string): Uint8Array | undefined {
    if (path.startsWith('metadata/')) {
      const { role, version } = parseMetadataName(path.slice('metadata/'.length));
      if (role === undefined) return undefined;
      if (role === 'timestamp' && version !== undefined) return undefined;
      if (version !== undefined && role !== 'root' && !this.root.consistentSnapshot) return undefined;
      if (version === undefined && role !== 'timestamp' && this.root.consistentSnapshot) return undefined;
      return this.fetchMetadata(role, version);
    }
    if (path.startsWith('targets/')) {
      let target = decodeURIComponent(path.slice('targets/'.length));
      if (this.root.consistentSnapshot && this.prefixTargetsWithHash) {
        const slash = target.lastIndexOf('/');
        const name = target.slice(slash + 1);
        const dot = name.indexOf('.');
        if (dot < 0) return undefined;
        const prefix = name.slice(0, dot);
        target = target.slice(0, slash + 1) + name.slice(dot + 1);
        const known = this.findTargetFile(target);
        if (known === undefined || !Object.values(known.hashes).includes(prefix)) return undefined;
      }
      return this.artifacts.get(target);
    }
    return undefined;
  }

  private findTargetFile(path: string): TargetFile | undefined {
    for (const md of this.md.values()) if (md.signed instanceof Targets && md.signed.targets.has(path)) return md.signed.targets.get(path);
    return undefined;
  }
}

/** `N.role.json` → {role, version}; `role.json` → {role}; role names percent-decoded. */
export function parseMetadataName(name: string): { role?: string; version?: number } {
  if (!name.endsWith('.json')) return {};
  const stem = name.slice(0, -'.json'.length);
  const m = /^([1-9][0-9]*)\.(.+)$/.exec(stem);
  try {
    if (m) return { role: decodeURIComponent(m[2] as string), version: Number(m[1]) };
    return { role: decodeURIComponent(stem) };
  } catch {
    return {};
  }
}
