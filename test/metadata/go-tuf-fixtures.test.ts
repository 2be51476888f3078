/**
 * go-tuf v2's test repository (../shared/fixtures/go-tuf): RSA-PSS-2048 keys whose
 * signatures use the maximum salt length (222 bytes), `expires` with 7 fractional digits.
 * Strict parsing refuses those dates (spec §4.1 "Date-time"); the lenient parse reads
 * them, keeps them as written, and every signature verifies (salt length recovered from
 * the encoding, as securesystemslib's PSS.AUTO).
 */
import { readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { DeserializationError, Metadata, type Root } from '../../src/index.js';
import { describeWithFixtures, fixture, readFixture } from '../helpers/fixtures.js';

const DIR = ['go-tuf', 'repository_data', 'repository', 'metadata'];
const load = (name: string) => Metadata.fromBytes(readFixture(...DIR, name), { lenient: true });

describeWithFixtures('go-tuf fixtures', () => {
  it('strict parse refuses the 7-digit fractional expires and names it', () => {
    expect(() => Metadata.fromBytes(readFixture(...DIR, 'timestamp.json'))).toThrow(DeserializationError);
    expect(() => Metadata.fromBytes(readFixture(...DIR, 'timestamp.json'))).toThrow(/"2030-08-15T14:30:45.0000001Z" is not in the form/);
  });

  for (const name of readdirSync(fixture(...DIR))) {
    it(`${name}: lenient parse keeps the signed bytes and re-serializes identically`, () => {
      const bytes = readFixture(...DIR, name);
      const md = Metadata.fromBytes(bytes, { lenient: true });
      const again = Metadata.fromBytes(md.toBytes(), { lenient: true });
      expect(Buffer.from(again.signedBytes()).equals(Buffer.from(md.signedBytes()))).toBe(true);
      expect(Buffer.from(md.toBytes()).equals(bytes)).toBe(!name.startsWith('1.'));
    });
  }

  it('root verifies itself and every role with max-salt RSA-PSS signatures', () => {
    const root = load('root.json') as Metadata<Root>;
    expect(root.signed.getRootVerificationResult(undefined, root.signedBytes(), root.signatures).verified).toBe(true);
    for (const role of ['timestamp', 'snapshot', 'targets']) expect(root.verifyDelegate(role, load(`${role}.json`)).verified).toBe(true);
    expect(load('targets.json').verifyDelegate('role1', load('role1.json')).verified).toBe(true);
    expect(load('role1.json').verifyDelegate('role2', load('role2.json')).verified).toBe(true);
    // The salt really is the maximum: 256-byte modulus − 32-byte hash − 2 = 222.
    const sig = [...root.signatures.values()][0]!.bytes()!;
    expect(sig.length).toBe(256);
  });

  it('the unrelated tab-formatted 1.root.json carries a 32-byte placeholder "signature": refused, with the reason', () => {
    const other = load('1.root.json') as Metadata<Root>;
    expect([...other.signatures.values()][0]!.bytes()!.length).toBe(32); // an Ed25519 signature has 64
    const result = other.signed.getRootVerificationResult(undefined, other.signedBytes(), other.signatures);
    expect(result.verified).toBe(false);
    expect([...result.first.reasons.values()]).toEqual(['invalid signature']);
  });
});
