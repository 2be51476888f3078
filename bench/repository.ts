/**
 * Repository tooling at scale: 100,000 targets added to a repository of 1,024 hashed bins,
 * signed and published; then one more target (touching one bin); then a verification of the
 * whole published repository. Time per phase and peak RSS.
 *
 * Peers measured in the same run:
 * - the floor of the file work: hashing the 100,000 files alone (node:crypto, same concurrency)
 *   and copying them alone (fs.copyFile) — tufkit's add and publish against them;
 * - tuf-js's models (@tufjs/models 4.1.0): building, signing (the same node:crypto Ed25519) and
 *   serializing the same 1,024 bins — against tufkit doing the same in memory;
 * - JSON.stringify: canonical JSON of one 100,000-target role (issue target: ≤ 3x).
 */
import { createHash, generateKeyPairSync, sign as edSign } from 'node:crypto';
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCanonical, Key, Metadata, Signature, TargetFile, Targets } from '../src/index.js';
import { publish } from '../src/repository/publish.js';
import { listFiles, Repository } from '../src/repository/repository.js';
import { KeyRing } from '../src/repository/signers.js';
import { DirectorySource, verifyPublished } from '../src/repository/verify-published.js';
import { FileSigner } from '../src/signers/file.js';
import { mapLimit } from '../src/util/pool.js';
import { fmt, measure, peakRssMiB, table } from './_util.js';

const N = Number(process.env['BENCH_TARGETS'] ?? 100_000);
const BINS = 1024;
const dir = join(tmpdir(), `tufkit-bench-repo-${process.pid}`);
const ms = (t: number) => performance.now() - t;

await rm(dir, { recursive: true, force: true });
await mkdir(join(dir, 'keys'), { recursive: true });
const keys: Record<string, FileSigner> = {};
for (const role of ['root', 'targets', 'snapshot', 'timestamp', 'bins']) {
  keys[role] = await FileSigner.generate('ed25519').writeFile(join(dir, 'keys', `${role}.pem`), null);
}
const ref = (role: string) => ({ key: keys[role]!.publicKey, uri: `file:keys/${role}.pem` });
const repo = await Repository.init(dir, {
  roles: { root: { keys: [ref('root')] }, targets: { keys: [ref('targets')] }, snapshot: { keys: [ref('snapshot')] }, timestamp: { keys: [ref('timestamp')] } },
});
await repo.delegateHashedBins('targets', { bins: BINS, keys: [keys['bins']!.publicKey] });
repo.config.signers.set(keys['bins']!.publicKey.keyid, 'file:keys/bins.pem');
await repo.saveConfig();
const ring = () => new KeyRing(repo.config.signers, { baseDir: dir });
await repo.sign(await repo.unpublishedRoles(), ring());
await repo.save();
await publish(repo, { keyring: ring() });

// The target files: N small files (100–1100 bytes) in 100 directories.
let t = performance.now();
const paths: string[] = [];
for (let i = 0; i < N; i++) paths.push(`pkg-${i % 100}/file-${i}.txt`);
for (let d = 0; d < 100; d++) await mkdir(join(dir, 'targets', `pkg-${d}`), { recursive: true });
await mapLimit(paths, 32, (p, i) => writeFile(join(dir, 'targets', p), `target ${i} `.padEnd(100 + (i % 1000), '.')));
const writeMs = ms(t);
console.log(`${N} target files written in ${fmt(writeMs / 1000)} s (${dir}); ${BINS} bins`);

// 1. add: hash every file, route to bins, stage the changed bins.
const opened = await Repository.open(dir);
t = performance.now();
const added = await opened.addTargetsFromWorkingTree();
await opened.save();
const addMs = ms(t);
// 2. sign the changed bins (and targets? no: only bins changed).
t = performance.now();
const signed = await opened.sign(await opened.unpublishedRoles(), ring());
await opened.save();
const signMs = ms(t);
// 3. publish: snapshot/timestamp, checks, N target files (hash-prefixed), bins' metadata.
t = performance.now();
const published = await publish(opened, { keyring: ring() });
const publishMs = ms(t);
const rssAfterPublish = peakRssMiB();
// 4. one more target: one bin, snapshot, timestamp.
await writeFile(join(dir, 'targets', 'late.txt'), 'one more');
const again = await Repository.open(dir);
t = performance.now();
const one = await again.addTargets([{ path: 'late.txt' }]);
const oneSigned = await again.sign(await again.unpublishedRoles(), ring());
await again.save();
const onePublished = await publish(again, { keyring: ring() });
const oneMs = ms(t);
// 5. verify everything published (every role's signatures in level batches; no target files).
t = performance.now();
const verified = await verifyPublished(new DirectorySource(join(dir, 'repository')));
const verifyMs = ms(t);
if (!verified.ok) throw new Error(`verification failed: ${verified.problems.slice(0, 3).join('; ')}`);
const rss = peakRssMiB();

