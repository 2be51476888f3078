/**
 * The command-line parser: from argv to the selected command, its options and arguments.
 *
 * Syntax (GNU style): `--name VALUE`, `--name=VALUE`, `-x VALUE`, flags `--name` / `-x`;
 * options and arguments may be interleaved; `--` ends options; a lone `-` is an argument.
 * Global options (`--help`/`-h`, `--json`, `--debug`, `--quiet`/`-q`, `--no-color`,
 * `--version`) are accepted at every level. The parser never throws: a bad command line
 * comes back as a {@link UsageError} with the command path reached, for the help hint.
 * Error messages name an unknown option but never echo its value (it could be a secret
 * typed by mistake).
 */
import { UsageError } from '../errors.js';
import type { ArgSpec, Command, CommandGroup, CommandNode, OptionSpec, ParsedArgs, ParsedOptions } from './command.js';

/** Options valid everywhere. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', short: 'h', kind: 'flag', description: 'show help for this command and exit' },
  { name: 'json', kind: 'flag', description: 'print the result as one JSON document on stdout (for scripts)' },
  { name: 'quiet', short: 'q', kind: 'flag', description: 'no progress bars or informational messages' },
  { name: 'no-color', kind: 'flag', description: 'no colours (also: NO_COLOR=1; colours are only used on a terminal)' },
  { name: 'debug', kind: 'flag', description: 'print stack traces of failures' },
  { name: 'version', kind: 'flag', description: 'print the version and exit' },
];

/** The global flags as parsed. */
export interface GlobalFlags {
  help: boolean;
  json: boolean;
  quiet: boolean;
  noColor: boolean;
  debug: boolean;
  version: boolean;
}

/** What the parser found. */
export interface ParseResult {
  /** Names from the root to the node reached (`['key', 'generate']`). */
  readonly path: string[];
  /** The node reached: a command, or a group when no (valid) subcommand followed. */
  readonly node: CommandNode;
  readonly globals: GlobalFlags;
  /** For a command: its options and arguments. */
  readonly options?: ParsedOptions;
  readonly args?: ParsedArgs;
  /** Set when the command line is wrong. */
  readonly error?: UsageError;
}

const SECRET_NAME = /(passphrase|password|passwd|pin|secret|token)$/i;

/** Refuse option declarations that would take a secret from argv (a programming error). */
export function checkOptionSpecs(where: string, specs: readonly OptionSpec[]): void {
  const seen = new Set<string>();
  for (const spec of [...GLOBAL_OPTIONS, ...specs]) {
    for (const id of [spec.name, spec.short].filter((x): x is string => x !== undefined)) {
      if (seen.has(id)) throw new Error(`${where}: option ${id} is declared twice (or shadows a global option)`);
      seen.add(id);
    }
    if (spec.kind !== 'flag' && SECRET_NAME.test(spec.name)) {
      throw new Error(`${where}: option --${spec.name} would take a secret on the command line; declare --${spec.name}-env VAR instead`);
    }
  }
}

/** Parse `argv` (without `node` and the script) against the tree under `root`. */
export function parseCommandLine(root: CommandGroup, argv: readonly string[]): ParseResult {
  const globals: GlobalFlags = { help: false, json: false, quiet: false, noColor: false, debug: false, version: false };
  const path: string[] = [];
  let node: CommandNode = root;
  let i = 0;
  // Descend through groups: global options may come before subcommand names.
  while (node.kind === 'group' && i < argv.length) {
    const token = argv[i] as string;
    if (token.startsWith('-') && token !== '-' && token !== '--') {
      const g = matchGlobal(token);
      if (g === undefined) {
        return fail(path, node, globals, `unknown option ${optionName(token)}` + suggest(optionName(token), GLOBAL_OPTIONS.map((o) => `--${o.name}`)) +
          (node.children.length ? ` (options of a command go after its name)` : ''));
      }
      setGlobal(globals, g);
      i++;
      continue;
    }
    const child: CommandNode | undefined = node.children.find((c) => c.name === token);
    if (child === undefined) {
      const names = node.children.map((c) => c.name);
      const where = ['tufkit', ...path].join(' ');
      return fail(path, node, globals, `unknown command ${JSON.stringify(token)} for '${where}'` + suggest(token, names));
    }
    path.push(child.name);
    node = child;
    i++;
  }
  if (node.kind === 'group') {
    // Only global options (or nothing) followed the group's name.
    return { path, node, globals };
  }
  return parseCommand(node, path, argv.slice(i), globals);
}

