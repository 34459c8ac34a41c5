//! Single-use secrets sent by email (password reset, invitations, unsubscribe links): 256
//! random bits, base64url in the link, only their SHA-256 in the database.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh token for a link, and the hash to store.
pub fn issue() -> (String, Vec<u8>) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = digest(&token);
    (token, hash)
}

/// The stored form of a token from a link.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

/// A random URL-safe string for OAuth state, nonces and PKCE-like values.
pub fn random_url_safe(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_hash_to_32_bytes() {
        let (a, ha) = issue();
        let (b, hb) = issue();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(ha.len(), 32);
        assert_eq!(digest(&a), ha);
        assert_ne!(ha, hb);
    }
}
