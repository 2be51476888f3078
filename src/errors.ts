/**
 * The one error hierarchy of tufkit.
 *
 * Every failure that tufkit reports on purpose is a {@link TufError}; its subclass says
 * what kind of failure it is and its message names the field and the value at fault.
 * The tree follows python-tuf's `tuf.api.exceptions` so that code ported from it maps
 * one to one:
 *
 * ```
 * TufError
 * ├── ValueError                    bad argument or value given to the API
 * │   ├── DeserializationError      bytes that are not valid metadata
 * │   ├── SerializationError        an object that cannot be written as canonical JSON
 * │   ├── UnsupportedAlgorithmError a hash algorithm or scheme tufkit does not support
 * │   └── KeyFormatError            a public key whose value cannot be decoded
 * ├── RepositoryError               metadata that must not be trusted
 * │   ├── UnsignedMetadataError     threshold of valid signatures not met
 * │   ├── BadVersionNumberError     rollback or a version that breaks a rule
 * │   │   └── EqualVersionNumberError
 * │   ├── ExpiredMetadataError      freeze attack
 * │   └── LengthOrHashMismatchError wrong length or hash
 * ├── DownloadError                 the network or the mirror failed us
 * │   ├── DownloadLengthMismatchError  more (or other) bytes than allowed
 * │   ├── SlowRetrievalError           timed out
 * │   └── DownloadHttpError            non-2xx status
 * ├── StorageError                  a file could not be read or written
 * ├── SignerError                   a signer (file key, PKCS#11 token, YubiKey) failed
 * ├── CryptoCoreError               the WebAssembly crypto core cannot be loaded or was misused
 * └── UsageError                    a command line that does not make sense (exit 2)
 * ```
 */

/** Base class of every error tufkit throws on purpose. */
export class TufError extends Error {
  override readonly name: string = 'TufError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A value given to the API is not acceptable (python-tuf raises `ValueError`). */
export class ValueError extends TufError {
  override readonly name: string = 'ValueError';
}

/** Bytes that cannot be turned into metadata: bad JSON, wrong types, invalid values. */
export class DeserializationError extends ValueError {
  override readonly name: string = 'DeserializationError';
}

/** An object that cannot be written as TUF canonical JSON (floats, cycles, ...). */
export class SerializationError extends ValueError {
  override readonly name: string = 'SerializationError';
}

/** A hash algorithm, key type or signature scheme that tufkit does not implement. */
export class UnsupportedAlgorithmError extends ValueError {
  override readonly name: string = 'UnsupportedAlgorithmError';
}

/** A public key whose `keyval` cannot be decoded for its key type and scheme. */
export class KeyFormatError extends ValueError {
  override readonly name: string = 'KeyFormatError';
}

/** Metadata that failed a trust check: it must not be used. */
export class RepositoryError extends TufError {
  override readonly name: string = 'RepositoryError';
}

/** Not enough valid signatures from the role's keys (spec §5.3.4, §5.4.2, ...). */
export class UnsignedMetadataError extends RepositoryError {
  override readonly name: string = 'UnsignedMetadataError';
}

/** A version number that breaks a rule: rollback, or not the expected version. */
export class BadVersionNumberError extends RepositoryError {
  override readonly name: string = 'BadVersionNumberError';
}

/** The same version as the trusted one where a newer one was required. */
export class EqualVersionNumberError extends BadVersionNumberError {
  override readonly name: string = 'EqualVersionNumberError';
}

/** Metadata whose `expires` lies before the reference time (freeze attack). */
export class ExpiredMetadataError extends RepositoryError {
  override readonly name: string = 'ExpiredMetadataError';
}

/** A file whose length or hash differs from what trusted metadata says. */
export class LengthOrHashMismatchError extends RepositoryError {
  override readonly name: string = 'LengthOrHashMismatchError';
}

/** A download failed. */
export class DownloadError extends TufError {
  override readonly name: string = 'DownloadError';
}

/** The server sent more data than allowed (endless-data attack) or other than announced. */
export class DownloadLengthMismatchError extends DownloadError {
  override readonly name: string = 'DownloadLengthMismatchError';
}

/** The server was too slow (slow-retrieval attack) and the request timed out. */
export class SlowRetrievalError extends DownloadError {
  override readonly name: string = 'SlowRetrievalError';
}

/** The server answered with an HTTP status other than 2xx. */
export class DownloadHttpError extends DownloadError {
  override readonly name: string = 'DownloadHttpError';
  /** The HTTP status code the server answered with. */
  readonly statusCode: number;
  constructor(message: string, statusCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.statusCode = statusCode;
  }
}

/** A file could not be read or written. */
export class StorageError extends TufError {
  override readonly name: string = 'StorageError';
}

/** A signer could not sign: bad passphrase, token absent, key not found, ... */
export class SignerError extends TufError {
  override readonly name: string = 'SignerError';
}

/**
 * The WebAssembly crypto core (crypto-wasm/) could not be loaded, or a call into it was
 * refused (a typed status code from the core's ABI, named in the message). A bad signature
 * is never an error: verification answers `false`.
 */
export class CryptoCoreError extends TufError {
  override readonly name: string = 'CryptoCoreError';
  /** The core's negative status code when the core refused a call, otherwise undefined. */
  readonly code: number | undefined;
  constructor(message: string, options?: { cause?: unknown; code?: number }) {
    super(message, options);
    this.code = options?.code;
  }
}

/** A command line that does not make sense; the CLI exits with status 2. */
export class UsageError extends TufError {
  override readonly name: string = 'UsageError';
}

/** Describe any thrown value in one line, for messages that wrap a cause. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
