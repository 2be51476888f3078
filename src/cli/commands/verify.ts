/**
 * `tufkit verify DIR|URL`: verify a published repository from its root chain.
 */
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StorageError, UsageError, describeError } from '../../errors.js';
import { DirectorySource, HttpSource, verifyPublished, type PublishedSource } from '../../repository/verify-published.js';
import { command } from '../command.js';

/** `tufkit verify`. */
export const verifyCommand = command({
  name: 'verify',
  summary: 'verify a published repository (a directory or an http(s) URL) from its root chain',
  description:
    'Verify every metadata file of a published repository the way a TUF client does (spec §5): the root ' +
    'chain from the trusted root (--root FILE; without it the repository\'s own 1.root.json is trusted on ' +
    'first use, and the report says so), then timestamp, snapshot and every targets role reachable through ' +
    'delegations (hashed bins included) — signatures against thresholds, versions, lengths and hashes, expiry. ' +
    'With --targets, every target file is checked against its length and hashes. A tufkit working directory ' +
    'can be given too (its publish directory is verified). Exits 1 when anything is wrong.',
  args: [{ name: 'LOCATION', description: 'a published repository directory (holding metadata/), a working directory, or a base URL' }],
  options: [
    { name: 'root', kind: 'value', valueName: 'FILE', description: 'the trusted root metadata file' },
    { name: 'targets', kind: 'flag', description: 'also verify every target file' },
    { name: 'at', kind: 'value', valueName: 'TIME', description: 'reference time for expiry (RFC 3339, default now)' },
    { name: 'lenient', kind: 'flag', description: 'read legacy metadata (RFC 3339 expires with fractions or offsets, hex ECDSA keys), kept as written' },
  ],
  examples: ['tufkit verify demo-out/repository --targets', 'tufkit verify https://example.com/tuf --root 1.root.json'],
  async run(ctx) {
    const location = ctx.args.required('LOCATION');
    let source: PublishedSource;
    if (/^https?:\/\//.test(location)) {
      source = new HttpSource(location);
    } else {
      let dir = resolve(ctx.cwd, location);
      if (!existsSync(join(dir, 'metadata')) && existsSync(join(dir, 'tufkit.json'))) dir = join(dir, 'repository');
      if (existsSync(join(dir, 'tufkit.json'))) {
        const config = JSON.parse(await readFile(join(dir, 'tufkit.json'), 'utf8')) as { publishDir?: string };
        dir = resolve(dir, config.publishDir ?? 'repository');
      }
      if (!existsSync(join(dir, 'metadata'))) throw new UsageError(`${dir} has no metadata/ directory: not a published repository`);
      source = new DirectorySource(dir);
    }
    let trustedRoot: Uint8Array | undefined;
    const rootFile = ctx.options.value('root');
    if (rootFile !== undefined) {
      try {
        trustedRoot = await readFile(resolve(ctx.cwd, rootFile));
      } catch (err) {
        throw new StorageError(`cannot read the trusted root ${rootFile}: ${describeError(err)}`, { cause: err });
      }
    }
    const atText = ctx.options.value('at');
    const at = atText === undefined ? new Date() : new Date(atText);
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at ${JSON.stringify(atText)}: not a date-time`);
    const report = await verifyPublished(source, {
      ...(trustedRoot !== undefined ? { trustedRoot } : {}),
      now: at,
      checkTargets: ctx.options.flag('targets'),
      lenient: ctx.options.flag('lenient'),
      progress: ctx.out.progress,
    });
    const s = ctx.out.style;
    if (report.trustAnchor !== 'given') ctx.out.warn(`no --root given: trusting ${source.location}'s own 1.root.json (trust on first use)`);
    const okRoles = report.roles.filter((r) => r.ok).length;
    ctx.out.print(`${report.ok ? s.green('OK') : s.red('FAILED')} ${source.location}`);
    ctx.out.print(`  root chain to v${report.rootVersion ?? '?'}, consistent snapshots ${report.consistentSnapshot ? 'on' : 'off'}`);
    ctx.out.print(`  ${okRoles}/${report.roles.length} roles verified`);
    if (report.targets) ctx.out.print(`  ${report.targets.checked - new Set(report.targets.failed.map((f) => f.path)).size}/${report.targets.checked} targets verified`);
    for (const p of report.problems.slice(0, 50)) ctx.out.print(`  ${s.red('✗')} ${p}`);
    if (report.problems.length > 50) ctx.out.print(`  … and ${report.problems.length - 50} more problems`);
    if (!report.ok) ctx.setFailed();
    return {
      ok: report.ok,
      location: report.location,
      trustAnchor: report.trustAnchor,
      rootVersion: report.rootVersion ?? null,
      consistentSnapshot: report.consistentSnapshot ?? null,
      roles: report.roles.map((r) => ({ role: r.role, version: r.version ?? null, ok: r.ok, ...(r.problem ? { problem: r.problem } : {}) })),
      ...(report.targets ? { targets: { checked: report.targets.checked, failed: report.targets.failed } } : {}),
      problems: report.problems,
    };
  },
});
