/**
 * One test (or more) per threat of spec §1.5.2 "Goals to protect against specific attacks",
 * played by a misbehaving repository or mirror on loopback against the real client.
 *
 * Every refused update leaves the local cache byte for byte as it was — except the roles
 * the workflow had already accepted and persisted earlier in the same refresh (spec §5.3.8,
 * §5.4.5: e.g. a new valid timestamp before a refused snapshot), which each test names and
 * checks to be exactly the bytes served.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BadVersionNumberError,
  DownloadLengthMismatchError,
  ExpiredMetadataError,
  LengthOrHashMismatchError,
  Metadata,
  MetaFile,
  RepositoryError,
  Signature,
  SlowRetrievalError,
  UnsignedMetadataError,
  type Root,
} from '../../src/index.js';
import { DefaultFetcher, Updater, type UpdaterConfig } from '../../src/client/index.js';
import { cachedVersion, createEnv, type TestEnv } from './harness/env.js';
import { daysFromNow } from './harness/repository.js';
import { stall, streamForever } from './harness/server.js';
import { TestSigner } from './harness/signer.js';

let env: TestEnv;
afterEach(async () => env?.close());

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * Refresh and expect `errorClass`; the cache must be unchanged except `accepted` files,
 * which must now hold exactly the latest bytes the repository serves for those roles.
 */
async function expectRefused(errorClass: ErrorClass, options: { accepted?: string[]; config?: Partial<UpdaterConfig>; updater?: Updater } = {}): Promise<Error> {
  const before = env.cache();
  let err: Error | undefined;
  try {
    await (options.updater ?? env.updater(options.config)).refresh();
  } catch (e) {
    err = e as Error;
  }
  expect(err, 'refresh must fail').toBeInstanceOf(errorClass);
  const after = env.cache();
  for (const role of options.accepted ?? []) {
    const served = role === 'root' ? env.repo.fetchMetadata('root', env.repo.root.version) : env.repo.latest.get(role);
    expect(after[`${role}.json`], `${role} accepted`).toBe(Buffer.from(served as Uint8Array).toString('hex'));
    delete after[`${role}.json`];
    delete before[`${role}.json`];
  }
  expect(after).toEqual(before);
  return err as Error;
}

/** A fresh env whose client has completed one refresh. */
async function refreshedEnv(options: Parameters<typeof createEnv>[0] = {}): Promise<TestEnv> {
  env = await createEnv(options);
  expect(await env.refresh()).toBeUndefined();
  return env;
}

