//! ECDSA signature verification on P-256 with SHA-256 and P-384 with SHA-384
//! (SEC 1 v2 §4.1.4; FIPS 186-5 §6.4.2).
//!
//! Acceptance rules (tested in test/verify/ against Wycheproof and node:crypto):
//! - Public key: a DER SubjectPublicKeyInfo ([`crate::der::parse_spki`]) whose named curve
//!   is the scheme's curve; the point uncompressed (04 || X || Y) or compressed (02/03 || X),
//!   coordinates `< p`, on the curve (SEC 1 v2 §2.3.4 and §3.2.2.1 partial validation; with
//!   cofactor 1 that is full validation); the point at infinity (00) and the hybrid forms
//!   (06/07) are refused.
//! - Signature: strict DER `SEQUENCE { r INTEGER, s INTEGER }`, `1 <= r, s <= n - 1`.
//!   High-S signatures (s > n/2) are valid: ECDSA has no low-S rule, and hardware tokens
//!   (YubiKeys) produce both.
//! - Message: hashed with the curve's hash; e is the leftmost bits of the hash
//!   (SEC 1 v2 §4.1.4 step 3; here the hash and n have the same length).

pub mod abi;
pub mod comb;
pub mod curve;
pub mod field;
pub mod mul;
pub mod p256;
pub mod p384;
pub mod point;

use crate::bigint::{self, Monty};
use crate::der::{self, NamedCurve, PublicKey};
use core::cmp::Ordering;
use comb::CombTable;
use curve::{Curve, KeyEntry, P256, P384};
use field::Field;
use point::{Affine, Jacobian};

/// Keys remembered per curve (first in, first out).
pub const KEY_CACHE: usize = 8;
/// A key gets its own fixed-base table on its this-many-th verification: building one costs
/// about as much as 3–4 verifications and makes each later one about 2.5 times faster.
pub const KEY_TABLE_AFTER: u32 = 4;
/// Radix of a key's table: 2^4, 8 points per digit position (33 KiB for P-256, 75 KiB for
/// P-384).
pub const KEY_COMB_W: u32 = 4;

/// Decode a SEC 1 v2 §2.3.4 point encoding and check it is on the curve (§3.2.2.1).
/// Refuses infinity (`00`) and the hybrid forms.
pub fn decode_point<C: Curve>(enc: &[u8]) -> Option<Affine<C::F>> {
    let len = C::F::BYTES;
    let (&kind, rest) = enc.split_first()?;
    let p = match kind {
        0x04 if rest.len() == 2 * len => {
            let x = C::F::from_be_bytes(&rest[..len])?;
            let y = C::F::from_be_bytes(&rest[len..])?;
            Affine { x, y }
        }
        0x02 | 0x03 if rest.len() == len => {
            // y^2 = x^3 - 3x + b; pick the root whose parity matches the prefix.
            let x = C::F::from_be_bytes(rest)?;
            let rhs = x.square().mul(&x).sub(&x.double().add(&x)).add(&C::b());
            let y = rhs.sqrt()?;
            let y = if y.is_odd() == (kind == 0x03) { y } else { y.neg() };
            Affine { x, y }
        }
        _ => return None,
    };
    if p.is_on_curve(&C::b()) {
        Some(p)
    } else {
        None
    }
}

/// Verify (r, s) on the digest `hash` with public key `q` (SEC 1 v2 §4.1.4 steps 1, 3–8).
/// `r` and `s` are big-endian magnitudes. With `q_table` (q's fixed-base table), R is
/// computed from it and G's table without doublings; otherwise by Straus–Shamir.
pub fn verify_digest<C: Curve>(q: &Affine<C::F>, q_table: Option<&CombTable<C::F>>, hash: &[u8], r: &[u8], s: &[u8]) -> bool {
    let n = C::order();
    let k = n.len();
    let mut rl = [0u32; 12];
    let mut sl = [0u32; 12];
    // Step 1: r, s in [1, n-1].
    if !bigint::from_be_bytes(r, &mut rl[..k]) || !bigint::from_be_bytes(s, &mut sl[..k]) {
        return false;
    }
    let (rl, sl) = (&rl[..k], &sl[..k]);
    if bigint::is_zero(rl) || bigint::is_zero(sl) || bigint::cmp(rl, n) != Ordering::Less || bigint::cmp(sl, n) != Ordering::Less {
        return false;
    }
    // Step 3: e = the leftmost bitlen(n) bits of the hash, then reduced mod n
    // (e < 2^bitlen(n) < 2n, so one subtraction).
    let nbits = bigint::bit_len(n);
    let take = hash.len().min((nbits + 7) / 8);
    let mut e = [0u32; 13];
    if !bigint::from_be_bytes(&hash[..take], &mut e[..k + 1]) {
        return false;
    }
    if 8 * take > nbits {
        for _ in 0..(8 * take - nbits) {
            bigint::shr1(&mut e[..k + 1], 0);
        }
    }
    let e = &mut e[..k];
    if bigint::cmp(e, n) != Ordering::Less {
        bigint::sub_assign(e, n);
    }
    // Step 4: u1 = e s^-1, u2 = r s^-1 (mod n).
    let w = match bigint::inv_mod_odd(sl, n) {
        Some(w) => w,
        None => return false,
    };
    let mut m = match Monty::new(n) {
        Some(m) => m,
        None => return false,
    };
    let mut u1 = [0u32; 12];
    let mut u2 = [0u32; 12];
    m.mul_mod(e, &w, &mut u1[..k]);
    m.mul_mod(rl, &w, &mut u2[..k]);
    // Step 5: R = u1 G + u2 Q; infinity is invalid.
    let rp = match (q_table, C::g_comb()) {
        (Some(qt), Some(gt)) => gt.mul_add(&u1[..k], qt.mul_add(&u2[..k], Jacobian::identity())),
        _ => mul::double_scalar_mul::<C>(&u1[..k], &u2[..k], q),
    };
    if rp.is_identity() {
        return false;
    }
    // Steps 6–8: v = x_R mod n == r. x_R = X/Z^2 < p < 2n, so x_R mod n == r iff
    // x_R = r or x_R = r + n (possible only when r + n < p); compare X with r Z^2 and
    // (r + n) Z^2 instead of inverting Z.
    let z2 = rp.z.square();
    let mut cand = [0u32; 12];
    cand[..k].copy_from_slice(rl);
    if let Some(rf) = C::F::from_limbs(&cand[..k]) {
        if rf.mul(&z2) == rp.x {
            return true;
        }
    }
    if bigint::add_assign(&mut cand[..k], n) == 0 {
        if let Some(rn) = C::F::from_limbs(&cand[..k]) {
            if rn.mul(&z2) == rp.x {
                return true;
            }
        }
    }
    false
}

