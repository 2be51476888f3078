/**
 * The ceremony library with file keys: proposals (rules of spec §5.3, tamper checks),
 * signing (idempotent, detached, verified before written), status (both thresholds of
 * §5.3.4), merge (conflicts refused, valid signatures kept), finalize (refused unless both
 * thresholds are met), and that a failed step leaves every file as it was.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyRootChanges, describeRootChanges } from '../../src/ceremony/changes.js';
import { finalRoot, finalizeToFile } from '../../src/ceremony/finalize.js';
import { mergeCeremonyFiles, readCeremonyFile } from '../../src/ceremony/merge.js';
import { Proposal } from '../../src/ceremony/proposal.js';
import { proposeFromRoot } from '../../src/ceremony/propose.js';
import { parseDetachedSignatures, signProposalFile } from '../../src/ceremony/sign.js';
import { CeremonyError, ProposalConflictError, SignatureNotVerifiedError, StorageError, UnsignedMetadataError } from '../../src/errors.js';
import { Metadata } from '../../src/metadata/metadata.js';
import type { Root } from '../../src/metadata/root.js';
import { Signature } from '../../src/metadata/signature.js';
import type { Signer } from '../../src/metadata/signer.js';
import { FileSigner } from '../../src/signers/file.js';
import { withSignerUri } from '../../src/signers/signer-uri.js';

const day = 86_400_000;

function keys(n: number, type: 'ed25519' | 'ecdsa-p256' = 'ed25519'): FileSigner[] {
  return Array.from({ length: n }, () => FileSigner.generate(type));
}

/** A published-looking root v1: `rootKeys` with threshold `t`, one key for each other role, signed by `signers`. */
async function rootV1(rootKeys: FileSigner[], t: number, signers: FileSigner[]): Promise<Metadata<Root>> {
  const others = keys(3);
  const next = applyRootChanges(
    undefined,
    {
      addKeys: [
        ...rootKeys.map((s) => ({ role: 'root' as const, key: s.publicKey })),
        { role: 'targets', key: (others[0] as FileSigner).publicKey },
        { role: 'snapshot', key: (others[1] as FileSigner).publicKey },
        { role: 'timestamp', key: (others[2] as FileSigner).publicKey },
      ],
      thresholds: new Map([['root', t]]),
      expires: new Date(Date.now() + 365 * day),
    },
    {},
  );
  const md = new Metadata<Root>(next);
  for (const s of signers) await md.sign(s, { append: true });
  return md;
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'tufkit-ceremony-'));
}

function write(dir: string, name: string, p: Proposal): string {
  const path = join(dir, name);
  writeFileSync(path, p.toBytes());
  return path;
}

