//! Single Ed25519 verification (RFC 8032 §5.1.7) under tufkit's acceptance rules.
//!
//! # The rules (crypto-wasm/README.md, "Ed25519 acceptance rules", explains the choices)
//!
//! A signature (R ‖ S) by public key A on message M is accepted exactly when
//!
//! 1. the key is 32 bytes and the signature 64 bytes;
//! 2. S < L (RFC 8032 §5.1.7 step 1);
//! 3. A and R are canonical encodings of curve points (RFC 8032 §5.1.3: y < p, a square
//!    root exists, and not "x = 0 with sign bit 1");
//! 4. neither A nor R has small order (is one of the 8 points of E[8]);
//! 5. the cofactored equation [8][S]B = [8]R + [8][k]A holds, with
//!    k = SHA-512(R ‖ A ‖ M) mod L (RFC 8032 §5.1.7 step 3, "sufficient, but not required"
//!    to also check the cofactorless one; we use the cofactored one because batch
//!    verification with random coefficients is only sound for it — see batch.rs).
//!
//! [`check`] names the first rule an input breaks (in the order 1, 2, 3 for A, 3 for R,
//! 4 for A, 4 for R, 5); [`verify`] is `check(..) == Ok(())`. The batch verifier
//! (batch.rs) applies rules 1–4 with the same functions (cheapest first: the accept/reject
//! outcome does not depend on the order) and rule 5 via [`equation_holds`] or a random
//! linear combination of it.

use std::cell::RefCell;

use super::field::is_canonical;
use super::msm::{half_size_sum, OddMultiples};
use super::scalar::half_size_multiple;
use super::point::{is_small_order_encoding, EdwardsPoint};
use super::scalar::Scalar;
use crate::sha2::Sha512;

/// Why a signature was rejected (the first rule it breaks, in the order above).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i32)]
pub enum Reject {
    /// Rule 1: key not 32 bytes or signature not 64 bytes.
    Length = 1,
    /// Rule 2: S ≥ L.
    NonCanonicalS = 2,
    /// Rule 3: A is not a canonical encoding of a point.
    InvalidA = 3,
    /// Rule 3: R is not a canonical encoding of a point.
    InvalidR = 4,
    /// Rule 4: A has small order.
    SmallOrderA = 5,
    /// Rule 4: R has small order.
    SmallOrderR = 6,
    /// Rule 5: the cofactored verification equation does not hold.
    Equation = 7,
}

/// The parts of a signature that passed rules 1–4, ready for the equation.
pub struct Decoded {
    pub a: EdwardsPoint,
    pub r: EdwardsPoint,
    pub s: Scalar,
}

/// Rule 2: S as a scalar, if canonical.
pub fn decode_s(sig: &[u8; 64]) -> Result<Scalar, Reject> {
    let mut s_bytes = [0u8; 32];
    s_bytes.copy_from_slice(&sig[32..]);
    Scalar::from_canonical_bytes(&s_bytes).ok_or(Reject::NonCanonicalS)
}

/// Rules 3–4 for a public key: the decoded point A.
pub fn decode_key(key: &[u8; 32]) -> Result<EdwardsPoint, Reject> {
    let a = EdwardsPoint::decompress(key).ok_or(Reject::InvalidA)?;
    if is_small_order_encoding(key) {
        return Err(Reject::SmallOrderA);
    }
    Ok(a)
}

/// Rules 3–4 for R: the decoded point R.
pub fn decode_r(sig: &[u8; 64]) -> Result<EdwardsPoint, Reject> {
    let r_bytes = r_of(sig);
    let r = EdwardsPoint::decompress(&r_bytes).ok_or(Reject::InvalidR)?;
    if is_small_order_encoding(&r_bytes) {
        return Err(Reject::SmallOrderR);
    }
    Ok(r)
}

/// The byte-level part of rules 3–4 for R: false when R is certainly rejected (not
/// canonical, or small order) — lets the batch skip decompressing it. A `true` still
/// needs [`decode_r`].
pub fn r_bytes_plausible(sig: &[u8; 64]) -> bool {
    let r_bytes = r_of(sig);
    is_canonical(&r_bytes) && !is_small_order_encoding(&r_bytes)
}

/// The first 32 bytes of a signature.
pub fn r_of(sig: &[u8; 64]) -> [u8; 32] {
    let mut r = [0u8; 32];
    r.copy_from_slice(&sig[..32]);
    r
}

/// SHA-512(R ‖ A ‖ M) as 64 bytes (reduce with [`Scalar::from_bytes_wide`]).
pub fn challenge_digest(sig: &[u8; 64], key: &[u8; 32], msg: &[u8]) -> [u8; 64] {
    let mut h = Sha512::new();
    h.update(&sig[..32]);
    h.update(key);
    h.update(msg);
    h.finalize()
}

