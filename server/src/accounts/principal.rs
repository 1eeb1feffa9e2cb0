//! Who is calling: a signed-in browser (session cookie) or a script (API
//! token as `Authorization: Bearer`). Both arrive through one extractor,
//! `Auth`. Cookie-authenticated writes must come from Hearth's own pages
//! (Origin check), so another site cannot act with a member's cookie.

use poem::Request;
use poem::http::Method;
use poem_openapi::SecurityScheme;
use poem_openapi::auth::{ApiKey, Bearer};

use super::sessions::{self, Client};
use super::tokens::{self, Scope};
use super::users::Role;
use crate::db::entities::user;
use crate::error::AppError;
use crate::state::AppState;

/// The caller of an authenticated endpoint.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: user::Model,
    pub via: Via,
    pub client: Client,
}

#[derive(Debug, Clone)]
pub enum Via {
    Session { id: i64 },
    Token { id: i64, scopes: Vec<Scope> },
}

impl Principal {
    #[must_use]
    pub fn role(&self) -> Role {
        Role::parse(&self.user.role)
    }

    /// Owner or admin, signed in (not a token).
    pub fn require_admin(&self) -> Result<(), AppError> {
        self.require_session()?;
        if self.role().is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Only the owner or an admin can do this.".into(),
            ))
        }
    }

    pub fn require_owner(&self) -> Result<(), AppError> {
        self.require_session()?;
        if self.role() == Role::Owner {
            Ok(())
        } else {
            Err(AppError::Forbidden("Only the owner can do this.".into()))
        }
    }

    /// Account and household changes need a signed-in person, not a script.
    pub fn require_session(&self) -> Result<i64, AppError> {
        match self.via {
            Via::Session { id } => Ok(id),
            Via::Token { .. } => Err(AppError::Forbidden(
                "API tokens cannot do this; sign in to Hearth in a browser.".into(),
            )),
        }
    }

    /// Sessions can do everything; tokens only what their scopes say.
    pub fn require_scope(&self, scope: Scope) -> Result<(), AppError> {
        match &self.via {
            Via::Session { .. } => Ok(()),
            Via::Token { scopes, .. } if scopes.contains(&scope) => Ok(()),
            Via::Token { .. } => Err(AppError::Forbidden(format!(
                "This API token lacks the “{}” scope.",
                scope.as_str()
            ))),
        }
    }

    #[must_use]
    pub fn ip(&self) -> Option<&str> {
        self.client.ip.as_deref()
    }
}

/// A signed-in browser.
#[derive(SecurityScheme)]
#[oai(
    rename = "session",
    ty = "api_key",
    key_name = "hearth_session",
    key_in = "cookie",
    checker = "check_session"
)]
pub struct SessionAuth(pub Principal);

/// A script with an API token.
#[derive(SecurityScheme)]
#[oai(rename = "token", ty = "bearer", checker = "check_token")]
pub struct TokenAuth(pub Principal);

/// Either: endpoints that scripts may call take this.
#[derive(SecurityScheme)]
pub enum Auth {
    // Tried first; the session's refusal (e.g. CSRF) is the one reported.
    Token(TokenAuth),
    Session(SessionAuth),
}

impl Auth {
    #[must_use]
    pub fn principal(&self) -> &Principal {
        match self {
            Self::Token(TokenAuth(principal)) | Self::Session(SessionAuth(principal)) => principal,
        }
    }
}

fn state(req: &Request) -> poem::Result<&AppState> {
    req.data::<AppState>()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState missing")).into())
}

async fn check_session(req: &Request, key: ApiKey) -> poem::Result<Principal> {
    let state = state(req)?;
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        check_origin(req, state, true)?;
    }
    let client = Client::of(req);
    let found = sessions::lookup(
        state.db(),
        &state.config().auth,
        &key.key,
        &client,
        state.now(),
    )
    .await?;
    let (session, user) = found.ok_or(AppError::Unauthorized)?;
    Ok(Principal {
        user,
        via: Via::Session { id: session.id },
        client,
    })
}

async fn check_token(req: &Request, bearer: Bearer) -> poem::Result<Principal> {
    let state = state(req)?;
    let (token, user) = tokens::lookup(state.db(), &bearer.token, state.now())
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok(Principal {
        user,
        via: Via::Token {
            id: token.id,
            scopes: tokens::parse_scopes(&token.scopes),
        },
        client: Client::of(req),
    })
}

/// Refuses a write whose `Origin` (or `Referer`) is another site. With
/// `required`, a write with neither header is refused too.
pub fn check_origin(req: &Request, state: &AppState, required: bool) -> Result<(), AppError> {
    let headers = req.headers();
    let claimed = headers
        .get("origin")
        .or_else(|| headers.get("referer"))
        .and_then(|value| value.to_str().ok())
        .and_then(|value| url::Url::parse(value).ok());
    let Some(claimed) = claimed else {
        return if required {
            Err(AppError::CsrfRejected)
        } else {
            Ok(())
        };
    };
    let origin = claimed.origin();
    if origin == state.config().public_url().origin() {
        return Ok(());
    }
    // The address the browser used, when it is not public_url (a LAN IP).
    let host = headers.get("host").and_then(|value| value.to_str().ok());
    let own = host.and_then(|host| url::Url::parse(&format!("{}://{host}", claimed.scheme())).ok());
    if own.is_some_and(|own| own.origin() == origin) {
        return Ok(());
    }
    Err(AppError::CsrfRejected)
}

impl Principal {
    /// For a long-lived stream: whether the session or token this principal
    /// came with still exists and has not expired, and its member is still
    /// active; returns the member as they are now (their role may have
    /// changed).
    pub async fn recheck(&self, state: &AppState) -> Result<Option<user::Model>, AppError> {
        use sea_orm::EntityTrait as _;

        use crate::db::entities::{api_token, session};
        let now = state.now();
        let user_id = match self.via {
            Via::Session { id } => session::Entity::find_by_id(id)
                .one(state.db())
                .await?
                .filter(|s| s.expires_at > now && s.absolute_expires_at > now)
                .map(|s| s.user_id),
            Via::Token { id, .. } => api_token::Entity::find_by_id(id)
                .one(state.db())
                .await?
                .map(|t| t.user_id),
        };
        let Some(user_id) = user_id else {
            return Ok(None);
        };
        Ok(user::Entity::find_by_id(user_id)
            .one(state.db())
            .await?
            .filter(|user| user.status == super::users::ACTIVE))
    }
}
