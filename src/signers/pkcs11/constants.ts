/**
 * The PKCS#11 numbers tufkit uses, from the OASIS PKCS#11 headers (`pkcs11t.h`, v2.40, and
 * v3.0 for the Edwards-curve ones that pkcs11js does not export). Kept here, named, so the
 * session and signer code reads like the specification and does not depend on which
 * constants a given pkcs11js version ships.
 */

/** Object classes (CKO_*). */
export const CKO = {
  CERTIFICATE: 0x1,
  PUBLIC_KEY: 0x2,
  PRIVATE_KEY: 0x3,
} as const;

/** Key types (CKK_*). */
export const CKK = {
  RSA: 0x0,
  EC: 0x3,
  /** PKCS#11 v3.0 §2.3.5 (Edwards curves). */
  EC_EDWARDS: 0x40,
} as const;

/** Attributes (CKA_*). */
export const CKA = {
  CLASS: 0x0,
  TOKEN: 0x1,
  PRIVATE: 0x2,
  LABEL: 0x3,
  VALUE: 0x11,
  KEY_TYPE: 0x100,
  ID: 0x102,
  SENSITIVE: 0x103,
  SIGN: 0x108,
  VERIFY: 0x10a,
  MODULUS: 0x120,
  MODULUS_BITS: 0x121,
  PUBLIC_EXPONENT: 0x122,
  EXTRACTABLE: 0x162,
  EC_PARAMS: 0x180,
  EC_POINT: 0x181,
  ALWAYS_AUTHENTICATE: 0x202,
  /** CKA_VENDOR_DEFINED | Yubico's base: ykcs11's touch/PIN policy attributes (pkcs11y.h). */
  YUBICO_TOUCH_ALWAYS: 0xd9554201,
  YUBICO_TOUCH_CACHED: 0xd9554202,
  YUBICO_TOUCH_NEVER: 0xd9554203,
  YUBICO_PIN_ALWAYS: 0xd9554204,
  YUBICO_PIN_ONCE: 0xd9554205,
  YUBICO_PIN_NEVER: 0xd9554206,
} as const;

/** Mechanisms (CKM_*). */
export const CKM = {
  RSA_PKCS_KEY_PAIR_GEN: 0x0,
  RSA_PKCS: 0x1,
  RSA_PKCS_PSS: 0xd,
  SHA256_RSA_PKCS: 0x40,
  SHA256_RSA_PKCS_PSS: 0x43,
  SHA256: 0x250,
  SHA384: 0x260,
  EC_KEY_PAIR_GEN: 0x1040,
  ECDSA: 0x1041,
  /** PKCS#11 v3.0 §2.3.6. */
  EC_EDWARDS_KEY_PAIR_GEN: 0x1055,
  /** PKCS#11 v3.0 §2.3.14: pure EdDSA when no parameters are given (Ed25519 for 32-byte keys). */
  EDDSA: 0x1057,
} as const;

/** Mask generation functions (CKG_*). */
export const CKG = {
  MGF1_SHA256: 0x2,
} as const;

/** Users (CKU_*). */
export const CKU = {
  SO: 0,
  USER: 1,
  /** Re-authentication for one operation on a CKA_ALWAYS_AUTHENTICATE key (v2.40 §4.9). */
  CONTEXT_SPECIFIC: 2,
} as const;

/** Slot flags (CK_SLOT_INFO.flags). */
export const CKF_SLOT = {
  TOKEN_PRESENT: 0x1,
  REMOVABLE_DEVICE: 0x2,
} as const;

/** Token flags (CK_TOKEN_INFO.flags). */
export const CKF_TOKEN = {
  LOGIN_REQUIRED: 0x4,
  USER_PIN_INITIALIZED: 0x8,
  PROTECTED_AUTHENTICATION_PATH: 0x100,
  TOKEN_INITIALIZED: 0x400,
  USER_PIN_COUNT_LOW: 0x10000,
  USER_PIN_FINAL_TRY: 0x20000,
  USER_PIN_LOCKED: 0x40000,
  USER_PIN_TO_BE_CHANGED: 0x80000,
  SO_PIN_COUNT_LOW: 0x100000,
  SO_PIN_FINAL_TRY: 0x200000,
  SO_PIN_LOCKED: 0x400000,
} as const;

/** Session flags (CK_SESSION_INFO.flags). */
export const CKF_SESSION = {
  RW_SESSION: 0x2,
  SERIAL_SESSION: 0x4,
} as const;

/** C_Initialize flags (CK_C_INITIALIZE_ARGS.flags). */
export const CKF_OS_LOCKING_OK = 0x2;

/** pkcs11js's parameter-structure tag for CK_RSA_PKCS_PSS_PARAMS. */
export const CK_PARAMS_RSA_PSS = 5;

/** Return values (CKR_*) tufkit maps to typed errors; others are reported by name. */
export const CKR = {
  OK: 0x0,
  SLOT_ID_INVALID: 0x3,
  GENERAL_ERROR: 0x5,
  FUNCTION_FAILED: 0x6,
  ARGUMENTS_BAD: 0x7,
  ATTRIBUTE_TYPE_INVALID: 0x12,
  ATTRIBUTE_VALUE_INVALID: 0x13,
  DATA_LEN_RANGE: 0x21,
  DEVICE_ERROR: 0x30,
  DEVICE_MEMORY: 0x31,
  DEVICE_REMOVED: 0x32,
  FUNCTION_CANCELED: 0x50,
  KEY_HANDLE_INVALID: 0x60,
  KEY_SIZE_RANGE: 0x62,
  KEY_TYPE_INCONSISTENT: 0x63,
  KEY_FUNCTION_NOT_PERMITTED: 0x68,
  MECHANISM_INVALID: 0x70,
  MECHANISM_PARAM_INVALID: 0x71,
  OBJECT_HANDLE_INVALID: 0x82,
  PIN_INCORRECT: 0xa0,
  PIN_INVALID: 0xa1,
  PIN_LEN_RANGE: 0xa2,
  PIN_EXPIRED: 0xa3,
  PIN_LOCKED: 0xa4,
  SESSION_HANDLE_INVALID: 0xb3,
  TEMPLATE_INCOMPLETE: 0xd0,
  TEMPLATE_INCONSISTENT: 0xd1,
  TOKEN_NOT_PRESENT: 0xe0,
  TOKEN_NOT_RECOGNIZED: 0xe1,
  TOKEN_WRITE_PROTECTED: 0xe2,
  USER_ALREADY_LOGGED_IN: 0x100,
  USER_NOT_LOGGED_IN: 0x101,
  USER_PIN_NOT_INITIALIZED: 0x102,
  CRYPTOKI_NOT_INITIALIZED: 0x190,
  CRYPTOKI_ALREADY_INITIALIZED: 0x191,
} as const;

const CKR_NAMES = new Map<number, string>(Object.entries(CKR).map(([name, code]) => [code, `CKR_${name}`]));

/** `CKR_NAME` for a return value, or its hex when tufkit has no name for it. */
export function ckrName(code: number): string {
  return CKR_NAMES.get(code) ?? `CKR 0x${code.toString(16)}`;
}
