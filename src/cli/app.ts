/**
 * The `tufkit` application: builds the command tree from the registration list, parses the
 * command line, runs the command, and turns failures into one clear message and an exit status:
 *
 * | status | when |
 * |---|---|
 * | 0 | success |
 * | 1 | failure: a {@link TufError} (its one-line message), or an unexpected error (message + hint) |
 * | 2 | usage: a {@link UsageError} (bad command line, missing input), with a `--help` hint |
 *
 * Stack traces are printed only with `--debug`. With `--json` stdout carries one JSON
 * document: the command's result, or `{"error": {"type", "message", "exitCode"}}`.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TufError, UsageError } from '../errors.js';
import type { CommandContext, CommandGroup, CommandNode, OptionSpec, Registration } from './command.js';
import { COMMANDS } from './commands/index.js';
import { renderHelp } from './help.js';
import { Output, type TextStream } from './output.js';
import { checkOptionSpecs, parseCommandLine } from './parse.js';
import { colorEnabled, makeStyle } from './style.js';

/** Everything the application touches, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: TextStream;
  readonly stderr: TextStream;
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** The process's own streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env, cwd: process.cwd() };
}

/**
 * Build the command tree from `registrations` (see commands/index.ts).
 * @throws Error for a name registered twice or an option that would take a secret (bugs).
 */
export function buildCommandTree(registrations: readonly Registration[]): CommandGroup {
  const root: MutableGroup = { kind: 'group', name: 'tufkit', summary: ROOT_SUMMARY, description: ROOT_DESCRIPTION, children: [] };
  const ordered = [...registrations].sort((a, b) => (a.parent?.length ?? 0) - (b.parent?.length ?? 0));
  for (const reg of ordered) {
    let parent = root;
    for (const name of reg.parent ?? []) {
      let next = parent.children.find((c) => c.name === name);
      if (next === undefined) {
        next = { kind: 'group', name, summary: `${name} commands`, children: [] } satisfies MutableGroup;
        parent.children.push(next);
      }
      if (next.kind !== 'group') throw new Error(`cannot mount under ${name}: it is a command, not a group`);
      parent = next as MutableGroup;
    }
    if (parent.children.some((c) => c.name === reg.node.name)) {
      throw new Error(`command ${[...(reg.parent ?? []), reg.node.name].join(' ')} is registered twice`);
    }
    parent.children.push(copyNode(reg.node));
  }
  validate(root, []);
  return root;
}

interface MutableGroup extends CommandGroup {
  children: CommandNode[];
}

function copyNode(node: CommandNode): CommandNode {
  return node.kind === 'group' ? { ...node, children: node.children.map(copyNode) } : node;
}

function validate(node: CommandNode, path: string[]): void {
  const where = ['tufkit', ...path].join(' ');
  if (node.kind === 'command') {
    checkOptionSpecs(where, node.options ?? ([] as OptionSpec[]));
    const args = node.args ?? [];
    args.forEach((a, i) => {
      if (a.variadic && i !== args.length - 1) throw new Error(`${where}: only the last argument may be variadic`);
    });
    return;
  }
  const names = new Set<string>();
  for (const child of node.children) {
    if (names.has(child.name)) throw new Error(`${where}: two children named ${child.name}`);
    names.add(child.name);
    validate(child, [...path, child.name]);
  }
}

const ROOT_SUMMARY = 'The Update Framework (TUF) toolkit';
const ROOT_DESCRIPTION =
  'tufkit creates, signs, publishes and verifies TUF repositories (spec 1.0.x), with file keys, ' +
  'PKCS#11 tokens and YubiKeys. Start with `tufkit demo` or `tufkit init DIR`.';

let tree: CommandGroup | undefined;

/** The tree of every registered command (built once). */
export function commandTree(): CommandGroup {
  return (tree ??= buildCommandTree(COMMANDS));
}

