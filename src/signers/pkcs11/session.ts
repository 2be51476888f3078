/**
 * A PKCS#11 session with a token: open, log in, work, log out, close — the last two on
 * every path ({@link withSession}).
 *
 * Login state belongs to the application, not the session (PKCS#11 v2.40 §6.7.1), so
 * several sessions on one token in this process share one login: the first logs in, the
 * last logs out.
 */
import { PinError, PinIncorrectError, PinLockedError, TokenNotFoundError } from '../../errors.js';
import type { PinSource } from '../pin.js';
import { CKF_SESSION, CKF_TOKEN, CKR, CKU } from './constants.js';
import { acquireModule, ckrOf, pkcs11Failure, type Handle, type Pkcs11Module } from './module.js';
import { describeToken, listTokens, selectToken, type TokenFilter, type TokenSummary } from './token.js';

/** How to open a session. */
export interface SessionOptions {
  /** Path of the PKCS#11 module. */
  readonly modulePath: string;
  /** Which token. */
  readonly token: TokenFilter;
  /** Log in as `user` (to sign), `so` (administration) or not at all (`none`, public objects only). */
  readonly login: 'user' | 'so' | 'none';
  /** Where the PIN comes from (not needed for `none` or tokens with a PIN pad). */
  readonly pin?: PinSource | undefined;
  /** A read-write session (to create objects). */
  readonly readWrite?: boolean;
  /** The signer URI with secrets removed, for messages. */
  readonly context: string;
}

/** An open session. Valid only inside the {@link withSession} callback. */
export interface Pkcs11Session {
  readonly module: Pkcs11Module;
  readonly token: TokenSummary;
  readonly handle: Handle;
  /** Whether this session is logged in (as user or SO). */
  readonly loggedIn: boolean;
  /** The signer URI with secrets removed, for messages. */
  readonly context: string;
}

function slotKey(token: TokenSummary): string {
  return token.slotId;
}

/** What the token flags say about the tries left, for messages and prompts. */
export function pinTriesNote(flags: number, userType: 'user' | 'so'): { remaining: 'low' | 'final' | 'unknown'; text?: string } {
  const final = userType === 'so' ? CKF_TOKEN.SO_PIN_FINAL_TRY : CKF_TOKEN.USER_PIN_FINAL_TRY;
  const low = userType === 'so' ? CKF_TOKEN.SO_PIN_COUNT_LOW : CKF_TOKEN.USER_PIN_COUNT_LOW;
  if (flags & final) return { remaining: 'final', text: 'one try left before the PIN is locked' };
  if (flags & low) return { remaining: 'low', text: 'few tries left before the PIN is locked' };
  return { remaining: 'unknown' };
}

function lockedFlag(userType: 'user' | 'so'): number {
  return userType === 'so' ? CKF_TOKEN.SO_PIN_LOCKED : CKF_TOKEN.USER_PIN_LOCKED;
}

function refreshFlags(module: Pkcs11Module, token: TokenSummary): number | undefined {
  try {
    return module.lib.C_GetTokenInfo(token.slot).flags;
  } catch {
    return undefined;
  }
}

