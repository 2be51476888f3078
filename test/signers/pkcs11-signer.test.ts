/**
 * The PKCS#11 signer against a real token: a private SoftHSM2 (test/helpers/softhsm.ts),
 * keys set up independently with OpenSC's pkcs11-tool, signatures checked with node:crypto
 * directly and with tufkit's default verifier (spec §4.2 schemes).
 */
import { constants, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  KeyNotFoundError,
  MechanismNotSupportedError,
  ModuleNotFoundError,
  PinError,
  PinIncorrectError,
  SignatureNotVerifiedError,
  SignerError,
  TokenNotFoundError,
} from '../../src/errors.js';
import { Key } from '../../src/metadata/key.js';
import { Metadata } from '../../src/metadata/metadata.js';
import { Root } from '../../src/metadata/root.js';
import { generateTokenKeyPair } from '../../src/signers/pkcs11/generate.js';
import { openModuleCount } from '../../src/signers/pkcs11/module.js';
import { Pkcs11Signer, type Pkcs11KeyLocation } from '../../src/signers/pkcs11/signer.js';
import { pinFromEnv } from '../../src/signers/pin.js';
import { tufKeyFromSpki } from '../../src/signers/tuf-key.js';
import { decodePublicKey } from '../../src/verify/public-key.js';
import { getDefaultVerifier } from '../../src/verify/verifier.js';
import { PKCS11_TOOL, SOFTHSM_MODULE, createTestHsm, type TestHsm, type TestToken } from '../helpers/softhsm.js';

const enabled = SOFTHSM_MODULE !== undefined && PKCS11_TOOL !== undefined;
if (!enabled) console.warn('SoftHSM2 or pkcs11-tool not installed: PKCS#11 signer tests skipped (scripts/setup installs them)');

const payload = new TextEncoder().encode('{"signed":"canonical bytes of a role"}');

/** Check a TUF signature with node:crypto directly (not through tufkit's verifier). */
function nodeVerify(key: Key, message: Uint8Array, sig: Uint8Array): boolean {
  const decoded = decodePublicKey(key);
  if (key.scheme === 'ed25519') {
    const x = Buffer.from(decoded.publicKey).toString('base64url');
    return cryptoVerify(null, message, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }), sig);
  }
  const pub = createPublicKey({ key: Buffer.from(decoded.publicKey), format: 'der', type: 'spki' });
  switch (key.scheme) {
    case 'ecdsa-sha2-nistp256':
      return cryptoVerify('sha256', message, { key: pub, dsaEncoding: 'der' }, sig);
    case 'ecdsa-sha2-nistp384':
      return cryptoVerify('sha384', message, { key: pub, dsaEncoding: 'der' }, sig);
    case 'rsassa-pss-sha256':
      // salt exactly 32: what python-tuf / securesystemslib write
      return cryptoVerify('sha256', message, { key: pub, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig);
    case 'rsa-pkcs1v15-sha256':
      return cryptoVerify('sha256', message, { key: pub, padding: constants.RSA_PKCS1_PADDING }, sig);
    default:
      throw new Error(`unexpected scheme ${key.scheme}`);
  }
}

