//! Batch Ed25519 verification with per-item answers.
//!
//! # Method
//!
//! Items are first held to rules 1–4 of verify.rs one by one (the same functions as the
//! single verifier). For the survivors, with independent uniformly random 128-bit z_i, the
//! batch accepts when
//!
//! ```text
//! [8]( Σ_i [z_i]R_i + Σ_A [Σ_{i: A_i = A} z_i·k_i mod L]A − [Σ_i z_i·s_i mod L]B ) = 0
//! ```
//!
//! (Bernstein et al., *High-speed high-security signatures*, 2011, §5, in its cofactored
//! form; items signed by the same key share one point A and one scalar). One multi-scalar
//! multiplication: the R_i (128-bit scalars) go through Pippenger's bucket method (Straus for
//! few points), the keys and B (full scalars) through Straus or Pippenger by count.
//!
//! Why it is sound and why it matches the single verifier: let Q_i = [8](R_i + [k_i]A_i −
//! [s_i]B). Every Q_i lies in the prime-order subgroup (the factor 8 removes torsion, and
//! reducing scalars mod L changes only torsion, which the 8 also removes). If every item
//! satisfies rule 5 (Q_i = 0) the sum is 0: the batch accepts all valid items. If some
//! Q_j ≠ 0, then for any fixed values of the other z_i at most one value of z_j mod L makes
//! the sum vanish, so the batch accepts with probability ≤ 2^-128. Without the factor 8 this
//! fails: a torsion residue T (Q_i of order 2, 4 or 8) vanishes whenever 8 | z_i, i.e. with
//! probability 1/8 — the reason the single verifier uses the cofactored equation too.
//!
//! # Per-item answers
//!
//! When the whole batch fails, it is bisected: a failing half is split again, a half that
//! passes is accepted as a whole, and a single item is decided by the single verifier's
//! equation ([`equation_holds`]). If a sixteenth of the items turn out invalid, the rest is
//! decided item by item (bisection only pays when failures are rare).
//!
//! # Coefficients
//!
//! z_i come from ChaCha20 keyed with SHA-512("tufkit-ed25519-batch-v1" ‖ seed ‖ the
//! items' challenge digests and S values)[..32], where `seed` is 32 fresh bytes from the
//! host's CSPRNG for every call: unpredictable to whoever made the signatures, and fresh
//! per batch even if the host were to repeat a seed.

use core::ops::Range;

use super::msm::{pippenger, straus};
use super::point::{AffineNiels, EdwardsPoint};
use super::scalar::Scalar;
use super::verify::{challenge_digest, decode_key, decode_r, decode_s, equation_holds, r_bytes_plausible};
use crate::chacha::ChaCha20Rng;
use crate::sha2::Sha512;

/// The message of a batch item, or the challenge digest SHA-512(R ‖ A ‖ M) the caller
/// computed for it (useful for long messages the host hashes faster).
#[derive(Clone, Copy)]
pub enum Message<'a> {
    Bytes(&'a [u8]),
    Digest(&'a [u8; 64]),
}

/// One signature to check.
#[derive(Clone, Copy)]
pub struct Item<'a> {
    pub key: &'a [u8],
    pub sig: &'a [u8],
    pub msg: Message<'a>,
}

/// Memory ran out (the caller reports `TK_ERR_NOMEM`).
#[derive(Debug, PartialEq, Eq)]
pub struct OutOfMemory;

/// Below this many points, Straus beats Pippenger (measured in wasm32, see README).
const STRAUS_MAX_SHORT: usize = 48;
const STRAUS_MAX_LONG: usize = 24;
/// A failing set is split into this many parts (fewer checks than halving when a few items
/// are bad: ≈ n·(1 + b/(SPLIT−1)) points re-checked for b bad items instead of ≈ n·b).
const SPLIT: usize = 8;

/// A distinct public key of the batch.
struct Key {
    point: EdwardsPoint,
    niels: AffineNiels,
}

