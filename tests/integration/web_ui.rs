//! The embedded web UI: files with the right types, client-side routes,
//! caching by ETag and by version, compression, the limits of the
//! fallback, security headers.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::harness::TestServer;

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn files_have_their_content_types() {
    let server = TestServer::start().await;
    for (path, expected) in [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        (
            "/components/hearth-shell.js",
            "text/javascript; charset=utf-8",
        ),
        ("/styles/app.css", "text/css; charset=utf-8"),
        ("/styles/viewer.css", "text/css; charset=utf-8"),
        ("/styles/toasts.css", "text/css; charset=utf-8"),
        ("/styles/selection.css", "text/css; charset=utf-8"),
        ("/styles/scrubber.css", "text/css; charset=utf-8"),
        ("/styles/upload-tray.css", "text/css; charset=utf-8"),
        ("/styles/choices.css", "text/css; charset=utf-8"),
        ("/styles/days.css", "text/css; charset=utf-8"),
        ("/styles/picker.css", "text/css; charset=utf-8"),
        ("/styles/slideshow.css", "text/css; charset=utf-8"),
        ("/icon.svg", "image/svg+xml; charset=utf-8"),
        (
            "/manifest.webmanifest",
            "application/manifest+json; charset=utf-8",
        ),
    ] {
        let response = server.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(header(&response, "content-type"), expected, "{path}");
    }
    server.stop().await;
}

