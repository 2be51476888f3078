//! ECDSA entry points of the C ABI (conventions in `crate::abi`): one function per TUF
//! scheme, `(key, key_len, msg, msg_len, sig, sig_len) -> i32`, returning `TK_VALID` (1)
//! or `TK_INVALID` (0) for any key/signature bytes, negative only for bad pointers.

use crate::abi::{input, status, TK_INVALID, TK_VALID};
use crate::der::NamedCurve;

fn verify_abi(curve: NamedCurve, key: *const u8, key_len: usize, msg: *const u8, msg_len: usize, sig: *const u8, sig_len: usize) -> i32 {
    status(|| {
        // SAFETY: ranges checked against linear memory by `input`.
        let (k, m, s) = unsafe { (input(key, key_len)?, input(msg, msg_len)?, input(sig, sig_len)?) };
        Ok(if super::verify(curve, k, m, s) { TK_VALID } else { TK_INVALID })
    })
}

/// `ecdsa-sha2-nistp256`: ECDSA P-256 with SHA-256. `key`: DER SubjectPublicKeyInfo;
/// `sig`: DER ECDSA-Sig-Value; `msg`: the signed bytes.
#[no_mangle]
pub extern "C" fn tk_ecdsa_p256_sha256_verify(key: *const u8, key_len: usize, msg: *const u8, msg_len: usize, sig: *const u8, sig_len: usize) -> i32 {
    verify_abi(NamedCurve::P256, key, key_len, msg, msg_len, sig, sig_len)
}

/// `ecdsa-sha2-nistp384`: ECDSA P-384 with SHA-384; arguments as for P-256.
#[no_mangle]
pub extern "C" fn tk_ecdsa_p384_sha384_verify(key: *const u8, key_len: usize, msg: *const u8, msg_len: usize, sig: *const u8, sig_len: usize) -> i32 {
    verify_abi(NamedCurve::P384, key, key_len, msg, msg_len, sig, sig_len)
}
