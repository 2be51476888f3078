/**
 * `tufkit demo [DIR]`: the whole life of a TUF repository on this machine, no hardware
 * needed — keys, a repository, sample targets, hashed-bin delegation, signing, publishing,
 * a loopback HTTP server, a TUF client updating from it and downloading a target, an update
 * that re-signs one bin, and a bulk verification of everything.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Updater } from '../../client/updater.js';
import { UsageError } from '../../errors.js';
import { TOP_LEVEL_ROLE_NAMES } from '../../metadata/signed.js';
import { publish } from '../../repository/publish.js';
import { Repository } from '../../repository/repository.js';
import { serveDirectory, type StaticServer } from '../../repository/serve.js';
import { KeyRing } from '../../repository/signers.js';
import { HttpSource, verifyPublished } from '../../repository/verify-published.js';
import { AutoEngine } from '../../verify/auto-engine.js';
import { EngineVerifier, getDefaultVerifier } from '../../verify/verifier.js';
import { command } from '../command.js';
import { provisionDemoKeys } from '../demo-keys.js';
import { shortId } from '../repo-support.js';

const MARKER = '.tufkit-demo';
const BINS = 16;

/** Sample target files: a small release tree. */
function sampleFiles(): Record<string, Uint8Array> {
  const text = (s: string) => new TextEncoder().encode(s);
  const files: Record<string, Uint8Array> = {
    'README.txt': text('tufkit demo: these files are TUF targets.\n'),
    'app/1.0.0/app.js': text('console.log("hello from app 1.0.0");\n'),
    'app/1.0.0/manifest.json': text(JSON.stringify({ name: 'app', version: '1.0.0' }, null, 2) + '\n'),
    'app/1.0.0/app.bin': new Uint8Array(randomBytes(1 << 20)),
  };
  for (let i = 0; i < 20; i++) files[`docs/page-${String(i).padStart(2, '0')}.md`] = text(`# Page ${i}\n\nSigned, versioned, verifiable.\n`);
  return files;
}

