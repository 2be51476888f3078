/**
 * How to make each TUF signature scheme (spec §4.2; securesystemslib's scheme names) with a
 * PKCS#11 mechanism, and how to turn what the token returns into what TUF stores.
 *
 * | TUF scheme | first choice | fallback |
 * |---|---|---|
 * | `ed25519` | CKM_EDDSA on the payload (pure Ed25519, RFC 8032 §5.1.6) | — |
 * | `ecdsa-sha2-nistp256` | CKM_ECDSA on SHA-256(payload); raw `r‖s` → DER | — |
 * | `ecdsa-sha2-nistp384` | CKM_ECDSA on SHA-384(payload); raw `r‖s` → DER | — |
 * | `rsassa-pss-sha256` | CKM_RSA_PKCS_PSS on SHA-256(payload), MGF1-SHA256, salt 32 | CKM_SHA256_RSA_PKCS_PSS on the payload |
 * | `rsa-pkcs1v15-sha256` | CKM_SHA256_RSA_PKCS on the payload | CKM_RSA_PKCS on DigestInfo‖SHA-256(payload) (RFC 8017 §9.2) |
 *
 * The digest is computed in JS where the mechanism takes one: tokens (YubiKeys) are slow
 * at hashing, and only the digest crosses the USB bus.
 */
import { createHash } from 'node:crypto';
import { MechanismNotSupportedError, UnsupportedAlgorithmError } from '../../errors.js';
import { concatBytes, ecdsaRawToDer } from '../der.js';
import { CKG, CKK, CKM, CK_PARAMS_RSA_PSS } from './constants.js';

/** A pkcs11js mechanism structure. */
export interface MechanismSpec {
  readonly mechanism: number;
  readonly parameter?: { type: number; hashAlg: number; mgf: number; saltLen: number };
}

/** One way of making a scheme's signature on a token. */
export interface SigningPlan {
  /** Name for messages, e.g. `CKM_ECDSA`. */
  readonly name: string;
  readonly mechanism: MechanismSpec;
  /** The bytes handed to C_Sign for `payload`. */
  prepare(payload: Uint8Array): Uint8Array;
  /** The signature as TUF stores it, from C_Sign's output. */
  finish(output: Uint8Array): Uint8Array;
}

// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1).
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

const sha = (alg: 'sha256' | 'sha384') => (payload: Uint8Array) => new Uint8Array(createHash(alg).update(payload).digest());
const identity = (bytes: Uint8Array): Uint8Array => bytes;

const PSS_SHA256 = { type: CK_PARAMS_RSA_PSS, hashAlg: CKM.SHA256, mgf: CKG.MGF1_SHA256, saltLen: 32 };

const PLANS: Record<string, SigningPlan[]> = {
  ed25519: [{ name: 'CKM_EDDSA', mechanism: { mechanism: CKM.EDDSA }, prepare: identity, finish: identity }],
  'ecdsa-sha2-nistp256': [{ name: 'CKM_ECDSA', mechanism: { mechanism: CKM.ECDSA }, prepare: sha('sha256'), finish: ecdsaRawToDer }],
  'ecdsa-sha2-nistp384': [{ name: 'CKM_ECDSA', mechanism: { mechanism: CKM.ECDSA }, prepare: sha('sha384'), finish: ecdsaRawToDer }],
  'rsassa-pss-sha256': [
    { name: 'CKM_RSA_PKCS_PSS', mechanism: { mechanism: CKM.RSA_PKCS_PSS, parameter: PSS_SHA256 }, prepare: sha('sha256'), finish: identity },
    { name: 'CKM_SHA256_RSA_PKCS_PSS', mechanism: { mechanism: CKM.SHA256_RSA_PKCS_PSS, parameter: PSS_SHA256 }, prepare: identity, finish: identity },
  ],
  'rsa-pkcs1v15-sha256': [
    { name: 'CKM_SHA256_RSA_PKCS', mechanism: { mechanism: CKM.SHA256_RSA_PKCS }, prepare: identity, finish: identity },
    {
      name: 'CKM_RSA_PKCS',
      mechanism: { mechanism: CKM.RSA_PKCS },
      prepare: (payload) => concatBytes(SHA256_DIGEST_INFO, sha('sha256')(payload)),
      finish: identity,
    },
  ],
};

/**
 * The plan for `scheme` among the mechanisms the token lists (`available`; undefined when
 * the token would not say, then the first choice is tried).
 * @throws {@link UnsupportedAlgorithmError} for a scheme TUF signs with no mechanism for,
 *   {@link MechanismNotSupportedError} when the token offers none of the mechanisms.
 */
export function planFor(scheme: string, available: readonly number[] | undefined, context: string): SigningPlan {
  const plans = PLANS[scheme];
  if (plans === undefined) throw new UnsupportedAlgorithmError(`${context}: scheme ${JSON.stringify(scheme)} cannot be signed with PKCS#11`);
  if (available === undefined) return plans[0] as SigningPlan;
  const plan = plans.find((p) => available.includes(p.mechanism.mechanism));
  if (plan === undefined) {
    throw new MechanismNotSupportedError(`${context}: the token offers none of ${plans.map((p) => p.name).join(', ')}, needed to sign with scheme ${scheme}`);
  }
  return plan;
}

/**
 * The CKK_* key type a scheme needs. Checked before C_SignInit: some tokens misbehave when
 * asked for a mechanism that does not fit the key (SoftHSM 2.6.1 crashes the process on
 * CKM_RSA_PKCS_PSS with an EC key), so tufkit never asks.
 */
export function keyTypeFor(scheme: string): number | undefined {
  if (scheme === 'ed25519') return CKK.EC_EDWARDS;
  if (scheme.startsWith('ecdsa-')) return CKK.EC;
  if (scheme.startsWith('rsa')) return CKK.RSA;
  return undefined;
}
