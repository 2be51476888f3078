/**
 * The default fetcher against a real loopback server: length cap while streaming
 * (endless data), timeouts (slow retrieval), HTTP errors, file:// URLs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DownloadError, DownloadHttpError, DownloadLengthMismatchError, SlowRetrievalError } from '../../src/index.js';
import { DefaultFetcher, downloadBytes, type Fetcher } from '../../src/client/index.js';
import { TestServer, serveBytes, stall, status, streamForever } from './harness/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const body = new Uint8Array(Buffer.from('x'.repeat(1000)));

describe('DefaultFetcher', () => {
  it('downloads a body within the limit', async () => {
    server = await TestServer.start((p) => (p === 'f' ? body : undefined));
    const got = await downloadBytes(new DefaultFetcher(), `${server.url}/f`, 1000);
    expect(Buffer.from(got).equals(Buffer.from(body))).toBe(true);
  });

  it('refuses a body longer than the limit', async () => {
    server = await TestServer.start((p) => (p === 'f' ? body : undefined));
    await expect(downloadBytes(new DefaultFetcher(), `${server.url}/f`, 999)).rejects.toThrow(DownloadLengthMismatchError);
  });

  it('stops reading an endless stream at the limit (endless-data attack)', async () => {
    server = await TestServer.start(() => undefined);
    let closed = false;
    server.overrides.push((path, req, res) => {
      res.on('close', () => (closed = true));
      return streamForever(() => true)(path, req, res);
    });
    const start = Date.now();
    const err = await downloadBytes(new DefaultFetcher(), `${server.url}/forever`, 100_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadLengthMismatchError);
    expect((err as Error).message).toMatch(/more than the 100000 bytes allowed/);
    expect(Date.now() - start).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 100));
    expect(closed).toBe(true); // the connection was ended, not drained
  });

  it('refuses early when the announced length is too long, and when the body is longer than announced', async () => {
    server = await TestServer.start(() => undefined);
    server.overrides.push(serveBytes((p) => p === 'big', body));
    await expect(downloadBytes(new DefaultFetcher(), `${server.url}/big`, 10)).rejects.toThrow(/announces 1000 bytes|more than the 10 bytes/);
    // A server that lies: announces 10 bytes but sends 1000. The client reads at most the 10 announced.
    server.overrides.push((path, _req, res) => {
      if (path !== 'lie') return false;
      res.writeHead(200, { 'Content-Length': '10' });
      res.end(body);
      return true;
    });
    const got = await downloadBytes(new DefaultFetcher(), `${server.url}/lie`, 1000).catch((e: unknown) => e);
    if (got instanceof Uint8Array) expect(got.length).toBe(10);
    else expect(got).toBeInstanceOf(DownloadError);
  });

  it('times out when the server stalls (slow-retrieval attack)', async () => {
    server = await TestServer.start(() => undefined);
    server.overrides.push(stall(() => true, body, 10));
    const start = Date.now();
    await expect(downloadBytes(new DefaultFetcher({ timeout: 300 }), `${server.url}/slow`, 1000)).rejects.toThrow(SlowRetrievalError);
    expect(Date.now() - start).toBeLessThan(5_000);
  });

  it('times out on an overall deadline when data trickles', async () => {
    server = await TestServer.start(() => undefined);
    server.overrides.push((_p, _req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      const t = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(t));
      return true;
    });
    await expect(downloadBytes(new DefaultFetcher({ timeout: 1000, deadline: 400 }), `${server.url}/trickle`, 1000)).rejects.toThrow(/longer than 400 ms/);
  });

  it('gives up on a server that trickles data to stay under the inactivity timeout', async () => {
    server = await TestServer.start(() => undefined);
    server.overrides.push((_p, _req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      const t = setInterval(() => res.write('x'), 50);
      res.on('close', () => clearInterval(t));
      return true;
    });
    const start = Date.now();
    await expect(downloadBytes(new DefaultFetcher({ timeout: 300 }), `${server.url}/trickle`, 1000)).rejects.toThrow(/slower than 128 bytes\/s/);
    expect(Date.now() - start).toBeLessThan(5_000);
  });

  it('reports HTTP errors with their status, and connection failures as DownloadError', async () => {
    server = await TestServer.start(() => undefined);
    server.overrides.push(status((p) => p === 'forbidden', 403));
    const e404 = await downloadBytes(new DefaultFetcher(), `${server.url}/missing`, 10).catch((e: unknown) => e);
    expect(e404).toBeInstanceOf(DownloadHttpError);
    expect((e404 as DownloadHttpError).statusCode).toBe(404);
    const e403 = await downloadBytes(new DefaultFetcher(), `${server.url}/forbidden`, 10).catch((e: unknown) => e);
    expect((e403 as DownloadHttpError).statusCode).toBe(403);
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(downloadBytes(new DefaultFetcher(), `${url}/gone`, 10)).rejects.toThrow(DownloadError);
    await expect(downloadBytes(new DefaultFetcher(), 'ftp://example/x', 10)).rejects.toThrow(/unsupported protocol/);
  });

  it('reads file:// URLs with the same limits; a missing file is a 404', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tufkit-fetch-'));
    try {
      writeFileSync(join(dir, 'f'), body);
      const url = pathToFileURL(join(dir, 'f')).href;
      expect((await downloadBytes(new DefaultFetcher({ fileChunkSize: 64 }), url, 1000)).length).toBe(1000);
      await expect(downloadBytes(new DefaultFetcher({ fileChunkSize: 64 }), url, 999)).rejects.toThrow(DownloadLengthMismatchError);
      const missing = await downloadBytes(new DefaultFetcher(), pathToFileURL(join(dir, 'nope')).href, 10).catch((e: unknown) => e);
      expect((missing as DownloadHttpError).statusCode).toBe(404);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('enforces the limit on any pluggable Fetcher, and stops it', async () => {
    let stopped = false;
    const endless: Fetcher = {
      async *fetch() {
        try {
          for (;;) yield new Uint8Array(1024);
        } finally {
          stopped = true;
        }
      },
    };
    await expect(downloadBytes(endless, 'custom://x', 5000)).rejects.toThrow(DownloadLengthMismatchError);
    expect(stopped).toBe(true);
  });
});
