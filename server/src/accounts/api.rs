//! HTTP for accounts: sign-in and one-time links (`AuthApi`), your own
//! account (`AccountApi`).

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};

use super::links::{self, Kind};
use super::principal::{Auth, SessionAuth, check_origin};
use super::sessions::{self, Client, DEVICE_COOKIE, NewSession, SESSION_COOKIE};
use super::tokens::{self, Scope};
use super::users::{NewUser, Role};
use super::{service, users};
use crate::api::ApiTag;
use crate::db::entities::user;
use crate::error::AppError;
use crate::state::AppState;

pub struct AuthApi;
pub struct AccountApi;

/// You, as the app shows you.
#[derive(Debug, Object)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
    pub has_password: bool,
    pub totp_enabled: bool,
}

impl From<&user::Model> for Me {
    fn from(user: &user::Model) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            email: user.email.clone(),
            role: Role::parse(&user.role),
            has_password: user.password_hash.is_some(),
            totp_enabled: user.totp_enabled_at.is_some(),
        }
    }
}

#[derive(Debug, Object)]
pub struct LinkToken {
    /// The `token` from the link's address.
    pub token: String,
}

/// What a one-time link is for and whether it still works.
#[derive(Debug, Object)]
pub struct LinkInfo {
    pub kind: Kind,
    pub state: links::State,
    /// The role an invite grants.
    pub role: Option<Role>,
    /// For a recovery link: whose account it recovers.
    pub display_name: Option<String>,
}

#[derive(Debug, Object)]
pub struct LinkWithPassword {
    pub token: String,
    /// For setup and invites: the new account's username.
    pub username: Option<String>,
    pub display_name: Option<String>,
    pub email: Option<String>,
    #[oai(validator(max_length = 512))]
    pub password: String,
}

#[derive(Debug, Object)]
pub struct PasswordSignIn {
    #[oai(validator(max_length = 64))]
    pub username: String,
    #[oai(validator(max_length = 512))]
    pub password: String,
}

#[derive(Debug, Object)]
pub struct SessionInfo {
    pub id: i64,
    /// "Safari on iPhone"
    pub device: String,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The session making this request.
    pub current: bool,
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
}

#[derive(Debug, Object)]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
pub struct CreatedToken {
    /// Shown once: Hearth keeps only a hash.
    pub token: String,
    pub info: TokenInfo,
}

#[derive(ApiResponse)]
pub enum Done {
    #[oai(status = 204)]
    Done,
}

/// Sets the session and device cookies for a new session.
fn set_cookies(jar: &CookieJar, state: &AppState, session: &NewSession) {
    let secure = state.config().public_url().scheme() == "https";
    let max_age =
        std::time::Duration::from_secs(u64::from(state.config().auth.session_max_days) * 86_400);
    let mut cookie = Cookie::new_with_str(SESSION_COOKIE, &session.token);
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(secure);
    cookie.set_max_age(max_age);
    jar.add(cookie);
    let mut device = Cookie::new_with_str(DEVICE_COOKIE, &session.device);
    device.set_http_only(true);
    device.set_same_site(SameSite::Lax);
    device.set_path("/");
    device.set_secure(secure);
    device.set_max_age(std::time::Duration::from_hours(400 * 24));
    jar.add(device);
}

fn token_info(token: &crate::db::entities::api_token::Model) -> TokenInfo {
    TokenInfo {
        id: token.id,
        name: token.name.clone(),
        scopes: tokens::parse_scopes(&token.scopes),
        created_at: token.created_at,
        last_used_at: token.last_used_at,
    }
}

