/**
 * Canonical JSON and whole-document work on a targets role with 100,000 targets
 * (issue: serializing must not be slower than JSON.stringify by more than 3x).
 * Peers in the same run: JSON.stringify / JSON.parse, and @tufjs/canonical-json when installed.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { encodeCanonical, Key, Metadata, Signature, TargetFile, Targets } from '../src/index.js';
import { measure, measureAsync, table } from './_util.js';

const N = 100_000;
const targets = new Map<string, TargetFile>();
for (let i = 0; i < N; i++) {
  const path = `packages/pkg-${i % 977}/release-${i}.tar.gz`;
  targets.set(path, new TargetFile(1000 + i, { sha256: (i.toString(16) + 'ab'.repeat(32)).slice(0, 64) }, path, { custom: { build: i } }));
}
const md = new Metadata(new Targets({ version: 7, expires: new Date('2030-01-01T00:00:00Z'), targets }));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const key = Key.create('ed25519', 'ed25519', { public: publicKey.export({ format: 'der', type: 'spki' }).subarray(-32).toString('hex') });
await md.sign({ publicKey: key, sign: async (p) => Signature.fromBytes(key.keyid, sign(null, p, privateKey)) });
const signedDict = md.signed.toDict();
const fileBytes = md.toBytes();
const fileText = Buffer.from(fileBytes).toString('utf8');
console.log(`targets role: ${N} targets, file ${(fileBytes.length / 2 ** 20).toFixed(1)} MiB`);

const stringify = measure(() => JSON.stringify(signedDict));
const canonical = measure(() => encodeCanonical(signedDict));
const toDictCanonical = measure(() => md.signedBytes());
const parse = measure(() => JSON.parse(fileText));
const fromBytes = measure(() => Metadata.fromBytes(fileBytes));
const verifyCold = measure(() => {
  const m = Metadata.fromBytes(fileBytes);
  if (!key.verifySignature(m.signatures.get(key.keyid)!, m.signedBytes())) throw new Error('bad');
});
const rows: (string | number)[][] = [
  ['JSON.stringify(signed)', stringify, 1],
  ['tufkit encodeCanonical(signed) → bytes', canonical, canonical / stringify],
  ['tufkit Metadata.signedBytes() (toDict + canonical)', toDictCanonical, toDictCanonical / stringify],
];
try {
  const tufjs = (await import('@tufjs/canonical-json' as string)) as { canonicalize: (o: unknown) => Buffer };
  const t = measure(() => tufjs.canonicalize(signedDict));
  rows.push(['@tufjs/canonical-json canonicalize(signed)', t, t / stringify]);
} catch {
  rows.push(['@tufjs/canonical-json (not installed)', NaN, NaN]);
}
table(['serialize', 'ms', 'ratio to JSON.stringify'], rows);
console.log();
table(
  ['read', 'ms', 'ratio to JSON.parse'],
  [
    ['JSON.parse(file)', parse, 1],
    ['tufkit Metadata.fromBytes(file)', fromBytes, fromBytes / parse],
    ['tufkit cold verify (fromBytes + signedBytes + Ed25519)', verifyCold, verifyCold / parse],
  ],
);
void measureAsync;