/** `tufkit demo`. */
export const demoCommand = command({
  name: 'demo',
  summary: 'run the whole cycle end to end: keys, repository, bins, publish, serve, client update, verify',
  description:
    'Create keys and a repository in DIR/work, add sample targets delegated to 16 hashed bins, sign and ' +
    'publish to DIR/repository, serve it on 127.0.0.1, update a TUF client (tufkit\'s Updater) from it and ' +
    'download a target, publish an update that re-signs only the bin it touches, refresh the client, and ' +
    'verify every metadata file and target over HTTP. Needs no hardware and no network.\n\n' +
    'DIR/repository is a complete static TUF repository (metadata/1.root.json is its trust anchor), ready ' +
    'for any TUF client. DIR is replaced when it holds an earlier demo; any other non-empty DIR is refused.',
  args: [{ name: 'DIR', description: 'output directory (default demo-out)', optional: true }],
  options: [{ name: 'keep-serving', kind: 'flag', description: 'keep serving DIR/repository on loopback until interrupted' }],
  async run(ctx) {
    const dir = resolve(ctx.cwd, ctx.args.get('DIR') ?? 'demo-out');
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      if (!existsSync(join(dir, MARKER))) throw new UsageError(`${dir} is not empty and holds no earlier demo; choose another DIR`);
      await rm(dir, { recursive: true, force: true });
    }
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, MARKER), 'made by tufkit demo; the whole directory is replaced by the next demo run\n');
    const work = join(dir, 'work');
    const published = join(dir, 'repository');
    const s = ctx.out.style;
    const steps = 9;
    let n = 0;
    const step = (title: string) => ctx.out.print(`\n${s.bold(`[${++n}/${steps}]`)} ${s.bold(title)}`);
    const say = (line: string) => ctx.out.print(`      ${line}`);
    const t0 = Date.now();

    step('keys');
    const demoKeys = await provisionDemoKeys(work, [...TOP_LEVEL_ROLE_NAMES, 'bins'], ctx.env);
    for (const line of demoKeys.description) say(line);
    for (const [name, k] of demoKeys.keys) say(`${name.padEnd(9)} ${k.key.keyid}`);
    const key = (name: string) => demoKeys.keys.get(name) as NonNullable<ReturnType<typeof demoKeys.keys.get>>;
    const ring = new KeyRing(new Map(), { baseDir: work, passphrase: demoKeys.passphrase });
    for (const k of demoKeys.keys.values()) ring.add(k.signer);

    step('create the repository');
    const repo = await Repository.init(work, {
      roles: {
        root: { keys: [key('root')] },
        targets: { keys: [key('targets')] },
        snapshot: { keys: [key('snapshot')] },
        timestamp: { keys: [key('timestamp')] },
      },
      targetHashAlgorithms: ['sha256', 'sha512'],
      publishDir: '../repository',
    });
    await repo.sign([...TOP_LEVEL_ROLE_NAMES], ring);
    await repo.save();
    say(`working directory ${work} (tufkit.json, metadata/, targets/, keys/${existsSync(join(work, 'softhsm')) ? ', softhsm/' : ''})`);
    say(`root, targets, snapshot, timestamp v1 signed; consistent snapshots on; expiry root 365 d, targets 90 d, snapshot 7 d, timestamp 1 d`);

    step(`delegate targets to ${BINS} hashed bins (TAP 15)`);
    const bins = await repo.delegateHashedBins('targets', { bins: BINS, namePrefix: 'bins', keys: [key('bins').key] });
    repo.config.signers.set(key('bins').key.keyid, key('bins').uri);
    await repo.saveConfig();
    say(`${bins[0]} … ${bins[bins.length - 1]}, signed by key ${shortId(key('bins').key.keyid)}; a target goes to the bin of sha256(path)`);

    step('add sample targets');
    const samples = join(dir, 'samples');
    const files = sampleFiles();
    for (const [path, bytes] of Object.entries(files)) {
      await mkdir(join(samples, ...path.split('/').slice(0, -1)), { recursive: true });
      await writeFile(join(samples, ...path.split('/')), bytes);
    }
    const added = await repo.addTargets(
      Object.keys(files).map((path) => ({ path, source: join(samples, ...path.split('/')), ...(path.endsWith('.bin') ? { custom: { arch: 'x86_64' } } : {}) })),
      { progress: ctx.out.progress },
    );
    const bytes = Object.values(files).reduce((t, b) => t + b.length, 0);
    say(`${added.changed.length} files (${bytes} bytes) from ${samples}: length, sha256 and sha512 each`);
    say(`placed in ${added.roles.length} of ${BINS} bins`);

    step('sign and publish');
    const signed = await repo.sign(await repo.unpublishedRoles(), ring, { progress: ctx.out.progress });
    await repo.save();
    const report = await publish(repo, { keyring: ring, progress: ctx.out.progress });
    say(`signed ${signed.filter((o) => o.signedBy.length).length} roles; published ${report.metadata.length} metadata files and ${report.targetFiles} target files (one per hash) to ${published}`);
    say(`trust anchor: ${join(published, 'metadata', '1.root.json')}`);

    step('serve on loopback and update a client');
    let server: StaticServer | undefined = await serveDirectory(published);
    try {
      say(`serving ${published} at ${server.url}`);
      const clientDir = join(dir, 'client');
      await mkdir(join(clientDir, 'metadata'), { recursive: true });
      await copyFile(join(published, 'metadata', '1.root.json'), join(clientDir, 'metadata', 'root.json'));
      const updater = new Updater({
        metadataDir: join(clientDir, 'metadata'),
        metadataBaseUrl: `${server.url}metadata/`,
        targetBaseUrl: `${server.url}targets/`,
        targetDir: join(clientDir, 'downloads'),
      });
      await updater.refresh();
      const trusted = updater.trustedMetadata;
      say(`tufkit client (src/client Updater), trusting 1.root.json: refreshed to root v${trusted.root.signed.version}, timestamp v${trusted.timestamp?.signed.version}, snapshot v${trusted.snapshot?.signed.version}, targets v${trusted.targets?.signed.version}`);
      const wanted = 'app/1.0.0/app.bin';
      const info = await updater.getTargetInfo(wanted);
      if (info === undefined) throw new Error(`the client found no ${wanted}`);
      const bin = (await repo.targets()).signed.delegations?.succinctRoles?.getRoleForTarget(wanted);
      await mkdir(join(clientDir, 'downloads'), { recursive: true });
      const path = await updater.downloadTarget(info, join(clientDir, 'downloads', 'app.bin'));
      const same = Buffer.from(await readFile(path)).equals(Buffer.from(files[wanted] as Uint8Array));
      say(`found ${wanted} in ${bin} (custom ${JSON.stringify(info.custom)}); downloaded ${info.length} bytes to ${path}, length + sha256 + sha512 verified${same ? ', identical to the original' : ''}`);
      if (!same) throw new Error('the downloaded target differs from the original');

      step('publish an update: one new target re-signs one bin');
      const update = await Repository.open(work);
      const extra = join(samples, 'app', '1.0.1', 'app.js');
      await mkdir(join(samples, 'app', '1.0.1'), { recursive: true });
      await writeFile(extra, 'console.log("hello from app 1.0.1");\n');
      const upd = await update.addTargets([{ path: 'app/1.0.1/app.js', source: extra }]);
      const updRing = new KeyRing(new Map(), { baseDir: work });
      for (const k of demoKeys.keys.values()) updRing.add(k.signer);
      const resigned = await update.sign(await update.unpublishedRoles(), updRing);
      await update.save();
      const updReport = await publish(update, { keyring: updRing });
      say(`added app/1.0.1/app.js → ${upd.roles.join(', ')}; re-signed ${resigned.map((o) => o.role).join(', ')}; published ${updReport.metadata.join(', ')}`);
      const updater2 = new Updater({
        metadataDir: join(clientDir, 'metadata'),
        metadataBaseUrl: `${server.url}metadata/`,
        targetBaseUrl: `${server.url}targets/`,
        targetDir: join(clientDir, 'downloads'),
      });
      await updater2.refresh();
      const newInfo = await updater2.getTargetInfo('app/1.0.1/app.js');
      if (newInfo === undefined) throw new Error('the client does not see the update');
      await updater2.downloadTarget(newInfo, join(clientDir, 'downloads', 'app-1.0.1.js'));
      say(`client refreshed to snapshot v${updater2.trustedMetadata.snapshot?.signed.version}, timestamp v${updater2.trustedMetadata.timestamp?.signed.version}; downloaded and verified app/1.0.1/app.js`);

      step('bulk-verify the whole repository over HTTP');
      const started = Date.now();
      const bulk = await updater2.loadDelegatedRoles('targets');
      say(`client bulk pass: ${bulk.loaded.length} bins trusted in one signature batch${bulk.failures.size ? `, ${bulk.failures.size} FAILED` : ''}`);
      const verified = await verifyPublished(new HttpSource(server.url), {
        trustedRoot: await readFile(join(published, 'metadata', '1.root.json')),
        checkTargets: true,
        progress: ctx.out.progress,
      });
      const okRoles = verified.roles.filter((r) => r.ok).length;
      say(
        `tufkit verify ${server.url}: root chain to v${verified.rootVersion}, ${okRoles}/${verified.roles.length} roles and ` +
          `${(verified.targets?.checked ?? 0) - (verified.targets?.failed.length ?? 0)}/${verified.targets?.checked ?? 0} targets verified in ${Date.now() - started} ms ` +
          `(${server.log.length} HTTP requests served)`,
      );
      if (!verified.ok || bulk.failures.size) {
        for (const p of verified.problems) say(s.red(p));
        throw new Error('the published repository does not verify');
      }

      step('done');
      say(`${s.green('OK')} in ${((Date.now() - t0) / 1000).toFixed(1)} s. The published repository is ${s.bold(published)}:`);
      say(`  metadata/1.root.json  the trust anchor to give clients`);
      say(`  metadata/             ${readdirSync(join(published, 'metadata')).length} files (N.root.json, timestamp.json, versioned snapshot/targets/bins)`);
      say(`  targets/              hash-prefixed target files`);
      say(`Serve it with any static web server, e.g. 'tufkit serve ${published}'; check it with 'tufkit verify ${published} --targets'.`);
      say(`Signature checks used the default verifier (${describeVerifier()}).`);
      if (ctx.options.flag('keep-serving')) {
        say(`serving ${server.url} until interrupted (Ctrl-C)`);
        await new Promise<void>((done) => process.once('SIGINT', () => done()));
      }
    } finally {
      await server?.close();
      server = undefined;
    }
    return {
      dir,
      repository: published,
      trustAnchor: join(published, 'metadata', '1.root.json'),
      roles: TOP_LEVEL_ROLE_NAMES.length + BINS,
      targets: Object.keys(files).length + 1,
    };
  },
});

function describeVerifier(): string {
  const verifier = getDefaultVerifier();
  if (!(verifier instanceof EngineVerifier)) return 'custom';
  const engine = verifier.engine;
  if (!(engine instanceof AutoEngine)) return engine.name;
  const of = (scheme: string) => engine.engineFor(scheme).name;
  return `auto: Ed25519 on ${of('ed25519')}, ECDSA P-256 on ${of('ecdsa-sha2-nistp256')}`;
}
