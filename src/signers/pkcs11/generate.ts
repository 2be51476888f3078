/**
 * Generating a key pair on a token (C_GenerateKeyPair, PKCS#11 v2.40 §5.14), for HSM users
 * who want the private key never to exist outside the device: sensitive, not extractable,
 * signing only.
 */
import { SignerError } from '../../errors.js';
import type { PinSource } from '../pin.js';
import { CKA, CKK, CKM, CKO } from './constants.js';
import { pkcs11Failure } from './module.js';
import { describeKey, listKeyObjects } from './objects.js';
import { ecParamsFor, spkiFromObject } from './public-key.js';
import { withSession } from './session.js';
import type { TokenFilter } from './token.js';

/** Key algorithms tufkit generates on tokens. */
export const TOKEN_KEY_ALGORITHMS = ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-2048', 'rsa-3072', 'rsa-4096'] as const;
/** One of {@link TOKEN_KEY_ALGORITHMS}. */
export type TokenKeyAlgorithm = (typeof TOKEN_KEY_ALGORITHMS)[number];

/** A pkcs11js template attribute. */
export interface TemplateAttribute {
  readonly type: number;
  readonly value?: number | boolean | string | Buffer;
}

/** Options of {@link generateTokenKeyPair}. */
export interface GenerateOptions {
  readonly modulePath: string;
  readonly token: TokenFilter;
  readonly algorithm: TokenKeyAlgorithm;
  /** CKA_LABEL of both objects. */
  readonly label: string;
  /** CKA_ID of both objects (default: the smallest single byte no key on the token uses). */
  readonly id?: Uint8Array | undefined;
  readonly pin?: PinSource | undefined;
  /** Who may generate: `user` (HSMs, SoftHSM) or `so` (ykcs11: the management key). */
  readonly login?: 'user' | 'so';
  /**
   * What to do when a key with the same label or id exists: `refuse` (default), `overwrite`
   * (the device replaces it in place, as a YubiKey slot does) or `destroy` (delete the old
   * objects with that id first).
   */
  readonly existing?: 'refuse' | 'overwrite' | 'destroy';
  /** Extra private-key attributes (ykcs11 touch/PIN policies). */
  readonly privateExtras?: readonly TemplateAttribute[];
  /** The signer URI with secrets removed, for messages. */
  readonly context: string;
}

/** What was generated. */
export interface GeneratedKey {
  /** DER SubjectPublicKeyInfo of the new key. */
  readonly spki: Uint8Array;
  readonly label: string;
  readonly id: Uint8Array;
}

function algorithmTemplate(algorithm: TokenKeyAlgorithm): { mechanism: number; keyType: number; publicExtras: TemplateAttribute[] } {
  switch (algorithm) {
    case 'ecdsa-p256':
    case 'ecdsa-p384':
      return {
        mechanism: CKM.EC_KEY_PAIR_GEN,
        keyType: CKK.EC,
        publicExtras: [{ type: CKA.EC_PARAMS, value: Buffer.from(ecParamsFor(algorithm === 'ecdsa-p256' ? 'P-256' : 'P-384')) }],
      };
    case 'ed25519':
      return { mechanism: CKM.EC_EDWARDS_KEY_PAIR_GEN, keyType: CKK.EC_EDWARDS, publicExtras: [{ type: CKA.EC_PARAMS, value: Buffer.from(ecParamsFor('Ed25519')) }] };
    default: {
      const bits = Number(algorithm.slice('rsa-'.length));
      return {
        mechanism: CKM.RSA_PKCS_KEY_PAIR_GEN,
        keyType: CKK.RSA,
        publicExtras: [
          { type: CKA.MODULUS_BITS, value: bits },
          { type: CKA.PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ],
      };
    }
  }
}

/**
 * Generate a key pair on the token and return its public key.
 * @throws {@link SignerError} when a key with the label or id exists already, or the token refuses.
 */
export async function generateTokenKeyPair(options: GenerateOptions): Promise<GeneratedKey> {
  return withSession(
    { modulePath: options.modulePath, token: options.token, login: options.login ?? 'user', pin: options.pin, readWrite: true, context: options.context },
    async (session) => {
      let existing = [...listKeyObjects(session, 'private'), ...listKeyObjects(session, 'public')];
      const sameId = (k: { id: Uint8Array }) => options.id !== undefined && Buffer.from(k.id).equals(Buffer.from(options.id));
      const clash = existing.find((k) => k.label === options.label || sameId(k));
      const policy = options.existing ?? 'refuse';
      if (clash !== undefined && policy === 'refuse') {
        throw new SignerError(`${options.context}: the token already has ${describeKey(clash)}; choose another label or id (nothing was generated)`);
      }
      if (clash !== undefined && policy === 'destroy') {
        for (const k of existing.filter((k) => sameId(k) || k.label === options.label)) {
          try {
            session.module.lib.C_DestroyObject(session.handle, k.handle);
          } catch (err) {
            throw pkcs11Failure('C_DestroyObject', err, `${options.context}: removing ${describeKey(k)}`);
          }
        }
        existing = [...listKeyObjects(session, 'private'), ...listKeyObjects(session, 'public')];
      }
      let id = options.id;
      if (id === undefined) {
        const used = new Set(existing.filter((k) => k.id.length === 1).map((k) => k.id[0] as number));
        const free = Array.from({ length: 255 }, (_, i) => i + 1).find((n) => !used.has(n));
        if (free === undefined) throw new SignerError(`${options.context}: no free one-byte CKA_ID left; give id=`);
        id = Uint8Array.of(free);
      }
      const alg = algorithmTemplate(options.algorithm);
      const common = [
        { type: CKA.TOKEN, value: true },
        { type: CKA.LABEL, value: options.label },
        { type: CKA.ID, value: Buffer.from(id) },
        { type: CKA.KEY_TYPE, value: alg.keyType },
      ];
      const publicTemplate = [{ type: CKA.CLASS, value: CKO.PUBLIC_KEY }, ...common, { type: CKA.VERIFY, value: true }, { type: CKA.PRIVATE, value: false }, ...alg.publicExtras];
      const privateTemplate = [
        { type: CKA.CLASS, value: CKO.PRIVATE_KEY },
        ...common,
        { type: CKA.PRIVATE, value: true },
        { type: CKA.SENSITIVE, value: true },
        { type: CKA.EXTRACTABLE, value: false },
        { type: CKA.SIGN, value: true },
        ...(options.privateExtras ?? []),
      ];
      let pair: { publicKey: Buffer; privateKey: Buffer };
      try {
        pair = await session.module.lib.C_GenerateKeyPairAsync(session.handle, { mechanism: alg.mechanism }, publicTemplate, privateTemplate);
      } catch (err) {
        throw pkcs11Failure('C_GenerateKeyPair', err, `${options.context}: generating a ${options.algorithm} key`);
      }
      const spki = spkiFromObject(session, pair.publicKey) ?? spkiFromObject(session, pair.privateKey);
      if (spki === undefined) throw new SignerError(`${options.context}: the token generated the key but does not show its public key`);
      return { spki, label: options.label, id };
    },
  );
}
