//! Arithmetic in GF(p), p = 2^255 - 19, the coordinate field of edwards25519.
//!
//! # Representation: ten signed limbs in radix 2^25.5
//!
//! `Fe([f0, ..., f9])` stands for `Σ f_i · 2^⌈25.5·i⌉`: limbs alternate 26 and 25 bits
//! (offsets 0, 26, 51, 77, 102, 128, 153, 179, 204, 230), the "ref10" layout of
//! Bernstein–Duif–Lange–Schwabe–Yang (*High-speed high-security signatures*, 2011).
//! Limbs are kept in `i64` so that every product is a native 64×64→64-bit multiply.
//!
//! Why not five 51-bit limbs (the 64-bit layout of curve25519-dalek's serial backend)?
//! Their products need 64×64→128 bits, which wasm32 does not have: each `u128` product
//! becomes a call to the `__multi3` helper. Measured in Node 20 on the target machine
//! (`crypto-wasm/measure/run`, after wasm-opt -O3): one field multiplication takes
//! ~101 ns with 5×51-bit limbs against ~37 ns with these 10 limbs (a squaring ~24 ns).
//!
//! # Bounds
//!
//! "Reduced" limbs (the output of [`Fe::mul`], [`Fe::square`], [`Fe::carry`]) satisfy
//! |f_i| ≤ 2^25 + 2^18 (even i) and ≤ 2^24 + 2^18 (odd i). If the limbs of the two
//! inputs of [`Fe::mul`] are at most `a` and `b` times those bounds, the largest output
//! limb before carrying (an even one) is at most 498·a·b·2^48 ≈ a·b·2^57, so any inputs
//! with a·b ≤ 60 are safe in `i64`. [`Fe::add`]/[`Fe::sub`] do not carry: a sum or
//! difference of k reduced elements has factor k. The point formulas (point.rs) feed
//! products with a·b ≤ 12; each formula notes its factors.
//!
//! Nothing here is constant-time: signature *verification* handles public data only.

/// An element of GF(2^255 - 19) (see the module documentation for the representation).
#[derive(Clone, Copy, Debug)]
pub struct Fe(pub [i64; 10]);

/// Bit offset of each limb: ⌈25.5·i⌉.
const OFFSETS: [u32; 10] = [0, 26, 51, 77, 102, 128, 153, 179, 204, 230];
/// Bit width of each limb.
const WIDTHS: [u32; 10] = [26, 25, 26, 25, 26, 25, 26, 25, 26, 25];

