/**
 * The metadata model without fixtures: construction defaults, validation with typed errors
 * naming field and value, unrecognized fields at every level, key management, delegation
 * rules (spec §4.3–§4.6, §5.6.7, TAP 15) and threshold counting.
 */
import { generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DelegatedRole,
  Delegations,
  DeserializationError,
  fnmatch,
  Key,
  Metadata,
  MetaFile,
  Role,
  Root,
  Signature,
  Snapshot,
  StorageError,
  SuccinctRoles,
  TargetFile,
  Targets,
  Timestamp,
  UnsignedMetadataError,
  ValueError,
  LengthOrHashMismatchError,
  type JsonObject,
  type Signer,
} from '../../src/index.js';

/** An in-memory Ed25519 signer for tests. */
function ed25519Signer(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const key = Key.create('ed25519', 'ed25519', { public: raw.toString('hex') });
  return { publicKey: key, sign: async (payload) => Signature.fromBytes(key.keyid, cryptoSign(null, payload, privateKey)) };
}

const expires = new Date('2030-01-01T00:00:00Z');

function rootDict(): JsonObject {
  const root = new Root({ expires });
  const signer = ed25519Signer();
  for (const role of ['root', 'timestamp', 'snapshot', 'targets']) root.addKey(signer.publicKey, role);
  return new Metadata(root).toDict();
}

describe('defaults (as python-tuf)', () => {
  it('version 1, spec 1.0.31, consistent_snapshot true, four empty roles, threshold 1', () => {
    const root = new Root();
    expect(root.version).toBe(1);
    expect(root.specVersion).toBe('1.0.31');
    expect(root.consistentSnapshot).toBe(true);
    expect([...root.roles.keys()].sort()).toEqual(['root', 'snapshot', 'targets', 'timestamp']);
    expect([...root.roles.values()].every((r) => r.threshold === 1 && r.keyids.length === 0)).toBe(true);
    expect(new Timestamp().snapshotMeta.version).toBe(1);
    expect([...new Snapshot().meta.keys()]).toEqual(['targets.json']);
    expect(new Targets().targets.size).toBe(0);
    expect(new Targets().delegations).toBeUndefined();
  });

  it('expires defaults to now, whole seconds; isExpired is true at and after expires', () => {
    const t = new Timestamp({ expires: new Date('2030-01-01T00:00:00.900Z') });
    expect(t.expiresString).toBe('2030-01-01T00:00:00Z');
    expect(t.isExpired(new Date('2029-12-31T23:59:59Z'))).toBe(false);
    expect(t.isExpired(new Date('2030-01-01T00:00:00Z'))).toBe(true);
    expect(Math.abs(new Snapshot().expires.getTime() - Date.now())).toBeLessThan(2000);
  });
});

