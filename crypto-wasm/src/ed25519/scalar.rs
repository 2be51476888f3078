//! Integers modulo the group order L = 2^252 + 27742317777372353535851937790883648493
//! (RFC 8032 §5.1), and the digit expansions used by scalar multiplication.
//!
//! Eight 32-bit limbs, products in 64 bits (no `u128` multiply on wasm32, see field.rs).
//! Reduction is Barrett's (Menezes–van Oorschot–Vanstone, *Handbook of Applied
//! Cryptography*, Algorithm 14.42, base b = 2^32, k = 8), which handles the 512-bit
//! SHA-512 output of RFC 8032 §5.1.7 step 2 and the products of two scalars alike.

/// A 256-bit little-endian integer in eight 32-bit limbs; after any arithmetic here it is
/// reduced below L (a value parsed with [`Scalar::from_u128`] is small anyway).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar(pub [u32; 8]);

/// L in limbs.
pub const L: [u32; 8] = [0x5cf5d3ed, 0x5812631a, 0xa2f79cd6, 0x14def9de, 0, 0, 0, 0x10000000];

/// μ = ⌊2^512 / L⌋ (Barrett's constant), a 260-bit number in nine limbs.
const MU: [u32; 9] = [0x0a2c131b, 0xed9ce5a3, 0x086329a7, 0x2106215d, 0xffffffeb, 0xffffffff, 0xffffffff, 0xffffffff, 0xf];

/// a ≥ b for equal-length little-endian limb slices.
fn geq(a: &[u32], b: &[u32]) -> bool {
    for i in (0..a.len()).rev() {
        if a[i] != b[i] {
            return a[i] > b[i];
        }
    }
    true
}

/// a -= b (wrapping), equal lengths.
fn sub_in_place(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0u64;
    for i in 0..a.len() {
        let t = (a[i] as u64).wrapping_sub(b[i] as u64).wrapping_sub(borrow);
        a[i] = t as u32;
        borrow = (t >> 63) & 1;
    }
}

/// Schoolbook product of `a` and `b` into `out` (len ≥ a.len() + b.len(), zeroed here).
fn mul_into(a: &[u32], b: &[u32], out: &mut [u32]) {
    for o in out.iter_mut() {
        *o = 0;
    }
    for i in 0..a.len() {
        let mut carry = 0u64;
        let ai = a[i] as u64;
        for j in 0..b.len() {
            // ≤ (2^32-1) + (2^32-1)^2 + (2^32-1) = 2^64 - 1: no overflow.
            let t = out[i + j] as u64 + ai * b[j] as u64 + carry;
            out[i + j] = t as u32;
            carry = t >> 32;
        }
        out[i + b.len()] = carry as u32;
    }
}

/// x mod L for x < 2^512 in sixteen limbs (HAC 14.42).
fn barrett(x: &[u32; 16]) -> Scalar {
    // q1 = ⌊x / b^(k-1)⌋, q3 = ⌊q1·μ / b^(k+1)⌋.
    let q1 = &x[7..16];
    let mut q2 = [0u32; 18];
    mul_into(q1, &MU, &mut q2);
    let q3 = &q2[9..18];
    // r = (x mod b^(k+1)) - (q3·L mod b^(k+1)), taken mod b^(k+1).
    let mut q3l = [0u32; 17];
    mul_into(q3, &L, &mut q3l);
    let mut r = [0u32; 9];
    r.copy_from_slice(&x[..9]);
    sub_in_place(&mut r, &q3l[..9]);
    // HAC: at most two subtractions of L remain.
    let l9 = [L[0], L[1], L[2], L[3], L[4], L[5], L[6], L[7], 0];
    while geq(&r, &l9) {
        sub_in_place(&mut r, &l9);
    }
    let mut out = [0u32; 8];
    out.copy_from_slice(&r[..8]);
    Scalar(out)
}

impl Scalar {
    /// 0.
    pub const ZERO: Scalar = Scalar([0; 8]);
    /// 1.
    pub const ONE: Scalar = Scalar([1, 0, 0, 0, 0, 0, 0, 0]);

