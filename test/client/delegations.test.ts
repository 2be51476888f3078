/**
 * Delegated targets (spec §5.6.7): pre-order depth-first search in order of appearance,
 * visited set (cycles), terminating delegations, the maxDelegations limit, path patterns
 * (`*` never matches `/`), path hash prefixes, succinct hashed bins (TAP 15), the bulk
 * pass, cached delegated roles re-verified against the current delegator, and quoting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RepositoryError, UnsignedMetadataError, getDefaultVerifier, type SignatureCheck, type Verifier } from '../../src/index.js';
import { Updater } from '../../src/client/index.js';
import { createEnv, type TestEnv } from './harness/env.js';
import { TestSigner } from './harness/signer.js';

let env: TestEnv;
afterEach(async () => env?.close());

type Edge = [delegator: string, role: string, fields?: { paths?: string[]; terminating?: boolean; pathHashPrefixes?: string[] }];

/** Build a delegation graph, publish every role, update snapshot/timestamp. */
async function graph(edges: Edge[], targets: [role: string, path: string, data: string][] = []): Promise<void> {
  const roles = new Set<string>(['targets']);
  for (const [delegator, role, fields] of edges) {
    env.repo.addDelegation(delegator, role, fields ?? {});
    roles.add(delegator);
    roles.add(role);
  }
  for (const [role, path, data] of targets) env.repo.addTarget(path, data, role);
  // publish children first is not needed: snapshot is computed after all are published
  await env.repo.publish([...roles]);
  await env.repo.updateSnapshot();
}

/** Delegated roles fetched, in order (top-level requests left out). */
function visited(): string[] {
  const top = ['root', 'timestamp', 'snapshot', 'targets'];
  return env.server.metadataRequests().map(([role]) => role).filter((role) => !top.includes(role));
}