describe('arbitrary installation (§1.5.2): bad, too few or wrong signatures', () => {
  for (const role of ['timestamp', 'snapshot', 'targets']) {
    it(`${role} signed by a key root does not list is refused (§5.4.2, §5.5.3, §5.6.3)`, async () => {
      await refreshedEnv();
      if (role === 'targets') env.repo.addTarget('evil', 'evil');
      await env.repo.publish([role], { signers: [TestSigner.generate()] });
      if (role === 'targets') await env.repo.updateSnapshot();
      else if (role === 'snapshot') await env.repo.updateTimestamp();
      const err = await expectRefused(UnsignedMetadataError, { accepted: role === 'timestamp' ? [] : role === 'snapshot' ? ['timestamp'] : ['timestamp', 'snapshot'] });
      expect(err.message).toMatch(new RegExp(`${role} was signed by 0/1`));
    });

    it(`${role} with a corrupted signature is refused`, async () => {
      await refreshedEnv();
      await env.repo.publish([role]);
      if (role === 'targets') await env.repo.updateSnapshot();
      else if (role === 'snapshot') await env.repo.updateTimestamp();
      const bytes = env.repo.latest.get(role) as Uint8Array;
      const md = Metadata.fromBytes(bytes);
      const [keyid, sig] = [...md.signatures][0] as [string, { sig: string }];
      const flipped = sig.sig.slice(0, -1) + (sig.sig.endsWith('0') ? '1' : '0');
      const text = Buffer.from(bytes).toString().replace(sig.sig, flipped);
      expect(text).toContain(keyid);
      const version = md.signed.version;
      env.repo.published.get(role)?.set(version, new Uint8Array(Buffer.from(text)));
      env.repo.latest.set(role, new Uint8Array(Buffer.from(text)));
      await expectRefused(role === 'timestamp' ? UnsignedMetadataError : RepositoryError, {
        accepted: role === 'timestamp' ? [] : role === 'snapshot' ? ['timestamp'] : ['timestamp', 'snapshot'],
      });
    });
  }

  it('a threshold of 2 is not met by one signature, nor by one key listed under two keyids', async () => {
    await refreshedEnv();
    const extra = TestSigner.generate();
    env.repo.root.addKey(extra.publicKey, 'snapshot');
    env.repo.root.roles.get('snapshot')!.threshold = 2;
    await env.repo.publish(['root']);
    await env.repo.publish(['snapshot']); // signed by the original key only
    await env.repo.updateTimestamp();
    await expectRefused(UnsignedMetadataError, { accepted: ['root', 'timestamp'] });
    // The same public key under a second keyid cannot vote twice.
    const twin = extra.publicKey.withKeyid('ab'.repeat(32));
    env.repo.root.addKey(twin, 'snapshot');
    await env.repo.publish(['root']);
    const md = env.repo.md.get('snapshot')!;
    md.signed.version += 1;
    md.signatures.clear();
    const sig = await extra.sign(md.signedBytes());
    md.signatures.set(extra.publicKey.keyid, sig);
    md.signatures.set(twin.keyid, new Signature(twin.keyid, sig.sig));
    const bytes = md.toBytes();
    env.repo.published.get('snapshot')!.set(md.signed.version, bytes);
    env.repo.latest.set('snapshot', bytes);
    await env.repo.updateTimestamp();
    await expectRefused(UnsignedMetadataError, { accepted: ['root', 'timestamp'] });
  });

  it('a new root signed only by its own new keys (not by the trusted root keys) is refused (§5.3.4)', async () => {
    await refreshedEnv();
    env.repo.rotateKeys('root');
    await env.repo.publish(['root']); // signed by the new key only
    const err = await expectRefused(UnsignedMetadataError);
    expect(err.message).toMatch(/keys of trusted root 1/);
  });

  it('a trusted root whose file was tampered with refuses to load, before any request (§5.2)', async () => {
    env = await createEnv();
    const path = join(env.metadataDir, 'root.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('"consistent_snapshot": true', '"consistent_snapshot": false'));
    expect(() => env.updater()).toThrow(UnsignedMetadataError);
    expect(env.server.requests).toEqual([]);
  });
});

describe('rollback attacks (§1.5.2)', () => {
  it('timestamp: a lower version is refused (§5.4.3.1)', async () => {
    await refreshedEnv();
    await env.repo.publish(['timestamp']); // v2
    expect(await env.refresh()).toBeUndefined();
    env.repo.timestamp.version = 1;
    await env.repo.publish(['timestamp'], { bump: false });
    await expectRefused(BadVersionNumberError);
    expect(env.server.metadataRequests().at(-1)).toEqual(['timestamp', null]);
  });

  it('timestamp: the same version with other content is ignored, the cached one kept (§5.4.3.1)', async () => {
    await refreshedEnv();
    env.repo.timestamp.snapshotMeta.version = 100;
    await env.repo.publish(['timestamp'], { bump: false });
    const before = env.cache();
    expect(await env.refresh()).toBeUndefined();
    expect(env.cache()).toEqual(before);
  });

  it('snapshot: a timestamp naming a lower snapshot version is refused (§5.4.3.2)', async () => {
    await refreshedEnv();
    await env.repo.updateSnapshot(); // snapshot v2, timestamp v2
    expect(await env.refresh()).toBeUndefined();
    env.repo.timestamp.snapshotMeta = new MetaFile(1);
    await env.repo.publish(['timestamp']); // v3 names snapshot v1
    await expectRefused(BadVersionNumberError);
    expect(cachedVersion(env, 'timestamp')).toBe(2);
  });

  for (const hashes of [false, true]) {
    it(`targets: a snapshot listing a lower targets version is refused (§5.5.5)${hashes ? ', with hashes' : ''}`, async () => {
      await refreshedEnv({ computeHashes: hashes });
      await env.repo.publish(['targets']);
      await env.repo.updateSnapshot(); // targets v2
      expect(await env.refresh()).toBeUndefined();
      env.repo.targets().version = 1;
      await env.repo.publish(['targets'], { bump: false });
      await env.repo.updateSnapshot();
      await expectRefused(BadVersionNumberError, { accepted: ['timestamp'] });
      expect(cachedVersion(env, 'targets')).toBe(2);
    });
  }

  it('a snapshot that drops a role listed before is refused (§5.5.5)', async () => {
    await refreshedEnv();
    env.repo.addDelegation('targets', 'A');
    await env.repo.publish(['A', 'targets']);
    await env.repo.updateSnapshot();
    expect(await env.refresh()).toBeUndefined();
    env.repo.snapshot.meta.delete('A.json');
    await env.repo.publish(['snapshot']);
    await env.repo.updateTimestamp();
    const err = await expectRefused(RepositoryError, { accepted: ['timestamp'] });
    expect(err.message).toMatch(/no longer lists A.json/);
  });

  it('root: a file N+1 that holds another version is refused (§5.3.5)', async () => {
    await refreshedEnv();
    await env.repo.publish(['root']); // v2
    await env.repo.publish(['root']); // v3
    env.repo.published.get('root')!.set(2, env.repo.fetchMetadata('root', 3) as Uint8Array);
    const err = await expectRefused(BadVersionNumberError);
    expect(err.message).toMatch(/expected 2, found 3/);
  });
});

describe('fast-forward attacks and recovery by key rotation (§5.3.11)', () => {
  it('timestamp: after a fast-forward to v100, rotating the timestamp key lets v1 in again', async () => {
    env = await createEnv();
    for (let i = 0; i < 99; i++) await env.repo.publish(['timestamp']);
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'timestamp')).toBe(100);
    // Without a rotation the lower version is a rollback:
    env.repo.timestamp.version = 1;
    await env.repo.publish(['timestamp'], { bump: false });
    await expectRefused(BadVersionNumberError);
    // The repository rotates the timestamp key: the client deletes its timestamp/snapshot.
    env.repo.rotateKeys('timestamp');
    await env.repo.publish(['root']);
    await env.repo.publish(['timestamp'], { bump: false });
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'timestamp')).toBe(1);
  });

  it('snapshot: after a fast-forward to v99999, rotating snapshot and timestamp keys lets v1 in again', async () => {
    env = await createEnv();
    env.repo.snapshot.version = 99999;
    await env.repo.publish(['snapshot'], { bump: false });
    await env.repo.updateTimestamp();
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'snapshot')).toBe(99999);
    env.repo.rotateKeys('snapshot');
    env.repo.rotateKeys('timestamp');
    await env.repo.publish(['root']);
    env.repo.snapshot.version = 1;
    await env.repo.publish(['snapshot'], { bump: false });
    await env.repo.updateTimestamp();
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'snapshot')).toBe(1);
  });

  it('targets: after a fast-forward to v100, rotating the snapshot key lets v1 in again', async () => {
    env = await createEnv();
    for (let i = 0; i < 99; i++) await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'targets')).toBe(100);
    env.repo.rotateKeys('snapshot');
    await env.repo.publish(['root']);
    env.repo.targets().version = 1;
    await env.repo.publish(['targets'], { bump: false });
    await env.repo.updateSnapshot();
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'targets')).toBe(1);
  });

  it('a threshold change or an added key is not a rotation: the cached timestamp still guards against rollback', async () => {
    await refreshedEnv();
    await env.repo.publish(['timestamp']); // v2
    expect(await env.refresh()).toBeUndefined();
    const extra = TestSigner.generate();
    env.repo.root.addKey(extra.publicKey, 'timestamp');
    env.repo.addSigner('timestamp', extra);
    await env.repo.publish(['root']);
    env.repo.timestamp.version = 1;
    await env.repo.publish(['timestamp'], { bump: false });
    await expectRefused(BadVersionNumberError, { accepted: ['root'] });
  });
});

