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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bigint::tests::Rng;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    // Wycheproof rsa_signature_2048_sha256_test.json and rsa_pss_2048_sha256_mgf1_32_test.json
    // (same key), tcId 1 of each: the empty message.
    const KEY: &str = concat!(
        "30820122300d06092a864886f70d01010105000382010f003082010a0282010100a2b451a07d0aa5f96e455671513550",
        "514a8a5b462ebef717094fa1fee82224e637f9746d3f7cafd31878d80325b6ef5a1700f65903b469429e89d6eac88450",
        "97b5ab393189db92512ed8a7711a1253facd20f79c15e8247f3d3e42e46e48c98e254a2fe9765313a03eff8f17e1a029",
        "397a1fa26a8dce26f490ed81299615d9814c22da610428e09c7d9658594266f5c021d0fceca08d945a12be82de4d1ece",
        "6b4c03145b5d3495d4ed5411eb878daf05fd7afc3e09ada0f1126422f590975a1969816f48698bcbba1b4d9cae79d460",
        "d8f9f85e7975005d9bc22c4e5ac0f7c1a45d12569a62807d3b9a02e5a530e773066f453d1f5b4c2e9cf7820283f742b9",
        "d50203010001",
);
    const PKCS1_SIG: &str = concat!(
        "840f5dac53106dd1f9c57219224cf51289290c42f20466875ba8e830ac5690e541536fcc8ab03b731f82bf66d83f194e",
        "7e180b3963ec7a2f3f7904a7ce49aed47da4d4b79421eaf937d301b3e696169297b797c32c076a12be4de0b58e003c51",
        "23051a84a10c62f8dac2f42a8640008eb3c7cccd6760ff5b51b689763922582845f048fb8150e5a7a6ca2eccc7bdc853",
        "49ad5b26c52137a79fa3fe5c29ab5cd7615013219c1941b6708e9c3c23feff5febaf0c8ebca5750b54e3e6e99a3e876b",
        "396f27860b7f3ec4e9191703c6332d944f6f69751167680c79c4f6b57f1cc8755d24b6ec158ccdbacdb23107a33cb6b3",
        "32516c13274d1f9dccc21dced869e486",
);
    const PSS_SIG: &str = concat!(
        "4f01e0c12b08625ecac89a69231906edf826380f37c959a96690d046316d68ffce9d5c471694fcebfc6b455348646892",
        "56e4fc81c78e583f675d0c94b449647451e81beff01a11a516d5e5ce3f1a910437cb8a3a5096b19fb15f4524a35b23d8",
        "9cdba12cf5b71aac1047b28c562df7c5542c34ce23a182cf7e0e231934b17294799d44877a1d68ef1b8f073619b7618e",
        "6b7c22db20030d98cf591ffc3d4da5f58613ecd5ecfc3b40a1d02f40891ca43695cd4c088b05a8054c89c595a47e2748",
        "16f35384226f74459ee63e25a1bfc03c360490552ec38343f8ace502f065303b00bc0ec320711b211fde92e57feb9013",
        "c3609342495ec0d7cabdec21e54acc38",
);

    #[test]
    fn known_vectors() {
        let key = RsaKey::from_spki(&hex(KEY)).unwrap();
        assert_eq!(key.bits(), 2048);
        assert!(pkcs1::verify(&key, b"", &hex(PKCS1_SIG)));
        assert!(pss::verify(&key, b"", &hex(PSS_SIG)));
        assert!(!pss::verify(&key, b"", &hex(PKCS1_SIG)));
        assert!(!pkcs1::verify(&key, b"", &hex(PSS_SIG)));
        assert!(!pkcs1::verify(&key, b"a", &hex(PKCS1_SIG)));
    }

    #[test]
    fn mutations_never_panic_and_never_verify() {
        let (key, sig) = (hex(KEY), hex(PSS_SIG));
        let mut rng = Rng(77);
        for i in 0..400 {
            let mut k = key.clone();
            let mut s = sig.clone();
            let target = if i % 2 == 0 { &mut k } else { &mut s };
            let at = rng.next_u32() as usize % target.len();
            match rng.next_u32() % 3 {
                0 => target[at] ^= 1 << (rng.next_u32() % 8),
                1 => target.truncate(at),
                _ => target.insert(at, rng.next_u32() as u8),
            }
            let ok = match RsaKey::from_spki(&k) {
                Some(key) => pss::verify(&key, b"", &s) || pkcs1::verify(&key, b"", &s),
                None => false,
            };
            assert_eq!(ok, k == key && s == sig, "mutation {} verified", i);
        }
    }

    #[test]
    fn key_rules() {
        // e = 1, even e, e >= n, tiny modulus: all refused. Build SPKIs around a fixed n.
        let spki = hex(KEY);
        let n = match crate::der::parse_spki(&spki) {
            Some(crate::der::PublicKey::Rsa { n, .. }) => n.to_vec(),
            _ => panic!(),
        };
        fn build(n: &[u8], e: &[u8]) -> Vec<u8> {
            fn int(v: &[u8]) -> Vec<u8> {
                let mut c = v.to_vec();
                if c[0] & 0x80 != 0 {
                    c.insert(0, 0);
                }
                tlv(0x02, &c)
            }
            fn tlv(t: u8, v: &[u8]) -> Vec<u8> {
                let mut out = vec![t];
                let l = v.len();
                if l < 128 {
                    out.push(l as u8);
                } else if l < 256 {
                    out.extend_from_slice(&[0x81, l as u8]);
                } else {
                    out.extend_from_slice(&[0x82, (l >> 8) as u8, l as u8]);
                }
                out.extend_from_slice(v);
                out
            }
            let rsa_key = tlv(0x30, &[int(n), int(e)].concat());
            let mut bits = vec![0u8];
            bits.extend_from_slice(&rsa_key);
            let alg = hex("300d06092a864886f70d0101010500");
            tlv(0x30, &[alg, tlv(0x03, &bits)].concat())
        }
        assert!(RsaKey::from_spki(&build(&n, &[1, 0, 1])).is_some());
        assert_eq!(build(&n, &[1, 0, 1]), spki);
        assert!(RsaKey::from_spki(&build(&n, &[3])).is_some());
        assert!(RsaKey::from_spki(&build(&n, &[1])).is_none());
        assert!(RsaKey::from_spki(&build(&n, &[1, 0, 0])).is_none());
        assert!(RsaKey::from_spki(&build(&n, &n)).is_none());
        assert!(RsaKey::from_spki(&build(&n[..128], &[1, 0, 1])).is_none()); // 1024 bits
        let mut even = n.clone();
        *even.last_mut().unwrap() &= 0xfe;
        assert!(RsaKey::from_spki(&build(&even, &[1, 0, 1])).is_none());
        // A 4096-bit modulus with a 65-bit exponent is refused, a 64-bit one accepted.
        let mut n4096 = vec![0xffu8; 512];
        n4096[511] = 0xf1;
        let mut e65 = vec![1u8];
        e65.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 1]);
        assert!(RsaKey::from_spki(&build(&n4096, &e65)).is_none());
        assert!(RsaKey::from_spki(&build(&n4096, &[0x80, 0, 0, 0, 0, 0, 0, 1])).is_some());
    }
}