describe('delegation graph search (spec §5.6.7)', () => {
  const cases: { name: string; edges: Edge[]; order: string[] }[] = [
    { name: 'single level, in order of appearance', edges: [['targets', 'A'], ['targets', 'B']], order: ['A', 'B'] },
    { name: 'pre-order depth first', edges: [['targets', 'A'], ['targets', 'B'], ['A', 'C'], ['A', 'D']], order: ['A', 'C', 'D', 'B'] },
    { name: 'three levels deep', edges: [['targets', 'A'], ['targets', 'B'], ['A', 'C'], ['C', 'D']], order: ['A', 'C', 'D', 'B'] },
    { name: 'terminating stops backtracking (§5.6.7.2.1)', edges: [['targets', 'A'], ['targets', 'B'], ['A', 'C', { terminating: true }], ['A', 'D']], order: ['A', 'C'] },
    { name: 'terminating still searches its own children', edges: [['targets', 'A'], ['targets', 'B'], ['A', 'C', { terminating: true }], ['C', 'D']], order: ['A', 'C', 'D'] },
    { name: 'branches whose paths do not match are skipped', edges: [['targets', 'A', { paths: ['*.py'] }], ['targets', 'B'], ['A', 'C']], order: ['B'] },
    { name: 'cycles are visited once (§5.6.7.1)', edges: [['targets', 'A'], ['targets', 'B'], ['B', 'C'], ['C', 'D'], ['D', 'B']], order: ['A', 'B', 'C', 'D'] },
    { name: 'a role reached twice is visited once', edges: [['targets', 'A'], ['targets', 'B'], ['B', 'C'], ['A', 'C']], order: ['A', 'C', 'B'] },
    { name: 'reached through the branch whose paths match', edges: [['targets', 'A'], ['targets', 'B'], ['B', 'C'], ['A', 'C', { paths: ['*.py'] }]], order: ['A', 'B', 'C'] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      env = await createEnv();
      await graph(c.edges);
      const updater = env.updater();
      expect(await updater.getTargetInfo('missingpath')).toBeUndefined();
      expect(visited()).toEqual(c.order);
    });
  }

  it('finds targets through path patterns; `*` never matches `/`', async () => {
    env = await createEnv();
    await graph(
      [
        ['targets', 'A', { paths: ['*.doc', '*.md'] }],
        ['targets', 'B', { paths: ['releases/*/*'] }],
        ['B', 'C', { paths: ['releases/x/*'] }],
        ['B', 'D', { paths: ['releases/y/*.zip'] }],
      ],
      [
        ['targets', 'targetfile', 'top'],
        ['A', 'README.md', 'readme'],
        ['A', 'docs/README.md', 'not delegated to A: * does not match /'],
        ['C', 'releases/x/x_v1', 'x'],
        ['D', 'releases/y/y_v1.zip', 'y'],
        ['D', 'releases/z/z_v1.zip', 'z, not delegated'],
      ],
    );
    const expectations: [string, boolean, string[]][] = [
      ['targetfile', true, []],
      ['README.md', true, ['A']],
      ['docs/README.md', false, []],
      ['releases/x/x_v1', true, ['B', 'C']],
      ['releases/y/y_v1.zip', true, ['B', 'D']],
      ['releases/z/z_v1.zip', false, ['B']],
    ];
    for (const [path, found, order] of expectations) {
      // a new cache each time, so every search fetches what it visits
      for (const f of readdirSync(env.metadataDir)) if (f !== 'root.json') (await import('node:fs')).rmSync(join(env.metadataDir, f));
      env.server.clear();
      const info = await env.updater().getTargetInfo(path);
      expect(info !== undefined, path).toBe(found);
      expect(visited(), path).toEqual(order);
      if (info) {
        const file = await env.updater().downloadTarget(info);
        expect(readFileSync(file)).toEqual(Buffer.from(env.repo.artifacts.get(path) as Uint8Array));
      }
    }
  });

  it('visits at most maxDelegations delegated roles', async () => {
    env = await createEnv();
    const edges: Edge[] = [];
    for (let i = 0; i < 5; i++) edges.push([i === 0 ? 'targets' : `r${i - 1}`, `r${i}`]);
    await graph(edges, [['r4', 'deep', 'deep']]);
    expect(await env.updater({ maxDelegations: 3 }).getTargetInfo('deep')).toBeUndefined();
    expect(visited()).toEqual(['r0', 'r1', 'r2']);
    env.server.clear();
    expect(await env.updater({ maxDelegations: 5 }).getTargetInfo('deep')).toBeDefined();
    expect(visited()).toEqual(['r3', 'r4']); // r0–r2 come from the cache now
  });

  it('path hash prefixes select roles by SHA-256 of the target path', async () => {
    env = await createEnv();
    const { createHash } = await import('node:crypto');
    const prefix = createHash('sha256').update('file.txt').digest('hex').slice(0, 2);
    const other = prefix === '00' ? '01' : '00';
    await graph(
      [
        ['targets', 'wrong', { pathHashPrefixes: [other] }],
        ['targets', 'right', { pathHashPrefixes: [prefix] }],
      ],
      [['right', 'file.txt', 'hello']],
    );
    expect(await env.updater().getTargetInfo('file.txt')).toBeDefined();
    expect(visited()).toEqual(['right']);
  });

  it('refuses a delegated role not signed by the keys its delegator assigns, and one missing from snapshot', async () => {
    env = await createEnv();
    await graph([['targets', 'A']]);
    await env.repo.publish(['A'], { signers: [TestSigner.generate()] });
    await env.repo.updateSnapshot();
    await expect(env.updater().getTargetInfo('x')).rejects.toThrow(UnsignedMetadataError);
    expect(existsSync(join(env.metadataDir, 'A.json'))).toBe(false);
    env.repo.snapshot.meta.delete('A.json');
    await env.repo.publish(['snapshot']);
    await env.repo.updateTimestamp();
    await expect(env.updater().getTargetInfo('x')).rejects.toThrow(RepositoryError);
  });
});

