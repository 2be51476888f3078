/**
 * The signing seam: anything that can sign TUF metadata (a file key, a PKCS#11 token, a
 * YubiKey) implements {@link Signer}. Implementations live in `src/signers/`.
 */
import type { Key } from './key.js';
import type { Signature } from './signature.js';

/** Signs bytes with one private key. */
export interface Signer {
  /** The public key, as TUF metadata lists it (its keyid is the signature's keyid). */
  readonly publicKey: Key;
  /**
   * Sign exactly `payload` (for metadata: the canonical bytes of `signed`) and return the
   * signature as TUF stores it, under {@link Signer.publicKey}'s keyid.
   * @throws {@link SignerError} when the key cannot be used.
   */
  sign(payload: Uint8Array): Promise<Signature>;
}