    fn limbs_from_le(bytes: &[u8]) -> [u32; 16] {
        let mut limbs = [0u32; 16];
        for (i, chunk) in bytes.chunks(4).enumerate() {
            let mut w = [0u8; 4];
            w[..chunk.len()].copy_from_slice(chunk);
            limbs[i] = u32::from_le_bytes(w);
        }
        limbs
    }

    /// The scalar encoded in `bytes` if it is canonical (< L), as RFC 8032 §5.1.7 step 1
    /// requires of S ("if ... S is not in the range 0 <= S < L, the signature is invalid").
    pub fn from_canonical_bytes(bytes: &[u8; 32]) -> Option<Scalar> {
        let limbs = Scalar::limbs_from_le(bytes);
        let mut s = [0u32; 8];
        s.copy_from_slice(&limbs[..8]);
        if geq(&s, &L) {
            None
        } else {
            Some(Scalar(s))
        }
    }

    /// The 512-bit little-endian integer in `bytes` reduced mod L (RFC 8032 §5.1.7 step 2:
    /// "interpret the 64-octet digest as a little-endian integer k").
    pub fn from_bytes_wide(bytes: &[u8; 64]) -> Scalar {
        barrett(&Scalar::limbs_from_le(bytes))
    }

    /// A scalar from a 128-bit integer (batch coefficients; < L, no reduction needed).
    pub fn from_u128(v: u128) -> Scalar {
        Scalar([v as u32, (v >> 32) as u32, (v >> 64) as u32, (v >> 96) as u32, 0, 0, 0, 0])
    }

    /// Little-endian encoding.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for i in 0..8 {
            out[4 * i..4 * i + 4].copy_from_slice(&self.0[i].to_le_bytes());
        }
        out
    }

    /// self · other mod L.
    pub fn mul(&self, other: &Scalar) -> Scalar {
        let mut wide = [0u32; 16];
        mul_into(&self.0, &other.0, &mut wide);
        barrett(&wide)
    }

    /// self + other mod L (both < L).
    pub fn add(&self, other: &Scalar) -> Scalar {
        let mut r = [0u32; 8];
        let mut carry = 0u64;
        for i in 0..8 {
            let t = self.0[i] as u64 + other.0[i] as u64 + carry;
            r[i] = t as u32;
            carry = t >> 32;
        }
        // self + other < 2L < 2^254: no carry out of limb 7.
        if geq(&r, &L) {
            sub_in_place(&mut r, &L);
        }
        Scalar(r)
    }

    /// -self mod L (self < L).
    pub fn neg(&self) -> Scalar {
        if self.is_zero() {
            return *self;
        }
        let mut r = L;
        sub_in_place(&mut r, &self.0);
        Scalar(r)
    }

    /// True for 0.
    pub fn is_zero(&self) -> bool {
        self.0.iter().all(|&l| l == 0)
    }

    /// Bits `[pos, pos + count)` (count ≤ 32) as an integer; bits past 255 read as 0.
    #[inline]
    pub fn bits(&self, pos: usize, count: usize) -> u32 {
        let limb = pos / 32;
        let shift = pos % 32;
        if limb >= 8 {
            return 0;
        }
        let lo = self.0[limb] as u64;
        let hi = if limb + 1 < 8 { self.0[limb + 1] as u64 } else { 0 };
        let v = ((hi << 32) | lo) >> shift;
        (v & ((1u64 << count) - 1)) as u32
    }

    /// Number of significant bits (0 for zero).
    pub fn bit_len(&self) -> usize {
        for i in (0..8).rev() {
            if self.0[i] != 0 {
                return 32 * i + 32 - self.0[i].leading_zeros() as usize;
            }
        }
        0
    }

    /// Width-`w` non-adjacent form (2 ≤ w ≤ 8): digits d_i, each 0 or odd with
    /// |d_i| < 2^(w-1), any two non-zero digits at least `w` apart, Σ d_i·2^i = self.
    /// `out` has 257 entries (a carry can reach bit 256 for scalars ≥ 2^255, e.g. unreduced
    /// ones).
    pub fn non_adjacent_form(&self, w: usize, out: &mut [i8; 257]) {
        let width = 1i32 << w;
        for d in out.iter_mut() {
            *d = 0;
        }
        let mut pos = 0usize;
        let mut carry = 0i32;
        while pos < 257 {
            let window = carry + self.bits(pos, w) as i32;
            if window & 1 == 0 {
                // Even window: digit 0 here. The carry stays: if it is 1, the low bit
                // read was 1 and the carry moves on to the next position.
                pos += 1;
                continue;
            }
            if window < width / 2 {
                carry = 0;
                out[pos] = window as i8;
            } else {
                carry = 1;
                out[pos] = (window - width) as i8;
            }
            pos += w;
        }
    }

    /// Signed radix-2^w digits (1 ≤ w ≤ 15): `count` digits d_j with
    /// -2^(w-1) ≤ d_j < 2^(w-1) (the last may reach 2^(w-1)) and Σ d_j·2^(w·j) = self, for
    /// a scalar of at most `bits` bits; `count` = ⌈bits / w⌉ + 1. Writes `out[..count]`.
    pub fn signed_radix_digits(&self, w: usize, bits: usize, out: &mut [i16]) -> usize {
        let count = (bits + w - 1) / w + 1;
        let half = 1i32 << (w - 1);
        let mut carry = 0i32;
        for j in 0..count {
            if j >= out.len() {
                break;
            }
            let raw = self.bits(j * w, w) as i32 + carry;
            if raw >= half && j + 1 < count {
                out[j] = (raw - (1 << w)) as i16;
                carry = 1;
            } else {
                out[j] = raw as i16;
                carry = 0;
            }
        }
        count
    }
}