describe('cached delegated roles', () => {
  it('are replaced when the delegator rotates their key and snapshot names a new version', async () => {
    env = await createEnv();
    await graph([['targets', 'A']], [['A', 'a.txt', 'a']]);
    expect(await env.updater().getTargetInfo('a.txt')).toBeDefined();
    const cachedA = readFileSync(join(env.metadataDir, 'A.json'));
    // The delegator replaces A's key; A is re-signed by the new key with a new version.
    const targets = env.repo.targets();
    const oldKeyid = targets.delegations?.roles?.get('A')?.keyids[0] as string;
    targets.revokeKey(oldKeyid, 'A');
    const fresh = TestSigner.generate();
    targets.addKey(fresh.publicKey, 'A');
    env.repo.signers.set('A', new Map([[fresh.publicKey.keyid, fresh]]));
    await env.repo.publish(['targets', 'A']);
    await env.repo.updateSnapshot();
    env.server.clear();
    expect(await env.updater().getTargetInfo('a.txt')).toBeDefined();
    expect(visited()).toEqual(['A']);
    expect(readFileSync(join(env.metadataDir, 'A.json'))).not.toEqual(cachedA);
  });

  it('signed by a key the delegator no longer trusts are refetched even when the version matches', async () => {
    env = await createEnv();
    await graph([['targets', 'A']], [['A', 'a.txt', 'a']]);
    await env.updater().refresh();
    expect(await env.updater().getTargetInfo('a.txt')).toBeDefined();
    // New targets version whose delegation to A lists another key; A's bytes are unchanged
    // (same version), but the cached A no longer verifies against the new delegator.
    const targets = env.repo.targets();
    const oldKeyid = targets.delegations?.roles?.get('A')?.keyids[0] as string;
    const fresh = TestSigner.generate();
    targets.revokeKey(oldKeyid, 'A');
    targets.addKey(fresh.publicKey, 'A');
    env.repo.signers.set('A', new Map([[fresh.publicKey.keyid, fresh]]));
    await env.repo.publish(['A'], { bump: false }); // same version 1, now signed by the new key
    await env.repo.publish(['targets']);
    await env.repo.updateSnapshot();
    env.server.clear();
    expect(await env.updater().getTargetInfo('a.txt')).toBeDefined();
    expect(visited()).toEqual(['A']); // the cached A (old key) was refused and refetched
  });

  it('whose hashes in snapshot do not match are refetched', async () => {
    env = await createEnv({ computeHashes: true });
    await graph([['targets', 'A']], [['A', 'a.txt', 'a']]);
    expect(await env.updater().getTargetInfo('a.txt')).toBeDefined();
    env.server.clear();
    expect(await env.updater().getTargetInfo('a.txt')).toBeDefined();
    expect(visited()).toEqual([]); // all from the cache
    const path = join(env.metadataDir, 'A.json');
    writeFileSync(path, readFileSync(path, 'utf8') + ' ');
    env.server.clear();
    expect(await env.updater().getTargetInfo('a.txt')).toBeDefined();
    expect(env.server.metadataRequests().map(([r]) => r)).toEqual(['root', 'timestamp', 'A']);
  });
});

describe('succinct hashed bins (TAP 15)', () => {
  it('looks a target up in exactly its bin', async () => {
    env = await createEnv();
    env.repo.addSuccinctRoles('targets', 4, 'bin');
    const succinct = env.repo.targets().delegations?.succinctRoles;
    const bin = succinct?.getRoleForTarget('some/file.tgz') as string;
    env.repo.addTarget('some/file.tgz', 'content', bin);
    await env.repo.publish(['targets', ...succinct!.getRoles()]);
    await env.repo.updateSnapshot();
    const info = await env.updater().getTargetInfo('some/file.tgz');
    expect(info?.length).toBe(7);
    expect(visited()).toEqual([bin]);
    env.server.clear();
    expect(await env.updater().getTargetInfo('other')).toBeUndefined();
    expect(visited()).toEqual([succinct!.getRoleForTarget('other')].filter((b) => b !== bin));
  });

  it('bulk-loads every bin with one verifyMany call per batch', async () => {
    env = await createEnv();
    env.repo.addSuccinctRoles('targets', 3, 'bin');
    const bins = [...env.repo.targets().delegations!.succinctRoles!.getRoles()];
    await env.repo.publish(['targets', ...bins]);
    await env.repo.updateSnapshot();
    const inner = getDefaultVerifier();
    const batches: number[] = [];
    const counting: Verifier = {
      verify: (k, m, s) => inner.verify(k, m, s),
      verifyMany: (checks: readonly SignatureCheck[]) => {
        batches.push(checks.length);
        return inner.verifyMany(checks);
      },
      explainKey: (k) => inner.explainKey(k),
    };
    const updater = env.updater({ verifier: counting });
    await updater.refresh();
    batches.length = 0;
    const result = await updater.loadDelegatedRoles('targets');
    expect(result.failures.size).toBe(0);
    expect(result.loaded).toEqual(bins);
    expect(batches).toEqual([8]); // one batch: all 8 bins' signatures
    for (const b of bins) expect(existsSync(join(env.metadataDir, `${b}.json`))).toBe(true);
    // From the cache: again one batch, nothing fetched.
    env.server.clear();
    batches.length = 0;
    const again = env.updater({ verifier: counting });
    await again.refresh();
    batches.length = 0;
    expect((await again.loadDelegatedRoles()).loaded).toHaveLength(8);
    expect(batches).toEqual([8]);
    expect(env.server.metadataRequests().map(([r]) => r)).toEqual(['root', 'timestamp']);
  });

  it('bulk load reports a bad bin and keeps the good ones', async () => {
    env = await createEnv();
    env.repo.addSuccinctRoles('targets', 2, 'bin');
    const bins = [...env.repo.targets().delegations!.succinctRoles!.getRoles()];
    await env.repo.publish(['targets', ...bins]);
    await env.repo.publish(['bin-2'], { signers: [TestSigner.generate()] });
    await env.repo.updateSnapshot();
    const result = await env.updater().loadDelegatedRoles();
    expect(result.loaded).toEqual(['bin-0', 'bin-1', 'bin-3']);
    expect([...result.failures.keys()]).toEqual(['bin-2']);
    expect(result.failures.get('bin-2')).toBeInstanceOf(UnsignedMetadataError);
    expect(existsSync(join(env.metadataDir, 'bin-2.json'))).toBe(false);
  });
});