describe('indefinite freeze attacks: expiry at each step (§5.3.10, §5.4.4, §5.5.6, §5.6.5)', () => {
  it('an expired new root is persisted (§5.3.8) but nothing after it is fetched (§5.3.10)', async () => {
    await refreshedEnv();
    env.repo.root.expires = daysFromNow(-1);
    await env.repo.publish(['root']);
    env.server.clear();
    const err = await expectRefused(ExpiredMetadataError, { accepted: ['root'] });
    expect(err.message).toMatch(/root version 2 expired/);
    expect(env.server.metadataRequests()).toEqual([
      ['root', 2],
      ['root', 3],
    ]);
  });

  it('an expired new timestamp is refused (§5.4.4)', async () => {
    await refreshedEnv();
    env.repo.timestamp.expires = daysFromNow(-1);
    await env.repo.publish(['timestamp']);
    await expectRefused(ExpiredMetadataError);
    expect(cachedVersion(env, 'timestamp')).toBe(1);
  });

  it('an expired new snapshot is refused (§5.5.6)', async () => {
    await refreshedEnv();
    env.repo.snapshot.expires = daysFromNow(-1);
    await env.repo.updateSnapshot();
    await expectRefused(ExpiredMetadataError, { accepted: ['timestamp'] });
  });

  it('an expired new targets is refused (§5.6.5)', async () => {
    await refreshedEnv();
    env.repo.targets().expires = daysFromNow(-1);
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    await expectRefused(ExpiredMetadataError, { accepted: ['timestamp', 'snapshot'] });
  });

  it('an expired delegated role is refused', async () => {
    await refreshedEnv();
    env.repo.addDelegation('targets', 'A');
    env.repo.targets('A').expires = daysFromNow(-1);
    await env.repo.publish(['A', 'targets']);
    await env.repo.updateSnapshot();
    await expect(env.updater().getTargetInfo('x')).rejects.toThrow(ExpiredMetadataError);
    expect(readdirSync(env.metadataDir)).not.toContain('A.json');
  });

  it('expired cached timestamp and snapshot still serve the rollback checks, and a valid update replaces them', async () => {
    env = await createEnv();
    env.repo.timestamp.expires = daysFromNow(7);
    await env.repo.publish(['timestamp'], { bump: false });
    expect(await env.refresh()).toBeUndefined();
    const day18 = new Date(Date.now() + 18 * 86_400_000);
    // At day 18 the cached timestamp is expired and the repository offers nothing newer: freeze.
    await expectRefused(ExpiredMetadataError, { config: { referenceTime: day18 } });
    // A valid newer timestamp (expiring day 21) replaces the expired cached one.
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    env.repo.timestamp.expires = daysFromNow(21);
    await env.repo.updateTimestamp();
    expect(await env.refresh({ referenceTime: day18 })).toBeUndefined();
    expect(cachedVersion(env, 'targets')).toBe(2);
  });

  it('the system clock decides by default: metadata valid now is refused after its expiry', async () => {
    await refreshedEnv();
    expect(await env.refresh({ referenceTime: daysFromNow(31) })).toBeInstanceOf(ExpiredMetadataError);
  });
});

