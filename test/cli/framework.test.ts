/**
 * The command-line framework: command tree, parsing, help at every level, --json, exit
 * codes (0 success, 1 failure, 2 usage), error messages without stack traces, colours only
 * on a TTY, progress only on a TTY, and the refusal of secret-valued options.
 */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { buildCommandTree, runCli } from '../../src/cli/app.js';
import { command, group, type Registration } from '../../src/cli/command.js';
import { KeyFormatError, UsageError } from '../../src/errors.js';
import { Capture } from '../helpers/cli.js';

const echo = command({
  name: 'echo',
  summary: 'echo the arguments',
  args: [
    { name: 'FIRST', description: 'first' },
    { name: 'REST', description: 'others', optional: true, variadic: true },
  ],
  options: [
    { name: 'upper', short: 'u', kind: 'flag', description: 'upper-case' },
    { name: 'sep', kind: 'value', valueName: 'SEP', default: ' ', description: 'separator' },
    { name: 'tag', kind: 'list', description: 'tags' },
    { name: 'count', kind: 'value', description: 'a number' },
    { name: 'colour', kind: 'value', choices: ['red', 'blue'], description: 'a colour' },
  ],
  async run(ctx) {
    const words = [ctx.args.required('FIRST'), ...ctx.args.list('REST')];
    let text = words.join(ctx.options.value('sep'));
    if (ctx.options.flag('upper')) text = text.toUpperCase();
    const count = ctx.options.integer('count', 1, 10);
    ctx.out.print(ctx.out.style.green(text));
    const bar = ctx.out.progress('working', 3);
    for (let i = 0; i < 3; i++) bar.tick();
    bar.done();
    return { text, tags: ctx.options.list('tag'), count: count ?? null };
  },
});

const failing = command({
  name: 'fail',
  summary: 'fail in a chosen way',
  args: [{ name: 'HOW', description: 'usage|tuf|bug|soft' }],
  async run(ctx) {
    switch (ctx.args.required('HOW')) {
      case 'usage':
        throw new UsageError('you asked for a usage error');
      case 'tuf':
        throw new KeyFormatError('keyval.public: not hex\nsecond line');
      case 'soft':
        ctx.out.print('report');
        ctx.setFailed();
        return { problems: 1 };
      default:
        throw new TypeError('something deep broke');
    }
  },
});

const REGISTRATIONS: Registration[] = [
  { node: group({ name: 'util', summary: 'utilities', children: [echo, failing] }) },
  { parent: ['util', 'deep'], node: command({ name: 'leaf', summary: 'a mounted leaf', async run() { return { leaf: true }; } }) },
];
const tree = buildCommandTree(REGISTRATIONS);

async function run(argv: string[], options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const stdout = new Capture(options.tty === true);
  const stderr = new Capture(options.tty === true);
  const code = await runCli(argv, { stdout, stderr, stdin: new PassThrough(), env: options.env ?? {}, cwd: '/' }, tree);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('command tree', () => {
  it('mounts a registration under a parent path, creating the missing group', async () => {
    const r = await run(['util', 'deep', 'leaf', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ leaf: true });
  });

  it('refuses a name registered twice', () => {
    expect(() => buildCommandTree([...REGISTRATIONS, { parent: ['util'], node: echo }])).toThrow(/registered twice/);
  });

  it('refuses an option that would take a secret from argv', () => {
    for (const name of ['passphrase', 'pin', 'password', 'key-secret']) {
      const bad = command({ name: 'bad', summary: 'x', options: [{ name, kind: 'value', description: 'x' }], async run() {} });
      expect(() => buildCommandTree([{ node: bad }])).toThrow(/secret on the command line/);
    }
    const ok = command({ name: 'ok', summary: 'x', options: [{ name: 'pin-env', kind: 'value', description: 'x' }], async run() {} });
    expect(() => buildCommandTree([{ node: ok }])).not.toThrow();
  });
});

describe('parsing', () => {
  it('reads flags, values (both forms), lists, variadic arguments, interleaved', async () => {
    const r = await run(['util', 'echo', 'a', '--tag', 'x', 'b', '--sep=-', '-u', '--tag=y', 'c', '--count', '3', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ text: 'A-B-C', tags: ['x', 'y'], count: 3 });
  });

  it('takes everything after -- as arguments', async () => {
    const r = await run(['util', 'echo', '--json', '--', '--upper', '-x']);
    expect(JSON.parse(r.stdout).text).toBe('--upper -x');
  });

  it.each([
    [['util', 'echo'], /missing argument FIRST/],
    [['util', 'echo', 'a', '--nope'], /unknown option --nope/],
    [['util', 'echo', 'a', '--uper'], /did you mean --upper\?/],
    [['util', 'echo', 'a', '--sep'], /--sep needs a value/],
    [['util', 'echo', 'a', '--sep', 'x', '--sep', 'y'], /more than once/],
    [['util', 'echo', 'a', '--colour', 'green'], /not one of red, blue/],
    [['util', 'echo', 'a', '--count', '11'], /integer in 1–10/],
    [['util', 'echo', 'a', '--upper=yes'], /takes no value/],
    [['util', 'ecko'], /unknown command "ecko" for 'tufkit util' \(did you mean echo\?\)/],
    [['util', 'fail', 'usage'], /you asked for a usage error/],
  ])('%j is a usage error (exit 2) with a help hint', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/hint: run 'tufkit util[^']*--help' for usage/);
    expect(r.stdout).toBe('');
  });

  it('never echoes the value of an unknown option (it may be a secret typed by mistake)', async () => {
    for (const argv of [['util', 'echo', 'a', '--passphrase=hunter2'], ['util', 'echo', 'a', '--pin', 'hunter2'], ['--password=hunter2', 'util']]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.stderr + r.stdout).not.toContain('hunter2');
    }
    const r = await run(['util', 'echo', 'a', '--passphrase=hunter2']);
    expect(r.stderr).toMatch(/secrets are never read from the command line/);
  });
});

