//! What the point arithmetic needs from a prime field GF(p), p ≡ 3 (mod 4), and the
//! pieces the NIST-prime fields share: the carry-propagation/folding step of the
//! special-form ("Solinas") reduction, and exponentiation for inversion and square roots.
//!
//! Elements are fully reduced (`< p`) after every operation, so equality is limb equality.
//! All arithmetic is variable-time: ECDSA verification handles public values only.

use crate::bigint;

/// A prime-field element (P-256 and P-384 implement it).
pub trait Field: Copy + PartialEq + core::fmt::Debug + 'static {
    /// Bytes of a big-endian encoding (32 or 48).
    const BYTES: usize;
    /// 0.
    fn zero() -> Self;
    /// 1.
    fn one() -> Self;
    /// The field modulus p as little-endian 32-bit limbs.
    fn modulus() -> &'static [u32];
    /// Limbs of the (reduced) value.
    fn limbs(&self) -> &[u32];
    /// The element with these limbs; `None` unless the value is `< p`.
    fn from_limbs(l: &[u32]) -> Option<Self>;
    /// self + rhs.
    fn add(&self, rhs: &Self) -> Self;
    /// self - rhs.
    fn sub(&self, rhs: &Self) -> Self;
    /// self * rhs.
    fn mul(&self, rhs: &Self) -> Self;
    /// self^2.
    fn square(&self) -> Self;

    /// True for 0.
    fn is_zero(&self) -> bool {
        self.limbs().iter().all(|&l| l == 0)
    }
    /// 2 self.
    fn double(&self) -> Self {
        self.add(self)
    }
    /// -self.
    fn neg(&self) -> Self {
        Self::zero().sub(self)
    }
    /// The element encoded big-endian in exactly `BYTES` bytes; `None` when `>= p`.
    fn from_be_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != Self::BYTES {
            return None;
        }
        let mut l = [0u32; 12];
        let n = Self::BYTES / 4;
        if !bigint::from_be_bytes(b, &mut l[..n]) {
            return None;
        }
        Self::from_limbs(&l[..n])
    }
    /// self^e for `e` given as little-endian limbs (left-to-right square-and-multiply).
    fn pow(&self, e: &[u32]) -> Self {
        let mut acc = Self::one();
        for i in (0..bigint::bit_len(e)).rev() {
            acc = acc.square();
            if bigint::bit(e, i) {
                acc = acc.mul(self);
            }
        }
        acc
    }
    /// self^-1 = self^(p-2) (Fermat); 0 for 0.
    fn invert(&self) -> Self {
        let mut e = [0u32; 12];
        let p = Self::modulus();
        let n = p.len();
        e[..n].copy_from_slice(p);
        bigint::sub_assign(&mut e[..n], &[2]);
        self.pow(&e[..n])
    }
    /// A square root, when one exists: self^((p+1)/4) for p ≡ 3 (mod 4) (SEC 1 v2 §2.3.4
    /// via the standard square-root algorithm for such primes).
    fn sqrt(&self) -> Option<Self> {
        let mut e = [0u32; 13];
        let p = Self::modulus();
        let n = p.len();
        e[..n].copy_from_slice(p);
        bigint::add_assign(&mut e[..n + 1], &[1]);
        bigint::shr1(&mut e[..n + 1], 0);
        bigint::shr1(&mut e[..n + 1], 0);
        let r = self.pow(&e[..n + 1]);
        if r.square() == *self {
            Some(r)
        } else {
            None
        }
    }
    /// Least significant bit of the value (the "parity" of SEC 1 point compression).
    fn is_odd(&self) -> bool {
        self.limbs()[0] & 1 == 1
    }
}

/// `a - b` over N limbs and the borrow out (0 or 1).
#[inline(always)]
fn sub_n<const N: usize>(a: &[u32; N], b: &[u32; N]) -> ([u32; N], u32) {
    let mut r = [0u32; N];
    let mut borrow = 0u32;
    for i in 0..N {
        let t = (a[i] as u64).wrapping_sub(b[i] as u64).wrapping_sub(borrow as u64);
        r[i] = t as u32;
        borrow = (t >> 63) as u32;
    }
    (r, borrow)
}

/// `a + b mod p` for reduced N-limb values.
#[inline(always)]
pub fn add_mod<const N: usize>(a: &[u32; N], b: &[u32; N], p: &[u32; N]) -> [u32; N] {
    let mut r = [0u32; N];
    let mut carry = 0u64;
    for i in 0..N {
        let t = a[i] as u64 + b[i] as u64 + carry;
        r[i] = t as u32;
        carry = t >> 32;
    }
    // r - p when a + b >= p: the sum carried out, or the subtraction does not borrow.
    let (t, borrow) = sub_n(&r, p);
    if carry != 0 || borrow == 0 {
        t
    } else {
        r
    }
}

