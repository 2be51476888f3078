/**
 * `--help` text for every level of the command tree.
 */
import type { ArgSpec, Command, CommandGroup, CommandNode, OptionSpec } from './command.js';
import { GLOBAL_OPTIONS } from './parse.js';
import type { Style } from './style.js';

/** The help text of `node`, reached by `path` (names after `tufkit`). */
export function renderHelp(node: CommandNode, path: readonly string[], style: Style): string {
  const full = ['tufkit', ...path].join(' ');
  return node.kind === 'group' ? groupHelp(node, full, style) : commandHelp(node, full, style);
}

function groupHelp(group: CommandGroup, full: string, style: Style): string {
  const lines: string[] = [];
  lines.push(`${style.bold('Usage:')} ${full} <command> [options]`, '');
  if (group.description ?? group.summary) lines.push(...wrap(group.description ?? group.summary), '');
  lines.push(style.bold('Commands:'));
  const width = Math.max(...group.children.map((c) => c.name.length + (c.kind === 'group' ? 4 : 0)), 8);
  for (const child of group.children) {
    const name = child.kind === 'group' ? `${child.name} ...` : child.name;
    lines.push(`  ${style.cyan(name.padEnd(width))}  ${child.summary}`);
  }
  lines.push('', style.bold('Global options:'), ...optionLines(GLOBAL_OPTIONS, style));
  lines.push('', `Run '${full} <command> --help' for the options of a command.`);
  lines.push('Exit status: 0 success, 1 failure, 2 usage error.');
  return lines.join('\n') + '\n';
}

function commandHelp(cmd: Command, full: string, style: Style): string {
  const lines: string[] = [];
  const args = (cmd.args ?? []).map(argUsage).join(' ');
  lines.push(`${style.bold('Usage:')} ${full}${(cmd.options ?? []).length ? ' [options]' : ''}${args ? ' ' + args : ''}`, '');
  lines.push(...wrap(cmd.description ?? cmd.summary), '');
  if ((cmd.args ?? []).length) {
    lines.push(style.bold('Arguments:'));
    const width = Math.max(...(cmd.args ?? []).map((a) => a.name.length));
    for (const a of cmd.args ?? []) lines.push(`  ${style.cyan(a.name.padEnd(width))}  ${a.description}`);
    lines.push('');
  }
  if ((cmd.options ?? []).length) {
    lines.push(style.bold('Options:'), ...optionLines(cmd.options ?? [], style), '');
  }
  lines.push(style.bold('Global options:'), ...optionLines(GLOBAL_OPTIONS.filter((o) => o.name !== 'version'), style));
  if ((cmd.examples ?? []).length) {
    lines.push('', style.bold('Examples:'));
    for (const e of cmd.examples ?? []) lines.push(`  ${e}`);
  }
  return lines.join('\n') + '\n';
}

function argUsage(a: ArgSpec): string {
  const name = a.variadic ? `${a.name}...` : a.name;
  return a.optional ? `[${name}]` : name;
}

function optionLines(specs: readonly OptionSpec[], style: Style): string[] {
  const heads = specs.map((s) => {
    const value = s.kind === 'flag' ? '' : ` ${s.valueName ?? 'VALUE'}`;
    return (s.short ? `-${s.short}, ` : '    ') + `--${s.name}${value}`;
  });
  const width = Math.min(Math.max(...heads.map((h) => h.length)), 32);
  return specs.map((s, i) => {
    const head = heads[i] as string;
    let text = s.description;
    if (s.choices) text += ` (${s.choices.join(', ')})`;
    if (s.default !== undefined) text += ` [default: ${s.default}]`;
    if (s.kind === 'list') text += ' (repeatable)';
    const pad = head.length > width ? '\n' + ' '.repeat(width + 4) : ' '.repeat(width - head.length + 2);
    return `  ${style.cyan(head)}${pad}${text}`;
  });
}

function wrap(text: string, width = 88): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (paragraph.trim() === '') {
      out.push('');
      continue;
    }
    // Lines that start with spaces (code, lists) are kept as written.
    if (/^\s/.test(paragraph)) {
      out.push(paragraph);
      continue;
    }
    let line = '';
    for (const word of paragraph.split(/\s+/)) {
      if (line && line.length + word.length + 1 > width) {
        out.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) out.push(line);
  }
  return out;
}
