/**
 * `tufkit init DIR`: create a repository under edit — keys, root, targets, snapshot,
 * timestamp (version 1, signed) — ready for `targets add` and `publish`.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UsageError } from '../../errors.js';
import type { Key } from '../../metadata/key.js';
import { TOP_LEVEL_ROLE_NAMES } from '../../metadata/signed.js';
import { checkHashAlgorithms } from '../../repository/config.js';
import { Repository, type TopLevelRole } from '../../repository/repository.js';
import { FILE_KEY_TYPES, FileSigner, type FileKeyType } from '../../signers/file.js';
import { publicKeyPath, writePublicKeyFile } from '../../signers/key-files.js';
import { command } from '../command.js';
import { keyRingFor, PASSPHRASE_ENV_OPTION, resolveKeyReference, shortId, type KeyReference } from '../repo-support.js';
import { readSecret } from '../secrets.js';

/** Parse `ROLE=VALUE` options. */
export function roleAssignments(values: readonly string[], option: string, roles: readonly string[] = TOP_LEVEL_ROLE_NAMES): [string, string][] {
  return values.map((v) => {
    const eq = v.indexOf('=');
    const role = v.slice(0, eq);
    if (eq <= 0 || !roles.includes(role)) throw new UsageError(`--${option} ${JSON.stringify(v)}: expected ROLE=VALUE with ROLE one of ${roles.join(', ')}`);
    return [role, v.slice(eq + 1)];
  });
}

