//! Ed25519 signature verification (RFC 8032 §5.1), single and batched.
//!
//! Structured like curve25519-dalek's serial backend: [`field`] (GF(2^255-19)),
//! [`scalar`] (integers mod L).

pub mod abi;
pub mod batch;
pub mod field;
pub mod msm;
pub mod point;
pub mod scalar;
pub mod verify;
