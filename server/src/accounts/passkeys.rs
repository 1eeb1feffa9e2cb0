//! Passkeys with webauthn-rs: the relying party comes from `public_url`
//! (its host is the RP id, it is the origin). Registration asks for a
//! discoverable credential, so sign-in needs no username and works with the
//! browser's passkey autofill.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter, QueryOrder, Set,
};
use url::Url;
use webauthn_rs::prelude::{
    CreationChallengeResponse, DiscoverableAuthentication, Passkey, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, RequestChallengeResponse, Webauthn,
    WebauthnBuilder,
};
use webauthn_rs_proto::ResidentKeyRequirement;

use crate::db::entities::{passkey, user};
use crate::error::AppError;

/// The relying party, or why passkeys cannot work at this address.
pub struct RelyingParty {
    webauthn: Result<Webauthn, String>,
}

impl RelyingParty {
    #[must_use]
    pub fn new(public_url: &Url) -> Self {
        let webauthn = match public_url.domain() {
            None => Err(format!(
                "Passkeys need a host name, and Hearth's address {public_url} is an IP address. The owner can give Hearth a name (and HTTPS) and set public_url."
            )),
            Some(domain) if public_url.scheme() != "https" && domain != "localhost" => {
                Err(format!(
                    "Passkeys need HTTPS, and Hearth's address {public_url} is plain http. The owner can put Hearth behind HTTPS and set public_url."
                ))
            }
            Some(domain) => WebauthnBuilder::new(domain, public_url)
                .and_then(|builder| builder.rp_name("Hearth").build())
                .map_err(|err| format!("Passkeys cannot be set up for {public_url}: {err}")),
        };
        Self { webauthn }
    }

    /// The webauthn-rs instance, or `passkeys_unavailable` with the reason.
    pub fn get(&self) -> Result<&Webauthn, AppError> {
        self.webauthn
            .as_ref()
            .map_err(|why| AppError::PasskeysUnavailable(why.clone()))
    }

    /// Why passkeys do not work here, if they do not.
    #[must_use]
    pub fn unavailable_reason(&self) -> Option<&str> {
        self.webauthn.as_ref().err().map(String::as_str)
    }
}

/// Starts registering a discoverable passkey for a user handle.
pub fn start_registration(
    webauthn: &Webauthn,
    user_handle: uuid::Uuid,
    username: &str,
    display_name: &str,
    existing: Vec<Vec<u8>>,
) -> Result<(CreationChallengeResponse, PasskeyRegistration), AppError> {
    let exclude = (!existing.is_empty()).then_some(existing);
    let (mut options, state) = webauthn
        .start_passkey_registration(user_handle, username, display_name, exclude)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("start passkey registration: {err}")))?;
    // Discoverable, so that sign-in needs no username (and autofill works).
    if let Some(selection) = options.public_key.authenticator_selection.as_mut() {
        selection.resident_key = Some(ResidentKeyRequirement::Required);
        selection.require_resident_key = true;
    }
    Ok((options, state))
}

pub fn finish_registration(
    webauthn: &Webauthn,
    credential: &RegisterPublicKeyCredential,
    state: &PasskeyRegistration,
) -> Result<Passkey, AppError> {
    webauthn
        .finish_passkey_registration(credential, state)
        .map_err(|err| {
            tracing::info!(error = %err, "passkey registration refused");
            AppError::InvalidRequest("The passkey could not be verified. Please try again.".into())
        })
}

pub fn start_sign_in(
    webauthn: &Webauthn,
) -> Result<(RequestChallengeResponse, DiscoverableAuthentication), AppError> {
    webauthn
        .start_discoverable_authentication()
        .map_err(|err| AppError::Internal(anyhow::anyhow!("start passkey sign-in: {err}")))
}

