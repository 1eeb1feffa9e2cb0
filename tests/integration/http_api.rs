//! The `/api` surface: health, errors as JSON with stable codes, limits,
//! request ids, and the committed OpenAPI document.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::harness::TestServer;

async fn json_of(response: reqwest::Response) -> Value {
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    response.json().await.unwrap()
}

/// An `/api` error: the status, `{"code","message"}`, and nothing else.
async fn assert_error(response: reqwest::Response, status: u16, code: &str) -> String {
    assert_eq!(response.status(), status, "expected {status} {code}");
    let body = json_of(response).await;
    assert_eq!(body["code"], code, "{body}");
    let message = body["message"].as_str().expect("message").to_owned();
    assert!(!message.is_empty());
    assert_eq!(
        body.as_object().unwrap().len(),
        2,
        "only code and message: {body}"
    );
    message
}

#[tokio::test]
async fn health_reports_version_and_uptime_from_the_clock() {
    let server = TestServer::start().await;
    let response = server.get("/api/health").await;
    assert_eq!(response.status(), 200);
    let body = json_of(response).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"], "ok");
    assert_eq!(body["version"], hearth::VERSION);
    assert_eq!(body["uptime_seconds"], 0);

    server.clock.advance(TimeDelta::minutes(90));
    let body = json_of(server.get("/api/health").await).await;
    assert_eq!(body["uptime_seconds"], 5400);
    server.stop().await;
}

#[tokio::test]
async fn health_is_503_when_the_database_is_gone() {
    let server = TestServer::start().await;
    server.state().db().clone().close().await.unwrap();
    let response = server.get("/api/health").await;
    assert_eq!(response.status(), 503);
    let body = json_of(response).await;
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["database"], "unavailable");
}

#[tokio::test]
async fn server_info() {
    let server = TestServer::start().await;
    let body = json_of(server.get("/api/server/info").await).await;
    assert_eq!(
        body,
        json!({
            "name": "Hearth",
            "version": hearth::VERSION,
            "setup_pending": true,
            "public_url": format!("http://localhost:{}/", server.addr().port()),
            "public_url_set": false,
        })
    );
    server.stop().await;
}

#[tokio::test]
async fn unknown_paths_and_methods_are_json_errors() {
    let server = TestServer::start().await;
    for path in [
        "/api/nope",
        "/api/",
        "/api",
        "/api/health/extra",
        "/api/nope.html",
    ] {
        assert_error(server.get(path).await, 404, "not_found").await;
    }
    for (method, path) in [
        (reqwest::Method::POST, "/api/health"),
        (reqwest::Method::DELETE, "/api/server/info"),
        (reqwest::Method::PUT, "/api/client-errors"),
    ] {
        let response = server
            .client
            .request(method, server.url(path))
            .send()
            .await
            .unwrap();
        assert_error(response, 405, "method_not_allowed").await;
    }
    server.stop().await;
}

#[tokio::test]
async fn bad_bodies_are_refused_with_codes() {
    let server = TestServer::start().await;
    let post = |body: &'static str, content_type: &'static str| {
        server
            .client
            .post(server.url("/api/client-errors"))
            .header("content-type", content_type)
            .body(body)
            .send()
    };
    let json = "application/json";
    let cases = [
        ("{not json", json, 400, "invalid_request", "line 1"),
        ("{}", json, 400, "invalid_request", "ClientErrorReport"),
        (
            r#"{"message": ""}"#,
            json,
            400,
            "invalid_request",
            "minLength(1)",
        ),
        (
            r#"{"message": "x", "line": "three"}"#,
            json,
            400,
            "invalid_request",
            "ClientErrorReport",
        ),
        (
            r#"{"message": "x", "line": -1}"#,
            json,
            400,
            "invalid_request",
            "ClientErrorReport",
        ),
        (
            "message=hi",
            "application/x-www-form-urlencoded",
            415,
            "unsupported_media_type",
            "Content-Type",
        ),
    ];
    for (body, content_type, status, code, said) in cases {
        let message = assert_error(post(body, content_type).await.unwrap(), status, code).await;
        assert!(message.contains(said), "{body}: {message}");
    }

    let response = post(
        r#"{"message": "TypeError: x is undefined", "page": "/albums", "line": 3}"#,
        "application/json",
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 204);
    server.stop().await;
}

#[tokio::test]
async fn oversized_bodies_are_refused_before_reading() {
    let server = TestServer::start().await;
    let big = format!(r#"{{"message": "{}"}}"#, "x".repeat(70 * 1024));
    let response = server
        .client
        .post(server.url("/api/client-errors"))
        .header("content-type", "application/json")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_error(response, 413, "payload_too_large").await;

    // Chunked, without a Content-Length: still limited.
    let chunks = futures_chunks(big);
    let response = server
        .client
        .post(server.url("/api/client-errors"))
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap();
    assert_error(response, 413, "payload_too_large").await;
    server.stop().await;
}

fn futures_chunks(
    text: String,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> = text
        .into_bytes()
        .chunks(8 * 1024)
        .map(|chunk| Ok(chunk.to_vec()))
        .collect();
    futures_util::stream::iter(chunks)
}

#[tokio::test]
async fn every_response_has_a_request_id() {
    let server = TestServer::start().await;
    let mut seen = std::collections::HashSet::new();
    for path in [
        "/api/health",
        "/api/health",
        "/api/nope",
        "/",
        "/app.js",
        "/missing.png",
    ] {
        let response = server.get(path).await;
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
        assert!(seen.insert(id), "ids are unique");
    }
    server.stop().await;
}

const OPENAPI_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");

#[tokio::test]
async fn committed_openapi_document_is_current() {
    let generated = hearth::api::openapi_json();
    let committed = std::fs::read_to_string(OPENAPI_FILE).unwrap_or_default();
    assert!(
        generated.trim() == committed.trim(),
        "server/openapi.json is out of date with the code. Regenerate it with:\n\n    cargo run -q -p hearth -- openapi > server/openapi.json\n"
    );

    // And the server serves that same document.
    let server = TestServer::start().await;
    let from_server = json_of(server.get("/api/openapi.json").await).await;
    let committed: Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(from_server, committed);
    for operation in ["health", "server_info", "report_client_error"] {
        assert!(
            generated.contains(&format!("\"operationId\": \"{operation}\"")),
            "{operation} is documented"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn api_docs_are_served_from_the_binary() {
    let server = TestServer::start().await;
    let response = server.get("/api/docs").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("<hearth-api-docs"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "nothing from elsewhere"
    );
    let script = server.get("/components/hearth-api-docs.js").await;
    assert_eq!(script.status(), 200);
    server.stop().await;
}
