//! Random secrets and how they are stored: tokens are 256 random bits shown
//! once; the database keeps only their BLAKE3 hash.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A new random token: 32 bytes, base64url (43 characters).
pub fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source failing is not something a server can go on from.
    getrandom::fill(&mut bytes).unwrap_or_else(|err| panic!("no randomness from the OS: {err}"));
    bytes
}

/// What the database stores for a token.
pub fn hash_token(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}