/// A 256-bit unsigned integer in four 64-bit limbs (for [`half_size_multiple`]).
type U256 = [u64; 4];

fn u256_bits(a: &U256) -> u32 {
    for i in (0..4).rev() {
        if a[i] != 0 {
            return 64 * i as u32 + 64 - a[i].leading_zeros();
        }
    }
    0
}

fn u256_shl(a: &U256, n: u32) -> U256 {
    let (words, bits) = ((n / 64) as usize, n % 64);
    let mut r = [0u64; 4];
    for i in (words..4).rev() {
        let lo = a[i - words] << bits;
        let carry = if bits > 0 && i > words { a[i - words - 1] >> (64 - bits) } else { 0 };
        r[i] = lo | carry;
    }
    r
}

fn u256_le(a: &U256, b: &U256) -> bool {
    for i in (0..4).rev() {
        if a[i] != b[i] {
            return a[i] < b[i];
        }
    }
    true
}

fn u256_sub(a: &mut U256, b: &U256) {
    let mut borrow = 0u64;
    for i in 0..4 {
        let (d1, b1) = a[i].overflowing_sub(b[i]);
        let (d2, b2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = (b1 | b2) as u64;
    }
}

/// For `k` < L, a pair (u, v) with u ≡ v·k (mod L), 0 ≤ u < 2^126 and 0 < |v| ≤ 2^126.
///
/// The extended Euclidean algorithm on (L, k), stopped at the first remainder below 2^126
/// (each remainder r_i satisfies r_i ≡ t_i·k and |t_i| ≤ L / r_{i−1} ≤ 2^126): the
/// half-size multiple of Antipa–Brown–Gallant–Lambert–Struik–Vanstone (*Accelerated
/// verification of ECDSA signatures*, SAC 2005) that lets [k]A be replaced by [u]A and
/// [v]R, both about 126 bits, halving the doublings of verification (Pornin, *Optimized
/// lattice basis reduction in dimension 2, and fast Schnorr and EdDSA signature
/// verification*, 2020, uses the same idea with a faster reduction). Quotient steps are
/// done by shift-and-subtract, so no multiplication is needed.
pub fn half_size_multiple(k: &Scalar) -> (u128, i128) {
    const THRESHOLD_BITS: u32 = 126;
    let to_u256 = |s: &Scalar| -> U256 {
        let l = &s.0;
        [
            l[0] as u64 | (l[1] as u64) << 32,
            l[2] as u64 | (l[3] as u64) << 32,
            l[4] as u64 | (l[5] as u64) << 32,
            l[6] as u64 | (l[7] as u64) << 32,
        ]
    };
    let (mut r0, mut r1) = (to_u256(&Scalar(L)), to_u256(k));
    let (mut t0, mut t1) = (0i128, 1i128);
    while u256_bits(&r1) > THRESHOLD_BITS {
        // (r0, t0) ← (r0 − q·r1, t0 − q·t1), q = ⌊r0 / r1⌋, one quotient bit at a time.
        let mut j = u256_bits(&r0) - u256_bits(&r1);
        loop {
            let shifted = u256_shl(&r1, j);
            if u256_le(&shifted, &r0) {
                u256_sub(&mut r0, &shifted);
                // |t0 − q·t1| ≤ L / r1 < 2^127 throughout (the partial sums only grow
                // towards the final value, whose bound is the Euclidean invariant).
                t0 = t0.wrapping_sub(t1.wrapping_shl(j));
            }
            if j == 0 {
                break;
            }
            j -= 1;
        }
        core::mem::swap(&mut r0, &mut r1);
        core::mem::swap(&mut t0, &mut t1);
    }
    (r1[0] as u128 | (r1[1] as u128) << 64, t1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ed25519::field::tests::TestRng;

    /// Reference x mod L by shift-and-subtract over bits (slow, obviously correct).
    fn reduce_ref(bytes: &[u8]) -> [u32; 8] {
        let mut r = [0u32; 9];
        let l9 = [L[0], L[1], L[2], L[3], L[4], L[5], L[6], L[7], 0];
        for bit in (0..bytes.len() * 8).rev() {
            // r = 2r + bit
            let mut carry = (bytes[bit / 8] >> (bit % 8)) as u32 & 1;
            for limb in r.iter_mut() {
                let next = *limb >> 31;
                *limb = (*limb << 1) | carry;
                carry = next;
            }
            if geq(&r, &l9) {
                sub_in_place(&mut r, &l9);
            }
        }
        let mut out = [0u32; 8];
        out.copy_from_slice(&r[..8]);
        out
    }

    fn value_of_digits(digits: &[i32], radix_bits: usize) -> Scalar {
        // Σ d_j 2^(radix_bits·j) mod L, computed with Scalar arithmetic.
        let mut acc = Scalar::ZERO;
        let two_w = Scalar::from_u128(1u128 << radix_bits);
        for &d in digits.iter().rev() {
            acc = acc.mul(&two_w);
            let m = Scalar::from_u128(d.unsigned_abs() as u128);
            acc = if d < 0 { acc.add(&m.neg()) } else { acc.add(&m) };
        }
        acc
    }

    #[test]
    fn wide_reduction_matches_reference() {
        let mut rng = TestRng(11);
        for _ in 0..500 {
            let mut b = [0u8; 64];
            b[..32].copy_from_slice(&rng.bytes32());
            b[32..].copy_from_slice(&rng.bytes32());
            assert_eq!(Scalar::from_bytes_wide(&b).0, reduce_ref(&b));
        }
        let max = [0xffu8; 64];
        assert_eq!(Scalar::from_bytes_wide(&max).0, reduce_ref(&max));
        let mut l_bytes = [0u8; 64];
        l_bytes[..32].copy_from_slice(&Scalar(L).to_bytes());
        assert!(Scalar::from_bytes_wide(&l_bytes).is_zero());
    }

    #[test]
    fn half_size_multiples() {
        let mut rng = TestRng(14);
        let mut cases: Vec<Scalar> = vec![Scalar::ZERO, Scalar::ONE, Scalar(L).add(&Scalar::ONE.neg()).add(&Scalar::ZERO)];
        for _ in 0..500 {
            let mut w = [0u8; 64];
            w[..32].copy_from_slice(&rng.bytes32());
            w[32..].copy_from_slice(&rng.bytes32());
            cases.push(Scalar::from_bytes_wide(&w));
        }
        cases.push(Scalar::from_u128(u128::MAX));
        for k in cases {
            let (u, v) = half_size_multiple(&k);
            assert!(u < 1u128 << 126, "u too large for {:?}", k);
            assert!(v != 0 && v.unsigned_abs() <= 1u128 << 126, "v out of range for {:?}", k);
            // u ≡ v·k (mod L)
            let v_mod = if v < 0 { Scalar::from_u128(v.unsigned_abs()).neg() } else { Scalar::from_u128(v as u128) };
            assert_eq!(Scalar::from_u128(u), v_mod.mul(&k));
        }
    }

    #[test]
    fn canonical_bounds() {
        let l = Scalar(L).to_bytes();
        assert!(Scalar::from_canonical_bytes(&l).is_none());
        let mut lm1 = l;
        lm1[0] -= 1;
        assert!(Scalar::from_canonical_bytes(&lm1).is_some());
        assert!(Scalar::from_canonical_bytes(&[0xff; 32]).is_none());
        assert_eq!(Scalar::from_canonical_bytes(&[0; 32]), Some(Scalar::ZERO));
    }

    #[test]
    fn mul_add_neg() {
        let mut rng = TestRng(12);
        for _ in 0..300 {
            let mut w = [0u8; 64];
            w[..32].copy_from_slice(&rng.bytes32());
            let a = Scalar::from_bytes_wide(&w);
            w[..32].copy_from_slice(&rng.bytes32());
            let b = Scalar::from_bytes_wide(&w);
            // a·b against the reference reduction of the 512-bit product.
            let mut wide = [0u32; 16];
            mul_into(&a.0, &b.0, &mut wide);
            let mut wb = [0u8; 64];
            for i in 0..16 {
                wb[4 * i..4 * i + 4].copy_from_slice(&wide[i].to_le_bytes());
            }
            assert_eq!(a.mul(&b).0, reduce_ref(&wb));
            assert!(a.add(&a.neg()).is_zero());
            let mut sum_bytes = [0u8; 64];
            let mut carry = 0u16;
            let (ab, bb) = (a.to_bytes(), b.to_bytes());
            for i in 0..32 {
                let t = ab[i] as u16 + bb[i] as u16 + carry;
                sum_bytes[i] = t as u8;
                carry = t >> 8;
            }
            sum_bytes[32] = carry as u8;
            assert_eq!(a.add(&b).0, reduce_ref(&sum_bytes));
        }
    }

    #[test]
    fn digit_expansions_represent_the_scalar() {
        let mut rng = TestRng(13);
        for round in 0..200 {
            let mut w = [0u8; 64];
            w[..32].copy_from_slice(&rng.bytes32());
            let s = if round % 3 == 0 { Scalar::from_u128(u128::from_le_bytes(w[..16].try_into().unwrap())) } else { Scalar::from_bytes_wide(&w) };
            for width in 2..=8 {
                let mut naf = [0i8; 257];
                s.non_adjacent_form(width, &mut naf);
                let mut last: Option<usize> = None;
                for (i, &d) in naf.iter().enumerate() {
                    if d != 0 {
                        assert!(d % 2 != 0 && (d as i32).abs() < (1 << (width - 1)));
                        if let Some(p) = last {
                            assert!(i - p >= width);
                        }
                        last = Some(i);
                    }
                }
                let digits: Vec<i32> = naf.iter().map(|&d| d as i32).collect();
                assert_eq!(value_of_digits(&digits, 1), s);
            }
            for width in 1..=15 {
                let mut out = [0i16; 300];
                let n = s.signed_radix_digits(width, 256, &mut out);
                let half = 1i32 << (width - 1);
                for &d in &out[..n - 1] {
                    assert!((d as i32) >= -half && (d as i32) < half);
                }
                let digits: Vec<i32> = out[..n].iter().map(|&d| d as i32).collect();
                assert_eq!(value_of_digits(&digits, width), s, "width {}", width);
            }
        }
    }
}
