/**
 * Signing through PKCS#11 (SoftHSM2, a private token made with src/signers/softhsm.ts)
 * against node:crypto with a key in memory (tufkit's FileSigner), per key type, 200-byte
 * payloads (a small role's canonical bytes).
 *
 * - "one-shot sign": `Pkcs11Signer.sign` — load and initialize the module, open a session,
 *   log in, find the key, sign, verify the signature, log out, close, finalize: what one
 *   `tufkit ceremony sign` does.
 * - "in session": `Pkcs11Signer.signMany` over 64 payloads — one login, then sign + verify
 *   each (what signing many roles at once costs per signature).
 * - "login": C_Login + C_Logout on an open session (SoftHSM derives its token key from the
 *   PIN with PBKDF2 at each login); "session": module init + C_OpenSession + C_CloseSession +
 *   C_Finalize without login.
 * - node:crypto rows: FileSigner.sign alone, and with the same verify-after-sign tufkit's
 *   token signers do (VerifiedSigner), so the ratio compares like with like.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Signer } from '../src/metadata/signer.js';
import { FileSigner, type FileKeyType } from '../src/signers/file.js';
import { generateTokenKeyPair, type TokenKeyAlgorithm } from '../src/signers/pkcs11/generate.js';
import { withSession } from '../src/signers/pkcs11/session.js';
import { Pkcs11Signer } from '../src/signers/pkcs11/signer.js';
import { pinFromEnv } from '../src/signers/pin.js';
import { VerifiedSigner } from '../src/signers/signer-uri.js';
import { createSoftHsm, findSoftHsmModule, initSoftHsmToken } from '../src/signers/softhsm.js';
import { measureAsync, table } from './_util.js';

if (findSoftHsmModule() === undefined) {
  console.log('SoftHSM2 is not installed: no PKCS#11 figures (apt install softhsm2)');
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'tufkit-bench-hsm-'));
const hsm = createSoftHsm(dir);
process.env['TUFKIT_BENCH_PIN'] = '246810';
const pin = pinFromEnv('TUFKIT_BENCH_PIN');
await initSoftHsmToken(hsm, { label: 'bench', soPin: '13579135', userPin: '246810' });
const token = { token: 'bench' };
const payload = new Uint8Array(200).map((_, i) => (i * 13) & 0xff);
const many = Array.from({ length: 64 }, (_, i) => new Uint8Array(200).map((_, j) => (i * 7 + j) & 0xff));

const KINDS: Array<[string, TokenKeyAlgorithm, FileKeyType, number?]> = [
  ['Ed25519', 'ed25519', 'ed25519'],
  ['ECDSA P-256', 'ecdsa-p256', 'ecdsa-p256'],
  ['ECDSA P-384', 'ecdsa-p384', 'ecdsa-p384'],
  ['RSA-PSS 2048', 'rsa-2048', 'rsa', 2048],
  ['RSA-PSS 3072', 'rsa-3072', 'rsa', 3072],
];

try {
  const session = await measureAsync(() => withSession({ modulePath: hsm.modulePath, token, login: 'none', context: 'bench' }, async () => undefined), { ms: 1500 });
  const sessionLogin = await measureAsync(() => withSession({ modulePath: hsm.modulePath, token, login: 'user', pin, context: 'bench' }, async () => undefined), { ms: 1500 });
  console.log(`SoftHSM2 ${hsm.modulePath}; per call medians.\n`);
  table(
    ['step', 'ms'],
    [
      ['module init + open/close session + finalize (no login)', session],
      ['... with C_Login + C_Logout', sessionLogin],
      ['login cost (difference)', sessionLogin - session],
    ],
  );
  console.log('');

  const rows: (string | number)[][] = [];
  for (const [label, algorithm, fileType, rsaBits] of KINDS) {
    await generateTokenKeyPair({ modulePath: hsm.modulePath, token, algorithm, label, pin, context: 'bench' });
    const tokenSigner = await Pkcs11Signer.create({ modulePath: hsm.modulePath, token, key: { label } }, { pin });
    const fileSigner = FileSigner.generate(fileType, rsaBits ? { rsaBits } : {});
    const verified: Signer = new VerifiedSigner(fileSigner, 'bench');
    const oneShot = await measureAsync(() => tokenSigner.sign(payload), { ms: 2000 });
    const batch = (await measureAsync(() => tokenSigner.signMany(many), { ms: 3000, minRuns: 3, warmup: 1 })) / many.length;
    const node = await measureAsync(() => fileSigner.sign(payload), { ms: 2500, warmup: 20 });
    const nodeVerified = await measureAsync(() => verified.sign(payload), { ms: 2500, warmup: 20 });
    rows.push([label, oneShot, 1000 / oneShot, batch, 1000 / batch, nodeVerified, 1000 / nodeVerified, node, batch / nodeVerified]);
  }
  console.log('"x node" = in-session PKCS#11 ms ÷ node:crypto (sign + verify) ms: how many times slower the token path is.\n');
  table(
    ['key', 'one-shot sign ms', 'one-shot sig/s', 'in session ms/sig', 'in session sig/s', 'node:crypto sign+verify ms', 'node sig/s', 'node:crypto sign only ms', 'x node'],
    rows,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
