//! Links handed out (invites, recovery, share and cancellation links) start
//! with the address that works: `public_url` when the owner set it, else
//! the address the browser is using, never an address a `Host` header
//! could bend into something else.

use serde_json::{Value, json};

use crate::harness::{Browser, TestServer};

/// POSTs as a browser that reached Hearth at `host`.
async fn post_at(browser: &Browser, host: &str, path: &str, body: &Value) -> Value {
    let response = browser
        .client
        .post(format!("{}{path}", browser.base))
        .header("host", host)
        .header("origin", format!("http://{host}"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert_eq!(status, 200, "POST {path} at {host}: {text}");
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn without_public_url_links_use_the_address_in_use() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let port = server.addr().port();
    let lan = format!("192.168.1.10:{port}");

    let info = owner.json("/api/server/info").await;
    assert_eq!(info["public_url_set"], false);

    let invite = post_at(
        &owner,
        &lan,
        "/api/household/invites",
        &json!({ "role": "member" }),
    )
    .await;
    let url = invite["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("http://{lan}/")), "{url}");

    let album = owner.ok("/api/albums", &json!({ "title": "Summer" })).await;
    let id = album["album"]["id"].as_i64().unwrap();
    let link = post_at(&owner, &lan, &format!("/api/albums/{id}/links"), &json!({})).await;
    let url = link["url"].as_str().unwrap();
    assert!(url.starts_with(&format!("http://{lan}/shared/")), "{url}");
    // Behind a reverse proxy that says the browser used https: https.
    let proxied = owner
        .client
        .post(server.url("/api/household/invites"))
        .header("host", "photos.home.arpa")
        .header("x-forwarded-proto", "https")
        .header("origin", server.origin())
        .json(&json!({ "role": "member" }))
        .send()
        .await
        .unwrap();
    let url = proxied.json::<Value>().await.unwrap()["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        url.starts_with("https://photos.home.arpa/invite?token="),
        "{url}"
    );
    // Listed again from another address, it says that one.
    let listed = owner.json(&format!("/api/albums/{id}/links")).await;
    let url = listed[0]["url"].as_str().unwrap();
    assert!(url.starts_with(&server.url("/shared/")), "{url}");

    // A Host header that is not just an address is not used (the
    // request's origin is public_url's, so it is accepted).
    for odd in [
        "olivia@evil.example",
        "evil.example/phish",
        "evil.example?x=1",
    ] {
        let response = owner
            .client
            .post(server.url("/api/household/invites"))
            .header("host", odd)
            .header("origin", server.origin())
            .json(&json!({ "role": "member" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{odd}");
        let invite: Value = response.json().await.unwrap();
        let url = invite["url"].as_str().unwrap();
        assert!(
            url.starts_with(&format!("http://localhost:{port}/")),
            "{odd}: {url}"
        );
    }
}

#[tokio::test]
async fn a_set_public_url_is_what_links_use() {
    let server = TestServer::start_with(|config| {
        config.public_url = Some("http://hearth.home.arpa".parse().unwrap());
    })
    .await;
    let owner = server.owner().await;
    let info = owner.json("/api/server/info").await;
    assert_eq!(info["public_url_set"], true);
    // From a LAN address the public one still starts the link (the web
    // app warns that it differs from the address in use).
    let lan = format!("192.168.1.10:{}", server.addr().port());
    let invite = post_at(
        &owner,
        &lan,
        "/api/household/invites",
        &json!({ "role": "member" }),
    )
    .await;
    let url = invite["url"].as_str().unwrap();
    assert!(url.starts_with("http://hearth.home.arpa/"), "{url}");
}
