/**
 * {@link Pkcs11Signer}: a TUF {@link Signer} whose private key lives on a PKCS#11 token
 * (an HSM, a smart card, a YubiKey's PIV applet, SoftHSM).
 *
 * Each `sign` (or `signMany`) call loads the module, finds the token, opens a session, logs
 * in, finds the key, signs, logs out, closes the session and finalizes the module — the
 * cleanup on every path. Every signature is verified before it is returned.
 */
import { KeyNotFoundError, MechanismNotSupportedError, PinError, SignerError } from '../../errors.js';
import type { Key } from '../../metadata/key.js';
import type { Signature } from '../../metadata/signature.js';
import type { Signer } from '../../metadata/signer.js';
import type { Verifier } from '../../verify/verifier.js';
import { checkedSignature } from '../checked.js';
import type { PinSource } from '../pin.js';
import { tufKeyFromSpki, type RsaScheme } from '../tuf-key.js';
import { CKA, CKR, CKU, ckrName } from './constants.js';
import { keyTypeFor, planFor } from './mechanism.js';
import { ckrOf, pkcs11Failure } from './module.js';
import { describeKey, findOneKey, readAttribute, readUlong, type KeyFilter } from './objects.js';
import { readPublicKeySpki } from './public-key.js';
import { withSession, type Pkcs11Session } from './session.js';
import type { TokenFilter } from './token.js';

/** Where a key lives: module, token, key object. */
export interface Pkcs11KeyLocation {
  /** Path of the PKCS#11 module. */
  readonly modulePath: string;
  /** Which token. */
  readonly token: TokenFilter;
  /** Which key on it. */
  readonly key: KeyFilter;
}

/** Options of {@link Pkcs11Signer}. */
export interface Pkcs11SignerOptions {
  /** Where the PIN comes from (asked once per signer, kept in memory while it works). */
  readonly pin?: PinSource | undefined;
  /** The signer URI with secrets removed, for messages (default: a description of the location). */
  readonly context?: string | undefined;
  /** Scheme for an RSA key whose public key is read from the token (default `rsassa-pss-sha256`). */
  readonly rsaScheme?: RsaScheme | undefined;
  /** Called right before each signature is asked of the token (the YubiKey touch prompt). */
  readonly beforeSign?: (() => void) | undefined;
  /** Verifier for the check after signing (default: the process default). */
  readonly verifier?: Verifier | undefined;
}

const SIGNATURE_BUFFER_BYTES = 2048; // RSA-16384 signature size: the largest tufkit accepts

/** Describe a location without secrets (there are none in it), for messages. */
export function describeLocation(location: Pkcs11KeyLocation): string {
  const t = location.token;
  const parts = [
    t.token !== undefined ? `token=${t.token}` : '',
    t.serial !== undefined ? `serial=${t.serial}` : '',
    t.slotId !== undefined ? `slot-id=${t.slotId}` : '',
    location.key.label !== undefined ? `object=${location.key.label}` : '',
    location.key.id !== undefined ? `id=${Buffer.from(location.key.id).toString('hex')}` : '',
  ].filter(Boolean);
  return `pkcs11:${parts.join(';')}?module-path=${location.modulePath}`;
}

/** The mechanisms a token lists, or undefined when it will not say. */
function mechanismList(session: Pkcs11Session): number[] | undefined {
  try {
    return session.module.lib.C_GetMechanismList(session.token.slot);
  } catch {
    return undefined;
  }
}

/**
 * A signer whose key is on a PKCS#11 token. Create with {@link Pkcs11Signer.create}.
 */
export class Pkcs11Signer implements Signer {
  /** Where the key lives. */
  readonly location: Pkcs11KeyLocation;
  /** The signer URI with secrets removed, for messages. */
  readonly context: string;
  readonly #options: Pkcs11SignerOptions;
  #publicKey: Key | undefined;
  #pin: string | undefined;

  private constructor(location: Pkcs11KeyLocation, publicKey: Key | undefined, options: Pkcs11SignerOptions, context: string) {
    this.location = location;
    this.#publicKey = publicKey;
    this.#options = options;
    this.context = context;
  }

