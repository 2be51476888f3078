/**
 * File keys: generation of every type, the TUF public key each gives (as securesystemslib
 * writes it), signatures that verify (spec §4.2 key objects, §4.1 signatures over the
 * canonical bytes), scrypt-encrypted PKCS#8 files that OpenSSL reads, wrong passphrases,
 * and the real keystores of python-tuf (PKCS#8) and go-tuf (PKCS#1).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeyFormatError, SignerError, StorageError } from '../../src/errors.js';
import { Metadata, type Root } from '../../src/metadata/index.js';
import { FILE_KEY_TYPES, FileSigner } from '../../src/signers/file.js';
import { describeKeyFile, parsePublicKeyText, publicKeyPath, writePublicKeyFile } from '../../src/signers/key-files.js';
import { describeWithFixtures, fixture } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/repo.js';

const tmp = () => tempDir('filekey');
const payload = new TextEncoder().encode('{"_type":"targets"}');

describe('generated keys', () => {
  const expected = {
    ed25519: { keytype: 'ed25519', scheme: 'ed25519', public: /^[0-9a-f]{64}$/ },
    'ecdsa-p256': { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp256', public: /^-----BEGIN PUBLIC KEY-----\n[\s\S]+\n-----END PUBLIC KEY-----\n$/ },
    'ecdsa-p384': { keytype: 'ecdsa', scheme: 'ecdsa-sha2-nistp384', public: /^-----BEGIN PUBLIC KEY-----\n/ },
    rsa: { keytype: 'rsa', scheme: 'rsassa-pss-sha256', public: /^-----BEGIN PUBLIC KEY-----\n/ },
  } as const;

  for (const type of FILE_KEY_TYPES) {
    it(`${type}: TUF key as securesystemslib lists it; signature verifies; keyid is sha256 of the canonical key`, async () => {
      const signer = FileSigner.generate(type, type === 'rsa' ? { rsaBits: 2048 } : {});
      const key = signer.publicKey;
      expect(key.keytype).toBe(expected[type].keytype);
      expect(key.scheme).toBe(expected[type].scheme);
      expect(key.keyval['public']).toMatch(expected[type].public);
      expect(key.hasCanonicalKeyid()).toBe(true);
      const sig = await signer.sign(payload);
      expect(sig.keyid).toBe(key.keyid);
      expect(key.verifySignature(sig, payload)).toBe(true);
      expect(key.verifySignature(sig, new TextEncoder().encode('other'))).toBe(false);
    });
  }

  it('ECDSA signatures are ASN.1 DER', async () => {
    const sig = (await FileSigner.generate('ecdsa-p256').sign(payload)).bytes() as Uint8Array;
    expect(sig[0]).toBe(0x30);
    expect(sig[1]).toBe(sig.length - 2);
  });

  it('RSA-PSS signatures use salt length 32 (as securesystemslib signs)', async () => {
    const signer = FileSigner.generate('rsa', { rsaBits: 2048 });
    const sig = (await signer.sign(payload)).bytes() as Uint8Array;
    const { createPublicKey, verify, constants } = await import('node:crypto');
    const pub = createPublicKey(signer.publicKey.keyval['public'] as string);
    const check = (saltLength: number) => verify('sha256', payload, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, sig);
    expect(check(32)).toBe(true);
    expect(check(64)).toBe(false);
  });

  it('refuses RSA keys below 2048 bits', () => {
    expect(() => FileSigner.generate('rsa', { rsaBits: 1024 })).toThrow(KeyFormatError);
  });
});

describe('key files', () => {
  it('encrypted by default with scrypt PBES2; node reads it back with the passphrase; mode 0600', async () => {
    const dir = tmp();
    const path = join(dir, 'k.pem');
    const signer = await FileSigner.generate('ed25519').writeFile(path, 'correct horse');
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = await FileSigner.fromFile(path, { passphrase: 'correct horse' });
    expect(again.publicKey.keyid).toBe(signer.publicKey.keyid);
    expect(again.publicKey.verifySignature(await again.sign(payload), payload)).toBe(true);
  });

  it('OpenSSL reads the encrypted file and sees scrypt + AES-256-CBC', () => {
    const dir = tmp();
    const path = join(dir, 'k.pem');
    writeFileSync(path, FileSigner.generate('ecdsa-p256').toPem('pw-123'));
    const parsed = execFileSync('openssl', ['asn1parse', '-in', path], { encoding: 'utf8' });
    expect(parsed).toContain(':PBES2');
    expect(parsed).toContain(':scrypt');
    expect(parsed).toContain(':aes-256-cbc');
    const text = execFileSync('openssl', ['pkey', '-in', path, '-passin', 'pass:pw-123', '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toMatch(/Private-Key: \(256 bit/);
  });

  it('a wrong passphrase is a SignerError that does not contain the passphrase', async () => {
    const dir = tmp();
    const path = join(dir, 'k.pem');
    await FileSigner.generate('ed25519').writeFile(path, 'right');
    for (let i = 0; i < 5; i++) {
      const err = await FileSigner.fromFile(path, { passphrase: `wrong-${i}` }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SignerError);
      expect((err as Error).message).toMatch(/cannot decrypt .*k\.pem: wrong passphrase/);
      expect((err as Error).message).not.toContain(`wrong-${i}`);
    }
    await expect(FileSigner.fromFile(path)).rejects.toThrow(/is encrypted: a passphrase is needed/);
  });

  it('asks a passphrase function again up to `attempts` times', async () => {
    const dir = tmp();
    const path = join(dir, 'k.pem');
    await FileSigner.generate('ed25519').writeFile(path, 'right');
    const answers = ['no', 'nope', 'right'];
    const asked: string[] = [];
    const signer = await FileSigner.fromFile(path, {
      attempts: 3,
      passphrase: async (what) => {
        asked.push(what);
        return answers.shift() as string;
      },
    });
    expect(signer.path).toBe(path);
    expect(asked).toEqual([`passphrase for ${path}`, `passphrase for ${path}`, `passphrase for ${path}`]);
  });

  it('unencrypted only when asked with null; never overwrites an existing file', async () => {
    const dir = tmp();
    const path = join(dir, 'k.pem');
    const signer = FileSigner.generate('ed25519');
    await signer.writeFile(path, null);
    expect(readFileSync(path, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const before = readFileSync(path);
    await expect(FileSigner.generate('ed25519').writeFile(path, null)).rejects.toThrow(StorageError);
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(() => signer.toPem('')).toThrow(/must not be empty/);
  });

  it('the .pub file names an encrypted key without its passphrase', async () => {
    const dir = tmp();
    const path = join(dir, 'k.pem');
    const signer = await FileSigner.generate('ecdsa-p384').writeFile(path, 'pw');
    await writePublicKeyFile(publicKeyPath(path), signer.publicKey);
    const info = await describeKeyFile(path);
    expect(info.encrypted).toBe(true);
    expect(info.publicKey?.keyid).toBe(signer.publicKey.keyid);
    const pubText = readFileSync(publicKeyPath(path), 'utf8');
    expect(Object.keys(JSON.parse(pubText))).toEqual(['keytype', 'keyval', 'scheme']);
  });

  it('refuses what is not a private key, naming the file', async () => {
    await expect(FileSigner.fromPem('hello', { path: 'x.pem' })).rejects.toThrow(/x\.pem: not a PEM private key/);
    await expect(FileSigner.fromPem('abcd@@@@100000@@@@ef', { path: 'old' })).rejects.toThrow(/legacy encrypted key format/);
    const pub = FileSigner.generate('ecdsa-p256').publicKey.keyval['public'] as string;
    await expect(FileSigner.fromPem(pub, { path: 'p.pem' })).rejects.toThrow(/public key or certificate, not a private key/);
    await expect(FileSigner.fromPem('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n')).rejects.toThrow(KeyFormatError);
  });

  it('refuses to sign as a key it does not hold', async () => {
    const a = FileSigner.generate('ed25519');
    const b = FileSigner.generate('ed25519');
    expect(() => a.forKey(b.publicKey)).toThrow(/is not the key/);
  });
});

describeWithFixtures('real keystores', () => {
  const pyRepo = ['python-tuf', 'repository_data', 'repository', 'metadata'];
  const pyKeys = ['python-tuf', 'repository_data', 'keystore'];

  it('python-tuf (PKCS#8 PEM, unencrypted): every key is the one root lists, and re-signs root verifiably', async () => {
    const root = Metadata.fromFile(fixture(...pyRepo, 'root.json'), { type: 'root' }) as Metadata<Root>;
    const wanted: Record<string, string> = { root_key: 'root', timestamp_key: 'timestamp', snapshot_key: 'snapshot', targets_key: 'targets' };
    for (const [file, role] of Object.entries(wanted)) {
      const keyid = root.signed.getDelegatedRole(role).keyids[0] as string;
      const listed = root.signed.getKey(keyid);
      const signer = await FileSigner.fromFile(fixture(...pyKeys, file), { publicKey: listed });
      expect(signer.publicKey.keyid).toBe(keyid);
      // Their keyids include keyid_hash_algorithms: ours for the bare key differ, the material is the same.
      expect((await FileSigner.fromFile(fixture(...pyKeys, file))).publicKey.sameKeyAs(listed)).toBe(true);
    }
    const rootSigner = await FileSigner.fromFile(fixture(...pyKeys, 'root_key'), { publicKey: root.signed.getKey(root.signed.getDelegatedRole('root').keyids[0] as string) });
    const copy = Metadata.fromBytes(root.toBytes(), { type: 'root' });
    copy.signed.version += 1;
    await copy.sign(rootSigner);
    expect(copy.signed.getRootVerificationResult(root.signed, copy.signedBytes(), copy.signatures).verified).toBe(true);
  });

  it('python-tuf legacy encrypted keys (root_key2) are refused with a clear message', async () => {
    await expect(FileSigner.fromFile(fixture(...pyKeys, 'root_key2'), { passphrase: 'password' })).rejects.toThrow(/legacy encrypted key format/);
  });

  it('go-tuf (PKCS#1 RSA PEM) keys load, match their .pub, and sign PSS signatures that verify', async () => {
    const goKeys = ['go-tuf', 'repository_data', 'keystore'];
    const root = Metadata.fromFile(fixture('go-tuf', 'repository_data', 'repository', 'metadata', 'root.json'), { type: 'root', lenient: true }) as Metadata<Root>;
    for (const name of ['root_key', 'targets_key', 'snapshot_key', 'timestamp_key']) {
      const signer = await FileSigner.fromFile(fixture(...goKeys, name));
      expect(signer.publicKey.keytype).toBe('rsa');
      const pub = parsePublicKeyText(readFileSync(fixture(...goKeys, `${name}.pub`), 'utf8'), name);
      expect(pub.sameKeyAs(signer.publicKey)).toBe(true);
      const listed = [...root.signed.keys.values()].find((k) => k.sameKeyAs(signer.publicKey));
      expect(listed, `${name} is in go-tuf's root`).toBeDefined();
      const sig = await signer.forKey(listed!).sign(payload);
      expect(listed!.verifySignature(sig, payload)).toBe(true);
    }
  });
});
