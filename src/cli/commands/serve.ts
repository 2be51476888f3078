/**
 * `tufkit serve DIR`: serve a published repository over HTTP (a plain static file server).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import { serveDirectory } from '../../repository/serve.js';
import { command } from '../command.js';

/** `tufkit serve`. */
export const serveCommand = command({
  name: 'serve',
  summary: 'serve a published repository over HTTP (static files, GET/HEAD only)',
  description:
    'Serve DIR (a published repository: metadata/ and targets/) as static files until interrupted. Any web ' +
    'server does the same; this one listens on loopback unless --host says otherwise.',
  args: [{ name: 'DIR', description: 'the published repository directory' }],
  options: [
    { name: 'host', kind: 'value', valueName: 'ADDRESS', default: '127.0.0.1', description: 'address to listen on' },
    { name: 'port', kind: 'value', valueName: 'PORT', default: '8080', description: 'port (0: any free port)' },
  ],
  async run(ctx) {
    const dir = resolve(ctx.cwd, ctx.args.required('DIR'));
    if (!existsSync(join(dir, 'metadata'))) throw new UsageError(`${dir} has no metadata/ directory: not a published repository`);
    const server = await serveDirectory(dir, { host: ctx.options.required('host'), port: ctx.options.integer('port', 0, 65535) ?? 8080 });
    ctx.out.print(`serving ${dir} at ${server.url} (metadata at ${server.url}metadata/, targets at ${server.url}targets/); Ctrl-C stops`);
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
    await server.close();
    return { url: server.url, requests: server.log.length };
  },
});
