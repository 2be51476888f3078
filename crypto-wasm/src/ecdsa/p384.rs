//! P-384 (secp384r1): the base field GF(p), p = 2^384 - 2^128 - 2^96 + 2^32 - 1, and the
//! curve constants (FIPS 186-5 / SP 800-186 §3.2.1.4; SEC 2 v2 §2.5.1).
//!
//! Elements are twelve 32-bit limbs, little-endian, fully reduced. Multiplication is a
//! schoolbook product followed by the special-form reduction of FIPS 186-4 Appendix D.2.4
//! (Solinas; also Hankerson–Menezes–Vanstone, "Guide to ECC", Algorithm 2.30).

use super::field::{add_mod, carry_fold, mul_wide, square_wide, sub_mod, Field};

/// p, little-endian limbs.
pub const P: [u32; 12] = [
    0xffffffff, 0, 0, 0xffffffff, 0xfffffffe, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
    0xffffffff, 0xffffffff,
];
/// The group order n.
pub const N: [u32; 12] = [
    0xccc52973, 0xecec196a, 0x48b0a77a, 0x581a0db2, 0xf4372ddf, 0xc7634d81, 0xffffffff, 0xffffffff,
    0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
];
/// The coefficient b (a = -3).
pub const B: Fe = Fe([
    0xd3ec2aef, 0x2a85c8ed, 0x8a2ed19d, 0xc656398d, 0x5013875a, 0x0314088f, 0xfe814112, 0x181d9c6e,
    0xe3f82d19, 0x988e056b, 0xe23ee7e4, 0xb3312fa7,
]);
/// The base point G, x coordinate.
pub const GX: Fe = Fe([
    0x72760ab7, 0x3a545e38, 0xbf55296c, 0x5502f25d, 0x82542a38, 0x59f741e0, 0x8ba79b98, 0x6e1d3b62,
    0xf320ad74, 0x8eb1c71e, 0xbe8b0537, 0xaa87ca22,
]);
/// The base point G, y coordinate.
pub const GY: Fe = Fe([
    0x90ea0e5f, 0x7a431d7c, 0x1d7e819d, 0x0a60b1ce, 0xb5f0b8c0, 0xe9da3113, 0x289a147c, 0xf8f41dbd,
    0x9292dc29, 0x5d9e98bf, 0x96262c6f, 0x3617de4a,
]);

/// 2^384 ≡ 2^128 + 2^96 - 2^32 + 1 (mod p): where a carry out of limb 11 folds back in.
const FOLD: [(usize, i64); 4] = [(0, 1), (1, -1), (3, 1), (4, 1)];

/// An element of GF(p), fully reduced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fe(pub [u32; 12]);

/// Reduce a 768-bit product c = (c23, ..., c0) modulo p: with the 384-bit words
/// s1 = (c11,...,c0), s2 = (0,0,0,0,0,c23,c22,c21,0,0,0,0), s3 = (c23,...,c12),
/// s4 = (c20,c19,c18,c17,c16,c15,c14,c13,c12,c23,c22,c21),
/// s5 = (c19,c18,c17,c16,c15,c14,c13,c12,c20,0,c23,0), s6 = (0,0,0,0,c23,c22,c21,c20,0,0,0,0),
/// s7 = (0,0,0,0,0,0,c23,c22,c21,0,0,c20), d1 = (c22,c21,c20,c19,c18,c17,c16,c15,c14,c13,c12,c23),
/// d2 = (0,0,0,0,0,0,0,c23,c22,c21,c20,0), d3 = (0,0,0,0,0,0,0,c23,c23,0,0,0):
/// c ≡ s1 + 2 s2 + s3 + s4 + s5 + s6 + s7 - d1 - d2 - d3 (FIPS 186-4 D.2.4), summed here
/// column by column.
#[inline(always)]
fn reduce(c: &[u32; 24]) -> [u32; 12] {
    let w = |i: usize| c[i] as i64;
    let cols = [
        w(0) + w(12) + w(21) + w(20) - w(23),
        w(1) + w(13) + w(22) + w(23) - w(12) - w(20),
        w(2) + w(14) + w(23) - w(13) - w(21),
        w(3) + w(15) + w(12) + w(20) + w(21) - w(14) - w(22) - w(23),
        w(4) + 2 * w(21) + w(16) + w(13) + w(12) + w(20) + w(22) - w(15) - 2 * w(23),
        w(5) + 2 * w(22) + w(17) + w(14) + w(13) + w(21) + w(23) - w(16),
        w(6) + 2 * w(23) + w(18) + w(15) + w(14) + w(22) - w(17),
        w(7) + w(19) + w(16) + w(15) + w(23) - w(18),
        w(8) + w(20) + w(17) + w(16) - w(19),
        w(9) + w(21) + w(18) + w(17) - w(20),
        w(10) + w(22) + w(19) + w(18) - w(21),
        w(11) + w(23) + w(20) + w(19) - w(22),
    ];
    carry_fold(cols, &FOLD, &P)
}

