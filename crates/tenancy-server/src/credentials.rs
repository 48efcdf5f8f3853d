//! Passwords, tokens and TOTP. Secrets are random, shown once, and stored only as hashes.

use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub const ACCESS_TOKEN_TTL_SECS: i64 = 15 * 60;
pub const REFRESH_TOKEN_TTL_DAYS: i64 = 30;

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 with default params").to_string()
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Burns the time of one verification, so unknown emails answer as slowly as wrong passwords.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let h = DUMMY.get_or_init(|| hash_password("dummy password for timing"));
    let _ = verify_password(password, h);
}

/// A random token with a readable prefix, e.g. `tnt_at_…`.
pub fn new_token(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Tokens are high-entropy, so a fast hash is enough to make the stored value useless.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn new_totp_secret() -> String {
    totp_rs::Secret::generate_secret().to_encoded().to_string()
}

fn totp(secret_b32: &str, account: &str) -> Option<totp_rs::TOTP> {
    let bytes = totp_rs::Secret::Encoded(secret_b32.to_owned()).to_bytes().ok()?;
    totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, bytes, Some("Tenantry".into()), account.to_owned()).ok()
}

pub fn totp_url(secret_b32: &str, account: &str) -> String {
    totp(secret_b32, account).map(|t| t.get_url()).unwrap_or_default()
}

pub fn totp_check(secret_b32: &str, code: &str) -> bool {
    totp(secret_b32, "user").is_some_and(|t| t.check_current(code.trim()).unwrap_or(false))
}

/// The current code; used by tests and the demo seed's documentation.
pub fn totp_now(secret_b32: &str) -> String {
    totp(secret_b32, "user").and_then(|t| t.generate_current().ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_themselves() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterx", &h));
    }

    #[test]
    fn tokens_are_unique_and_hashes_hide_them() {
        let a = new_token("tnt_at_");
        assert_ne!(a, new_token("tnt_at_"));
        assert!(!token_hash(&a).contains(&a[7..]));
        assert_eq!(token_hash(&a), token_hash(&a));
    }

    #[test]
    fn totp_codes_check() {
        let s = new_totp_secret();
        assert!(totp_check(&s, &totp_now(&s)));
        assert!(!totp_check(&s, "000000") || totp_now(&s) == "000000");
        assert!(totp_url(&s, "ana@acme.example").starts_with("otpauth://totp/"));
    }
}
