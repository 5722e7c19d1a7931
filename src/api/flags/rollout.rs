//! The rollout bucket, as the evaluation library's `hashInt` computes it.

use sha2::{Digest, Sha256};

/// The bucket upper bound: thresholds are in thousandths of a percent.
pub const BUCKETS: u32 = 100_000;

/// The bucket (0 to 100 000 inclusive) of `FILTERKEY.VALUE`: the low 20 bits of the little-endian
/// u32 that opens the SHA-256 of the UTF-8 text, scaled by `/ 0xFFFFF * 100000` in f64 and floored,
/// exactly as the library does (which makes 100 000 itself reachable).
pub fn bucket(filter_key: &str, value: &str) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(filter_key.as_bytes());
    hasher.update(b".");
    hasher.update(value.as_bytes());
    let digest = hasher.finalize();
    let word = u32::from_le_bytes([digest[0], digest[1], digest[2], digest[3]]) & 0xfffff;
    let scaled = (f64::from(word) / f64::from(0xfffff_u32) * f64::from(BUCKETS)).floor();
    scaled as u32
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_buckets() {
        // Values computed with @reflag/flag-evaluation 1.0.1's hashInt.
        assert_eq!(super::bucket("flag", "acme"), 2240);
        assert_eq!(super::bucket("undefined", "ü"), 68482);
    }
}
