//! The two curves, as the constants the generic code needs, and each one's table of odd
//! multiples of the generator (built on first use, then shared).

use super::comb::CombTable;
use super::field::Field;
use super::mul::{odd_multiples, W_G};
use super::point::{Affine, Jacobian};
use super::{p256, p384};
use std::cell::RefCell;
use std::sync::Once;

/// Radix of G's fixed-base table: 2^6, 32 affine points per digit position (44 positions
/// for P-256, 66 for P-384), built on first use.
pub const G_COMB_W: u32 = 6;

/// A public key recently verified with, and its fixed-base table once it has been used
/// often enough to pay for one (see `super::KEY_TABLE_AFTER`).
pub struct KeyEntry<F: Field> {
    /// The SEC 1 encoding the key arrived as.
    pub enc: Vec<u8>,
    /// The decoded, validated point.
    pub q: Affine<F>,
    /// Verifications with this key so far.
    pub uses: u32,
    /// Its table, once built.
    pub table: Option<CombTable<F>>,
}

/// A short Weierstrass curve y^2 = x^3 - 3x + b of prime order n (cofactor 1).
pub trait Curve {
    /// The base field.
    type F: Field;
    /// The coefficient b.
    fn b() -> Self::F;
    /// The generator G.
    fn g() -> Affine<Self::F>;
    /// The group order n, little-endian limbs (as many as the field).
    fn order() -> &'static [u32];
    /// [G, 3G, 5G, ..., (2^(W_G-1) - 1) G], affine.
    fn g_table() -> &'static [Affine<Self::F>];
    /// G's fixed-base table (radix 2^[`G_COMB_W`]); `None` only if it could not be built.
    fn g_comb() -> Option<&'static CombTable<Self::F>>;
    /// Run `f` on this curve's cache of recently used keys.
    fn with_keys<T>(f: impl FnOnce(&mut Vec<KeyEntry<Self::F>>) -> T) -> T;
}

/// G's odd multiples as affine points (one shared inversion).
fn build_g_table<C: Curve>() -> Vec<Affine<C::F>> {
    let t = odd_multiples(&Jacobian::from_affine(&C::g()), W_G);
    // None only if a multiple were at infinity, impossible below the group order.
    Jacobian::batch_to_affine(&t).unwrap_or_default()
}

/// NIST P-256.
pub struct P256;
/// NIST P-384.
pub struct P384;

static P256_ONCE: Once = Once::new();
static mut P256_TABLE: Vec<Affine<p256::Fe>> = Vec::new();
static mut P256_COMB: Option<CombTable<p256::Fe>> = None;
static P384_ONCE: Once = Once::new();
static mut P384_TABLE: Vec<Affine<p384::Fe>> = Vec::new();
static mut P384_COMB: Option<CombTable<p384::Fe>> = None;

thread_local! {
    static P256_KEYS: RefCell<Vec<KeyEntry<p256::Fe>>> = RefCell::new(Vec::new());
    static P384_KEYS: RefCell<Vec<KeyEntry<p384::Fe>>> = RefCell::new(Vec::new());
}

impl Curve for P256 {
    type F = p256::Fe;
    fn b() -> p256::Fe {
        p256::B
    }
    fn g() -> Affine<p256::Fe> {
        Affine { x: p256::GX, y: p256::GY }
    }
    fn order() -> &'static [u32] {
        &p256::N
    }
    fn g_table() -> &'static [Affine<p256::Fe>] {
        // SAFETY: written exactly once inside call_once, read-only afterwards.
        unsafe {
            P256_ONCE.call_once(|| {
                *core::ptr::addr_of_mut!(P256_TABLE) = build_g_table::<P256>();
                *core::ptr::addr_of_mut!(P256_COMB) = CombTable::new(&Self::g(), G_COMB_W, 8);
            });
            &*core::ptr::addr_of!(P256_TABLE)
        }
    }
    fn g_comb() -> Option<&'static CombTable<Self::F>> {
        Self::g_table(); // runs the one-time initialisation
        // SAFETY: as in g_table.
        unsafe { (*core::ptr::addr_of!(P256_COMB)).as_ref() }
    }
    fn with_keys<T>(f: impl FnOnce(&mut Vec<KeyEntry<Self::F>>) -> T) -> T {
        P256_KEYS.with(|k| f(&mut k.borrow_mut()))
    }
}

