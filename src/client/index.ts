/**
 * The TUF client (spec §5): {@link Updater}, its settings, the trusted metadata set that
 * makes its trust decisions, and the fetcher seam.
 * @packageDocumentation
 */
export { DEFAULT_UPDATER_CONFIG, resolveConfig, type UpdaterConfig } from './config.js';
export { DefaultFetcher, TUFKIT_USER_AGENT, downloadBytes, type DefaultFetcherOptions, type FetchOptions, type Fetcher } from './fetcher.js';
export { metadataFileName, metadataUrl, quoteRoleName, quoteTargetPath, targetFileName } from './names.js';
export { TrustedMetadataSet, type DelegatedUpdate, type DelegatedUpdateResult, type TrustedSetOptions, type UpdateOptions } from './trusted-metadata-set.js';
export { Updater, type BulkLoadResult, type UpdaterOptions } from './updater.js';