fn encode_id(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

/// Stores a verified passkey for `user_id`; `signs_in` when making it
/// also signed the member in (a setup, invite or recovery link): that is
/// its first use.
pub async fn save(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    key: &Passkey,
    now: DateTime<Utc>,
    signs_in: bool,
) -> Result<passkey::Model, AppError> {
    let json = serde_json::to_string(key).map_err(|err| AppError::Internal(err.into()))?;
    Ok(passkey::ActiveModel {
        user_id: Set(user_id),
        credential_id: Set(encode_id(key.cred_id())),
        name: Set(clean_name(name)?),
        passkey: Set(json),
        created_at: Set(now),
        last_used_at: Set(signs_in.then_some(now)),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Passkey names: 1–64 characters; empty means "Passkey".
pub fn clean_name(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    if name.chars().count() > 64 {
        return Err(AppError::InvalidRequest(
            "A passkey's name has at most 64 characters.".into(),
        ));
    }
    Ok(if name.is_empty() {
        "Passkey".to_owned()
    } else {
        name.to_owned()
    })
}

pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<passkey::Model>, AppError> {
    Ok(passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user_id))
        .order_by_asc(passkey::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn count(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, AppError> {
    Ok(passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(user_id))
        .count(db)
        .await?)
}

/// Credential ids of a user's passkeys, so the same authenticator is not
/// registered twice.
pub async fn credential_ids(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<Vec<u8>>, AppError> {
    Ok(list(db, user_id)
        .await?
        .iter()
        .filter_map(|key| URL_SAFE_NO_PAD.decode(&key.credential_id).ok())
        .collect())
}

/// Finishes a discoverable sign-in: finds the user and passkey the
/// authenticator names, verifies the signature and the counter (a counter
/// that goes backwards means a cloned authenticator), stores the new counter.
pub async fn finish_sign_in(
    db: &impl ConnectionTrait,
    webauthn: &Webauthn,
    credential: &PublicKeyCredential,
    state: DiscoverableAuthentication,
    now: DateTime<Utc>,
) -> Result<user::Model, SignInFailure> {
    let (handle, credential_id) = webauthn
        .identify_discoverable_authentication(credential)
        .map_err(|_| SignInFailure::Refused {
            user: None,
            why: "no user handle",
        })?;
    let found = user::Entity::find()
        .filter(user::Column::WebauthnId.eq(handle.to_string()))
        .one(db)
        .await?
        .ok_or(SignInFailure::Refused {
            user: None,
            why: "unknown user handle",
        })?;
    let stored = passkey::Entity::find()
        .filter(passkey::Column::UserId.eq(found.id))
        .filter(passkey::Column::CredentialId.eq(encode_id(credential_id)))
        .one(db)
        .await?
        .ok_or(SignInFailure::Refused {
            user: Some(found.id),
            why: "unknown passkey",
        })?;
    let mut key: Passkey =
        serde_json::from_str(&stored.passkey).map_err(|err| AppError::Internal(err.into()))?;
    let result = webauthn
        .finish_discoverable_authentication_v2(credential, state, &key)
        .map_err(|err| {
            tracing::info!(error = %err, user = found.id, "passkey sign-in refused");
            SignInFailure::Refused {
                user: Some(found.id),
                why: "verification failed (signature, origin or counter)",
            }
        })?;
    key.update_credential(&result);
    let mut active = stored.into_active_model();
    active.passkey =
        Set(serde_json::to_string(&key).map_err(|err| AppError::Internal(err.into()))?);
    active.last_used_at = Set(Some(now));
    active.update(db).await?;
    Ok(found)
}

/// Why a passkey sign-in failed: for the audit log, never for the caller.
pub enum SignInFailure {
    Refused {
        user: Option<i64>,
        why: &'static str,
    },
    Error(AppError),
}

impl From<AppError> for SignInFailure {
    fn from(err: AppError) -> Self {
        Self::Error(err)
    }
}

impl From<sea_orm::DbErr> for SignInFailure {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Error(err.into())
    }
}
