/**
 * A recorded interop fact: tuf-js 4.1.0 verifies every signature with
 * `crypto.verify(undefined, …)`, which for an EC key means SHA-256 — so it refuses
 * `ecdsa-sha2-nistp384` signatures made as the scheme says (SHA-384, as securesystemslib and
 * tufkit make them). Root keys on P-384 therefore must not be needed to meet a threshold for
 * repositories whose clients use tuf-js; the full ceremony test keeps its P-384 key out of
 * the signatures that count. If tuf-js fixes this, the second expectation flips.
 */
import { MetadataKind, Metadata as TufJsMetadata } from '@tufjs/models';
import { describe, expect, it } from 'vitest';
import { applyRootChanges } from '../../src/ceremony/changes.js';
import { Metadata } from '../../src/metadata/metadata.js';
import type { Root } from '../../src/metadata/root.js';
import { FileSigner } from '../../src/signers/file.js';

describe('tuf-js 4.1.0 and ecdsa-sha2-nistp384', () => {
  it('tufkit accepts a P-384 root signature made with SHA-384; tuf-js refuses it', async () => {
    const p384 = FileSigner.generate('ecdsa-p384');
    const other = FileSigner.generate('ed25519');
    const root = applyRootChanges(undefined, {
      addKeys: [
        { role: 'root', key: p384.publicKey },
        { role: 'targets', key: other.publicKey },
        { role: 'snapshot', key: other.publicKey },
        { role: 'timestamp', key: other.publicKey },
      ],
    });
    const md = new Metadata<Root>(root);
    await md.sign(p384);
    expect(md.signed.verifyDelegate('root', md.signedBytes(), md.signatures).verified).toBe(true);
    const theirs = TufJsMetadata.fromJSON(MetadataKind.Root, JSON.parse(Buffer.from(md.toBytes()).toString()));
    expect(() => theirs.verifyDelegate('root', theirs)).toThrow(/root was signed by 0\/1 keys/);
  });
});