table(
  ['phase', 'seconds', 'what'],
  [
    [`add ${N} targets`, addMs / 1000, `hash (sha256, 16 files at a time), route to ${added.roles.length} bins, write them`],
    ['sign', signMs / 1000, `${signed.filter((s) => s.signedBy.length).length} roles (Ed25519 file key)`],
    ['publish', publishMs / 1000, `${published.targetFiles} target files + ${published.metadata.length} metadata files`],
    ['add 1 target + sign + publish', oneMs / 1000, `${one.roles.length} bin re-signed (${oneSigned.map((s) => s.role).join(', ')}); wrote ${onePublished.metadata.join(', ')}`],
    ['verify the published repository', verifyMs / 1000, `${verified.roles.length} roles from 1.root.json`],
  ],
);
console.log(`peak RSS: ${fmt(rssAfterPublish)} MiB after add + sign + publish; ${fmt(rss)} MiB after all phases above (whole process)`);

// Peers: the raw file work.
const files = await listFiles(join(dir, 'targets'));
t = performance.now();
await mapLimit(files, 16, async (f) => createHash('sha256').update(await readFile(f)).digest('hex'));
const hashOnly = ms(t);
const copyDir = join(dir, 'copy-floor');
await mkdir(copyDir);
t = performance.now();
await mapLimit(files, 16, (f, i) => copyFile(f, join(copyDir, String(i))));
const copyOnly = ms(t);
console.log();
table(
  ['file work', 'seconds', 'ratio'],
  [
    ['floor: read + sha256 every file (readFile, node:crypto; 16 at a time)', hashOnly / 1000, 1],
    ['tufkit add (hash + route + stage)', addMs / 1000, addMs / hashOnly],
    ['floor: copy every file (fs.copyFile, 16 at a time)', copyOnly / 1000, 1],
    ['tufkit publish (copy + re-hash + link + metadata)', publishMs / 1000, publishMs / copyOnly],
  ],
);

// Peer: tuf-js's models building, signing and serializing the same bins.
const bins = new Map<string, TargetFile[]>();
for (const name of await opened.roleNames()) {
  if (!name.startsWith('bins-')) continue;
  bins.set(name, [...(await opened.targets(name)).signed.targets.values()]);
}
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const hex = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url').toString('hex');
const key = Key.create('ed25519', 'ed25519', { public: hex });
const expires = new Date('2030-01-01T00:00:00Z');
const oursMs = measure(
  () => {
    for (const list of bins.values()) {
      const md = new Metadata(new Targets({ version: 2, expires, targets: new Map(list.map((f) => [f.path, f])) }));
      md.signatures.set(key.keyid, Signature.fromBytes(key.keyid, edSign(null, md.signedBytes(), privateKey)));
      md.toBytes();
    }
  },
  { ms: 3000, minRuns: 3, warmup: 1 },
);
let tufjsMs = NaN;
try {
  const m = (await import('@tufjs/models' as string)) as typeof import('@tufjs/models');
  tufjsMs = measure(
    () => {
      for (const list of bins.values()) {
        const targets: Record<string, InstanceType<typeof m.TargetFile>> = {};
        for (const f of list) targets[f.path] = new m.TargetFile({ path: f.path, length: f.length, hashes: f.hashes });
        const md = new m.Metadata(new m.Targets({ version: 2, specVersion: '1.0.31', expires: '2030-01-01T00:00:00Z', targets }));
        md.sign((data: Buffer) => new m.Signature({ keyID: key.keyid, sig: edSign(null, data, privateKey).toString('hex') }));
        JSON.stringify(md.toJSON());
      }
    },
    { ms: 3000, minRuns: 3, warmup: 1 },
  );
} catch (err) {
  console.log(`(@tufjs/models unavailable: ${(err as Error).message})`);
}
console.log();
table(
  [`build + sign + serialize ${BINS} bins (${N} targets)`, 'ms', 'ratio to tuf-js'],
  [
    ['@tufjs/models 4.1.0 (Metadata.sign, JSON.stringify)', tufjsMs, 1],
    ['tufkit (Metadata, signedBytes, toBytes: python-tuf format)', oursMs, oursMs / tufjsMs],
  ],
);

// Canonical JSON of one 100,000-target role vs JSON.stringify.
const all = new Map<string, TargetFile>();
for (const list of bins.values()) for (const f of list) all.set(f.path, f);
const big = new Targets({ version: 1, expires, targets: all }).toDict();
const stringify = measure(() => JSON.stringify(big));
const canonical = measure(() => encodeCanonical(big));
console.log();
table(
  [`one role with ${all.size} targets`, 'ms', 'ratio to JSON.stringify'],
  [
    ['JSON.stringify(signed)', stringify, 1],
    ['tufkit encodeCanonical(signed) → bytes', canonical, canonical / stringify],
  ],
);
console.log(`canonical JSON target ≤ 3x JSON.stringify: ${canonical / stringify <= 3 ? 'met' : 'NOT met'}`);
await rm(dir, { recursive: true, force: true });
