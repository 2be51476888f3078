//! Strict DER (ITU-T X.690 §10) for the few structures signature verification reads:
//! SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) with EC (RFC 5480 §2) and RSA (RFC 3279 §2.3.1,
//! RFC 8017 Appendix A.1.1) keys, and ECDSA-Sig-Value (RFC 3279 §2.2.3, SEC 1 v2 §C.8).
//!
//! Strict means: single-byte tags, definite lengths in the minimal form (short form below
//! 128, no leading zero length octets), INTEGERs in the minimal two's-complement form and
//! non-negative, BIT STRINGs with no unused bits, nothing after the outermost value.
//! OpenSSL enforces the same for ECDSA signatures (it re-encodes the parsed signature and
//! compares), so ECDSA answers match node:crypto; for keys we are stricter than OpenSSL
//! in the places listed on [`parse_spki`].

/// Tag numbers used here.
pub mod tag {
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
}

/// A cursor over DER bytes.
pub struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    /// A reader over `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf }
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// Read one value with tag `want` and return its contents.
    pub fn read(&mut self, want: u8) -> Option<&'a [u8]> {
        let (&t, rest) = self.buf.split_first()?;
        if t != want {
            return None;
        }
        let (&l0, rest) = rest.split_first()?;
        let (len, rest) = if l0 < 0x80 {
            (l0 as usize, rest)
        } else {
            // Long form: 1..=3 length octets (values up to 16 MiB are plenty), the first
            // non-zero, and the value must not fit the short form (X.690 §10.1).
            let n = (l0 & 0x7f) as usize;
            if n == 0 || n > 3 || rest.len() < n || rest[0] == 0 {
                return None;
            }
            let mut len = 0usize;
            for &b in &rest[..n] {
                len = (len << 8) | b as usize;
            }
            if len < 0x80 {
                return None;
            }
            (len, &rest[n..])
        };
        if rest.len() < len {
            return None;
        }
        let (value, rest) = rest.split_at(len);
        self.buf = rest;
        Some(value)
    }

    /// Read a non-negative INTEGER and return its magnitude without the sign octet
    /// (possibly empty for zero). Rejects negative and non-minimal encodings.
    pub fn read_unsigned(&mut self) -> Option<&'a [u8]> {
        let c = self.read(tag::INTEGER)?;
        unsigned_integer(c)
    }
}

/// The magnitude of an INTEGER's contents: non-empty, minimal (X.690 §8.3.2: the first
/// nine bits are not all equal), non-negative. Returns the bytes after a sign octet of 0.
pub fn unsigned_integer(c: &[u8]) -> Option<&[u8]> {
    let (&first, rest) = c.split_first()?;
    if first & 0x80 != 0 {
        return None; // negative
    }
    if first == 0 {
        if rest.is_empty() {
            return Some(rest); // zero
        }
        if rest[0] & 0x80 == 0 {
            return None; // a redundant leading zero
        }
        return Some(rest);
    }
    Some(c)
}

/// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 §2.1.1).
pub const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// secp256r1 / prime256v1, 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1).
pub const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1, 1.3.132.0.34 (RFC 5480 §2.1.1.1).
pub const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 3279 §2.3.1, RFC 8017 Appendix C).
pub const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];

/// The named curves we verify on.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum NamedCurve {
    /// P-256.
    P256,
    /// P-384.
    P384,
}

/// A parsed SubjectPublicKeyInfo.
#[derive(Debug, PartialEq)]
pub enum PublicKey<'a> {
    /// An EC key: the curve and the SEC 1 encoded point (not yet decoded or checked).
    Ec {
        /// The named curve of the parameters.
        curve: NamedCurve,
        /// The ECPoint octets (SEC 1 v2 §2.3.3).
        point: &'a [u8],
    },
    /// An RSA key: the modulus and exponent magnitudes (big-endian, no leading zeros).
    Rsa {
        /// n.
        n: &'a [u8],
        /// e.
        e: &'a [u8],
    },
}

/// Parse a DER SubjectPublicKeyInfo:
///
/// ```text
/// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
/// AlgorithmIdentifier  ::= SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }
/// ```
///
/// Accepted (everything else is `None`):
/// - id-ecPublicKey with `namedCurve` prime256v1 or secp384r1 (RFC 5480 §2.1.1: the
///   parameters MUST be a named curve; implicitCurve and specifiedCurve are refused).
/// - rsaEncryption with NULL parameters (RFC 3279 §2.3.1: "MUST be NULL"; OpenSSL also
///   accepts absent parameters: we do not), key `RSAPublicKey ::= SEQUENCE { modulus
///   INTEGER, publicExponent INTEGER }` filling the BIT STRING exactly.
/// - Not accepted: id-RSASSA-PSS keys (1.2.840.113549.1.1.10). node:crypto imports them as
///   a different key type ('rsa-pss') that the node engine refuses for TUF's schemes too.
pub fn parse_spki(der: &[u8]) -> Option<PublicKey<'_>> {
    let mut outer = Reader::new(der);
    let spki = outer.read(tag::SEQUENCE)?;
    if !outer.is_empty() {
        return None;
    }
    let mut spki = Reader::new(spki);
    let alg = spki.read(tag::SEQUENCE)?;
    let bits = spki.read(tag::BIT_STRING)?;
    if !spki.is_empty() {
        return None;
    }
    let (&unused, key) = bits.split_first()?;
    if unused != 0 {
        return None;
    }
    let mut alg = Reader::new(alg);
    let oid = alg.read(tag::OID)?;
    if oid == OID_EC_PUBLIC_KEY {
        let params = alg.read(tag::OID)?;
        if !alg.is_empty() {
            return None;
        }
        let curve = if params == OID_P256 {
            NamedCurve::P256
        } else if params == OID_P384 {
            NamedCurve::P384
        } else {
            return None;
        };
        Some(PublicKey::Ec { curve, point: key })
    } else if oid == OID_RSA_ENCRYPTION {
        let null = alg.read(tag::NULL)?;
        if !null.is_empty() || !alg.is_empty() {
            return None;
        }
        let mut k = Reader::new(key);
        let seq = k.read(tag::SEQUENCE)?;
        if !k.is_empty() {
            return None;
        }
        let mut seq = Reader::new(seq);
        let n = seq.read_unsigned()?;
        let e = seq.read_unsigned()?;
        if !seq.is_empty() {
            return None;
        }
        Some(PublicKey::Rsa { n, e })
    } else {
        None
    }
}

