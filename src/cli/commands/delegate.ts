/**
 * `tufkit delegate`: delegate trust from a targets role to a new role, by path patterns or
 * to TAP 15 hashed bins.
 */
import { UsageError } from '../../errors.js';
import { command } from '../command.js';
import { keyRingFor, openRepository, PASSPHRASE_ENV_OPTION, REPO_ARG, resolveKeyReference, shortId } from '../repo-support.js';

/** `tufkit delegate`. */
export const delegateCommand = command({
  name: 'delegate',
  summary: 'delegate targets to a new role (by path patterns, or to hashed bins)',
  description:
    'Create a delegated targets role (spec §4.5 "delegations") signed by the keys given with --key. ' +
    'With --path, the role is trusted for target paths matching the patterns ("*" matches within one ' +
    'path segment). With --hashed-bins N (a power of two), the role delegates to N bins (TAP 15 succinct ' +
    'delegation) named NAME-xx (NAME defaults to "bins"); every target added afterwards goes to its bin ' +
    'automatically, and each change re-signs only the bins it touches. The new roles are signed with the ' +
    'keys at hand; the delegating role must be signed again (`tufkit sign DIR`).',
  args: [REPO_ARG, { name: 'NAME', description: 'the new role (or the bins\' name prefix)', optional: true }],
  options: [
    { name: 'path', kind: 'list', valueName: 'PATTERN', description: 'a path pattern the role is trusted for' },
    { name: 'hashed-bins', kind: 'value', valueName: 'N', description: 'delegate to N hashed bins instead (power of two)' },
    { name: 'key', kind: 'list', valueName: 'KEYFILE', description: 'a key of the new role (private key file, its .pub, or file:PATH)' },
    { name: 'threshold', kind: 'value', valueName: 'N', default: '1', description: 'signatures required' },
    { name: 'terminating', kind: 'flag', description: 'stop the search for a target here (spec §5.6.7.2.2)' },
    { name: 'from', kind: 'value', valueName: 'ROLE', default: 'targets', description: 'the delegating role' },
    PASSPHRASE_ENV_OPTION,
  ],
  examples: ['tufkit delegate my-repo docs --path "docs/*" --key keys/docs.pem', 'tufkit delegate my-repo --hashed-bins 1024 --key keys/bins.pem'],
  async run(ctx) {
    const repo = await openRepository(ctx);
    const paths = ctx.options.list('path');
    const binsText = ctx.options.value('hashed-bins');
    if ((paths.length > 0) === (binsText !== undefined)) throw new UsageError('give either --path PATTERN (one or more) or --hashed-bins N');
    const keyRefs = ctx.options.list('key');
    if (keyRefs.length === 0) throw new UsageError('--key KEYFILE is required (the keys of the new role)');
    const refs = [];
    for (const ref of keyRefs) refs.push(await resolveKeyReference(ctx, ref, repo.layout.dir));
    const threshold = ctx.options.integer('threshold', 1, refs.length) ?? 1;
    const parent = ctx.options.required('from');
    let names: string[];
    if (binsText !== undefined) {
      const bins = ctx.options.integer('hashed-bins', 2, 65536) as number;
      names = await repo.delegateHashedBins(parent, { bins, namePrefix: ctx.args.get('NAME') ?? 'bins', keys: refs.map((r) => r.key), threshold });
    } else {
      const name = ctx.args.get('NAME');
      if (name === undefined) throw new UsageError('NAME is required for a path delegation');
      await repo.delegate(parent, { name, paths, keys: refs.map((r) => r.key), threshold, terminating: ctx.options.flag('terminating') });
      names = [name];
    }
    for (const r of refs) if (r.uri) repo.config.signers.set(r.key.keyid, r.uri);
    const ring = await keyRingFor(ctx, repo);
    for (const r of refs) if (r.signer) ring.add(r.signer);
    const outcomes = await repo.sign(names, ring, { progress: ctx.out.progress });
    await repo.save();
    await repo.saveConfig();
    const signed = outcomes.filter((o) => o.verified).length;
    const s = ctx.out.style;
    ctx.out.print(
      `${s.green('delegated')} from ${parent} to ${names.length === 1 ? names[0] : `${names.length} bins ${names[0]} … ${names[names.length - 1]}`}` +
        ` (keys ${refs.map((r) => shortId(r.key.keyid)).join(', ')}, threshold ${threshold}); ${signed}/${names.length} signed`,
    );
    ctx.out.print(`next: 'tufkit sign ${ctx.args.required('DIR')}' (${parent} changed), then 'tufkit publish ${ctx.args.required('DIR')}'`);
    return { parent, roles: names.length > 16 ? { count: names.length, first: names[0] ?? null, last: names[names.length - 1] ?? null } : names, signed };
  },
});