describe('validation: typed errors naming field and value', () => {
  const cases: [string, (d: any) => void, RegExp][] = [
    ['version 0', (d) => (d.signed.version = 0), /signed\.version: expected an integer ≥ 1, found 0/],
    ['version as string', (d) => (d.signed.version = '1'), /signed\.version: expected an integer ≥ 1, found "1"/],
    ['version fractional', (d) => (d.signed.version = 1.5), /signed\.version: expected an integer ≥ 1, found 1.5/],
    ['expires form', (d) => (d.signed.expires = '2030-01-01 00:00:00'), /signed\.expires: "2030-01-01 00:00:00" is not in the form/],
    ['expires impossible date', (d) => (d.signed.expires = '2030-02-30T00:00:00Z'), /"2030-02-30T00:00:00Z" is not a valid date-time/],
    ['spec_version major', (d) => (d.signed.spec_version = '2.0.0'), /spec version 2\.0\.0 is not supported/],
    ['spec_version form', (d) => (d.signed.spec_version = '1'), /"1" is not a version like 1\.0\.31/],
    ['_type', (d) => (d.signed._type = 'mirrors'), /signed\._type: expected root, timestamp, snapshot or targets, found "mirrors"/],
    ['threshold 0', (d) => (d.signed.roles.root.threshold = 0), /signed\.roles\.root\.threshold: expected an integer ≥ 1, found 0/],
    ['duplicate keyids', (d) => d.signed.roles.root.keyids.push(d.signed.roles.root.keyids[0]), /signed\.roles\.root\.keyids: ".*" is listed twice/],
    ['missing role', (d) => delete d.signed.roles.snapshot, /signed\.roles: must be exactly the top-level roles; missing snapshot/],
    ['extra role', (d) => (d.signed.roles.mirror = { keyids: [], threshold: 1 }), /unexpected mirror/],
    ['consistent_snapshot type', (d) => (d.signed.consistent_snapshot = 'yes'), /signed\.consistent_snapshot: expected true or false, found "yes"/],
    ['keyval.public missing', (d) => (Object.values(d.signed.keys)[0] as any).keyval = {}, /keyval\.public: expected a string/],
    ['keys not an object', (d) => (d.signed.keys = []), /signed\.keys: expected an object, found \[\]/],
    ['signatures not a list', (d) => (d.signatures = {}), /signatures: expected an array, found \{\}/],
    ['signature without sig', (d) => (d.signatures = [{ keyid: 'a' }]), /signatures\[0\]\.sig: expected a string, found nothing/],
    ['two signatures by one key', (d) => d.signatures.push({ ...d.signatures[0] }), /signatures\[1\]\.keyid: more than one signature by key/],
    ['signed missing', (d) => delete d.signed, /signed: expected an object, found nothing/],
  ];
  for (const [what, mutate, message] of cases) {
    it(what, async () => {
      const doc = structuredClone(rootDict());
      (doc as any).signatures = [{ keyid: 'ab', sig: 'cd' }];
      mutate(doc);
      const bytes = Buffer.from(JSON.stringify(doc));
      expect(() => Metadata.fromBytes(bytes)).toThrow(DeserializationError);
      expect(() => Metadata.fromBytes(bytes)).toThrow(message);
    });
  }

  it('timestamp meta must hold exactly snapshot.json', () => {
    const doc = new Metadata(new Timestamp({ expires })).toDict() as any;
    doc.signed.meta['targets.json'] = { version: 1 };
    expect(() => Metadata.fromDict(doc)).toThrow(/timestamp meta must hold exactly "snapshot.json"/);
  });

  it('meta files and target files: lengths, versions and hashes', () => {
    const snap = new Metadata(new Snapshot({ expires })).toDict() as any;
    snap.signed.meta['targets.json'] = { version: 1, length: -1 };
    expect(() => Metadata.fromDict(snap)).toThrow(/signed\.meta\["targets\.json"\]\.length: expected a non-negative integer, found -1/);
    snap.signed.meta['targets.json'] = { version: 1, hashes: {} };
    expect(() => Metadata.fromDict(snap)).toThrow(/hashes must not be empty/);
    const targets = new Metadata(new Targets({ expires })).toDict() as any;
    targets.signed.targets['a.txt'] = { length: 1, hashes: { sha256: 7 } };
    expect(() => Metadata.fromDict(targets)).toThrow(/targets\.a\.txt\.hashes\.sha256: expected a string, found 7/);
  });

  it('delegations: exactly one of paths / path_hash_prefixes, of roles / succinct_roles; no top-level names', () => {
    const base = () => ({ keys: {}, roles: [{ name: 'a', keyids: [], threshold: 1, terminating: false, paths: ['*'] }] }) as any;
    const parse = (d: unknown) => Delegations.fromDict(d);
    expect(parse(base()).roles?.get('a')?.paths).toEqual(['*']);
    const both = base();
    both.roles[0].path_hash_prefixes = ['ab'];
    expect(() => parse(both)).toThrow(/exactly one of "paths" and "path_hash_prefixes"/);
    const top = base();
    top.roles[0].name = 'targets';
    expect(() => parse(top)).toThrow(/"targets" is empty or a top-level role name/);
    const twice = base();
    twice.roles.push(twice.roles[0]);
    expect(() => parse(twice)).toThrow(/role "a" is delegated twice/);
    const neither = { keys: {} };
    expect(() => parse(neither)).toThrow(/exactly one of "roles" and "succinct_roles"/);
    expect(() => parse({ keys: {}, succinct_roles: { keyids: [], threshold: 1, bit_length: 33, name_prefix: 'bin' } })).toThrow(
      /bit_length: must be at most 32, found 33/,
    );
  });

  it('bytes that are not UTF-8 JSON, a byte-order mark, or a non-object', () => {
    expect(() => Metadata.fromBytes(new Uint8Array([0xff, 0xfe]))).toThrow(/metadata is not valid UTF-8/);
    expect(() => Metadata.fromBytes(Buffer.from('\ufeff{}'))).toThrow(/metadata is not valid JSON/);
    expect(() => Metadata.fromBytes(Buffer.from('{"signed":'))).toThrow(/metadata is not valid JSON/);
    expect(() => Metadata.fromBytes(Buffer.from('[]'))).toThrow(/metadata: expected an object, found \[\]/);
    expect(() => Metadata.fromBytes(Buffer.from('null'))).toThrow(/metadata: expected an object, found null/);
  });

  it('no mutation of a valid document makes the parser throw anything but DeserializationError (property)', () => {
    const docs = [
      rootDict(),
      new Metadata(new Timestamp({ expires, snapshotMeta: new MetaFile(3, 10, { sha256: 'ab' }) })).toDict(),
      new Metadata(
        new Targets({
          expires,
          targets: new Map([['a.txt', new TargetFile(3, { sha256: 'ab' }, 'a.txt', { custom: { x: 1 } })]]),
          delegations: new Delegations({
            keys: new Map(),
            roles: new Map([['r', new DelegatedRole({ name: 'r', keyids: ['k'], paths: ['a/*'] })]]),
          }),
        }),
      ).toDict(),
    ];
    const anyJson = fc.jsonValue({ maxDepth: 2 });
    // Paths into a document, to replace or delete one value.
    const paths = (v: unknown, prefix: (string | number)[] = []): (string | number)[][] =>
      typeof v === 'object' && v !== null
        ? [prefix, ...Object.entries(v).flatMap(([k, c]) => paths(c, [...prefix, Array.isArray(v) ? Number(k) : k]))]
        : [prefix];
    fc.assert(
      fc.property(fc.nat({ max: docs.length - 1 }), fc.nat(), anyJson, fc.boolean(), (d, p, replacement, remove) => {
        const doc = structuredClone(docs[d]) as any;
        const all = paths(doc).filter((x) => x.length > 0);
        const path = all[p % all.length]!;
        let parent = doc;
        for (const k of path.slice(0, -1)) parent = parent[k];
        const last = path[path.length - 1]!;
        if (remove && !Array.isArray(parent)) delete parent[last];
        else parent[last] = replacement;
        try {
          Metadata.fromDict(doc);
        } catch (err) {
          if (!(err instanceof DeserializationError)) throw err;
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('constructors refuse bad values with ValueError', () => {
    expect(() => new Root({ version: 0 })).toThrow(ValueError);
    expect(() => new Role(['a'], 0)).toThrow(/threshold: must be an integer ≥ 1, found 0/);
    expect(() => new Role(['a', 'a'])).toThrow(/"a" is listed twice/);
    expect(() => new MetaFile(0)).toThrow(/meta version: must be an integer ≥ 1/);
    expect(() => new TargetFile(-1, { sha256: 'x' }, 'p')).toThrow(/length must be an integer ≥ 0/);
    expect(() => new TargetFile(1, {}, 'p')).toThrow(/hashes must not be empty/);
    expect(() => new SuccinctRoles({ keyids: [], bitLength: 0, namePrefix: 'b' })).toThrow(/bit_length: must be an integer in 1–32/);
    expect(() => new DelegatedRole({ name: 'x', keyids: [] })).toThrow(/exactly one of paths and path_hash_prefixes/);
    expect(() => new Root({ roles: new Map([['root', new Role([])]]) })).toThrow(/root roles: must be exactly/);
    const t = new Timestamp();
    expect(() => (t.expires = new Date('x'))).toThrow(/expires: not a valid date/);
  });
});

describe('unrecognized fields survive a round trip at every level', () => {
  it('metadata, signed, keys, roles, signatures, meta, targets, delegations, delegated roles, succinct roles', () => {
    const x = { 'x-extra': { nested: [1, 'two'] } };
    const doc = rootDict() as any;
    Object.assign(doc, x);
    Object.assign(doc.signed, x);
    Object.assign(Object.values(doc.signed.keys)[0] as object, x);
    Object.assign(doc.signed.roles.root, x);
    doc.signatures = [{ keyid: 'ab', sig: '', ...x }];
    const root = Metadata.fromDict(structuredClone(doc));
    expect(root.toDict()).toEqual(doc);
    expect(root.signed.unrecognizedFields).toEqual(x);

    const t = {
      signatures: [],
      signed: {
        _type: 'targets', spec_version: '1.0.31', version: 2, expires: '2030-01-01T00:00:00Z', ...x,
        targets: { 'a.txt': { length: 1, hashes: { sha256: 'ab' }, custom: { any: true }, ...x } },
        delegations: { keys: {}, ...x, roles: [{ name: 'r', keyids: [], threshold: 1, terminating: true, paths: ['*'], ...x }] },
      },
    };
    expect(Metadata.fromDict(structuredClone(t)).toDict()).toEqual(t);
    const s = structuredClone(t) as any;
    s.signed.delegations = { keys: {}, succinct_roles: { keyids: [], threshold: 1, bit_length: 4, name_prefix: 'bin', ...x } };
    expect(Metadata.fromDict(structuredClone(s)).toDict()).toEqual(s);
    const ts = { signatures: [], signed: { _type: 'timestamp', spec_version: '1.0', version: 1, expires: '2030-01-01T00:00:00Z', meta: { 'snapshot.json': { version: 1, ...x } } } };
    expect(Metadata.fromDict(structuredClone(ts)).toDict()).toEqual(ts);
    // Field names that are prototype tricks elsewhere are ordinary fields here.
    const tricky = JSON.parse('{"signatures":[],"signed":{"_type":"targets","spec_version":"1.0","version":1,"expires":"2030-01-01T00:00:00Z","targets":{"__proto__":{"length":1,"hashes":{"sha256":"ab"},"__proto__":{"x":1},"custom":2}}}}') as object;
    const trickyMd = Metadata.fromDict(tricky);
    const trickyFile = trickyMd.signed.type === 'targets' ? trickyMd.signed.targets.get('__proto__') : undefined;
    expect(Object.hasOwn(trickyFile?.unrecognizedFields ?? {}, '__proto__')).toBe(true);
    expect(Buffer.from(trickyMd.signedBytes()).toString()).toContain('"targets":{"__proto__":{"__proto__":{"x":1},"custom":2,"hashes":{"sha256":"ab"},"length":1}}');
    const md = Metadata.fromDict(structuredClone(t), { type: 'targets' });
    expect(md.signed.targets.get('a.txt')?.custom).toEqual({ any: true });
  });
});

describe('key management', () => {
  it('Root.addKey / revokeKey keep keys while any role uses them', () => {
    const root = new Root();
    const a = ed25519Signer().publicKey;
    root.addKey(a, 'root');
    root.addKey(a, 'root');
    root.addKey(a, 'timestamp');
    expect(root.roles.get('root')?.keyids).toEqual([a.keyid]);
    root.revokeKey(a.keyid, 'root');
    expect(root.keys.has(a.keyid)).toBe(true);
    root.revokeKey(a.keyid, 'timestamp');
    expect(root.keys.has(a.keyid)).toBe(false);
    expect(() => root.revokeKey(a.keyid, 'root')).toThrow(/is not used by root/);
    expect(() => root.addKey(a, 'mirrors')).toThrow(/"mirrors" is not a top-level role/);
  });

  it('Targets.addKey / revokeKey on delegated roles and succinct roles', () => {
    const k = ed25519Signer().publicKey;
    const targets = new Targets({
      delegations: new Delegations({ roles: new Map([['r', new DelegatedRole({ name: 'r', keyids: [], paths: ['*'] })]]) }),
    });
    targets.addKey(k, 'r');
    expect(targets.getKey(k.keyid)).toBe(k);
    targets.revokeKey(k.keyid, 'r');
    expect(targets.findKey(k.keyid)).toBeUndefined();
    expect(() => targets.addKey(k, 'nope')).toThrow(/"nope" is not delegated/);
    const bins = new Targets({ delegations: new Delegations({ succinctRoles: new SuccinctRoles({ keyids: [], bitLength: 2, namePrefix: 'bin' }) }) });
    bins.addKey(k, 'bin-3');
    expect(bins.getDelegatedRole('bin-0').keyids).toEqual([k.keyid]);
    expect(() => bins.getDelegatedRole('bin-4')).toThrow(ValueError);
    expect(() => new Targets().addKey(k, 'r')).toThrow(/has no delegations/);
  });

  it('keyids: Key.create hashes the canonical key; a given keyid is kept even if wrong', () => {
    const k = ed25519Signer().publicKey;
    expect(k.hasCanonicalKeyid()).toBe(true);
    const other = k.withKeyid('f'.repeat(64));
    expect(other.hasCanonicalKeyid()).toBe(false);
    expect(other.computeKeyid()).toBe(k.keyid);
    expect(other.sameKeyAs(k)).toBe(true);
    expect(Object.isFrozen(k.keyval)).toBe(true);
  });
});

describe('threshold verification (spec §5.3.4, §5.4.2)', () => {
  it('counts each distinct key once, ignores outsiders, skips empty signatures', async () => {
    const [a, b, c] = [ed25519Signer(), ed25519Signer(), ed25519Signer()];
    const root = new Root({ expires });
    root.addKey(a.publicKey, 'timestamp');
    const aTwice = a.publicKey.withKeyid('0'.repeat(64));
    root.addKey(aTwice, 'timestamp'); // the same key under a second keyid
    root.roles.get('timestamp')!.threshold = 2;
    const ts = new Metadata(new Timestamp({ expires }));
    const sig = await ts.sign(a);
    ts.signatures.set(aTwice.keyid, new Signature(aTwice.keyid, sig.sig)); // same bytes under both keyids
    await ts.sign(c, { append: true }); // not a key of the role
    ts.signatures.set(b.publicKey.keyid, new Signature(b.publicKey.keyid, ''));
    const result = root.getVerificationResult('timestamp', ts.signedBytes(), ts.signatures);
    expect(result.signed.size).toBe(2); // two keyids valid...
    expect(result.signedCount).toBe(1); // ...but one key
    expect(result.verified).toBe(false);
    expect(result.missing).toBe(1);
    expect(() => root.verifyDelegate('timestamp', ts.signedBytes(), ts.signatures)).toThrow(UnsignedMetadataError);
    expect(() => root.verifyDelegate('timestamp', ts.signedBytes(), ts.signatures)).toThrow(/timestamp was signed by 1\/2 required keys/);
    root.addKey(b.publicKey, 'timestamp');
    await ts.sign(b, { append: true });
    expect(root.getVerificationResult('timestamp', ts.signedBytes(), ts.signatures).verified).toBe(true);
  });

  it('getRootVerificationResult needs the old and the new threshold (rotation)', async () => {
    const [oldKey, newKey] = [ed25519Signer(), ed25519Signer()];
    const v1 = new Root({ expires });
    v1.addKey(oldKey.publicKey, 'root');
    const v2 = new Root({ expires, version: 2 });
    v2.addKey(newKey.publicKey, 'root');
    const md = new Metadata(v2);
    await md.sign(newKey);
    let r = v2.getRootVerificationResult(v1, md.signedBytes(), md.signatures);
    expect([r.first.verified, r.second.verified, r.verified]).toEqual([false, true, false]);
    await md.sign(oldKey, { append: true });
    r = v2.getRootVerificationResult(v1, md.signedBytes(), md.signatures);
    expect(r.verified).toBe(true);
    expect([...r.signed.keys()].sort()).toEqual([newKey.publicKey.keyid, oldKey.publicKey.keyid].sort());
  });

  it('malformed keys and signatures fail one signature with a reason, never the whole check', () => {
    const good = ed25519Signer();
    const root = new Root({ expires });
    const badKey = new Key('bad', 'ed25519', 'ed25519', { public: 'zz' });
    const unknown = new Key('unk', 'sphincs', 'sphincs+', { public: 'ab' });
    root.addKey(badKey, 'snapshot');
    root.addKey(unknown, 'snapshot');
    root.addKey(good.publicKey, 'snapshot');
    const sigs = new Map([
      ['bad', new Signature('bad', 'ab'.repeat(64))],
      ['unk', new Signature('unk', 'ab')],
      [good.publicKey.keyid, new Signature(good.publicKey.keyid, 'not hex')],
    ]);
    const r = root.getVerificationResult('snapshot', new Uint8Array([1]), sigs);
    expect(r.verified).toBe(false);
    expect(r.reasons.get('bad')).toMatch(/64 hex digits/);
    expect(r.reasons.get('unk')).toMatch(/"sphincs" with scheme "sphincs\+" is not supported/);
    expect(r.reasons.get(good.publicKey.keyid)).toBe('signature is not hex');
  });

  it('Metadata.sign verifies the new signature and refuses one that does not verify', async () => {
    const good = ed25519Signer();
    const liar: Signer = { publicKey: good.publicKey, sign: async () => new Signature(good.publicKey.keyid, 'ab'.repeat(64)) };
    const md = new Metadata(new Targets({ expires }));
    await expect(md.sign(liar)).rejects.toThrow(/does not verify; nothing was added/);
    expect(md.signatures.size).toBe(0);
  });
});

describe('delegations (spec §4.5, §5.6.7; TAP 15)', () => {
  it('path patterns match segment by segment with fnmatch rules ("*" never crosses "/")', () => {
    const role = new DelegatedRole({ name: 'r', keyids: [], paths: ['targets/*.tgz', 'a/?/c', 'docs/[a-c]*'] });
    expect(role.isDelegatedPath('targets/foo.tgz')).toBe(true);
    expect(role.isDelegatedPath('targets/sub/foo.tgz')).toBe(false);
    expect(role.isDelegatedPath('a/b/c')).toBe(true);
    expect(role.isDelegatedPath('a/bb/c')).toBe(false);
    expect(role.isDelegatedPath('docs/alpha')).toBe(true);
    expect(role.isDelegatedPath('docs/delta')).toBe(false);
    // Python's fnmatch.fnmatchcase answers, computed with CPython 3.11:
    const python: [string, string, boolean][] = [
      ['foo.tgz', '*.tgz', true], ['foo.tgz', 'f?o.tgz', true], ['foo.tgz', '[a-f]oo.tgz', true], ['foo.tgz', '[!f]oo.tgz', false],
      ['[x', '[x', true], ['a]', '[]]', false], ['b', '[z-a]', false], ['c', '[!]', false], ['FOO.tgz', '*.tgz', true],
      ['x\ny', 'x?y', true], ['a-', '[a-]', false], ['-', '[a-]', true], ['.hidden', '*', true], ['[!]', '[!]', true],
    ];
    for (const [name, pattern, expected] of python) expect(fnmatch(name, pattern), `${name} ~ ${pattern}`).toBe(expected);
  });

  it('path_hash_prefixes match on the hex SHA-256 of the target path', () => {
    const role = new DelegatedRole({ name: 'r', keyids: [], pathHashPrefixes: ['e19627'] });
    expect(role.isDelegatedPath('targets/file.txt')).toBe(true); // sha256 starts e19627
    expect(role.isDelegatedPath('targets/file2.txt')).toBe(false);
  });

  it('getRolesForTarget yields matching roles in order, with terminating', () => {
    const d = new Delegations({
      roles: new Map([
        ['a', new DelegatedRole({ name: 'a', keyids: [], paths: ['*.txt'], terminating: true })],
        ['b', new DelegatedRole({ name: 'b', keyids: [], paths: ['*'] })],
        ['c', new DelegatedRole({ name: 'c', keyids: [], paths: ['*.bin'] })],
      ]),
    });
    expect([...d.getRolesForTarget('x.txt')]).toEqual([{ name: 'a', terminating: true }, { name: 'b', terminating: false }]);
    expect([...d.getRolesForTarget('dir/x.txt')]).toEqual([]);
  });

  it('succinct roles: bins from the first bit_length bits of SHA-256 (values computed with python-tuf\'s formula)', () => {
    const expected: Record<number, Record<string, string>> = {
      1: { foo: 'bin-0', '': 'bin-1', 'targets/file.txt': 'bin-1' },
      8: { foo: 'bin-2c', 'a/b/c.tgz': 'bin-16', '': 'bin-e3', 'ö': 'bin-6d' },
      10: { foo: 'bin-0b0', 'a/b/c.tgz': 'bin-05a', 'ö': 'bin-1b6', 'targets/file.txt': 'bin-386' },
      16: { foo: 'bin-2c26', 'targets/file.txt': 'bin-e196' },
      32: { foo: 'bin-2c26b46b', 'a/b/c.tgz': 'bin-16a9e9a7', '': 'bin-e3b0c442' },
    };
    for (const [bits, table] of Object.entries(expected)) {
      const s = new SuccinctRoles({ keyids: [], bitLength: Number(bits), namePrefix: 'bin' });
      for (const [target, bin] of Object.entries(table)) {
        expect(s.getRoleForTarget(target)).toBe(bin);
        expect(s.isDelegatedRole(bin)).toBe(true);
      }
    }
    const s = new SuccinctRoles({ keyids: [], bitLength: 10, namePrefix: 'bin' });
    const all = [...s.getRoles()];
    expect(all).toHaveLength(1024);
    expect([all[0], all[1023]]).toEqual(['bin-000', 'bin-3ff']);
    for (const name of ['bin-400', 'bin-3FF', 'bin-0x1', 'bin-00', 'bin-0000', 'bins-000', 'bin-+01']) expect(s.isDelegatedRole(name), name).toBe(false);
    const d = new Delegations({ succinctRoles: s });
    expect([...d.getRolesForTarget('foo')]).toEqual([{ name: 'bin-0b0', terminating: true }]);
  });
});

describe('files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tufkit-model-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('TargetFile.fromData / fromFile compute length and hashes; verifyLengthAndHashes checks every hash', async () => {
    const data = Buffer.from('hello world\n');
    writeFileSync(join(dir, 'h.txt'), data);
    const a = TargetFile.fromData('h.txt', data, ['sha256', 'sha512']);
    const b = await TargetFile.fromFile('h.txt', join(dir, 'h.txt'), ['sha256', 'sha512']);
    expect(b.toDict()).toEqual(a.toDict());
    expect(a.hashes['sha256']).toBe('a948904f2f0f479b8f8197694b30184b0d2ed1c1cd2a1ec0fb85d299a192a447');
    a.verifyLengthAndHashes(data);
    expect(() => a.verifyLengthAndHashes(Buffer.from('hello world!'))).toThrow(LengthOrHashMismatchError);
    expect(() => a.verifyLengthAndHashes(Buffer.from('hello world!'))).toThrow(/sha256 .* does not match the expected a948/);
    const unknown = new TargetFile(data.length, { md17: 'ab' }, 'h.txt');
    expect(() => unknown.verifyLengthAndHashes(data)).toThrow(/cannot check hash "md17": unsupported algorithm/);
    expect(new TargetFile(1, { sha256: 'aa', sha512: 'bb' }, 'dir/sub/f.tgz').getPrefixedPaths()).toEqual(['dir/sub/aa.f.tgz', 'dir/sub/bb.f.tgz']);
    expect(new TargetFile(1, { sha256: 'aa' }, 'f.tgz').getPrefixedPaths()).toEqual(['aa.f.tgz']);
  });

  it('toFile writes atomically and leaves no temporary files; errors are StorageError', () => {
    const md = new Metadata(new Targets({ expires }));
    const path = join(dir, 'targets.json');
    md.toFile(path);
    expect(readFileSync(path)).toEqual(Buffer.from(md.toBytes()));
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(Metadata.fromFile(path, { type: 'targets' }).signed.version).toBe(1);
    expect(() => md.toFile(join(dir, 'missing-dir', 'x.json'))).toThrow(StorageError);
    expect(() => Metadata.fromFile(join(dir, 'nope.json'))).toThrow(/cannot read .*nope\.json/);
    writeFileSync(join(dir, 'bad.json'), '{"signed": 1}');
    expect(() => Metadata.fromFile(join(dir, 'bad.json'))).toThrow(/bad\.json: signed: expected an object, found 1/);
  });
});

