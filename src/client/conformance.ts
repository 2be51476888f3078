/**
 * The TUF client conformance protocol (the `tuf-conformance` suite's client-under-test CLI):
 *
 * ```
 * CMD --metadata-dir DIR init TRUSTED_ROOT
 * CMD --metadata-dir DIR --metadata-url URL refresh
 * CMD --metadata-dir DIR --metadata-url URL --target-name PATH [--target-name PATH ...]
 *     --target-base-url URL --target-dir DIR download
 * ```
 *
 * Options may come in any order, before or after the action, as `--name VALUE` or
 * `--name=VALUE`. What a suite observes, and so what holds here: the exit status is exactly
 * 0 (full success) or 1 (anything else: a refused update, a usage error, a crash); every call
 * is a new process that reloads its state from DIR; DIR holds only trusted metadata under
 * unversioned names with exactly the served bytes; the target directory never keeps a
 * partial file; the requests are exactly those of the spec's workflow (no retries); the
 * reference time is the system clock as the process sees it.
 */
import { readFile } from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { TufError, UsageError, describeError } from '../errors.js';
import { Metadata } from '../metadata/metadata.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { Updater } from './updater.js';

/** One parsed invocation. */
export interface ClientInvocation {
  readonly action: 'init' | 'refresh' | 'download';
  readonly metadataDir: string;
  readonly metadataUrl?: string;
  readonly trustedRoot?: string;
  readonly targetNames: readonly string[];
  readonly targetBaseUrl?: string;
  readonly targetDir?: string;
}

const VALUE_OPTIONS = ['metadata-dir', 'metadata-url', 'target-base-url', 'target-dir'] as const;

/**
 * Parse the protocol's command line (exact flags, nothing else).
 * @throws {@link UsageError} naming what is wrong.
 */
export function parseClientArgs(argv: readonly string[]): ClientInvocation {
  const values = new Map<string, string>();
  const targetNames: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (!token.startsWith('--')) {
      positionals.push(token);
      continue;
    }
    const eq = token.indexOf('=');
    const name = token.slice(2, eq < 0 ? undefined : eq);
    let value: string | undefined = eq < 0 ? undefined : token.slice(eq + 1);
    if (name !== 'target-name' && !(VALUE_OPTIONS as readonly string[]).includes(name)) throw new UsageError(`unknown option --${name}`);
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    if (name === 'target-name') targetNames.push(value);
    else if (values.has(name)) throw new UsageError(`--${name} given twice`);
    else values.set(name, value);
  }
  const [action, ...rest] = positionals;
  const metadataDir = values.get('metadata-dir');
  if (metadataDir === undefined) throw new UsageError('--metadata-dir is required');
  const need = (name: string): string => {
    const v = values.get(name);
    if (v === undefined) throw new UsageError(`${action} needs --${name}`);
    return v;
  };
  switch (action) {
    case 'init':
      if (rest.length !== 1) throw new UsageError('init takes exactly one argument: TRUSTED_ROOT');
      return { action, metadataDir, trustedRoot: rest[0] as string, targetNames };
    case 'refresh':
      if (rest.length) throw new UsageError(`refresh takes no arguments, found ${JSON.stringify(rest)}`);
      return { action, metadataDir, metadataUrl: need('metadata-url'), targetNames };
    case 'download':
      if (rest.length) throw new UsageError(`download takes no arguments, found ${JSON.stringify(rest)}`);
      if (targetNames.length === 0) throw new UsageError('download needs at least one --target-name');
      return { action, metadataDir, metadataUrl: need('metadata-url'), targetNames, targetBaseUrl: need('target-base-url'), targetDir: need('target-dir') };
    default:
      throw new UsageError(action === undefined ? 'no action given: init, refresh or download' : `unknown action ${JSON.stringify(action)}: init, refresh or download`);
  }
}

/** What a run did. */
export interface ClientRunResult {
  /** For `download`: the file each target was stored at (or found at), by target name. */
  readonly targets: ReadonlyMap<string, string>;
}

/**
 * Run one invocation.
 * `init` copies TRUSTED_ROOT to DIR/root.json (atomically, byte for byte) after checking
 * that it parses and is signed by a threshold of its own keys; no network.
 * `refresh` runs the client workflow. `download` refreshes, then for each target in order
 * finds its description, keeps an already stored file whose length and hashes match, and
 * otherwise downloads and verifies it; every target is tried, and the run fails if any failed.
 * @throws {@link TufError} subclasses
 */
export async function runClient(inv: ClientInvocation, log: (line: string) => void = () => undefined): Promise<ClientRunResult> {
  const targets = new Map<string, string>();
  if (inv.action === 'init') {
    const data = await readFile(inv.trustedRoot as string).catch((err: unknown) => {
      throw new TufError(`cannot read ${inv.trustedRoot}: ${describeError(err)}`, { cause: err });
    });
    const root = Metadata.fromBytes(data, { type: 'root' });
    root.signed.verifyDelegate('root', root.signedBytes(), root.signatures);
    await mkdir(inv.metadataDir, { recursive: true });
    await writeFileAtomic(join(inv.metadataDir, 'root.json'), data);
    log(`initialised ${inv.metadataDir} with root version ${root.signed.version}`);
    return { targets };
  }
  const updater = new Updater({
    metadataDir: inv.metadataDir,
    metadataBaseUrl: inv.metadataUrl as string,
    ...(inv.targetBaseUrl !== undefined ? { targetBaseUrl: inv.targetBaseUrl } : {}),
    ...(inv.targetDir !== undefined ? { targetDir: inv.targetDir } : {}),
    log,
  });
  await updater.refresh();
  if (inv.action === 'refresh') return { targets };
  const failed: string[] = [];
  for (const name of inv.targetNames) {
    try {
      const info = await updater.getTargetInfo(name);
      if (info === undefined) throw new TufError(`target ${JSON.stringify(name)} is not listed by any trusted targets role`);
      const cached = await updater.findCachedTarget(info);
      if (cached !== undefined) {
        log(`target ${JSON.stringify(name)}: already stored as ${cached} with matching hashes`);
        targets.set(name, cached);
        continue;
      }
      targets.set(name, await updater.downloadTarget(info));
    } catch (err) {
      log(`target ${JSON.stringify(name)}: failed: ${describeError(err)}`);
      failed.push(name);
    }
  }
  if (failed.length) throw new TufError(`${failed.length} of ${inv.targetNames.length} targets failed: ${failed.map((n) => JSON.stringify(n)).join(', ')}`);
  return { targets };
}

/**
 * The whole executable: parse, run, report on `stderr`; resolves to the exit status,
 * exactly 0 or 1, whatever happens.
 */
export async function clientMain(argv: readonly string[], stderr: { write(text: string): unknown } = process.stderr, name = 'tufkit-conformance-client'): Promise<0 | 1> {
  const log = (line: string): void => {
    try {
      stderr.write(`${name}: ${line}\n`);
    } catch {
      // a closed stderr must not change the outcome
    }
  };
  try {
    const inv = parseClientArgs(argv);
    await runClient(inv, log);
    log(`${inv.action}: ok`);
    return 0;
  } catch (err) {
    const kind = err instanceof TufError ? err.name : 'unexpected error';
    log(`error (${kind}): ${describeError(err)}`);
    if (err instanceof UsageError) log(`usage: ${name} --metadata-dir DIR [--metadata-url URL] [--target-name PATH ...] [--target-base-url URL] [--target-dir DIR] init TRUSTED_ROOT | refresh | download`);
    return 1;
  }
}
