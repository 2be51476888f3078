/**
 * `tufkit import SOURCE DIR`: open an existing published repository for editing.
 */
import { resolve } from 'node:path';
import { importPublished, type ImportKey } from '../../repository/import.js';
import { FileSigner } from '../../signers/file.js';
import { command } from '../command.js';
import { PASSPHRASE_ENV_OPTION, passphraseSource, shortId } from '../repo-support.js';

/** `tufkit import`. */
export const importCommand = command({
  name: 'import',
  summary: 'open an existing published repository (python-tuf, go-tuf, tuf-js, tufkit) for editing',
  description:
    'Make DIR a working directory for the published repository SOURCE (a directory with metadata/ and ' +
    'targets/): its current metadata is staged as it is (exact bytes), its target files become the working ' +
    'copies, and the private keys given with --key are matched with its keys by public key and recorded in ' +
    'DIR/tufkit.json. By default DIR/repository starts as a copy of SOURCE and `tufkit publish DIR` adds new ' +
    'versions there; --in-place publishes into SOURCE itself.',
  args: [
    { name: 'SOURCE', description: 'the published repository directory' },
    { name: 'DIR', description: 'the new working directory' },
  ],
  options: [
    { name: 'key', kind: 'list', valueName: 'KEYFILE', description: 'a private key of the repository (repeatable)' },
    { name: 'in-place', kind: 'flag', description: 'publish into SOURCE instead of a copy' },
    PASSPHRASE_ENV_OPTION,
  ],
  examples: ['tufkit import /srv/tuf work --key keys/targets.pem --key keys/snapshot.pem --key keys/timestamp.pem'],
  async run(ctx) {
    const source = resolve(ctx.cwd, ctx.args.required('SOURCE'));
    const dir = resolve(ctx.cwd, ctx.args.required('DIR'));
    const { source: passphrase, attempts } = passphraseSource(ctx);
    const keys: ImportKey[] = [];
    for (const file of ctx.options.list('key')) {
      const path = resolve(ctx.cwd, file);
      const signer = await FileSigner.fromFile(path, { passphrase, attempts });
      keys.push({ key: signer.publicKey, uri: `file:${path}` });
    }
    const inPlace = ctx.options.flag('in-place');
    const result = await importPublished(source, dir, inPlace ? { keys, publishDir: source, copyPublished: false } : { keys });
    const s = ctx.out.style;
    ctx.out.print(`${s.green('imported')} ${source} into ${s.bold(dir)}: ${result.roles.length} roles, ${result.targets} target files`);
    for (const [keyid, roles] of result.matchedKeys) ctx.out.print(`  key ${shortId(keyid)} signs ${roles.join(', ')}`);
    for (const k of keys) if (![...result.matchedKeys.keys()].some((id) => result.repository.config.signers.get(id) === k.uri)) ctx.out.warn(`${k.uri.slice(5)} is not a key of this repository`);
    if (result.missingContent.length) ctx.out.warn(`no content for ${result.missingContent.length} targets (${result.missingContent.slice(0, 3).join(', ')}…)`);
    for (const p of result.problems) ctx.out.warn(p);
    ctx.out.print(`publishing goes to ${result.repository.published.dir}`);
    return {
      dir,
      publishDir: result.repository.published.dir,
      roles: result.roles,
      targets: result.targets,
      matchedKeys: Object.fromEntries(result.matchedKeys),
      missingContent: result.missingContent,
      problems: result.problems,
    };
  },
});
