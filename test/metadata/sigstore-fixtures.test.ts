/**
 * Sigstore's production TUF repository (../shared/fixtures/sigstore-root-signing): a real
 * multi-year root chain signed with YubiKey-held ECDSA P-256 keys, with every quirk the
 * fixtures README lists (legacy keytypes and hex keys, non-standard `expires`, signatures
 * by keys outside the role, empty signatures, a keyid that is not its key's hash,
 * unrecognized fields, high-S signatures).
 *
 * Spec §5.3.4 (a new root is signed by a threshold of the old and of its own root keys),
 * §5.3.5 (its version is exactly one more), §5.4–§5.6 (each top-level role by its
 * delegator), §5.7.3 (target files match length and hashes).
 */
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import {
  DeserializationError,
  Metadata,
  Root,
  Snapshot,
  Targets,
  Timestamp,
  type MetadataReadOptions,
} from '../../src/index.js';
import { describeWithFixtures, fixture, readFixture } from '../helpers/fixtures.js';

const SIGSTORE = 'sigstore-root-signing';
const REFERENCE_TIME = new Date('2026-08-21T19:25:56Z');

function root(version: number, options: MetadataReadOptions = {}): Metadata<Root> {
  return Metadata.fromBytes(readFixture(SIGSTORE, 'metadata', 'root_history', `${version}.root.json`), { ...options, type: 'root' });
}

/** Walk the chain from `first` to 15 (spec §5.3), returning each step's count of valid signatures. */
function walkChain(first: number, options: MetadataReadOptions): Metadata<Root> {
  let trusted = root(first, options);
  const self = trusted.signed.getRootVerificationResult(undefined, trusted.signedBytes(), trusted.signatures);
  expect(self.verified, `root ${first} verifies by itself`).toBe(true);
  for (let v = first + 1; v <= 15; v++) {
    const next = root(v, options);
    expect(next.signed.version).toBe(trusted.signed.version + 1);
    const result = next.signed.getRootVerificationResult(trusted.signed, next.signedBytes(), next.signatures);
    expect(result.first.verified, `root ${v} by root ${v - 1}'s keys`).toBe(true);
    expect(result.second.verified, `root ${v} by its own keys`).toBe(true);
    expect(result.first.threshold).toBe(3);
    trusted = next;
  }
  return trusted;
}

