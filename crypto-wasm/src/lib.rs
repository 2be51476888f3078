//! tufkit-crypto: the signature-verification core of tufkit, compiled to
//! `wasm32-unknown-unknown` and loaded by `src/verify/wasm/` (TypeScript).
//!
//! No dependencies beyond Rust's standard library (std's allocator on wasm32; Rust 1.63
//! cannot name a `no_std` allocation-error handler on stable). The exported C ABI and its
//! conventions live in `abi.rs`; everything else is plain Rust that also builds and tests
//! natively (`cargo test`).
//!
//! Modules:
//! - [`sha2`]: SHA-256, SHA-384, SHA-512 (one-shot and incremental).
//! - [`abi`]: allocation, status codes, checked input/output ranges, `tk_sha*`.
//! - [`ed25519`]: Ed25519 verification, single and batched (`tk_ed25519_*`).
//! - [`chacha`]: ChaCha20 keystream for the batch verifier's random coefficients.
//! - [`bigint`]: multi-precision integers, Montgomery arithmetic (RSA, ECDSA scalars).
//! - [`ecdsa`]: ECDSA verification on P-256 and P-384.
//! - [`der`]: strict DER: SubjectPublicKeyInfo, ECDSA signatures.
//! - [`rsa`]: RSASSA-PSS and RSASSA-PKCS1-v1_5 verification with SHA-256.

pub mod abi;
pub mod chacha;
pub mod ed25519;
pub mod sha2;

// ECDSA P-256/P-384 and RSA (PSS, PKCS#1 v1.5) verification.
pub mod bigint;
pub mod der;
pub mod ecdsa;
pub mod rsa;
