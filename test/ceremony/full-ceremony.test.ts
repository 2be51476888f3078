/**
 * The full offline root ceremony, end to end, with the real binary and real tokens:
 *
 * - three key holders, each on their own "machine": a directory, a private SoftHSM2 with one
 *   token, and `tufkit` run as a separate process seeing only that machine's token;
 * - ceremony 1 creates the repository's first root, 2-of-3 over the holders' old keys
 *   (generated independently with OpenSC's pkcs11-tool);
 * - ceremony 2 rotates to three new keys (generated on the tokens by `tufkit key pkcs11
 *   generate`) with threshold 2: each machine signs its own copy (embedded or detached), the
 *   copies are merged, the proposal is finalized into the repository and published;
 * - the resulting chain 1.root.json → 2.root.json verifies with the metadata API, with
 *   tufkit's client and with tuf-js's Updater (served over loopback HTTP);
 * - refused and interrupted steps (kill -9 while waiting for confirmation, finalize before
 *   the thresholds are met, merging a conflicting proposal) leave every file as it was.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Updater as TufJsUpdater } from 'tuf-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Updater } from '../../src/client/updater.js';
import { Metadata } from '../../src/metadata/metadata.js';
import { BIN, ensureBuilt, runBinary, type RunResult } from '../helpers/cli.js';
import { PKCS11_TOOL, SOFTHSM_MODULE, createTestHsm, type TestHsm, type TestToken } from '../helpers/softhsm.js';

const enabled = SOFTHSM_MODULE !== undefined && PKCS11_TOOL !== undefined;

interface Machine {
  name: string;
  dir: string;
  hsm: TestHsm;
  token: TestToken;
  env: Record<string, string>;
  oldUri: string;
  newUri: string;
}

describe.runIf(enabled)('offline root ceremony: 2-of-3 SoftHSM root rotated to a new 2-of-3, on separate machines', () => {
  const base = mkdtempSync(join(tmpdir(), 'tufkit-full-ceremony-'));
  const coordinator = join(base, 'coordinator');
  const repo = join(coordinator, 'repo');
  const machines: Machine[] = [];
  let server: Server | undefined;

  const run = async (args: string[], where: { cwd: string; env?: Record<string, string> }, expectCode = 0): Promise<RunResult> => {
    const r = await runBinary(args, { cwd: where.cwd, env: { HOME: base, ...(where.env ?? {}) } });
    expect(r.code, `tufkit ${args.join(' ')}\n${r.stderr}`).toBe(expectCode);
    return r;
  };
  const json = (r: RunResult) => JSON.parse(r.stdout);

  beforeAll(async () => {
    ensureBuilt();
    mkdirSync(coordinator, { recursive: true });
    // carol's old key is P-384: it is in root v1 but does not sign (tuf-js 4.1.0 verifies
    // ecdsa-sha2-nistp384 signatures with SHA-256 and would refuse them; see tufjs-p384.test.ts)
    const oldTypes = ['EC:prime256v1', 'EC:edwards25519', 'EC:secp384r1'];
    const newTypes = ['ed25519', 'ecdsa-p256', 'rsa-2048'];
    for (const [i, name] of ['alice', 'bob', 'carol'].entries()) {
      const dir = join(base, `machine-${name}`);
      mkdirSync(dir);
      const hsm = await createTestHsm(`tufkit-hsm-${name}-`);
      const token = await hsm.addToken(`${name}-root`);
      // the old root key: made independently of tufkit
      hsm.pkcs11Tool(['--keypairgen', '--key-type', oldTypes[i] as string, '--label', 'root-old', '--id', '01'], token);
      const env = { SOFTHSM2_CONF: hsm.confPath, HOLDER_PIN: token.userPin };
      const uri = (label: string) => `pkcs11:token=${name}-root;object=${label}?module-path=${hsm.modulePath}&pin-source=env:HOLDER_PIN`;
      machines.push({ name, dir, hsm, token, env, oldUri: uri('root-old'), newUri: uri('root-new') });
      // the new root key: generated on the token by tufkit, on the holder's machine
      await run(['key', 'pkcs11', 'generate', '--type', newTypes[i] as string, uri('root-new')], { cwd: dir, env });
      // public keys travel to the coordinator on "removable media"
      await run(['key', 'pkcs11', 'import', uri('root-old'), '-o', join(coordinator, `${name}-old.pub`)], { cwd: dir, env });
      await run(['key', 'pkcs11', 'import', uri('root-new'), '-o', join(coordinator, `${name}-new.pub`)], { cwd: dir, env });
    }
  });

  afterAll(() => {
    server?.close();
    for (const m of machines) m.hsm.cleanup();
    rmSync(base, { recursive: true, force: true });
  });

  const copyTo = (m: Machine, from: string, name = 'proposal.json'): string => {
    const path = join(m.dir, name);
    copyFileSync(from, path);
    return path;
  };

  it('ceremony 1: a new repository whose first root is signed by 2 of the 3 holders', async () => {
    const [alice, bob, carol] = machines as [Machine, Machine, Machine];
    await run(
      ['init', repo, '--unencrypted', '--threshold', 'root=2', ...['alice', 'bob', 'carol'].flatMap((n) => ['--key', `root=${join(coordinator, `${n}-old.pub`)}`])],
      { cwd: coordinator },
    );
    const proposal = join(coordinator, 'genesis.json');
    const made = json(await run(['ceremony', 'propose', '--repo', repo, '--note', 'genesis', '-o', proposal, '--json'], { cwd: coordinator }));
    expect(made.version).toBe(1);
    expect(made.previousSha256).toBeNull();
    expect(made.summary[0]).toMatch(/^new repository: root version 1/);
    // alice and bob sign on their machines; carol does not need to
    const a = copyTo(alice, proposal);
    const b = copyTo(bob, proposal);
    await run(['ceremony', 'sign', a, '--signer', alice.oldUri, '--yes'], { cwd: alice.dir, env: alice.env });
    await run(['ceremony', 'sign', b, '--signer', bob.oldUri, '--detached', join(bob.dir, 'bob.sig.json'), '--yes'], { cwd: bob.dir, env: bob.env });
    const merged = join(coordinator, 'genesis-signed.json');
    const m = json(await run(['ceremony', 'merge', a, join(bob.dir, 'bob.sig.json'), '-o', merged, '--json'], { cwd: coordinator }));
    expect(m.status.complete).toBe(true);
    await run(['ceremony', 'finalize', merged, '--repo', repo], { cwd: coordinator });
    await run(['publish', repo], { cwd: coordinator });
    const v1 = Metadata.fromFile(join(repo, 'repository', 'metadata', '1.root.json'), { type: 'root' });
    expect(v1.signed.getDelegatedRole('root').threshold).toBe(2);
    expect(v1.signatures.size).toBe(2);
    expect(v1.signed.verifyDelegate('root', v1.signedBytes(), v1.signatures).verified).toBe(true);
    void carol;
  });

  it('ceremony 2: rotate to three new keys, threshold 2, signed on separate machines, merged, finalized, published', async () => {
    const [alice, bob, carol] = machines as [Machine, Machine, Machine];
    const v1 = Metadata.fromFile(join(repo, 'repository', 'metadata', '1.root.json'), { type: 'root' });
    const oldIds = v1.signed.getDelegatedRole('root').keyids;
    const proposal = join(coordinator, 'rotate.json');
    const made = json(
      await run(
        [
          'ceremony',
          'propose',
          '--repo',
          repo,
          ...machines.flatMap((mm) => ['--add-key', `root=${join(coordinator, `${mm.name}-new.pub`)}`]),
          ...oldIds.flatMap((id) => ['--remove-key', `root=${id.slice(0, 12)}`]),
          '--threshold',
          'root=2',
          '--expires-in',
          '400',
          '-o',
          proposal,
          '--json',
        ],
        { cwd: coordinator },
      ),
    );
    expect(made.version).toBe(2);
    expect(made.summary).toContain('root: threshold 2 of 3 keys (was 3)');
    expect(made.summary.at(-1)).toBe('needs signatures from 2 of the 3 root keys of version 1 and from 2 of the 3 root keys of version 2');

    // each machine gets its own copy
    const copies = machines.map((mm) => copyTo(mm, proposal));
    const [a, b, c] = copies as [string, string, string];
    // alice: old and new key, into her copy; signing twice changes nothing
    const signedA = json(await run(['ceremony', 'sign', a, '--signer', alice.oldUri, '--yes', '--json'], { cwd: alice.dir, env: alice.env }));
    expect(signedA.added).toHaveLength(1);
    await run(['ceremony', 'sign', a, '--signer', alice.newUri, '--yes'], { cwd: alice.dir, env: alice.env });
    const beforeRepeat = readFileSync(a);
    const repeat = json(await run(['ceremony', 'sign', a, '--signer', alice.newUri, '--yes', '--json'], { cwd: alice.dir, env: alice.env }));
    expect(repeat).toMatchObject({ added: [], written: null });
    expect(readFileSync(a).equals(beforeRepeat)).toBe(true);
    // bob: old key into his copy, new key detached
    await run(['ceremony', 'sign', b, '--signer', bob.oldUri, '--yes'], { cwd: bob.dir, env: bob.env });
    await run(['ceremony', 'sign', b, '--signer', bob.newUri, '--detached', join(bob.dir, 'bob-new.sig.json'), '--yes'], { cwd: bob.dir, env: bob.env });
    // carol: new key, detached, confirmed on standard input
    const carolSig = join(carol.dir, 'carol-new.sig.json');
    const confirmed = await new Promise<RunResult>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'ceremony', 'sign', c, '--signer', carol.newUri, '--detached', carolSig], {
        cwd: carol.dir,
        env: { PATH: process.env['PATH'] ?? '', HOME: base, ...carol.env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('Sign this proposal? [y/N]')) child.stdin.end('y\n');
      });
      child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    });
    expect(confirmed.code, confirmed.stderr).toBe(0);
    // what carol was shown: the summary and the hash of what she signs
    expect(confirmed.stderr).toContain('root version 1 → 2');
    expect(confirmed.stderr.replace(/ /g, '')).toContain(made.payloadSha256);
    expect(confirmed.stderr).not.toContain(carol.token.userPin);

    // status of one copy: incomplete, and says who is missing
    const st = json(await run(['ceremony', 'status', a, '--json'], { cwd: alice.dir }));
    expect(st.complete).toBe(false);
    expect(st.previous.signed).toHaveLength(1);
    expect(st.next.signed).toHaveLength(1);
    // finalize too early: refused, the repository untouched
    const stagedBefore = readFileSync(join(repo, 'metadata', 'root.json'));
    const early = await run(['ceremony', 'finalize', a, '--repo', repo], { cwd: coordinator }, 1);
    expect(early.stderr).toMatch(/refusing to finalize: only 1 of the 2 needed signatures by root keys of the current version 1 and 1 of the 2 .* new version 2/);
    expect(readFileSync(join(repo, 'metadata', 'root.json')).equals(stagedBefore)).toBe(true);

    // merge the machines' copies and signature files
    const merged = join(coordinator, 'rotate-signed.json');
    const m = json(await run(['ceremony', 'merge', a, b, join(bob.dir, 'bob-new.sig.json'), carolSig, '-o', merged, '--json'], { cwd: coordinator }));
    expect(m.dropped).toEqual([]);
    expect(m.status.complete).toBe(true);
    expect(m.status.previous.signed).toHaveLength(2);
    expect(m.status.next.signed).toHaveLength(3);

    await run(['ceremony', 'finalize', merged, '--repo', repo], { cwd: coordinator });
    await run(['publish', repo], { cwd: coordinator });
    const published = join(repo, 'repository', 'metadata');
    expect(readdirSync(published).filter((n) => n.endsWith('root.json')).sort()).toEqual(['1.root.json', '2.root.json', 'root.json']);
  });

  it('the root chain verifies: metadata API walk, tufkit client, tuf-js', async () => {
    const published = join(repo, 'repository', 'metadata');
    const v1 = Metadata.fromFile(join(published, '1.root.json'), { type: 'root' });
    const v2 = Metadata.fromFile(join(published, '2.root.json'), { type: 'root' });
    // spec §5.3.4: v2 signed by a threshold of v1's root keys and of its own
    const chain = v2.signed.getRootVerificationResult(v1.signed, v2.signedBytes(), v2.signatures);
    expect(chain.first.verified && chain.second.verified).toBe(true);
    expect(v2.signed.getDelegatedRole('root').keyids.some((k) => v1.signed.getDelegatedRole('root').keyids.includes(k))).toBe(false);

    // tufkit's client, trusting only 1.root.json
    const ours = join(base, 'client-tufkit');
    mkdirSync(ours);
    writeFileSync(join(ours, 'root.json'), readFileSync(join(published, '1.root.json')));
    const updater = new Updater({ metadataDir: ours, metadataBaseUrl: pathToFileURL(published + '/').href });
    await updater.refresh();
    expect(Metadata.fromFile(join(ours, 'root.json'), { type: 'root' }).signed.version).toBe(2);

    // tuf-js over loopback HTTP
    const root = join(repo, 'repository');
    server = createServer((req, res) => {
      const path = join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      if (!path.startsWith(root)) {
        res.writeHead(403).end();
        return;
      }
      try {
        const body = readFileSync(path);
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => (server as Server).listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    const theirs = join(base, 'client-tufjs');
    mkdirSync(theirs);
    writeFileSync(join(theirs, 'root.json'), readFileSync(join(published, '1.root.json')));
    const tufjs = new TufJsUpdater({ metadataDir: theirs, metadataBaseUrl: `http://127.0.0.1:${port}/metadata`, config: { fetchRetry: 0 } });
    await tufjs.refresh();
    expect(JSON.parse(readFileSync(join(theirs, 'root.json'), 'utf8')).signed.version).toBe(2);
  });

  it('interrupted and refused steps leave the files as they were', async () => {
    const [alice, , carol] = machines as [Machine, Machine, Machine];
    // a third ceremony: propose, then kill -9 carol's signing while it waits for confirmation
    const proposal = join(coordinator, 'third.json');
    await run(['ceremony', 'propose', '--repo', repo, '--threshold', 'root=3', '-o', proposal], { cwd: coordinator });
    const copy = copyTo(carol, proposal, 'third.json');
    const before = readFileSync(copy);
    const killed = await new Promise<{ signal: string | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'ceremony', 'sign', copy, '--signer', carol.newUri], {
        cwd: carol.dir,
        env: { PATH: process.env['PATH'] ?? '', HOME: base, ...carol.env },
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes('Sign this proposal?')) child.kill('SIGKILL');
      });
      child.on('close', (_code, signal) => resolve({ signal, stderr }));
    });
    expect(killed.signal).toBe('SIGKILL');
    expect(readFileSync(copy).equals(before)).toBe(true);
    expect(readdirSync(carol.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);

    // answering "no" signs nothing
    const no = await runBinary(['ceremony', 'sign', copy, '--signer', carol.newUri], { cwd: carol.dir, env: { HOME: base, ...carol.env }, input: 'n\n' });
    expect(no.code).toBe(1);
    expect(no.stderr).toMatch(/not confirmed: nothing signed/);
    expect(readFileSync(copy).equals(before)).toBe(true);

    // a key of neither root is refused before anything is signed
    const stranger = `pkcs11:token=alice-root;object=root-old?module-path=${alice.hsm.modulePath}&pin-source=env:HOLDER_PIN`;
    const refused = await runBinary(['ceremony', 'sign', copyTo(alice, proposal, 'third.json'), '--signer', stranger, '--yes'], { cwd: alice.dir, env: { HOME: base, ...alice.env } });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/is not a root key of version 2 or 3; nothing signed/);

    // merging a proposal about another root is refused; nothing is written
    const other = join(coordinator, 'other.json');
    await run(['ceremony', 'propose', '--repo', repo, '--threshold', 'root=1', '-o', other], { cwd: coordinator });
    const conflict = await runBinary(['ceremony', 'merge', proposal, other, '-o', join(coordinator, 'never.json')], { cwd: coordinator, env: { HOME: base } });
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/proposes another root/);
    expect(readdirSync(coordinator)).not.toContain('never.json');

    // a wrong PIN: typed error, no PIN shown, proposal unchanged
    const wrong = await runBinary(['ceremony', 'sign', copy, '--signer', carol.newUri, '--yes'], { cwd: carol.dir, env: { HOME: base, ...carol.env, HOLDER_PIN: '11111111' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/wrong PIN for token "carol-root"/);
    expect(wrong.stderr).not.toContain('11111111');
    expect(readFileSync(copy).equals(before)).toBe(true);
  });
});
