/**
 * `tufkit client ACTION ...`: the TUF client conformance protocol inside the tufkit CLI
 * (same flags as the standalone `tufkit-conformance-client`; see src/client/conformance.ts).
 * Here the framework's conventions apply: usage errors exit with 2; the standalone
 * executable, made for conformance suites, always exits with 0 or 1.
 */
import { UsageError } from '../../errors.js';
import { parseClientArgs, runClient } from '../../client/conformance.js';
import { command, type CommandContext } from '../command.js';

/** The `client` command. */
export const clientCommand = command({
  name: 'client',
  summary: 'TUF client: init a trusted root, refresh metadata, download targets (conformance protocol)',
  description:
    'Run the TUF client workflow (spec §5) as the tuf-conformance client-under-test CLI does:\n' +
    '  init TRUSTED_ROOT: copy the trusted root into --metadata-dir (checked, no network);\n' +
    '  refresh: update root, timestamp, snapshot and targets from --metadata-url;\n' +
    '  download: refresh, then fetch and verify each --target-name into --target-dir.\n' +
    'Only verified metadata is stored, atomically, under unversioned names.',
  args: [
    { name: 'ACTION', description: 'init, refresh or download' },
    { name: 'TRUSTED_ROOT', description: 'the initial root.json (init only)', optional: true },
  ],
  options: [
    { name: 'metadata-dir', kind: 'value', valueName: 'DIR', description: 'the local trusted metadata directory' },
    { name: 'metadata-url', kind: 'value', valueName: 'URL', description: 'base URL of the repository metadata (http(s):// or file://)' },
    { name: 'target-name', kind: 'list', valueName: 'PATH', description: 'target path to download (repeatable, in order)' },
    { name: 'target-base-url', kind: 'value', valueName: 'URL', description: 'base URL of the repository targets' },
    { name: 'target-dir', kind: 'value', valueName: 'DIR', description: 'where downloaded targets are stored' },
  ],
  examples: [
    'tufkit client --metadata-dir ./meta init ./root.json',
    'tufkit client --metadata-dir ./meta --metadata-url https://repo/metadata/ refresh',
    'tufkit client --metadata-dir ./meta --metadata-url https://repo/metadata/ --target-name app.tgz --target-base-url https://repo/targets/ --target-dir ./out download',
  ],
  async run(ctx: CommandContext) {
    const argv: string[] = [];
    for (const name of ['metadata-dir', 'metadata-url', 'target-base-url', 'target-dir']) {
      const v = ctx.options.value(name);
      if (v !== undefined) argv.push(`--${name}`, v);
    }
    for (const t of ctx.options.list('target-name')) argv.push('--target-name', t);
    argv.push(ctx.args.required('ACTION'));
    const root = ctx.args.get('TRUSTED_ROOT');
    if (root !== undefined) argv.push(root);
    const inv = parseClientArgs(argv);
    if (inv.action !== 'init' && root !== undefined) throw new UsageError(`${inv.action} takes no TRUSTED_ROOT`);
    const result = await runClient(inv, (line) => {
      if (!ctx.globals.quiet) ctx.out.stderr.write(`${line}\n`);
    });
    ctx.out.print(`${inv.action}: ok`);
    return { action: inv.action, targets: Object.fromEntries(result.targets) };
  },
});
