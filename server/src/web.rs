//! The embedded web UI: files under `web/` (read from disk in debug builds,
//! compiled in for release), with ETags, and `index.html` for client-side
//! routes. `/api/...` never falls back to HTML.

use std::fmt::Write as _;

use poem::http::{HeaderValue, Method, StatusCode, header};
use poem::{Request, Response, handler};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../web/"]
struct Assets;

const INDEX: &str = "index.html";

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
    let path = req.uri().path().trim_start_matches('/');
    if path.is_empty() {
        return asset(req, INDEX);
    }
    if path.split('/').any(|part| part == ".." || part == ".") || path.contains('\\') {
        return not_found();
    }
    if Assets::get(path).is_some() {
        return asset(req, path);
    }
    // A missing file (it has an extension) is a 404, not HTML in disguise;
    // anything else is a route of the single-page app.
    let last = path.rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        not_found()
    } else {
        asset(req, INDEX)
    }
}

/// `/api/docs`: the API explorer page.
#[handler]
pub fn api_docs(req: &Request) -> Response {
    asset(req, "api-docs.html")
}

fn not_found() -> Response {
    Response::builder()
        .status(StatusCode::NOT_FOUND)
        .content_type("text/plain; charset=utf-8")
        .body("Not found")
}

/// One embedded file, or 304 when the client's copy is current.
fn asset(req: &Request, path: &str) -> Response {
    let Some(file) = Assets::get(path) else {
        return not_found();
    };
    let mut etag = String::from("\"");
    for byte in &file.metadata.sha256_hash()[..16] {
        let _ = write!(etag, "{byte:02x}");
    }
    etag.push('"');
    // Files have no hashed names (no build step), so browsers revalidate
    // every time; the ETag makes that a cheap 304.
    let builder = Response::builder()
        .header(header::ETAG, etag.as_str())
        .header(header::CACHE_CONTROL, "no-cache");
    let fresh = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag
        });
    if fresh {
        return builder.status(StatusCode::NOT_MODIFIED).finish();
    }
    let mime = file.metadata.mimetype();
    let content_type = if mime.starts_with("text/")
        || mime.ends_with("javascript")
        || mime.ends_with("json")
        || mime.ends_with("svg+xml")
    {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_owned()
    };
    builder
        .header(
            header::CONTENT_TYPE,
            HeaderValue::from_str(&content_type)
                .unwrap_or(HeaderValue::from_static("application/octet-stream")),
        )
        .body(file.data.into_owned())
}
