//! Unsigned multi-precision integers as little-endian slices of 32-bit limbs, and
//! Montgomery arithmetic modulo an odd modulus of any size.
//!
//! Used for RSA (moduli of 2048..16384 bits) and for the ECDSA scalars modulo the group
//! order n. 32-bit limbs with 64-bit products: wasm32 multiplies 64-bit integers natively
//! but has no 64x64->128 multiply (every `u128` product would be a call to `__multi3`).
//!
//! Everything here is variable-time: it only ever handles public values (public keys,
//! signatures, messages). Nothing here panics on any input; functions that can fail
//! return `bool`/`Option`. Slices passed together must have the lengths the function
//! documents (callers in this crate guarantee it).

use core::cmp::Ordering;

/// `out = bytes` read as a big-endian unsigned integer. False (out unspecified) when the
/// value does not fit in `out`.
pub fn from_be_bytes(bytes: &[u8], out: &mut [u32]) -> bool {
    for l in out.iter_mut() {
        *l = 0;
    }
    for (i, &b) in bytes.iter().rev().enumerate() {
        let limb = i / 4;
        if limb >= out.len() {
            if b != 0 {
                return false;
            }
            continue;
        }
        out[limb] |= (b as u32) << (8 * (i % 4));
    }
    true
}

/// Write `a` big-endian into all of `out` (zero-padded on the left; high limbs that do
/// not fit are dropped, callers size `out` so that none do).
pub fn to_be_bytes(a: &[u32], out: &mut [u8]) {
    let n = out.len();
    for (i, o) in out.iter_mut().enumerate() {
        let pos = n - 1 - i; // byte index from the least significant end
        let limb = pos / 4;
        *o = if limb < a.len() { (a[limb] >> (8 * (pos % 4))) as u8 } else { 0 };
    }
}

/// Compare two integers of the same limb count.
pub fn cmp(a: &[u32], b: &[u32]) -> Ordering {
    for i in (0..a.len().min(b.len())).rev() {
        if a[i] != b[i] {
            return a[i].cmp(&b[i]);
        }
    }
    Ordering::Equal
}

/// True when every limb is zero.
pub fn is_zero(a: &[u32]) -> bool {
    a.iter().all(|&l| l == 0)
}

/// Number of significant bits (0 for zero).
pub fn bit_len(a: &[u32]) -> usize {
    for i in (0..a.len()).rev() {
        if a[i] != 0 {
            return 32 * i + (32 - a[i].leading_zeros() as usize);
        }
    }
    0
}

/// Bit `i` of `a` (0 beyond the end).
pub fn bit(a: &[u32], i: usize) -> bool {
    let limb = i / 32;
    limb < a.len() && (a[limb] >> (i % 32)) & 1 == 1
}

/// `a += b` (`b` no longer than `a`; missing limbs of `b` are 0); returns the carry out.
pub fn add_assign(a: &mut [u32], b: &[u32]) -> u32 {
    let mut carry = 0u64;
    for (i, x) in a.iter_mut().enumerate() {
        let y = if i < b.len() { b[i] } else { 0 };
        let t = *x as u64 + y as u64 + carry;
        *x = t as u32;
        carry = t >> 32;
    }
    carry as u32
}

/// `a -= b` (`b` no longer than `a`; missing limbs of `b` are 0); returns the borrow out
/// (1 when b > a).
pub fn sub_assign(a: &mut [u32], b: &[u32]) -> u32 {
    let mut borrow = 0u64;
    for (i, x) in a.iter_mut().enumerate() {
        let y = if i < b.len() { b[i] } else { 0 };
        let t = (*x as u64).wrapping_sub(y as u64).wrapping_sub(borrow);
        *x = t as u32;
        borrow = (t >> 63) & 1;
    }
    borrow as u32
}

/// `a >>= 1`, shifting `top` (0 or 1) in at the most significant bit.
pub fn shr1(a: &mut [u32], top: u32) {
    let mut carry = top;
    for x in a.iter_mut().rev() {
        let next = *x & 1;
        *x = (*x >> 1) | (carry << 31);
        carry = next;
    }
}

/// `a <<= 1`; returns the bit shifted out.
pub fn shl1(a: &mut [u32]) -> u32 {
    let mut carry = 0;
    for x in a.iter_mut() {
        let next = *x >> 31;
        *x = (*x << 1) | carry;
        carry = next;
    }
    carry
}

