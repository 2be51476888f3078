/**
 * A real HTTP server on 127.0.0.1 for client tests: serves whatever `resolve` answers,
 * records every request path, and misbehaves on request (stream forever, lie about the
 * length, stall) to play the attacks of spec §1.5.2.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { parseMetadataName } from './repository.js';

/** Answers a request path (without the leading `/`), or undefined for 404. */
export type Resolver = (path: string) => Uint8Array | undefined;

/** A custom handler for one request; return true when it answered. */
export type Override = (path: string, req: IncomingMessage, res: ServerResponse) => boolean;

/** The loopback test server. */
export class TestServer {
  /** Every request path, in order (without the leading `/`, undecoded). */
  readonly requests: string[] = [];
  /** Handlers tried before `resolve`. */
  overrides: Override[] = [];
  private readonly sockets = new Set<Socket>();
  private constructor(
    private readonly server: Server,
    public resolve: Resolver,
  ) {}

  /** Start on a free port of 127.0.0.1. */
  static async start(resolve: Resolver): Promise<TestServer> {
    let self: TestServer | undefined;
    const server = createServer((req, res) => self?.handle(req, res));
    self = new TestServer(server, resolve);
    server.on('connection', (s) => {
      self?.sockets.add(s);
      s.on('close', () => self?.sockets.delete(s));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    return self;
  }

  /** `http://127.0.0.1:PORT` */
  get url(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Metadata requests as (role, version or null), python-tuf's `metadata_statistics`. */
  metadataRequests(prefix = 'metadata/'): [string, number | null][] {
    return this.requests
      .filter((p) => p.startsWith(prefix) || p.includes('/' + prefix))
      .map((p) => {
        const { role, version } = parseMetadataName(p.slice(p.indexOf(prefix) + prefix.length));
        return [role ?? '?', version ?? null];
      });
  }

  /** Forget recorded requests. */
  clear(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').replace(/^\//, '').replace(/\?.*$/, '');
    this.requests.push(path);
    for (const o of this.overrides) if (o(path, req, res)) return;
    const body = this.resolve(path);
    if (body === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) });
    res.end(body);
  }
}

/** Override: answer `match`ing paths with an endless stream of bytes (endless-data attack). */
export function streamForever(match: (path: string) => boolean): Override {
  return (path, _req, res) => {
    if (!match(path)) return false;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = (): void => {
      // Bounded so that a client that never stops cannot make the test run forever.
      while (sent < 512 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
    return true;
  };
}

/** Override: send the real body for `match`ing paths, but `extra` more bytes than a small announced length... */
export function serveBytes(match: (path: string) => boolean, body: Uint8Array, headers: Record<string, string> = {}): Override {
  return (path, _req, res) => {
    if (!match(path)) return false;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', ...headers });
    res.end(body);
    return true;
  };
}

/** Override: answer headers then send `bytesFirst` bytes of `body` and stall (slow-retrieval attack). */
export function stall(match: (path: string) => boolean, body: Uint8Array | (() => Uint8Array | undefined), bytesFirst = 10): Override {
  return (path, _req, res) => {
    if (!match(path)) return false;
    const data = typeof body === 'function' ? body() : body;
    if (data === undefined) return false;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(data.length) });
    res.write(data.subarray(0, bytesFirst));
    // never finishes; the socket is destroyed when the server closes
    return true;
  };
}

/** Override: a fixed status for `match`ing paths. */
export function status(match: (path: string) => boolean, code: number): Override {
  return (path, _req, res) => {
    if (!match(path)) return false;
    res.writeHead(code, { 'Content-Type': 'text/plain' });
    res.end(String(code));
    return true;
  };
}
