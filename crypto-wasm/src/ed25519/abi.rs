//! The Ed25519 functions of the ABI (conventions: crate::abi).

use super::verify::{check, check_prehashed};
use crate::abi::{input, status, TK_INVALID, TK_VALID};

/// `tk_ed25519_verify(key, key_len, msg, msg_len, sig, sig_len)`: [`TK_VALID`] when the
/// signature is accepted under the rules of `ed25519::verify`, [`TK_INVALID`] otherwise
/// (including wrong lengths); `TK_ERR_RANGE` for ranges outside memory.
#[no_mangle]
pub unsafe extern "C" fn tk_ed25519_verify(
    key: *const u8,
    key_len: usize,
    msg: *const u8,
    msg_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> i32 {
    status(|| {
        let (k, m, s) = (input(key, key_len)?, input(msg, msg_len)?, input(sig, sig_len)?);
        Ok(if check(k, m, s).is_ok() { TK_VALID } else { TK_INVALID })
    })
}

/// `tk_ed25519_verify_prehashed(key, key_len, digest, digest_len, sig, sig_len)`: as
/// [`tk_ed25519_verify`] with the challenge digest SHA-512(R ‖ A ‖ M) (64 bytes) computed by
/// the caller instead of the message (the host may hash long messages faster).
/// `TK_ERR_LENGTH` when `digest_len` is not 64.
#[no_mangle]
pub unsafe extern "C" fn tk_ed25519_verify_prehashed(
    key: *const u8,
    key_len: usize,
    digest: *const u8,
    digest_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> i32 {
    status(|| {
        let (k, d, s) = (input(key, key_len)?, input(digest, digest_len)?, input(sig, sig_len)?);
        let d: &[u8; 64] = d.try_into().map_err(|_| crate::abi::TK_ERR_LENGTH)?;
        Ok(if check_prehashed(k, d, s).is_ok() { TK_VALID } else { TK_INVALID })
    })
}

/// `tk_ed25519_check(key, key_len, msg, msg_len, sig, sig_len)`: 0 when accepted, else
/// the number of the first rule broken (`verify::Reject`: 1 length, 2 S ≥ L, 3 bad A,
/// 4 bad R, 5 small-order A, 6 small-order R, 7 equation). For tests and diagnostics.
#[no_mangle]
pub unsafe extern "C" fn tk_ed25519_check(
    key: *const u8,
    key_len: usize,
    msg: *const u8,
    msg_len: usize,
    sig: *const u8,
    sig_len: usize,
) -> i32 {
    status(|| {
        let (k, m, s) = (input(key, key_len)?, input(msg, msg_len)?, input(sig, sig_len)?);
        Ok(match check(k, m, s) {
            Ok(()) => 0,
            Err(reason) => reason as i32,
        })
    })
}

/// Size of one entry of the batch table of [`tk_ed25519_verify_batch`].
pub const BATCH_ENTRY: usize = 104;
/// Flag in an entry's `msg_len`: the range holds the 64-byte challenge digest
/// SHA-512(R ‖ A ‖ M) instead of the message.
pub const BATCH_PREHASHED: u32 = 0x8000_0000;

/// `tk_ed25519_verify_batch(table, n, data, data_len, seed, out)`: verify `n` signatures.
///
/// `table` holds `n` entries of [`BATCH_ENTRY`] = 104 bytes: the 32-byte public key, the
/// 64-byte signature, then `msg_off` and `msg_len` (u32 little-endian): the message is
/// `data[msg_off .. msg_off + msg_len]` (with [`BATCH_PREHASHED`] set in `msg_len`, the
/// 64-byte challenge digest instead). `seed`: 32 fresh random bytes from the host's CSPRNG.
/// `out`: `n` bytes, set to 1 for each accepted signature and 0 otherwise; the answers are
/// exactly those of `tk_ed25519_verify` on each entry (see `ed25519::batch`).
///
/// Returns `TK_OK`; `TK_ERR_RANGE` for ranges outside memory, `TK_ERR_FORMAT` for a message
/// range outside `data` or a prehashed length other than 64, `TK_ERR_NOMEM`. (Wrong key or
/// signature lengths cannot be expressed here: the caller answers those items `false`.)
#[no_mangle]
pub unsafe extern "C" fn tk_ed25519_verify_batch(
    table: *const u8,
    n: usize,
    data: *const u8,
    data_len: usize,
    seed: *const u8,
    out: *mut u8,
) -> i32 {
    use super::batch::{verify_batch, Item, Message};
    use crate::abi::{output, TK_ERR_FORMAT, TK_ERR_NOMEM, TK_ERR_RANGE, TK_OK};
    status(|| {
        let table_len = n.checked_mul(BATCH_ENTRY).ok_or(TK_ERR_RANGE)?;
        let table = input(table, table_len)?;
        let data = input(data, data_len)?;
        let seed = input(seed, 32)?;
        if seed.len() != 32 {
            return Err(TK_ERR_RANGE);
        }
        let out = output(out, n)?;
        let mut seed32 = [0u8; 32];
        seed32.copy_from_slice(seed);
        let mut items: Vec<Item> = Vec::new();
        items.try_reserve_exact(n).map_err(|_| TK_ERR_NOMEM)?;
        for entry in table.chunks_exact(BATCH_ENTRY) {
            let off = u32::from_le_bytes([entry[96], entry[97], entry[98], entry[99]]) as usize;
            let raw_len = u32::from_le_bytes([entry[100], entry[101], entry[102], entry[103]]);
            let len = (raw_len & !BATCH_PREHASHED) as usize;
            let end = off.checked_add(len).ok_or(TK_ERR_FORMAT)?;
            if end > data.len() {
                return Err(TK_ERR_FORMAT);
            }
            let bytes = &data[off..end];
            let msg = if raw_len & BATCH_PREHASHED != 0 {
                if len != 64 {
                    return Err(TK_ERR_FORMAT);
                }
                let digest: &[u8; 64] = match bytes.try_into() {
                    Ok(d) => d,
                    Err(_) => return Err(TK_ERR_FORMAT),
                };
                Message::Digest(digest)
            } else {
                Message::Bytes(bytes)
            };
            items.push(Item { key: &entry[..32], sig: &entry[32..96], msg });
        }
        let mut answers: Vec<bool> = Vec::new();
        answers.try_reserve_exact(n).map_err(|_| TK_ERR_NOMEM)?;
        answers.resize(n, false);
        verify_batch(&items, &seed32, &mut answers).map_err(|_| TK_ERR_NOMEM)?;
        for (o, a) in out.iter_mut().zip(&answers) {
            *o = *a as u8;
        }
        Ok(TK_OK)
    })
}
