//! What every response gets, whatever produced it: a request id, security
//! headers, and one log line.

use std::time::Instant;

use poem::PathPattern;
use poem::http::{HeaderName, HeaderValue, header};
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

use crate::error::AppError;
use crate::system::metrics::Metrics;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// No inline script or style, nothing from other origins, no framing.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; \
media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
form-action 'self'; frame-ancestors 'none'";

/// Headers for every response.
const SECURITY_HEADERS: [(&str, &str); 2] = [
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
];

/// Headers that govern a document. A script or a stylesheet (which
/// `nosniff` keeps from being anything else) goes without them: they would
/// be a third of the web app's bytes on a first visit.
const DOCUMENT_HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CSP),
    ("x-frame-options", "DENY"),
    ("cross-origin-opener-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    ),
];

/// An answer that took this long is logged at warn (with its time).
const SLOW_MS: f64 = 1000.0;

/// Accepts connections with Nagle's algorithm off: a small answer (a
/// thumbnail's last bytes) goes out at once instead of waiting for the
/// browser's delayed acknowledgement (~40 ms a request on a reused
/// connection).
pub struct NoDelay(pub poem::listener::TcpAcceptor);

impl poem::listener::Acceptor for NoDelay {
    type Io = tokio::net::TcpStream;

    fn local_addr(&self) -> Vec<poem::web::LocalAddr> {
        self.0.local_addr()
    }

    async fn accept(
        &mut self,
    ) -> std::io::Result<(
        Self::Io,
        poem::web::LocalAddr,
        poem::web::RemoteAddr,
        poem::http::uri::Scheme,
    )> {
        let accepted = self.0.accept().await?;
        // A socket that refuses the option still works, only slower.
        let _ = accepted.0.set_nodelay(true);
        Ok(accepted)
    }
}

/// Wraps the whole app: the request id goes into the log span and the
/// response, the security headers onto every response.
pub async fn around<E: Endpoint>(ep: E, req: Request, metrics: &Metrics) -> poem::Result<Response> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", id = %id);
    let started = Instant::now();
    let (mut resp, route) = match ep.call(req).instrument(span.clone()).await {
        Ok(output) => {
            let resp = output.into_response();
            let route = resp.data::<PathPattern>().map(|p| p.0.clone());
            (resp, route)
        }
        Err(err) => {
            let route = err.data::<PathPattern>().map(|p| p.0.clone());
            (err.into_response(), route)
        }
    };
    let status = resp.status();
    metrics.request(
        method.as_str(),
        // The web app's pages are one route.
        route.as_deref().filter(|r| !r.is_empty()).unwrap_or("/"),
        status.as_u16(),
        started.elapsed(),
    );
    let headers = resp.headers_mut();
    let subresource = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("text/javascript") || value.starts_with("text/css"));
    let document = if subresource {
        &[][..]
    } else {
        &DOCUMENT_HEADERS[..]
    };
    for (name, value) in SECURITY_HEADERS.iter().chain(document) {
        headers.insert(*name, HeaderValue::from_static(value));
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        headers.insert(REQUEST_ID, value);
    }
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let _entered = span.enter();
    // Paths only: query strings may carry tokens. Every request at debug;
    // only failures and slow answers at the levels a NAS keeps.
    if status.is_server_error() {
        tracing::error!(%method, path, status = status.as_u16(), millis, "request");
    } else if millis >= SLOW_MS {
        tracing::warn!(%method, path, status = status.as_u16(), millis, "slow request");
    } else {
        tracing::debug!(%method, path, status = status.as_u16(), millis, "request");
    }
    Ok(resp)
}

/// Refuses request bodies that declare more than `max` bytes with 413
/// before a handler reads them. A body without `Content-Length` (chunked)
/// is read up to the limit when `buffer` says so; streamed bodies
/// (uploads) are counted by their handler as they arrive instead.
pub async fn limit_body<E: Endpoint>(
    ep: E,
    mut req: Request,
    max: usize,
    buffer: bool,
) -> poem::Result<Response> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    let too_large = || {
        AppError::PayloadTooLarge("The request body is larger than this endpoint accepts.".into())
    };
    if declared.is_some_and(|length| length > max as u64) {
        return Err(too_large().into());
    }
    if buffer && declared.is_none() && req.headers().contains_key(header::TRANSFER_ENCODING) {
        let body = req
            .take_body()
            .into_bytes_limit(max)
            .await
            .map_err(|_| too_large())?;
        req.set_body(body);
    }
    ep.call(req).await.map(IntoResponse::into_response)
}
