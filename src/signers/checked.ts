/**
 * The rule every tufkit signer follows: a signature is verified, with the default
 * {@link Verifier}, right after it is made and before anyone can write it. A signature
 * that does not verify (wrong key on the token, a faulty device, a mechanism mix-up) is an
 * error, never a result.
 */
import { SignatureNotVerifiedError } from '../errors.js';
import type { Key } from '../metadata/key.js';
import { Signature } from '../metadata/signature.js';
import { getDefaultVerifier, type Verifier } from '../verify/verifier.js';

/**
 * The {@link Signature} by `key` of `payload` with bytes `signature`, after checking it.
 * @param context who made it (a redacted signer URI), for the message.
 * @throws {@link SignatureNotVerifiedError} when it does not verify.
 */
export function checkedSignature(key: Key, payload: Uint8Array, signature: Uint8Array, context: string, verifier: Verifier = getDefaultVerifier()): Signature {
  if (!verifier.verify(key, payload, signature)) {
    throw new SignatureNotVerifiedError(
      `${context}: the signature just made does not verify with public key ${key.keyid} (${key.keytype}/${key.scheme}); ` +
        'is it the key this signer was given? The signature was discarded',
    );
  }
  return Signature.fromBytes(key.keyid, signature);
}