describe('proposals', () => {
  it('rotation: version + 1, summary of the changes, both thresholds needed (§5.3.4)', async () => {
    const old = keys(3);
    const fresh = keys(3, 'ecdsa-p256');
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    const p = proposeFromRoot(v1, {
      changes: {
        addKeys: fresh.map((s) => ({ role: 'root' as const, key: s.publicKey })),
        removeKeys: old.map((s) => ({ role: 'root' as const, keyid: s.publicKey.keyid })),
        thresholds: new Map([['root', 2]]),
      },
      note: 'yearly rotation',
    });
    expect(p.root.signed.version).toBe(2);
    const summary = p.summary();
    expect(summary[0]).toBe('root version 1 → 2');
    expect(summary).toContain('root: threshold 2 of 3 keys (was 3)');
    for (const s of fresh) expect(summary).toContain(`  + ${s.publicKey.keyid} (ecdsa-sha2-nistp256)`);
    for (const s of old) expect(summary).toContain(`  - ${s.publicKey.keyid} (ed25519)`);
    expect(summary).toContain('targets: unchanged (threshold 1 of 1)');
    expect(summary.at(-1)).toBe('needs signatures from 2 of the 3 root keys of version 1 and from 2 of the 3 root keys of version 2');
    const st = p.status();
    expect(st.complete).toBe(false);
    expect(st.previous?.met).toBe(false);
    expect(st.next.missing).toHaveLength(3);
    // round trip
    const again = Proposal.fromBytes(p.toBytes());
    expect(again.payloadSha256()).toBe(p.payloadSha256());
    expect(again.note).toBe('yearly rotation');
  });

  it('refuses what breaks the rules: unreachable thresholds, a current root not signed by its own keys, a wrong version', async () => {
    const old = keys(3);
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    expect(() => proposeFromRoot(v1, { changes: { thresholds: new Map([['root', 4]]) } })).toThrow(/threshold 4 but only 3 distinct keys/);
    expect(() => proposeFromRoot(v1, { changes: { removeKeys: [{ role: 'targets', keyid: 'ab'.repeat(32) }] } })).toThrow(/does not have it/);
    const underSigned = await rootV1(old, 2, old.slice(0, 1));
    expect(() => proposeFromRoot(underSigned, { changes: {} })).toThrow(/not signed by 2 of its own root keys/);
    const p = proposeFromRoot(v1, { changes: {} });
    const dict = JSON.parse(Buffer.from(p.toBytes()).toString());
    dict.root.signed.version = 3;
    expect(() => Proposal.fromBytes(JSON.stringify(dict))).toThrow(/must be version 2/);
  });

  it('refuses a proposal whose stored hash or summary does not match its content (what is shown is what is signed)', async () => {
    const old = keys(3);
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    const p = proposeFromRoot(v1, { changes: { thresholds: new Map([['root', 3]]) } });
    const edit = (f: (d: Record<string, any>) => void) => {
      const d = JSON.parse(Buffer.from(p.toBytes()).toString());
      f(d);
      return JSON.stringify(d);
    };
    expect(() => Proposal.fromBytes(edit((d) => (d.root.signed.roles.root.threshold = 2)))).toThrow(/damaged or edited: it says the new root's hash is/);
    expect(() => Proposal.fromBytes(edit((d) => (d.summary[1] = 'nothing to see here')))).toThrow(/stored summary does not describe/);
    expect(() => Proposal.fromBytes(edit((d) => (d.format = 'x')))).toThrow(/format/);
  });

  it('describes a new repository', () => {
    const ks = keys(4);
    const next = applyRootChanges(undefined, {
      addKeys: [
        { role: 'root', key: (ks[0] as FileSigner).publicKey },
        { role: 'targets', key: (ks[1] as FileSigner).publicKey },
        { role: 'snapshot', key: (ks[2] as FileSigner).publicKey },
        { role: 'timestamp', key: (ks[3] as FileSigner).publicKey },
      ],
    });
    const lines = describeRootChanges(undefined, next);
    expect(lines[0]).toMatch(/^new repository: root version 1, expires /);
    expect(lines).toContain(`  ${(ks[0] as FileSigner).publicKey.keyid} (ed25519)`);
  });
});

describe('signing, status, merge, finalize', () => {
  it('runs a 2-of-3 → 2-of-3 rotation on separate copies and finalizes', async () => {
    const old = keys(3);
    const fresh = keys(3, 'ecdsa-p256');
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    const p = proposeFromRoot(v1, {
      changes: {
        addKeys: fresh.map((s) => ({ role: 'root' as const, key: s.publicKey })),
        removeKeys: old.map((s) => ({ role: 'root' as const, keyid: s.publicKey.keyid })),
      },
    });
    const dirs = [tmp(), tmp(), tmp()];
    const copies = dirs.map((d) => write(d, 'proposal.json', p));
    // machine 0: old 0 and new 0 (embedded); machine 1: old 1 embedded, new 1 detached; machine 2: new 2 detached
    const shown: string[] = [];
    const confirm = async (prop: Proposal) => {
      shown.push(prop.payloadSha256());
      return true;
    };
    expect((await signProposalFile(copies[0] as string, old[0] as FileSigner, { confirm })).added).toEqual([(old[0] as FileSigner).publicKey.keyid]);
    await signProposalFile(copies[0] as string, fresh[0] as FileSigner, { confirm });
    const before = readFileSync(copies[0] as string);
    const again = await signProposalFile(copies[0] as string, fresh[0] as FileSigner, { confirm });
    expect(again.added).toEqual([]);
    expect(again.already).toEqual([(fresh[0] as FileSigner).publicKey.keyid]);
    expect(readFileSync(copies[0] as string).equals(before)).toBe(true); // idempotent, not even rewritten
    await signProposalFile(copies[1] as string, old[1] as FileSigner, { confirm });
    const sig1 = join(dirs[1] as string, 'new1.sig.json');
    await signProposalFile(copies[1] as string, fresh[1] as FileSigner, { detached: sig1, confirm });
    const sig2 = join(dirs[2] as string, 'new2.sig.json');
    await signProposalFile(copies[2] as string, fresh[2] as FileSigner, { detached: sig2, confirm });
    expect(readFileSync(copies[2] as string).equals(Buffer.from(p.toBytes()))).toBe(true); // detached: proposal untouched
    expect(parseDetachedSignatures(readFileSync(sig2)).payloadSha256).toBe(p.payloadSha256());
    expect(new Set(shown)).toEqual(new Set([p.payloadSha256()]));

    // each copy alone is incomplete
    for (const c of copies) expect((await Proposal.fromFile(c)).status().complete).toBe(false);
    const merged = mergeCeremonyFiles(await Promise.all([...copies, sig1, sig2].map(readCeremonyFile)));
    const st = merged.proposal.status();
    expect(st.previous).toMatchObject({ met: true, signed: [old[0], old[1]].map((s) => (s as FileSigner).publicKey.keyid) });
    expect(st.next).toMatchObject({ met: true, signed: fresh.map((s) => s.publicKey.keyid) });
    expect(st.complete).toBe(true);
    expect(merged.dropped).toEqual([]);

    const out = join(tmp(), '2.root.json');
    const md = await finalizeToFile(merged.proposal, out);
    const written = Metadata.fromFile(out, { type: 'root' });
    expect(written.signed.version).toBe(2);
    // the chain: v2 is trusted by v1 and by itself (§5.3.4)
    expect(written.signed.getRootVerificationResult(v1.signed, written.signedBytes(), written.signatures).verified).toBe(true);
    expect(md.signatures.size).toBe(5);
    // a second finalize of the same root is a no-op; another file there is refused
    await finalizeToFile(merged.proposal, out);
    writeFileSync(out, '{}');
    await expect(finalizeToFile(merged.proposal, out)).rejects.toThrow(/exists with other content/);
  });

  it('signs under every keyid the key is listed under (old and new root), matching keys by material', async () => {
    const holder = FileSigner.generate('ed25519');
    const others = keys(2);
    const v1 = await rootV1([holder, ...others], 1, [holder]);
    // the new root lists the same key under another keyid (an extra field changes the keyid)
    const hinted = withSignerUri(holder.publicKey, 'pkcs11:token=a;object=b');
    const p = proposeFromRoot(v1, { changes: { removeKeys: [{ role: 'root', keyid: holder.publicKey.keyid }], addKeys: [{ role: 'root', key: hinted }] } });
    const path = write(tmp(), 'p.json', p);
    const r = await signProposalFile(path, holder);
    expect([...r.added].sort()).toEqual([holder.publicKey.keyid, hinted.keyid].sort());
    expect(r.roles).toEqual({ inPrevious: true, inNext: true });
    const st = (await Proposal.fromFile(path)).status();
    expect(st.complete).toBe(true); // 1-of-3 old and 1-of-1 new, by one person
  });

  it('refuses a key of neither root, and an unconfirmed signing; both leave the file as it was', async () => {
    const old = keys(3);
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    const p = proposeFromRoot(v1, { changes: {} });
    const path = write(tmp(), 'p.json', p);
    const original = readFileSync(path);
    await expect(signProposalFile(path, FileSigner.generate('ed25519'))).rejects.toThrow(/is not a root key of version 1 or 2; nothing signed/);
    await expect(signProposalFile(path, old[0] as FileSigner, { confirm: async () => false })).rejects.toThrow(/not confirmed/);
    expect(readFileSync(path).equals(original)).toBe(true);
  });

  it('a signature that does not verify is never written (the signer lies about its key)', async () => {
    const old = keys(3);
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    const p = proposeFromRoot(v1, { changes: {} });
    const dir = tmp();
    const path = write(dir, 'p.json', p);
    const original = readFileSync(path);
    const impostor = FileSigner.generate('ed25519');
    const lying: Signer = {
      publicKey: (old[2] as FileSigner).publicKey,
      async sign(payload: Uint8Array): Promise<Signature> {
        const s = await impostor.sign(payload);
        return s;
      },
    };
    await expect(signProposalFile(path, lying)).rejects.toThrow(SignatureNotVerifiedError);
    await expect(signProposalFile(path, lying, { detached: join(dir, 'x.sig.json') })).rejects.toThrow(SignatureNotVerifiedError);
    expect(readFileSync(path).equals(original)).toBe(true);
    expect(readdirSync(dir)).toEqual(['p.json']);
  });

  it('a write that fails mid-step leaves the proposal as it was and no temporary file behind', async () => {
    const old = keys(3);
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    const p = proposeFromRoot(v1, { changes: {} });
    const dir = tmp();
    const path = write(dir, 'p.json', p);
    const original = readFileSync(path);
    mkdirSync(join(dir, 'blocked.sig.json')); // the rename over a directory fails after the temp file is written
    await expect(signProposalFile(path, old[0] as FileSigner, { detached: join(dir, 'blocked.sig.json') })).rejects.toThrow(StorageError);
    expect(readFileSync(path).equals(original)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['blocked.sig.json', 'p.json']);
  });

  it('merge refuses copies about another payload, keeps every valid signature, drops what cannot count', async () => {
    const old = keys(3);
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    const p = proposeFromRoot(v1, { changes: {} });
    const other = proposeFromRoot(v1, { changes: { thresholds: new Map([['root', 3]]) } });
    const dir = tmp();
    const a = write(dir, 'a.json', p);
    const b = write(dir, 'b.json', other);
    await signProposalFile(a, old[0] as FileSigner);
    await signProposalFile(b, old[1] as FileSigner);
    const files = await Promise.all([a, b].map(readCeremonyFile));
    expect(() => mergeCeremonyFiles(files)).toThrow(ProposalConflictError);
    expect(() => mergeCeremonyFiles(files)).toThrow(/b\.json proposes another root/);
    // a bad signature and a stranger's signature in a copy: left out, reported; the good one stays
    const c = write(dir, 'c.json', p);
    await signProposalFile(c, old[1] as FileSigner);
    const cd = JSON.parse(readFileSync(c, 'utf8'));
    cd.root.signatures.push({ keyid: 'ab'.repeat(32), sig: '00' });
    const forged = Proposal.fromBytes(JSON.stringify(cd));
    const badKeyid = (old[1] as FileSigner).publicKey.keyid;
    const tampered = forged.withSignatures(new Map([...forged.root.signatures].map(([k, s]) => [k, k === badKeyid ? new Signature(k, '00'.repeat(64)) : s])));
    const d = write(dir, 'd.json', tampered);
    const merged = mergeCeremonyFiles(await Promise.all([a, d, c].map(readCeremonyFile)));
    expect([...merged.proposal.root.signatures.keys()].sort()).toEqual([(old[0] as FileSigner).publicKey.keyid, (old[1] as FileSigner).publicKey.keyid].sort());
    expect(merged.dropped).toEqual([{ keyid: 'ab'.repeat(32), from: d, reason: 'not a root key of either version' }]);
    expect(merged.proposal.status().complete).toBe(true);
  });

  it('finalize refuses unless both thresholds are met, and an expired new root', async () => {
    const old = keys(3);
    const fresh = keys(2);
    const v1 = await rootV1(old, 2, old.slice(0, 2));
    const p = proposeFromRoot(v1, { changes: { addKeys: fresh.map((s) => ({ role: 'root' as const, key: s.publicKey })), removeKeys: old.map((s) => ({ role: 'root' as const, keyid: s.publicKey.keyid })), thresholds: new Map([['root', 2]]) } });
    const path = write(tmp(), 'p.json', p);
    await signProposalFile(path, fresh[0] as FileSigner);
    await signProposalFile(path, fresh[1] as FileSigner);
    const onlyNew = await Proposal.fromFile(path);
    expect(() => finalRoot(onlyNew)).toThrow(UnsignedMetadataError);
    expect(() => finalRoot(onlyNew)).toThrow(/only 0 of the 2 needed signatures by root keys of the current version 1/);
    await signProposalFile(path, old[0] as FileSigner);
    expect(() => finalRoot(Proposal.fromBytes(readFileSync(path)))).toThrow(/only 1 of the 2/);
    await signProposalFile(path, old[2] as FileSigner);
    const full = await Proposal.fromFile(path);
    expect(finalRoot(full).signed.version).toBe(2);
    expect(() => finalRoot(full, { now: new Date(Date.now() + 400 * day) })).toThrow(/expired/);
    const out = join(tmp(), 'root.json');
    await expect(finalizeToFile(onlyNew, out)).rejects.toThrow(UnsignedMetadataError);
    expect(existsSync(out)).toBe(false);
  });

  it('a proposal for a key not in the root to remove names it', async () => {
    const old = keys(2);
    const v1 = await rootV1(old, 1, old.slice(0, 1));
    expect(() => proposeFromRoot(v1, { changes: { removeKeys: [{ role: 'root', keyid: 'cd'.repeat(32) }] } })).toThrow(CeremonyError);
  });
});