async function login(module: Pkcs11Module, token: TokenSummary, session: Handle, userType: 'user' | 'so', pin: PinSource | undefined, context: string): Promise<void> {
  const who = userType === 'so' ? 'SO PIN' : 'PIN';
  const flags = refreshFlags(module, token) ?? token.flags;
  if (flags & lockedFlag(userType)) {
    throw new PinLockedError(`${context}: the ${who} of token ${describeToken(token)} is locked; unblock it first (for a YubiKey: with the PUK)`);
  }
  const pinpad = (flags & CKF_TOKEN.PROTECTED_AUTHENTICATION_PATH) !== 0;
  let value: string | undefined;
  if (!pinpad) {
    if (pin === undefined) throw new PinError(`${context}: token ${describeToken(token)} needs a ${who}; give pin-source=env:NAME or pin-source=prompt`);
    const note = pinTriesNote(flags, userType);
    value = await pin({ tokenLabel: token.label, uri: context, userType, ...(note.text ? { warning: note.text } : {}) });
  }
  try {
    module.lib.C_Login(session, userType === 'so' ? CKU.SO : CKU.USER, value);
  } catch (err) {
    const code = ckrOf(err);
    if (code === CKR.USER_ALREADY_LOGGED_IN) return;
    if (code === CKR.PIN_INCORRECT) {
      const after = refreshFlags(module, token) ?? 0;
      if (after & lockedFlag(userType)) {
        throw new PinLockedError(`${context}: wrong ${who} for token ${describeToken(token)}; the ${who} is now locked`, { cause: err });
      }
      const note = pinTriesNote(after, userType);
      throw new PinIncorrectError(
        `${context}: wrong ${who} for token ${describeToken(token)}${note.text ? `; ${note.text}` : ''}`,
        note.remaining,
        { cause: err },
      );
    }
    if (code === CKR.PIN_LOCKED) {
      throw new PinLockedError(`${context}: the ${who} of token ${describeToken(token)} is locked; unblock it first`, { cause: err });
    }
    if (code === CKR.PIN_LEN_RANGE || code === CKR.PIN_INVALID) {
      throw new PinError(
        `${context}: the ${who} given for token ${describeToken(token)} has a length or characters the token does not accept (length ${token.minPinLength}..${token.maxPinLength})`,
        { cause: err },
      );
    }
    if (code === CKR.USER_PIN_NOT_INITIALIZED) {
      throw new PinError(`${context}: token ${describeToken(token)} has no user PIN set`, { cause: err });
    }
    throw pkcs11Failure('C_Login', err, context);
  }
}

/**
 * Open a session on the token `options.token` names, log in as asked, run `fn`, then log
 * out, close the session and release the module — whatever `fn` does.
 * @throws {@link TokenNotFoundError}, {@link PinError} and subclasses, other `SignerError`s.
 */
export async function withSession<T>(options: SessionOptions, fn: (session: Pkcs11Session) => Promise<T>): Promise<T> {
  const lease = acquireModule(options.modulePath);
  const module = lease.module;
  try {
    const token = selectToken(module, options.token, options.context);
    let handle: Handle;
    try {
      const flags = CKF_SESSION.SERIAL_SESSION | (options.readWrite ? CKF_SESSION.RW_SESSION : 0);
      handle = module.lib.C_OpenSession(token.slot, flags);
    } catch (err) {
      const code = ckrOf(err);
      if (code === CKR.TOKEN_NOT_PRESENT || code === CKR.DEVICE_REMOVED) {
        throw new TokenNotFoundError(`${options.context}: token ${describeToken(token)} was removed`, { cause: err });
      }
      throw pkcs11Failure('C_OpenSession', err, options.context);
    }
    let loggedIn = false;
    const key = slotKey(token);
    try {
      if (options.login !== 'none') {
        const held = module.logins.get(key) ?? 0;
        if (held === 0) await login(module, token, handle, options.login, options.pin, options.context);
        module.logins.set(key, held + 1);
        loggedIn = true;
      }
      return await fn({ module, token, handle, loggedIn, context: options.context });
    } finally {
      if (loggedIn) {
        const left = (module.logins.get(key) ?? 1) - 1;
        if (left > 0) {
          module.logins.set(key, left);
        } else {
          module.logins.delete(key);
          try {
            module.lib.C_Logout(handle);
          } catch {
            // CKR_USER_NOT_LOGGED_IN or a removed token: nothing to undo.
          }
        }
      }
      try {
        module.lib.C_CloseSession(handle);
      } catch {
        // The token may be gone; the module is released next either way.
      }
    }
  } finally {
    lease.release();
  }
}

/** List the tokens of a module (for `tufkit key pkcs11 list` and error messages). */
export async function listModuleTokens(modulePath: string, context = modulePath): Promise<TokenSummary[]> {
  const lease = acquireModule(modulePath);
  try {
    return listTokens(lease.module, context);
  } finally {
    lease.release();
  }
}
