//! The C ABI seen by the TypeScript loader. Narrow on purpose: pointers into the
//! module's linear memory, lengths, and `i32` status codes; nothing that a later
//! wasm-bindgen binding could not express.

use std::alloc::{alloc as raw_alloc, dealloc as raw_dealloc, Layout};

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
