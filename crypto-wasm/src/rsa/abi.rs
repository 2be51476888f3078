//! RSA entry points of the C ABI (conventions in `crate::abi`): one function per TUF
//! scheme, `(key, key_len, msg, msg_len, sig, sig_len) -> i32`, returning `TK_VALID` (1)
//! or `TK_INVALID` (0) for any key/signature bytes, negative only for bad pointers.

use super::RsaKey;
use crate::abi::{input, status, TK_INVALID, TK_VALID};

fn verify_abi(
    scheme: fn(&RsaKey, &[u8], &[u8]) -> bool,
    key: *const u8,
    key_len: usize,
    msg: *const u8,
    msg_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> i32 {
    status(|| {
        // SAFETY: ranges checked against linear memory by `input`.
        let (k, m, s) = unsafe { (input(key, key_len)?, input(msg, msg_len)?, input(sig, sig_len)?) };
        let ok = match RsaKey::from_spki(k) {
            Some(key) => scheme(&key, m, s),
            None => false,
        };
        Ok(if ok { TK_VALID } else { TK_INVALID })
    })
}

/// `rsassa-pss-sha256`: RSASSA-PSS, SHA-256, MGF1-SHA-256, salt length recovered.
/// `key`: DER SubjectPublicKeyInfo; `sig`: the k-byte signature; `msg`: the signed bytes.
#[no_mangle]
pub extern "C" fn tk_rsa_pss_sha256_verify(key: *const u8, key_len: usize, msg: *const u8, msg_len: usize, sig: *const u8, sig_len: usize) -> i32 {
    verify_abi(super::pss::verify, key, key_len, msg, msg_len, sig, sig_len)
}

/// `rsa-pkcs1v15-sha256`: RSASSA-PKCS1-v1_5 with SHA-256; arguments as for PSS.
#[no_mangle]
pub extern "C" fn tk_rsa_pkcs1v15_sha256_verify(key: *const u8, key_len: usize, msg: *const u8, msg_len: usize, sig: *const u8, sig_len: usize) -> i32 {
    verify_abi(super::pkcs1::verify, key, key_len, msg, msg_len, sig, sig_len)
}