impl Field for Fe {
    const BYTES: usize = 48;
    fn zero() -> Self {
        Fe([0; 12])
    }
    fn one() -> Self {
        let mut a = [0u32; 12];
        a[0] = 1;
        Fe(a)
    }
    fn modulus() -> &'static [u32] {
        &P
    }
    fn limbs(&self) -> &[u32] {
        &self.0
    }
    fn from_limbs(l: &[u32]) -> Option<Self> {
        if l.len() != 12 || crate::bigint::cmp(l, &P) != core::cmp::Ordering::Less {
            return None;
        }
        let mut a = [0u32; 12];
        a.copy_from_slice(l);
        Some(Fe(a))
    }
    #[inline(always)]
    fn add(&self, rhs: &Self) -> Self {
        Fe(add_mod(&self.0, &rhs.0, &P))
    }
    #[inline(always)]
    fn sub(&self, rhs: &Self) -> Self {
        Fe(sub_mod(&self.0, &rhs.0, &P))
    }
    #[inline]
    fn mul(&self, rhs: &Self) -> Self {
        Fe(reduce(&mul_wide::<12, 24>(&self.0, &rhs.0)))
    }
    #[inline]
    fn square(&self) -> Self {
        Fe(reduce(&square_wide::<12, 24>(&self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::tests::{modulo_ref, mulmod_ref, Rng};

    fn random(rng: &mut Rng) -> Fe {
        Fe::from_limbs(&modulo_ref(&rng.limbs(12), &P)).unwrap()
    }

    #[test]
    fn mul_and_square_match_reference() {
        let mut rng = Rng(384);
        let mut pm1 = P;
        pm1[0] -= 1;
        let mut big = [0xffffffffu32; 12];
        big[11] = 0x7fffffff;
        let edge = [Fe::zero(), Fe::one(), Fe(pm1), Fe(big)];
        let mut xs: Vec<Fe> = (0..300).map(|_| random(&mut rng)).collect();
        xs.extend_from_slice(&edge);
        for a in &xs {
            for b in edge.iter().chain(xs.iter().take(3)) {
                assert_eq!(a.mul(b).0.to_vec(), mulmod_ref(&a.0, &b.0, &P));
            }
            assert_eq!(a.square().0.to_vec(), mulmod_ref(&a.0, &a.0, &P));
        }
        for w in xs.windows(2) {
            let (a, b) = (w[0], w[1]);
            assert_eq!(a.mul(&b).0.to_vec(), mulmod_ref(&a.0, &b.0, &P));
            assert_eq!(a.add(&b).sub(&b), a);
            assert_eq!(a.sub(&b).add(&b), a);
        }
    }

    #[test]
    fn invert_and_sqrt() {
        let mut rng = Rng(5);
        for _ in 0..10 {
            let a = random(&mut rng);
            assert_eq!(a.mul(&a.invert()), Fe::one());
            let r = a.square().sqrt().unwrap();
            assert!(r == a || r == a.neg());
        }
        assert!(Fe::one().neg().sqrt().is_none());
    }

    #[test]
    fn generator_on_curve() {
        let x = GX;
        let rhs = x.square().mul(&x).sub(&x.double().add(&x)).add(&B);
        assert_eq!(GY.square(), rhs);
    }
}
