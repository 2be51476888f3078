//! Points of edwards25519, the twisted Edwards curve −x² + y² = 1 + d·x²·y² over
//! GF(2^255 − 19) (RFC 8032 §5.1), in the coordinate systems of Hisil, Wong, Carter and
//! Dawson, *Twisted Edwards Curves Revisited* (ASIACRYPT 2008, "HWCD" below), with a = −1:
//!
//! | type | coordinates | meaning |
//! |---|---|---|
//! | [`EdwardsPoint`] | (X : Y : Z : T) | extended: x = X/Z, y = Y/Z, x·y = T/Z (HWCD §3) |
//! | [`ProjectivePoint`] | (X : Y : Z) | projective: x = X/Z, y = Y/Z |
//! | [`CompletedPoint`] | ((X : Z), (Y : T)) | x = X/Z, y = Y/T: an addition or doubling before its final multiplications |
//! | [`ProjectiveNiels`] | (Y+X, Y−X, Z, 2d·T) | an addend prepared for [`EdwardsPoint::add_niels`] |
//! | [`AffineNiels`] | (y+x, y−x, 2d·x·y) | the same with Z = 1 (one multiplication less per addition) |
//!
//! Costs (M = multiplication, S = squaring): extended + projective-Niels → completed 4M,
//! extended + affine-Niels → completed 3M, projective doubling → completed 4S,
//! completed → projective 3M, completed → extended 4M. Field-element size factors for
//! the bounds of field.rs are noted as `[k]`.
//!
//! Decoding and encoding follow RFC 8032 §5.1.2 and §5.1.3 exactly, rejecting
//! non-canonical encodings (y ≥ p, and "x = 0 with the sign bit set").

use super::field::{is_canonical, Fe, D, D2};

/// A point in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, T = X·Y/Z.
#[derive(Clone, Copy, Debug)]
pub struct EdwardsPoint {
    pub x: Fe,
    pub y: Fe,
    pub z: Fe,
    pub t: Fe,
}

/// A point in projective coordinates (X : Y : Z).
#[derive(Clone, Copy, Debug)]
pub struct ProjectivePoint {
    pub x: Fe,
    pub y: Fe,
    pub z: Fe,
}

/// The "completed" result of an addition or doubling: x = X/Z, y = Y/T.
#[derive(Clone, Copy, Debug)]
pub struct CompletedPoint {
    pub x: Fe,
    pub y: Fe,
    pub z: Fe,
    pub t: Fe,
}

/// (Y + X, Y − X, Z, 2d·T): a point ready to be added.
#[derive(Clone, Copy, Debug)]
pub struct ProjectiveNiels {
    pub y_plus_x: Fe,
    pub y_minus_x: Fe,
    pub z: Fe,
    pub t2d: Fe,
}

/// (y + x, y − x, 2d·x·y): an affine point (Z = 1) ready to be added.
#[derive(Clone, Copy, Debug)]
pub struct AffineNiels {
    pub y_plus_x: Fe,
    pub y_minus_x: Fe,
    pub xy2d: Fe,
}

/// The standard encoding of the base point B = (x, 4/5), x even (RFC 8032 §5.1).
pub const BASEPOINT_BYTES: [u8; 32] = [
    0x58, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
    0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
];

