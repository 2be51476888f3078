/**
 * What a `tufkit` command is: the declarations every command file exports, and the context
 * a command runs with. The framework (parse.ts, help.ts, app.ts) reads these declarations;
 * commands never parse argv themselves.
 *
 * A command group lives in its own file under `src/cli/commands/` and is registered with
 * ONE line in `src/cli/commands/index.ts` (see there).
 */
import type { JsonValue } from '../metadata/canonical-json.js';
import type { Output } from './output.js';

/**
 * An option of a command.
 *
 * - `flag`: `--name` (boolean, no value);
 * - `value`: `--name VALUE` or `--name=VALUE`, at most once;
 * - `list`: `--name VALUE`, repeatable; values are collected in order.
 *
 * Secrets (passphrases, PINs) are never options: the framework refuses to register a value
 * option whose name ends in `passphrase`, `password`, `pin` or `secret`. Declare
 * `--passphrase-env VAR` (the NAME of an environment variable) and read the secret with
 * `src/cli/secrets.ts`.
 */
export interface OptionSpec {
  /** Long name without the dashes, e.g. `passphrase-env`. */
  readonly name: string;
  /** One-letter short name without the dash, e.g. `o`. */
  readonly short?: string;
  readonly kind: 'flag' | 'value' | 'list';
  /** Placeholder shown in help for the value, e.g. `VAR` (default `VALUE`). */
  readonly valueName?: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Allowed values (checked by the parser; shown in help). */
  readonly choices?: readonly string[];
  /** Default shown in help and returned by {@link ParsedOptions.value} when the option is absent. */
  readonly default?: string;
}

/** A positional argument. */
export interface ArgSpec {
  /** Upper-case placeholder, e.g. `DIR`. */
  readonly name: string;
  readonly description: string;
  /** Default false: the argument must be given. */
  readonly optional?: boolean;
  /** Takes every remaining argument (only the last one may be variadic). */
  readonly variadic?: boolean;
}

/** A command that runs (a leaf of the command tree). */
export interface Command {
  readonly kind: 'command';
  /** The word that selects it, e.g. `generate`. */
  readonly name: string;
  /** One line for the parent's help. */
  readonly summary: string;
  /** Paragraphs shown by the command's own `--help`. */
  readonly description?: string;
  readonly options?: readonly OptionSpec[];
  readonly args?: readonly ArgSpec[];
  /** Example command lines for `--help`. */
  readonly examples?: readonly string[];
  /**
   * Do the work. Print human-readable progress through `ctx.out`; return the JSON result
   * that `--json` prints (printed as `{}` when nothing is returned). Throw a typed
   * {@link TufError} to fail (a `UsageError` exits with 2, any other `TufError` with 1).
   */
  run(ctx: CommandContext): Promise<JsonValue | void>;
}

/** A group of commands, e.g. `key` (`key generate`, `key list`). */
export interface CommandGroup {
  readonly kind: 'group';
  readonly name: string;
  readonly summary: string;
  readonly description?: string;
  readonly children: readonly CommandNode[];
}

/** A node of the command tree. */
export type CommandNode = Command | CommandGroup;

/**
 * One line of the registration list: a node and where it is mounted. `parent` is the path
 * of the group it goes under (`['key']` for `tufkit key yubikey`); absent = top level.
 * A parent that no file defines is created as an empty group.
 */
export interface Registration {
  readonly parent?: readonly string[];
  readonly node: CommandNode;
}

/** Parsed options of a command, read by name (asking for an undeclared name is a bug and throws). */
export interface ParsedOptions {
  /** True when the flag was given. */
  flag(name: string): boolean;
  /** The value given, else the declared default, else undefined. */
  value(name: string): string | undefined;
  /** The value given or the default; a `UsageError` naming the option when neither. */
  required(name: string): string;
  /** Every value of a `list` option, in order (empty when absent). */
  list(name: string): string[];
  /** The value as an integer in [min, max], or undefined when absent; `UsageError` otherwise. */
  integer(name: string, min?: number, max?: number): number | undefined;
  /** True when the option appeared on the command line (not just defaulted). */
  given(name: string): boolean;
}

/** Parsed positional arguments, read by name. */
export interface ParsedArgs {
  /** The value of a single argument (undefined when optional and absent). */
  get(name: string): string | undefined;
  /** The value of a required single argument. */
  required(name: string): string;
  /** The values of a variadic argument. */
  list(name: string): string[];
}

/** Global options, valid at every level of the command line. */
export interface GlobalOptions {
  /** `--json`: print one JSON document on stdout, nothing else there. */
  readonly json: boolean;
  /** `--debug`: print stack traces of failures. */
  readonly debug: boolean;
  /** `--quiet`: no progress and no informational messages. */
  readonly quiet: boolean;
  /** Colours on (TTY, no NO_COLOR, no `--no-color`). */
  readonly color: boolean;
}

/** What a command runs with. */
export interface CommandContext {
  readonly options: ParsedOptions;
  readonly args: ParsedArgs;
  readonly globals: GlobalOptions;
  /** Printing, colours and progress bars. */
  readonly out: Output;
  /** The environment (for `--passphrase-env VAR` and the like). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Standard input (for hidden prompts). */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** The current directory relative paths are resolved against. */
  readonly cwd: string;
  /** The full command path, e.g. `tufkit key generate` (for messages). */
  readonly commandPath: string;
  /**
   * Make the command exit with status 1 although it returns normally (e.g. `verify` found
   * problems and still prints its whole report, also as JSON).
   */
  setFailed(): void;
}

/** Build a command (a typed identity helper so command files read declaratively). */
export function command(spec: Omit<Command, 'kind'>): Command {
  return { kind: 'command', ...spec };
}

/** Build a group. */
export function group(spec: Omit<CommandGroup, 'kind'>): CommandGroup {
  return { kind: 'group', ...spec };
}
