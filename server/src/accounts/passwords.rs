//! Passwords, the fallback where passkeys cannot work (plain http on an IP
//! address): argon2id with OWASP's parameters, and zxcvbn to refuse weak
//! ones with a reason.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

pub const MIN_LENGTH: usize = 10;
const MAX_LENGTH: usize = 512;

/// OWASP (2024): argon2id, 19 MiB, 2 passes, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Refuses a password that is short or easy to guess, saying why.
pub fn check_strength(password: &str, user_inputs: &[&str]) -> Result<(), AppError> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(AppError::WeakPassword(format!(
            "Use at least {MIN_LENGTH} characters. A few unrelated words make a strong password that is easy to remember."
        )));
    }
    if length > MAX_LENGTH {
        return Err(AppError::WeakPassword(format!(
            "Use at most {MAX_LENGTH} characters."
        )));
    }
    let estimate = zxcvbn::zxcvbn(password, user_inputs);
    if (estimate.score() as u8) < 3 {
        let feedback = estimate.feedback();
        let warning = feedback
            .and_then(zxcvbn::feedback::Feedback::warning)
            .map(|w| format!("{w} "))
            .unwrap_or_default();
        let suggestion = feedback.and_then(|f| f.suggestions().first()).map_or_else(
            || "Add another word or two.".to_owned(),
            ToString::to_string,
        );
        return Err(AppError::WeakPassword(format!(
            "This password is too easy to guess. {warning}{suggestion}"
        )));
    }
    Ok(())
}

pub fn hash(password: &str) -> Result<String, AppError> {
    let salt = SaltString::encode_b64(&super::secret::random_bytes::<16>())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("salt: {err}")))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("argon2: {err}")))
}

/// True when `password` matches. With no stored hash, a dummy hash is
/// checked anyway so the answer takes as long whether or not the account
/// exists.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Mi7hrRcV+oJYqz5qQ8ll/9YK7YUJj7l6Sdkp7yIwBg";
    let candidate = stored.unwrap_or(DUMMY);
    let Ok(parsed) = PasswordHash::new(candidate) else {
        return false;
    };
    argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
        && stored.is_some()
}