/// `-m^-1 mod 2^32` for odd `m` (Newton iteration: each step doubles the correct bits;
/// Dussé–Kaliski / Koç, "Analyzing and comparing Montgomery multiplication algorithms", 1996).
pub fn neg_inv32(m: u32) -> u32 {
    let mut x: u32 = 1; // correct to 1 bit (m odd)
    for _ in 0..5 {
        x = x.wrapping_mul(2u32.wrapping_sub(m.wrapping_mul(x)));
    }
    x.wrapping_neg()
}

/// Montgomery arithmetic modulo an odd `n` of `k` limbs (top limb non-zero), R = 2^(32k).
///
/// Elements are `k`-limb slices holding values `< n`, in Montgomery form `aR mod n` once
/// converted with [`Monty::to_mont`].
pub struct Monty {
    n: Vec<u32>,
    n0: u32,
    r2: Vec<u32>,
    scratch: Vec<u32>,
}

impl Monty {
    /// The context for modulus `n` (any limb count); `None` when `n` is even, or < 3.
    pub fn new(n: &[u32]) -> Option<Monty> {
        let mut k = n.len();
        while k > 0 && n[k - 1] == 0 {
            k -= 1;
        }
        if k == 0 || n[0] & 1 == 0 || (k == 1 && n[0] < 3) {
            return None;
        }
        let n = n[..k].to_vec();
        let n0 = neg_inv32(n[0]);
        let mut m = Monty { n, n0, r2: vec![0; k], scratch: vec![0; k + 2] };
        m.r2 = m.compute_r2();
        Some(m)
    }

    /// Limb count k.
    pub fn limbs(&self) -> usize {
        self.n.len()
    }

    /// The modulus.
    pub fn modulus(&self) -> &[u32] {
        &self.n
    }

    /// R^2 mod n. With 32k = s * 2^j (s odd): start from 2^(bits-1) < n, double with
    /// conditional subtraction up to 2^(32k+s) mod n = Mont(2^s), then square j times in
    /// Montgomery form: Mont(2^s)^(2^j) = Mont(2^(32k)) = R^2 mod n. At most 32+s
    /// doublings (s = the odd part of k) and log2(32k) squarings.
    fn compute_r2(&mut self) -> Vec<u32> {
        let k = self.n.len();
        let bits = bit_len(&self.n);
        let tz = k.trailing_zeros() as usize;
        let s = k >> tz;
        let j = 5 + tz;
        let mut x = vec![0u32; k];
        x[(bits - 1) / 32] = 1 << ((bits - 1) % 32);
        for _ in (bits - 1)..(32 * k + s) {
            let out = shl1(&mut x);
            if out == 1 || cmp(&x, &self.n) != Ordering::Less {
                sub_assign(&mut x, &self.n);
            }
        }
        let mut y = vec![0u32; k];
        for _ in 0..j {
            self.mul(&x, &x, &mut y);
            core::mem::swap(&mut x, &mut y);
        }
        x
    }

    /// `out = a * b * R^-1 mod n` (CIOS with the two inner loops fused; Koç, Acar, Kaliski
    /// 1996). Inputs `< n`, `k` limbs; output `< n`.
    pub fn mul(&mut self, a: &[u32], b: &[u32], out: &mut [u32]) {
        let k = self.n.len();
        let t = &mut self.scratch;
        for x in t.iter_mut() {
            *x = 0;
        }
        let n = &self.n;
        for i in 0..k {
            let bi = b[i] as u64;
            // t += a*b_i; m = t_0 * (-n^-1) mod 2^32; t = (t + m*n) / 2^32
            let x = t[0] as u64 + a[0] as u64 * bi;
            let mut c1 = x >> 32;
            let m = (x as u32).wrapping_mul(self.n0) as u64;
            let y = (x as u32) as u64 + m * n[0] as u64;
            let mut c2 = y >> 32;
            for j in 1..k {
                let x = t[j] as u64 + a[j] as u64 * bi + c1;
                c1 = x >> 32;
                let y = (x as u32) as u64 + m * n[j] as u64 + c2;
                c2 = y >> 32;
                t[j - 1] = y as u32;
            }
            let x = t[k] as u64 + c1 + c2;
            t[k - 1] = x as u32;
            t[k] = t[k + 1] + (x >> 32) as u32;
            t[k + 1] = 0;
        }
        // t < 2n: one conditional subtraction.
        if t[k] != 0 || cmp(&t[..k], n) != Ordering::Less {
            sub_assign(&mut t[..k], n);
        }
        out[..k].copy_from_slice(&t[..k]);
    }

