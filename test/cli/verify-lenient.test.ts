/**
 * `tufkit verify --lenient` audits repositories written by older tools: go-tuf's test
 * repository (`expires` with 7 fractional digits, RSA-PSS with the maximum salt) verifies
 * with it and is refused without it, naming the field (spec §4.1 "Date-time"; §5.3–§5.6).
 * The fixture's files are unprefixed although consistent_snapshot is true, so the test lays
 * them out under versioned names in a temporary directory first (spec §6.2).
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { ensureBuilt, runBinary } from '../helpers/cli.js';
import { describeWithFixtures, fixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/repo.js';

beforeAll(() => ensureBuilt());

describeWithFixtures('tufkit verify --lenient (go-tuf repository)', () => {
  const layout = (): string => {
    const src = fixture('go-tuf', 'repository_data', 'repository');
    const dir = tempDir('gotuf');
    mkdirSync(join(dir, 'metadata'), { recursive: true });
    mkdirSync(join(dir, 'targets'));
    const meta = join(src, 'metadata');
    copyFileSync(join(meta, 'root.json'), join(dir, 'metadata', '1.root.json'));
    copyFileSync(join(meta, 'timestamp.json'), join(dir, 'metadata', 'timestamp.json'));
    for (const role of ['snapshot', 'targets', 'role1', 'role2']) copyFileSync(join(meta, `${role}.json`), join(dir, 'metadata', `1.${role}.json`));
    for (const name of readdirSync(join(src, 'targets'))) copyFileSync(join(src, 'targets', name), join(dir, 'targets', name));
    return dir;
  };

  it('strict: refused at the trusted root, naming the expires value', async () => {
    const r = await runBinary(['verify', layout(), '--at', '2026-01-01T00:00:00Z', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { ok: boolean; problems: string[] };
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toContain('"2030-08-15T14:30:45.0000001Z" is not in the form YYYY-MM-DDTHH:MM:SSZ');
  });

  it('lenient: root, timestamp, snapshot, targets and both delegated roles verify', async () => {
    const dir = layout();
    const r = await runBinary(['verify', dir, '--lenient', '--root', join(dir, 'metadata', '1.root.json'), '--at', '2026-01-01T00:00:00Z', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; roles: { role: string; ok: boolean }[] };
    expect(report.ok).toBe(true);
    expect(report.roles.map((x) => x.role).sort()).toEqual(['role1', 'role2', 'root', 'snapshot', 'targets', 'timestamp']);
  });
});