describeWithFixtures('sigstore root-signing fixtures', () => {
  it('strict parse refuses roots 1–3 (expires not in the spec form) and naming the field', () => {
    for (const v of [1, 2, 3]) {
      expect(() => root(v)).toThrow(DeserializationError);
      expect(() => root(v)).toThrow(/signed\.expires: ".*" is not in the form YYYY-MM-DDTHH:MM:SSZ/);
    }
  });

  it('strict: root 4 parses but its hex SEC1 keys are not usable; the chain verifies from root 5', () => {
    const v4 = root(4);
    const result = v4.signed.getRootVerificationResult(undefined, v4.signedBytes(), v4.signatures);
    expect(result.verified).toBe(false);
    expect([...result.first.reasons.values()][0]).toMatch(/hex SEC1 points are accepted only by the lenient parse/);
    expect(walkChain(5, {}).signed.version).toBe(15);
  });

  it('lenient: the whole chain verifies from root 1, and v3/v12 meet the threshold exactly', () => {
    expect(walkChain(1, { lenient: true }).signed.version).toBe(15);
    const [v2, v3] = [root(2, { lenient: true }), root(3, { lenient: true })];
    expect(v3.signed.getRootVerificationResult(v2.signed, v3.signedBytes(), v3.signatures).first.signedCount).toBe(3);
    const [v11, v12] = [root(11), root(12)];
    const r12 = v12.signed.getRootVerificationResult(v11.signed, v12.signedBytes(), v12.signatures);
    expect(r12.second.signedCount).toBe(3);
    expect([...r12.second.reasons.values()].filter((r) => r === 'empty signature')).toHaveLength(2);
  });

  it('lenient parse keeps non-standard expires as written, so signed bytes are unchanged', () => {
    const v1 = root(1, { lenient: true });
    expect(v1.signed.expiresString).toBe('2021-12-18T13:28:12.99008-06:00');
    // The instant, in UTC, truncated to whole seconds (never later than written).
    expect(v1.signed.expires.toISOString()).toBe('2021-12-18T19:28:12.000Z');
    expect(Buffer.from(v1.signedBytes()).toString()).toContain('"expires":"2021-12-18T13:28:12.99008-06:00"');
  });

  it('every file round-trips its signed bytes; files written by python-tuf (v9+) byte for byte', () => {
    const dir = fixture(SIGSTORE, 'metadata', 'root_history');
    for (const name of readdirSync(dir)) {
      const bytes = readFixture(SIGSTORE, 'metadata', 'root_history', name);
      const md = Metadata.fromBytes(bytes, { lenient: true });
      const again = Metadata.fromBytes(md.toBytes(), { lenient: true });
      expect(Buffer.from(again.signedBytes()).equals(Buffer.from(md.signedBytes()))).toBe(true);
      if (md.signed.version >= 9) expect(Buffer.from(md.toBytes()).equals(bytes), name).toBe(true);
    }
  });

  it('same signed content in two formats (tabs vs python) gives the same canonical bytes', () => {
    const tabbed = Metadata.fromBytes(readFixture(SIGSTORE, 'legacy-2024-09-04', '9.root.json'));
    expect(Buffer.from(tabbed.signedBytes()).equals(Buffer.from(root(9).signedBytes()))).toBe(true);
  });

  it('reports the keyid that is not its key hash (root 11) without recomputing it', () => {
    const v11 = root(11).signed;
    expect(v11.keyidMismatches()).toEqual([expect.stringMatching(/^7247f0db/)]);
    expect(v11.getKey(v11.keyidMismatches()[0]!).computeKeyid()).toMatch(/^0c87432c/);
    expect(root(12).signed.keyidMismatches()).toEqual([]);
  });

  it('top-level roles verify at the reference time, with version and hash links', () => {
    const trusted = root(15).signed;
    const load = <K extends 'timestamp' | 'snapshot' | 'targets'>(name: string, type: K) =>
      Metadata.fromBytes(readFixture(SIGSTORE, 'metadata', name), { type });
    const timestamp = load('timestamp.json', 'timestamp');
    const snapshot = load('snapshot.json', 'snapshot');
    const targets = load('targets.json', 'targets');
    const npm = load('registry.npmjs.org.json', 'targets');
    expect(trusted.isExpired(REFERENCE_TIME)).toBe(false);
    for (const [name, md] of [['timestamp', timestamp], ['snapshot', snapshot], ['targets', targets]] as const) {
      trusted.verifyDelegate(name, md.signedBytes(), md.signatures);
      expect(md.signed.isExpired(REFERENCE_TIME), name).toBe(false);
    }
    expect((timestamp.signed as Timestamp).snapshotMeta.version).toBe(snapshot.signed.version);
    expect((snapshot.signed as Snapshot).meta.get('targets.json')?.version).toBe(targets.signed.version);
    expect((snapshot.signed as Snapshot).meta.get('registry.npmjs.org.json')?.version).toBe(npm.signed.version);
    expect(targets.verifyDelegate('registry.npmjs.org', npm).verified).toBe(true);
    const role = (targets.signed as Targets).findDelegatedRole('registry.npmjs.org');
    expect(role?.terminating).toBe(true);
    expect(role?.isDelegatedPath('registry.npmjs.org/keys.json')).toBe(true);
    expect(role?.isDelegatedPath('other/keys.json')).toBe(false);
  });

  it('against the wall clock (2026-12 or later) root 15 and the timestamp are expired (freeze)', () => {
    const now = new Date();
    if (now < new Date('2026-11-20T13:58:18Z')) return; // only meaningful after root 15 expired
    expect(root(15).signed.isExpired(now)).toBe(true);
    expect(Metadata.fromBytes(readFixture(SIGSTORE, 'metadata', 'timestamp.json')).signed.isExpired(now)).toBe(true);
  });

  it('every target file matches its length and hashes', () => {
    const targets = Metadata.fromBytes(readFixture(SIGSTORE, 'metadata', 'targets.json'), { type: 'targets' }).signed;
    const npm = Metadata.fromBytes(readFixture(SIGSTORE, 'metadata', 'registry.npmjs.org.json'), { type: 'targets' }).signed;
    const all = [...targets.targets.values(), ...npm.targets.values()];
    expect(all).toHaveLength(12);
    for (const file of all) file.verifyLengthAndHashes(readFixture(SIGSTORE, 'targets', file.path));
    const first = all[0]!;
    const tampered = Buffer.concat([readFixture(SIGSTORE, 'targets', first.path), Buffer.from(' ')]);
    expect(() => first.verifyLengthAndHashes(tampered)).toThrow(/length \d+ does not match the expected/);
  });

  it('legacy layout: root 9 verifies timestamp, snapshot (with length+sha256+sha512), targets 9, npm 3', () => {
    const at = new Date('2024-08-30T16:06:05Z');
    const L = (n: string) => readFixture(SIGSTORE, 'legacy-2024-09-04', n);
    const r9 = Metadata.fromBytes(L('9.root.json'), { type: 'root' }).signed;
    const ts = Metadata.fromBytes(L('timestamp.json'), { type: 'timestamp' });
    const snapBytes = L('155.snapshot.json');
    const snap = Metadata.fromBytes(snapBytes, { type: 'snapshot' });
    r9.verifyDelegate('timestamp', ts.signedBytes(), ts.signatures);
    ts.signed.snapshotMeta.verifyLengthAndHashes(snapBytes);
    expect(Object.keys(ts.signed.snapshotMeta.hashes ?? {}).sort()).toEqual(['sha256', 'sha512']);
    r9.verifyDelegate('snapshot', snap.signedBytes(), snap.signatures);
    const t9bytes = L('9.targets.json');
    const t9 = Metadata.fromBytes(t9bytes, { type: 'targets' });
    snap.signed.meta.get('targets.json')!.verifyLengthAndHashes(t9bytes);
    r9.verifyDelegate('targets', t9.signedBytes(), t9.signatures);
    const npmBytes = L('3.registry.npmjs.org.json');
    snap.signed.meta.get('registry.npmjs.org.json')!.verifyLengthAndHashes(npmBytes);
    // Two signatures with identical bytes under two keyids, one of them not in the delegation.
    expect(t9.verifyDelegate('registry.npmjs.org', Metadata.fromBytes(npmBytes)).verified).toBe(true);
    expect([ts, snap, t9].every((m) => !m.signed.isExpired(at))).toBe(true);
    // Older targets versions exist for rollback tests.
    expect(Metadata.fromBytes(L('8.targets.json')).signed.version).toBe(8);
  });
});
