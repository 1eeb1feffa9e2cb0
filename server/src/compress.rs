//! Compression on the wire: which encoding a client takes, and the
//! middleware that compresses large JSON answers. The web app's files are
//! compressed at build time (`build.rs`); media is never compressed again.

use std::io::Write as _;

use poem::http::{HeaderMap, HeaderValue, header};
use poem::{Endpoint, IntoResponse as _, Request, Response};

/// JSON smaller than this goes as it is: compressing it saves less than
/// the headers cost.
const JSON_MIN_BYTES: usize = 1024;

/// Brotli quality for JSON made per request: fast, and still well ahead of
/// gzip's default.
const JSON_QUALITY: u32 = 4;

/// An encoding both sides can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

impl Encoding {
    /// The best of `offered` that the request's `Accept-Encoding` allows.
    pub fn choose(headers: &HeaderMap, brotli: bool, gzip: bool) -> Self {
        if brotli && accepts(headers, "br") {
            Self::Brotli
        } else if gzip && accepts(headers, "gzip") {
            Self::Gzip
        } else {
            Self::Identity
        }
    }

    /// The `Content-Encoding` value, when there is one.
    pub fn header(self) -> Option<&'static str> {
        match self {
            Self::Brotli => Some("br"),
            Self::Gzip => Some("gzip"),
            Self::Identity => None,
        }
    }
}

/// Whether `coding` is listed with a quality above zero.
fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|item| {
            let mut parts = item.split(';');
            let name = parts.next().unwrap_or_default().trim();
            let quality = parts
                .find_map(|part| part.trim().strip_prefix("q="))
                .map_or(1.0, |q| q.trim().parse::<f32>().unwrap_or(0.0));
            name.eq_ignore_ascii_case(coding) && quality > 0.0
        })
}

/// The reads whose answers are large and hold no secret: the timeline,
/// search, the trash, albums and the API's description. Answers that may
/// hold a secret (tokens, links, codes) are never compressed, so their
/// length cannot betray them (BREACH).
const COMPRESSED: [&str; 5] = [
    "/api/timeline",
    "/api/search",
    "/api/trash",
    "/api/albums",
    "/api/openapi.json",
];

/// Compresses a large JSON answer (at least [`JSON_MIN_BYTES`]) of the
/// reads in [`COMPRESSED`] with Brotli when the client takes it (every
/// browser does).
pub async fn json<E: Endpoint>(ep: E, req: Request) -> poem::Result<Response> {
    let path = req.original_uri().path();
    let wanted = req.method() == poem::http::Method::GET
        && COMPRESSED.iter().any(|prefix| {
            path.strip_prefix(prefix)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
        && !path.contains("/links");
    let encoding = if wanted {
        Encoding::choose(req.headers(), true, false)
    } else {
        Encoding::Identity
    };
    let mut resp = ep.call(req).await?.into_response();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.starts_with("application/json"));
    if !is_json || resp.headers().contains_key(header::CONTENT_ENCODING) {
        return Ok(resp);
    }
    resp.headers_mut()
        .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if encoding == Encoding::Identity {
        return Ok(resp);
    }
    let (mut parts, body) = resp.into_parts();
    let bytes = body.into_bytes().await?;
    if bytes.len() < JSON_MIN_BYTES {
        return Ok(Response::from_parts(parts, bytes.into()));
    }
    let mut writer = brotli::CompressorWriter::new(
        Vec::with_capacity(bytes.len() / 4),
        16 * 1024,
        JSON_QUALITY,
        20,
    );
    writer
        .write_all(&bytes)
        .map_err(poem::error::InternalServerError)?;
    let out = writer.into_inner();
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Response::from_parts(parts, out.into()))
}
