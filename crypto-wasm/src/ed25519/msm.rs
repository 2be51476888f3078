//! Variable-time scalar multiplication: the double-base product [a]A + [b]B of single
//! verification, and multi-scalar multiplication Σ [s_i]P_i for batches.
//!
//! - [`double_base_mul`]: Straus–Shamir interleaving with width-5 NAF for A (8 odd
//!   multiples computed per call) and width-8 NAF for the base point B (64 odd multiples
//!   in a table built once per instance), as in ref10's `ge_double_scalarmult_vartime` and
//!   curve25519-dalek's `vartime_double_base`.
//! - [`straus`]: the same interleaving for n points (one table of 8 odd multiples per point),
//!   best for small n.
//! - [`pippenger`]: the bucket method (Pippenger 1976; Bernstein–Doumen–Lange–Oosterwijk,
//!   *Faster batch forgery identification*, 2012, §4) with signed radix-2^c digits, best
//!   for large n. The window c is chosen from n by [`pippenger_window`].
//!
//! Nothing here is constant-time (public inputs only).

use std::sync::Once;

use super::point::{AffineNiels, CompletedPoint, EdwardsPoint, ProjectiveNiels, ProjectivePoint};
use super::scalar::Scalar;

/// Odd multiples P, 3P, 5P, ..., 15P of a point, for width-5 NAF digits.
pub struct OddMultiples(pub [ProjectiveNiels; 8]);

impl OddMultiples {
    /// 1 doubling + 7 additions.
    pub fn new(p: &EdwardsPoint) -> OddMultiples {
        let p2 = p.double();
        let mut table = [p.to_projective_niels(); 8];
        let mut acc = *p;
        for entry in table.iter_mut().skip(1) {
            acc = p2.add(&acc);
            *entry = acc.to_projective_niels();
        }
        OddMultiples(table)
    }

    /// [d]P for an odd digit |d| < 16, added to `q`.
    #[inline(always)]
    fn add_digit(&self, q: &EdwardsPoint, d: i8) -> CompletedPoint {
        if d > 0 {
            q.add_niels(&self.0[(d / 2) as usize])
        } else {
            q.sub_niels(&self.0[(-d / 2) as usize])
        }
    }
}

/// The odd multiples B, 3B, ..., 127B of the base point (width-8 NAF), affine.
pub struct BaseTable(pub [AffineNiels; 64]);

static BASE_TABLE_INIT: Once = Once::new();
static mut BASE_TABLE: *const BaseTable = core::ptr::null();

/// This instance's base-point table (built on first use: 64 additions and inversions).
pub fn base_table() -> &'static BaseTable {
    BASE_TABLE_INIT.call_once(|| {
        let b = EdwardsPoint::basepoint();
        let b2 = b.double();
        let mut entries = [b.to_affine_niels(); 64];
        let mut acc = b;
        for entry in entries.iter_mut().skip(1) {
            acc = b2.add(&acc);
            *entry = acc.to_affine_niels();
        }
        let table = Box::new(BaseTable(entries));
        // Written once under the Once, never freed: read-only afterwards.
        unsafe { BASE_TABLE = Box::into_raw(table) };
    });
    unsafe { &*BASE_TABLE }
}

static BASE128_TABLE_INIT: Once = Once::new();
static mut BASE128_TABLE: *const BaseTable = core::ptr::null();

/// The odd multiples of B' = [2^128]B (for the high half of a base-point scalar).
pub fn base128_table() -> &'static BaseTable {
    BASE128_TABLE_INIT.call_once(|| {
        let mut b = EdwardsPoint::basepoint().to_projective();
        for _ in 0..127 {
            b = b.double().to_projective();
        }
        let b128 = b.double().to_extended();
        let b2 = b128.double();
        let mut entries = [b128.to_affine_niels(); 64];
        let mut acc = b128;
        for entry in entries.iter_mut().skip(1) {
            acc = b2.add(&acc);
            *entry = acc.to_affine_niels();
        }
        unsafe { BASE128_TABLE = Box::into_raw(Box::new(BaseTable(entries))) };
    });
    unsafe { &*BASE128_TABLE }
}

impl BaseTable {
    #[inline(always)]
    fn add_digit(&self, q: &EdwardsPoint, d: i8) -> CompletedPoint {
        if d > 0 {
            q.add_affine_niels(&self.0[(d / 2) as usize])
        } else {
            q.sub_affine_niels(&self.0[(-d / 2) as usize])
        }
    }
}