/** tufkit's version, from package.json. */
export function tufkitVersion(): string {
  try {
    const here = dirname(fileURLToPath(import.meta.url));
    const pkg = JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Run `tufkit` with `argv` (the arguments after the program name).
 * @returns the exit status (0, 1 or 2); never throws.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo(), root: CommandGroup = commandTree()): Promise<number> {
  const parsed = parseCommandLine(root, argv);
  const g = parsed.globals;
  const out = new Output(io.stdout, io.stderr, {
    json: g.json,
    quiet: g.quiet,
    colorStdout: colorEnabled(io.stdout, io.env, g.noColor),
    colorStderr: colorEnabled(io.stderr, io.env, g.noColor),
  });
  const commandPath = ['tufkit', ...parsed.path].join(' ');
  if (g.version) {
    if (g.json) out.writeJson({ version: tufkitVersion() });
    else io.stdout.write(`tufkit ${tufkitVersion()}\n`);
    return 0;
  }
  if (parsed.error) return reportError(parsed.error, out, { debug: g.debug, commandPath });
  if (g.help) {
    io.stdout.write(renderHelp(parsed.node, parsed.path, out.style));
    return 0;
  }
  const node = parsed.node;
  if (node.kind === 'group') {
    if (g.json) return reportError(new UsageError(`'${commandPath}' needs a command`), out, { debug: g.debug, commandPath });
    io.stderr.write(renderHelp(node, parsed.path, makeStyle(out.errStyle.enabled)));
    return 2;
  }
  let failed = false;
  const ctx: CommandContext = {
    options: parsed.options as NonNullable<typeof parsed.options>,
    args: parsed.args as NonNullable<typeof parsed.args>,
    globals: { json: g.json, debug: g.debug, quiet: g.quiet, color: out.style.enabled },
    out,
    env: io.env,
    stdin: io.stdin,
    cwd: io.cwd,
    commandPath,
    setFailed: () => {
      failed = true;
    },
  };
  try {
    const result = await node.run(ctx);
    out.clearProgress();
    if (g.json) out.writeJson(result ?? {});
    return failed ? 1 : 0;
  } catch (err) {
    out.clearProgress();
    return reportError(err, out, { debug: g.debug, commandPath });
  }
}

/** Print `err` as one clear message (JSON with `--json`) and return the exit status. */
export function reportError(err: unknown, out: Output, options: { debug: boolean; commandPath: string }): number {
  const s = out.errStyle;
  let code: number;
  let type: string;
  let message: string;
  let hint: string | undefined;
  if (err instanceof UsageError) {
    code = 2;
    type = err.name;
    message = err.message;
    hint = `run '${options.commandPath} --help' for usage`;
  } else if (err instanceof TufError) {
    code = 1;
    type = err.name;
    message = err.message;
  } else if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).syscall) {
    code = 1;
    type = err.name;
    message = err.message; // Node's system errors name the path: "ENOENT: no such file or directory, open 'x'"
  } else {
    code = 1;
    type = err instanceof Error ? err.name : 'Error';
    message = `unexpected failure: ${err instanceof Error ? err.message : String(err)}`;
    hint = options.debug ? undefined : 're-run with --debug to see where it happened; if it persists, please report it as a tufkit bug';
  }
  const oneLine = message.replace(/\s*\n\s*/g, ' ');
  if (out.json) out.writeJson({ error: { type, message: oneLine, exitCode: code } });
  out.stderr.write(`${s.red(s.bold('error:'))} ${oneLine}\n`);
  if (hint && !out.json) out.stderr.write(`${s.dim('hint:')} ${hint}\n`);
  if (options.debug) out.stderr.write(stackOf(err) + '\n');
  return code;
}

function stackOf(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    parts.push(current instanceof Error ? (current.stack ?? String(current)) : String(current));
    current = current instanceof Error ? current.cause : undefined;
    if (current !== undefined) parts.push('caused by:');
  }
  return parts.join('\n');
}
