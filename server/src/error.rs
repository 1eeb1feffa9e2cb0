//! The one error type of the HTTP API and its one mapping to HTTP: every
//! `/api` error is JSON `{"code", "message"}` with a stable, greppable code.
//! The message is for people; details stay in the server log.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::{ToJSON, Type};
use poem_openapi::{ApiResponse, Object};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request is malformed or a value is out of range.
    #[error("{0}")]
    InvalidRequest(String),
    /// The path names nothing, or nothing the caller may see.
    #[error("{0}")]
    NotFound(String),
    /// No valid session or token.
    #[error("Please sign in.")]
    Unauthorized,
    /// Wrong username, password, code or passkey; never says which.
    #[error("Those sign-in details are not right. Please try again.")]
    InvalidCredentials,
    #[error("{0}")]
    Forbidden(String),
    /// A write with a cookie, from a page that is not Hearth's.
    #[error("This request did not come from Hearth's own pages, so it was refused.")]
    CsrfRejected,
    #[error("{0}")]
    Conflict(String),
    /// The change needs the person to confirm a consequence first (e.g.
    /// private photos becoming visible to an album's members); the message
    /// says which, and the request is repeated with the confirmation.
    #[error("{0}")]
    ConfirmationNeeded(String),
    /// A share link that is unknown, expired or revoked (which of these
    /// is not said).
    #[error(
        "This link does not work any more: it may have expired or been turned off. Ask whoever sent it for a new one."
    )]
    ShareUnusable,
    /// An action that hands over or removes control needs a fresh proof
    /// that it is the member: their password (with a two-step code when
    /// that is on) or a passkey, in the same request.
    #[error("Confirm it is you: give your password, or use a passkey.")]
    ReauthenticationRequired,
    /// A share link with a password, not given yet in this browser.
    #[error("This album is protected by a password.")]
    PasswordRequired,

    /// A setup, invite or recovery link that is unknown, expired, used or revoked.
    #[error("{0}")]
    LinkUnusable(String),
    #[error("{0}")]
    WeakPassword(String),
    /// Passkeys cannot work at Hearth's address (IP address, or plain http).
    #[error("{0}")]
    PasskeysUnavailable(String),
    /// Removing this would leave no way to sign in.
    #[error("This is your last way to sign in. Add another passkey or a password first.")]
    LastCredential,
    #[error("Too many attempts. Please wait {retry_after} seconds and try again.")]
    RateLimited { retry_after: u64 },
    /// A search query that cannot be read; `position` is the character
    /// (0-based) where the trouble starts.
    #[error("{message}")]
    InvalidQuery { message: String, position: usize },
    /// A part of Hearth that is not running in this process.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// Any other refusal by the HTTP layer, with its own status.
    #[error("{message}")]
    Rejected { status: StatusCode, message: String },
    /// A bug or an unexpected failure; the cause goes to the log only.
    #[error("Something went wrong on the server. The details are in its log.")]
    Internal(#[source] anyhow::Error),
}

/// The body of every `/api` error.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none, rename = "Error")]
pub struct ErrorBody {
    /// Stable machine-readable code, e.g. `not_found`.
    pub code: String,
    /// What went wrong, in words for people.
    pub message: String,
    /// `invalid_query`: the character (0-based) where the trouble starts.
    #[oai(skip_serializing_if_is_none)]
    pub position: Option<u64>,
}

impl AppError {
    /// Everything known about the error, for the log: an internal error's
    /// whole chain of causes (its message to people only says "see the log").
    #[must_use]
    pub fn detail(&self) -> String {
        match self {
            Self::Internal(cause) => format!("{cause:#}"),
            other => other.to_string(),
        }
    }

    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::NotFound(_) => "not_found",
            Self::Unauthorized => "unauthorized",
            Self::InvalidCredentials => "invalid_credentials",
            Self::Forbidden(_) => "forbidden",
            Self::CsrfRejected => "csrf_rejected",
            Self::Conflict(_) => "conflict",
            Self::ConfirmationNeeded(_) => "confirmation_needed",
            Self::ShareUnusable => "share_unusable",
            Self::PasswordRequired => "password_required",
            Self::ReauthenticationRequired => "reauthentication_required",