describe('endless data and slow retrieval (§1.5.2)', () => {
  it('an endless timestamp stops at timestampMaxLength', async () => {
    await refreshedEnv();
    env.server.overrides.push(streamForever((p) => p === 'metadata/timestamp.json'));
    const err = await expectRefused(DownloadLengthMismatchError);
    expect(err.message).toMatch(/16384 bytes/);
  });

  it('an endless root N+1 stops at rootMaxLength', async () => {
    await refreshedEnv();
    env.server.overrides.push(streamForever((p) => p === 'metadata/2.root.json'));
    await expectRefused(DownloadLengthMismatchError, { config: { rootMaxLength: 100_000 } });
  });

  it('a snapshot longer than timestamp says is cut at that length', async () => {
    await refreshedEnv({ computeHashes: true });
    await env.repo.updateSnapshot();
    const real = env.repo.latest.get('snapshot') as Uint8Array;
    env.server.overrides.push((path, _req, res) => {
      if (!path.endsWith('snapshot.json')) return false;
      res.writeHead(200);
      res.end(Buffer.concat([real, Buffer.alloc(10_000, 0x20)]));
      return true;
    });
    const err = await expectRefused(DownloadLengthMismatchError, { accepted: ['timestamp'] });
    expect(err.message).toMatch(new RegExp(`${real.length} bytes allowed`));
  });

  it('an endless target stops at its length, and leaves no file in the target directory', async () => {
    await refreshedEnv();
    env.repo.addTarget('t.bin', 'x'.repeat(1000));
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    env.server.overrides.push(streamForever((p) => p.startsWith('targets/')));
    const updater = env.updater();
    const info = await updater.getTargetInfo('t.bin');
    await expect(updater.downloadTarget(info!)).rejects.toThrow(DownloadLengthMismatchError);
    expect(readdirSync(env.targetDir)).toEqual([]);
  });

  it('a stalling server is abandoned with SlowRetrievalError', async () => {
    await refreshedEnv();
    await env.repo.publish(['timestamp']);
    env.server.overrides.push(stall((p) => p === 'metadata/timestamp.json', () => env.repo.latest.get('timestamp')));
    const updater = new Updater({ metadataDir: env.metadataDir, metadataBaseUrl: env.metadataUrl, fetcher: new DefaultFetcher({ timeout: 300 }) });
    await expectRefused(SlowRetrievalError, { updater });
  });
});

