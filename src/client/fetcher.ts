/**
 * Downloading, with the limits the client workflow needs (spec §5.3.3, §5.4.1, §5.5.1,
 * §5.6.1, §5.7.3: "up to N bytes"): a hard length cap applied while streaming (endless-data
 * attack: stop reading at the limit, never buffer first), an inactivity timeout, a minimum
 * average speed and an optional overall deadline (slow-retrieval attack: a server that
 * stalls, or trickles bytes just often enough), typed errors, no retries.
 *
 * {@link Fetcher} is the seam for users who bring their own transport; {@link DefaultFetcher}
 * uses Node's `fetch` (undici) for `http(s)://` and the file system for `file://`.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DownloadError, DownloadHttpError, DownloadLengthMismatchError, SlowRetrievalError, describeError } from '../errors.js';

/** Options of one request. */
export interface FetchOptions {
  /** The caller stops reading after this many bytes; a fetcher should not read (much) more. */
  readonly maxLength: number;
}

/**
 * A transport. `fetch` yields the body of `url` chunk by chunk. It must throw
 * {@link DownloadHttpError} (with the status; 403/404 mean "not there") for a non-2xx answer,
 * {@link SlowRetrievalError} on a timeout and another {@link DownloadError} for any other
 * failure. Callers stop iterating (which must end the request) once `maxLength` is passed;
 * length limits are enforced by {@link downloadBytes} whatever the fetcher does.
 */
export interface Fetcher {
  /** The body of `url`, chunk by chunk (see the interface's rules). */
  fetch(url: string, options: FetchOptions): AsyncIterable<Uint8Array>;
}

/** Options of {@link DefaultFetcher}. */
export interface DefaultFetcherOptions {
  /** Give up when no data arrives for this long, in ms (python-tuf's socket timeout). Default 30000. */
  readonly timeout?: number;
  /** Give up when one request takes longer than this in all, in ms. Default: no limit. */
  readonly deadline?: number;
  /**
   * Give up when, after the first `timeout` ms, the body arrives slower than this many bytes
   * per second on average (a server that trickles data to stay under the inactivity timeout).
   * Default 128; 0 turns the check off.
   */
  readonly minBytesPerSecond?: number;
  /** The User-Agent header (default `tufkit/VERSION`). */
  readonly userAgent?: string;
  /** Read size for `file://` URLs. Default 64 KiB. */
  readonly fileChunkSize?: number;
}

/** tufkit's User-Agent product token. */
export const TUFKIT_USER_AGENT = 'tufkit/0.1.0';

/** Node's fetch for http(s), the file system for file:// URLs. */
export class DefaultFetcher implements Fetcher {
  private readonly timeout: number;
  private readonly deadline: number | undefined;
  private readonly minBytesPerSecond: number;
  private readonly userAgent: string;
  private readonly fileChunkSize: number;

  constructor(options: DefaultFetcherOptions = {}) {
    this.timeout = options.timeout ?? 30_000;
    this.deadline = options.deadline;
    this.minBytesPerSecond = options.minBytesPerSecond ?? 128;
    this.userAgent = options.userAgent ?? TUFKIT_USER_AGENT;
    this.fileChunkSize = options.fileChunkSize ?? 64 * 1024;
  }