/// Verify with the key encoded as `enc` (SEC 1 point), through the curve's key cache:
/// a known key skips decoding, and a key used [`KEY_TABLE_AFTER`] times gets a table.
fn verify_cached<C: Curve>(enc: &[u8], hash: &[u8], r: &[u8], s: &[u8]) -> bool {
    C::with_keys(|keys| {
        let pos = match keys.iter().position(|e| e.enc.as_slice() == enc) {
            Some(pos) => pos,
            None => {
                let q = match decode_point::<C>(enc) {
                    Some(q) => q,
                    None => return false,
                };
                if keys.len() >= KEY_CACHE {
                    keys.remove(0);
                }
                keys.push(KeyEntry { enc: enc.to_vec(), q, uses: 0, table: None });
                keys.len() - 1
            }
        };
        let entry = &mut keys[pos];
        entry.uses = entry.uses.saturating_add(1);
        if entry.table.is_none() && entry.uses >= KEY_TABLE_AFTER {
            entry.table = CombTable::new(&entry.q, KEY_COMB_W, C::order().len());
        }
        verify_digest::<C>(&entry.q, entry.table.as_ref(), hash, r, s)
    })
}

/// Verify a DER signature over `msg` with a DER SPKI key on `curve` (the scheme's curve:
/// a key on the other curve is invalid).
pub fn verify(curve: NamedCurve, spki: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    let point = match der::parse_spki(spki) {
        Some(PublicKey::Ec { curve: c, point }) if c == curve => point,
        _ => return false,
    };
    let (r, s) = match der::parse_ecdsa_sig(sig) {
        Some(rs) => rs,
        None => return false,
    };
    match curve {
        NamedCurve::P256 => verify_cached::<P256>(point, &crate::sha2::sha256(msg), r, s),
        NamedCurve::P384 => verify_cached::<P384>(point, &crate::sha2::sha384(msg), r, s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::tests::Rng;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    // Wycheproof ecdsa_secp256r1_sha256_test.json, group 1, tcId 1 (message empty).
    const KEY: &str = "3059301306072a8648ce3d020106082a8648ce3d0301070342000404aaec73635726f213fb8a9e64da3b8632e41495a944d0045b522eba7240fad587d9315798aaa3a5ba01775787ced05eaaf7b4e09fc81d6d1aa546e8365d525d";
    const SIG: &str = "3045022100b292a619339f6e567a305c951c0dcbcc42d16e47f219f9e98e76e09d8770b34a02200177e60492c5a8242f76f07bfe3661bde59ec2a17ce5bd2dab2abebdf89a62e2";

    #[test]
    fn known_vector_all_paths() {
        let (key, sig) = (hex(KEY), hex(SIG));
        // Enough uses to go through Straus, the key's table build and the table path.
        for _ in 0..(KEY_TABLE_AFTER + 2) {
            assert!(verify(NamedCurve::P256, &key, b"", &sig));
            assert!(!verify(NamedCurve::P256, &key, b"x", &sig));
            assert!(!verify(NamedCurve::P384, &key, b"", &sig));
        }
    }

    #[test]
    fn mutations_never_panic_and_never_verify() {
        let (key, sig) = (hex(KEY), hex(SIG));
        let mut rng = Rng(4242);
        for i in 0..3000 {
            let mut k = key.clone();
            let mut s = sig.clone();
            let target = if i % 2 == 0 { &mut k } else { &mut s };
            match rng.next_u32() % 4 {
                0 => {
                    let at = rng.next_u32() as usize % target.len();
                    target[at] ^= 1 << (rng.next_u32() % 8);
                }
                1 => {
                    let at = rng.next_u32() as usize % target.len();
                    target.truncate(at);
                }
                2 => {
                    let at = rng.next_u32() as usize % target.len();
                    target.insert(at, rng.next_u32() as u8);
                }
                _ => {
                    let at = rng.next_u32() as usize % target.len();
                    target[at] = rng.next_u32() as u8;
                }
            }
            // A mutation may (rarely) keep the value, e.g. the point re-encoded; then it verifies.
            let ok = verify(NamedCurve::P256, &k, b"", &s);
            assert_eq!(ok, k == key && s == sig, "mutation {} verified", i);
        }
    }
}
