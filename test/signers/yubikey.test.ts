/**
 * The YubiKey signer's PKCS#11 path against SoftHSM2 tokens laid out the way ykcs11
 * presents a YubiKey's PIV applet (token "YubiKey PIV #<serial>", slot 9c = CKA_ID 2 with
 * label "Private key for Digital Signature" and CKA_ALWAYS_AUTHENTICATE, an attestation
 * certificate "X.509 Certificate for PIV Attestation 9c" carrying Yubico's policy
 * extension), and the real ykcs11 and OpenSC modules with no YubiKey inserted.
 */
import { execFileSync } from 'node:child_process';
import { constants, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinIncorrectError, SignerError, ValueError, YubiKeyNotFoundError } from '../../src/errors.js';
import { openModuleCount } from '../../src/signers/pkcs11/module.js';
import { signerFromUri } from '../../src/signers/signer-uri.js';
import { policiesFromCertificate } from '../../src/signers/yubikey/attestation.js';
import { findYubiKey, listUsbYubiKeys, noYubiKeyMessage } from '../../src/signers/yubikey/discovery.js';
import { PIV_SLOTS, pivSlot } from '../../src/signers/yubikey/piv.js';
import { YubiKeySigner, generateYubiKeyKey, importYubiKeyKey } from '../../src/signers/yubikey/signer.js';
import { formatYubiKeyUri, parseYubiKeyUri } from '../../src/signers/yubikey/uri.js';
import { decodePublicKey } from '../../src/verify/public-key.js';
import { getDefaultVerifier } from '../../src/verify/verifier.js';
import { PKCS11_TOOL, SOFTHSM_MODULE, createTestHsm, type TestHsm, type TestToken } from '../helpers/softhsm.js';

const YKCS11 = '/usr/lib/x86_64-linux-gnu/libykcs11.so';
const OPENSC = '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so';
const payload = new TextEncoder().encode('{"_type":"root"}');

describe('yubikey: URIs and PIV slots', () => {
  it('parses slot, serial, module, touch and pin-source; defaults to slot 9c', () => {
    expect(parseYubiKeyUri('yubikey:')).toMatchObject({ slot: { slot: '9c', id: 2 }, module: 'auto', touch: 'auto' });
    const u = parseYubiKeyUri('yubikey:slot=9A;serial=12345678?pin-source=env:YK&module=opensc&touch=cached&module-path=/x.so');
    expect(u).toMatchObject({ slot: { slot: '9a', id: 1 }, serial: '12345678', pinSource: 'env:YK', module: 'opensc', touch: 'cached', modulePath: '/x.so' });
    expect(parseYubiKeyUri(formatYubiKeyUri({ slot: '82', serial: '7', touch: 'never' }))).toMatchObject({ slot: { id: 5 }, serial: '7', touch: 'never' });
    expect(() => parseYubiKeyUri('yubikey:slot=9b')).toThrow(/expected 9a, 9c, 9d, 9e or 82–95/);
    expect(() => parseYubiKeyUri('yubikey:serial=abc')).toThrow(/decimal serial/);
    expect(() => parseYubiKeyUri('yubikey:?touch=sometimes')).toThrow(ValueError);
    expect(() => parseYubiKeyUri('yubikey:?pin-value=123456')).toThrow(/pin-value is not accepted/);
    expect(() => parseYubiKeyUri('yubikey:?pin-value=123456')).not.toThrow(/123456/);
  });

  it('maps PIV slots to the CKA_IDs ykcs11 and OpenSC use', () => {
    expect(PIV_SLOTS).toHaveLength(24);
    expect(pivSlot('9c')).toMatchObject({ id: 2, ykcs11Label: 'Private key for Digital Signature', openscLabel: 'SIGN key' });
    expect(pivSlot('0x95')).toMatchObject({ id: 24, ykcs11Label: 'Private key for Retired Key 20' });
  });

  it('reads PIN and touch policies from the Yubico attestation extension', () => {
    if (!existsSync('/usr/bin/openssl')) return;
    const dir = join(process.env['TMPDIR'] ?? '/tmp');
    const ca = join(dir, `tufkit-att-ca-${process.pid}.pem`);
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', ca]);
    const ext = join(dir, `tufkit-att-ext-${process.pid}.cnf`);
    writeFileSync(ext, '[v3]\n1.3.6.1.4.1.41482.3.8=DER:02:03\n');
    const der = execFileSync('openssl', ['x509', '-new', '-subj', '/CN=att', '-key', ca, '-extfile', ext, '-extensions', 'v3', '-outform', 'DER']);
    expect(policiesFromCertificate(der)).toEqual({ pin: 'once', touch: 'cached' });
    const plain = execFileSync('openssl', ['x509', '-new', '-subj', '/CN=plain', '-key', ca, '-outform', 'DER']);
    expect(policiesFromCertificate(plain)).toBeUndefined();
    expect(policiesFromCertificate(Uint8Array.of(1, 2, 3))).toBeUndefined();
  });
});

