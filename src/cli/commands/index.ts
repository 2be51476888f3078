/**
 * THE registration list of `tufkit` commands.
 *
 * To add a command group:
 *   1. write `src/cli/commands/<group>.ts` exporting a `group({...})` (or a single
 *      `command({...})`) built with the helpers in `../command.ts`;
 *   2. add ONE line below. A group that belongs under another gives its parent path,
 *      e.g. `{ parent: ['key'], node: yubikeyGroup }` makes `tufkit key yubikey ...`.
 * Help (`--help` at every level), `--json`, exit codes and error messages come from the
 * framework; read secrets with `../secrets.ts` (`secretEnvOption`, `readSecret`), show
 * progress with `ctx.out.progress(label, total)`.
 */
import type { Registration } from '../command.js';
import { clientCommand } from './client.js';
import { delegateCommand } from './delegate.js';
import { demoCommand } from './demo.js';
import { importCommand } from './import.js';
import { initCommand } from './init.js';
import { ceremonyGroup } from './ceremony.js';
import { keyGroup } from './key.js';
import { pkcs11Group } from './pkcs11.js';
import { yubikeyGroup } from './yubikey.js';
import { serveCommand } from './serve.js';
import { publishCommand, signCommand, statusCommand } from './sign.js';
import { targetsGroup } from './targets.js';
import { verifyCommand } from './verify.js';

/** Every command, in the order `tufkit --help` lists them. */
export const COMMANDS: readonly Registration[] = [
  { node: demoCommand },
  { node: initCommand },
  { node: importCommand },
  { node: keyGroup },
  { node: targetsGroup },
  { node: delegateCommand },
  { node: signCommand },
  { node: statusCommand },
  { node: publishCommand },
  { node: verifyCommand },
  { node: serveCommand },
  { parent: ['key'], node: pkcs11Group },
  { parent: ['key'], node: yubikeyGroup },
  { node: ceremonyGroup },
  { node: clientCommand },
];