/// [a]A + [b]B, B the base point (variable time).
pub fn double_base_mul(a: &Scalar, point_a: &EdwardsPoint, b: &Scalar) -> EdwardsPoint {
    let mut a_naf = [0i8; 257];
    let mut b_naf = [0i8; 257];
    a.non_adjacent_form(5, &mut a_naf);
    b.non_adjacent_form(8, &mut b_naf);
    let table_a = OddMultiples::new(point_a);
    let table_b = base_table();

    let mut i = 256usize;
    while a_naf[i] == 0 && b_naf[i] == 0 {
        if i == 0 {
            return EdwardsPoint::IDENTITY;
        }
        i -= 1;
    }
    let mut r = ProjectivePoint { x: EdwardsPoint::IDENTITY.x, y: EdwardsPoint::IDENTITY.y, z: EdwardsPoint::IDENTITY.z };
    loop {
        let mut t = r.double();
        if a_naf[i] != 0 {
            t = table_a.add_digit(&t.to_extended(), a_naf[i]);
        }
        if b_naf[i] != 0 {
            t = table_b.add_digit(&t.to_extended(), b_naf[i]);
        }
        if i == 0 {
            return t.to_extended();
        }
        r = t.to_projective();
        i -= 1;
    }
}

/// [w]B + [u]P + [v]Q for a full scalar w and u, v < 2^128 given with the odd-multiple
/// tables of P and Q: the verification sum after [`super::scalar::half_size_multiple`].
/// w is split as w_lo + 2^128·w_hi over the tables of B and [2^128]B, so every one of the
/// four scalars has at most 128 bits and the loop needs ~128 doublings instead of ~253.
pub fn half_size_sum(w: &Scalar, u: u128, table_p: &OddMultiples, v: u128, table_q: &OddMultiples) -> EdwardsPoint {
    let w_lo = Scalar([w.0[0], w.0[1], w.0[2], w.0[3], 0, 0, 0, 0]);
    let w_hi = Scalar([w.0[4], w.0[5], w.0[6], w.0[7], 0, 0, 0, 0]);
    let mut nafs = [[0i8; 257]; 4];
    w_lo.non_adjacent_form(8, &mut nafs[0]);
    w_hi.non_adjacent_form(8, &mut nafs[1]);
    Scalar::from_u128(u).non_adjacent_form(5, &mut nafs[2]);
    Scalar::from_u128(v).non_adjacent_form(5, &mut nafs[3]);
    let (tb, tb128) = (base_table(), base128_table());
    // 128-bit scalars: NAF digits stop at index 128.
    let mut i = 129usize;
    while nafs.iter().all(|n| n[i] == 0) {
        if i == 0 {
            return EdwardsPoint::IDENTITY;
        }
        i -= 1;
    }
    let mut r = EdwardsPoint::IDENTITY.to_projective();
    loop {
        let mut t = r.double();
        if nafs[0][i] != 0 {
            t = tb.add_digit(&t.to_extended(), nafs[0][i]);
        }
        if nafs[1][i] != 0 {
            t = tb128.add_digit(&t.to_extended(), nafs[1][i]);
        }
        if nafs[2][i] != 0 {
            t = table_p.add_digit(&t.to_extended(), nafs[2][i]);
        }
        if nafs[3][i] != 0 {
            t = table_q.add_digit(&t.to_extended(), nafs[3][i]);
        }
        if i == 0 {
            return t.to_extended();
        }
        r = t.to_projective();
        i -= 1;
    }
}

/// Σ [s_i]P_i by Straus's interleaving with width-5 NAF (variable time). `scalars` and
/// `points` have the same length; `bits` bounds the scalars' bit length (≤ 256).
pub fn straus(scalars: &[Scalar], points: &[EdwardsPoint]) -> EdwardsPoint {
    let n = scalars.len().min(points.len());
    if n == 0 {
        return EdwardsPoint::IDENTITY;
    }
    let mut nafs: Vec<[i8; 257]> = Vec::new();
    let mut tables: Vec<OddMultiples> = Vec::new();
    if nafs.try_reserve_exact(n).is_err() || tables.try_reserve_exact(n).is_err() {
        // Out of memory: fall back to one point at a time (slower, same result).
        let mut acc = EdwardsPoint::IDENTITY;
        for i in 0..n {
            acc = acc.add(&double_base_mul(&scalars[i], &points[i], &Scalar::ZERO));
        }
        return acc;
    }
    let mut top = 0usize;
    for i in 0..n {
        let mut naf = [0i8; 257];
        scalars[i].non_adjacent_form(5, &mut naf);
        if let Some(p) = naf.iter().rposition(|&d| d != 0) {
            top = top.max(p);
        }
        nafs.push(naf);
        tables.push(OddMultiples::new(&points[i]));
    }
    let mut acc = EdwardsPoint::IDENTITY;
    let mut bit = top;
    loop {
        acc = acc.to_projective().double().to_extended();
        for j in 0..n {
            let d = nafs[j][bit];
            if d != 0 {
                acc = tables[j].add_digit(&acc, d).to_extended();
            }
        }
        if bit == 0 {
            return acc;
        }
        bit -= 1;
    }
}

