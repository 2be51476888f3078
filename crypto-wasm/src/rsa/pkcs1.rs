//! RSASSA-PKCS1-v1_5 verification with SHA-256 (RFC 8017 §8.2.2): the expected encoding
//! EMSA-PKCS1-v1_5-ENCODE (§9.2) is rebuilt and compared byte for byte, so no parsing
//! leniency (missing NULL parameters, other DigestInfo forms, short padding) can creep in.

use super::RsaKey;
use crate::sha2::sha256;

/// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1):
/// `SEQUENCE { SEQUENCE { id-sha256, NULL }, OCTET STRING (32 bytes) }`.
pub const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
];

/// EMSA-PKCS1-v1_5-ENCODE(M, emLen) with SHA-256: `0x00 0x01 PS 0x00 T`, PS = 0xff octets
/// (at least 8); `None` when emLen < tLen + 11.
pub fn encode(msg: &[u8], em_len: usize) -> Option<Vec<u8>> {
    let t_len = SHA256_DIGEST_INFO.len() + 32;
    if em_len < t_len + 11 {
        return None;
    }
    let mut em = vec![0xffu8; em_len];
    em[0] = 0x00;
    em[1] = 0x01;
    em[em_len - t_len - 1] = 0x00;
    em[em_len - t_len..em_len - 32].copy_from_slice(&SHA256_DIGEST_INFO);
    em[em_len - 32..].copy_from_slice(&sha256(msg));
    Some(em)
}

/// RSASSA-PKCS1-V1_5-VERIFY (RFC 8017 §8.2.2) with SHA-256.
pub fn verify(key: &RsaKey, msg: &[u8], sig: &[u8]) -> bool {
    match (key.public_op(sig), encode(msg, key.len())) {
        (Some(em), Some(expected)) => em == expected,
        _ => false,
    }
}
