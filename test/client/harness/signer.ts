/**
 * In-memory Ed25519 signers on node:crypto, for tests that build repositories.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { Key, Signature, type Signer } from '../../../src/index.js';

/** An Ed25519 key pair held in memory (test keys only). */
export class TestSigner implements Signer {
  readonly publicKey: Key;
  private constructor(private readonly privateKey: KeyObject, publicKey: KeyObject) {
    const jwk = publicKey.export({ format: 'jwk' });
    const raw = Buffer.from(jwk.x as string, 'base64url');
    this.publicKey = Key.create('ed25519', 'ed25519', { public: raw.toString('hex') });
  }

  /** A fresh random key. */
  static generate(): TestSigner {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    return new TestSigner(privateKey, publicKey);
  }

  async sign(payload: Uint8Array): Promise<Signature> {
    return Signature.fromBytes(this.publicKey.keyid, sign(null, payload, this.privateKey));
  }
}