describe('mix-and-match attacks (§1.5.2)', () => {
  it('targets whose version is not the one snapshot names is refused (§5.6.4)', async () => {
    await refreshedEnv({ consistentSnapshot: false });
    await env.repo.publish(['targets']); // v2 served, snapshot says v3
    env.repo.snapshot.meta.set('targets.json', new MetaFile(3));
    await env.repo.publish(['snapshot']);
    await env.repo.updateTimestamp();
    const err = await expectRefused(BadVersionNumberError, { accepted: ['timestamp', 'snapshot'] });
    expect(err.message).toMatch(/targets version 2 is not the version 3/);
  });

  it('a snapshot whose version is not the one timestamp names is refused (§5.5.4)', async () => {
    await refreshedEnv({ consistentSnapshot: false });
    await env.repo.publish(['snapshot']); // v2 served
    env.repo.timestamp.snapshotMeta.version = 3;
    await env.repo.publish(['timestamp']);
    await expectRefused(BadVersionNumberError, { accepted: ['timestamp'] });
  });

  it('a snapshot whose hash differs from timestamp\'s is refused before its signature is looked at (§5.5.2)', async () => {
    await refreshedEnv({ computeHashes: true });
    await env.repo.updateSnapshot();
    const bytes = env.repo.latest.get('snapshot') as Uint8Array;
    const altered = new Uint8Array(Buffer.from(Buffer.from(bytes).toString().replace('"_type"', ' "_type"')));
    env.repo.published.get('snapshot')!.set(env.repo.snapshot.version, altered.subarray(0, bytes.length));
    await expectRefused(LengthOrHashMismatchError, { accepted: ['timestamp'] });
  });

  it('a targets file whose hash differs from snapshot\'s is refused (§5.6.2)', async () => {
    await refreshedEnv({ computeHashes: true });
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    // Same length, one signature digit changed: the hash check refuses it before the signature check.
    const bytes = Buffer.from(env.repo.latest.get('targets') as Uint8Array).toString();
    const sig = /"sig": "([0-9a-f]+)"/.exec(bytes)![1]!;
    const altered = bytes.replace(sig, (sig[0] === '0' ? '1' : '0') + sig.slice(1));
    env.repo.published.get('targets')!.set(env.repo.targets().version, new Uint8Array(Buffer.from(altered)));
    await expectRefused(LengthOrHashMismatchError, { accepted: ['timestamp', 'snapshot'] });
  });
});