/// An item that passed rules 1–4 (its R and z_i live in `Batch::r` / `Batch::z`, at the
/// same position, so that the multi-scalar multiplication reads them in place).
struct Prepared {
    /// Position in the caller's list.
    index: usize,
    key: usize,
    k: Scalar,
    s: Scalar,
    zk: Scalar,
    zs: Scalar,
}

/// The prepared batch. Every set checked is a contiguous range of positions (the whole, then
/// parts of parts), so no check copies points.
struct Batch {
    keys: Vec<Key>,
    items: Vec<Prepared>,
    r: Vec<AffineNiels>,
    z: Vec<Scalar>,
    /// Per key: the running sum of z_i·k_i of the current check, and whether it is in use
    /// (listed in `touched`).
    key_sums: Vec<Scalar>,
    key_used: Vec<bool>,
    touched: Vec<usize>,
    bad: usize,
    per_item: bool,
}

fn try_vec<T>(n: usize) -> Result<Vec<T>, OutOfMemory> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| OutOfMemory)?;
    Ok(v)
}

/// Verify `items`, writing `out[i] = true` exactly for the accepted ones (`out` has the
/// same length). `seed` must be fresh random bytes.
pub fn verify_batch(items: &[Item], seed: &[u8; 32], out: &mut [bool]) -> Result<(), OutOfMemory> {
    let n = items.len().min(out.len());
    for o in out.iter_mut() {
        *o = false;
    }
    // Rules 1, 2 and the byte-level part of 3–4 for R: cheap, before any field arithmetic.
    let mut candidates: Vec<(usize, [u8; 32], [u8; 64], Scalar)> = try_vec(n)?;
    for (i, item) in items.iter().enumerate().take(n) {
        if item.key.len() != 32 || item.sig.len() != 64 {
            continue;
        }
        let mut sig = [0u8; 64];
        sig.copy_from_slice(item.sig);
        let s = match decode_s(&sig) {
            Ok(s) => s,
            Err(_) => continue,
        };
        if !r_bytes_plausible(&sig) {
            continue;
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(item.key);
        candidates.push((i, key, sig, s));
    }
    // Distinct keys: sort by key bytes (no hashing of attacker-chosen keys), decode each once.
    let mut order: Vec<usize> = try_vec(candidates.len())?;
    order.extend(0..candidates.len());
    order.sort_unstable_by(|&a, &b| candidates[a].1.cmp(&candidates[b].1));
    let mut keys: Vec<Key> = try_vec(0)?;
    let mut key_of: Vec<Option<usize>> = try_vec(candidates.len())?;
    key_of.resize(candidates.len(), None);
    let mut pos = 0;
    while pos < order.len() {
        let key_bytes = candidates[order[pos]].1;
        let mut end = pos;
        while end < order.len() && candidates[order[end]].1 == key_bytes {
            end += 1;
        }
        if let Ok(point) = decode_key(&key_bytes) {
            keys.try_reserve(1).map_err(|_| OutOfMemory)?;
            keys.push(Key { point, niels: point.to_affine_niels_from_z1() });
            for &c in &order[pos..end] {
                key_of[c] = Some(keys.len() - 1);
            }
        }
        pos = end;
    }
    drop(order);
    // R, the challenges, and the transcript for the coefficients.
    let mut prepared: Vec<Prepared> = try_vec(candidates.len())?;
    let mut r_points: Vec<AffineNiels> = try_vec(candidates.len())?;
    let mut transcript = Sha512::new();
    transcript.update(b"tufkit-ed25519-batch-v1");
    transcript.update(seed);
    for (c, (i, key, sig, s)) in candidates.iter().enumerate() {
        let key_index = match key_of[c] {
            Some(k) => k,
            None => continue,
        };
        let r = match decode_r(sig) {
            Ok(r) => r,
            Err(_) => continue,
        };
        let digest = match items[*i].msg {
            Message::Bytes(m) => challenge_digest(sig, key, m),
            Message::Digest(d) => *d,
        };
        transcript.update(&digest);
        transcript.update(&sig[32..]);
        r_points.push(r.to_affine_niels_from_z1());
        prepared.push(Prepared { index: *i, key: key_index, k: Scalar::from_bytes_wide(&digest), s: *s, zk: Scalar::ZERO, zs: Scalar::ZERO });
    }
    drop(candidates);
    drop(key_of);
    let t = transcript.finalize();
    let mut rng_key = [0u8; 32];
    rng_key.copy_from_slice(&t[..32]);
    let mut rng = ChaCha20Rng::new(&rng_key);
    let mut z: Vec<Scalar> = try_vec(prepared.len())?;
    for p in prepared.iter_mut() {
        let zi = Scalar::from_u128(rng.next_u128());
        p.zk = zi.mul(&p.k);
        p.zs = zi.mul(&p.s);
        z.push(zi);
    }
    let count = prepared.len();
    let mut key_sums: Vec<Scalar> = try_vec(keys.len())?;
    key_sums.resize(keys.len(), Scalar::ZERO);
    let mut key_used: Vec<bool> = try_vec(keys.len())?;
    key_used.resize(keys.len(), false);
    let touched = try_vec(keys.len())?;
    let mut batch = Batch { keys, items: prepared, r: r_points, z, key_sums, key_used, touched, bad: 0, per_item: false };
    batch.resolve(0..count, false, out)
}

impl Batch {
    /// Decide every item of `range` (positions in `self.items`); `known_bad` when the set is
    /// already known to fail the batch equation.
    fn resolve(&mut self, range: Range<usize>, known_bad: bool, out: &mut [bool]) -> Result<(), OutOfMemory> {
        let len = range.len();
        if len == 0 {
            return Ok(());
        }
        if self.per_item || len == 1 {
            if len == 1 && known_bad {
                self.mark_bad();
                return Ok(());
            }
            for i in range {
                let p = &self.items[i];
                if equation_holds(&self.keys[p.key].point, &self.r[i].to_extended(), &p.k, &p.s) {
                    out[p.index] = true;
                } else {
                    self.mark_bad();
                }
            }
            return Ok(());
        }
        if !known_bad && self.equation_holds(range.clone())? {
            self.accept(range, out);
            return Ok(());
        }
        // Split into up to SPLIT parts and check each; the last part needs no check when
        // all the others passed (the failure must be there).
        let parts = SPLIT.min(len);
        let size = (len + parts - 1) / parts;
        let mut all_passed = true;
        let mut start = range.start;
        while start < range.end {
            let part = start..(start + size).min(range.end);
            start = part.end;
            if part.end == range.end && all_passed {
                return self.resolve(part, true, out);
            }
            if !self.per_item && self.equation_holds(part.clone())? {
                self.accept(part, out);
            } else {
                all_passed = false;
                // A part that failed its own check is known bad (unless the check was
                // skipped because the batch went item by item).
                let known = !self.per_item;
                self.resolve(part, known, out)?;
            }
        }
        Ok(())
    }

    fn accept(&self, range: Range<usize>, out: &mut [bool]) {
        for p in &self.items[range] {
            out[p.index] = true;
        }
    }

    fn mark_bad(&mut self) {
        self.bad += 1;
        if self.bad * 16 > self.items.len() && self.bad > 2 {
            self.per_item = true;
        }
    }

    /// The batch equation over `range` with the coefficients drawn for the batch.
    fn equation_holds(&mut self, range: Range<usize>) -> Result<bool, OutOfMemory> {
        // Short terms: [z_i]R_i.
        let (z, r) = (&self.z[range.clone()], &self.r[range.clone()]);
        let short = if range.len() <= STRAUS_MAX_SHORT {
            let mut points: Vec<EdwardsPoint> = try_vec(r.len())?;
            points.extend(r.iter().map(|p| p.to_extended()));
            straus(z, &points)
        } else {
            pippenger(z, r, 128).ok_or(OutOfMemory)?
        };
        // Long terms: [Σ z_i·k_i]A per key, and [−Σ z_i·s_i]B.
        let mut zs_total = Scalar::ZERO;
        for p in &self.items[range] {
            if !self.key_used[p.key] {
                self.key_used[p.key] = true;
                self.touched.push(p.key); // capacity: one slot per key, reserved up front
            }
            self.key_sums[p.key] = self.key_sums[p.key].add(&p.zk);
            zs_total = zs_total.add(&p.zs);
        }
        let m = self.touched.len() + 1;
        let mut scalars: Vec<Scalar> = try_vec(m)?;
        for &k in &self.touched {
            scalars.push(self.key_sums[k]);
        }
        scalars.push(zs_total.neg());
        let basepoint = EdwardsPoint::basepoint();
        let long = if m <= STRAUS_MAX_LONG {
            let mut pts: Vec<EdwardsPoint> = try_vec(m)?;
            for &k in &self.touched {
                pts.push(self.keys[k].point);
            }
            pts.push(basepoint);
            straus(&scalars, &pts)
        } else {
            let mut pts: Vec<AffineNiels> = try_vec(m)?;
            for &k in &self.touched {
                pts.push(self.keys[k].niels);
            }
            pts.push(basepoint.to_affine_niels_from_z1());
            pippenger(&scalars, &pts, 253).ok_or(OutOfMemory)?
        };
        for &k in &self.touched {
            self.key_sums[k] = Scalar::ZERO;
            self.key_used[k] = false;
        }
        self.touched.clear();
        Ok(short.add(&long).mul_by_cofactor().is_identity())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ed25519::field::tests::TestRng;
    use crate::ed25519::point::tests::{random_scalar, torsion8};
    use crate::ed25519::point::SMALL_ORDER_ENCODINGS;
    use crate::ed25519::verify::tests::TestKey;
    use crate::ed25519::verify::verify;
    use crate::ed25519::msm::double_base_mul;

    struct Owned {
        key: Vec<u8>,
        sig: Vec<u8>,
        msg: Vec<u8>,
    }

    fn run(items: &[Owned], seed: u8) -> Vec<bool> {
        let refs: Vec<Item> = items.iter().map(|o| Item { key: &o.key, sig: &o.sig, msg: Message::Bytes(&o.msg) }).collect();
        let mut out = vec![false; items.len()];
        verify_batch(&refs, &[seed; 32], &mut out).unwrap();
        out
    }

    fn singles(items: &[Owned]) -> Vec<bool> {
        items.iter().map(|o| verify(&o.key, &o.msg, &o.sig)).collect()
    }

    /// A signature whose residue [S]B − R − [k]A is the torsion point `t` (valid under the
    /// cofactored equation, invalid under the cofactorless one).
    fn torsion_residue_sig(key: &TestKey, msg: &[u8], rng: &mut TestRng, t: &EdwardsPoint) -> Vec<u8> {
        let r = random_scalar(rng);
        let r_point = double_base_mul(&Scalar::ZERO, &EdwardsPoint::IDENTITY, &r).add(t);
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&r_point.compress());
        let k = Scalar::from_bytes_wide(&challenge_digest(&sig, &key.public, msg));
        sig[32..].copy_from_slice(&r.add(&k.mul(&key.a)).to_bytes());
        sig.to_vec()
    }

    fn mixed_batch(rng: &mut TestRng, n: usize, shared: bool) -> Vec<Owned> {
        let shared_key = TestKey::from_seed(&rng.bytes32());
        (0..n)
            .map(|i| {
                let key = if shared { TestKey { a: shared_key.a, prefix: shared_key.prefix, public: shared_key.public } } else { TestKey::from_seed(&rng.bytes32()) };
                let msg = format!("message {}", i).into_bytes();
                let mut sig = key.sign(&msg).to_vec();
                let mut pk = key.public.to_vec();
                let mut m = msg.clone();
                match rng.next() % 13 {
                    0 => sig[5] ^= 4,                                   // bad R
                    1 => sig[40] ^= 1,                                  // bad S
                    2 => m.push(b'!'),                                  // wrong message
                    3 => sig = torsion_residue_sig(&key, &msg, rng, &torsion8()), // cofactored-only valid
                    4 => pk = SMALL_ORDER_ENCODINGS[(rng.next() % 8) as usize].to_vec(),
                    5 => sig[..32].copy_from_slice(&SMALL_ORDER_ENCODINGS[(rng.next() % 8) as usize]),
                    6 => sig.truncate(63),
                    _ => {}
                }
                Owned { key: pk, sig, msg: m }
            })
            .collect()
    }

    #[test]
    fn batch_equals_single_on_mixed_batches() {
        let mut rng = TestRng(51);
        for &(n, shared) in &[(0usize, false), (1, false), (2, true), (7, false), (40, true), (40, false), (130, true), (130, false)] {
            let items = mixed_batch(&mut rng, n, shared);
            let expect = singles(&items);
            assert_eq!(run(&items, 1), expect, "n={} shared={}", n, shared);
            assert_eq!(run(&items, 2), expect, "n={} shared={} seed 2", n, shared);
        }
    }

    #[test]
    fn all_valid_batches_accept_everything() {
        let mut rng = TestRng(52);
        for &shared in &[true, false] {
            let key = TestKey::from_seed(&rng.bytes32());
            let items: Vec<Owned> = (0..300)
                .map(|i| {
                    let k = if shared { TestKey { a: key.a, prefix: key.prefix, public: key.public } } else { TestKey::from_seed(&rng.bytes32()) };
                    let msg = vec![i as u8; i % 50];
                    Owned { key: k.public.to_vec(), sig: k.sign(&msg).to_vec(), msg }
                })
                .collect();
            assert!(run(&items, 3).iter().all(|&v| v));
        }
    }

    #[test]
    fn torsion_residues_do_not_cancel() {
        // Two items whose cofactorless residues are T and −T (order 8), plus order-2 and
        // order-4 residues: under a cofactorless batch equation these could cancel or vanish
        // for some z; here every one is accepted (cofactored rule) exactly as the single
        // verifier does, and a truly invalid item among them is still singled out.
        let mut rng = TestRng(53);
        let key = TestKey::from_seed(&rng.bytes32());
        let t8 = torsion8();
        let t4 = t8.double();
        let t2 = t4.double();
        let mut items = Vec::new();
        for (j, t) in [t8, t8.neg(), t4, t2, t4.neg()].iter().enumerate() {
            let msg = vec![j as u8; 10];
            items.push(Owned { key: key.public.to_vec(), sig: torsion_residue_sig(&key, &msg, &mut rng, t), msg });
        }
        let msg = b"honest".to_vec();
        let mut bad = key.sign(&msg).to_vec();
        bad[33] ^= 0x10;
        items.push(Owned { key: key.public.to_vec(), sig: bad, msg });
        let expect = singles(&items);
        assert_eq!(expect, vec![true, true, true, true, true, false]);
        for seed in 0..20 {
            assert_eq!(run(&items, seed), expect);
        }
    }

    #[test]
    fn prehashed_messages_match() {
        let mut rng = TestRng(54);
        let items = mixed_batch(&mut rng, 60, false);
        let digests: Vec<[u8; 64]> = items
            .iter()
            .map(|o| {
                let mut s = [0u8; 64];
                if o.sig.len() == 64 {
                    s.copy_from_slice(&o.sig);
                }
                let mut k = [0u8; 32];
                if o.key.len() == 32 {
                    k.copy_from_slice(&o.key);
                }
                challenge_digest(&s, &k, &o.msg)
            })
            .collect();
        let refs: Vec<Item> = items.iter().zip(&digests).map(|(o, d)| Item { key: &o.key, sig: &o.sig, msg: Message::Digest(d) }).collect();
        let mut out = vec![false; items.len()];
        verify_batch(&refs, &[9; 32], &mut out).unwrap();
        assert_eq!(out, singles(&items));
    }
}
