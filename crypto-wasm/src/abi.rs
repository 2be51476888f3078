//! The C ABI seen by the TypeScript loader (`src/verify/wasm/`). Narrow on purpose:
//! pointers into the module's linear memory, lengths, and `i32` status codes; nothing that
//! a later wasm-bindgen binding could not express.
//!
//! # Conventions (every exported function follows them)
//!
//! - Names start with `tk_`; one module owns each family (`tk_sha*` here, `tk_ed25519_*`
//!   in `ed25519/abi.rs`, `tk_ecdsa_*`/`tk_rsa_*` in the ECDSA/RSA modules).
//! - Inputs are `(ptr: *const u8, len: usize)` pairs; outputs are caller-allocated buffers
//!   of a documented fixed size (`out: *mut u8`). The caller allocates with [`tk_alloc`]
//!   and frees with [`tk_free`] (same length).
//! - Every input range is checked with [`input`] / [`output`] before it is read: a range
//!   outside linear memory gives [`TK_ERR_RANGE`] instead of a trap.
//! - Return value: `i32`. Verification functions return [`TK_VALID`] (1) or
//!   [`TK_INVALID`] (0) for well-formed calls, whatever the bytes of the key or signature;
//!   other functions return [`TK_OK`] (0). Negative values are the typed errors below and
//!   mean the *call* was wrong (the TS side throws), never "bad signature".
//! - No function panics on any input (the crate is built with `panic = "abort"`, where a
//!   panic would trap and lose the instance); allocation uses `try_reserve` and reports
//!   [`TK_ERR_NOMEM`].

use std::alloc::{alloc as raw_alloc, dealloc as raw_dealloc, Layout};

/// Version of this ABI; the loader refuses a module whose version it does not know.
pub const TK_ABI_VERSION: i32 = 1;

/// Success (non-verification functions).
pub const TK_OK: i32 = 0;
/// The signature verifies.
pub const TK_VALID: i32 = 1;
/// The signature does not verify, or the key/signature bytes are malformed.
pub const TK_INVALID: i32 = 0;
/// A pointer/length pair lies (partly) outside linear memory, or a required pointer is null.
pub const TK_ERR_RANGE: i32 = -1;
/// A length argument is not one the function accepts (e.g. an output buffer size).
pub const TK_ERR_LENGTH: i32 = -2;
/// Memory could not be allocated.
pub const TK_ERR_NOMEM: i32 = -3;
/// A structured argument (e.g. a batch item table) is inconsistent.
pub const TK_ERR_FORMAT: i32 = -4;

/// Allocate `len` bytes (align 8) in linear memory; 0 when out of memory or `len == 0`.
#[no_mangle]
pub extern "C" fn tk_alloc(len: usize) -> *mut u8 {
    match Layout::from_size_align(len, 8) {
        Ok(layout) if len > 0 => unsafe { raw_alloc(layout) },
        _ => core::ptr::null_mut(),
    }
}

/// Free memory returned by [`tk_alloc`] with the same `len`.
#[no_mangle]
pub extern "C" fn tk_free(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len == 0 {
        return;
    }
    if let Ok(layout) = Layout::from_size_align(len, 8) {
        unsafe { raw_dealloc(ptr, layout) }
    }
}

/// The ABI version ([`TK_ABI_VERSION`]).
#[no_mangle]
pub extern "C" fn tk_abi_version() -> i32 {
    TK_ABI_VERSION
}

/// True when `[ptr, ptr + len)` lies inside linear memory (always true natively, where
/// the Rust tests pass real slices).
fn in_memory(ptr: usize, len: usize) -> bool {
    let end = match ptr.checked_add(len) {
        Some(end) => end,
        None => return false,
    };
    #[cfg(target_arch = "wasm32")]
    {
        let size = core::arch::wasm32::memory_size(0).saturating_mul(65536);
        end <= size
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = end;
        true
    }
}

/// Borrow `len` bytes at `ptr` as an input slice, checked against linear memory.
/// `len == 0` gives the empty slice whatever `ptr` is (JS passes 0 for empty messages).
///
/// # Safety
/// The caller (the TS loader) owns the range and does not mutate it during the call.
pub unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8], i32> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() || !in_memory(ptr as usize, len) {
        return Err(TK_ERR_RANGE);
    }
    Ok(core::slice::from_raw_parts(ptr, len))
}

/// Borrow `len` bytes at `ptr` as an output slice, checked against linear memory; a null
/// pointer is an error even for `len == 0`.
///
/// # Safety
/// As [`input`]; the range must not overlap an input of the same call.
pub unsafe fn output<'a>(ptr: *mut u8, len: usize) -> Result<&'a mut [u8], i32> {
    if ptr.is_null() || !in_memory(ptr as usize, len) {
        return Err(TK_ERR_RANGE);
    }
    Ok(core::slice::from_raw_parts_mut(ptr, len))
}

/// Run `f` and turn `Err(code)` into the code.
#[inline]
pub fn status(f: impl FnOnce() -> Result<i32, i32>) -> i32 {
    match f() {
        Ok(v) | Err(v) => v,
    }
}

/// `tk_sha256(msg, msg_len, out[32])`: SHA-256 of the message. Returns [`TK_OK`].
#[no_mangle]
pub unsafe extern "C" fn tk_sha256(msg: *const u8, msg_len: usize, out: *mut u8) -> i32 {
    status(|| {
        let m = input(msg, msg_len)?;
        output(out, 32)?.copy_from_slice(&crate::sha2::sha256(m));
        Ok(TK_OK)
    })
}

/// `tk_sha384(msg, msg_len, out[48])`: SHA-384 of the message. Returns [`TK_OK`].
#[no_mangle]
pub unsafe extern "C" fn tk_sha384(msg: *const u8, msg_len: usize, out: *mut u8) -> i32 {
    status(|| {
        let m = input(msg, msg_len)?;
        output(out, 48)?.copy_from_slice(&crate::sha2::sha384(m));
        Ok(TK_OK)
    })
}

/// `tk_sha512(msg, msg_len, out[64])`: SHA-512 of the message. Returns [`TK_OK`].
#[no_mangle]
pub unsafe extern "C" fn tk_sha512(msg: *const u8, msg_len: usize, out: *mut u8) -> i32 {
    status(|| {
        let m = input(msg, msg_len)?;
        output(out, 64)?.copy_from_slice(&crate::sha2::sha512(m));
        Ok(TK_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_and_empty_inputs() {
        unsafe {
            assert_eq!(input(core::ptr::null(), 0).unwrap().len(), 0);
            assert_eq!(input(core::ptr::null(), 5).unwrap_err(), TK_ERR_RANGE);
            assert_eq!(output(core::ptr::null_mut(), 0).unwrap_err(), TK_ERR_RANGE);
            let mut out = [0u8; 32];
            assert_eq!(tk_sha256(core::ptr::null(), 0, out.as_mut_ptr()), TK_OK);
            assert_eq!(out, crate::sha2::sha256(b""));
            assert_eq!(tk_sha256(b"abc".as_ptr(), 3, core::ptr::null_mut()), TK_ERR_RANGE);
        }
    }

    #[test]
    fn alloc_free_roundtrip() {
        let p = tk_alloc(100);
        assert!(!p.is_null());
        tk_free(p, 100);
        assert!(tk_alloc(0).is_null());
        assert!(tk_alloc(usize::MAX).is_null());
    }
}