impl Fe {
    /// 0.
    pub const ZERO: Fe = Fe([0; 10]);
    /// 1.
    pub const ONE: Fe = Fe([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);

    /// The element encoded little-endian in `bytes`, ignoring bit 255 (RFC 8032 §5.1.3
    /// step 1 takes the sign of x from it). Values in [p, 2^255) are accepted and reduced;
    /// callers that need canonical encodings check with [`is_canonical`].
    pub fn from_bytes(bytes: &[u8; 32]) -> Fe {
        let mut padded = [0u8; 40];
        padded[..32].copy_from_slice(bytes);
        padded[31] &= 0x7f;
        let mut limbs = [0i64; 10];
        for i in 0..10 {
            let off = OFFSETS[i];
            let byte = (off / 8) as usize;
            let mut word = [0u8; 8];
            word.copy_from_slice(&padded[byte..byte + 8]);
            let v = u64::from_le_bytes(word) >> (off % 8);
            limbs[i] = (v & ((1u64 << WIDTHS[i]) - 1)) as i64;
        }
        Fe(limbs)
    }

    /// The canonical little-endian encoding (value fully reduced into [0, p)).
    pub fn to_bytes(&self) -> [u8; 32] {
        let h = self.carry().0;
        // q = floor(h / p) ∈ {0, 1} for carried input: add 19, see whether it overflows
        // 2^255 (ref10's fe_tobytes argument).
        let mut q = (19 * h[9] + (1 << 24)) >> 25;
        for i in 0..10 {
            q = (h[i] + q) >> WIDTHS[i];
        }
        let mut r = h;
        r[0] += 19 * q;
        // Floor carries now leave every limb in [0, 2^width) and drop q·2^255.
        for i in 0..9 {
            let c = r[i] >> WIDTHS[i];
            r[i + 1] += c;
            r[i] -= c << WIDTHS[i];
        }
        r[9] &= (1 << 25) - 1;
        let mut out = [0u8; 32];
        let mut acc: u64 = 0;
        let mut bits = 0u32;
        let mut pos = 0usize;
        for i in 0..10 {
            acc |= (r[i] as u64) << bits;
            bits += WIDTHS[i];
            while bits >= 8 {
                out[pos] = acc as u8;
                pos += 1;
                acc >>= 8;
                bits -= 8;
            }
        }
        // 255 bits: the last 7 bits remain.
        out[31] = acc as u8;
        out
    }

    /// Propagate carries so every limb is reduced (signed, rounded carries as in ref10).
    #[inline(always)]
    pub fn carry(&self) -> Fe {
        let [mut h0, mut h1, mut h2, mut h3, mut h4, mut h5, mut h6, mut h7, mut h8, mut h9] = self.0;
        carry_chain(&mut h0, &mut h1, &mut h2, &mut h3, &mut h4, &mut h5, &mut h6, &mut h7, &mut h8, &mut h9);
        Fe([h0, h1, h2, h3, h4, h5, h6, h7, h8, h9])
    }

    /// self + g, limb-wise (no carry; see the bounds in the module documentation).
    #[inline(always)]
    pub fn add(&self, g: &Fe) -> Fe {
        let (f, g) = (&self.0, &g.0);
        Fe([
            f[0] + g[0], f[1] + g[1], f[2] + g[2], f[3] + g[3], f[4] + g[4],
            f[5] + g[5], f[6] + g[6], f[7] + g[7], f[8] + g[8], f[9] + g[9],
        ])
    }

    /// self - g, limb-wise (signed limbs: no bias needed).
    #[inline(always)]
    pub fn sub(&self, g: &Fe) -> Fe {
        let (f, g) = (&self.0, &g.0);
        Fe([
            f[0] - g[0], f[1] - g[1], f[2] - g[2], f[3] - g[3], f[4] - g[4],
            f[5] - g[5], f[6] - g[6], f[7] - g[7], f[8] - g[8], f[9] - g[9],
        ])
    }

    /// -self.
    #[inline(always)]
    pub fn neg(&self) -> Fe {
        Fe::ZERO.sub(self)
    }

    /// self · g mod p: 100 limb products (the "schoolbook" product with the wrap-around
    /// terms multiplied by 19, since 2^255 ≡ 19, and the products of two odd limbs doubled,
    /// since ⌈25.5i⌉ + ⌈25.5j⌉ = ⌈25.5(i+j)⌉ + 1 when i and j are both odd).
    #[inline(never)]
    pub fn mul(&self, g: &Fe) -> Fe {
        let [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] = self.0;
        let [g0, g1, g2, g3, g4, g5, g6, g7, g8, g9] = g.0;
        let (g1_19, g2_19, g3_19, g4_19, g5_19) = (19 * g1, 19 * g2, 19 * g3, 19 * g4, 19 * g5);
        let (g6_19, g7_19, g8_19, g9_19) = (19 * g6, 19 * g7, 19 * g8, 19 * g9);
        let (f1_2, f3_2, f5_2, f7_2, f9_2) = (2 * f1, 2 * f3, 2 * f5, 2 * f7, 2 * f9);

        let mut h0 = f0 * g0 + f1_2 * g9_19 + f2 * g8_19 + f3_2 * g7_19 + f4 * g6_19 + f5_2 * g5_19 + f6 * g4_19 + f7_2 * g3_19 + f8 * g2_19 + f9_2 * g1_19;
        let mut h1 = f0 * g1 + f1 * g0 + f2 * g9_19 + f3 * g8_19 + f4 * g7_19 + f5 * g6_19 + f6 * g5_19 + f7 * g4_19 + f8 * g3_19 + f9 * g2_19;
        let mut h2 = f0 * g2 + f1_2 * g1 + f2 * g0 + f3_2 * g9_19 + f4 * g8_19 + f5_2 * g7_19 + f6 * g6_19 + f7_2 * g5_19 + f8 * g4_19 + f9_2 * g3_19;
        let mut h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9_19 + f5 * g8_19 + f6 * g7_19 + f7 * g6_19 + f8 * g5_19 + f9 * g4_19;
        let mut h4 = f0 * g4 + f1_2 * g3 + f2 * g2 + f3_2 * g1 + f4 * g0 + f5_2 * g9_19 + f6 * g8_19 + f7_2 * g7_19 + f8 * g6_19 + f9_2 * g5_19;
        let mut h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9_19 + f7 * g8_19 + f8 * g7_19 + f9 * g6_19;
        let mut h6 = f0 * g6 + f1_2 * g5 + f2 * g4 + f3_2 * g3 + f4 * g2 + f5_2 * g1 + f6 * g0 + f7_2 * g9_19 + f8 * g8_19 + f9_2 * g7_19;
        let mut h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9_19 + f9 * g8_19;
        let mut h8 = f0 * g8 + f1_2 * g7 + f2 * g6 + f3_2 * g5 + f4 * g4 + f5_2 * g3 + f6 * g2 + f7_2 * g1 + f8 * g0 + f9_2 * g9_19;
        let mut h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;

        carry_chain(&mut h0, &mut h1, &mut h2, &mut h3, &mut h4, &mut h5, &mut h6, &mut h7, &mut h8, &mut h9);
        Fe([h0, h1, h2, h3, h4, h5, h6, h7, h8, h9])
    }

    /// self² mod p: the 55 distinct products of [`Fe::mul`], with the symmetric ones doubled.
    #[inline(never)]
    pub fn square(&self) -> Fe {
        self.square_inline()
    }

    /// [`Fe::square`], inlined (for loops of squarings).
    #[inline(always)]
    fn square_inline(&self) -> Fe {
        let [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] = self.0;
        let (f0_2, f1_2, f2_2, f3_2, f4_2, f5_2, f6_2, f7_2) = (2 * f0, 2 * f1, 2 * f2, 2 * f3, 2 * f4, 2 * f5, 2 * f6, 2 * f7);
        let (f5_38, f6_19, f7_38, f8_19, f9_38) = (38 * f5, 19 * f6, 38 * f7, 19 * f8, 38 * f9);

        let mut h0 = f0 * f0 + f1_2 * f9_38 + f2_2 * f8_19 + f3_2 * f7_38 + f4_2 * f6_19 + f5 * f5_38;
        let mut h1 = f0_2 * f1 + f2 * f9_38 + f3_2 * f8_19 + f4 * f7_38 + f5_2 * f6_19;
        let mut h2 = f0_2 * f2 + f1_2 * f1 + f3_2 * f9_38 + f4_2 * f8_19 + f5_2 * f7_38 + f6 * f6_19;
        let mut h3 = f0_2 * f3 + f1_2 * f2 + f4 * f9_38 + f5_2 * f8_19 + f6 * f7_38;
        let mut h4 = f0_2 * f4 + f1_2 * f3_2 + f2 * f2 + f5_2 * f9_38 + f6_2 * f8_19 + f7 * f7_38;
        let mut h5 = f0_2 * f5 + f1_2 * f4 + f2_2 * f3 + f6 * f9_38 + f7_2 * f8_19;
        let mut h6 = f0_2 * f6 + f1_2 * f5_2 + f2_2 * f4 + f3_2 * f3 + f7_2 * f9_38 + f8 * f8_19;
        let mut h7 = f0_2 * f7 + f1_2 * f6 + f2_2 * f5 + f3_2 * f4 + f8 * f9_38;
        let mut h8 = f0_2 * f8 + f1_2 * f7_2 + f2_2 * f6 + f3_2 * f5_2 + f4 * f4 + f9 * f9_38;
        let mut h9 = f0_2 * f9 + f1_2 * f8 + f2_2 * f7 + f3_2 * f6 + f4_2 * f5;

        carry_chain(&mut h0, &mut h1, &mut h2, &mut h3, &mut h4, &mut h5, &mut h6, &mut h7, &mut h8, &mut h9);
        Fe([h0, h1, h2, h3, h4, h5, h6, h7, h8, h9])
    }

    /// self^(2^k), k ≥ 1.
    #[inline(never)]
    pub fn square_n(&self, k: u32) -> Fe {
        let mut r = self.square_inline();
        for _ in 1..k {
            r = r.square_inline();
        }
        r
    }

    /// 2·self².
    #[inline(always)]
    pub fn square2(&self) -> Fe {
        let s = self.square();
        s.add(&s)
    }

    /// Multiply by a small constant `c` (|c| < 2^31), then carry.
    #[inline(always)]
    pub fn mul_small(&self, c: i64) -> Fe {
        let f = &self.0;
        Fe([
            f[0] * c, f[1] * c, f[2] * c, f[3] * c, f[4] * c,
            f[5] * c, f[6] * c, f[7] * c, f[8] * c, f[9] * c,
        ])
        .carry()
    }

    /// (self^(2^250 - 1), self^11): the shared head of the exponentiation chains of
    /// [`Fe::invert`] and [`Fe::pow_p58`] (ref10's chain: 250 squarings, 11 multiplications).
    fn pow_2_250_minus_1(&self) -> (Fe, Fe) {
        let z = self;
        let z2 = z.square(); // 2
        let z8 = z2.square_n(2); // 8
        let z9 = z.mul(&z8); // 9
        let z11 = z2.mul(&z9); // 11
        let z22 = z11.square(); // 22
        let z_5_0 = z9.mul(&z22); // 2^5 - 1
        let z_10_0 = z_5_0.square_n(5).mul(&z_5_0); // 2^10 - 1
        let z_20_0 = z_10_0.square_n(10).mul(&z_10_0); // 2^20 - 1
        let z_40_0 = z_20_0.square_n(20).mul(&z_20_0); // 2^40 - 1
        let z_50_0 = z_40_0.square_n(10).mul(&z_10_0); // 2^50 - 1
        let z_100_0 = z_50_0.square_n(50).mul(&z_50_0); // 2^100 - 1
        let z_200_0 = z_100_0.square_n(100).mul(&z_100_0); // 2^200 - 1
        let z_250_0 = z_200_0.square_n(50).mul(&z_50_0); // 2^250 - 1
        (z_250_0, z11)
    }

    /// self^(p-2) = self^-1 (Fermat); 0 maps to 0.
    pub fn invert(&self) -> Fe {
        let (z_250_0, z11) = self.pow_2_250_minus_1();
        // (2^250 - 1)·2^5 + 11 = 2^255 - 21 = p - 2
        z_250_0.square_n(5).mul(&z11)
    }

    /// self^((p-5)/8) = self^(2^252 - 3), the exponent of the square-root computation.
    pub fn pow_p58(&self) -> Fe {
        let (z_250_0, _) = self.pow_2_250_minus_1();
        // (2^250 - 1)·4 + 1 = 2^252 - 3
        z_250_0.square_n(2).mul(self)
    }

    /// True when self ≡ 0 (mod p).
    pub fn is_zero(&self) -> bool {
        self.to_bytes() == [0u8; 32]
    }

    /// The "sign" of RFC 8032 §5.1.2: the least significant bit of the canonical value.
    pub fn is_negative(&self) -> bool {
        self.to_bytes()[0] & 1 == 1
    }

    /// True when self ≡ g (mod p).
    pub fn equals(&self, g: &Fe) -> bool {
        self.sub(g).is_zero()
    }

    /// (true, sqrt(u/v)) when u/v is a square in GF(p), else (false, _). The root returned
    /// is the one RFC 8032 §5.1.3 step 3 computes: x = u·v³·(u·v⁷)^((p-5)/8), multiplied by
    /// sqrt(-1) = 2^((p-1)/4) when v·x² = -u. (No sign is fixed here; the caller does.)
    pub fn sqrt_ratio(u: &Fe, v: &Fe) -> (bool, Fe) {
        let v2 = v.square();
        let v3 = v2.mul(v);
        let v7 = v3.square().mul(v);
        let uv3 = u.mul(&v3);
        let uv7 = u.mul(&v7);
        let x = uv3.mul(&uv7.pow_p58());
        let vx2 = v.mul(&x.square());
        if vx2.equals(u) {
            (true, x)
        } else if vx2.equals(&u.neg()) {
            (true, x.mul(&SQRT_M1))
        } else {
            (false, x)
        }
    }
}

/// True when the 255-bit value in `bytes` (bit 255 ignored) is less than p, i.e. the
/// encoding is canonical (RFC 8032 §5.1.3 step 1: "If the resulting value is >= p,
/// decoding fails").
pub fn is_canonical(bytes: &[u8; 32]) -> bool {
    // p = 2^255 - 19 = 0x7fff...ffed; the value is ≥ p iff bytes 1..=30 are all 0xff,
    // byte 31 (masked) is 0x7f, and byte 0 ≥ 0xed.
    let top = bytes[31] & 0x7f;
    !(top == 0x7f && bytes[1..31].iter().all(|&b| b == 0xff) && bytes[0] >= 0xed)
}

/// sqrt(-1) mod p = 2^((p-1)/4), in limbs (ref10's `sqrtm1`).
pub const SQRT_M1: Fe = Fe([-32595792, -7943725, 9377950, 3500415, 12389472, -272473, -25146209, -2005654, 326686, 11406482]);

/// The curve constant d = -121665/121666 (RFC 8032 §5.1), in limbs.
pub const D: Fe = Fe([-10913610, 13857413, -15372611, 6949391, 114729, -8787816, -6275908, -3247719, -18696448, -12055116]);

/// 2·d.
pub const D2: Fe = Fe([-21827239, -5839606, -30745221, 13898782, 229458, 15978800, -12551817, -6495438, 29715968, 9444199]);

/// The signed, rounded carry chain of ref10 (carries 0→1, 4→5, 1→2, 5→6, 2→3, 6→7,
/// 3→4, 7→8, 4→5, 8→9, 9→0 (×19), 0→1): two interleaved chains for instruction-level
/// parallelism. Output limbs are reduced (module documentation, "Bounds").
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn carry_chain(
    h0: &mut i64, h1: &mut i64, h2: &mut i64, h3: &mut i64, h4: &mut i64,
    h5: &mut i64, h6: &mut i64, h7: &mut i64, h8: &mut i64, h9: &mut i64,
) {
    #[inline(always)]
    fn c26(lo: &mut i64, hi: &mut i64) {
        let c = (*lo + (1 << 25)) >> 26;
        *hi += c;
        *lo -= c << 26;
    }
    #[inline(always)]
    fn c25(lo: &mut i64, hi: &mut i64) {
        let c = (*lo + (1 << 24)) >> 25;
        *hi += c;
        *lo -= c << 25;
    }
    c26(h0, h1);
    c26(h4, h5);
    c25(h1, h2);
    c25(h5, h6);
    c26(h2, h3);
    c26(h6, h7);
    c25(h3, h4);
    c25(h7, h8);
    c26(h4, h5);
    c26(h8, h9);
    let c = (*h9 + (1 << 24)) >> 25;
    *h0 += c * 19;
    *h9 -= c << 25;
    c26(h0, h1);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small deterministic generator for test values (xorshift64*).
    pub struct TestRng(pub u64);
    impl TestRng {
        pub fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545f4914f6cdd1d)
        }
        pub fn bytes32(&mut self) -> [u8; 32] {
            let mut b = [0u8; 32];
            for chunk in b.chunks_mut(8) {
                chunk.copy_from_slice(&self.next().to_le_bytes());
            }
            b
        }
        pub fn fe(&mut self) -> Fe {
            Fe::from_bytes(&self.bytes32())
        }
    }

    // Reference arithmetic on 256-bit little-endian u64 words, independent of the limbs.
    const P: [u64; 4] = [0xffffffffffffffed, 0xffffffffffffffff, 0xffffffffffffffff, 0x7fffffffffffffff];

    fn words(b: &[u8; 32]) -> [u64; 4] {
        let mut w = [0u64; 4];
        for i in 0..4 {
            let mut x = [0u8; 8];
            x.copy_from_slice(&b[8 * i..8 * i + 8]);
            w[i] = u64::from_le_bytes(x);
        }
        w
    }
    fn geq(a: &[u64; 4], b: &[u64; 4]) -> bool {
        for i in (0..4).rev() {
            if a[i] != b[i] {
                return a[i] > b[i];
            }
        }
        true
    }
    fn sub_words(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
        let mut r = [0u64; 4];
        let mut borrow = 0u64;
        for i in 0..4 {
            let (d1, b1) = a[i].overflowing_sub(b[i]);
            let (d2, b2) = d1.overflowing_sub(borrow);
            r[i] = d2;
            borrow = (b1 | b2) as u64;
        }
        r
    }
    /// (a · b) mod p by shift-and-add on words (slow, obviously correct).
    fn mulmod_ref(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
        let mut acc = [0u64; 4];
        for bit in (0..256).rev() {
            // acc = 2·acc mod p
            let top = acc[3] >> 63;
            let mut d = [0u64; 4];
            for i in 0..4 {
                d[i] = (acc[i] << 1) | if i > 0 { acc[i - 1] >> 63 } else { 0 };
            }
            let _ = top; // acc < p < 2^255, so 2·acc < 2^256
            acc = d;
            if geq(&acc, &P) {
                acc = sub_words(&acc, &P);
            }
            if (b[bit / 64] >> (bit % 64)) & 1 == 1 {
                let mut s = [0u64; 4];
                let mut carry = 0u128;
                for i in 0..4 {
                    let t = acc[i] as u128 + a[i] as u128 + carry;
                    s[i] = t as u64;
                    carry = t >> 64;
                }
                acc = s;
                if geq(&acc, &P) {
                    acc = sub_words(&acc, &P);
                }
            }
        }
        acc
    }
    fn reduce_ref(a: &[u64; 4]) -> [u64; 4] {
        let mut r = *a;
        r[3] &= 0x7fffffffffffffff;
        if geq(&r, &P) {
            r = sub_words(&r, &P);
        }
        r
    }

    #[test]
    fn bytes_roundtrip_and_reduction() {
        let mut rng = TestRng(1);
        for _ in 0..1000 {
            let b = rng.bytes32();
            let expect = reduce_ref(&words(&b));
            assert_eq!(words(&Fe::from_bytes(&b).to_bytes()), expect);
        }
        // Values in [p, 2^255) reduce; p itself is 0.
        let mut p = [0xffu8; 32];
        p[0] = 0xed;
        p[31] = 0x7f;
        assert_eq!(Fe::from_bytes(&p).to_bytes(), [0u8; 32]);
        assert!(!is_canonical(&p));
        p[0] = 0xec;
        assert!(is_canonical(&p));
        p[0] = 0xff;
        assert!(!is_canonical(&p));
        p[31] = 0xff; // sign bit set: still judged on the low 255 bits
        assert!(!is_canonical(&p));
    }

    #[test]
    fn mul_and_square_match_reference() {
        let mut rng = TestRng(2);
        for _ in 0..300 {
            let (a, b) = (rng.bytes32(), rng.bytes32());
            let (fa, fb) = (Fe::from_bytes(&a), Fe::from_bytes(&b));
            let expect = mulmod_ref(&reduce_ref(&words(&a)), &reduce_ref(&words(&b)));
            assert_eq!(words(&fa.mul(&fb).to_bytes()), expect);
            let sq = mulmod_ref(&reduce_ref(&words(&a)), &reduce_ref(&words(&a)));
            assert_eq!(words(&fa.square().to_bytes()), sq);
        }
    }

    #[test]
    fn unreduced_inputs_within_bounds() {
        // Sums/differences of three reduced elements are valid multiplication inputs.
        let mut rng = TestRng(3);
        for _ in 0..300 {
            let (a, b, c, d) = (rng.fe().carry(), rng.fe().carry(), rng.fe().carry(), rng.fe().carry());
            let x = a.add(&b).sub(&c);
            let y = d.sub(&a).sub(&b);
            let lhs = x.mul(&y);
            let rhs = a.mul(&d).sub(&a.mul(&a)).sub(&a.mul(&b)).add(&b.mul(&d)).sub(&b.mul(&a)).sub(&b.mul(&b))
                .carry().sub(&c.mul(&d)).add(&c.mul(&a)).add(&c.mul(&b));
            assert!(lhs.equals(&rhs.carry()));
            assert!(x.square().equals(&x.mul(&x)));
        }
    }

    #[test]
    fn invert_and_sqrt() {
        let mut rng = TestRng(4);
        for _ in 0..50 {
            let a = rng.fe();
            if a.is_zero() {
                continue;
            }
            assert!(a.mul(&a.invert()).equals(&Fe::ONE));
            let s = a.square();
            let (ok, r) = Fe::sqrt_ratio(&s, &Fe::ONE);
            assert!(ok);
            assert!(r.square().equals(&s));
            // A non-square: 2 is not a square mod p (p ≡ 5 mod 8), so 2·a² is not either.
            let (ok2, _) = Fe::sqrt_ratio(&s.mul_small(2), &Fe::ONE);
            assert!(!ok2);
        }
        assert!(SQRT_M1.square().equals(&Fe::ONE.neg()));
        assert!(Fe::ZERO.invert().is_zero());
    }

    #[test]
    fn curve_constants() {
        // d·121666 = -121665; 2d = d + d.
        assert!(D.mul_small(121666).equals(&Fe::ONE.mul_small(121665).neg()));
        assert!(D2.equals(&D.add(&D)));
    }
}
