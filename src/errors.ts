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
 * │   ├── KeyFormatError            a public key whose value cannot be decoded
 * │   ├── TargetPathError           a target path that is not a clean relative path
 * │   └── ConfigError               a repository configuration (tufkit.json) that is wrong
 * ├── RepositoryError               metadata that must not be trusted
 * │   ├── UnsignedMetadataError     threshold of valid signatures not met
 * │   ├── BadVersionNumberError     rollback or a version that breaks a rule
 * │   │   └── EqualVersionNumberError
 * │   ├── ExpiredMetadataError      freeze attack
 * │   ├── LengthOrHashMismatchError wrong length or hash
 * │   └── PublishConflictError      a published file would be replaced by other content
 * ├── DownloadError                 the network or the mirror failed us
 * │   ├── DownloadLengthMismatchError  more (or other) bytes than allowed
 * │   ├── SlowRetrievalError           timed out
 * │   └── DownloadHttpError            non-2xx status
 * ├── StorageError                  a file could not be read or written
 * ├── SignerError                   a signer (file key, PKCS#11 token, YubiKey) failed
 * │   ├── ModuleNotFoundError       the PKCS#11 module cannot be loaded
 * │   ├── TokenNotFoundError        no (or more than one) token matches
 * │   │   └── YubiKeyNotFoundError  no YubiKey is inserted / reachable
 * │   ├── KeyNotFoundError          no (or more than one) key on the token matches
 * │   ├── PinError                  the PIN cannot be obtained or is refused
 * │   │   ├── PinIncorrectError     wrong PIN (remaining tries where the token says)
 * │   │   └── PinLockedError        the PIN is blocked
 * │   ├── MechanismNotSupportedError  the token cannot sign with the key's scheme
 * │   ├── SignatureNotVerifiedError a signature just made does not verify (never written)
 * │   └── TokenOperationError       any other PKCS#11 failure (CKR_ code named)
 * ├── CeremonyError                 a root-key ceremony proposal that is invalid or does not fit
 * │   └── ProposalConflictError     copies of a proposal that disagree on what is signed
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

/**
 * A target path that is not a clean relative path: empty, absolute, with a backslash, an
 * empty segment (`a//b`, trailing `/`), a `.` or `..` segment, or a control character.
 */
export class TargetPathError extends ValueError {
  override readonly name: string = 'TargetPathError';
}

/** A repository configuration (`tufkit.json`) that is missing, malformed or inconsistent. */
export class ConfigError extends ValueError {
  override readonly name: string = 'ConfigError';
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

/**
 * Publishing would replace a file that is already published (a versioned metadata file, a
 * hash-prefixed target) with different content: published versions are immutable.
 */
export class PublishConflictError extends RepositoryError {
  override readonly name: string = 'PublishConflictError';
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

/** The PKCS#11 module (shared library) cannot be found or loaded. */
export class ModuleNotFoundError extends SignerError {
  override readonly name: string = 'ModuleNotFoundError';
}

/** No token matches what the signer URI asks for (or more than one does). */
export class TokenNotFoundError extends SignerError {
  override readonly name: string = 'TokenNotFoundError';
}

/** No YubiKey is inserted, or none is reachable through the smart-card service. */
export class YubiKeyNotFoundError extends TokenNotFoundError {
  override readonly name: string = 'YubiKeyNotFoundError';
}

/** No key on the token matches what the signer URI asks for (or more than one does). */
export class KeyNotFoundError extends SignerError {
  override readonly name: string = 'KeyNotFoundError';
}

/** The PIN could not be obtained (no source, variable unset) or the token refused it. */
export class PinError extends SignerError {
  override readonly name: string = 'PinError';
}

/**
 * The token refused the PIN. `remainingTries` says what the token told about the tries
 * left: `low` (CKF_USER_PIN_COUNT_LOW), `final` (CKF_USER_PIN_FINAL_TRY) or `unknown`.
 */
export class PinIncorrectError extends PinError {
  override readonly name: string = 'PinIncorrectError';
  /** What the token says about the tries left. */
  readonly remainingTries: 'low' | 'final' | 'unknown';
  constructor(message: string, remainingTries: 'low' | 'final' | 'unknown', options?: { cause?: unknown }) {
    super(message, options);
    this.remainingTries = remainingTries;
  }
}

/** The token's PIN is blocked (CKR_PIN_LOCKED / CKF_USER_PIN_LOCKED): it must be unblocked first. */
export class PinLockedError extends PinError {
  override readonly name: string = 'PinLockedError';
}

/** The token does not offer a mechanism that signs with the key's TUF scheme. */
export class MechanismNotSupportedError extends SignerError {
  override readonly name: string = 'MechanismNotSupportedError';
}

/** A signature just made does not verify with the signer's public key; it was not used. */
export class SignatureNotVerifiedError extends SignerError {
  override readonly name: string = 'SignatureNotVerifiedError';
}

/** A PKCS#11 call failed for another reason; `code` is the CK_RV and the message names it. */
export class TokenOperationError extends SignerError {
  override readonly name: string = 'TokenOperationError';
  /** The PKCS#11 return value (CK_RV), or undefined when the failure was not a CK_RV. */
  readonly code: number | undefined;
  constructor(message: string, code: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/**
 * A root-key ceremony step refused: the proposal is damaged or edited (its stored hash or
 * summary does not match its content), breaks a rule (the new root is not the next version,
 * the current root is not signed by its own keys), or does not fit the repository.
 */
export class CeremonyError extends TufError {
  override readonly name: string = 'CeremonyError';
}

/** Copies of a proposal (or detached signatures) that are not about the same payload. */
export class ProposalConflictError extends CeremonyError {
  override readonly name: string = 'ProposalConflictError';
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