#[tokio::test]
async fn client_routes_get_the_app_but_missing_files_and_api_do_not() {
    let server = TestServer::start().await;
    let index = server.get("/").await.text().await.unwrap();
    assert!(index.contains("<hearth-shell>"));
    for route in [
        "/albums",
        "/settings",
        "/search/",
        "/photos/2024/06",
        "/no/such/page",
    ] {
        let response = server.get(route).await;
        assert_eq!(response.status(), 200, "{route}");
        assert_eq!(header(&response, "cache-control"), "no-cache");
        assert_eq!(response.text().await.unwrap(), index, "{route}");
    }
    // A missing file is a 404, not HTML pretending to be a script.
    for missing in ["/missing.js", "/styles/missing.css", "/favicon.ico"] {
        let response = server.get(missing).await;
        assert_eq!(response.status(), 404, "{missing}");
        assert!(header(&response, "content-type").starts_with("text/plain"));
    }
    // /api never falls back to HTML.
    let response = server.get("/api/photos").await;
    assert_eq!(response.status(), 404);
    assert!(header(&response, "content-type").starts_with("application/json"));
    // Writing to the UI is not a thing.
    let response = server
        .client
        .post(server.url("/albums"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(header(&response, "allow"), "GET, HEAD");
    server.stop().await;
}

#[tokio::test]
async fn paths_cannot_climb_out_of_the_web_folder() {
    let server = TestServer::start().await;
    for path in [
        "/../Cargo.toml",
        "/styles/../../server/Cargo.toml",
        "/..%2fCargo.toml",
    ] {
        // Sent raw: HTTP clients would normalise the dots away.
        let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: hearth\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        assert!(response.starts_with("HTTP/1.1 404"), "{path}: {response}");
        assert!(!response.contains("[package]"), "{path} leaked a file");
    }
    server.stop().await;
}

#[tokio::test]
async fn etag_revalidation_answers_304() {
    let server = TestServer::start().await;
    for path in ["/app.js", "/", "/albums"] {
        let first = server.get(path).await;
        let etag = header(&first, "etag");
        assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");
        assert_eq!(header(&first, "cache-control"), "no-cache");

        let again = server
            .client
            .get(server.url(path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert_eq!(header(&again, "etag"), etag);
        assert!(again.bytes().await.unwrap().is_empty());

        let stale = server
            .client
            .get(server.url(path))
            .header("if-none-match", "\"0000\"")
            .send()
            .await
            .unwrap();
        assert_eq!(stale.status(), 200, "{path}");
    }
    // Different files, different tags.
    assert_ne!(
        header(&server.get("/app.js").await, "etag"),
        header(&server.get("/api.js").await, "etag")
    );
    server.stop().await;
}

#[tokio::test]
async fn security_headers_on_every_response() {
    let server = TestServer::start().await;
    let etag = header(&server.get("/app.js").await, "etag");
    let responses = vec![
        server.get("/").await,
        server.get("/missing.js").await,
        server.get("/api/health").await,
        server.get("/api/nope").await,
        server.get("/api/docs").await,
        server.get("/icon.svg").await,
        server
            .client
            .get(server.url("/app.js"))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap(),
    ];
    for response in responses {
        let url = response.url().to_string();
        let csp = header(&response, "content-security-policy");
        assert!(csp.starts_with("default-src 'self'"), "{url}: {csp}");
        assert!(
            csp.contains("script-src 'self';"),
            "no inline script: {csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(
            header(&response, "x-content-type-options"),
            "nosniff",
            "{url}"
        );
        assert_eq!(header(&response, "referrer-policy"), "same-origin", "{url}");
        assert_eq!(header(&response, "x-frame-options"), "DENY", "{url}");
    }
    // Scripts and stylesheets are never documents: nosniff holds them to
    // that, and the document's headers would only cost bytes.
    for path in ["/app.js", "/styles/app.css"] {
        let response = server.get(path).await;
        assert_eq!(header(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header(&response, "referrer-policy"), "same-origin");
        assert!(response.headers().get("content-security-policy").is_none());
    }
    server.stop().await;
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    brotli::BrotliDecompress(&mut &bytes[..], &mut out).unwrap();
    out
}

async fn fetch(server: &TestServer, path: &str, accept: &str) -> reqwest::Response {
    server
        .client
        .get(server.url(path))
        .header("accept-encoding", accept)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_app_is_sent_compressed_and_kept_for_good_under_its_version() {
    use std::io::Read as _;
    let server = TestServer::start().await;
    let plain = fetch(&server, "/app.js", "identity").await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(header(&plain, "vary"), "accept-encoding");
    let plain = plain.bytes().await.unwrap();

    // Brotli when the browser takes it (every one does), else gzip; the
    // same bytes either way, precompressed (no work per request).
    let br = fetch(&server, "/app.js", "gzip, deflate, br, zstd").await;
    assert_eq!(header(&br, "content-encoding"), "br");
    let br = br.bytes().await.unwrap();
    assert!(
        br.len() * 3 < plain.len(),
        "{} of {}",
        br.len(),
        plain.len()
    );
    assert_eq!(unbrotli(&br), plain);
    let gz = fetch(&server, "/app.js", "gzip;q=1, br;q=0").await;
    assert_eq!(header(&gz, "content-encoding"), "gzip");
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&gz.bytes().await.unwrap()[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain);

    // The page loads its files under /v/<version>/, kept for a year.
    let index = server.get("/").await.text().await.unwrap();
    let start = index.find("src=\"/v/").expect("a versioned script") + 5;
    let script = &index[start..start + index[start..].find('"').unwrap()];
    assert!(script.ends_with("/app.js"), "{script}");
    let kept = fetch(&server, script, "br").await;
    assert_eq!(kept.status(), 200);
    assert_eq!(
        header(&kept, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(unbrotli(&kept.bytes().await.unwrap()), plain);
    // Its modules import each other relatively, so stay under it.
    let version = script.trim_end_matches("app.js");
    let module = server.get(&format!("{version}library/timeline.js")).await;
    assert_eq!(module.status(), 200);
    assert!(header(&module, "cache-control").contains("immutable"));
    // Another version's page (open across an upgrade) is told its file is
    // gone (it reloads), never handed today's; a missing file is missing.
    assert_eq!(server.get("/v/0123456789ab/app.js").await.status(), 404);
    assert_eq!(server.get(&format!("{version}nope.js")).await.status(), 404);
    // The page itself is always asked again.
    assert_eq!(header(&server.get("/").await, "cache-control"), "no-cache");

    // Large JSON is compressed; small JSON and media are not.
    let spec = fetch(&server, "/api/openapi.json", "br").await;
    assert_eq!(header(&spec, "content-encoding"), "br");
    let spec: serde_json::Value =
        serde_json::from_slice(&unbrotli(&spec.bytes().await.unwrap())).unwrap();
    assert!(spec["paths"].is_object());
    let health = fetch(&server, "/api/health", "br").await;
    assert!(health.headers().get("content-encoding").is_none());
    let owner = server.owner().await;
    let id = owner
        .imported("a.jpg", crate::fixtures::jpeg(800, 600, 7, None))
        .await;
    for kind in ["thumb", "preview", "original"] {
        let media = owner
            .client
            .get(owner.base.clone() + &format!("/api/assets/{id}/{kind}"))
            .header("accept-encoding", "br, gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(media.status(), 200, "{kind}");
        assert!(media.headers().get("content-encoding").is_none(), "{kind}");
    }
    server.stop().await;
}

#[tokio::test]
async fn the_ui_loads_nothing_from_elsewhere() {
    let server = TestServer::start().await;
    // Every file the pages reference, followed from index.html and the docs page.
    let mut queue = vec!["/index.html".to_owned(), "/api-docs.html".to_owned()];
    let mut seen = std::collections::HashSet::new();
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = server.get(&path).await;
        assert_eq!(response.status(), 200, "{path} is served");
        let text = response.text().await.unwrap();
        assert!(
            !text.contains("//cdn") && !text.contains("googleapis"),
            "{path}"
        );
        for reference in references(&text) {
            assert!(
                !reference.starts_with("http:")
                    && !reference.starts_with("https:")
                    && !reference.starts_with("//"),
                "{path} references {reference}"
            );
            if reference.starts_with('/') && !reference.starts_with("/api/") {
                queue.push(reference);
            } else if let Some(relative) = reference
                .strip_prefix("./")
                .or_else(|| reference.strip_prefix("../"))
            {
                let base = path.rsplit_once('/').map_or("", |(dir, _)| dir);
                let base = if reference.starts_with("../") {
                    base.rsplit_once('/').map_or("", |(dir, _)| dir)
                } else {
                    base
                };
                queue.push(format!("{base}/{relative}"));
            }
        }
    }
    assert!(seen.len() > 10, "followed the module graph: {seen:?}");
    server.stop().await;
}

/// `src`/`href` attributes, CSS `url()`s and ES module specifiers.
fn references(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for marker in [
        "src=\"", "href=\"", "from '", "import '", "import('", "url(",
    ] {
        let mut rest = text;
        while let Some(start) = rest.find(marker) {
            rest = &rest[start + marker.len()..];
            let end = rest.find(['"', '\'', ')']).unwrap_or(rest.len());
            let reference = rest[..end].trim_matches(['\'', '"']).to_owned();
            if !reference.is_empty()
                && !reference.starts_with('#')
                && !reference.starts_with("data:")
                && !reference.contains("${")
            {
                found.push(reference);
            }
            rest = &rest[end..];
        }
    }
    found
}
