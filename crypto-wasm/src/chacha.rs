//! ChaCha20 as a deterministic random bit generator (RFC 8439 §2.3 block function), for
//! the random coefficients of batch verification.
//!
//! The key comes from the host's CSPRNG (`crypto.getRandomValues`), passed with each batch
//! call and hashed together with the batch's contents (batch.rs), so every batch gets fresh,
//! unpredictable coefficients.

/// ChaCha20 keystream generator with a 256-bit key, a zero nonce and a 32-bit block counter.
pub struct ChaCha20Rng {
    key: [u32; 8],
    nonce: [u32; 3],
    counter: u32,
    block: [u8; 64],
    used: usize,
}

#[inline(always)]
fn quarter_round(s: &mut [u32; 16], a: usize, b: usize, c: usize, d: usize) {
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(16);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(12);
    s[a] = s[a].wrapping_add(s[b]);
    s[d] = (s[d] ^ s[a]).rotate_left(8);
    s[c] = s[c].wrapping_add(s[d]);
    s[b] = (s[b] ^ s[c]).rotate_left(7);
}

/// The ChaCha20 block function (RFC 8439 §2.3): 20 rounds over the state
/// constants ‖ key ‖ counter ‖ nonce, plus the input state, serialized little-endian.
pub fn chacha20_block(key: &[u32; 8], counter: u32, nonce: &[u32; 3]) -> [u8; 64] {
    let mut init = [0u32; 16];
    init[0] = 0x61707865; // "expa"
    init[1] = 0x3320646e; // "nd 3"
    init[2] = 0x79622d32; // "2-by"
    init[3] = 0x6b206574; // "te k"
    init[4..12].copy_from_slice(key);
    init[12] = counter;
    init[13..16].copy_from_slice(nonce);
    let mut s = init;
    for _ in 0..10 {
        quarter_round(&mut s, 0, 4, 8, 12);
        quarter_round(&mut s, 1, 5, 9, 13);
        quarter_round(&mut s, 2, 6, 10, 14);
        quarter_round(&mut s, 3, 7, 11, 15);
        quarter_round(&mut s, 0, 5, 10, 15);
        quarter_round(&mut s, 1, 6, 11, 12);
        quarter_round(&mut s, 2, 7, 8, 13);
        quarter_round(&mut s, 3, 4, 9, 14);
    }
    let mut out = [0u8; 64];
    for i in 0..16 {
        out[4 * i..4 * i + 4].copy_from_slice(&s[i].wrapping_add(init[i]).to_le_bytes());
    }
    out
}

impl ChaCha20Rng {
    /// A generator keyed with `key` (32 bytes), nonce 0, counter 0.
    pub fn new(key: &[u8; 32]) -> ChaCha20Rng {
        let mut k = [0u32; 8];
        for i in 0..8 {
            k[i] = u32::from_le_bytes([key[4 * i], key[4 * i + 1], key[4 * i + 2], key[4 * i + 3]]);
        }
        ChaCha20Rng { key: k, nonce: [0; 3], counter: 0, block: [0; 64], used: 64 }
    }

    /// Fill `out` with keystream bytes. After 2^32 blocks (256 GiB) the nonce advances.
    pub fn fill(&mut self, out: &mut [u8]) {
        for b in out.iter_mut() {
            if self.used == 64 {
                self.block = chacha20_block(&self.key, self.counter, &self.nonce);
                self.counter = self.counter.wrapping_add(1);
                if self.counter == 0 {
                    self.nonce[0] = self.nonce[0].wrapping_add(1);
                }
                self.used = 0;
            }
            *b = self.block[self.used];
            self.used += 1;
        }
    }

    /// The next 128 random bits.
    pub fn next_u128(&mut self) -> u128 {
        let mut b = [0u8; 16];
        self.fill(&mut b);
        u128::from_le_bytes(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(bytes: &[u8]) -> Vec<u32> {
        bytes.chunks(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()
    }

    #[test]
    fn rfc8439_block_function_vector() {
        // RFC 8439 §2.3.2: key 00..1f, nonce 00:00:00:09:00:00:00:4a:00:00:00:00, counter 1.
        let key_bytes: Vec<u8> = (0u8..32).collect();
        let key: [u32; 8] = words(&key_bytes).try_into().unwrap();
        let nonce: [u32; 3] = words(&[0, 0, 0, 9, 0, 0, 0, 0x4a, 0, 0, 0, 0]).try_into().unwrap();
        let out = chacha20_block(&key, 1, &nonce);
        let expect = "10f1e7e4d13b5915500fdd1fa32071c4c7d1f4c733c068030422aa9ac3d46c4ed2826446079faa0914c2d705d98b02a2b5129cd1de164eb9cbd083e8a2503c4e";
        let hex: String = out.iter().map(|b| format!("{:02x}", b)).collect();
        assert_eq!(hex, expect);
    }

    #[test]
    fn stream_is_continuous() {
        let mut a = ChaCha20Rng::new(&[7u8; 32]);
        let mut b = ChaCha20Rng::new(&[7u8; 32]);
        let mut whole = [0u8; 200];
        a.fill(&mut whole);
        let mut pieces = [0u8; 200];
        for chunk in pieces.chunks_mut(13) {
            b.fill(chunk);
        }
        assert_eq!(whole[..], pieces[..]);
        assert_ne!(whole[..64], whole[64..128]);
    }
}
