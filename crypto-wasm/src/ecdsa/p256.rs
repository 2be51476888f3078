//! P-256 (secp256r1, prime256v1): the base field GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1,
//! and the curve constants (FIPS 186-5 / SP 800-186 §3.2.1.3; SEC 2 v2 §2.4.2).
//!
//! Elements are eight 32-bit limbs, little-endian, fully reduced. Multiplication is a
//! schoolbook product followed by the special-form reduction of FIPS 186-4 Appendix D.2.3
//! (Solinas; also Hankerson–Menezes–Vanstone, "Guide to ECC", Algorithm 2.29).

use super::field::{add_mod, carry_fold, mul_wide, square_wide, sub_mod, Field};

/// p, little-endian limbs.
pub const P: [u32; 8] = [0xffffffff, 0xffffffff, 0xffffffff, 0, 0, 0, 1, 0xffffffff];
/// The group order n.
pub const N: [u32; 8] = [
    0xfc632551, 0xf3b9cac2, 0xa7179e84, 0xbce6faad, 0xffffffff, 0xffffffff, 0, 0xffffffff,
];
/// The coefficient b (a = -3).
pub const B: Fe = Fe([
    0x27d2604b, 0x3bce3c3e, 0xcc53b0f6, 0x651d06b0, 0x769886bc, 0xb3ebbd55, 0xaa3a93e7, 0x5ac635d8,
]);
/// The base point G, x coordinate.
pub const GX: Fe = Fe([
    0xd898c296, 0xf4a13945, 0x2deb33a0, 0x77037d81, 0x63a440f2, 0xf8bce6e5, 0xe12c4247, 0x6b17d1f2,
]);
/// The base point G, y coordinate.
pub const GY: Fe = Fe([
    0x37bf51f5, 0xcbb64068, 0x6b315ece, 0x2bce3357, 0x7c0f9e16, 0x8ee7eb4a, 0xfe1a7f9b, 0x4fe342e2,
]);

/// 2^256 ≡ 2^224 - 2^192 - 2^96 + 1 (mod p): where a carry out of limb 7 folds back in.
const FOLD: [(usize, i64); 4] = [(0, 1), (3, -1), (6, -1), (7, 1)];

/// An element of GF(p), fully reduced.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Fe(pub [u32; 8]);

/// Reduce a 512-bit product c = (c15, ..., c0) modulo p: with the 256-bit words
/// s1 = (c7,c6,c5,c4,c3,c2,c1,c0), s2 = (c15,c14,c13,c12,c11,0,0,0),
/// s3 = (0,c15,c14,c13,c12,0,0,0), s4 = (c15,c14,0,0,0,c10,c9,c8),
/// s5 = (c8,c13,c15,c14,c13,c11,c10,c9), d1 = (c10,c8,0,0,0,c13,c12,c11),
/// d2 = (c11,c9,0,0,c15,c14,c13,c12), d3 = (c12,0,c10,c9,c8,c15,c14,c13),
/// d4 = (c13,0,c11,c10,c9,0,c15,c14):
/// c ≡ s1 + 2 s2 + 2 s3 + s4 + s5 - d1 - d2 - d3 - d4 (FIPS 186-4 D.2.3), summed here
/// column by column.
#[inline(always)]
fn reduce(c: &[u32; 16]) -> [u32; 8] {
    let w = |i: usize| c[i] as i64;
    let cols = [
        w(0) + w(8) + w(9) - w(11) - w(12) - w(13) - w(14),
        w(1) + w(9) + w(10) - w(12) - w(13) - w(14) - w(15),
        w(2) + w(10) + w(11) - w(13) - w(14) - w(15),
        w(3) + 2 * w(11) + 2 * w(12) + w(13) - w(15) - w(8) - w(9),
        w(4) + 2 * w(12) + 2 * w(13) + w(14) - w(9) - w(10),
        w(5) + 2 * w(13) + 2 * w(14) + w(15) - w(10) - w(11),
        w(6) + 3 * w(14) + 2 * w(15) + w(13) - w(8) - w(9),
        w(7) + 3 * w(15) + w(8) - w(10) - w(11) - w(12) - w(13),
    ];
    carry_fold(cols, &FOLD, &P)
}

impl Field for Fe {
    const BYTES: usize = 32;
    fn zero() -> Self {
        Fe([0; 8])
    }
    fn one() -> Self {
        Fe([1, 0, 0, 0, 0, 0, 0, 0])
    }
    fn modulus() -> &'static [u32] {
        &P
    }
    fn limbs(&self) -> &[u32] {
        &self.0
    }
    fn from_limbs(l: &[u32]) -> Option<Self> {
        if l.len() != 8 || crate::bigint::cmp(l, &P) != core::cmp::Ordering::Less {
            return None;
        }
        let mut a = [0u32; 8];
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
        Fe(reduce(&mul_wide::<8, 16>(&self.0, &rhs.0)))
    }
    #[inline]
    fn square(&self) -> Self {
        Fe(reduce(&square_wide::<8, 16>(&self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::tests::{modulo_ref, mulmod_ref, Rng};

    fn random(rng: &mut Rng) -> Fe {
        Fe::from_limbs(&modulo_ref(&rng.limbs(8), &P)).unwrap()
    }

    #[test]
    fn mul_and_square_match_reference() {
        let mut rng = Rng(256);
        let mut pm1 = P;
        pm1[0] -= 1;
        let edge = [Fe::zero(), Fe::one(), Fe(pm1), Fe([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0])];
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
        let mut rng = Rng(3);
        for _ in 0..10 {
            let a = random(&mut rng);
            assert_eq!(a.mul(&a.invert()), Fe::one());
            let sq = a.square();
            let r = sq.sqrt().unwrap();
            assert!(r == a || r == a.neg());
        }
        // -1 is a non-residue for p ≡ 3 (mod 4)
        assert!(Fe::one().neg().sqrt().is_none());
    }

    #[test]
    fn generator_on_curve() {
        // y^2 = x^3 - 3x + b
        let x = GX;
        let rhs = x.square().mul(&x).sub(&x.double().add(&x)).add(&B);
        assert_eq!(GY.square(), rhs);
    }
}
