//! A fresh proof that the person at the keyboard is the signed-in member:
//! their password (with the two-step code when that is on) or one of their
//! passkeys, asked again before an action that hands over or removes
//! control.

use serde_json::json;
use webauthn_rs::prelude::PublicKeyCredential;

use super::ceremonies::Ceremony;
use super::passkeys;
use super::passwords;
use super::principal::Principal;
use super::service::{audit_failure, expired_ceremony, failures_key, limit};
use crate::error::AppError;
use crate::state::AppState;

/// Proof that the person at the keyboard is the signed-in member, asked
/// before something that cannot be undone by a stolen session alone.
pub enum Proof {
    /// With the second step's code when two-step sign-in is on.
    Password {
        password: String,
        code: Option<String>,
    },
    /// An assertion from `/auth/passkey/start`'s ceremony.
    Passkey {
        ceremony: String,
        credential: Box<PublicKeyCredential>,
    },
}

/// Checks `proof` against `me`: their password, or one of their passkeys.
/// Failures count against the sign-in rate limit and are audited.
pub async fn reauthenticate(
    state: &AppState,
    me: &Principal,
    proof: Proof,
) -> Result<(), AppError> {
    limit(state, &me.client, Some(&me.user.username))?;
    let now = state.now();
    let proven = match proof {
        Proof::Password { password, code } => {
            let stored = me.user.password_hash.clone();
            let right = tokio::task::spawn_blocking(move || {
                passwords::verify(&password, stored.as_deref())
            })
            .await
            .map_err(|err| AppError::Internal(err.into()))?;
            if right && me.user.totp_enabled_at.is_some() {
                match code.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    Some(code) => {
                        super::totp::second_step(state, &me.user, code, &me.client).await?
                    }
                    None => {
                        return Err(AppError::InvalidRequest(
                            "Two-step sign-in is on: give a code from your authenticator app (or a recovery code) with your password.".into(),
                        ));
                    }
                }
            } else {
                right
            }
        }
        Proof::Passkey {
            ceremony,
            credential,
        } => {
            let Some((
                Ceremony::SignIn {
                    state: authentication,
                },
                _,
            )) = state.accounts().ceremonies.take(&ceremony, now)
            else {
                return Err(expired_ceremony());
            };
            let webauthn = state.accounts().relying_party.get()?;
            matches!(
                passkeys::finish_sign_in(state.db(), webauthn, &credential, authentication, now).await,
                Ok(user) if user.id == me.user.id
            )
        }
    };
    if proven {
        return Ok(());
    }
    // A wrong proof counts toward the account's ceiling of failed
    // passwords, as a wrong sign-in does.
    state
        .accounts()
        .limiter
        .record([failures_key(&me.user.username).as_str()], now);
    audit_failure(
        state,
        &me.client,
        Some(me.user.id),
        json!({ "method": "reauthentication" }),
    )
    .await?;
    Err(AppError::InvalidCredentials)
}
