/**
 * Finding key objects on a token (RFC 7512 §2.3 object attributes: `object` is CKA_LABEL,
 * `id` is CKA_ID, `type` the object class).
 */
import { KeyNotFoundError } from '../../errors.js';
import { CKA, CKK, CKO } from './constants.js';
import { ckrOf, pkcs11Failure, type Handle } from './module.js';
import type { Pkcs11Session } from './session.js';
import { describeToken } from './token.js';

/** Which key: every given attribute must match. */
export interface KeyFilter {
  /** CKA_LABEL (`object=`). */
  readonly label?: string | undefined;
  /** CKA_ID (`id=`). */
  readonly id?: Uint8Array | undefined;
}

/** A key object on the token, for listings and messages. */
export interface KeyObjectSummary {
  readonly handle: Handle;
  readonly objectClass: 'private' | 'public';
  readonly label: string;
  readonly id: Uint8Array;
  /** `ec`, `ec-edwards`, `rsa` or `0x…` for other CKK values. */
  readonly keyType: string;
}

type Template = Array<{ type: number; value?: number | boolean | string | Buffer }>;

/** Every object matching `template`. */
export function findObjects(session: Pkcs11Session, template: Template): Handle[] {
  const lib = session.module.lib;
  try {
    lib.C_FindObjectsInit(session.handle, template);
  } catch (err) {
    throw pkcs11Failure('C_FindObjectsInit', err, session.context);
  }
  const out: Handle[] = [];
  try {
    for (;;) {
      const batch = lib.C_FindObjects(session.handle, 64);
      if (batch.length === 0) break;
      out.push(...batch);
    }
  } catch (err) {
    throw pkcs11Failure('C_FindObjects', err, session.context);
  } finally {
    try {
      lib.C_FindObjectsFinal(session.handle);
    } catch {
      // The search is over either way.
    }
  }
  return out;
}

/** Read one attribute; `undefined` when the object does not have it or hides it. */
export function readAttribute(session: Pkcs11Session, object: Handle, type: number): Buffer | undefined {
  try {
    const [attr] = session.module.lib.C_GetAttributeValue(session.handle, object, [{ type }]);
    return attr?.value;
  } catch (err) {
    if (ckrOf(err) !== undefined) return undefined; // CKR_ATTRIBUTE_TYPE_INVALID / _SENSITIVE
    throw pkcs11Failure('C_GetAttributeValue', err, session.context);
  }
}

/** A CK_ULONG attribute as a number. */
export function readUlong(session: Pkcs11Session, object: Handle, type: number): number | undefined {
  const value = readAttribute(session, object, type);
  if (value === undefined) return undefined;
  if (value.length === 8) return Number(value.readBigUInt64LE(0));
  if (value.length === 4) return value.readUInt32LE(0);
  return undefined;
}

function keyTypeName(ckk: number | undefined): string {
  if (ckk === CKK.EC) return 'ec';
  if (ckk === CKK.EC_EDWARDS) return 'ec-edwards';
  if (ckk === CKK.RSA) return 'rsa';
  return ckk === undefined ? 'unknown' : `0x${ckk.toString(16)}`;
}

function filterTemplate(objectClass: number, filter: KeyFilter): Template {
  const template: Template = [{ type: CKA.CLASS, value: objectClass }];
  if (filter.label !== undefined) template.push({ type: CKA.LABEL, value: filter.label });
  if (filter.id !== undefined) template.push({ type: CKA.ID, value: Buffer.from(filter.id) });
  return template;
}

/** Summaries of the keys of one class matching `filter`. */
export function listKeyObjects(session: Pkcs11Session, objectClass: 'private' | 'public', filter: KeyFilter = {}): KeyObjectSummary[] {
  const cko = objectClass === 'private' ? CKO.PRIVATE_KEY : CKO.PUBLIC_KEY;
  return findObjects(session, filterTemplate(cko, filter)).map((handle) => ({
    handle,
    objectClass,
    label: readAttribute(session, handle, CKA.LABEL)?.toString('utf8') ?? '',
    id: new Uint8Array(readAttribute(session, handle, CKA.ID) ?? Buffer.alloc(0)),
    keyType: keyTypeName(readUlong(session, handle, CKA.KEY_TYPE)),
  }));
}

/** `object=label;id=%01` style description of a key, for messages. */
export function describeKey(k: { label: string; id: Uint8Array; keyType?: string; objectClass?: string }): string {
  const id = Buffer.from(k.id).toString('hex');
  return `${k.objectClass ? k.objectClass + ' ' : ''}${k.keyType ? k.keyType + ' ' : ''}key "${k.label}" id ${id || '-'}`;
}

/** Describe a filter, for messages. */
export function describeFilter(filter: KeyFilter): string {
  const parts: string[] = [];
  if (filter.label !== undefined) parts.push(`object=${JSON.stringify(filter.label)}`);
  if (filter.id !== undefined) parts.push(`id=${Buffer.from(filter.id).toString('hex')}`);
  return parts.length ? parts.join(' ') : 'any key';
}

/**
 * The one key of `objectClass` matching `filter`.
 * @throws {@link KeyNotFoundError} when none or several match, listing the keys on the token.
 */
export function findOneKey(session: Pkcs11Session, objectClass: 'private' | 'public', filter: KeyFilter): KeyObjectSummary {
  const found = listKeyObjects(session, objectClass, filter);
  if (found.length === 1) return found[0] as KeyObjectSummary;
  if (found.length > 1) {
    throw new KeyNotFoundError(
      `${session.context}: ${found.length} ${objectClass} keys match ${describeFilter(filter)} on token ${describeToken(session.token)} (${found
        .map(describeKey)
        .join(', ')}); add object= or id= to choose one`,
    );
  }
  const all = [...listKeyObjects(session, 'private'), ...listKeyObjects(session, 'public')];
  const listing = all.length ? all.map(describeKey).join(', ') : 'none' + (session.loggedIn ? '' : ' visible without logging in');
  throw new KeyNotFoundError(`${session.context}: no ${objectClass} key matches ${describeFilter(filter)} on token ${describeToken(session.token)}; keys found: ${listing}`);
}