describe('no YubiKey inserted: the real modules say so clearly', () => {
  it.runIf(existsSync(YKCS11))('ykcs11 → YubiKeyNotFoundError "no YubiKey found"', async () => {
    const err = await signerFromUri('yubikey:slot=9c?module=ykcs11&pin-source=env:UNUSED').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YubiKeyNotFoundError);
    expect((err as Error).message).toMatch(/^no YubiKey found: /);
    expect(openModuleCount()).toBe(0);
  });

  it.runIf(existsSync(YKCS11))('waiting for insertion times out with the time waited', async () => {
    const told: string[] = [];
    const err = await signerFromUri('yubikey:?module=ykcs11', undefined, { yubikey: { waitMs: 1200, onWait: (m) => told.push(m) } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(YubiKeyNotFoundError);
    expect((err as Error).message).toMatch(/no YubiKey found within 1 s/);
    expect(told).toEqual(['Insert your YubiKey…']);
  });

  it.runIf(existsSync(OPENSC))('OpenSC → YubiKeyNotFoundError', async () => {
    await expect(signerFromUri('yubikey:?module=opensc')).rejects.toThrow(YubiKeyNotFoundError);
    expect(openModuleCount()).toBe(0);
  });

  it('HID discovery sees no Yubico device on this machine, and the message says so', async () => {
    const usb = await listUsbYubiKeys();
    expect(Array.isArray(usb)).toBe(true);
    if (usb.length === 0) expect(await noYubiKeyMessage(YKCS11)).toMatch(/none is plugged in \(no Yubico device on the USB bus\)/);
  });
});

describe.runIf(SOFTHSM_MODULE !== undefined && PKCS11_TOOL !== undefined)('YubiKey signer over a SoftHSM token laid out like ykcs11', () => {
  let hsm: TestHsm;
  let yk: TestToken;
  let base: string;
  let slot9cSpki: Buffer;

  beforeAll(async () => {
    hsm = await createTestHsm('tufkit-yubikey-');
    yk = await hsm.addToken('YubiKey PIV #12345678');
    // slot 9c: P-256, PIN for every signature (as ykcs11 marks 9c keys)
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'Private key for Digital Signature', '--id', '02', '--always-auth', '--usage-sign'], yk);
    // slot 9a: RSA 2048, no attestation
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'rsa:2048', '--label', 'Private key for PIV Authentication', '--id', '01', '--usage-sign'], yk);
    // the attestation certificate for 9c: attests the 9c key, touch policy "always", PIN policy "always"
    const pub = join(hsm.dir, '9c.der');
    hsm.pkcs11Tool(['--token-label', yk.label, '--read-object', '--type', 'pubkey', '--id', '02', '-o', pub]);
    slot9cSpki = readFileSync(pub);
    const pubPem = join(hsm.dir, '9c.pem');
    writeFileSync(pubPem, createPublicKey({ key: slot9cSpki, format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }));
    const ca = join(hsm.dir, 'ca.pem');
    execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', ca]);
    const ext = join(hsm.dir, 'ext.cnf');
    writeFileSync(ext, '[v3]\n1.3.6.1.4.1.41482.3.8=DER:03:02\n');
    const cert = join(hsm.dir, 'att9c.der');
    execFileSync('openssl', ['x509', '-new', '-subj', '/CN=YubiKey PIV Attestation 9c', '-key', ca, '-force_pubkey', pubPem, '-extfile', ext, '-extensions', 'v3', '-outform', 'DER', '-out', cert]);
    hsm.pkcs11Tool(['--write-object', cert, '--type', 'cert', '--label', 'X.509 Certificate for PIV Attestation 9c', '--id', 'f9'], yk);
    base = `module=ykcs11&module-path=${hsm.modulePath}&pin-source=env:${yk.pinEnv}`;
  });
  afterAll(() => hsm?.cleanup());

  it('signs with slot 9c: touch prompt before the signature, PIN for every signature, signature verified', async () => {
    const touches: string[] = [];
    const signer = await signerFromUri(`yubikey:slot=9c;serial=12345678?${base}`, undefined, { yubikey: { onTouch: (m) => touches.push(m) } });
    expect(signer).toBeInstanceOf(YubiKeySigner);
    const ys = signer as YubiKeySigner;
    expect(ys.touchPolicy).toBe('always');
    expect(ys.attested).toEqual({ pin: 'always', touch: 'always' });
    expect(Buffer.from(decodePublicKey(signer.publicKey).publicKey).equals(slot9cSpki)).toBe(true);
    expect(touches).toEqual([]); // nothing before a signature is asked for
    const sigs = await ys.signMany([payload, payload]);
    expect(touches).toEqual(['Touch your YubiKey #12345678 (slot 9c) to sign…', 'Touch your YubiKey #12345678 (slot 9c) to sign…']);
    for (const sig of sigs) {
      const bytes = sig.bytes() as Uint8Array;
      expect(cryptoVerify('sha256', payload, { key: createPublicKey({ key: slot9cSpki, format: 'der', type: 'spki' }), dsaEncoding: 'der' }, bytes)).toBe(true);
      expect(getDefaultVerifier().verify(signer.publicKey, payload, bytes)).toBe(true);
    }
    expect(openModuleCount()).toBe(0);
  });

  it('defaults to the only YubiKey and slot 9c; touch= overrides; a slot without attestation gets the cautious prompt', async () => {
    const touches: string[] = [];
    const onTouch = (m: string) => touches.push(m);
    const def = (await signerFromUri(`yubikey:?${base}`, undefined, { yubikey: { onTouch } })) as YubiKeySigner;
    expect(def.where.slot.slot).toBe('9c');
    const never = (await signerFromUri(`yubikey:?${base}&touch=never`, undefined, { yubikey: { onTouch } })) as YubiKeySigner;
    await never.sign(payload);
    expect(touches).toEqual([]);
    const rsa = (await signerFromUri(`yubikey:slot=9a?${base}`, undefined, { yubikey: { onTouch } })) as YubiKeySigner;
    expect(rsa.publicKey.scheme).toBe('rsassa-pss-sha256');
    expect(rsa.touchPolicy).toBe('unknown');
    const sig = await rsa.sign(payload);
    expect(touches).toEqual(['If your YubiKey #12345678 (slot 9a) blinks, touch it to sign.']);
    const spki = decodePublicKey(rsa.publicKey).publicKey;
    expect(
      cryptoVerify('sha256', payload, { key: createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' }), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig.bytes() as Uint8Array),
    ).toBe(true);
  });

  it('imports the public key of a slot, with its URI and attested policies', async () => {
    const imported = await importYubiKeyKey(`yubikey:slot=9c?${base}`);
    expect(imported.serial).toBe('12345678');
    expect(imported.policies).toEqual({ pin: 'always', touch: 'always' });
    expect(imported.uri).toBe(`yubikey:slot=9c;serial=12345678?pin-source=env:${yk.pinEnv}&module=ykcs11&module-path=${hsm.modulePath}`);
    const signer = await signerFromUri(imported.uri, imported.key, { yubikey: { onTouch: () => undefined } });
    expect(signer.publicKey.keyid).toBe(imported.key.keyid);
    await expect(importYubiKeyKey(`yubikey:slot=9e?${base}`)).rejects.toThrow(/no public key for id=04/);
  });

  it('generates in an empty slot, refuses to overwrite unless asked, and the new key signs', async () => {
    const generated = await generateYubiKeyKey(`yubikey:slot=9d?${base}`, { algorithm: 'ecdsa-p384' });
    expect(generated.key.scheme).toBe('ecdsa-sha2-nistp384');
    const signer = await signerFromUri(generated.uri, undefined, { yubikey: { onTouch: () => undefined } });
    expect(signer.publicKey.keyid).toBe(generated.key.keyid);
    await signer.sign(payload);
    await expect(generateYubiKeyKey(`yubikey:slot=9d?${base}`, { algorithm: 'ecdsa-p256' })).rejects.toThrow(/already holds a key; pass replace/);
    const replaced = await generateYubiKeyKey(`yubikey:slot=9d?${base}`, { algorithm: 'ecdsa-p256', replace: true });
    expect(replaced.key.keyid).not.toBe(generated.key.keyid);
    const again = await signerFromUri(replaced.uri, undefined, { yubikey: { onTouch: () => undefined } });
    expect(again.publicKey.keyid).toBe(replaced.key.keyid);
    await again.sign(payload);
    // touch/PIN policies need the real ykcs11 (vendor attributes)
    await expect(generateYubiKeyKey(`yubikey:slot=9e?${base}`, { algorithm: 'ecdsa-p256', touch: 'always' })).rejects.toThrow(/only through Yubico's ykcs11/);
    expect(openModuleCount()).toBe(0);
  });

  it('wrong PIN is a PinIncorrectError that does not show the PIN', async () => {
    const env = { ...process.env, WRONG_YK_PIN: '00000000' };
    const signer = await signerFromUri(`yubikey:?module=ykcs11&module-path=${hsm.modulePath}&pin-source=env:WRONG_YK_PIN&touch=never`, undefined, { env });
    const err = await signer.sign(payload).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PinIncorrectError);
    expect((err as Error).message).not.toContain('00000000');
  });

  it('chooses among several YubiKeys by serial, and waits for one to be inserted', async () => {
    await hsm.addToken('YubiKey PIV #7654321');
    await expect(signerFromUri(`yubikey:?${base}`)).rejects.toThrow(/2 YubiKeys found \(serial 7654321, serial 12345678\); add serial=/);
    await expect(signerFromUri(`yubikey:serial=999?${base}`)).rejects.toThrow(/no YubiKey with serial 999 found; inserted: serial 7654321, serial 12345678/);
    // "insert" a third key while waiting for it
    const waited: string[] = [];
    const pending = findYubiKey(hsm.modulePath, { serial: '31337', waitMs: 20_000, pollMs: 100, onWait: (m) => waited.push(m) });
    await new Promise((r) => setTimeout(r, 400));
    await hsm.addToken('YubiKey PIV #31337');
    const found = await pending;
    expect(found.serial).toBe('31337');
    expect(waited).toEqual(['Insert your YubiKey (serial 31337)…']);
    expect(openModuleCount()).toBe(0);
  });

  it('a slot with no key names the slot', async () => {
    await expect(signerFromUri(`yubikey:slot=82;serial=12345678?${base}`)).rejects.toThrow(SignerError);
  });
});
