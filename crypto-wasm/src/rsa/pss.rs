//! RSASSA-PSS verification with SHA-256 and MGF1-SHA-256 (RFC 8017 §8.1.2 and
//! EMSA-PSS-VERIFY §9.1.2), with the salt length recovered from the encoding: the salt is
//! whatever follows the first 0x01 after the zero padding of DB, as OpenSSL's
//! `RSA_PSS_SALTLEN_AUTO` and securesystemslib's `PSS.AUTO` do (go-tuf signs with the
//! maximum salt, python-tuf with 32 bytes). This is the one intended difference from
//! Wycheproof, whose `s_len changed to N` vectors expect a fixed salt length.

use super::RsaKey;
use crate::sha2::{sha256, Sha256};

/// hLen for SHA-256.
const HLEN: usize = 32;

/// MGF1 with SHA-256 (RFC 8017 Appendix B.2.1), XORed into `out` (`out ^= MGF1(seed, len)`).
pub fn mgf1_xor(seed: &[u8], out: &mut [u8]) {
    for (counter, chunk) in out.chunks_mut(HLEN).enumerate() {
        let mut h = Sha256::new();
        h.update(seed);
        h.update(&(counter as u32).to_be_bytes());
        let block = h.finalize();
        for (o, b) in chunk.iter_mut().zip(block.iter()) {
            *o ^= b;
        }
    }
}

/// EMSA-PSS-VERIFY (RFC 8017 §9.1.2) of `em` (emLen bytes) for `msg`, emBits = modBits - 1,
/// salt length recovered from the encoding.
pub fn emsa_pss_verify(msg: &[u8], em: &[u8], em_bits: usize) -> bool {
    let em_len = (em_bits + 7) / 8;
    if em.len() != em_len {
        return false;
    }
    // Step 2: mHash. Step 3 (with sLen >= 0): emLen >= hLen + 2.
    let m_hash = sha256(msg);
    if em_len < HLEN + 2 {
        return false;
    }
    // Step 4: the trailer 0xbc.
    if em[em_len - 1] != 0xbc {
        return false;
    }
    // Step 5: maskedDB || H || 0xbc.
    let db_len = em_len - HLEN - 1;
    let (masked_db, rest) = em.split_at(db_len);
    let h = &rest[..HLEN];
    // Step 6: the 8 emLen - emBits leftmost bits of maskedDB are zero.
    let top_bits = 8 * em_len - em_bits; // 0..=7
    let top_mask = (0xffu16 >> top_bits) as u8; // bits allowed in the first octet
    if masked_db[0] & !top_mask != 0 {
        return false;
    }
    // Steps 7–9: DB = maskedDB xor MGF1(H), leftmost bits cleared.
    let mut db = masked_db.to_vec();
    mgf1_xor(h, &mut db);
    db[0] &= top_mask;
    // Step 10 (salt auto): DB = 0x00.. || 0x01 || salt.
    let one = match db.iter().position(|&b| b != 0) {
        Some(i) if db[i] == 0x01 => i,
        _ => return false,
    };
    let salt = &db[one + 1..];
    // Steps 12–14: H' = Hash(0x00 x 8 || mHash || salt) == H.
    let mut hh = Sha256::new();
    hh.update(&[0u8; 8]);
    hh.update(&m_hash);
    hh.update(salt);
    hh.finalize() == *h
}

/// RSASSA-PSS-VERIFY (RFC 8017 §8.1.2) with SHA-256/MGF1-SHA-256 and salt auto.
pub fn verify(key: &RsaKey, msg: &[u8], sig: &[u8]) -> bool {
    // Steps 1–2: length check, RSAVP1, EM = I2OSP(m, emLen) with emLen = ceil((modBits-1)/8):
    // when modBits - 1 is a multiple of 8, the k-byte value's first octet must be 0.
    let em = match key.public_op(sig) {
        Some(em) => em,
        None => return false,
    };
    let em_bits = key.bits() - 1;
    let em_len = (em_bits + 7) / 8;
    let skip = em.len() - em_len; // 0 or 1
    if em[..skip].iter().any(|&b| b != 0) {
        return false;
    }
    emsa_pss_verify(msg, &em[skip..], em_bits)
}
