//! SHA-256 digests as lower-case hex: item definitions, ledger records, checklist
//! sources and cache keys are all named by one.

use sha2::{Digest, Sha256};

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// SHA-256 of several parts, each followed by a NUL so that `("ab", "c")` and
/// `("a", "bc")` differ; the first `bytes` bytes of it as hex.
pub fn sha256_parts_hex(parts: &[&[u8]], bytes: usize) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
        hash.update([0]);
    }
    let digest = hash.finalize();
    hex(&digest[..bytes.min(digest.len())])
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_parts_hex(&[b"ab", b"c"], 6).len(), 12);
        assert_ne!(
            sha256_parts_hex(&[b"ab", b"c"], 6),
            sha256_parts_hex(&[b"a", b"bc"], 6)
        );
    }
}