/// `a - b mod p` for reduced N-limb values.
#[inline(always)]
pub fn sub_mod<const N: usize>(a: &[u32; N], b: &[u32; N], p: &[u32; N]) -> [u32; N] {
    let (mut r, borrow) = sub_n(a, b);
    if borrow != 0 {
        let mut carry = 0u64;
        for i in 0..N {
            let t = r[i] as u64 + p[i] as u64 + carry;
            r[i] = t as u32;
            carry = t >> 32;
        }
    }
    r
}

/// The schoolbook product of two N-limb values into 2N limbs (operand scanning; every
/// step `t + a_i b_j + c` fits in 64 bits).
///
/// Measured in V8 (wasm32): faster than product scanning into 64-bit column sums, whose
/// 2N live accumulators spill; ECDSA P-256 verification 215 µs against 270 µs.
#[inline(always)]
pub fn mul_wide<const N: usize, const M: usize>(a: &[u32; N], b: &[u32; N]) -> [u32; M] {
    let mut t = [0u32; M];
    for i in 0..N {
        let ai = a[i] as u64;
        let mut c = 0u64;
        for j in 0..N {
            let x = t[i + j] as u64 + ai * b[j] as u64 + c;
            t[i + j] = x as u32;
            c = x >> 32;
        }
        t[i + N] = c as u32;
    }
    t
}

/// The square of an N-limb value into 2N limbs: the off-diagonal products once, doubled,
/// plus the diagonal (N(N-1)/2 + N products instead of N^2).
#[inline(always)]
pub fn square_wide<const N: usize, const M: usize>(a: &[u32; N]) -> [u32; M] {
    let mut t = [0u32; M];
    for i in 0..N {
        let ai = a[i] as u64;
        let mut c = 0u64;
        for j in (i + 1)..N {
            let x = t[i + j] as u64 + ai * a[j] as u64 + c;
            t[i + j] = x as u32;
            c = x >> 32;
        }
        t[i + N] = c as u32;
    }
    // double
    let mut top = 0u32;
    for x in t.iter_mut() {
        let next = *x >> 31;
        *x = (*x << 1) | top;
        top = next;
    }
    // add the diagonal a_i^2 at position 2i
    let mut c = 0u64;
    for i in 0..N {
        let d = a[i] as u64 * a[i] as u64;
        let lo = t[2 * i] as u64 + (d & 0xffff_ffff) + c;
        t[2 * i] = lo as u32;
        let hi = t[2 * i + 1] as u64 + (d >> 32) + (lo >> 32);
        t[2 * i + 1] = hi as u32;
        c = hi >> 32;
    }
    t
}

/// Finish a special-form reduction: `cols` holds signed 64-bit column sums of 32-bit
/// words whose value `sum cols[i] 2^(32i)` is congruent to the result. Propagate the
/// carries, fold the carry out of the top limb back in with `2^(32N) ≡ sum sign_k 2^(32 idx_k)
/// (mod p)` (`fold`), repeat until no carry is left, and subtract p if needed.
///
/// Bounds: the reductions here feed 32-bit words with coefficients summing to at most 6
/// in absolute value, so the first top carry c has |c| < 2^3; after one fold the value lies in (-2^(32N), 2^(32N+1)), so the
/// carry is -1, 0 or 1, and a second fold leaves none (the fold terms are far below
/// 2^(32N)). The result is then < 2^(32N) < 2p: one conditional subtraction of p.
#[inline(always)]
pub fn carry_fold<const N: usize>(cols: [i64; N], fold: &[(usize, i64); 4], p: &[u32; N]) -> [u32; N] {
    let mut r = [0u32; N];
    let mut carry: i64 = 0;
    for i in 0..N {
        let t = cols[i] + carry;
        r[i] = t as u32;
        carry = t >> 32; // arithmetic shift: floor division
    }
    while carry != 0 {
        let c = carry;
        let mut acc = [0i64; N];
        for i in 0..N {
            acc[i] = r[i] as i64;
        }
        for &(idx, sign) in fold.iter() {
            acc[idx] += sign * c;
        }
        carry = 0;
        for i in 0..N {
            let t = acc[i] + carry;
            r[i] = t as u32;
            carry = t >> 32;
        }
    }
    let (t, borrow) = sub_n(&r, p);
    if borrow == 0 {
        t
    } else {
        r
    }
}