            Self::LinkUnusable(_) => "link_unusable",
            Self::WeakPassword(_) => "weak_password",
            Self::PasskeysUnavailable(_) => "passkeys_unavailable",
            Self::LastCredential => "last_credential",
            Self::RateLimited { .. } => "rate_limited",
            Self::InvalidQuery { .. } => "invalid_query",
            Self::Unavailable(_) => "unavailable",
            Self::MethodNotAllowed(_) => "method_not_allowed",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::UnsupportedMediaType(_) => "unsupported_media_type",
            Self::Rejected { .. } => "request_rejected",
            Self::Internal(_) => "internal",
        }
    }

    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidRequest(_) | Self::InvalidQuery { .. } => StatusCode::BAD_REQUEST,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Unauthorized | Self::InvalidCredentials | Self::PasswordRequired => {
                StatusCode::UNAUTHORIZED
            }
            Self::Forbidden(_) | Self::CsrfRejected | Self::ReauthenticationRequired => {
                StatusCode::FORBIDDEN
            }
            Self::Conflict(_)
            | Self::ConfirmationNeeded(_)
            | Self::LastCredential
            | Self::PasskeysUnavailable(_) => StatusCode::CONFLICT,
            Self::LinkUnusable(_) | Self::ShareUnusable => StatusCode::GONE,
            Self::WeakPassword(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Rejected { status, .. } => *status,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Classifies an error raised by poem or poem-openapi (routing, body
    /// parsing, size limits) or passes one of ours through.
    #[must_use]
    pub fn from_poem(err: poem::Error) -> Self {
        let err = match err.downcast::<Self>() {
            Ok(own) => return own,
            Err(other) => other,
        };
        let status = err.status();
        let message = err.to_string();
        match status {
            StatusCode::NOT_FOUND => {
                Self::NotFound("There is no API endpoint at this path.".into())
            }
            StatusCode::METHOD_NOT_ALLOWED => {
                Self::MethodNotAllowed("This API endpoint does not accept this method.".into())
            }
            StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge(message),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => Self::UnsupportedMediaType(message),
            StatusCode::BAD_REQUEST => Self::InvalidRequest(message),
            // No credentials at all (poem-openapi's own answer).
            StatusCode::UNAUTHORIZED => Self::Unauthorized,
            status if status.is_server_error() => Self::Internal(anyhow::anyhow!(message)),
            status => Self::Rejected { status, message },
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::Internal(err.into())
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Self::Internal(_) = &self {
            tracing::error!(error = self.detail(), "internal error");
        }
        poem::error::ResponseError::as_response(&self)
    }
}

impl poem::error::ResponseError for AppError {
    fn status(&self) -> StatusCode {
        AppError::status(self)
    }

    fn as_response(&self) -> Response {
        let body = ErrorBody {
            code: self.code().to_owned(),
            message: self.to_string(),
            position: match self {
                Self::InvalidQuery { position, .. } => u64::try_from(*position).ok(),
                _ => None,
            },
        };
        let mut builder = Response::builder()
            .status(self.status())
            .content_type("application/json; charset=utf-8");
        if let Self::RateLimited { retry_after } = self {
            builder = builder.header("retry-after", retry_after.to_string());
        }
        builder.body(body.to_json_string())
    }
}

/// Documents the error shape once for every operation that can fail.
impl ApiResponse for AppError {
    fn meta() -> MetaResponses {
        MetaResponses {
            responses: vec![MetaResponse {
                description: "An error: `code` is stable, `message` is for people.",
                status: None,
                status_range: None,
                content: vec![MetaMediaType {
                    content_type: "application/json; charset=utf-8",
                    schema: ErrorBody::schema_ref(),
                }],
                headers: Vec::new(),
            }],
        }
    }

    fn register(registry: &mut Registry) {
        ErrorBody::register(registry);
    }
}