describe('wrong software and malicious mirrors (§1.5.2)', () => {
  it('a target with other content is refused; the stored good file stays', async () => {
    await refreshedEnv();
    env.repo.addTarget('a.txt', 'good content');
    env.repo.addTarget('b.txt', 'other good');
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    const updater = env.updater();
    const a = await updater.getTargetInfo('a.txt');
    const path = await updater.downloadTarget(a!);
    env.repo.prefixTargetsWithHash = false;
    const mirror = new Updater({ metadataDir: env.metadataDir, metadataBaseUrl: env.metadataUrl, targetBaseUrl: env.targetsUrl, targetDir: env.targetDir, config: { prefixTargetsWithHash: false } });
    env.repo.artifacts.set('a.txt', new Uint8Array(Buffer.from('evil content')));
    env.repo.artifacts.set('b.txt', new Uint8Array(Buffer.from('evil')));
    await expect(mirror.downloadTarget((await mirror.getTargetInfo('a.txt'))!)).rejects.toThrow(LengthOrHashMismatchError);
    await expect(mirror.downloadTarget((await mirror.getTargetInfo('b.txt'))!)).rejects.toThrow(LengthOrHashMismatchError);
    expect(readFileSync(path, 'utf8')).toBe('good content');
    expect(readdirSync(env.targetDir)).toEqual(['a.txt']);
  });

  it('a shorter target is refused by length', async () => {
    await refreshedEnv({ consistentSnapshot: false });
    env.repo.addTarget('a.txt', 'good content');
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    env.repo.artifacts.set('a.txt', new Uint8Array(Buffer.from('good')));
    const updater = env.updater();
    await expect(updater.downloadTarget((await updater.getTargetInfo('a.txt'))!)).rejects.toThrow(/length 4 does not match the expected 12/);
  });

  it('a mirror serving another repository\'s valid metadata is refused', async () => {
    await refreshedEnv();
    const other = await createEnv();
    try {
      env.server.resolve = (p) => other.repo.resolve(p);
      await expectRefused(UnsignedMetadataError);
    } finally {
      await other.close();
    }
  });
});

