/**
 * Signer URIs: RFC 7512 parsing and formatting, redaction, `file:` and `pkcs11:` signers
 * resolved by `signerFromUri` against real files and a real SoftHSM token, and the
 * `x-tufkit-signer-uri` key hint.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModuleNotFoundError, PinError, SignerError, ValueError } from '../../src/errors.js';
import { Key } from '../../src/metadata/key.js';
import { FileSigner } from '../../src/signers/file.js';
import { findModuleByName } from '../../src/signers/module-path.js';
import { openModuleCount } from '../../src/signers/pkcs11/module.js';
import { formatPkcs11Uri, parsePkcs11Uri, percentEncode, redactUri } from '../../src/signers/pkcs11/uri.js';
import { SIGNER_URI_FIELD, VerifiedSigner, parseFileUri, signerFromUri, signerUriOf, withSignerUri } from '../../src/signers/signer-uri.js';
import { getDefaultVerifier } from '../../src/verify/verifier.js';
import { PKCS11_TOOL, SOFTHSM_MODULE, createTestHsm, type TestHsm, type TestToken } from '../helpers/softhsm.js';

const payload = new TextEncoder().encode('payload');

describe('RFC 7512 PKCS#11 URIs', () => {
  it('parses the RFC §3 examples', () => {
    const a = parsePkcs11Uri('pkcs11:object=my-pubkey;type=public');
    expect(a.key.label).toBe('my-pubkey');
    expect(a.type).toBe('public');

    const b = parsePkcs11Uri(
      'pkcs11:token=The%20Software%20PKCS%2311%20Softtoken;manufacturer=Snake%20Oil,%20Inc.;model=1.0;object=my-certificate;type=cert;id=%69%95%3E%5C%F4%BD%EC%91;serial=?pin-source=file:/etc/token_pin',
    );
    expect(b.token).toEqual({ token: 'The Software PKCS#11 Softtoken', manufacturer: 'Snake Oil, Inc.', model: '1.0', serial: '' });
    expect(Buffer.from(b.key.id as Uint8Array).toString('hex')).toBe('69953e5cf4bdec91');
    expect(b.pinSource).toBe('file:/etc/token_pin'); // parsed; refused when a signer is made (below)

    expect(parsePkcs11Uri('pkcs11:token=A%20name%20with%20a%20substring%20%25%3B;object=my-certificate;type=cert').token.token).toBe('A name with a substring %;');
    expect(parsePkcs11Uri('pkcs11:token=Name%20with%20a%20small%20A%20with%20acute:%20%C3%A1;object=my-certificate;type=cert').token.token).toBe(
      'Name with a small A with acute: á',
    );
    const lib = parsePkcs11Uri('pkcs11:library-manufacturer=Snake%20Oil,%20Inc.;library-description=Soft%20Token;library-version=1.23');
    expect(lib.token).toEqual({ libraryManufacturer: 'Snake Oil, Inc.', libraryDescription: 'Soft Token', libraryVersion: '1.23' });
    const v = parsePkcs11Uri('pkcs11:token=my-token;object=my-certificate;type=cert;x-vend-aaa=value-a?pin-source=file:/etc/token_pin&x-vend-bbb=value-b');
    expect([...v.vendor]).toEqual([
      ['x-vend-aaa', 'value-a'],
      ['x-vend-bbb', 'value-b'],
    ]);
    expect(parsePkcs11Uri('pkcs11:slot-description=Sun%20Metaslot;slot-id=2').token).toEqual({ slotDescription: 'Sun Metaslot', slotId: '2' });
    expect(parsePkcs11Uri('pkcs11:').token).toEqual({});
  });

  it('refuses what it cannot mean exactly', () => {
    expect(() => parsePkcs11Uri('pkcs11:token=a;token=b')).toThrow(/token given twice/);
    expect(() => parsePkcs11Uri('pkcs11:tokn=a')).toThrow(/unknown path attribute tokn/);
    expect(() => parsePkcs11Uri('pkcs11:module-path=/x.so')).toThrow(/belongs in the query/);
    expect(() => parsePkcs11Uri('pkcs11:token=a?object=b')).toThrow(/belongs in the path/);
    expect(() => parsePkcs11Uri('pkcs11:token=a%2')).toThrow(/malformed percent escape/);
    expect(() => parsePkcs11Uri('pkcs11:token=%C3')).toThrow(/not UTF-8/);
    expect(() => parsePkcs11Uri('pkcs11:slot-id=abc')).toThrow(/decimal/);
    expect(() => parsePkcs11Uri('pkcs11:type=key')).toThrow(/expected one of/);
    expect(() => parsePkcs11Uri('pkcs11:token=a#frag')).toThrow(ValueError);
  });

  it('refuses pin-value, and no message ever shows its value', () => {
    const uri = 'pkcs11:token=t;object=k?module-path=/m.so&pin-value=31415926';
    const err = (() => {
      try {
        parsePkcs11Uri(uri);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SignerError);
    expect(err?.message).toMatch(/pin-value is not accepted/);
    expect(err?.message).not.toContain('31415926');
    for (const bad of ['pkcs11:pin-value=31415926', 'pkcs11:token=t;pin-value=31415926', 'pkcs11:token=t?pin%2Dvalue=31415926', 'pkcs11:x?PIN-VALUE=31415926&a=b']) {
      expect(redactUri(bad)).not.toContain('31415926');
      const e = (() => {
        try {
          parsePkcs11Uri(bad);
        } catch (x) {
          return x as Error;
        }
        return undefined;
      })();
      expect(e?.message ?? '').not.toContain('31415926');
    }
  });

  it('format → parse round-trips any label and id bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), fc.uint8Array({ maxLength: 20 }), fc.string({ maxLength: 20 }), (label, id, token) => {
        const uri = formatPkcs11Uri({ token: { token }, key: { label, id }, modulePath: '/usr/lib/x/lib mod.so', pinSource: 'env:PIN' });
        const parsed = parsePkcs11Uri(uri);
        return (
          parsed.key.label === label &&
          Buffer.from(parsed.key.id as Uint8Array).equals(Buffer.from(id)) &&
          parsed.token.token === token &&
          parsed.modulePath === '/usr/lib/x/lib mod.so' &&
          parsed.pinSource === 'env:PIN'
        );
      }),
    );
    expect(percentEncode(Uint8Array.of(1, 0xab))).toBe('%01%AB');
  });

  it('module-name resolves well-known modules', () => {
    if (SOFTHSM_MODULE) expect(findModuleByName('softhsm2')).toBe(SOFTHSM_MODULE);
    expect(() => findModuleByName('no-such-module-xyz')).toThrow(ModuleNotFoundError);
    expect(() => findModuleByName('../evil')).toThrow(/a name, not a path/);
  });
});

describe('file: signer URIs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tufkit-fileuri-'));

  it('parses paths (relative, absolute, file:///, percent-escapes) and the passphrase source', () => {
    expect(parseFileUri('file:keys/root.pem', '/work')).toEqual({ path: '/work/keys/root.pem' });
    expect(parseFileUri('file:///abs/k%20ey.pem?passphrase-source=env:P')).toEqual({ path: '/abs/k ey.pem', passphraseSource: 'env:P' });
    expect(parseFileUri('file://localhost/abs/k.pem?encrypted=true').path).toBe('/abs/k.pem');
    expect(() => parseFileUri('file://otherhost/k.pem')).toThrow(/not local files/);
    expect(() => parseFileUri('file:k.pem?passphrase=hunter2')).toThrow(/unknown attribute passphrase/);
    expect(() => parseFileUri('file:')).toThrow(/no file path/);
  });

  it('signs with an encrypted key file; the passphrase comes from the variable the URI names', async () => {
    const path = join(dir, 'enc.pem');
    const made = await FileSigner.generate('ecdsa-p256').writeFile(path, 'correct horse');
    const env = { KEY_PASS: 'correct horse' };
    const signer = await signerFromUri(`file:${path}?passphrase-source=env:KEY_PASS`, undefined, { env });
    expect(signer).toBeInstanceOf(VerifiedSigner);
    expect(signer.publicKey.keyid).toBe(made.publicKey.keyid);
    const sig = await signer.sign(payload);
    expect(getDefaultVerifier().verify(signer.publicKey, payload, sig.bytes() as Uint8Array)).toBe(true);
    // wrong passphrase, unset variable, no source at all
    await expect(signerFromUri(`file:${path}?passphrase-source=env:KEY_PASS`, undefined, { env: { KEY_PASS: 'wrong' } })).rejects.toThrow(/wrong passphrase/);
    await expect(signerFromUri(`file:${path}?passphrase-source=env:UNSET`, undefined, { env })).rejects.toThrow(PinError);
    await expect(signerFromUri(`file:${path}`, undefined, { env })).rejects.toThrow(/passphrase is needed/);
    // a prompt (as the CLI gives) is used when the URI names no source
    const asked: string[] = [];
    const prompted = await signerFromUri(`file:${path}`, undefined, {
      prompt: async (what) => {
        asked.push(what);
        return 'correct horse';
      },
    });
    expect(prompted.publicKey.keyid).toBe(made.publicKey.keyid);
    expect(asked).toEqual([`passphrase for ${path}`]);
  });

  it('signs under the keyid metadata gives, and refuses another key', async () => {
    const path = join(dir, 'plain.pem');
    const made = await FileSigner.generate('ed25519').writeFile(path, null);
    const listed = made.publicKey.withKeyid('f'.repeat(64));
    const signer = await signerFromUri(`file:${path}`, listed);
    expect((await signer.sign(payload)).keyid).toBe('f'.repeat(64));
    const other = FileSigner.generate('ed25519').publicKey;
    await expect(signerFromUri(`file:${path}`, other)).rejects.toThrow(SignerError);
  });

  it('unknown schemes are refused', async () => {
    await expect(signerFromUri('gcpkms:projects/x')).rejects.toThrow(/expected file:, pkcs11: or yubikey:/);
  });
});

describe('signer URI hints in keys', () => {
  it('x-tufkit-signer-uri is stored without secrets and is part of the keyid', () => {
    const key = FileSigner.generate('ed25519').publicKey;
    const hinted = withSignerUri(key, 'pkcs11:token=t;object=k?module-path=/m.so&pin-source=env:P');
    expect(signerUriOf(hinted)).toBe('pkcs11:token=t;object=k?module-path=/m.so&pin-source=env:P');
    expect(hinted.keyid).not.toBe(key.keyid);
    expect(hinted.hasCanonicalKeyid()).toBe(true);
    expect(hinted.toDict()[SIGNER_URI_FIELD]).toBeDefined();
    expect(signerUriOf(key)).toBeUndefined();
    expect(hinted.sameKeyAs(key)).toBe(true);
    const reread = Key.fromDict(hinted.keyid, JSON.parse(JSON.stringify(hinted.toDict())));
    expect(signerUriOf(reread)).toBe(signerUriOf(hinted));
    expect(() => withSignerUri(key, 'http://x')).toThrow(ValueError);
  });
});

describe.runIf(SOFTHSM_MODULE !== undefined && PKCS11_TOOL !== undefined)('pkcs11: signer URIs on SoftHSM2', () => {
  let hsm: TestHsm;
  let token: TestToken;
  beforeAll(async () => {
    hsm = await createTestHsm();
    token = await hsm.addToken('uri token');
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'EC:prime256v1', '--label', 'k1', '--id', 'a1b2'], token);
    hsm.pkcs11Tool(['--keypairgen', '--key-type', 'EC:edwards25519', '--label', 'k2', '--id', '02'], token);
  });
  afterAll(() => hsm?.cleanup());

  it('finds the key by object label, by id, and by token serial', async () => {
    const byLabel = await signerFromUri(token.uri('object=k1'));
    const byId = await signerFromUri(token.uri('id=%A1%B2'));
    const bySerial = await signerFromUri(`pkcs11:serial=${token.serial};id=%02?module-path=${hsm.modulePath}&pin-source=env:${token.pinEnv}`);
    const byModuleName = await signerFromUri(`pkcs11:token=uri%20token;object=k2?module-name=softhsm2&pin-source=env:${token.pinEnv}`);
    expect(byId.publicKey.keyid).toBe(byLabel.publicKey.keyid);
    expect(bySerial.publicKey.keytype).toBe('ed25519');
    expect(byModuleName.publicKey.keyid).toBe(bySerial.publicKey.keyid);
    for (const s of [byLabel, bySerial]) {
      const sig = await s.sign(payload);
      expect(getDefaultVerifier().verify(s.publicKey, payload, sig.bytes() as Uint8Array)).toBe(true);
    }
    expect(openModuleCount()).toBe(0);
  });

  it('module from the option or TUFKIT_PKCS11_MODULE when the URI names none; none at all is a clear error', async () => {
    const uri = `pkcs11:token=uri%20token;object=k1?pin-source=env:${token.pinEnv}`;
    await expect(signerFromUri(uri, undefined, { modulePath: hsm.modulePath })).resolves.toBeDefined();
    await expect(signerFromUri(uri, undefined, { env: { ...process.env, TUFKIT_PKCS11_MODULE: hsm.modulePath } })).resolves.toBeDefined();
    await expect(signerFromUri(uri, undefined, { env: {} })).rejects.toThrow(/no PKCS#11 module given; add module-path=/);
    await expect(signerFromUri('pkcs11:object=k1?module-path=relative/lib.so')).rejects.toThrow(/must be absolute/);
  });

  it('pin-source=file: and pin-source=<the PIN itself> are refused without echoing the value', async () => {
    const a = signerFromUri(`pkcs11:token=uri%20token;object=k1?module-path=${hsm.modulePath}&pin-source=file:/etc/pin`);
    await expect(a).rejects.toThrow(/never read from files/);
    const b = await signerFromUri(`pkcs11:token=uri%20token;object=k1?module-path=${hsm.modulePath}&pin-source=${token.userPin}`).catch((e: Error) => e);
    expect(b).toBeInstanceOf(PinError);
    expect((b as Error).message).not.toContain(token.userPin);
  });

  it('type= other than private is refused', async () => {
    await expect(signerFromUri(token.uri('object=k1;type=cert'))).rejects.toThrow(/type=private/);
  });
});