/** `tufkit init`. */
export const initCommand = command({
  name: 'init',
  summary: 'create a new repository (keys, root, targets, snapshot, timestamp)',
  description:
    'Create a repository working directory DIR: tufkit.json (policy, key locations), metadata/ (staged ' +
    'metadata), targets/ (target content), and, unless --key names them, one new key per top-level role in ' +
    'DIR/keys/ (encrypted with one passphrase, asked for at a hidden prompt or read from the variable ' +
    '--passphrase-env names). Version 1 of every role is signed. Publish it with `tufkit publish DIR`.\n\n' +
    'Defaults: consistent snapshots on; expiry root 365 days, targets 90, snapshot 7, timestamp 1; sha256 target hashes.',
  args: [{ name: 'DIR', description: 'the directory to create the repository in (created if missing)' }],
  options: [
    { name: 'key', kind: 'list', valueName: 'ROLE=KEYFILE', description: 'use an existing key for a role (repeat for several keys or roles)' },
    { name: 'threshold', kind: 'list', valueName: 'ROLE=N', description: 'signatures required for a role (default 1)' },
    { name: 'key-type', kind: 'value', valueName: 'TYPE', choices: FILE_KEY_TYPES, default: 'ed25519', description: 'type of the keys generated' },
    PASSPHRASE_ENV_OPTION,
    { name: 'unencrypted', kind: 'flag', description: 'write generated keys WITHOUT encryption (test repositories only)' },
    { name: 'expiry', kind: 'list', valueName: 'ROLE=DAYS', description: 'days a role stays valid after each change (root, targets, snapshot, timestamp, delegated)' },
    { name: 'hash', kind: 'list', valueName: 'ALG', description: 'hash algorithms for targets (default sha256; e.g. --hash sha256 --hash sha512)' },
    { name: 'no-consistent-snapshot', kind: 'flag', description: 'publish unversioned file names (spec §6.2 off)' },
    { name: 'publish-dir', kind: 'value', valueName: 'PATH', default: 'repository', description: 'where publish writes, relative to DIR' },
  ],
  examples: [
    'tufkit init my-repo',
    'TUF_PASS=… tufkit init --passphrase-env TUF_PASS --key root=keys/root1.pem --key root=keys/root2.pem --threshold root=2 my-repo',
  ],
  async run(ctx) {
    const dir = resolve(ctx.cwd, ctx.args.required('DIR'));
    for (const existing of ['tufkit.json', 'metadata']) {
      if (existsSync(join(dir, existing))) throw new UsageError(`${dir} already holds a repository (${existing}); not overwriting it`);
    }
    const expiry: Record<string, number> = {};
    for (const [role, value] of roleAssignments(ctx.options.list('expiry'), 'expiry', [...TOP_LEVEL_ROLE_NAMES, 'delegated'])) {
      const days = Number(value);
      if (!Number.isFinite(days) || days <= 0) throw new UsageError(`--expiry ${role}=${value}: expected a positive number of days`);
      expiry[role] = days;
    }
    const hashes = ctx.options.list('hash');
    if (hashes.length) {
      try {
        checkHashAlgorithms(hashes, '--hash');
      } catch (err) {
        throw new UsageError((err as Error).message.replace('tufkit.json ', ''));
      }
    }
    const thresholds = new Map(roleAssignments(ctx.options.list('threshold'), 'threshold'));
    const given = new Map<string, KeyReference[]>();
    for (const [role, ref] of roleAssignments(ctx.options.list('key'), 'key')) {
      given.set(role, [...(given.get(role) ?? []), await resolveKeyReference(ctx, ref, dir)]);
    }
    const unencrypted = ctx.options.flag('unencrypted');
    const type = ctx.options.required('key-type') as FileKeyType;
    const toGenerate = TOP_LEVEL_ROLE_NAMES.filter((r) => !given.has(r));
    for (const role of TOP_LEVEL_ROLE_NAMES) {
      const count = given.get(role)?.length ?? 1;
      const t = thresholds.get(role);
      if (t !== undefined && !(/^[0-9]+$/.test(t) && Number(t) >= 1 && Number(t) <= count)) {
        throw new UsageError(`--threshold ${role}=${t}: must be an integer from 1 to ${count} (the number of ${role} keys)`);
      }
    }
    for (const role of toGenerate) {
      for (const p of [join(dir, 'keys', `${role}.pem`), publicKeyPath(join(dir, 'keys', `${role}.pem`))]) {
        if (existsSync(p)) throw new UsageError(`${p} already exists; name existing keys with --key ${role}=${p}`);
      }
    }
    const generated = new Map<string, FileSigner>();
    if (toGenerate.length) {
      const passphrase = unencrypted
        ? null
        : await readSecret(
            { what: `new passphrase for the keys in ${join(dir, 'keys')}`, envVar: ctx.options.value('passphrase-env'), confirm: true },
            { env: ctx.env, stdin: ctx.stdin, stderr: ctx.out.stderr },
          );
      await mkdir(join(dir, 'keys'), { recursive: true, mode: 0o700 });
      for (const role of toGenerate) {
        const path = join(dir, 'keys', `${role}.pem`);
        const signer = await FileSigner.generate(type).writeFile(path, passphrase);
        await writePublicKeyFile(publicKeyPath(path), signer.publicKey);
        generated.set(role, signer);
        given.set(role, [{ key: signer.publicKey, uri: `file:keys/${role}.pem`, signer }]);
      }
    }
    const roles = Object.fromEntries(
      TOP_LEVEL_ROLE_NAMES.map((role) => {
        const refs = given.get(role) ?? [];
        const t = thresholds.get(role);
        const threshold = t === undefined ? 1 : Number(t);
        if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > refs.length) {
          throw new UsageError(`--threshold ${role}=${t}: must be an integer from 1 to ${refs.length} (the number of ${role} keys)`);
        }
        return [role, { keys: refs.map((r) => (r.uri ? { key: r.key, uri: r.uri } : { key: r.key })), threshold }];
      }),
    ) as Record<TopLevelRole, { keys: { key: Key; uri?: string }[]; threshold: number }>;
    const repo = await Repository.init(dir, {
      roles,
      consistentSnapshot: !ctx.options.flag('no-consistent-snapshot'),
      expiry,
      ...(hashes.length ? { targetHashAlgorithms: hashes } : {}),
      publishDir: ctx.options.required('publish-dir'),
    });
    const ring = await keyRingFor(ctx, repo);
    for (const refs of given.values()) for (const r of refs) if (r.signer) ring.add(r.signer);
    const outcomes = await repo.sign([...TOP_LEVEL_ROLE_NAMES], ring);
    await repo.save();
    const s = ctx.out.style;
    ctx.out.print(`${s.green('created')} repository ${s.bold(dir)}`);
    for (const role of TOP_LEVEL_ROLE_NAMES) {
      const refs = given.get(role) ?? [];
      const o = outcomes.find((x) => x.role === role);
      const state = o?.verified ? s.green('signed') : s.yellow(`needs signatures (${o?.missingKeyids.map(shortId).join(', ')})`);
      ctx.out.print(`  ${role.padEnd(9)} keys ${refs.map((r) => shortId(r.key.keyid)).join(', ')}  threshold ${roles[role].threshold}  ${state}`);
    }
    if (generated.size) ctx.out.print(`  new keys in ${join(dir, 'keys')}${unencrypted ? s.yellow(' (UNENCRYPTED)') : ' (encrypted)'}`);
    ctx.out.print(`next: put files in ${join(dir, 'targets')} or run 'tufkit targets add ${ctx.args.required('DIR')} FILES...', then 'tufkit publish ${ctx.args.required('DIR')}'`);
    return {
      dir,
      roles: TOP_LEVEL_ROLE_NAMES.map((role) => ({
        role,
        keyids: (given.get(role) ?? []).map((r) => r.key.keyid),
        threshold: roles[role].threshold,
        verified: outcomes.find((x) => x.role === role)?.verified ?? false,
      })),
      generatedKeys: [...generated.keys()].map((role) => join(dir, 'keys', `${role}.pem`)),
    };
  },
});
