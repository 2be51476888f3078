//! RSA signature verification: RSASSA-PSS with SHA-256 and MGF1-SHA-256, the salt length
//! recovered from the encoding (RFC 8017 §8.1.2, §9.1.2), and RSASSA-PKCS1-v1_5 with
//! SHA-256 (RFC 8017 §8.2.2, §9.2).
//!
//! Key acceptance rules (the node engine's, plus what OpenSSL enforces in the public
//! operation; tested in test/verify/):
//! - DER SubjectPublicKeyInfo with rsaEncryption and NULL parameters
//!   ([`crate::der::parse_spki`]); id-RSASSA-PSS keys are refused (as the node engine does).
//! - Modulus: odd, 2048 to 16384 bits ([`MIN_BITS`], [`MAX_BITS`], as `MIN_RSA_BITS` and
//!   `MAX_RSA_BITS` in src/verify/node-engine.ts).
//! - Public exponent: odd, at least 3, below n; above 3072-bit moduli at most 64 bits
//!   (OpenSSL's `OPENSSL_RSA_MAX_PUBEXP_BITS` rule, which also bounds the work: the
//!   exponentiation costs one squaring per exponent bit). OpenSSL itself accepts e = 1 and
//!   even exponents; no real key has them, and e = 1 would make every padding "verify".
//! - Signature: exactly k = ceil(bits/8) bytes (RFC 8017 §8.1.2 and §8.2.2, step 1) and
//!   `< n` (§5.2.2). OpenSSL also accepts shorter PSS signatures (as if left-padded with
//!   zeros); we do not.

pub mod abi;
pub mod pkcs1;
pub mod pss;

use crate::bigint::{self, Monty};
use crate::der::{self, PublicKey};
use core::cmp::Ordering;
use std::cell::RefCell;

/// Smallest modulus accepted, in bits.
pub const MIN_BITS: usize = 2048;
/// Largest modulus accepted, in bits.
pub const MAX_BITS: usize = 16384;
/// Above this modulus size the exponent is limited to [`MAX_PUBEXP_BITS`] (OpenSSL's
/// `OPENSSL_RSA_SMALL_MODULUS_BITS`).
pub const SMALL_MODULUS_BITS: usize = 3072;
/// Largest exponent above [`SMALL_MODULUS_BITS`] (OpenSSL's `OPENSSL_RSA_MAX_PUBEXP_BITS`).
pub const MAX_PUBEXP_BITS: usize = 64;

/// A checked RSA public key.
pub struct RsaKey {
    /// n, big-endian magnitude as encoded.
    n_be: Vec<u8>,
    /// e as little-endian limbs.
    e: Vec<u32>,
    /// Bit length of n.
    bits: usize,
}

impl RsaKey {
    /// Parse and check a DER SubjectPublicKeyInfo (rules in the module documentation).
    pub fn from_spki(spki: &[u8]) -> Option<RsaKey> {
        let (n, e) = match der::parse_spki(spki)? {
            PublicKey::Rsa { n, e } => (n, e),
            _ => return None,
        };
        if n.is_empty() || n.len() > MAX_BITS / 8 || e.is_empty() || e.len() > n.len() {
            return None;
        }
        let mut nl = vec![0u32; (n.len() + 3) / 4];
        let mut el = vec![0u32; nl.len()];
        if !bigint::from_be_bytes(n, &mut nl) || !bigint::from_be_bytes(e, &mut el) {
            return None;
        }
        let bits = bigint::bit_len(&nl);
        let ebits = bigint::bit_len(&el);
        if bits < MIN_BITS || bits > MAX_BITS || nl[0] & 1 == 0 {
            return None;
        }
        if el[0] & 1 == 0 || ebits < 2 || bigint::cmp(&el, &nl) != Ordering::Less {
            return None;
        }
        if bits > SMALL_MODULUS_BITS && ebits > MAX_PUBEXP_BITS {
            return None;
        }
        el.truncate((ebits + 31) / 32);
        Some(RsaKey { n_be: n.to_vec(), e: el, bits })
    }

    /// Bit length of the modulus.
    pub fn bits(&self) -> usize {
        self.bits
    }

    /// k: the modulus length in bytes.
    pub fn len(&self) -> usize {
        (self.bits + 7) / 8
    }

    /// RSAVP1 (RFC 8017 §5.2.2) on a k-byte signature: `s^e mod n` as k bytes; `None`
    /// when the signature is not k bytes long or not below n.
    pub fn public_op(&self, sig: &[u8]) -> Option<Vec<u8>> {
        let k = self.len();
        if sig.len() != k {
            return None;
        }
        with_monty(&self.n_be, |m| {
            let limbs = m.limbs();
            let mut s = vec![0u32; limbs];
            if !bigint::from_be_bytes(sig, &mut s) || bigint::cmp(&s, m.modulus()) != Ordering::Less {
                return None;
            }
            let mut out = vec![0u32; limbs];
            m.pow(&s, &self.e, &mut out);
            let mut em = vec![0u8; k];
            bigint::to_be_bytes(&out, &mut em);
            Some(em)
        })?
    }
}

/// How many moduli keep their Montgomery context (like OpenSSL's cached `BN_MONT_CTX`):
/// TUF checks the same few keys again and again.
const MONTY_CACHE: usize = 8;

thread_local! {
    static CACHE: RefCell<Vec<(Vec<u8>, Monty)>> = RefCell::new(Vec::new());
}

/// Run `f` with the Montgomery context of modulus `n_be` (big-endian), from the cache or
/// new; `None` when n is not a valid odd modulus.
fn with_monty<T>(n_be: &[u8], f: impl FnOnce(&mut Monty) -> T) -> Option<T> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let pos = match cache.iter().position(|(n, _)| n.as_slice() == n_be) {
            Some(pos) => pos,
            None => {
                let mut nl = vec![0u32; (n_be.len() + 3) / 4];
                if !bigint::from_be_bytes(n_be, &mut nl) {
                    return None;
                }
                let m = Monty::new(&nl)?;
                if cache.len() >= MONTY_CACHE {
                    cache.remove(0);
                }
                cache.push((n_be.to_vec(), m));
                cache.len() - 1
            }
        };
        // (Positions are not reordered: eviction is first-in, first-out.)
        Some(f(&mut cache[pos].1))
    })
}