    /// `out = a R mod n` for `a < n`.
    pub fn to_mont(&mut self, a: &[u32], out: &mut [u32]) {
        let r2 = core::mem::take(&mut self.r2);
        self.mul(a, &r2, out);
        self.r2 = r2;
    }

    /// `out = a R^-1 mod n` (leaves Montgomery form).
    pub fn from_mont(&mut self, a: &[u32], out: &mut [u32]) {
        let mut one = vec![0u32; self.n.len()];
        one[0] = 1;
        self.mul(a, &one, out);
    }

    /// `a * b mod n` for plain (non-Montgomery) `a, b < n`.
    pub fn mul_mod(&mut self, a: &[u32], b: &[u32], out: &mut [u32]) {
        let mut t = vec![0u32; self.n.len()];
        self.mul(a, b, &mut t); // a b R^-1
        let r2 = core::mem::take(&mut self.r2);
        self.mul(&t, &r2, out); // a b
        self.r2 = r2;
    }

    /// `base^exp mod n` for plain `base < n` and `exp` given as limbs (left-to-right
    /// binary square-and-multiply; public exponents only). `exp = 0` gives 1.
    pub fn pow(&mut self, base: &[u32], exp: &[u32], out: &mut [u32]) {
        let k = self.n.len();
        let mut bm = vec![0u32; k];
        self.to_mont(base, &mut bm);
        let ebits = bit_len(exp);
        if ebits == 0 {
            for x in out[..k].iter_mut() {
                *x = 0;
            }
            out[0] = 1;
            return;
        }
        let mut acc = bm.clone();
        let mut tmp = vec![0u32; k];
        for i in (0..ebits - 1).rev() {
            self.mul(&acc, &acc, &mut tmp);
            if bit(exp, i) {
                self.mul(&tmp, &bm, &mut acc);
            } else {
                core::mem::swap(&mut acc, &mut tmp);
            }
        }
        self.from_mont(&acc, out);
    }
}

/// `a^-1 mod m` for odd `m > 1` and `0 < a < m` (binary extended Euclid; Hankerson,
/// Menezes, Vanstone, "Guide to Elliptic Curve Cryptography", Algorithm 2.22).
/// Variable-time (public inputs only). `None` when `a` and `m` are not coprime.
pub fn inv_mod_odd(a: &[u32], m: &[u32]) -> Option<Vec<u32>> {
    let k = m.len();
    if is_zero(a) || m[0] & 1 == 0 || cmp(a, m) != Ordering::Less {
        return None;
    }
    let mut u = a.to_vec();
    let mut v = m.to_vec();
    let mut x1 = vec![0u32; k];
    x1[0] = 1;
    let mut x2 = vec![0u32; k];
    let is_one = |x: &[u32]| x[0] == 1 && x[1..].iter().all(|&l| l == 0);
    // Halve x modulo m (m odd): x even -> x/2, else (x+m)/2 with the carry shifted back in.
    fn halve(x: &mut [u32], m: &[u32]) {
        if x[0] & 1 == 0 {
            shr1(x, 0);
        } else {
            let c = add_assign(x, m);
            shr1(x, c);
        }
    }
    // x = x - y mod m, both < m.
    fn sub_mod(x: &mut [u32], y: &[u32], m: &[u32]) {
        if sub_assign(x, y) == 1 {
            add_assign(x, m);
        }
    }
    let mut guard = 0usize;
    while !is_one(&u) && !is_one(&v) {
        if is_zero(&u) || is_zero(&v) {
            return None; // gcd(a, m) > 1
        }
        while u[0] & 1 == 0 {
            shr1(&mut u, 0);
            halve(&mut x1, m);
        }
        while v[0] & 1 == 0 {
            shr1(&mut v, 0);
            halve(&mut x2, m);
        }
        if cmp(&u, &v) != Ordering::Less {
            sub_assign(&mut u, &v);
            sub_mod(&mut x1, &x2, m);
        } else {
            sub_assign(&mut v, &u);
            sub_mod(&mut x2, &x1, m);
        }
        guard += 1;
        if guard > 64 * k + 64 {
            return None; // cannot happen for coprime inputs; bounds the loop regardless
        }
    }
    Some(if is_one(&u) { x1 } else { x2 })
}

#[cfg(test)]
pub mod tests {
    use super::*;

