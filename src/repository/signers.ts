/**
 * Signers of a repository: the keys named in `tufkit.json` (`signers`: keyid → URI), opened
 * on demand and kept for the session. `file:PATH` URIs are key files (PATH relative to the
 * working directory); other schemes go to a resolver the caller provides (src/signers'
 * `signerFromUri` for `pkcs11:` and `yubikey:`).
 */
import { isAbsolute, resolve } from 'node:path';
import { SignerError } from '../errors.js';
import type { Key } from '../metadata/key.js';
import { Signature } from '../metadata/signature.js';
import type { Signer } from '../metadata/signer.js';
import { FileSigner, type PassphraseSource } from '../signers/file.js';

/** Resolves a non-`file:` signer URI for `key`. */
export type SignerUriResolver = (uri: string, key: Key) => Promise<Signer>;

/** How a {@link KeyRing} opens signers. */
export interface KeyRingOptions {
  /** Directory `file:` paths are relative to. */
  readonly baseDir: string;
  /** Passphrases of encrypted key files (a function is asked once per file). */
  readonly passphrase?: PassphraseSource;
  /** Times to ask a passphrase function again after a wrong answer (default 1). */
  readonly attempts?: number;
  /** Resolver for other URI schemes. */
  readonly resolveUri?: SignerUriResolver;
}

/** The path of a `file:` URI, resolved against `baseDir`, or undefined for other schemes. */
export function filePathOfUri(uri: string, baseDir: string): string | undefined {
  if (!uri.startsWith('file:') || uri.includes('?')) return undefined; // file:…?passphrase-source=… goes to the resolver
  let path = uri.slice('file:'.length);
  if (path.startsWith('//')) path = decodeURIComponent(new URL(uri).pathname); // file:///abs/path
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

/** The signers a session can use, by keyid. */
export class KeyRing {
  private readonly signers = new Map<string, Signer>();
  private readonly failures = new Map<string, Error>();

  /**
   * @param uris keyid → signer URI (from tufkit.json)
   */
  constructor(
    private readonly uris: ReadonlyMap<string, string>,
    private readonly options: KeyRingOptions,
  ) {}

  /** Add a signer explicitly (e.g. `tufkit sign --key FILE`); it wins over the configured URI. */
  add(signer: Signer): void {
    this.signers.set(signer.publicKey.keyid, signer);
  }

  /** Signers added or opened so far. */
  opened(): Signer[] {
    return [...this.signers.values()];
  }

  /** True when a signer for `key` was added, or a URI is configured for it. */
  has(key: Key): boolean {
    return this.findAdded(key) !== undefined || this.uris.has(key.keyid);
  }

  private findAdded(key: Key): Signer | undefined {
    const exact = this.signers.get(key.keyid);
    if (exact !== undefined) return exact;
    for (const s of this.signers.values()) if (s.publicKey.sameKeyAs(key)) return s;
    return undefined;
  }

  /**
   * The signer for `key` (opening its URI the first time), or undefined when no signer is
   * known for it. A signer found by key material signs under `key`'s keyid.
   * @throws {@link SignerError} when the configured signer cannot be opened (wrong passphrase, ...).
   */
  async get(key: Key): Promise<Signer | undefined> {
    const added = this.findAdded(key);
    if (added !== undefined) {
      if (added.publicKey.keyid === key.keyid) return added;
      const adapted = added instanceof FileSigner ? added.forKey(key) : relabel(added, key);
      this.signers.set(key.keyid, adapted);
      return adapted;
    }
    const uri = this.uris.get(key.keyid);
    if (uri === undefined) return undefined;
    const failed = this.failures.get(key.keyid);
    if (failed !== undefined) throw failed;
    try {
      const signer = await this.open(uri, key);
      this.signers.set(key.keyid, signer);
      return signer;
    } catch (err) {
      this.failures.set(key.keyid, err as Error);
      throw err;
    }
  }

  private async open(uri: string, key: Key): Promise<Signer> {
    const path = filePathOfUri(uri, this.options.baseDir);
    if (path !== undefined) {
      return FileSigner.fromFile(path, {
        publicKey: key,
        ...(this.options.passphrase !== undefined ? { passphrase: this.options.passphrase } : {}),
        ...(this.options.attempts !== undefined ? { attempts: this.options.attempts } : {}),
      });
    }
    if (this.options.resolveUri === undefined) {
      throw new SignerError(`key ${key.keyid.slice(0, 8)}…: no signer for URI ${JSON.stringify(uri)} (only file: URIs are built in)`);
    }
    const signer = await this.options.resolveUri(uri, key);
    if (!signer.publicKey.sameKeyAs(key)) {
      throw new SignerError(`signer ${uri} holds another key than ${key.keyid.slice(0, 8)}…`);
    }
    return signer.publicKey.keyid === key.keyid ? signer : relabel(signer, key);
  }
}

/** `signer` signing under `key`'s keyid (same public key, another keyid in metadata). */
function relabel(signer: Signer, key: Key): Signer {
  return {
    publicKey: key,
    async sign(payload: Uint8Array): Promise<Signature> {
      const sig = await signer.sign(payload);
      return new Signature(key.keyid, sig.sig);
    },
  };
}
