//! WebDAV at `/dav/`: where phone backup apps (PhotoSync, FolderSync) and
//! WebDAV clients send a member's photos. Each member signs in with their
//! username and a device password (Settings → Devices) and sees only their
//! own tree, `/dav/<username>/`. Failed sign-ins are rate limited as on the
//! sign-in page. The protocol is `dav-server`'s; the tree is ours
//! (`tree.rs`).

pub mod api;
mod fs;
pub mod passwords;
mod props;
mod tree;
mod upload;

use std::sync::Arc;

use base64::Engine as _;
use poem::http::{HeaderValue, StatusCode, header};
use poem::{Endpoint, IntoResponse, Request, Response};

use crate::accounts::ratelimit::Limit;
use crate::accounts::sessions::Client;
use crate::error::AppError;
use crate::state::AppState;

/// The folder below a member's originals that holds what their backup
/// apps sent (`<member>/WebDAV/<the app's folders>/`); `folder:` searches
/// find it.
pub const FOLDER: &str = "WebDAV";

/// Where the tree is served.
pub const PREFIX: &str = "/dav";

/// The `/dav` endpoint (nested under `PREFIX`).
pub fn endpoint() -> impl Endpoint<Output = Response> {
    poem::endpoint::make(|req: Request| async move {
        match serve(req).await {
            Ok(response) => response,
            Err(err) => refused(err),
        }
    })
}

/// A refusal; an unauthenticated one asks for Basic credentials.
fn refused(err: AppError) -> Response {
    let unauthorized = matches!(err, AppError::Unauthorized);
    let mut response = err.into_response();
    if unauthorized {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Hearth\", charset=\"UTF-8\""),
        );
    }
    response
}

/// The username and password of a Basic `Authorization` header.
fn basic(req: &Request) -> Option<(String, String)> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// A path's decoded segments below `PREFIX` (none for `/dav/` itself).
fn segments(path: &str) -> Vec<String> {
    path.strip_prefix(PREFIX)
        .unwrap_or(path)
        .split('/')
        .filter(|part| !part.is_empty())
        .map(|part| {
            percent_encoding::percent_decode_str(part)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect()
}

/// Refuses what the handler would start by deleting and the tree would
/// then refuse: removing, moving or copying the top or a member's own
/// folder, and moving or copying a folder into itself or onto one of the
/// folders it is in (`Overwrite` deletes the destination first).
fn guard(req: &Request) -> Result<(), AppError> {
    let method = req.method().as_str();
    if !matches!(method, "DELETE" | "MOVE" | "COPY") {
        return Ok(());
    }
    let refused = || AppError::Forbidden("Not that: it would remove what it moves.".into());
    let source = segments(req.original_uri().path());
    if source.len() <= 1 {
        return Err(refused());
    }
    if method == "DELETE" {
        return Ok(());
    }
    let Some(destination) = req
        .headers()
        .get("destination")
        .and_then(|value| value.to_str().ok())
    else {
        return Ok(());
    };
    let destination = url::Url::parse(destination)
        .map_or_else(|_| destination.to_owned(), |url| url.path().to_owned());
    let destination = segments(&destination);
    let nested = |a: &[String], b: &[String]| a.len() <= b.len() && b[..a.len()] == *a;
    if destination.len() <= 1 || nested(&source, &destination) || nested(&destination, &source) {
        return Err(refused());
    }
    Ok(())
}

async fn serve(req: Request) -> Result<Response, AppError> {
    let state = req
        .data::<AppState>()
        .cloned()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState missing")))?;
    let (username, password) = basic(&req).ok_or(AppError::Unauthorized)?;
    // (Not `Client::of`: no cookies here.)
    let client = Client {
        user_agent: None,
        ip: req
            .remote_addr()
            .as_socket_addr()
            .map(|addr| addr.ip().to_string()),
        device: None,
    };
    let address = client.address();
    // Its own keys: a revoked phone retrying at home must not lock the
    // household out of the sign-in page.
    let keys = [
        format!("dav-ip:{address}"),
        format!("dav-account:{}@{address}", username.trim().to_lowercase()),
    ];
    let limits: Vec<(&str, Limit)> = keys
        .iter()
        .map(|key| (key.as_str(), Limit::PER_MINUTE))
        .collect();
    let limiter = &state.accounts().limiter;
    limiter.check(&limits, state.now())?;
    let member = passwords::verify(
        state.db(),
        &username,
        &password,
        client.ip.as_deref(),
        state.now(),
    )
    .await?;
    let Some(member) = member else {
        limiter.record(keys.iter().map(String::as_str), state.now());
        tracing::warn!(ip = ?client.ip, "WebDAV: a wrong device password");
        return Err(AppError::Unauthorized);
    };
    guard(&req)?;
    let handler = dav_server::DavHandler::builder()
        .strip_prefix(PREFIX)
        .filesystem(Box::new(tree::Tree {
            state: state.clone(),
            any_props: Arc::default(),
            patching: req.method().as_str() == "PROPPATCH",
        }))
        .locksystem(dav_server::fakels::FakeLs::new())
        .build_handler();
    // The handler strips the prefix itself: the whole path, as sent.
    let mut req = req;
    let original = req.original_uri().clone();
    *req.uri_mut() = original;
    let request: ::http::Request<_> = req.into();
    let principal = member.username.clone();
    let answer = handler
        .handle_guarded(request, principal, Arc::new(member))
        .await;
    let (parts, body) = answer.into_parts();
    let mut response = Response::builder()
        .status(parts.status)
        .body(poem::Body::from_bytes_stream(body));
    *response.headers_mut() = parts.headers;
    if response.status() == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::warn!("WebDAV: a request failed");
    }
    response.headers_mut().remove(header::SET_COOKIE);
    Ok(response)
}
