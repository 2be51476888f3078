//! Fixed-base scalar multiplication with signed radix-2^w digits and one table per digit
//! position (the fixed-base windowing method, Hankerson–Menezes–Vanstone, "Guide to ECC",
//! §3.3.2, Algorithm 3.41 with signed digits; the layout of curve25519-dalek's
//! `EdwardsBasepointTable`): k P = sum_i d_i 2^(w i) P with |d_i| <= 2^(w-1), so with
//! T_i[j] = (j+1) 2^(w i) P precomputed (affine), k P costs one mixed addition per non-zero
//! digit and no doubling at all.
//!
//! Used for G (built once) and for public keys seen repeatedly (TUF checks the same few
//! keys over and over): a verification with both tables does no doubling.

use super::field::Field;
use super::point::{Affine, Jacobian};

/// Largest digit count: 384-bit scalars with w >= 4, plus the carry digit.
const MAX_DIGITS: usize = 384 / 4 + 1;

/// The precomputed multiples of one point.
pub struct CombTable<F: Field> {
    w: u32,
    windows: usize,
    /// `points[i * half + j] = (j + 1) 2^(w i) P`, half = 2^(w-1).
    points: Vec<Affine<F>>,
}

/// Signed radix-2^w digits of `k` (limbs, little-endian): `k = sum d_i 2^(w i)`,
/// `-2^(w-1) <= d_i < 2^(w-1)` except that the last digit (the final carry) is 0 or 1.
/// Returns the digits and their count (`ceil(bits / w) + 1`).
pub fn signed_digits(k: &[u32], w: u32) -> ([i8; MAX_DIGITS], usize) {
    let mut d = [0i8; MAX_DIGITS];
    let bits = 32 * k.len();
    let n = (bits + w as usize - 1) / w as usize;
    let count = (n + 1).min(MAX_DIGITS);
    let half = 1i32 << (w - 1);
    let mut carry = 0i32;
    for (i, di) in d.iter_mut().enumerate().take(count - 1) {
        let pos = i * w as usize;
        let limb = pos / 32;
        let sh = pos % 32;
        let lo = k.get(limb).copied().unwrap_or(0) as u64;
        let hi = k.get(limb + 1).copied().unwrap_or(0) as u64;
        let v = ((((hi << 32) | lo) >> sh) & ((1u64 << w) - 1)) as i32 + carry;
        if v >= half {
            *di = (v - 2 * half) as i8;
            carry = 1;
        } else {
            *di = v as i8;
            carry = 0;
        }
    }
    d[count - 1] = carry as i8;
    (d, count)
}

impl<F: Field> CombTable<F> {
    /// The table of `p` for scalars of `scalar_limbs` limbs, radix 2^w (w in 4..=7).
    /// Costs about (2 doublings + 2^(w-1) - 2 additions) per digit position and one
    /// inversion.
    pub fn new(p: &Affine<F>, w: u32, scalar_limbs: usize) -> Option<Self> {
        let windows = (32 * scalar_limbs + w as usize - 1) / w as usize + 1;
        if !(4..=7).contains(&w) || windows > MAX_DIGITS {
            return None;
        }
        let half = 1usize << (w - 1);
        let mut jac = Vec::new();
        if jac.try_reserve_exact(windows * half).is_err() {
            return None; // out of memory: verification goes on without the table
        }
        let mut base = Jacobian::from_affine(p); // 2^(w i) P
        for _ in 0..windows {
            let start = jac.len();
            jac.push(base);
            let two = base.double();
            jac.push(two);
            for j in 2..half {
                let next = jac[start + j - 1].add(&base);
                jac.push(next);
            }
            // 2^w base = 2 (2^(w-1) base)
            base = jac[start + half - 1].double();
        }
        let points = Jacobian::batch_to_affine(&jac)?;
        Some(CombTable { w, windows, points })
    }

    /// `acc + k P` (k with at most the table's scalar size).
    pub fn mul_add(&self, k: &[u32], acc: Jacobian<F>) -> Jacobian<F> {
        let (d, count) = signed_digits(k, self.w);
        let half = 1usize << (self.w - 1);
        let mut r = acc;
        for (i, &di) in d.iter().enumerate().take(count.min(self.windows)) {
            if di == 0 {
                continue;
            }
            let idx = i * half + di.unsigned_abs() as usize - 1;
            if let Some(p) = self.points.get(idx) {
                r = if di > 0 { r.add_affine(p) } else { r.add_affine(&p.neg()) };
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::tests::Rng;
    use crate::ecdsa::curve::{Curve, P256, P384};
    use crate::ecdsa::mul::mul_simple;

    #[test]
    fn digits_reconstruct() {
        let mut rng = Rng(5);
        for w in 4..=7u32 {
            for _ in 0..50 {
                let k = rng.limbs(8);
                let (d, count) = signed_digits(&k, w);
                // Horner from the top: acc = acc 2^w + d_i, as a signed multi-limb value.
                let mut acc = vec![0i64; 12];
                for i in (0..count).rev() {
                    for _ in 0..w {
                        let mut c = 0i64;
                        for l in acc.iter_mut() {
                            let t = *l * 2 + c;
                            *l = t & 0xffff_ffff;
                            c = t >> 32;
                        }
                    }
                    acc[0] += d[i] as i64;
                    let mut c = 0i64;
                    for l in acc.iter_mut() {
                        let t = *l + c;
                        *l = t & 0xffff_ffff;
                        c = t >> 32;
                    }
                    assert!((d[i] as i32).abs() <= 1 << (w - 1));
                }
                let got: Vec<u32> = acc[..8].iter().map(|&l| l as u32).collect();
                assert_eq!(got, k);
                assert!(acc[8..].iter().all(|&l| l == 0));
            }
        }
    }

    fn comb_matches<C: Curve>(limbs: usize) {
        let mut rng = Rng(23);
        let g = C::g();
        let p = mul_simple(&rng.limbs(limbs), &g).to_affine().unwrap();
        for w in [4u32, 6] {
            let t = CombTable::new(&p, w, limbs).unwrap();
            for i in 0..10 {
                let mut k = rng.limbs(limbs);
                if i == 0 {
                    k.iter_mut().for_each(|l| *l = u32::MAX);
                }
                if i == 1 {
                    k = C::order().to_vec();
                }
                let a = t.mul_add(&k, Jacobian::identity()).to_affine();
                let b = mul_simple(&k, &p).to_affine();
                assert_eq!(a, b);
            }
            // acc = -kP: the sum meets P = -Q and reaches infinity
            let k = rng.limbs(limbs);
            let neg = mul_simple(&k, &p).neg();
            assert!(t.mul_add(&k, neg).is_identity());
        }
    }

    #[test]
    fn p256_comb() {
        comb_matches::<P256>(8);
    }

    #[test]
    fn p384_comb() {
        comb_matches::<P384>(12);
    }
}