  /** Stream `url`: `file://` from the file system, `http(s)://` with Node's fetch. See {@link Fetcher.fetch}. */
  fetch(url: string, options: FetchOptions): AsyncIterable<Uint8Array> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new DownloadError(`cannot fetch ${JSON.stringify(url)}: not a valid URL`);
    }
    if (parsed.protocol === 'file:') return this.fetchFile(parsed, options);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return this.fetchHttp(url, options);
    throw new DownloadError(`cannot fetch ${url}: unsupported protocol ${parsed.protocol}`);
  }

  private async *fetchHttp(url: string, options: FetchOptions): AsyncGenerator<Uint8Array> {
    const controller = new AbortController();
    let timedOut: string | undefined;
    let idle: NodeJS.Timeout | undefined;
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        timedOut = `no data for ${this.timeout} ms`;
        controller.abort();
      }, this.timeout);
    };
    const overall =
      this.deadline === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = `the request took longer than ${this.deadline} ms`;
            controller.abort();
          }, this.deadline);
    const failure = (err: unknown): DownloadError =>
      timedOut !== undefined
        ? new SlowRetrievalError(`${url}: ${timedOut}`, { cause: err })
        : new DownloadError(`cannot fetch ${url}: ${describeError(err)}${causeOf(err)}`, { cause: err });
    arm();
    let response: Response;
    try {
      response = await fetch(url, { signal: controller.signal, headers: { 'User-Agent': this.userAgent }, redirect: 'follow' });
    } catch (err) {
      clearTimeout(idle);
      clearTimeout(overall);
      throw failure(err);
    }
    const reader = response.body?.getReader();
    try {
      if (!response.ok) {
        throw new DownloadHttpError(`${url}: HTTP ${response.status} ${response.statusText}`.trimEnd(), response.status);
      }
      const announced = response.headers.get('content-length');
      if (announced !== null && !response.headers.has('content-encoding') && Number(announced) > options.maxLength) {
        throw new DownloadLengthMismatchError(`${url}: the server announces ${announced} bytes, more than the ${options.maxLength} allowed`);
      }
      if (reader === undefined) return;
      const start = Date.now();
      let received = 0;
      for (;;) {
        arm();
        let chunk: { done: true; value?: undefined } | { done: false; value: Uint8Array };
        try {
          chunk = await reader.read();
        } catch (err) {
          throw failure(err);
        }
        if (chunk.done) return;
        received += chunk.value.length;
        const elapsed = Date.now() - start;
        if (this.minBytesPerSecond > 0 && elapsed > this.timeout && (received * 1000) / elapsed < this.minBytesPerSecond) {
          throw new SlowRetrievalError(`${url}: ${received} bytes in ${elapsed} ms, slower than ${this.minBytesPerSecond} bytes/s`);
        }
        yield chunk.value;
      }
    } finally {
      clearTimeout(idle);
      clearTimeout(overall);
      // Stop the transfer (endless data, errors, or a consumer that stopped early).
      if (reader !== undefined) reader.cancel().catch(() => undefined);
      controller.abort();
    }
  }

  private async *fetchFile(url: URL, options: FetchOptions): AsyncGenerator<Uint8Array> {
    let path: string;
    try {
      path = fileURLToPath(url);
    } catch (err) {
      throw new DownloadError(`cannot fetch ${url.href}: ${describeError(err)}`, { cause: err });
    }
    try {
      const info = await stat(path);
      if (!info.isFile()) throw new DownloadHttpError(`${url.href}: not a file`, 404);
    } catch (err) {
      if (err instanceof DownloadError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new DownloadHttpError(`${url.href}: not found`, 404, { cause: err });
      if (code === 'EACCES' || code === 'EPERM') throw new DownloadHttpError(`${url.href}: permission denied`, 403, { cause: err });
      throw new DownloadError(`cannot read ${url.href}: ${describeError(err)}`, { cause: err });
    }
    // Read at most one byte past the limit: enough for the caller to see the excess.
    const stream = createReadStream(path, { highWaterMark: this.fileChunkSize, end: options.maxLength });
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length);
    } catch (err) {
      throw new DownloadError(`cannot read ${url.href}: ${describeError(err)}`, { cause: err });
    } finally {
      stream.destroy();
    }
  }
}

function causeOf(err: unknown): string {
  const cause = (err as { cause?: unknown } | undefined)?.cause;
  return cause === undefined ? '' : ` (${describeError(cause)})`;
}

/**
 * Consume `chunks`, stopping as soon as more than `maxLength` bytes have arrived.
 * @returns the total length
 * @throws {@link DownloadLengthMismatchError} past the limit (the request is ended).
 */
export async function consumeWithLimit(
  chunks: AsyncIterable<Uint8Array>,
  url: string,
  maxLength: number,
  onChunk: (chunk: Uint8Array) => void | Promise<void>,
): Promise<number> {
  let received = 0;
  try {
    for await (const chunk of chunks) {
      received += chunk.length;
      if (received > maxLength) {
        throw new DownloadLengthMismatchError(`${url}: received more than the ${maxLength} bytes allowed; stopped reading`);
      }
      await onChunk(chunk);
    }
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    throw new DownloadError(`cannot fetch ${url}: ${describeError(err)}`, { cause: err });
  }
  return received;
}

/**
 * Download `url` into memory, at most `maxLength` bytes, with any {@link Fetcher}.
 * @throws {@link DownloadLengthMismatchError}, {@link DownloadHttpError}, {@link SlowRetrievalError}, {@link DownloadError}
 */
export async function downloadBytes(fetcher: Fetcher, url: string, maxLength: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let chunks: AsyncIterable<Uint8Array>;
  try {
    chunks = fetcher.fetch(url, { maxLength });
  } catch (err) {
    if (err instanceof DownloadError) throw err;
    throw new DownloadError(`cannot fetch ${url}: ${describeError(err)}`, { cause: err });
  }
  const length = await consumeWithLimit(chunks, url, maxLength, (chunk) => {
    parts.push(chunk);
  });
  return parts.length === 1 ? (parts[0] as Uint8Array) : new Uint8Array(Buffer.concat(parts, length));
}