describe('help', () => {
  it.each([[[]], [['util']], [['util', 'echo']], [['util', 'deep']], [['util', 'deep', 'leaf']]])('--help works at %j', async (path) => {
    for (const flag of ['--help', '-h']) {
      const r = await run([...path, flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: tufkit/);
      expect(r.stderr).toBe('');
    }
  });

  it('documents arguments, options, defaults and choices of a command', async () => {
    const r = await run(['util', 'echo', '--help']);
    expect(r.stdout).toContain('Usage: tufkit util echo [options] FIRST [REST...]');
    expect(r.stdout).toMatch(/--sep SEP +separator \[default:  \]/);
    expect(r.stdout).toContain('(red, blue)');
    expect(r.stdout).toContain('(repeatable)');
  });

  it('a group without a command prints its help on stderr and exits 2', async () => {
    const r = await run(['util']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: tufkit util <command>/);
    expect(r.stderr).toContain('echo');
  });

  it('--version prints the package version', async () => {
    const r = await run(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^tufkit \d+\.\d+\.\d+/);
  });
});

describe('failures and exit codes', () => {
  it('a TufError exits 1 with its one-line message and no stack trace', async () => {
    const r = await run(['util', 'fail', 'tuf']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: keyval.public: not hex second line\n');
  });

  it('an unexpected error exits 1 with the message and a hint, no stack trace', async () => {
    const r = await run(['util', 'fail', 'bug']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: unexpected failure: something deep broke\nhint: re-run with --debug/);
    expect(r.stderr).not.toMatch(/\bat .*\(/);
  });

  it('--debug adds the stack trace', async () => {
    const r = await run(['util', 'fail', 'bug', '--debug']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TypeError: something deep broke\n\s+at /);
  });

  it('--json prints the error as a JSON document on stdout', async () => {
    const tuf = await run(['util', 'fail', 'tuf', '--json']);
    expect(JSON.parse(tuf.stdout)).toEqual({ error: { type: 'KeyFormatError', message: 'keyval.public: not hex second line', exitCode: 1 } });
    const usage = await run(['--json', 'util', 'echo']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout).error).toMatchObject({ type: 'UsageError', exitCode: 2 });
  });

  it('a command may fail softly: its report is printed and the exit status is 1', async () => {
    const r = await run(['util', 'fail', 'soft', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({ problems: 1 });
  });
});

describe('output', () => {
  it('--json keeps stdout to exactly one JSON document', async () => {
    const r = await run(['util', 'echo', 'hello', '--json'], { tty: true });
    expect(JSON.parse(r.stdout)).toMatchObject({ text: 'hello' });
  });

  it('colours only on a TTY, and never with NO_COLOR or --no-color', async () => {
    expect((await run(['util', 'echo', 'x'])).stdout).toBe('x\n');
    expect((await run(['util', 'echo', 'x'], { tty: true })).stdout).toBe('\u001b[32mx\u001b[39m\n');
    expect((await run(['util', 'echo', 'x'], { tty: true, env: { NO_COLOR: '1' } })).stdout).toBe('x\n');
    expect((await run(['util', 'echo', 'x', '--no-color'], { tty: true })).stdout).toBe('x\n');
    expect((await run(['util', 'echo', 'x'], { env: { FORCE_COLOR: '1' } })).stdout).toBe('\u001b[32mx\u001b[39m\n');
  });

  it('progress bars are silent when stderr is not a TTY and with --quiet', async () => {
    expect((await run(['util', 'echo', 'x'])).stderr).toBe('');
    expect((await run(['util', 'echo', 'x', '-q'], { tty: true })).stderr).toBe('');
  });
});
