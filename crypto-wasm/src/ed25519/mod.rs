//! Ed25519 signature verification (RFC 8032 §5.1), single and batched.
//!
//! Structured like curve25519-dalek's serial backend:
//! - [`field`]: GF(2^255 − 19) in ten radix-2^25.5 limbs;
//! - [`scalar`]: integers mod L, digit expansions;
//! - [`point`]: curve points, encoding and decoding (RFC 8032 §5.1.2–5.1.3);
//! - [`msm`]: scalar multiplication (double-base, Straus, Pippenger);
//! - [`verify`]: the acceptance rules and single verification;
//! - [`batch`]: batch verification with per-item answers;
//! - [`abi`]: the `tk_ed25519_*` exports.

pub mod abi;
pub mod batch;
pub mod field;
pub mod msm;
pub mod point;
pub mod scalar;
pub mod verify;
