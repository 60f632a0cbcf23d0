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

/// HMAC-SHA-256 (RFC 2104) of several parts under `key`, each part followed by a NUL
/// as in [`sha256_parts_hex`]; the first `bytes` bytes of it as hex. Without the key,
/// the digest says nothing about the parts, even short ones that could be guessed.
pub fn hmac_sha256_parts_hex(key: &[u8], parts: &[&[u8]], bytes: usize) -> String {
    let digest = hmac_sha256(key, |inner| {
        for part in parts {
            inner.update(part);
            inner.update([0]);
        }
    });
    hex(&digest[..bytes.min(digest.len())])
}

/// HMAC-SHA-256 of the message that `message` feeds to the inner hash.
fn hmac_sha256(key: &[u8], message: impl FnOnce(&mut Sha256)) -> Vec<u8> {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    message(&mut inner);
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().to_vec()
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

    #[test]
    fn hmac_matches_rfc_4231() {
        let mac = |key: &[u8], data: &[u8]| hex(&hmac_sha256(key, |h| h.update(data)));
        // Test cases 1, 2 and 6 (a key longer than the block).
        assert_eq!(
            mac(&[0x0b; 20], b"Hi There"),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            mac(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            mac(
                &[0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First"
            ),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        assert_ne!(
            hmac_sha256_parts_hex(b"k", &[b"a", b"b"], 6),
            hmac_sha256_parts_hex(b"other", &[b"a", b"b"], 6)
        );
    }
}