function parseCommand(cmd: Command, path: string[], argv: readonly string[], globals: GlobalFlags): ParseResult {
  const specs = cmd.options ?? [];
  const flags = new Set<string>();
  const values = new Map<string, string[]>();
  const positionals: string[] = [];
  let endOfOptions = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (endOfOptions || token === '-' || !token.startsWith('-')) {
      positionals.push(token);
      continue;
    }
    if (token === '--') {
      endOfOptions = true;
      continue;
    }
    const name = optionName(token);
    const g = matchGlobal(token);
    if (g !== undefined) {
      setGlobal(globals, g);
      continue;
    }
    const spec = token.startsWith('--') ? specs.find((s) => `--${s.name}` === name) : specs.find((s) => s.short !== undefined && `-${s.short}` === name);
    if (spec === undefined) {
      const known = specs.map((s) => `--${s.name}`).concat(GLOBAL_OPTIONS.map((o) => `--${o.name}`));
      let message = `unknown option ${name}` + suggest(name, known);
      if (SECRET_NAME.test(name.replace(/^-+/, ''))) {
        message += '; secrets are never read from the command line: use the prompt or an --…-env VAR option';
      }
      return fail(path, cmd, globals, message);
    }
    const eq = token.indexOf('=');
    if (spec.kind === 'flag') {
      if (eq >= 0) return fail(path, cmd, globals, `option --${spec.name} takes no value`);
      flags.add(spec.name);
      continue;
    }
    let value: string;
    if (eq >= 0 && token.startsWith('--')) {
      value = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-')) {
        return fail(path, cmd, globals, `option ${name} needs a value ${spec.valueName ?? 'VALUE'}` + (next !== undefined ? ` (write ${name}=${spec.valueName ?? 'VALUE'} for a value that starts with "-")` : ''));
      }
      value = next;
      i++;
    }
    if (spec.choices !== undefined && !spec.choices.includes(value)) {
      return fail(path, cmd, globals, `option --${spec.name}: ${JSON.stringify(value)} is not one of ${spec.choices.join(', ')}`);
    }
    const list = values.get(spec.name) ?? [];
    if (spec.kind === 'value' && list.length > 0) return fail(path, cmd, globals, `option --${spec.name} is given more than once`);
    list.push(value);
    values.set(spec.name, list);
  }
  if (globals.help || globals.version) return { path, node: cmd, globals };
  const assigned = assignArgs(cmd.args ?? [], positionals);
  if (typeof assigned === 'string') return fail(path, cmd, globals, assigned);
  return { path, node: cmd, globals, options: new Options(specs, flags, values), args: new Args(cmd.args ?? [], assigned) };
}

function assignArgs(specs: readonly ArgSpec[], positionals: string[]): Map<string, string[]> | string {
  const out = new Map<string, string[]>();
  let i = 0;
  for (const spec of specs) {
    if (spec.variadic) {
      const rest = positionals.slice(i);
      if (rest.length === 0 && !spec.optional) return `missing argument ${spec.name}...`;
      out.set(spec.name, rest);
      i = positionals.length;
    } else if (i < positionals.length) {
      out.set(spec.name, [positionals[i] as string]);
      i++;
    } else if (!spec.optional) {
      return `missing argument ${spec.name}`;
    }
  }
  if (i < positionals.length) return `unexpected argument ${JSON.stringify(positionals[i])}`;
  return out;
}

class Options implements ParsedOptions {
  constructor(
    private readonly specs: readonly OptionSpec[],
    private readonly flags: ReadonlySet<string>,
    private readonly values: ReadonlyMap<string, string[]>,
  ) {}

  private spec(name: string, kinds: OptionSpec['kind'][]): OptionSpec {
    const spec = this.specs.find((s) => s.name === name);
    if (spec === undefined || !kinds.includes(spec.kind)) throw new Error(`bug: the command reads undeclared ${kinds.join('/')} option --${name}`);
    return spec;
  }

  flag(name: string): boolean {
    this.spec(name, ['flag']);
    return this.flags.has(name);
  }

  value(name: string): string | undefined {
    const spec = this.spec(name, ['value']);
    return this.values.get(name)?.[0] ?? spec.default;
  }

  required(name: string): string {
    const v = this.value(name);
    if (v === undefined) throw new UsageError(`option --${name} is required`);
    return v;
  }

  list(name: string): string[] {
    this.spec(name, ['list']);
    return [...(this.values.get(name) ?? [])];
  }

  integer(name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.value(name);
    if (v === undefined) return undefined;
    if (!/^-?[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < min || Number(v) > max) {
      throw new UsageError(`option --${name}: expected an integer in ${min}–${max}, found ${JSON.stringify(v)}`);
    }
    return Number(v);
  }

  given(name: string): boolean {
    return this.flags.has(name) || this.values.has(name);
  }
}

class Args implements ParsedArgs {
  constructor(
    private readonly specs: readonly ArgSpec[],
    private readonly values: ReadonlyMap<string, string[]>,
  ) {}

  private spec(name: string): ArgSpec {
    const spec = this.specs.find((s) => s.name === name);
    if (spec === undefined) throw new Error(`bug: the command reads undeclared argument ${name}`);
    return spec;
  }

  get(name: string): string | undefined {
    this.spec(name);
    return this.values.get(name)?.[0];
  }

  required(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw new UsageError(`missing argument ${name}`);
    return v;
  }

  list(name: string): string[] {
    this.spec(name);
    return [...(this.values.get(name) ?? [])];
  }
}

function optionName(token: string): string {
  const eq = token.indexOf('=');
  const name = eq >= 0 ? token.slice(0, eq) : token;
  return name.startsWith('--') ? name : name.slice(0, 2); // "-xVALUE" names "-x"
}

function matchGlobal(token: string): keyof GlobalFlags | undefined {
  switch (token) {
    case '--help':
    case '-h':
      return 'help';
    case '--json':
      return 'json';
    case '--quiet':
    case '-q':
      return 'quiet';
    case '--no-color':
      return 'noColor';
    case '--debug':
      return 'debug';
    case '--version':
      return 'version';
    default:
      return undefined;
  }
}

function setGlobal(globals: GlobalFlags, key: keyof GlobalFlags): void {
  globals[key] = true;
}

function fail(path: string[], node: CommandNode, globals: GlobalFlags, message: string): ParseResult {
  return { path, node, globals, error: new UsageError(message) };
}

/** ` (did you mean X?)` for the closest candidate within edit distance 2, else ''. */
export function suggest(word: string, candidates: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] as number;
      row[j] = Math.min(up + 1, (row[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length] as number;
}