impl Curve for P384 {
    type F = p384::Fe;
    fn b() -> p384::Fe {
        p384::B
    }
    fn g() -> Affine<p384::Fe> {
        Affine { x: p384::GX, y: p384::GY }
    }
    fn order() -> &'static [u32] {
        &p384::N
    }
    fn g_table() -> &'static [Affine<p384::Fe>] {
        // SAFETY: written exactly once inside call_once, read-only afterwards.
        unsafe {
            P384_ONCE.call_once(|| {
                *core::ptr::addr_of_mut!(P384_TABLE) = build_g_table::<P384>();
                *core::ptr::addr_of_mut!(P384_COMB) = CombTable::new(&Self::g(), G_COMB_W, 12);
            });
            &*core::ptr::addr_of!(P384_TABLE)
        }
    }
    fn g_comb() -> Option<&'static CombTable<Self::F>> {
        Self::g_table(); // runs the one-time initialisation
        // SAFETY: as in g_table.
        unsafe { (*core::ptr::addr_of!(P384_COMB)).as_ref() }
    }
    fn with_keys<T>(f: impl FnOnce(&mut Vec<KeyEntry<Self::F>>) -> T) -> T {
        P384_KEYS.with(|k| f(&mut k.borrow_mut()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ecdsa::mul::{double_scalar_mul, mul_simple};
    use crate::bigint::tests::Rng;

    fn order_and_table<C: Curve>() {
        let g = C::g();
        assert!(g.is_on_curve(&C::b()));
        // n G = infinity, (n-1) G = -G
        assert!(mul_simple(C::order(), &g).is_identity());
        let mut nm1 = C::order().to_vec();
        crate::bigint::sub_assign(&mut nm1, &[1]);
        assert_eq!(mul_simple(&nm1, &g).to_affine().unwrap(), g.neg());
        let t = C::g_table();
        assert_eq!(t.len(), 1 << (W_G - 2));
        for (i, p) in t.iter().enumerate() {
            assert!(p.is_on_curve(&C::b()));
            assert_eq!(mul_simple(&[2 * i as u32 + 1], &g).to_affine().unwrap(), *p);
        }
    }

    fn straus_matches_simple<C: Curve>(limbs: usize) {
        let mut rng = Rng(17);
        let g = C::g();
        let q = mul_simple(&rng.limbs(limbs), &g).to_affine().unwrap();
        for t in 0..20 {
            let mut u1 = rng.limbs(limbs);
            let mut u2 = rng.limbs(limbs);
            if t == 0 {
                u1 = vec![0; limbs];
            }
            if t == 1 {
                u2 = vec![0; limbs];
            }
            if t == 2 {
                u1 = C::order().to_vec();
                crate::bigint::sub_assign(&mut u1, &[1]);
                u2 = vec![0; limbs];
                u2[0] = 1;
            }
            let a = double_scalar_mul::<C>(&u1, &u2, &q).to_affine();
            let b = mul_simple(&u1, &g).add(&mul_simple(&u2, &q)).to_affine();
            assert_eq!(a, b);
        }
        // u1 G + u2 Q with Q = G and u2 = n - u1: infinity
        let u1 = rng.limbs(limbs);
        let mut u1r = u1.clone();
        while crate::bigint::cmp(&u1r, C::order()) != core::cmp::Ordering::Less {
            crate::bigint::sub_assign(&mut u1r, C::order());
        }
        let mut u2 = C::order().to_vec();
        crate::bigint::sub_assign(&mut u2, &u1r);
        assert!(double_scalar_mul::<C>(&u1r, &u2, &g).is_identity());
        // u1 = u2 with Q = G: the additions meet the doubling case
        let r = double_scalar_mul::<C>(&u1r, &u1r, &g).to_affine();
        let mut two = vec![0u32; limbs];
        two[0] = 2;
        let r2 = mul_simple(&u1r, &mul_simple(&two, &g).to_affine().unwrap()).to_affine();
        assert_eq!(r, r2);
    }

    #[test]
    fn p256_group() {
        order_and_table::<P256>();
        straus_matches_simple::<P256>(8);
    }

    #[test]
    fn p384_group() {
        order_and_table::<P384>();
        straus_matches_simple::<P384>(12);
    }
}