/// The window width c that minimises the cost of [`pippenger`] for `n` points of
/// `bits`-bit scalars (model: ⌈bits/c⌉ windows, each costing n mixed additions of 7M and
/// 2·2^(c−1) bucket-sum additions of 9M).
pub fn pippenger_window(n: usize, bits: usize) -> usize {
    let mut best = (u64::MAX, 4usize);
    for c in 4..=15usize {
        let windows = ((bits + c - 1) / c + 1) as u64;
        let cost = windows * (7 * n as u64 + 18 * (1u64 << (c - 1)));
        if cost < best.0 {
            best = (cost, c);
        }
    }
    best.1
}

/// Σ [s_i]P_i by the bucket method with signed radix-2^c digits (variable time), for
/// scalars of at most `bits` bits (≤ 256). Returns `None` only when memory runs out.
pub fn pippenger(scalars: &[Scalar], points: &[AffineNiels], bits: usize) -> Option<EdwardsPoint> {
    let c = pippenger_window(scalars.len().min(points.len()), bits);
    pippenger_with_window(scalars, points, bits, c)
}

/// [`pippenger`] with a given window width c (4 ≤ c ≤ 15).
pub fn pippenger_with_window(scalars: &[Scalar], points: &[AffineNiels], bits: usize, c: usize) -> Option<EdwardsPoint> {
    let n = scalars.len().min(points.len());
    if n == 0 {
        return Some(EdwardsPoint::IDENTITY);
    }
    let c = c.max(1).min(15);
    let windows = (bits + c - 1) / c + 1;
    // digits[i * windows + j]: digit j of scalar i.
    let mut digits: Vec<i16> = Vec::new();
    digits.try_reserve_exact(n * windows).ok()?;
    digits.resize(n * windows, 0);
    for i in 0..n {
        scalars[i].signed_radix_digits(c, bits, &mut digits[i * windows..(i + 1) * windows]);
    }
    let buckets_len = 1usize << (c - 1);
    let mut buckets: Vec<EdwardsPoint> = Vec::new();
    buckets.try_reserve_exact(buckets_len + 1).ok()?;
    buckets.resize(buckets_len + 1, EdwardsPoint::IDENTITY);
    let mut filled: Vec<bool> = Vec::new();
    filled.try_reserve_exact(buckets_len + 1).ok()?;
    filled.resize(buckets_len + 1, false);

    let mut acc = EdwardsPoint::IDENTITY;
    for j in (0..windows).rev() {
        // acc ← 2^c · acc
        if j + 1 < windows {
            let mut p = acc.to_projective();
            for _ in 1..c {
                p = p.double().to_projective();
            }
            acc = p.double().to_extended();
        }
        for f in filled.iter_mut() {
            *f = false;
        }
        // Sort each point into the bucket of |digit| (digits ≤ 2^(c−1): the top digit may
        // equal 2^(c−1), bucket index buckets_len).
        let mut max_bucket = 0usize;
        for i in 0..n {
            let d = digits[i * windows + j];
            if d == 0 {
                continue;
            }
            let b = d.unsigned_abs() as usize;
            let p = if d > 0 { points[i] } else { points[i].neg() };
            if filled[b] {
                buckets[b] = buckets[b].add_affine_niels(&p).to_extended();
            } else {
                buckets[b] = p.to_extended();
                filled[b] = true;
            }
            max_bucket = max_bucket.max(b);
        }
        if max_bucket == 0 {
            continue;
        }
        // Σ_b b·bucket[b] = Σ_b (Σ_{b' ≥ b} bucket[b']) with a running sum.
        let mut running = EdwardsPoint::IDENTITY;
        let mut sum = EdwardsPoint::IDENTITY;
        let mut running_set = false;
        for b in (1..=max_bucket).rev() {
            if filled[b] {
                running = if running_set { running.add(&buckets[b]) } else { buckets[b] };
                running_set = true;
            }
            if running_set {
                sum = sum.add(&running);
            }
        }
        acc = acc.add(&sum);
    }
    Some(acc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ed25519::field::tests::TestRng;
    use crate::ed25519::point::tests::{mul_ref, random_scalar, torsion8};

    fn random_point(rng: &mut TestRng) -> EdwardsPoint {
        let b = EdwardsPoint::basepoint();
        let p = mul_ref(&b, &random_scalar(rng));
        // Half of them with a torsion component, as adversarial batch inputs have.
        if rng.next() & 1 == 1 { p.add(&torsion8()) } else { p }
    }

    #[test]
    fn double_base_matches_reference() {
        let mut rng = TestRng(31);
        let b = EdwardsPoint::basepoint();
        for round in 0..20 {
            let p = random_point(&mut rng);
            let (s, t) = (random_scalar(&mut rng), random_scalar(&mut rng));
            let s = if round == 0 { Scalar::ZERO } else { s };
            let t = if round == 1 { Scalar::ZERO } else { t };
            let expect = mul_ref(&p, &s).add(&mul_ref(&b, &t));
            assert!(double_base_mul(&s, &p, &t).equals(&expect));
        }
        assert!(double_base_mul(&Scalar::ZERO, &b, &Scalar::ZERO).is_identity());
    }

    #[test]
    fn half_size_sum_matches_reference() {
        let mut rng = TestRng(34);
        let b = EdwardsPoint::basepoint();
        for _ in 0..10 {
            let (p, q) = (random_point(&mut rng), random_point(&mut rng));
            let w = random_scalar(&mut rng);
            let u = ((rng.next() as u128) << 64 | rng.next() as u128) >> (rng.next() % 8);
            let v = (rng.next() as u128) << 64 | rng.next() as u128;
            let expect = mul_ref(&b, &w).add(&mul_ref(&p, &Scalar::from_u128(u))).add(&mul_ref(&q, &Scalar::from_u128(v)));
            let got = half_size_sum(&w, u, &OddMultiples::new(&p), v, &OddMultiples::new(&q));
            assert!(got.equals(&expect));
        }
        let t = base128_table();
        let b128 = mul_ref(&b, &Scalar([0, 0, 0, 0, 1, 0, 0, 0]));
        assert!(t.0[0].to_extended().equals(&b128));
        assert!(t.0[63].to_extended().equals(&mul_ref(&b128, &Scalar::from_u128(127))));
    }

    #[test]
    fn base_table_entries() {
        let b = EdwardsPoint::basepoint();
        let table = base_table();
        for (k, entry) in table.0.iter().enumerate() {
            let expect = mul_ref(&b, &Scalar::from_u128(2 * k as u128 + 1));
            assert!(entry.to_extended().equals(&expect), "entry {}", k);
        }
    }

    #[test]
    fn straus_and_pippenger_match_reference() {
        let mut rng = TestRng(32);
        for &n in &[1usize, 2, 5, 17, 70] {
            let points: Vec<EdwardsPoint> = (0..n).map(|_| random_point(&mut rng)).collect();
            for short in [false, true] {
                let scalars: Vec<Scalar> = (0..n)
                    .map(|_| {
                        if short {
                            Scalar::from_u128(((rng.next() as u128) << 64) | rng.next() as u128)
                        } else {
                            random_scalar(&mut rng)
                        }
                    })
                    .collect();
                let mut expect = EdwardsPoint::IDENTITY;
                for i in 0..n {
                    expect = expect.add(&mul_ref(&points[i], &scalars[i]));
                }
                assert!(straus(&scalars, &points).equals(&expect), "straus n={}", n);
                let affine: Vec<AffineNiels> = points.iter().map(|p| p.to_affine_niels()).collect();
                let bits = if short { 128 } else { 253 };
                assert!(pippenger(&scalars, &affine, bits).unwrap().equals(&expect), "pippenger n={} bits={}", n, bits);
            }
        }
    }

    #[test]
    fn pippenger_every_window_width() {
        let mut rng = TestRng(33);
        let n = 12;
        let points: Vec<EdwardsPoint> = (0..n).map(|_| random_point(&mut rng)).collect();
        let scalars: Vec<Scalar> = (0..n).map(|_| random_scalar(&mut rng)).collect();
        let mut expect = EdwardsPoint::IDENTITY;
        for i in 0..n {
            expect = expect.add(&mul_ref(&points[i], &scalars[i]));
        }
        let affine: Vec<AffineNiels> = points.iter().map(|p| p.to_affine_niels()).collect();
        for c in 1..=15 {
            assert!(pippenger_with_window(&scalars, &affine, 253, c).unwrap().equals(&expect), "c={}", c);
        }
        for &(n, bits) in &[(1usize, 128usize), (10, 253), (1000, 128), (100_000, 253)] {
            assert!((4..=15).contains(&pippenger_window(n, bits)));
        }
    }
}
