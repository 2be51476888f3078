/**
 * A static file server for a published repository (what any plain web server does): GET
 * and HEAD of files under one directory, nothing else. Used by `tufkit serve` and the demo
 * on loopback. Requests that leave the directory (`..`, encoded or not), dot-files and
 * directories are answered 404; files are streamed with their length.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve, sep } from 'node:path';

/** A running server. */
export interface StaticServer {
  /** `http://HOST:PORT/`. */
  readonly url: string;
  /** Requests served so far (path and status), for reports. */
  readonly log: { method: string; path: string; status: number }[];
  /** Stop listening and close every connection. */
  close(): Promise<void>;
}

/** Serve `dir` on `host` (default 127.0.0.1) and `port` (default 0: any free port). */
export async function serveDirectory(dir: string, options: { host?: string; port?: number } = {}): Promise<StaticServer> {
  const root = resolve(dir);
  const log: StaticServer['log'] = [];
  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const done = (status: number, path: string) => log.push({ method, path, status });
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end();
      return done(400, req.url ?? '');
    }
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return done(405, path);
    }
    const segments = path.split('/').filter((s) => s !== '');
    const file = join(root, ...segments);
    if (segments.some((s) => s === '..' || s.startsWith('.')) || !(file === root || file.startsWith(root + sep))) {
      res.writeHead(404).end();
      return done(404, path);
    }
    stat(file).then(
      (st) => {
        if (!st.isFile()) {
          res.writeHead(404).end();
          return done(404, path);
        }
        res.writeHead(200, { 'content-length': st.size, 'content-type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream' });
        done(200, path);
        if (method === 'HEAD') return res.end();
        createReadStream(file).on('error', () => res.destroy()).pipe(res);
      },
      () => {
        res.writeHead(404).end();
        done(404, path);
      },
    );
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    log,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