describe.runIf(enabled)('PKCS#11 signer on SoftHSM2', () => {
  let hsm: TestHsm;
  let token: TestToken;
  let location: (label: string) => Pkcs11KeyLocation;
  let pin: ReturnType<typeof pinFromEnv>;

  beforeAll(async () => {
    hsm = await createTestHsm();
    token = await hsm.addToken('signers');
    pin = pinFromEnv(token.pinEnv);
    location = (label) => ({ modulePath: hsm.modulePath, token: { token: 'signers' }, key: { label } });
    // Independent key setup with OpenSC's pkcs11-tool.
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'p256', '--id', '01'], token);
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'EC:secp384r1', '--label', 'p384', '--id', '02'], token);
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'EC:edwards25519', '--label', 'ed', '--id', '03'], token);
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'rsa:2048', '--label', 'rsa', '--id', '04'], token);
  });
  afterAll(() => hsm?.cleanup());

  /** The public key as pkcs11-tool exports it (DER SPKI), for EC and RSA. */
  function toolSpki(id: string): Buffer {
    const out = join(hsm.dir, `pub-${id}.der`);
    hsm.pkcs11Tool(['--token-label', 'signers', '--read-object', '--type', 'pubkey', '--id', id, '-o', out]);
    return readFileSync(out);
  }

  /** CKA_EC_POINT of public key `label` as pkcs11-tool lists it (hex). */
  function toolEcPoint(label: string): string | undefined {
    const listing = hsm.pkcs11Tool(['--token-label', 'signers', '--list-objects', '--type', 'pubkey']);
    const block = listing.split('Public Key Object').find((b) => new RegExp(`label:\\s+${label}\\n`).test(b)) ?? '';
    return /EC_POINT:\s+([0-9a-f]+)/.exec(block)?.[1];
  }

  it.each([
    ['p256', '01', 'ecdsa', 'ecdsa-sha2-nistp256'],
    ['rsa', '04', 'rsa', 'rsassa-pss-sha256'],
  ])('exports the %s public key exactly as pkcs11-tool does (§4.2 key object)', async (label, id, keytype, scheme) => {
    const signer = await Pkcs11Signer.create(location(label), { pin });
    expect(signer.publicKey.keytype).toBe(keytype);
    expect(signer.publicKey.scheme).toBe(scheme);
    expect(signer.publicKey.hasCanonicalKeyid()).toBe(true);
    expect(Buffer.from(decodePublicKey(signer.publicKey).publicKey).equals(toolSpki(id))).toBe(true);
  });

  it('exports the P-384 public key: the SPKI holds the point of CKA_EC_POINT', async () => {
    // (pkcs11-tool 0.23 cannot export P-384 keys: compare with the raw attribute it lists,
    // an OCTET STRING 04 61 around the 97-byte point)
    const signer = await Pkcs11Signer.create(location('p384'), { pin });
    expect(signer.publicKey.scheme).toBe('ecdsa-sha2-nistp384');
    const spki = Buffer.from(decodePublicKey(signer.publicKey).publicKey);
    expect(toolEcPoint('p384')).toBe('0461' + spki.subarray(spki.length - 97).toString('hex'));
  });

  it('exports the Ed25519 public key as the 32 bytes in CKA_EC_POINT', async () => {
    const signer = await Pkcs11Signer.create(location('ed'), { pin });
    expect(signer.publicKey.keytype).toBe('ed25519');
    // pkcs11-tool lists the raw attribute: EC_POINT is an OCTET STRING (04 20 ‖ key);
    // pkcs11-tool wrote CKA_EC_PARAMS as the PrintableString "edwards25519".
    expect(toolEcPoint('ed')).toBe('0420' + String(signer.publicKey.keyval['public']));
  });

  it.each(['p256', 'p384', 'ed', 'rsa'])('signs with the %s key; node:crypto and the default verifier accept the signature', async (label) => {
    const signer = await Pkcs11Signer.create(location(label), { pin });
    const signature = await signer.sign(payload);
    expect(signature.keyid).toBe(signer.publicKey.keyid);
    const bytes = signature.bytes() as Uint8Array;
    expect(nodeVerify(signer.publicKey, payload, bytes)).toBe(true);
    expect(getDefaultVerifier().verify(signer.publicKey, payload, bytes)).toBe(true);
    // ... and over exactly the payload
    const other = new Uint8Array(payload);
    other[0] ^= 1;
    expect(nodeVerify(signer.publicKey, other, bytes)).toBe(false);
    expect(openModuleCount()).toBe(0);
  });

  it('signs rsa-pkcs1v15-sha256 with CKM_SHA256_RSA_PKCS when the key says so', async () => {
    const rsaPss = await Pkcs11Signer.create(location('rsa'), { pin });
    const pkcs1Key = Key.create('rsa', 'rsa-pkcs1v15-sha256', { public: String(rsaPss.publicKey.keyval['public']) });
    const signer = await Pkcs11Signer.create(location('rsa'), { pin }, pkcs1Key);
    const signature = await signer.sign(payload);
    expect(nodeVerify(pkcs1Key, payload, signature.bytes() as Uint8Array)).toBe(true);
    const viaScheme = await Pkcs11Signer.create(location('rsa'), { pin, rsaScheme: 'rsa-pkcs1v15-sha256' });
    expect(viaScheme.publicKey.keyid).toBe(pkcs1Key.keyid);
  });

  it('signs root metadata that then verifies against itself (§5.3.4)', async () => {
    const signers = await Promise.all(['p256', 'ed', 'rsa'].map((l) => Pkcs11Signer.create(location(l), { pin })));
    const root = new Root({ expires: new Date('2030-01-01T00:00:00Z') });
    for (const s of signers) root.addKey(s.publicKey, 'root');
    root.getDelegatedRole('root').threshold = 3;
    const md = new Metadata(root);
    for (const s of signers) await md.sign(s, { append: true });
    const reread = Metadata.fromBytes(md.toBytes(), { type: 'root' });
    expect(reread.signed.verifyDelegate('root', reread.signedBytes(), reread.signatures).verified).toBe(true);
    expect(openModuleCount()).toBe(0);
  });

  it('signs many payloads with one login', async () => {
    const signer = await Pkcs11Signer.create(location('p256'), { pin });
    const payloads = Array.from({ length: 5 }, (_, i) => new TextEncoder().encode(`payload ${i}`));
    const sigs = await signer.signMany(payloads);
    sigs.forEach((s, i) => expect(nodeVerify(signer.publicKey, payloads[i] as Uint8Array, s.bytes() as Uint8Array)).toBe(true));
  });

  it('generates key pairs on the token that then sign', async () => {
    for (const algorithm of ['ecdsa-p256', 'ecdsa-p384', 'ed25519', 'rsa-2048'] as const) {
      const generated = await generateTokenKeyPair({
        modulePath: hsm.modulePath,
        token: { token: 'signers' },
        algorithm,
        label: `gen-${algorithm}`,
        pin,
        context: 'test',
      });
      const key = tufKeyFromSpki(generated.spki);
      const signer = await Pkcs11Signer.create(location(`gen-${algorithm}`), { pin });
      expect(signer.publicKey.keyid).toBe(key.keyid);
      const sig = await signer.sign(payload);
      expect(nodeVerify(key, payload, sig.bytes() as Uint8Array)).toBe(true);
    }
    // the private key is not extractable: pkcs11-tool lists it as such
    const listing = hsm.pkcs11Tool(['--list-objects', '--type', 'privkey', '--label', 'gen-ecdsa-p256'], token);
    expect(listing).toMatch(/Access:\s+sensitive, always sensitive, never extractable/);
    await expect(
      generateTokenKeyPair({ modulePath: hsm.modulePath, token: { token: 'signers' }, algorithm: 'ed25519', label: 'gen-ed25519', pin, context: 'test' }),
    ).rejects.toThrow(/already has .*gen-ed25519.*nothing was generated/);
    expect(openModuleCount()).toBe(0);
  });

  describe('failures are typed, name what is wrong, never show the PIN, and close everything', () => {
    it('wrong PIN → PinIncorrectError, with what the token says about the tries left', async () => {
      process.env['TUFKIT_TEST_WRONG_PIN'] = '99999999';
      const signer = await Pkcs11Signer.create(location('p256'), { pin: pinFromEnv('TUFKIT_TEST_WRONG_PIN') });
      const err = await signer.sign(payload).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PinIncorrectError);
      const e = err as PinIncorrectError;
      expect(e.message).toMatch(/wrong PIN for token "signers"/);
      // SoftHSM sets CKF_USER_PIN_COUNT_LOW after a failed login
      expect(e.remainingTries).toBe('low');
      expect(e.message).toMatch(/few tries left/);
      expect(e.message).not.toContain('99999999');
      expect(JSON.stringify(e, Object.getOwnPropertyNames(e))).not.toContain('99999999');
      expect(openModuleCount()).toBe(0);
      // a good login afterwards works (and resets the counter)
      await expect((await Pkcs11Signer.create(location('p256'), { pin })).sign(payload)).resolves.toBeDefined();
    });

    it('missing PIN source / unset variable → PinError naming the variable only', async () => {
      const signer = await Pkcs11Signer.create(location('p256'), {});
      await expect(signer.sign(payload)).rejects.toThrow(PinError);
      delete process.env['TUFKIT_TEST_UNSET_PIN'];
      const unset = await Pkcs11Signer.create(location('p256'), { pin: pinFromEnv('TUFKIT_TEST_UNSET_PIN') });
      await expect(unset.sign(payload)).rejects.toThrow(/TUFKIT_TEST_UNSET_PIN is not set/);
      expect(openModuleCount()).toBe(0);
    });

    it('no such token → TokenNotFoundError listing the tokens present', async () => {
      const err = await Pkcs11Signer.create({ ...location('p256'), token: { token: 'nope' } }, { pin }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TokenNotFoundError);
      expect((err as Error).message).toMatch(/no token matches .*tokens present: "signers" \(serial [0-9a-f]+/);
      expect(openModuleCount()).toBe(0);
    });

    it('no such key → KeyNotFoundError listing the keys found', async () => {
      const err = await Pkcs11Signer.create(location('nope'), { pin }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyNotFoundError);
      expect((err as Error).message).toMatch(/no public key for object="nope"/);
      const signer = await Pkcs11Signer.create(location('p256'), { pin });
      const moved = await Pkcs11Signer.create({ ...location('nope') }, { pin }, signer.publicKey);
      const err2 = await moved.sign(payload).catch((e: unknown) => e);
      expect(err2).toBeInstanceOf(KeyNotFoundError);
      expect((err2 as Error).message).toMatch(/keys found: .*private ec key "p256" id 01/);
      expect(openModuleCount()).toBe(0);
    });

    it('several keys match → KeyNotFoundError asking to choose', async () => {
      const err = await Pkcs11Signer.create({ ...location('p256'), key: {} }, { pin }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyNotFoundError);
      expect((err as Error).message).toMatch(/public keys match any key/);
    });

    it('module missing → ModuleNotFoundError', async () => {
      await expect(Pkcs11Signer.create({ ...location('p256'), modulePath: '/nonexistent/libpkcs11.so' }, { pin })).rejects.toThrow(ModuleNotFoundError);
      const notAModule = join(hsm.dir, 'softhsm2.conf');
      await expect(Pkcs11Signer.create({ ...location('p256'), modulePath: notAModule }, { pin })).rejects.toThrow(/cannot be loaded/);
      expect(openModuleCount()).toBe(0);
    });

    it('a scheme the key cannot make → MechanismNotSupportedError', async () => {
      const ec = await Pkcs11Signer.create(location('p256'), { pin });
      // An RSA key object in metadata, the EC key on the token: the token refuses the mechanism.
      const rsa = await Pkcs11Signer.create(location('rsa'), { pin });
      const mismatched = await Pkcs11Signer.create(location('p256'), { pin }, rsa.publicKey);
      await expect(mismatched.sign(payload)).rejects.toThrow(MechanismNotSupportedError);
      expect(ec.publicKey.scheme).toBe('ecdsa-sha2-nistp256');
      expect(openModuleCount()).toBe(0);
    });

    it('a signature that does not verify is an error, never returned', async () => {
      // The metadata lists the P-384 key; the signer URI points at the P-256 key.
      const p384 = await Pkcs11Signer.create(location('p384'), { pin });
      const wrong = await Pkcs11Signer.create(location('p256'), { pin }, p384.publicKey.withKeyid(p384.publicKey.keyid));
      const p256Key = (await Pkcs11Signer.create(location('p256'), { pin })).publicKey;
      const lying = await Pkcs11Signer.create(location('p384'), { pin }, p256Key);
      await expect(lying.sign(payload)).rejects.toThrow(SignatureNotVerifiedError);
      // (P-384 key listed, P-256 on the token: the token signs a 48-byte digest with P-256, the check refuses it)
      await expect(wrong.sign(payload)).rejects.toThrow(SignerError);
      expect(openModuleCount()).toBe(0);
    });
  });
});