/// Rule 5: [8]([S]B − [k]A − R) is the identity.
pub fn equation_holds(a: &EdwardsPoint, r: &EdwardsPoint, k: &Scalar, s: &Scalar) -> bool {
    equation_holds_with(&OddMultiples::new(&a.neg()), r, k, s)
}

/// Rule 5 with the odd multiples of −A given (cached per key by [`check`]).
///
/// With (u, v) = [`half_size_multiple`]`(k)` (u ≡ v·k mod L, both ≤ 2^126, v ≠ 0) the
/// check is [8]([v·S mod L]B − [u]A − [v]R) = 0: it is v times the rule-5 point, up to
/// multiples of L·A (torsion, removed by the 8), and v is invertible mod L, so it holds
/// exactly when rule 5 does. All four scalars (the base-point one split in halves) are
/// 128-bit: half the doublings of computing [S]B − [k]A directly.
pub fn equation_holds_with(neg_a: &OddMultiples, r: &EdwardsPoint, k: &Scalar, s: &Scalar) -> bool {
    let (u, v) = half_size_multiple(k);
    let v_abs = Scalar::from_u128(v.unsigned_abs());
    let v_mod_l = if v < 0 { v_abs.neg() } else { v_abs };
    let w = v_mod_l.mul(s);
    // −[v]R = [|v|](−R) for v > 0, [|v|]R for v < 0.
    let q = if v > 0 { r.neg() } else { *r };
    half_size_sum(&w, u, neg_a, v.unsigned_abs(), &OddMultiples::new(&q)).mul_by_cofactor().is_identity()
}

/// The last few keys that passed rules 3–4, with the odd multiples of −A: TUF verifies the
/// same keys again and again (as node:crypto callers cache KeyObjects).
struct KeyCache {
    entries: Vec<([u8; 32], OddMultiples)>,
    next: usize,
}

const KEY_CACHE_SIZE: usize = 8;

thread_local! {
    static KEY_CACHE: RefCell<KeyCache> = RefCell::new(KeyCache { entries: Vec::new(), next: 0 });
}

/// Rules 3–4 for A through the cache: the odd multiples of −A, or why A is rejected.
fn key_table(key: &[u8; 32]) -> Result<OddMultiples, Reject> {
    let hit = KEY_CACHE.with(|c| c.borrow().entries.iter().find(|(k, _)| k == key).map(|(_, t)| OddMultiples(t.0)));
    if let Some(t) = hit {
        return Ok(t);
    }
    let a = EdwardsPoint::decompress(key).ok_or(Reject::InvalidA)?;
    if is_small_order_encoding(key) {
        return Err(Reject::SmallOrderA);
    }
    let table = OddMultiples::new(&a.neg());
    KEY_CACHE.with(|c| {
        let mut c = c.borrow_mut();
        let copy = OddMultiples(table.0);
        if c.entries.len() < KEY_CACHE_SIZE {
            if c.entries.try_reserve(1).is_ok() {
                c.entries.push((*key, copy));
            }
        } else {
            let slot = c.next;
            c.entries[slot] = (*key, copy);
            c.next = (slot + 1) % KEY_CACHE_SIZE;
        }
    });
    Ok(table)
}

/// Rules 1–4 on byte slices, in that order: the decoded signature.
pub fn decode(key: &[u8], sig: &[u8]) -> Result<([u8; 32], [u8; 64], Decoded), Reject> {
    if key.len() != 32 || sig.len() != 64 {
        return Err(Reject::Length);
    }
    let mut key32 = [0u8; 32];
    key32.copy_from_slice(key);
    let mut sig64 = [0u8; 64];
    sig64.copy_from_slice(sig);
    let s = decode_s(&sig64)?;
    let a = EdwardsPoint::decompress(&key32).ok_or(Reject::InvalidA)?;
    let r = EdwardsPoint::decompress(&r_of(&sig64)).ok_or(Reject::InvalidR)?;
    if is_small_order_encoding(&key32) {
        return Err(Reject::SmallOrderA);
    }
    if is_small_order_encoding(&r_of(&sig64)) {
        return Err(Reject::SmallOrderR);
    }
    Ok((key32, sig64, Decoded { a, r, s }))
}

/// Rules 1–4 with the key through the cache: S, the odd multiples of −A, and R.
fn decode_cached(key: &[u8], sig: &[u8]) -> Result<(Scalar, OddMultiples, EdwardsPoint), Reject> {
    if key.len() != 32 || sig.len() != 64 {
        return Err(Reject::Length);
    }
    let mut key32 = [0u8; 32];
    key32.copy_from_slice(key);
    let mut sig64 = [0u8; 64];
    sig64.copy_from_slice(sig);
    let s = decode_s(&sig64)?;
    let a = key_table(&key32);
    if let Err(Reject::InvalidA) = a {
        return Err(Reject::InvalidA);
    }
    let r_bytes = r_of(&sig64);
    let r = EdwardsPoint::decompress(&r_bytes).ok_or(Reject::InvalidR)?;
    let a = a?; // small-order A (rule 4) after R's rule 3
    if is_small_order_encoding(&r_bytes) {
        return Err(Reject::SmallOrderR);
    }
    Ok((s, a, r))
}