describe('key compromise recovery: root rotations (§5.3, §6.1)', () => {
  type V = { keys: number[]; threshold: number; sigs: number[]; ok?: boolean };
  const cases: Record<string, V[]> = {
    '1-of-1 key rotation': [
      { keys: [1], threshold: 1, sigs: [1] },
      { keys: [2], threshold: 1, sigs: [2, 1] },
      { keys: [2], threshold: 1, sigs: [2] },
    ],
    'unused extra signatures are ignored': [
      { keys: [1], threshold: 1, sigs: [3, 1, 4] },
      { keys: [2], threshold: 1, sigs: [3, 2, 1, 4] },
      { keys: [2], threshold: 1, sigs: [3, 2, 4] },
    ],
    '3-of-5, one key rotated': [
      { keys: [0, 1, 2, 3, 4], threshold: 3, sigs: [0, 2, 4] },
      { keys: [0, 1, 3, 4, 5], threshold: 3, sigs: [0, 4, 1] },
    ],
    '3-of-5, all keys rotated through an intermediate root': [
      { keys: [0, 1, 2, 3, 4], threshold: 3, sigs: [0, 2, 4] },
      { keys: [5, 6, 7, 8, 9], threshold: 3, sigs: [0, 2, 4, 5, 6, 7] },
      { keys: [5, 6, 7, 8, 9], threshold: 3, sigs: [5, 6, 7] },
    ],
    'a key removed and added back': [
      { keys: [1, 2], threshold: 1, sigs: [1] },
      { keys: [2], threshold: 1, sigs: [1, 2] },
      { keys: [1, 2], threshold: 1, sigs: [2, 1] },
      { keys: [1, 2], threshold: 1, sigs: [1] },
    ],
    'threshold 1-of-3 raised to 2-of-3': [
      { keys: [1, 2, 3], threshold: 1, sigs: [1] },
      { keys: [1, 2, 3], threshold: 2, sigs: [1, 2] },
    ],
    'threshold 2-of-3 lowered to 1-of-3': [
      { keys: [1, 2, 3], threshold: 2, sigs: [1, 2] },
      { keys: [1, 2, 3], threshold: 1, sigs: [1, 2] },
      { keys: [1, 2, 3], threshold: 1, sigs: [1] },
    ],
    'fails: not signed by the old key': [
      { keys: [1], threshold: 1, sigs: [1] },
      { keys: [2], threshold: 1, sigs: [2, 3, 4], ok: false },
    ],
    'fails: not signed by the new key': [
      { keys: [1], threshold: 1, sigs: [1] },
      { keys: [2], threshold: 1, sigs: [1, 3, 4], ok: false },
    ],
    'fails: 3-of-5 rotation without 3 new keys': [
      { keys: [0, 1, 2, 3, 4], threshold: 3, sigs: [0, 2, 4] },
      { keys: [0, 1, 3, 4, 5], threshold: 3, sigs: [0, 2, 4], ok: false },
    ],
    'fails: raised threshold not met': [
      { keys: [1, 2, 3], threshold: 1, sigs: [1] },
      { keys: [1, 2, 3], threshold: 2, sigs: [2], ok: false },
    ],
    'fails: lowered threshold, old threshold not met': [
      { keys: [1, 2, 3], threshold: 2, sigs: [1, 2] },
      { keys: [1, 2, 3], threshold: 1, sigs: [1], ok: false },
    ],
  };
  for (const [name, versions] of Object.entries(cases)) {
    it(name, async () => {
      env = await createEnv();
      const signers = Array.from({ length: 10 }, () => TestSigner.generate());
      const root = env.repo.root;
      const rootBytes: Uint8Array[] = [];
      for (const [i, v] of versions.entries()) {
        const role = root.roles.get('root')!;
        for (const keyid of [...role.keyids]) root.revokeKey(keyid, 'root');
        role.threshold = v.threshold;
        for (const k of v.keys) root.addKey(signers[k]!.publicKey, 'root');
        root.version = i + 1;
        const md = env.repo.md.get('root') as Metadata<Root>;
        md.signatures.clear();
        for (const s of v.sigs) await md.sign(signers[s]!, { append: true });
        const bytes = md.toBytes();
        env.repo.published.get('root')!.set(root.version, bytes);
        rootBytes.push(bytes);
      }
      writeFileSync(join(env.metadataDir, 'root.json'), rootBytes[0]!);
      const ok = versions.at(-1)!.ok ?? true;
      const err = await env.refresh();
      if (ok) expect(err === undefined || !(err instanceof UnsignedMetadataError)).toBe(true);
      else expect(err).toBeInstanceOf(UnsignedMetadataError);
      const expected = ok ? rootBytes.at(-1)! : rootBytes.at(-2)!;
      expect(readFileSync(join(env.metadataDir, 'root.json'))).toEqual(Buffer.from(expected));
    });
  }

  it('71 roots each signed by the previous and the new key: 32, 32, then the rest', async () => {
    env = await createEnv();
    let previous = [...env.repo.signers.get('root')!.values()];
    for (let i = 0; i < 70; i++) {
      const fresh = env.repo.rotateKeys('root');
      await env.repo.publish(['root'], { signers: [...previous, ...fresh] });
      previous = fresh;
    }
    // old timestamp/snapshot/targets keys are unchanged, so the top-level roles still verify
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'root')).toBe(33);
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'root')).toBe(65);
    expect(await env.refresh()).toBeUndefined();
    expect(cachedVersion(env, 'root')).toBe(71);
  });
});