#[OpenApi(tag = "ApiTag::Auth")]
impl AuthApi {
    /// What a one-time link is for, and whether it still works.
    #[oai(
        path = "/links/inspect",
        method = "post",
        operation_id = "inspect_link"
    )]
    async fn inspect_link(
        &self,
        state: Data<&AppState>,
        body: Json<LinkToken>,
    ) -> Result<Json<LinkInfo>, AppError> {
        let (kind, link) = links::find(state.db(), &body.token).await?.ok_or_else(|| {
            AppError::LinkUnusable(
                "This link is not valid. Check that it was copied completely.".into(),
            )
        })?;
        let display_name = match (kind, link.user_id) {
            (Kind::Recovery, Some(id)) => Some(users::find(state.db(), id).await?.display_name),
            _ => None,
        };
        let mut state_now = links::state(&link, state.now());
        if kind == Kind::Setup
            && state_now == links::State::Valid
            && users::owner_exists(state.db()).await?
        {
            state_now = links::State::Used;
        }
        Ok(Json(LinkInfo {
            kind,
            state: state_now,
            role: link.role.as_deref().map(Role::parse),
            display_name,
        }))
    }

    /// Use a setup, invite or recovery link with a password.
    ///
    /// Setup and invites create the account (username, display name,
    /// optional email); a recovery link sets a new password on its member's
    /// account. Signs in.
    #[oai(
        path = "/links/password",
        method = "post",
        operation_id = "use_link_with_password"
    )]
    async fn link_with_password(
        &self,
        req: &Request,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<LinkWithPassword>,
    ) -> Result<Json<Me>, AppError> {
        check_origin(req, &state, false)?;
        let client = Client::of(req);
        let new_user = match (&body.username, &body.display_name) {
            (Some(username), Some(display_name)) => Some(NewUser {
                username: username.clone(),
                display_name: display_name.clone(),
                email: body.email.clone(),
                role: Role::Member,
            }),
            _ => None,
        };
        let user = service::finish_link_with_password(
            &state,
            &body.token,
            new_user,
            &body.password,
            &client,
        )
        .await?;
        let session = service::start_session(&state, &user, &client, "password").await?;
        set_cookies(jar, &state, &session);
        Ok(Json(Me::from(&user)))
    }

    /// Sign in with a username and password.
    ///
    /// A wrong username and a wrong password get the same answer.
    #[oai(
        path = "/auth/password",
        method = "post",
        operation_id = "sign_in_with_password"
    )]
    async fn sign_in_password(
        &self,
        req: &Request,
        state: Data<&AppState>,
        jar: &CookieJar,
        body: Json<PasswordSignIn>,
    ) -> Result<Json<Me>, AppError> {
        check_origin(req, &state, false)?;
        let client = Client::of(req);
        let user = service::check_password(&state, &body.username, &body.password, &client).await?;
        let session = service::start_session(&state, &user, &client, "password").await?;
        set_cookies(jar, &state, &session);
        Ok(Json(Me::from(&user)))
    }

    /// Sign out of this browser.
    #[oai(path = "/auth/signout", method = "post", operation_id = "sign_out")]
    async fn sign_out(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        jar: &CookieJar,
    ) -> Result<Done, AppError> {
        let me = &auth.0;
        let id = me.require_session()?;
        sessions::revoke(state.db(), me.user.id, id).await?;
        jar.remove(SESSION_COOKIE);
        Ok(Done::Done)
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
                .map(|s| SessionInfo {
                    id: s.id,
                    device: s.device_label,
                    ip: s.ip,
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                    current: s.id == current,
                })
                .collect(),
        ))
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
        let me = &auth.0;
        me.require_session()?;
        sessions::revoke(state.db(), me.user.id, id.0).await?;
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

    /// Your API tokens.
    #[oai(path = "/me/tokens", method = "get", operation_id = "list_tokens")]
    async fn tokens(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<TokenInfo>>, AppError> {
        let me = &auth.0;
        me.require_session()?;
        let list = tokens::list(state.db(), me.user.id).await?;
        Ok(Json(list.iter().map(token_info).collect()))
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
        me.require_session()?;
        let (model, token) = tokens::create(
            state.db(),
            me.user.id,
            &body.name,
            &body.scopes,
            state.now(),
        )
        .await?;
        Ok(Json(CreatedToken {
            token,
            info: token_info(&model),
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
        me.require_session()?;
        tokens::revoke(state.db(), me.user.id, id.0).await?;
        Ok(Done::Done)
    }
}
