/**
 * Signers: TUF `Signer`s whose keys live on PKCS#11 tokens (HSMs, smart cards,
 * SoftHSM), YubiKeys or in encrypted files, addressed by URI.
 * @packageDocumentation
 */
export { checkedSignature } from './checked.js';
export { pinFromEnv, pinFromPrompt, pinPromptText, type PinRequest, type PinSource, type SecretPrompt } from './pin.js';
export { tufKeyFromKeyObject, tufKeyFromSpki, type RsaScheme, type TufKeyOptions } from './tuf-key.js';
export { Pkcs11Signer, describeLocation, type Pkcs11KeyLocation, type Pkcs11SignerOptions } from './pkcs11/signer.js';
export { generateTokenKeyPair, TOKEN_KEY_ALGORITHMS, type GenerateOptions, type GeneratedKey, type TokenKeyAlgorithm } from './pkcs11/generate.js';
export { listModuleTokens, type Pkcs11Session, type SessionOptions } from './pkcs11/session.js';
export { openModuleCount } from './pkcs11/module.js';
export type { TokenFilter, TokenSummary } from './pkcs11/token.js';
export type { KeyFilter } from './pkcs11/objects.js';
export { activateSoftHsm, createSoftHsm, findSoftHsmModule, initSoftHsmToken, type SoftHsm, type SoftHsmTokenOptions } from './softhsm.js';
export {
  SIGNER_URI_FIELD,
  VerifiedSigner,
  parseFileUri,
  signerFromUri,
  signerUriKind,
  signerUriOf,
  storableSignerUri,
  withSignerUri,
  type SignerUriKind,
} from './signer-uri.js';
export { pinSourceFor, secretSourceFor, type SignerUriOptions, type YubiKeyOptions } from './uri-options.js';
export { formatPkcs11Uri, parsePkcs11Uri, percentEncode, redactUri, type Pkcs11Uri, type Pkcs11UriParts } from './pkcs11/uri.js';
export { findModuleByName, resolveModulePath, MODULE_DIRS } from './module-path.js';
export { PIV_SLOTS, DEFAULT_PIV_SLOT, pivSlot, pivSlotById, type PivSlot } from './yubikey/piv.js';
export { parseYubiKeyUri, formatYubiKeyUri, type YubiKeyUri, type YubiKeyModuleChoice, type TouchSetting } from './yubikey/uri.js';
export {
  YUBICO_VENDOR_ID,
  YUBIKEY_PRODUCTS,
  asYubiKeyToken,
  findYubiKey,
  listUsbYubiKeys,
  listYubiKeyTokens,
  type FindYubiKeyOptions,
  type UsbYubiKey,
  type YubiKeyToken,
} from './yubikey/discovery.js';
export { YUBICO_POLICY_OID, policiesFromCertificate, type PinPolicy, type SlotPolicies, type TouchPolicy } from './yubikey/attestation.js';
export {
  YUBIKEY_ALGORITHMS,
  YubiKeySigner,
  generateYubiKeyKey,
  importYubiKeyKey,
  locateYubiKeySlot,
  touchMessage,
  yubiKeyModulePath,
  type ImportedYubiKeyKey,
  type YubiKeyGenerateOptions,
  type YubiKeySlot,
} from './yubikey/signer.js';
