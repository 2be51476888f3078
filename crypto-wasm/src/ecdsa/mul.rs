//! Double-scalar multiplication u1 G + u2 Q for verification: Straus's method ("Shamir's
//! trick") over width-w non-adjacent forms (Hankerson–Menezes–Vanstone, "Guide to ECC",
//! Algorithm 3.36 (wNAF) and §3.3.3 / Algorithm 3.51 (interleaving)): one shared chain of
//! doublings, an addition for each non-zero digit, G's odd multiples precomputed once
//! (affine, mixed additions), Q's computed per call (Jacobian).
//!
//! Variable-time: the scalars of a verification are public.

use super::curve::Curve;
use super::field::Field;
use super::point::{Affine, Jacobian};

/// Width of Q's window (8 odd multiples computed per verification).
pub const W_Q: u32 = 5;
/// Width of G's window (64 affine odd multiples, computed once).
pub const W_G: u32 = 8;
/// Largest scalar limb count handled (P-384: 12).
const MAX_LIMBS: usize = 12;
/// wNAF digit count for up to MAX_LIMBS limbs plus the carry limb.
pub const MAX_DIGITS: usize = 32 * (MAX_LIMBS + 1);

/// The width-`w` NAF of `k` (`w` in 2..=8): digits odd or 0, |digit| < 2^(w-1), every
/// non-zero digit followed by at least w-1 zeros, `k = sum naf[i] 2^i`. Returns the digit
/// array and one past the highest non-zero digit. `k` has at most MAX_LIMBS limbs.
pub fn wnaf(k: &[u32], w: u32) -> ([i8; MAX_DIGITS], usize) {
    let mut naf = [0i8; MAX_DIGITS];
    let mut x = [0u32; MAX_LIMBS + 2]; // k, then a zero limb to absorb the final carry
    let len = k.len().min(MAX_LIMBS);
    x[..len].copy_from_slice(&k[..len]);
    let width = 1u64 << w;
    let mask = width - 1;
    let bits = 32 * (len + 1);
    let mut pos = 0usize;
    let mut carry = 0u64;
    let mut top = 0usize;
    while pos < bits {
        let idx = pos / 32;
        let sh = pos % 32;
        let buf = ((x[idx] as u64) | ((x[idx + 1] as u64) << 32)) >> sh;
        let window = carry + (buf & mask);
        if window & 1 == 0 {
            // An even window: no digit here; a carry stays pending (bit + carry = 2).
            pos += 1;
            continue;
        }
        if window < width / 2 {
            carry = 0;
            naf[pos] = window as i8;
        } else {
            carry = 1;
            naf[pos] = (window as i64 - width as i64) as i8;
        }
        top = pos + 1;
        pos += w as usize;
    }
    (naf, top)
}

/// [P, 3P, 5P, ..., (2^(w-1) - 1) P] in Jacobian coordinates.
pub fn odd_multiples<F: Field>(p: &Jacobian<F>, w: u32) -> Vec<Jacobian<F>> {
    let count = 1usize << (w - 2);
    let mut t = Vec::with_capacity(count);
    t.push(*p);
    let p2 = p.double();
    for i in 1..count {
        let next = t[i - 1].add(&p2);
        t.push(next);
    }
    t
}

/// u1 G + u2 Q (Straus–Shamir over wNAFs; HMV Algorithm 3.51 with w-NAF digits).
pub fn double_scalar_mul<C: Curve>(u1: &[u32], u2: &[u32], q: &Affine<C::F>) -> Jacobian<C::F> {
    let g_table = C::g_table();
    let q_table = odd_multiples(&Jacobian::from_affine(q), W_Q);
    let (naf1, top1) = wnaf(u1, W_G);
    let (naf2, top2) = wnaf(u2, W_Q);
    let top = top1.max(top2);
    let mut r = Jacobian::<C::F>::identity();
    for i in (0..top).rev() {
        if !r.is_identity() {
            r = r.double();
        }
        let d = naf1[i];
        if d != 0 {
            let idx = (d.unsigned_abs() / 2) as usize;
            if let Some(p) = g_table.get(idx) {
                r = if d > 0 { r.add_affine(p) } else { r.add_affine(&p.neg()) };
            }
        }
        let d = naf2[i];
        if d != 0 {
            let idx = (d.unsigned_abs() / 2) as usize;
            if let Some(p) = q_table.get(idx) {
                r = if d > 0 { r.add(p) } else { r.add(&p.neg()) };
            }
        }
    }
    r
}

/// k P by double-and-add (reference for tests and for the group-order check).
pub fn mul_simple<F: Field>(k: &[u32], p: &Affine<F>) -> Jacobian<F> {
    let mut r = Jacobian::identity();
    for i in (0..crate::bigint::bit_len(k)).rev() {
        r = r.double();
        if crate::bigint::bit(k, i) {
            r = r.add_affine(p);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::tests::Rng;

    #[test]
    fn wnaf_reconstructs_and_is_sparse() {
        let mut rng = Rng(11);
        for w in 2..=8u32 {
            for len in [1usize, 8, 12] {
                for t in 0..50 {
                    let mut k = rng.limbs(len);
                    if t == 0 {
                        k.iter_mut().for_each(|l| *l = u32::MAX);
                    }
                    let (naf, top) = wnaf(&k, w);
                    // sum naf[i] 2^i as a signed big integer, via i128 chunks is awkward:
                    // rebuild with limbs: pos part minus neg part.
                    let mut pos = vec![0u32; len + 2];
                    let mut neg = vec![0u32; len + 2];
                    for (i, &d) in naf.iter().enumerate() {
                        assert!(d == 0 || (d % 2 != 0 && (d.unsigned_abs() as u64) < (1u64 << (w - 1))));
                        if d != 0 {
                            assert!(i < top);
                            for j in 1..(w as usize) {
                                if i + j < naf.len() {
                                    assert_eq!(naf[i + j], 0);
                                }
                            }
                            let mut v = vec![0u32; len + 2];
                            let a = d.unsigned_abs() as u64;
                            v[i / 32] = (a << (i % 32)) as u32;
                            v[i / 32 + 1] = ((a << (i % 32)) >> 32) as u32;
                            let target = if d > 0 { &mut pos } else { &mut neg };
                            crate::bigint::add_assign(target, &v);
                        }
                    }
                    crate::bigint::sub_assign(&mut pos, &neg);
                    assert_eq!(&pos[..len], &k[..]);
                    assert!(pos[len..].iter().all(|&l| l == 0));
                }
            }
        }
    }
}
