/**
 * Passphrase encryption of private key files: PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958 §3)
 * with PBES2 (RFC 8018 §6.2), scrypt as the key-derivation function (RFC 7914 §7) and
 * AES-256-CBC — what `openssl pkcs8 -topk8 -scrypt` writes, and what OpenSSL 3 (hence
 * node:crypto's `createPrivateKey({ key, passphrase })`, `openssl pkey`, pyca/cryptography)
 * reads.
 *
 * Why not node:crypto's own `privateKeyEncoding: { cipher: 'aes-256-cbc', passphrase }`:
 * with OpenSSL 3 it writes PBES2 with PBKDF2-HMAC-SHA256 at 2,048 iterations (OpenSSL's
 * `PKCS5_DEFAULT_ITER`), about a millisecond of work per guess. scrypt with N = 2^14, r = 8,
 * p = 1 (16 MiB, OpenSSL's `-scrypt` defaults, and the largest N with r = 8 that OpenSSL
 * decrypts under its default 32 MiB scrypt memory limit) makes each guess cost ~50 ms and
 * 16 MiB of memory. Decryption is left to OpenSSL (`createPrivateKey`), which reads both forms.
 */
import { createCipheriv, randomBytes, scryptSync } from 'node:crypto';

/** scrypt parameters of newly encrypted key files. */
export const SCRYPT_PARAMETERS = Object.freeze({ N: 16384, r: 8, p: 1 });

// Object identifiers, DER-encoded (tag 06, length, value).
const OID_PBES2 = '06092a864886f70d01050d'; // 1.2.840.113549.1.5.13 (RFC 8018 A.4)
const OID_SCRYPT = '06092b06010401da47040b'; // 1.3.6.1.4.1.11591.4.11 (RFC 7914 §7)
const OID_AES256_CBC = '060960864801650304012a'; // 2.16.840.1.101.3.4.1.42

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(value.length), value]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
const octetString = (value: Buffer): Buffer => tlv(0x04, value);
const oid = (hex: string): Buffer => Buffer.from(hex, 'hex');

/** A DER INTEGER for a non-negative safe integer. */
function integer(n: number): Buffer {
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  if (bytes.length === 0 || (bytes[0] as number) & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

/**
 * Encrypt a PKCS#8 `PrivateKeyInfo` (DER) under `passphrase` and return the
 * `ENCRYPTED PRIVATE KEY` PEM (RFC 7468 §11).
 */
export function encryptPkcs8(privateKeyInfoDer: Uint8Array, passphrase: string): string {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const { N, r, p } = SCRYPT_PARAMETERS;
  const key = scryptSync(Buffer.from(passphrase, 'utf8'), salt, 32, { N, r, p, maxmem: 64 * 1024 * 1024 });
  const cipher = createCipheriv('aes-256-cbc', key, iv); // PKCS#7 padding (RFC 8018 §6.2.1 step 4)
  const encrypted = Buffer.concat([cipher.update(privateKeyInfoDer), cipher.final()]);
  key.fill(0);
  const der = sequence(
    sequence(
      oid(OID_PBES2),
      sequence(
        sequence(oid(OID_SCRYPT), sequence(octetString(salt), integer(N), integer(r), integer(p), integer(32))),
        sequence(oid(OID_AES256_CBC), octetString(iv)),
      ),
    ),
    octetString(encrypted),
  );
  const b64 = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${b64.join('\n')}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
}
