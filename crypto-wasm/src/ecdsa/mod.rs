//! ECDSA verification on P-256/SHA-256 and P-384/SHA-384 (SEC 1 v2 §4.1.4, FIPS 186-5 §6.4.2).

pub mod field;
pub mod p256;
pub mod p384;