/// Parse `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 3279 §2.2.3) and
/// return the magnitudes of r and s. Strict DER, nothing trailing; ranges are checked by
/// the caller.
pub fn parse_ecdsa_sig(der: &[u8]) -> Option<(&[u8], &[u8])> {
    let mut outer = Reader::new(der);
    let seq = outer.read(tag::SEQUENCE)?;
    if !outer.is_empty() {
        return None;
    }
    let mut seq = Reader::new(seq);
    let r = seq.read_unsigned()?;
    let s = seq.read_unsigned()?;
    if !seq.is_empty() {
        return None;
    }
    Some((r, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn lengths() {
        assert_eq!(Reader::new(&[0x02, 0x01, 0x05]).read(2), Some(&[5u8][..]));
        assert_eq!(Reader::new(&[0x02, 0x81, 0x01, 0x05]).read(2), None); // non-minimal
        assert_eq!(Reader::new(&[0x02, 0x80, 0x05, 0, 0]).read(2), None); // indefinite
        assert_eq!(Reader::new(&[0x02, 0x02, 0x05]).read(2), None); // short
        assert_eq!(Reader::new(&[0x02, 0x82, 0x00, 0x80]).read(2), None); // leading zero
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend_from_slice(&[0u8; 128]);
        assert_eq!(Reader::new(&long).read(4).map(|v| v.len()), Some(128));
    }

    #[test]
    fn integers() {
        assert_eq!(unsigned_integer(&[0]), Some(&[][..]));
        assert_eq!(unsigned_integer(&[]), None);
        assert_eq!(unsigned_integer(&[0, 0x7f]), None);
        assert_eq!(unsigned_integer(&[0, 0x80]), Some(&[0x80u8][..]));
        assert_eq!(unsigned_integer(&[0x80]), None);
        assert_eq!(unsigned_integer(&[0xff, 0x80]), None);
        assert_eq!(unsigned_integer(&[0x01, 0x00]), Some(&[1u8, 0][..]));
    }

    #[test]
    fn spki() {
        let p256 = hex("3059301306072a8648ce3d020106082a8648ce3d0301070342000404aaec73635726f213fb8a9e64da3b8632e41495a944d0045b522eba7240fad587d9315798aaa3a5ba01775787ced05eaaf7b4e09fc81d6d1aa546e8365d525d");
        match parse_spki(&p256) {
            Some(PublicKey::Ec { curve: NamedCurve::P256, point }) => assert_eq!(point.len(), 65),
            other => panic!("{:?}", other),
        }
        let mut trailing = p256.clone();
        trailing.push(0);
        assert!(parse_spki(&trailing).is_none());
        let mut bad_unused = p256.clone();
        bad_unused[24] = 1; // the BIT STRING's unused-bits octet
        assert!(parse_spki(&bad_unused).is_none());
        let mut rsa = hex("30819f300d06092a864886f70d010101050003818d0030818902818100");
        rsa.extend((0..128).map(|i| if i == 0 { 0x9b } else { i as u8 }));
        rsa.extend_from_slice(&[0x02, 0x03, 0x01, 0x00, 0x01]);
        match parse_spki(&rsa) {
            Some(PublicKey::Rsa { n, e }) => {
                assert_eq!(n.len(), 128);
                assert_eq!(e, &[1, 0, 1]);
            }
            other => panic!("{:?}", other),
        }
    }

    #[test]
    fn ecdsa_sig() {
        assert_eq!(parse_ecdsa_sig(&[0x30, 0x06, 2, 1, 1, 2, 1, 2]), Some((&[1u8][..], &[2u8][..])));
        assert_eq!(parse_ecdsa_sig(&[0x30, 0x06, 2, 1, 1, 2, 1, 2, 0]), None);
        assert_eq!(parse_ecdsa_sig(&[0x30, 0x07, 2, 1, 1, 2, 1, 2, 0]), None);
        assert_eq!(parse_ecdsa_sig(&[0x30, 0x06, 2, 1, 1, 2, 1, 0x82]), None);
        assert_eq!(parse_ecdsa_sig(&[0x30, 0x03, 2, 1, 1]), None);
    }
}