    /// A tiny deterministic generator for test inputs (xorshift64*).
    pub struct Rng(pub u64);
    impl Rng {
        pub fn next_u32(&mut self) -> u32 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545F4914F6CDD1D) >> 32) as u32
        }
        pub fn limbs(&mut self, k: usize) -> Vec<u32> {
            (0..k).map(|_| self.next_u32()).collect()
        }
    }

    /// Reference: (a * b) mod m by schoolbook product and bitwise long division.
    pub fn mulmod_ref(a: &[u32], b: &[u32], m: &[u32]) -> Vec<u32> {
        let k = m.len();
        let mut prod = vec![0u32; 2 * k];
        for i in 0..k {
            let mut c = 0u64;
            for j in 0..k {
                let t = prod[i + j] as u64 + a[i] as u64 * b[j] as u64 + c;
                prod[i + j] = t as u32;
                c = t >> 32;
            }
            prod[i + k] = c as u32;
        }
        modulo_ref(&prod, m)
    }

    /// Reference: x mod m by shift-and-subtract.
    pub fn modulo_ref(x: &[u32], m: &[u32]) -> Vec<u32> {
        let k = m.len();
        let mut r = vec![0u32; k + 1];
        let mut mm = m.to_vec();
        mm.push(0);
        for i in (0..32 * x.len()).rev() {
            shl1(&mut r);
            r[0] |= bit(x, i) as u32;
            if cmp(&r, &mm) != Ordering::Less {
                sub_assign(&mut r, &mm);
            }
        }
        r.truncate(k);
        r
    }

    #[test]
    fn bytes_round_trip() {
        let mut l = [0u32; 3];
        assert!(from_be_bytes(&[1, 2, 3, 4, 5], &mut l));
        assert_eq!(l, [0x02030405, 0x01, 0]);
        let mut out = [0u8; 12];
        to_be_bytes(&l, &mut out);
        assert_eq!(out, [0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5]);
        assert!(!from_be_bytes(&[1; 13], &mut l));
        assert!(from_be_bytes(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7], &mut l));
        assert_eq!(l, [7, 0, 0]);
        assert_eq!(bit_len(&l), 3);
    }

    #[test]
    fn neg_inv() {
        for m in [1u32, 3, 0xffff_ffff, 0x1234_5677, 0xd2b5_1da3] {
            assert_eq!(m.wrapping_mul(neg_inv32(m)), u32::MAX); // m * (-m^-1) = -1
        }
    }

    #[test]
    fn monty_matches_reference() {
        let mut rng = Rng(7);
        for k in [1usize, 2, 3, 8, 12, 17, 64, 65] {
            for _ in 0..20 {
                let mut n = rng.limbs(k);
                n[0] |= 1;
                if n[k - 1] == 0 {
                    n[k - 1] = 1;
                }
                if k == 1 && n[0] < 3 {
                    n[0] = 3;
                }
                let mut m = Monty::new(&n).unwrap();
                let a = modulo_ref(&rng.limbs(k), &n);
                let b = modulo_ref(&rng.limbs(k), &n);
                let mut out = vec![0u32; k];
                m.mul_mod(&a, &b, &mut out);
                assert_eq!(out, mulmod_ref(&a, &b, &n), "k={}", k);
                // a^5 by repeated multiplication
                let mut p = vec![0u32; k];
                m.pow(&a, &[5], &mut p);
                let mut q = a.clone();
                for _ in 0..4 {
                    q = mulmod_ref(&q, &a, &n);
                }
                assert_eq!(p, q);
            }
        }
    }

    #[test]
    fn monty_rejects_even_and_tiny() {
        assert!(Monty::new(&[4, 1]).is_none());
        assert!(Monty::new(&[0, 0]).is_none());
        assert!(Monty::new(&[1]).is_none());
        assert!(Monty::new(&[3, 0]).is_some());
    }

    #[test]
    fn inverse() {
        let mut rng = Rng(99);
        for k in [1usize, 8, 12] {
            for _ in 0..50 {
                let mut m = rng.limbs(k);
                m[0] |= 1;
                m[k - 1] |= 0x8000_0000;
                let a = modulo_ref(&rng.limbs(k), &m);
                if is_zero(&a) {
                    continue;
                }
                if let Some(inv) = inv_mod_odd(&a, &m) {
                    let mut one = vec![0u32; k];
                    one[0] = 1;
                    assert_eq!(mulmod_ref(&a, &inv, &m), one);
                }
            }
        }
        // not coprime: 3 and 9
        assert!(inv_mod_odd(&[3], &[9]).is_none());
        assert!(inv_mod_odd(&[0], &[9]).is_none());
    }
}