/// The canonical encodings of the eight points of order dividing 8 (the torsion subgroup
/// E[8]): the identity, the point of order 2, two of order 4, four of order 8. With
/// canonical decoding (the only kind [`EdwardsPoint::decompress`] does), a point has
/// small order exactly when its encoding is one of these; `tests::small_order_blocklist`
/// regenerates the list from the group law.
pub const SMALL_ORDER_ENCODINGS: [[u8; 32]; 8] = [
    // identity (0, 1)
    [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    // order 2: (0, -1)
    [0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
    // order 4: (±sqrt(-1), 0)
    [0; 32],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80],
    // order 8
    [0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x05],
    [0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98, 0xf0,
     0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53, 0xfc, 0x85],
    [0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0x7a],
    [0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67, 0x0f,
     0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac, 0x03, 0xfa],
];

/// True when `bytes` is the canonical encoding of a point of small order (see
/// [`SMALL_ORDER_ENCODINGS`]).
pub fn is_small_order_encoding(bytes: &[u8; 32]) -> bool {
    SMALL_ORDER_ENCODINGS.iter().any(|e| e == bytes)
}

impl EdwardsPoint {
    /// The neutral element (0, 1).
    pub const IDENTITY: EdwardsPoint = EdwardsPoint { x: Fe::ZERO, y: Fe::ONE, z: Fe::ONE, t: Fe::ZERO };

    /// Decode per RFC 8032 §5.1.3, strictly: `None` when y ≥ p (step 1), when
    /// (y² − 1)/(d·y² + 1) has no square root (step 3), or when x = 0 and the sign bit is 1
    /// (step 4).
    pub fn decompress(bytes: &[u8; 32]) -> Option<EdwardsPoint> {
        if !is_canonical(bytes) {
            return None;
        }
        let sign = bytes[31] >> 7 == 1;
        let y = Fe::from_bytes(bytes);
        let yy = y.square();
        let u = yy.sub(&Fe::ONE); // [2]
        let v = yy.mul(&D).add(&Fe::ONE); // [2]
        let (ok, mut x) = Fe::sqrt_ratio(&u, &v);
        if !ok {
            return None;
        }
        let x_is_zero = x.is_zero();
        if x_is_zero && sign {
            return None;
        }
        if x.is_negative() != sign {
            x = x.neg();
        }
        let x = x.carry();
        Some(EdwardsPoint { x, y, z: Fe::ONE, t: x.mul(&y) })
    }

    /// Encode per RFC 8032 §5.1.2: y little-endian, the sign (low bit) of x in bit 255.
    pub fn compress(&self) -> [u8; 32] {
        let zinv = self.z.invert();
        let x = self.x.mul(&zinv);
        let y = self.y.mul(&zinv);
        let mut out = y.to_bytes();
        out[31] |= (x.is_negative() as u8) << 7;
        out
    }

    /// The base point B.
    pub fn basepoint() -> EdwardsPoint {
        match EdwardsPoint::decompress(&BASEPOINT_BYTES) {
            Some(b) => b,
            // The constant decodes (tested); this arm only keeps the code panic-free.
            None => EdwardsPoint::IDENTITY,
        }
    }

    /// Drop T.
    #[inline(always)]
    pub fn to_projective(&self) -> ProjectivePoint {
        ProjectivePoint { x: self.x, y: self.y, z: self.z }
    }

    /// (Y + X, Y − X, Z, 2d·T), 1M.
    #[inline(always)]
    pub fn to_projective_niels(&self) -> ProjectiveNiels {
        ProjectiveNiels {
            y_plus_x: self.y.add(&self.x), // [2]
            y_minus_x: self.y.sub(&self.x), // [2]
            z: self.z,
            t2d: self.t.mul(&D2),
        }
    }

    /// The affine-Niels form, one inversion: use for points that are added many times.
    pub fn to_affine_niels(&self) -> AffineNiels {
        let zinv = self.z.invert();
        let x = self.x.mul(&zinv);
        let y = self.y.mul(&zinv);
        AffineNiels::from_affine(&x, &y)
    }

    /// The affine-Niels form without an inversion when Z is exactly 1 (as for points fresh
    /// from [`EdwardsPoint::decompress`]); otherwise as [`EdwardsPoint::to_affine_niels`].
    pub fn to_affine_niels_from_z1(&self) -> AffineNiels {
        if self.z.0 == Fe::ONE.0 {
            AffineNiels {
                y_plus_x: self.y.add(&self.x).carry(),
                y_minus_x: self.y.sub(&self.x).carry(),
                xy2d: self.t.mul(&D2),
            }
        } else {
            self.to_affine_niels()
        }
    }

    /// self + q (HWCD §3.1, "add-2008-hwcd-3" with k = 2d precomputed in q; ref10 ge_add):
    /// A = (Y1+X1)(Y2+X2), B = (Y1−X1)(Y2−X2), C = T1·2d·T2, D = 2·Z1·Z2;
    /// x3 = (A−B)/(D+C), y3 = (A+B)/(D−C). 4M.
    #[inline(always)]
    pub fn add_niels(&self, q: &ProjectiveNiels) -> CompletedPoint {
        let a = self.y.add(&self.x).mul(&q.y_plus_x); // [2]·[2]
        let b = self.y.sub(&self.x).mul(&q.y_minus_x); // [2]·[2]
        let c = q.t2d.mul(&self.t);
        let zz = self.z.mul(&q.z);
        let d = zz.add(&zz); // [2]
        CompletedPoint { x: a.sub(&b), y: a.add(&b), z: d.add(&c), t: d.sub(&c) } // [2] [2] [3] [3]
    }

    /// self − q: [`EdwardsPoint::add_niels`] with −q = (Y−X, Y+X, Z, −2d·T). 4M.
    #[inline(always)]
    pub fn sub_niels(&self, q: &ProjectiveNiels) -> CompletedPoint {
        let a = self.y.add(&self.x).mul(&q.y_minus_x);
        let b = self.y.sub(&self.x).mul(&q.y_plus_x);
        let c = q.t2d.mul(&self.t);
        let zz = self.z.mul(&q.z);
        let d = zz.add(&zz);
        CompletedPoint { x: a.sub(&b), y: a.add(&b), z: d.sub(&c), t: d.add(&c) }
    }

    /// self + q with q affine (HWCD "madd-2008-hwcd-3"): as [`EdwardsPoint::add_niels`]
    /// with Z2 = 1, so D = 2·Z1. 3M.
    #[inline(always)]
    pub fn add_affine_niels(&self, q: &AffineNiels) -> CompletedPoint {
        let a = self.y.add(&self.x).mul(&q.y_plus_x);
        let b = self.y.sub(&self.x).mul(&q.y_minus_x);
        let c = q.xy2d.mul(&self.t);
        let d = self.z.add(&self.z);
        CompletedPoint { x: a.sub(&b), y: a.add(&b), z: d.add(&c), t: d.sub(&c) }
    }

    /// self − q with q affine. 3M.
    #[inline(always)]
    pub fn sub_affine_niels(&self, q: &AffineNiels) -> CompletedPoint {
        let a = self.y.add(&self.x).mul(&q.y_minus_x);
        let b = self.y.sub(&self.x).mul(&q.y_plus_x);
        let c = q.xy2d.mul(&self.t);
        let d = self.z.add(&self.z);
        CompletedPoint { x: a.sub(&b), y: a.add(&b), z: d.sub(&c), t: d.add(&c) }
    }

    /// self + q.
    pub fn add(&self, q: &EdwardsPoint) -> EdwardsPoint {
        self.add_niels(&q.to_projective_niels()).to_extended()
    }

    /// self − q.
    pub fn sub(&self, q: &EdwardsPoint) -> EdwardsPoint {
        self.sub_niels(&q.to_projective_niels()).to_extended()
    }

    /// 2·self.
    pub fn double(&self) -> EdwardsPoint {
        self.to_projective().double().to_extended()
    }

    /// −self = (−X : Y : Z : −T).
    pub fn neg(&self) -> EdwardsPoint {
        EdwardsPoint { x: self.x.neg(), y: self.y, z: self.z, t: self.t.neg() }
    }

    /// [8]·self: three doublings.
    pub fn mul_by_cofactor(&self) -> EdwardsPoint {
        self.to_projective().double().to_projective().double().to_projective().double().to_extended()
    }

    /// True when self is the neutral element: X = 0 and Y = Z.
    pub fn is_identity(&self) -> bool {
        self.x.is_zero() && self.y.equals(&self.z)
    }

    /// True when [8]·self is the identity, i.e. self lies in the torsion subgroup E[8].
    pub fn is_small_order(&self) -> bool {
        self.mul_by_cofactor().is_identity()
    }

    /// True when both represent the same point: X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1.
    pub fn equals(&self, q: &EdwardsPoint) -> bool {
        self.x.mul(&q.z).equals(&q.x.mul(&self.z)) && self.y.mul(&q.z).equals(&q.y.mul(&self.z))
    }
}

impl ProjectivePoint {
    /// 2·self (HWCD §3.3 "dbl-2008-hwcd", ref10 ge_p2_dbl): with XX = X², YY = Y²,
    /// x3 = ((X+Y)² − YY − XX)/(YY − XX), y3 = (YY + XX)/(2Z² − YY + XX). 4S.
    #[inline(always)]
    pub fn double(&self) -> CompletedPoint {
        let xx = self.x.square();
        let yy = self.y.square();
        let zz2 = self.z.square2(); // [2]
        let xy2 = self.x.add(&self.y).square();
        let yy_plus_xx = yy.add(&xx); // [2]
        let yy_minus_xx = yy.sub(&xx); // [2]
        CompletedPoint {
            x: xy2.sub(&yy_plus_xx), // [3]
            y: yy_plus_xx,
            z: yy_minus_xx,
            t: zz2.sub(&yy_minus_xx), // [4]
        }
    }
}

impl CompletedPoint {
    /// (X·T : Y·Z : Z·T), 3M (factors ≤ [3]·[4]).
    #[inline(always)]
    pub fn to_projective(&self) -> ProjectivePoint {
        ProjectivePoint { x: self.x.mul(&self.t), y: self.y.mul(&self.z), z: self.z.mul(&self.t) }
    }

    /// (X·T : Y·Z : Z·T : X·Y), 4M.
    #[inline(always)]
    pub fn to_extended(&self) -> EdwardsPoint {
        EdwardsPoint { x: self.x.mul(&self.t), y: self.y.mul(&self.z), z: self.z.mul(&self.t), t: self.x.mul(&self.y) }
    }
}

impl ProjectiveNiels {
    /// −self: swap Y+X and Y−X, negate 2d·T.
    #[inline(always)]
    pub fn neg(&self) -> ProjectiveNiels {
        ProjectiveNiels { y_plus_x: self.y_minus_x, y_minus_x: self.y_plus_x, z: self.z, t2d: self.t2d.neg() }
    }
}

impl AffineNiels {
    /// From affine coordinates (1M).
    pub fn from_affine(x: &Fe, y: &Fe) -> AffineNiels {
        AffineNiels { y_plus_x: y.add(x).carry(), y_minus_x: y.sub(x).carry(), xy2d: x.mul(y).mul(&D2) }
    }

    /// −self.
    #[inline(always)]
    pub fn neg(&self) -> AffineNiels {
        AffineNiels { y_plus_x: self.y_minus_x, y_minus_x: self.y_plus_x, xy2d: self.xy2d.neg() }
    }

    /// Back to extended coordinates: x = ((y+x) − (y−x))/2, y = ((y+x) + (y−x))/2.
    pub fn to_extended(&self) -> EdwardsPoint {
        // Multiply through by 2 instead of halving: (2x : 2y : 2 : 4xy/2)...
        let x2 = self.y_plus_x.sub(&self.y_minus_x); // 2x
        let y2 = self.y_plus_x.add(&self.y_minus_x); // 2y
        let two = Fe::ONE.add(&Fe::ONE);
        // (2x : 2y : 2 : 2xy): T/Z = 2xy/2 = xy.
        EdwardsPoint { x: x2.carry(), y: y2.carry(), z: two, t: x2.mul(&y2).mul(&HALF) }
    }
}

/// 1/2 mod p = (p + 1)/2 = 2^254 − 9, in limbs.
const HALF: Fe = Fe([-9, 0, 0, 0, 0, 0, 0, 0, 0, 1 << 24]);

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ed25519::field::tests::TestRng;
    use crate::ed25519::scalar::Scalar;

    /// [s]·P by double-and-add over the bits (slow reference).
    pub fn mul_ref(p: &EdwardsPoint, s: &Scalar) -> EdwardsPoint {
        let mut acc = EdwardsPoint::IDENTITY;
        for bit in (0..256).rev() {
            acc = acc.double();
            if s.bits(bit, 1) == 1 {
                acc = acc.add(p);
            }
        }
        acc
    }

    pub fn random_scalar(rng: &mut TestRng) -> Scalar {
        let mut w = [0u8; 64];
        w[..32].copy_from_slice(&rng.bytes32());
        w[32..].copy_from_slice(&rng.bytes32());
        Scalar::from_bytes_wide(&w)
    }

    /// An order-8 point (a generator of E[8]).
    pub fn torsion8() -> EdwardsPoint {
        EdwardsPoint::decompress(&SMALL_ORDER_ENCODINGS[4]).unwrap()
    }

    #[test]
    fn half_is_inverse_of_two() {
        assert!(HALF.add(&HALF).equals(&Fe::ONE));
    }

    #[test]
    fn basepoint_properties() {
        let b = EdwardsPoint::basepoint();
        // y = 4/5
        let y = b.y.mul(&b.z.invert());
        assert!(y.mul_small(5).equals(&Fe::ONE.mul_small(4)));
        assert!(!b.x.is_negative());
        // On the curve: −x² + y² = 1 + d·x²·y².
        let (x2, y2) = (b.x.square(), b.y.square());
        assert!(y2.sub(&x2).equals(&Fe::ONE.add(&D.mul(&x2).mul(&y2))));
        // Order L: [L]B = identity, B ≠ identity.
        let l = Scalar(crate::ed25519::scalar::L);
        assert!(mul_ref(&b, &l).is_identity());
        assert!(!b.is_identity());
        assert_eq!(b.compress(), BASEPOINT_BYTES);
    }

    #[test]
    fn group_law_consistency() {
        let mut rng = TestRng(21);
        let b = EdwardsPoint::basepoint();
        for _ in 0..20 {
            let (s1, s2) = (random_scalar(&mut rng), random_scalar(&mut rng));
            let p = mul_ref(&b, &s1);
            let q = mul_ref(&b, &s2);
            // (s1 + s2)B = s1B + s2B, and via every addition flavour.
            let sum = mul_ref(&b, &s1.add(&s2));
            assert!(p.add(&q).equals(&sum));
            assert!(p.add_affine_niels(&q.to_affine_niels()).to_extended().equals(&sum));
            assert!(sum.sub(&q).equals(&p));
            assert!(sum.sub_affine_niels(&q.to_affine_niels()).to_extended().equals(&p));
            assert!(p.add_niels(&q.to_projective_niels().neg()).to_extended().equals(&p.sub(&q)));
            assert!(p.add_affine_niels(&q.to_affine_niels().neg()).to_extended().equals(&p.sub(&q)));
            assert!(p.double().equals(&p.add(&p)));
            assert!(p.add(&p.neg()).is_identity());
            assert!(q.to_affine_niels().to_extended().equals(&q));
            // compress/decompress round trip.
            let enc = p.compress();
            assert!(EdwardsPoint::decompress(&enc).unwrap().equals(&p));
        }
    }

    #[test]
    fn small_order_blocklist() {
        // E[8] is cyclic of order 8, generated by T8: its 8 multiples, compressed, are
        // exactly SMALL_ORDER_ENCODINGS.
        let t8 = torsion8();
        let mut p = EdwardsPoint::IDENTITY;
        let mut seen = Vec::new();
        for _ in 0..8 {
            let enc = p.compress();
            assert!(is_small_order_encoding(&enc), "{:02x?}", enc);
            assert!(p.is_small_order());
            seen.push(enc);
            p = p.add(&t8);
        }
        assert!(p.is_identity());
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 8);
        // Random points of order L, and mixed ones (prime-order + torsion), are not small.
        let mut rng = TestRng(22);
        let b = EdwardsPoint::basepoint();
        for _ in 0..10 {
            let p = mul_ref(&b, &random_scalar(&mut rng));
            assert!(!is_small_order_encoding(&p.compress()) && !p.is_small_order());
            let m = p.add(&t8);
            assert!(!is_small_order_encoding(&m.compress()) && !m.is_small_order());
        }
    }

    #[test]
    fn strict_decoding() {
        // y = p (non-canonical encoding of y = 0): rejected although y = 0 decodes.
        let mut y_p = [0xffu8; 32];
        y_p[0] = 0xed;
        y_p[31] = 0x7f;
        assert!(EdwardsPoint::decompress(&y_p).is_none());
        assert!(EdwardsPoint::decompress(&[0u8; 32]).is_some());
        // x = 0 with the sign bit set: (0, 1) encoded as 0x01..0x80.
        let mut neg_zero = [0u8; 32];
        neg_zero[0] = 1;
        neg_zero[31] = 0x80;
        assert!(EdwardsPoint::decompress(&neg_zero).is_none());
        // y = 2: u/v not a square -> no point (checked against the curve equation).
        let mut y2 = [0u8; 32];
        y2[0] = 2;
        let decoded = EdwardsPoint::decompress(&y2);
        if let Some(p) = decoded {
            let (x2, yy) = (p.x.square(), p.y.square());
            assert!(yy.sub(&x2).equals(&Fe::ONE.add(&D.mul(&x2).mul(&yy))));
        }
        // Random bytes: either no point, or a point that re-encodes to the same bytes.
        let mut rng = TestRng(23);
        let mut some = 0;
        for _ in 0..200 {
            let b = rng.bytes32();
            if let Some(p) = EdwardsPoint::decompress(&b) {
                some += 1;
                assert_eq!(p.compress(), b);
            }
        }
        assert!(some > 50 && some < 150); // about half of all y have a point
    }
}
