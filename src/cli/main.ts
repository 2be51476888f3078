#!/usr/bin/env node
/**
 * The `tufkit` executable (package.json `bin.tufkit` → dist/cli/main.js).
 * Everything happens in app.ts; this file only wires the process to it.
 */
import { runCli } from './app.js';

// `tufkit ... | head` closes stdout early: stop quietly instead of crashing on EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
}

process.exitCode = await runCli(process.argv.slice(2));
