//! HTTP for your own account: profile, passkeys, password, two-step codes,
//! sessions, API tokens and security activity.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};

use super::api::{Done, Me, PasskeyChallenge, PasskeyFinish, Reauth, credential};
use super::household_api::RecoveryLink;
use super::principal::{Auth, SessionAuth};
use super::tokens::{self, Scope};
use super::users::{self, NewUser};
use super::{audit, passkeys, service, sessions, totp};
use crate::api::ApiTag;
use crate::db::entities::{api_token, passkey, session};
use crate::error::AppError;
use crate::library::api::Visibility;
use crate::state::AppState;

pub struct AccountApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Profile {
    /// Absent: unchanged.
    #[oai(validator(max_length = 128))]
    pub display_name: Option<String>,
    /// Absent or empty: none (with a display name given).
    #[oai(validator(max_length = 254))]
    pub email: Option<String>,
    /// What you upload starts as (absent: unchanged).
    pub default_visibility: Option<Visibility>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PasskeyInfo {
    pub id: i64,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&passkey::Model> for PasskeyInfo {
    fn from(key: &passkey::Model) -> Self {
        Self {
            id: key.id,
            name: key.name.clone(),
            created_at: key.created_at,
            last_used_at: key.last_used_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct Named {
    #[oai(validator(max_length = 64))]
    pub name: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PasswordChange {
    /// Required when the account already has a password.
    #[oai(validator(max_length = 512))]
    pub current: Option<String>,
    #[oai(validator(max_length = 512))]
    pub new: String,
    /// Adding a first password: proof that it is you (a passkey).
    #[oai(flatten)]
    pub proof: Reauth,
}

#[derive(Debug, Object)]
pub struct TotpEnrolment {
    /// Base32, for typing into an app by hand.
    pub secret: String,
    /// The `otpauth://` URI.
    pub uri: String,
    /// The URI as an SVG QR code.
    pub qr_svg: String,
}

#[derive(Debug, Object)]
pub struct Code {
    #[oai(validator(max_length = 32))]
    pub code: String,
}

#[derive(Debug, Object)]
pub struct RecoveryCodes {
    /// Shown once. Each works once instead of a two-step code.
    pub codes: Vec<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SessionInfo {
    pub id: i64,
    /// "Safari on iPhone"
    pub device: String,
    pub ip: Option<String>,
    /// The address is on the home network (or this computer): private,
    /// link-local, loopback or a VPN's shared range.
    pub home_network: bool,
    /// When it signed in.
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The session making this request.
    pub current: bool,
}

impl SessionInfo {
    fn of(session: session::Model, current: i64) -> Self {
        Self {
            id: session.id,
            home_network: session.ip.as_deref().is_some_and(sessions::on_home_network),
            device: session.device_label,
            ip: session.ip,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            current: session.id == current,
        }
    }
}

#[derive(Debug, Object)]
pub struct Revoked {
    pub revoked: u64,
}

#[derive(Debug, Object)]
pub struct NewToken {
    #[oai(validator(max_length = 64))]
    pub name: String,
    pub scopes: Vec<Scope>,
    /// That it is you: a token reads (or adds to) your library for as
    /// long as it lives.
    #[oai(flatten)]
    pub proof: Reauth,
}

/// A new passkey's name, and proof that it is you (a passkey is a way
/// into your account for whoever holds it).
#[derive(Debug, Object)]
pub struct NewPasskey {
    #[oai(validator(max_length = 64))]
    pub name: String,
    #[oai(flatten)]
    pub proof: Reauth,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&api_token::Model> for TokenInfo {
    fn from(token: &api_token::Model) -> Self {
        Self {
            id: token.id,
            name: token.name.clone(),
            scopes: tokens::parse_scopes(&token.scopes),
            created_at: token.created_at,
            last_used_at: token.last_used_at,
        }
    }
}

#[derive(Debug, Object)]
pub struct CreatedToken {
    /// Shown once: Hearth keeps only a hash.
    pub token: String,
    pub info: TokenInfo,
}

/// One audit-log entry.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Activity {
    pub at: DateTime<Utc>,
    /// e.g. `signin.succeeded`, `passkey.added`, `member.role_changed`.
    pub action: String,
    pub actor_id: Option<i64>,
    pub target_user_id: Option<i64>,
    pub ip: Option<String>,
    pub details: serde_json::Value,
}

impl From<crate::db::entities::audit::Model> for Activity {
    fn from(entry: crate::db::entities::audit::Model) -> Self {
        Self {
            at: entry.at,
            action: entry.action,
            actor_id: entry.actor_id,
            target_user_id: entry.target_user_id,
            ip: entry.ip,
            details: serde_json::from_str(&entry.details).unwrap_or_default(),
        }
    }
}

#[OpenApi(tag = "ApiTag::Account")]
impl AccountApi {
    /// Who you are signed in as.
    #[oai(path = "/me", method = "get", operation_id = "me")]
    async fn me(&self, auth: Auth) -> Result<Json<Me>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        Ok(Json(Me::from(&me.user)))
    }

    /// Change your display name and email, or whether what you upload
    /// starts private or shared with the family.
    #[oai(path = "/me", method = "patch", operation_id = "update_me")]
    async fn update_me(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<Profile>,
    ) -> Result<Json<Me>, AppError> {
        let me = &auth.0;
        let mut active = me.user.clone().into_active_model();
        if let Some(display_name) = &body.display_name {
            let checked = users::validate(&NewUser {
                username: me.user.username.clone(),
                display_name: display_name.clone(),
                email: body.email.clone(),
                role: me.role(),
            })?;
            active.display_name = Set(checked.display_name);
            active.email = Set(checked.email);
        }
        if let Some(visibility) = body.default_visibility {
            active.default_visibility = Set(visibility.as_str().to_owned());
        }
        active.updated_at = Set(state.now());
        Ok(Json(Me::from(&active.update(state.db()).await?)))
    }

    /// Your passkeys.
    #[oai(path = "/me/passkeys", method = "get", operation_id = "list_passkeys")]
    async fn passkeys(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<PasskeyInfo>>, AppError> {
        let list = passkeys::list(state.db(), auth.0.user.id).await?;
        Ok(Json(list.iter().map(PasskeyInfo::from).collect()))
    }

    /// Start adding a passkey (with a fresh proof that it is you).
    #[oai(
        path = "/me/passkeys/start",
        method = "post",
        operation_id = "start_add_passkey"
    )]
    async fn passkey_start(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<NewPasskey>,
    ) -> Result<Json<PasskeyChallenge>, AppError> {
        body.proof.check(&state, &auth.0).await?;
        let (ceremony, options) = service::start_add_passkey(&state, &auth.0, &body.name).await?;
        Ok(Json(PasskeyChallenge::new(ceremony, &options)?))
    }

    /// Finish adding a passkey.
    #[oai(
        path = "/me/passkeys/finish",
        method = "post",
        operation_id = "finish_add_passkey"
    )]
    async fn passkey_finish(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<PasskeyFinish>,
    ) -> Result<Json<PasskeyInfo>, AppError> {
        let registration = credential(&body.credential)?;
        let key =
            service::finish_add_passkey(&state, &auth.0, &body.ceremony, &registration).await?;
        Ok(Json(PasskeyInfo::from(&key)))
    }

    /// Rename a passkey.
    #[oai(
        path = "/me/passkeys/:id",
        method = "patch",
        operation_id = "rename_passkey"
    )]
    async fn passkey_rename(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<Named>,
    ) -> Result<Json<PasskeyInfo>, AppError> {
        let key = service::rename_passkey(&state, &auth.0, id.0, &body.name).await?;
        Ok(Json(PasskeyInfo::from(&key)))
    }

    /// Remove a passkey (never your last way to sign in).
    #[oai(
        path = "/me/passkeys/:id",
        method = "delete",
        operation_id = "remove_passkey"
    )]
    async fn passkey_remove(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<Reauth>,
    ) -> Result<Done, AppError> {
        body.check(&state, &auth.0).await?;
        service::remove_passkey(&state, &auth.0, id.0).await?;
        Ok(Done::Done)
    }

    /// Set or change your password.
    #[oai(path = "/me/password", method = "put", operation_id = "set_password")]
    async fn set_password(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<PasswordChange>,
    ) -> Result<Json<Me>, AppError> {
        // Changing one asks for it; adding the first asks for a passkey.
        if auth.0.user.password_hash.is_none() {
            body.proof.check(&state, &auth.0).await?;
        }
        let user =
            service::change_password(&state, &auth.0, body.current.as_deref(), &body.new).await?;
        Ok(Json(Me::from(&user)))
    }

    /// Remove your password (you keep signing in with passkeys).
    #[oai(
        path = "/me/password",
        method = "delete",
        operation_id = "remove_password"
    )]
    async fn remove_password(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<Reauth>,
    ) -> Result<Json<Me>, AppError> {
        body.check(&state, &auth.0).await?;
        let user = service::remove_password(&state, &auth.0).await?;
        Ok(Json(Me::from(&user)))
    }

    /// Start turning on two-step codes for password sign-in (with a fresh
    /// proof: whoever enrols holds the codes).
    #[oai(path = "/me/totp/start", method = "post", operation_id = "start_totp")]
    async fn totp_start(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<Reauth>,
    ) -> Result<Json<TotpEnrolment>, AppError> {
        body.check(&state, &auth.0).await?;
        let enrolment = totp::start(&state, &auth.0).await?;
        Ok(Json(TotpEnrolment {
            secret: enrolment.secret,
            uri: enrolment.uri,
            qr_svg: enrolment.qr_svg,
        }))
    }

    /// Confirm two-step codes with a code from the app; returns recovery codes.
    #[oai(
        path = "/me/totp/confirm",
        method = "post",
        operation_id = "confirm_totp"
    )]
    async fn totp_confirm(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<Code>,
    ) -> Result<Json<RecoveryCodes>, AppError> {
        let codes = totp::confirm(&state, &auth.0, &body.code).await?;
        Ok(Json(RecoveryCodes { codes }))
    }

    /// Turn two-step codes off (needs a current code or a recovery code).
    #[oai(
        path = "/me/totp/disable",
        method = "post",
        operation_id = "disable_totp"
    )]
    async fn totp_disable(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<Code>,
    ) -> Result<Done, AppError> {
        totp::disable(&state, &auth.0, &body.code).await?;
        Ok(Done::Done)
    }

    /// Where you are signed in.
    #[oai(path = "/me/sessions", method = "get", operation_id = "list_sessions")]
    async fn sessions(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<SessionInfo>>, AppError> {
        let me = &auth.0;
        let current = me.require_session()?;
        let list = sessions::list(state.db(), me.user.id, state.now()).await?;
        Ok(Json(
            list.into_iter()
                .map(|s| SessionInfo::of(s, current))
                .collect(),
        ))
    }

    /// Name one of your sessions ("Work laptop"), to tell alike browsers
    /// apart; an empty name gives back the browser's own.
    #[oai(
        path = "/me/sessions/:id",
        method = "patch",
        operation_id = "rename_session"
    )]
    async fn rename_session(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<Named>,
    ) -> Result<Json<SessionInfo>, AppError> {
        let current = auth.0.require_session()?;
        let renamed = sessions::rename(state.db(), auth.0.user.id, id.0, &body.name).await?;
        Ok(Json(SessionInfo::of(renamed, current)))
    }

    /// Sign out one of your sessions.
    #[oai(
        path = "/me/sessions/:id",
        method = "delete",
        operation_id = "revoke_session"
    )]
    async fn revoke_session(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        sessions::revoke(state.db(), auth.0.user.id, id.0).await?;
        Ok(Done::Done)
    }

    /// Sign out everywhere else.
    #[oai(
        path = "/me/sessions/revoke-others",
        method = "post",
        operation_id = "revoke_other_sessions"
    )]
    async fn revoke_others(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Revoked>, AppError> {
        let me = &auth.0;
        let current = me.require_session()?;
        let revoked = sessions::revoke_all_except(state.db(), me.user.id, Some(current)).await?;
        Ok(Json(Revoked { revoked }))
    }

    /// Your API tokens (without their secrets).
    #[oai(path = "/me/tokens", method = "get", operation_id = "list_tokens")]
    async fn tokens(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<TokenInfo>>, AppError> {
        let list = tokens::list(state.db(), auth.0.user.id).await?;
        Ok(Json(list.iter().map(TokenInfo::from).collect()))
    }

    /// Create an API token for a script. The token is shown once.
    #[oai(path = "/me/tokens", method = "post", operation_id = "create_token")]
    async fn create_token(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<NewToken>,
    ) -> Result<Json<CreatedToken>, AppError> {
        let me = &auth.0;
        body.proof.check(&state, me).await?;
        let (model, token) = tokens::create(
            state.db(),
            me.user.id,
            &body.name,
            &body.scopes,
            state.now(),
        )
        .await?;
        audit::record(
            state.db(),
            audit::Event {
                action: "token.created",
                actor: Some(me.user.id),
                target: Some(me.user.id),
                ip: me.ip(),
                details: serde_json::json!({ "name": model.name, "scopes": model.scopes }),
            },
            state.now(),
        )
        .await?;
        Ok(Json(CreatedToken {
            token,
            info: TokenInfo::from(&model),
        }))
    }

    /// Revoke an API token.
    #[oai(
        path = "/me/tokens/:id",
        method = "delete",
        operation_id = "revoke_token"
    )]
    async fn revoke_token(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        let me = &auth.0;
        let token = tokens::revoke(state.db(), me.user.id, id.0).await?;
        audit::record(
            state.db(),
            audit::Event {
                action: "token.revoked",
                actor: Some(me.user.id),
                target: Some(me.user.id),
                ip: me.ip(),
                details: serde_json::json!({ "name": token.name }),
            },
            state.now(),
        )
        .await?;
        Ok(Done::Done)
    }

    /// Recovery links made for your account (the last 10): who made each,
    /// when it works, whether it was used or cancelled. Cancel one that is
    /// still waiting with `DELETE /recovery-links/{id}`.
    #[oai(
        path = "/me/recovery-links",
        method = "get",
        operation_id = "my_recovery_links"
    )]
    async fn recovery_links(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<RecoveryLink>>, AppError> {
        let me = &auth.0;
        let mut out = Vec::new();
        for link in super::recovery::recovery_links(state.db(), me.user.id, None).await? {
            out.push(RecoveryLink::of(&state, &link).await?);
        }
        Ok(Json(out))
    }

    /// Cancel a recovery link before it is used: the member it is for
    /// (from any device still signed in), the owner, or whoever made it.
    #[oai(
        path = "/recovery-links/:id",
        method = "delete",
        operation_id = "cancel_recovery_link"
    )]
    async fn cancel_recovery(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        super::recovery::cancel_recovery_link(&state, &auth.0, id.0).await?;
        Ok(Done::Done)
    }

    /// Your security activity: sign-ins, new passkeys, password changes.
    #[oai(path = "/me/activity", method = "get", operation_id = "my_activity")]
    async fn activity(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Activity>>, AppError> {
        let entries = audit::list(state.db(), Some(auth.0.user.id), 200).await?;
        Ok(Json(entries.into_iter().map(Activity::from).collect()))
    }
}