describe('quoting of unusual role names and target paths', () => {
  for (const role of ['?', '#', '/delegatedrole', '../delegatedrole', '..', 'ö', 'a b']) {
    it(`role ${JSON.stringify(role)} is fetched and cached percent-encoded, inside the cache directory`, async () => {
      env = await createEnv();
      await graph([['targets', role]]);
      expect(await env.updater().getTargetInfo('nonexistent')).toBeUndefined();
      const quoted = encodeURIComponent(role).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
      expect(env.server.requests).toContain(`metadata/1.${quoted}.json`);
      expect(readdirSync(env.metadataDir).sort()).toEqual(['root.json', 'snapshot.json', 'targets.json', 'timestamp.json', `${quoted}.json`].sort());
      expect(readdirSync(env.dir).sort()).toEqual(['metadata', 'targets']);
    });
  }

  it('python-tuf encodings: ../a → ..%2Fa.json, . → ..json, ö → %C3%B6.json', async () => {
    const { quoteRoleName, metadataFileName } = await import('../../src/client/index.js');
    expect(metadataFileName('../a')).toBe('..%2Fa.json');
    expect(metadataFileName('.')).toBe('..json');
    expect(metadataFileName('ö')).toBe('%C3%B6.json');
    expect(metadataFileName('/')).toBe('%2F.json');
    expect(quoteRoleName("a-b_c.d~e!'()*")).toBe('a-b_c.d~e%21%27%28%29%2A');
  });

  for (const path of ['dir/sub/a b.txt', 'q?x#y', 'pct%41', 'ünï/cødé']) {
    for (const consistent of [true, false]) {
      it(`target ${JSON.stringify(path)} downloads (consistent snapshot ${consistent}) and is stored as one quoted file`, async () => {
        env = await createEnv({ consistentSnapshot: consistent });
        env.repo.addTarget(path, `content of ${path}`);
        await env.repo.publish(['targets']);
        await env.repo.updateSnapshot();
        const updater = env.updater();
        const info = await updater.getTargetInfo(path);
        expect(info).toBeDefined();
        expect(await updater.findCachedTarget(info!)).toBeUndefined();
        const file = await updater.downloadTarget(info!);
        expect(file).toBe(join(env.targetDir, encodeURIComponent(path)));
        expect(readFileSync(file, 'utf8')).toBe(`content of ${path}`);
        expect(await updater.findCachedTarget(info!)).toBe(file);
        const targetRequest = env.server.requests.find((p) => p.startsWith('targets/')) as string;
        if (consistent) expect(targetRequest).toContain(`${info!.hashes['sha256']}.`);
        else expect(targetRequest).not.toContain(info!.hashes['sha256'] as string);
      });
    }
  }
});

it('an Updater needs a target directory and base URL to download', async () => {
  env = await createEnv();
  env.repo.addTarget('t', 'x');
  await env.repo.publish(['targets']);
  await env.repo.updateSnapshot();
  const updater = new Updater({ metadataDir: env.metadataDir, metadataBaseUrl: env.metadataUrl });
  const info = await updater.getTargetInfo('t');
  await expect(updater.downloadTarget(info!)).rejects.toThrow(/targetDir/);
  await expect(updater.downloadTarget(info!, join(env.targetDir, 't'))).rejects.toThrow(/target base URL/);
  expect(await updater.downloadTarget(info!, join(env.targetDir, 'sub', 't'), env.targetsUrl)).toBe(join(env.targetDir, 'sub', 't'));
});
