#!/usr/bin/env node
/**
 * `tufkit-conformance-client` (package.json `bin`): the TUF client conformance protocol
 * executable (see conformance.ts). Exits with exactly 0 or 1, never another status: usage
 * errors, crashes, unhandled rejections and EPIPE on stderr all end with 1.
 */
import { clientMain } from './conformance.js';

const fail = (err: unknown): never => {
  try {
    process.stderr.write(`tufkit-conformance-client: unexpected error: ${err instanceof Error ? err.message : String(err)}\n`);
  } catch {
    // ignore
  }
  process.exit(1);
};
process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);
process.stderr.on('error', () => undefined);
process.stdout.on('error', () => undefined);

const code = await clientMain(process.argv.slice(2));
// Exit now: idle keep-alive sockets must not keep the process (or its status) waiting.
process.exit(code);
