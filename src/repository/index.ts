/**
 * Repository tooling (spec §6): create, edit, sign and publish TUF repositories.
 * @packageDocumentation
 */
export { CONFIG_FORMAT, defaultConfig, defaultExpiryPolicy, expiryDays, formatConfig, parseConfig, readConfig, writeConfig, type ExpiryPolicy, type RepositoryConfig } from './config.js';
export { PublishedLayout, WorkingLayout } from './layout.js';
export { checkNewRoleName, encodeRoleName, roleFileName } from './role-files.js';
export { checkTargetPath, targetPathFromLocal } from './target-path.js';
export { filePathOfUri, KeyRing, type KeyRingOptions, type SignerUriResolver } from './signers.js';
export { verifyRolesBatch, type RoleCheck } from './batch-verify.js';
export {
  listFiles,
  Repository,
  type AddTargetsOptions,
  type AddTargetsResult,
  type DelegationSpec,
  type HashedBinsSpec,
  type InitOptions,
  type InitRole,
  type RepositoryOptions,
  type RoleSignatureState,
  type SignOutcome,
  type TargetInput,
  type TopLevelRole,
} from './repository.js';
export { publish, type PublishOptions, type PublishReport } from './publish.js';
export { repositoryStatus, type RoleStatus } from './status.js';
export { DirectorySource, HttpSource, verifyPublished, type PublishedReport, type PublishedSource, type VerifiedRole, type VerifyPublishedOptions } from './verify-published.js';
export { serveDirectory, type StaticServer } from './serve.js';
export { importPublished, type ImportKey, type ImportOptions, type ImportResult } from './import.js';
export { acquireLock, lockPath, releaseLock } from './lock.js';