/// Check one signature on `msg`: `Ok(())` when accepted, else the first rule broken.
pub fn check(key: &[u8], msg: &[u8], sig: &[u8]) -> Result<(), Reject> {
    let (s, neg_a, r) = decode_cached(key, sig)?;
    let k = Scalar::from_bytes_wide(&challenge_digest(sig.try_into().map_err(|_| Reject::Length)?, key.try_into().map_err(|_| Reject::Length)?, msg));
    if equation_holds_with(&neg_a, &r, &k, &s) {
        Ok(())
    } else {
        Err(Reject::Equation)
    }
}

/// As [`check`] with the challenge digest SHA-512(R ‖ A ‖ M) computed by the caller.
pub fn check_prehashed(key: &[u8], digest: &[u8; 64], sig: &[u8]) -> Result<(), Reject> {
    let (s, neg_a, r) = decode_cached(key, sig)?;
    let k = Scalar::from_bytes_wide(digest);
    if equation_holds_with(&neg_a, &r, &k, &s) {
        Ok(())
    } else {
        Err(Reject::Equation)
    }
}

/// True when the signature is accepted (see the module documentation).
pub fn verify(key: &[u8], msg: &[u8], sig: &[u8]) -> bool {
    check(key, msg, sig).is_ok()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ed25519::msm::double_base_mul;
    use crate::ed25519::field::tests::TestRng;
    use crate::ed25519::point::tests::{random_scalar, torsion8};
    use crate::ed25519::point::SMALL_ORDER_ENCODINGS;
    use crate::sha2::sha512;

    /// RFC 8032 §5.1.5 key generation and §5.1.6 signing (tests only: the core verifies).
    pub struct TestKey {
        pub a: Scalar,
        pub prefix: [u8; 32],
        pub public: [u8; 32],
    }

    impl TestKey {
        pub fn from_seed(seed: &[u8; 32]) -> TestKey {
            let h = sha512(seed);
            let mut a_bytes = [0u8; 32];
            a_bytes.copy_from_slice(&h[..32]);
            a_bytes[0] &= 248;
            a_bytes[31] &= 127;
            a_bytes[31] |= 64;
            let mut wide = [0u8; 64];
            wide[..32].copy_from_slice(&a_bytes);
            let a = Scalar::from_bytes_wide(&wide);
            let mut prefix = [0u8; 32];
            prefix.copy_from_slice(&h[32..]);
            let public = double_base_mul(&Scalar::ZERO, &EdwardsPoint::IDENTITY, &a).compress();
            TestKey { a, prefix, public }
        }

        pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
            let mut h = Sha512::new();
            h.update(&self.prefix);
            h.update(msg);
            let r = Scalar::from_bytes_wide(&h.finalize());
            let r_enc = double_base_mul(&Scalar::ZERO, &EdwardsPoint::IDENTITY, &r).compress();
            let mut sig = [0u8; 64];
            sig[..32].copy_from_slice(&r_enc);
            let k = Scalar::from_bytes_wide(&challenge_digest(&sig, &self.public, msg));
            sig[32..].copy_from_slice(&r.add(&k.mul(&self.a)).to_bytes());
            sig
        }
    }

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn rfc8032_test1_and_test2() {
        // RFC 8032 §7.1 TEST 1 (empty message) and TEST 2 (one byte 0x72).
        let cases = [
            (
                "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
            ),
            (
                "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
                "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
            ),
        ];
        for (seed, public, msg, sig) in cases.iter() {
            let mut seed32 = [0u8; 32];
            seed32.copy_from_slice(&unhex(seed));
            let key = TestKey::from_seed(&seed32);
            assert_eq!(key.public.to_vec(), unhex(public));
            let m = unhex(msg);
            assert_eq!(key.sign(&m).to_vec(), unhex(sig));
            assert_eq!(check(&key.public, &m, &unhex(sig)), Ok(()));
            let mut bad = unhex(sig);
            bad[10] ^= 1;
            assert!(!verify(&key.public, &m, &bad));
        }
    }

    #[test]
    fn each_rule_rejects() {
        let mut rng = TestRng(41);
        let key = TestKey::from_seed(&rng.bytes32());
        let msg = b"tufkit";
        let sig = key.sign(msg);
        assert_eq!(check(&key.public, msg, &sig), Ok(()));
        assert_eq!(check(&key.public[..31], msg, &sig), Err(Reject::Length));
        assert_eq!(check(&key.public, msg, &sig[..63]), Err(Reject::Length));
        assert_eq!(check(&[], msg, &[]), Err(Reject::Length));
        // S + L: same value mod L, rejected as non-canonical.
        let mut s_plus_l = sig;
        let s = Scalar::from_canonical_bytes(&sig[32..].try_into().unwrap()).unwrap();
        let mut carry = 0u16;
        let l = Scalar(crate::ed25519::scalar::L).to_bytes();
        let sb = s.to_bytes();
        for i in 0..32 {
            let t = sb[i] as u16 + l[i] as u16 + carry;
            s_plus_l[32 + i] = t as u8;
            carry = t >> 8;
        }
        assert_eq!(carry, 0);
        assert_eq!(check(&key.public, msg, &s_plus_l), Err(Reject::NonCanonicalS));
        // Small-order keys and R.
        for enc in SMALL_ORDER_ENCODINGS.iter() {
            assert_eq!(check(enc, msg, &sig), Err(Reject::SmallOrderA));
            let mut s2 = sig;
            s2[..32].copy_from_slice(enc);
            assert_eq!(check(&key.public, msg, &s2), Err(Reject::SmallOrderR));
        }
        // A key that is not a point.
        let mut not_point = [0u8; 32];
        not_point[0] = 2;
        while EdwardsPoint::decompress(&not_point).is_some() {
            not_point[0] += 1;
        }
        assert_eq!(check(&not_point, msg, &sig), Err(Reject::InvalidA));
        let mut s3 = sig;
        s3[..32].copy_from_slice(&not_point);
        assert_eq!(check(&key.public, msg, &s3), Err(Reject::InvalidR));
        // Non-canonical y (y + p for a small y with a point, kept below 2^255).
        let mut noncanon = [0xffu8; 32];
        noncanon[31] = 0x7f;
        noncanon[0] = 0xee; // p + 1: y = 1 (the identity, also small order)
        assert_eq!(check(&noncanon, msg, &sig), Err(Reject::InvalidA));
        // Wrong message.
        assert_eq!(check(&key.public, b"tufkiT", &sig), Err(Reject::Equation));
    }

    /// The half-size equation (used) against the direct one ([S]B − [k]A − R, times 8).
    #[test]
    fn half_size_equation_matches_direct() {
        let mut rng = TestRng(43);
        let b = EdwardsPoint::basepoint();
        let t8 = torsion8();
        for round in 0..60 {
            let a = double_base_mul(&Scalar::ZERO, &b, &random_scalar(&mut rng));
            let a = if round % 3 == 0 { a.add(&t8) } else { a };
            let (k, s) = (random_scalar(&mut rng), random_scalar(&mut rng));
            // R = [S]B − [k]A (+ torsion, + a prime-order error), so that every outcome occurs.
            let mut r = double_base_mul(&k, &a.neg(), &s);
            if round % 4 == 1 {
                r = r.add(&t8.double());
            }
            if round % 5 == 2 {
                r = r.add(&b);
            }
            let direct = double_base_mul(&k, &a.neg(), &s).sub(&r).mul_by_cofactor().is_identity();
            assert_eq!(equation_holds(&a, &r, &k, &s), direct, "round {}", round);
            assert_eq!(direct, round % 5 != 2);
        }
    }

    #[test]
    fn cofactored_equation_accepts_torsion_residue() {
        // R' = R + T8 (T8 of order 8), S unchanged: the cofactorless equation
        // [S]B = R' + [k']A fails (k' is recomputed from R'), but... construct instead a
        // signature whose residue R + [k]A − [S]B is a torsion point: sign honestly with
        // nonce r, then publish R' = [r]B + T8 and S' = r + k'·a with k' = H(R' ‖ A ‖ M).
        let mut rng = TestRng(42);
        let key = TestKey::from_seed(&rng.bytes32());
        let msg = b"residue";
        let r = random_scalar(&mut rng);
        let r_point = double_base_mul(&Scalar::ZERO, &EdwardsPoint::IDENTITY, &r).add(&torsion8());
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_point.compress());
        let k = Scalar::from_bytes_wide(&challenge_digest(&sig, &key.public, msg));
        sig[32..].copy_from_slice(&r.add(&k.mul(&key.a)).to_bytes());
        // [S]B − [k]A − R' = −T8 ≠ 0, but [8]·(−T8) = 0: accepted (cofactored).
        assert_eq!(check(&key.public, msg, &sig), Ok(()));
        let d = decode(&key.public, &sig).unwrap().2;
        let cofactorless = double_base_mul(&k, &d.a.neg(), &d.s).sub(&d.r).is_identity();
        assert!(!cofactorless);
    }
}
