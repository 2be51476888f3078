//! Field-multiplication timing for two limb layouts of GF(2^255 - 19) in wasm32:
//! - `fe25`: the crate's own radix-2^25.5 layout (ten i64 limbs, 64-bit products);
//! - `fe51`: radix 2^51 (five u64 limbs, u128 products -> `__multi3` calls on wasm32),
//!   written here only for this measurement.
//! Run: crypto-wasm/measure/run (builds this crate for wasm32 and native, times both).

#[allow(dead_code)]
#[path = "../../src/ed25519/field.rs"]
mod fe25;

mod fe51 {
    #[derive(Clone, Copy)]
    pub struct Fe51(pub [u64; 5]);
    const MASK: u64 = (1 << 51) - 1;
    impl Fe51 {
        #[inline(always)]
        pub fn mul(&self, b: &Fe51) -> Fe51 {
            let (a, b) = (&self.0, &b.0);
            let m = |x: u64, y: u64| (x as u128) * (y as u128);
            let b1_19 = b[1] * 19;
            let b2_19 = b[2] * 19;
            let b3_19 = b[3] * 19;
            let b4_19 = b[4] * 19;
            let c0 = m(a[0], b[0]) + m(a[4], b1_19) + m(a[3], b2_19) + m(a[2], b3_19) + m(a[1], b4_19);
            let mut c1 = m(a[1], b[0]) + m(a[0], b[1]) + m(a[4], b2_19) + m(a[3], b3_19) + m(a[2], b4_19);
            let mut c2 = m(a[2], b[0]) + m(a[1], b[1]) + m(a[0], b[2]) + m(a[4], b3_19) + m(a[3], b4_19);
            let mut c3 = m(a[3], b[0]) + m(a[2], b[1]) + m(a[1], b[2]) + m(a[0], b[3]) + m(a[4], b4_19);
            let mut c4 = m(a[4], b[0]) + m(a[3], b[1]) + m(a[2], b[2]) + m(a[1], b[3]) + m(a[0], b[4]);
            c1 += (c0 >> 51) as u64 as u128;
            let mut r0 = (c0 as u64) & MASK;
            c2 += (c1 >> 51) as u64 as u128;
            let r1 = (c1 as u64) & MASK;
            c3 += (c2 >> 51) as u64 as u128;
            let r2 = (c2 as u64) & MASK;
            c4 += (c3 >> 51) as u64 as u128;
            let r3 = (c3 as u64) & MASK;
            let carry = (c4 >> 51) as u64;
            let r4 = (c4 as u64) & MASK;
            r0 += carry * 19;
            let r1 = r1 + (r0 >> 51);
            r0 &= MASK;
            Fe51([r0, r1, r2, r3, r4])
        }
    }
}

fn seed(i: u64) -> u64 {
    i.wrapping_mul(0x9e3779b97f4a7c15) ^ 0x1234567
}

/// `n` dependent multiplications with 10-limb elements; returns a checksum.
#[no_mangle]
pub extern "C" fn mul25(n: u32) -> u32 {
    let mut b = [0u8; 32];
    for (i, x) in b.iter_mut().enumerate() {
        *x = seed(i as u64) as u8;
    }
    let mut x = fe25::Fe::from_bytes(&b);
    let y = x.square();
    for _ in 0..n {
        x = x.mul(&y);
    }
    x.to_bytes()[0] as u32
}

/// `n` dependent squarings with 10-limb elements.
#[no_mangle]
pub extern "C" fn sq25(n: u32) -> u32 {
    let mut b = [0u8; 32];
    for (i, x) in b.iter_mut().enumerate() {
        *x = seed(i as u64 + 7) as u8;
    }
    let mut x = fe25::Fe::from_bytes(&b);
    for _ in 0..n {
        x = x.square();
    }
    x.to_bytes()[0] as u32
}

/// `n` dependent multiplications with 5-limb elements.
#[no_mangle]
pub extern "C" fn mul51(n: u32) -> u32 {
    let mut x = fe51::Fe51([seed(1) & ((1 << 51) - 1), seed(2) & ((1 << 51) - 1), seed(3) & ((1 << 51) - 1), seed(4) & ((1 << 51) - 1), seed(5) & ((1 << 51) - 1)]);
    let y = fe51::Fe51([seed(6) & ((1 << 51) - 1), seed(7) & ((1 << 51) - 1), seed(8) & ((1 << 51) - 1), seed(9) & ((1 << 51) - 1), seed(10) & ((1 << 51) - 1)]);
    for _ in 0..n {
        x = x.mul(&y);
    }
    x.0[0] as u32
}

/// Throughput: four independent chains of multiplications (4n products).
#[no_mangle]
pub extern "C" fn mul25x4(n: u32) -> u32 {
    let mut b = [0u8; 32];
    for (i, x) in b.iter_mut().enumerate() {
        *x = seed(i as u64) as u8;
    }
    let mut a = fe25::Fe::from_bytes(&b);
    let y = a.square();
    let mut c = y.square();
    let mut d = c.square();
    let mut e = d.square();
    for _ in 0..n {
        a = a.mul(&y);
        c = c.mul(&y);
        d = d.mul(&y);
        e = e.mul(&y);
    }
    (a.to_bytes()[0] ^ c.to_bytes()[0] ^ d.to_bytes()[0] ^ e.to_bytes()[0]) as u32
}