  /** The public key (TUF key object) whose keyid the signatures carry. */
  get publicKey(): Key {
    if (this.#publicKey === undefined) throw new SignerError(`${this.context}: the public key has not been read yet`);
    return this.#publicKey;
  }

  /**
   * A signer for the key at `location`. When `publicKey` is not given it is read from the
   * token (without logging in where the token shows public keys, else after logging in).
   */
  static async create(location: Pkcs11KeyLocation, options: Pkcs11SignerOptions = {}, publicKey?: Key): Promise<Pkcs11Signer> {
    const context = options.context ?? describeLocation(location);
    const signer = new Pkcs11Signer(location, publicKey, options, context);
    if (publicKey === undefined) signer.#publicKey = tufKeyFromSpki(await signer.readPublicKey(), { rsaScheme: options.rsaScheme });
    return signer;
  }

  /** The SPKI of the key on the token. */
  private async readPublicKey(): Promise<Uint8Array> {
    const base = { modulePath: this.location.modulePath, token: this.location.token, context: this.context };
    try {
      return await withSession({ ...base, login: 'none' }, async (s) => readPublicKeySpki(s, this.location.key));
    } catch (err) {
      if (!(err instanceof KeyNotFoundError)) throw err;
      // Some tokens show keys only after login.
      return await withSession({ ...base, login: 'user', pin: this.cachedPin() }, async (s) => readPublicKeySpki(s, this.location.key));
    }
  }

  /** The PIN source, asking the configured source at most once while it keeps working. */
  private cachedPin(): PinSource | undefined {
    const source = this.#options.pin;
    if (source === undefined) return undefined;
    return async (request) => {
      if (this.#pin === undefined) this.#pin = await source(request);
      return this.#pin;
    };
  }

  /** Sign `payload` (see {@link Signer.sign}); the signature is verified before it is returned. */
  async sign(payload: Uint8Array): Promise<Signature> {
    const [signature] = await this.signMany([payload]);
    return signature as Signature;
  }

  /**
   * Sign several payloads with one login (for a repository signing many roles). Every
   * signature is verified before any is returned.
   */
  async signMany(payloads: readonly Uint8Array[]): Promise<Signature[]> {
    const pin = this.cachedPin();
    try {
      return await withSession(
        { modulePath: this.location.modulePath, token: this.location.token, login: 'user', pin, context: this.context },
        async (session) => {
          const key = findOneKey(session, 'private', this.location.key);
          const plan = planFor(this.publicKey.scheme, mechanismList(session), this.context);
          const wanted = keyTypeFor(this.publicKey.scheme);
          const actual = readUlong(session, key.handle, CKA.KEY_TYPE);
          if (wanted !== undefined && actual !== undefined && actual !== wanted) {
            throw new MechanismNotSupportedError(
              `${this.context}: the token's ${describeKey(key)} cannot sign with scheme ${this.publicKey.scheme} (the public key given is ${this.publicKey.keytype}); nothing was sent to the token`,
            );
          }
          const alwaysAuth = readAttribute(session, key.handle, CKA.ALWAYS_AUTHENTICATE)?.[0] === 1;
          const out: Signature[] = [];
          for (const payload of payloads) {
            const lib = session.module.lib;
            try {
              lib.C_SignInit(session.handle, plan.mechanism, key.handle);
            } catch (err) {
              throw this.signFailure('C_SignInit', err, plan.name);
            }
            if (alwaysAuth) await this.contextLogin(session, pin);
            this.#options.beforeSign?.();
            let raw: Buffer;
            try {
              raw = await lib.C_SignAsync(session.handle, Buffer.from(plan.prepare(payload)), Buffer.alloc(SIGNATURE_BUFFER_BYTES));
            } catch (err) {
              throw this.signFailure('C_Sign', err, plan.name);
            }
            out.push(checkedSignature(this.publicKey, payload, plan.finish(new Uint8Array(raw)), this.context, this.#options.verifier));
          }
          return out;
        },
      );
    } catch (err) {
      if (err instanceof PinError) this.#pin = undefined; // never retry a refused PIN by itself
      throw err;
    }
  }

  private async contextLogin(session: Pkcs11Session, pin: PinSource | undefined): Promise<void> {
    if (pin === undefined) throw new PinError(`${this.context}: the key needs its PIN for every signature; give pin-source=env:NAME or pin-source=prompt`);
    const value = await pin({ tokenLabel: session.token.label, uri: this.context, userType: 'user' });
    try {
      session.module.lib.C_Login(session.handle, CKU.CONTEXT_SPECIFIC, value);
    } catch (err) {
      if (ckrOf(err) === CKR.PIN_INCORRECT) throw new PinError(`${this.context}: the token refused the PIN for this signature`, { cause: err });
      throw pkcs11Failure('C_Login (context specific)', err, this.context);
    }
  }

  private signFailure(fn: string, err: unknown, mechanism: string): SignerError {
    const code = ckrOf(err);
    if (code === CKR.MECHANISM_INVALID || code === CKR.MECHANISM_PARAM_INVALID || code === CKR.KEY_TYPE_INCONSISTENT) {
      return new MechanismNotSupportedError(
        `${this.context}: the token refused ${mechanism} for scheme ${this.publicKey.scheme} (${fn}: ${ckrName(code)}); does the key's type match the scheme?`,
        { cause: err },
      );
    }
    if (code === CKR.KEY_FUNCTION_NOT_PERMITTED) {
      return new KeyNotFoundError(`${this.context}: the key may not sign (CKA_SIGN is false)`, { cause: err });
    }
    if (code === CKR.FUNCTION_CANCELED) {
      return pkcs11Failure(fn, err, `${this.context}: signing was cancelled (a YubiKey that was not touched in time?)`);
    }
    return pkcs11Failure(fn, err, this.context);
  }
}
