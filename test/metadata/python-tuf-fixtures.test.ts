/**
 * python-tuf's own test repository and generated metadata (../shared/fixtures/python-tuf):
 * every file parses, re-serializes to identical bytes, and its signatures verify
 * (spec §4.1: signatures cover the canonical JSON of `signed`; §5.3–§5.6 threshold checks).
 */
import { createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { Key, Metadata, Root, Signature, Snapshot, Targets, Timestamp, type Signer } from '../../src/index.js';
import { describeWithFixtures, fixture, readFixture, readFixtureJson } from '../helpers/fixtures.js';

const REPO = ['python-tuf', 'repository_data', 'repository', 'metadata'];

describeWithFixtures('python-tuf fixtures', () => {
  const dirs = [
    REPO,
    ['python-tuf', 'repository_data', 'client', 'test_repository1', 'metadata', 'current'],
    ['python-tuf', 'repository_data', 'client', 'test_repository1', 'metadata', 'previous'],
    ['python-tuf', 'repository_data', 'client', 'test_repository2', 'metadata', 'current'],
    ['python-tuf', 'repository_data', 'client', 'test_repository2', 'metadata', 'previous'],
    ['python-tuf', 'repository_data', 'fishy_rolenames'],
    ['python-tuf', 'generated_data', 'ed25519_metadata'],
  ];
  for (const dir of dirs) {
    for (const name of readdirSync(fixture(...dir)).filter((n) => n.endsWith('.json'))) {
      it(`${dir.slice(1).join('/')}/${name} round-trips to identical bytes`, () => {
        const bytes = readFixture(...dir, name);
        const md = Metadata.fromBytes(bytes);
        expect(Buffer.from(md.toBytes()).equals(bytes)).toBe(true);
      });
    }
  }

  it('the repository verifies: root by itself, then each role by its delegator', () => {
    const load = (name: string) => Metadata.fromBytes(readFixture(...REPO, name));
    const root = load('root.json') as Metadata<Root>;
    expect(root.signed.getRootVerificationResult(undefined, root.signedBytes(), root.signatures).verified).toBe(true);
    for (const role of ['timestamp', 'snapshot', 'targets']) {
      expect(root.verifyDelegate(role, load(`${role}.json`)).verified).toBe(true);
    }
    const targets = load('targets.json');
    const role1 = load('role1.json');
    expect(targets.verifyDelegate('role1', role1).verified).toBe(true);
    expect(role1.verifyDelegate('role2', load('role2.json')).verified).toBe(true);
    // The root key is RSA-3072 rsassa-pss-sha256 (salt 32); the others Ed25519.
    expect(root.signed.getKey(root.signed.roles.get('root')!.keyids[0]!).scheme).toBe('rsassa-pss-sha256');
  });

  it('a changed byte in signed breaks the signature (signatures cover canonical signed)', () => {
    const root = Metadata.fromBytes(readFixture(...REPO, 'root.json'), { type: 'root' });
    root.signed.version += 1;
    const result = root.signed.getRootVerificationResult(undefined, root.signedBytes(), root.signatures);
    expect(result.verified).toBe(false);
    expect([...result.first.reasons.values()]).toEqual(['invalid signature']);
  });

  it('reproduces generated_data byte for byte by building and signing with the seeds', async () => {
    const spec = readFixtureJson<{ keys: { role: string; keyid: string; public: string; private_seed: string }[] }>(
      'python-tuf', 'generated_data', 'ed25519_keys.json');
    const signers = new Map<string, Signer>();
    const keys = new Map<string, Key>();
    for (const k of spec.keys) {
      // Keyids as given (they were computed with keyid_hash_algorithms, which the keys no longer carry).
      const key = new Key(k.keyid, 'ed25519', 'ed25519', { public: k.public });
      keys.set(k.role, key);
      const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(k.private_seed, 'hex')]);
      const priv = createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
      signers.set(k.role, { publicKey: key, sign: async (payload) => Signature.fromBytes(key.keyid, cryptoSign(null, payload, priv)) });
    }
    const expires = new Date('2050-01-01T00:00:00Z');
    const root = new Root({ expires });
    for (const role of ['root', 'timestamp', 'snapshot', 'targets']) root.addKey(keys.get(role)!, role);
    const built: Record<string, Metadata> = {
      root: new Metadata(root),
      timestamp: new Metadata(new Timestamp({ expires })),
      snapshot: new Metadata(new Snapshot({ expires })),
      targets: new Metadata(new Targets({ expires })),
    };
    for (const [role, md] of Object.entries(built)) {
      await md.sign(signers.get(role)!);
      const expected = readFixture('python-tuf', 'generated_data', 'ed25519_metadata', `${role}_with_ed25519.json`);
      expect(Buffer.from(md.toBytes()).toString()).toBe(expected.toString());
    }
  });
});
