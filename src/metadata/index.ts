/**
 * The TUF metadata API (spec §4), at parity with python-tuf's `tuf.api.metadata`.
 * @packageDocumentation
 */
export { canonicalString, compareCodePoints, encodeCanonical, MAX_DEPTH, type JsonObject, type JsonValue } from './canonical-json.js';
export { pythonJson, type PythonJsonOptions } from './python-json.js';
export type { UnrecognizedFields } from './fields.js';
export { formatExpires, parseExpires, type ParsedExpires } from './expires.js';
export { HASH_ALGORITHMS, hashBytes, hashFile, verifyLengthAndHashes, type Hashes } from './hashes.js';
export { Key, type KeyReadOptions } from './key.js';
export { Signature } from './signature.js';
export { Role } from './role.js';
export {
  Signed,
  SPECIFICATION_VERSION,
  SUPPORTED_MAJOR_VERSION,
  TOP_LEVEL_ROLE_NAMES,
  type ReadOptions,
  type RoleType,
  type SignedFields,
} from './signed.js';
export { Root, type RootFields } from './root.js';
export { Timestamp, type TimestampFields } from './timestamp.js';
export { Snapshot, type SnapshotFields } from './snapshot.js';
export { DEFAULT_HASH_ALGORITHMS, MetaFile, TargetFile } from './files.js';
export { DelegatedRole, Delegations, SuccinctRoles, type DelegatedRoleFields, type DelegationsFields, type SuccinctRolesFields } from './delegations.js';
export { fnmatch, isTargetInPathPattern } from './path-pattern.js';
export { Targets, type TargetsFields } from './targets.js';
export { RootVerificationResult, VerificationResult, verifyRole } from './verification.js';
export type { Delegator } from './delegator.js';
export type { Signer } from './signer.js';
export { Metadata, type AnySigned, type MetadataReadOptions, type SignedByType } from './metadata.js';
