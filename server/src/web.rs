//! The embedded web UI: files under `web/`, compressed at build time
//! (`build.rs`), with ETags, and `index.html` for client-side routes.
//! `/api/...` never falls back to HTML.
//!
//! Each file answers at its own path (revalidated with its ETag) and under
//! `/v/<version>/` (kept for a year): the pages load everything from there,
//! so a repeat visit costs one small request.

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Body, Request, Response, handler};

use crate::compress::Encoding;

/// One file of the web app, as built.
struct WebFile {
    path: &'static str,
    mime: &'static str,
    /// The quoted ETag of its bytes.
    etag: &'static str,
    raw: &'static [u8],
    br: Option<&'static [u8]>,
    gz: Option<&'static [u8]>,
}

// `VERSION` and `FILES` (sorted by path), written by `build.rs`.
include!(concat!(env!("OUT_DIR"), "/web_files.rs"));

const INDEX: &str = "index.html";

fn file(path: &str) -> Option<&'static WebFile> {
    FILES
        .binary_search_by(|file| file.path.cmp(path))
        .ok()
        .and_then(|at| FILES.get(at))
}

/// Any path outside `/api`.
#[handler]
pub fn ui(req: &Request) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return Response::builder()
            .status(StatusCode::METHOD_NOT_ALLOWED)
            .header(header::ALLOW, "GET, HEAD")
            .content_type("text/plain; charset=utf-8")
            .body("Method not allowed");
    }
    let mut path = req.uri().path().trim_start_matches('/');
    // `/v/<version>/x` is `x`, kept for good. An older version's page (open
    // across an upgrade) asking for a module it has not loaded yet gets a
    // 404, not today's file, which could not work with the old ones it
    // holds: the app reloads itself on that.
    let mut immutable = false;
    if let Some(rest) = path.strip_prefix("v/")
        && let Some((version, inner)) = rest.split_once('/')
    {
        if version != VERSION {
            return not_found();
        }
        immutable = true;
        path = inner;
    }
    if path.is_empty() {
        return asset(req, INDEX, false);
    }
    if path.split('/').any(|part| part == ".." || part == ".") || path.contains('\\') {
        return not_found();
    }
    if file(path).is_some() {
        return asset(req, path, immutable);
    }
    // A missing file (it has an extension) is a 404, not HTML in disguise;
    // anything else is a route of the single-page app.
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        not_found()
    } else {
        asset(req, INDEX, false)
    }
}

/// `/api/docs`: the API explorer page.
#[handler]
pub fn api_docs(req: &Request) -> Response {
    asset(req, "api-docs.html", false)
}

fn not_found() -> Response {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .content_type("text/plain; charset=utf-8")
        .body("Not found")
}

/// One embedded file in the best encoding the client takes, or 304 when
/// the client's copy is current.
fn asset(req: &Request, path: &str, immutable: bool) -> Response {
    let Some(file) = file(path) else {
        return not_found();
    };
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let builder = Response::builder()
        .header(header::ETAG, file.etag)
        .header(header::CACHE_CONTROL, cache)
        .header(header::VARY, "accept-encoding");
    // One ETag for every encoding of the same bytes: a weak match is what
    // If-None-Match asks for.
    let fresh = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == file.etag
        });
    if fresh {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    let encoding = Encoding::choose(req.headers(), file.br.is_some(), file.gz.is_some());
    let bytes = match encoding {
        Encoding::Brotli => file.br.unwrap_or(file.raw),
        Encoding::Gzip => file.gz.unwrap_or(file.raw),
        Encoding::Identity => file.raw,
    };
    let builder = match encoding.header() {
        Some(coding) => builder.header(header::CONTENT_ENCODING, coding),
        None => builder,
    };
    builder
        .header(header::CONTENT_TYPE, HeaderValue::from_static(file.mime))
        .body(Body::from(bytes))
}
