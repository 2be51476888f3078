/**
 * tufkit: The Update Framework (TUF 1.0.x) in TypeScript.
 *
 * The package root re-exports the public API of every layer.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './metadata/index.js';
export * from './verify/types.js';
export { NodeEngine } from './verify/node-engine.js';
export { decodePublicKey, derToPem, pemToDer, type DecodedKey, type PublicKeyLike } from './verify/public-key.js';
export { EngineVerifier, getDefaultVerifier, setDefaultVerifier, type SignatureCheck, type Verifier } from './verify/verifier.js';
export { writeFileAtomic, writeFileAtomicNoClobber, writeFileAtomicSync } from './util/atomic-file.js';
export { DEFAULT_RSA_BITS, FILE_KEY_TYPES, FileSigner, isEncryptedPem, tufPublicKey, type FileKeyReadOptions, type FileKeyType, type PassphraseSource } from './signers/file.js';
export { describeKeyFile, parsePublicKeyText, publicKeyPath, readPublicKeyFile, writePublicKeyFile, type KeyFileInfo } from './signers/key-files.js';
export { NO_PROGRESS, noProgress, type Progress, type ProgressFactory } from './util/progress.js';
export * from './client/index.js';
export * from './signers/index.js';
export { verify, verifyBatch, POOL_MIN_ITEMS, type VerifyOptions } from './verify/api.js';
export { AutoEngine, defaultEngine, AUTO_ENGINE_FOR_SCHEME, type EngineChoice } from './verify/auto-engine.js';
export { WasmEngine, WASM_SCHEMES, type WasmSchemeVerifier } from './verify/wasm-engine.js';
export { NobleEngine } from './verify/noble-engine.js';
export { initWasm, type WasmSource } from './verify/wasm/load.js';
export { VerifyPool, shutdownSharedPool } from './verify/pool.js';
export * from './repository/index.js';
export * from './ceremony/index.js';
