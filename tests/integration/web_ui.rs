//! The embedded web UI: files with the right types, client-side routes,
//! caching by ETag, the limits of the fallback, security headers.

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
        server.get("/app.js").await,
        server.get("/missing.js").await,
        server.get("/api/health").await,
        server.get("/api/nope").await,
        server.get("/api/docs").await,
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
    for marker in ["src=\"", "href=\"", "from '", "import '", "url("] {
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
