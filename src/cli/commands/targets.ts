/**
 * `tufkit targets add|remove|list`: the target files of a repository under edit.
 */
import { stat } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { UsageError } from '../../errors.js';
import type { JsonValue } from '../../metadata/canonical-json.js';
import { listFiles, type TargetInput } from '../../repository/repository.js';
import { checkTargetPath, targetPathFromLocal } from '../../repository/target-path.js';
import { command, group } from '../command.js';
import { openRepository, REPO_ARG } from '../repo-support.js';

const add = command({
  name: 'add',
  summary: 'add files or directory trees as targets',
  description:
    'Add target files. Each FILE is hashed (length, sha256 and the other configured hashes, streamed) and ' +
    'listed in the role it belongs to: a delegated role trusted for its path, its hashed bin, or targets. ' +
    'A directory adds every file under it, with target paths relative to that directory. Files from ' +
    'outside DIR/targets/ are copied there; files already under DIR/targets/ are taken in place, at their ' +
    'path relative to DIR/targets/. The roles that changed get a new version and must be signed ' +
    '(`tufkit sign DIR`) before `tufkit publish DIR`.\n\n' +
    'Target paths must be clean relative paths: no "..", no leading "/", no backslashes, no empty segments.',
  args: [REPO_ARG, { name: 'FILE', description: 'files or directories to add (default: everything under DIR/targets/)', optional: true, variadic: true }],
  options: [
    { name: 'prefix', kind: 'value', valueName: 'PATH/', description: 'put the targets under this directory (target path prefix)' },
    { name: 'as', kind: 'value', valueName: 'TARGETPATH', description: 'the target path of a single FILE' },
    { name: 'custom', kind: 'value', valueName: 'JSON', description: 'custom metadata (a JSON value) for every target added' },
    { name: 'role', kind: 'value', valueName: 'ROLE', description: 'list the targets in this role (it must be trusted for their paths)' },
    { name: 'concurrency', kind: 'value', valueName: 'N', default: '16', description: 'files hashed at a time' },
  ],
  examples: ['tufkit targets add my-repo ./dist --prefix app/1.2.0/', 'tufkit targets add my-repo notes.txt --as docs/notes.txt --custom \'{"channel":"beta"}\''],
  async run(ctx) {
    const repo = await openRepository(ctx);
    const targetsDir = repo.layout.targetsDir;
    const prefix = ctx.options.value('prefix') ?? '';
    if (prefix && !prefix.endsWith('/')) throw new UsageError(`--prefix ${JSON.stringify(prefix)} must end with "/"`);
    if (prefix) checkTargetPath(prefix.slice(0, -1));
    let custom: JsonValue | undefined;
    const customText = ctx.options.value('custom');
    if (customText !== undefined) {
      try {
        custom = JSON.parse(customText) as JsonValue;
      } catch {
        throw new UsageError('--custom: not valid JSON');
      }
    }
    const files = ctx.args.list('FILE');
    const as = ctx.options.value('as');
    const inputs: TargetInput[] = [];
    const withCustom = (i: TargetInput): TargetInput => (custom === undefined ? i : { ...i, custom });
    if (files.length === 0) {
      if (as !== undefined) throw new UsageError('--as needs exactly one FILE');
      for (const f of await listFiles(targetsDir)) inputs.push(withCustom({ path: targetPathFromLocal(relative(targetsDir, f)) }));
    }
    for (const arg of files) {
      const abs = resolve(ctx.cwd, arg);
      const st = await stat(abs).catch(() => undefined);
      if (st === undefined) throw new UsageError(`${arg} does not exist`);
      const inside = abs === targetsDir || abs.startsWith(targetsDir + sep);
      if (st.isDirectory()) {
        if (as !== undefined) throw new UsageError('--as names one file; it cannot be used with a directory');
        for (const f of await listFiles(abs)) {
          const path = inside ? targetPathFromLocal(relative(targetsDir, f)) : prefix + targetPathFromLocal(relative(abs, f));
          inputs.push(withCustom(inside ? { path } : { path, source: f }));
        }
      } else {
        if (as !== undefined && files.length !== 1) throw new UsageError('--as needs exactly one FILE');
        const path = as !== undefined ? checkTargetPath(as) : inside ? targetPathFromLocal(relative(targetsDir, abs)) : prefix + targetPathFromLocal(relative(resolve(abs, '..'), abs));
        inputs.push(withCustom(inside && as === undefined ? { path } : { path, source: abs }));
      }
    }
    if (inputs.length === 0) throw new UsageError(`no files to add (${targetsDir} is empty)`);
    const role = ctx.options.value('role');
    const result = await repo.addTargets(inputs, {
      progress: ctx.out.progress,
      concurrency: ctx.options.integer('concurrency', 1, 1024) ?? 16,
      ...(role !== undefined ? { role } : {}),
    });
    await repo.save();
    const s = ctx.out.style;
    ctx.out.print(`${s.green('added')} ${result.changed.length} target${result.changed.length === 1 ? '' : 's'}` + (result.unchanged.length ? `, ${result.unchanged.length} unchanged` : ''));
    if (result.roles.length) {
      const shown = result.roles.length > 8 ? `${result.roles.slice(0, 8).join(', ')} and ${result.roles.length - 8} more` : result.roles.join(', ');
      ctx.out.print(`roles changed (sign them next): ${shown}`);
    }
    return { changed: result.changed, unchanged: result.unchanged, roles: result.roles };
  },
});

const remove = command({
  name: 'remove',
  summary: 'remove targets (by path, or every target under DIRPATH/)',
  args: [REPO_ARG, { name: 'PATH', description: 'target paths; a path ending in "/" removes every target under it', variadic: true }],
  options: [{ name: 'keep-content', kind: 'flag', description: 'keep the files in DIR/targets/ (only unlist them)' }],
  async run(ctx) {
    const repo = await openRepository(ctx);
    const result = await repo.removeTargets(ctx.args.list('PATH'), { deleteContent: !ctx.options.flag('keep-content') });
    await repo.save();
    ctx.out.print(`${ctx.out.style.green('removed')} ${result.removed.length} target${result.removed.length === 1 ? '' : 's'}; roles changed (sign them next): ${result.roles.join(', ')}`);
    return result;
  },
});

const list = command({
  name: 'list',
  summary: 'list every target with its role, length and sha256',
  args: [REPO_ARG],
  async run(ctx) {
    const repo = await openRepository(ctx, { write: false });
    const out: { path: string; role: string; length: number; sha256: string | null }[] = [];
    for await (const { role, file } of repo.listTargets()) {
      out.push({ path: file.path, role, length: file.length, sha256: file.hashes['sha256'] ?? null });
      ctx.out.print(`${file.path}  ${ctx.out.style.dim(`${role}  ${file.length} bytes  ${(file.hashes['sha256'] ?? '').slice(0, 16)}…`)}`);
    }
    if (out.length === 0) ctx.out.print('no targets');
    return { targets: out };
  },
});

/** `tufkit targets`. */
export const targetsGroup = group({
  name: 'targets',
  summary: 'add, remove and list target files',
  children: [add, remove, list],
});
