//! Who may call what: every operation in the OpenAPI document has a rule
//! here, and each caller the rule leaves out is refused — strangers with
//! 401, everyone else with no success. An operation added without a rule
//! fails this test, so nobody forgets to decide.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::fixtures::jpeg;
use crate::harness::{Browser, OWNER_PASSWORD, TestServer};
use crate::household::join;

/// Who an operation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// Anyone, signed in or not (sign-in, links, guests of share links).
    Public,
    /// Signed-in members, and API tokens with the `read` scope.
    Read,
    /// Signed-in members, and API tokens with the `upload` scope.
    Upload,
    /// Signed-in members only: no API token.
    Session,
    /// The owner and admins, signed in.
    Admin,
    /// The owner, signed in.
    Owner,
}

use Rule::{Admin, Owner, Public, Read, Session, Upload};

const RULES: &[(&str, Rule)] = &[
    ("get /health", Public),
    ("get /server/info", Public),
    ("post /client-errors", Public),
    ("post /links/inspect", Public),
    ("post /links/password", Public),
    ("post /links/passkey/start", Public),
    ("post /links/passkey/finish", Public),
    ("post /auth/passkey/start", Public),
    ("post /auth/passkey/finish", Public),
    ("post /auth/password", Public),
    ("post /auth/second-factor", Public),
    ("get /auth/session", Public),
    ("post /account-deletion/cancel", Public),
    ("get /shared/{token}", Public),
    ("post /shared/{token}/unlock", Public),
    ("get /shared/{token}/assets", Public),
    ("get /shared/{token}/assets/{id}/{kind}", Public),
    ("get /shared/{token}/comments", Public),
    ("post /shared/{token}/comments", Public),
    ("post /shared/{token}/uploads", Public),
    ("get /shared/{token}/download", Public),
    ("post /auth/signout", Session),
    ("get /me", Read),
    ("post /assets/download", Read),
    ("get /albums/{id}/download", Read),
    ("patch /me", Session),
    ("get /me/passkeys", Session),
    ("post /me/passkeys/start", Session),
    ("post /me/passkeys/finish", Session),
    ("patch /me/passkeys/{id}", Session),
    ("delete /me/passkeys/{id}", Session),
    ("put /me/password", Session),
    ("delete /me/password", Session),
    ("post /me/totp/start", Session),
    ("post /me/totp/confirm", Session),
    ("post /me/totp/disable", Session),
    ("get /me/sessions", Session),
    ("patch /me/sessions/{id}", Session),
    ("delete /me/sessions/{id}", Session),
    ("post /me/sessions/revoke-others", Session),
    ("get /me/tokens", Session),
    ("post /me/tokens", Session),
    ("delete /me/tokens/{id}", Session),
    ("get /import/google-takeout", Owner),
    ("post /import/google-takeout", Owner),
    ("get /me/devices", Session),
    ("post /me/devices", Session),
    ("delete /me/devices/{id}", Session),
    ("get /trash/kept-out", Session),
    ("post /trash/kept-out/{id}/restore", Session),
    ("delete /trash/kept-out/{id}", Session),
    ("get /me/recovery-links", Session),
    ("delete /recovery-links/{id}", Session),
    ("get /me/activity", Session),
    ("get /household/members", Admin),
    ("patch /household/members/{id}", Admin),
    ("post /household/members/{id}/recovery-link", Admin),
    ("post /household/transfer-ownership", Owner),
    ("get /household/invites", Admin),
    ("post /household/invites", Admin),
    ("delete /household/invites/{id}", Admin),
    ("get /household/activity", Admin),
    ("get /notifications", Read),
    ("post /notifications/{id}/read", Session),
    ("post /notifications/read-all", Session),
    ("get /timeline", Read),
    ("get /timeline/{month}", Read),
    ("get /assets/{id}", Read),
    ("patch /assets/{id}", Session),
    ("post /assets/edit", Session),
    ("post /assets/trash", Session),
    ("post /assets/restore", Session),
    ("get /trash", Read),
    ("get /assets/{id}/{kind}", Read),
    ("post /uploads", Upload),
    ("get /import/roots", Admin),
    ("post /import/roots", Admin),
    ("patch /import/roots/{id}", Admin),
    ("delete /import/roots/{id}", Admin),
    ("post /import/roots/{id}/scan", Admin),
    ("get /import/failures", Read),
    ("get /jobs", Admin),
    ("post /jobs/retry", Admin),
    ("get /events", Read),
    ("get /search", Read),
    ("get /search/suggest", Read),
    ("post /search/reindex", Owner),
    ("get /albums", Read),
    ("post /albums", Session),
    ("get /albums/{id}", Read),
    ("patch /albums/{id}", Session),
    ("delete /albums/{id}", Session),
    ("get /albums/{id}/assets", Read),
    ("post /albums/{id}/assets", Session),
    ("post /albums/{id}/assets/remove", Session),
    ("put /albums/{id}/order", Session),
    ("post /albums/{id}/members", Session),
    ("patch /albums/{id}/members/{user}", Session),
    ("delete /albums/{id}/members/{user}", Session),
    ("patch /albums/{id}/me", Session),
    ("post /albums/preview", Read),
    ("get /people", Read),
    ("get /albums/{id}/comments", Read),
    ("post /albums/{id}/comments", Session),
    ("patch /albums/{id}/comments/{comment}", Session),
    ("delete /albums/{id}/comments/{comment}", Session),
    ("post /albums/{id}/hearts", Session),
    ("get /albums/{id}/links", Session),
    ("post /albums/{id}/links", Session),
    ("patch /albums/{id}/links/{link}", Session),
    ("delete /albums/{id}/links/{link}", Session),
    ("post /trash/empty", Session),
    ("get /me/privacy", Read),
    ("post /me/deletion", Session),
    ("post /household/members/{id}/deletion", Admin),
    ("delete /household/members/{id}/deletion", Admin),
    ("get /me/exports", Session),
    ("post /me/exports", Session),
    ("get /me/exports/{id}/download", Session),
    ("delete /me/exports/{id}", Session),
    ("get /retention/rules", Session),
    ("post /retention/rules", Session),
    ("post /retention/preview", Session),
    ("patch /retention/rules/{id}", Session),
    ("delete /retention/rules/{id}", Session),
    ("get /admin/retention", Owner),
    ("post /admin/retention/run", Owner),
    ("get /admin/backups", Owner),
    ("post /admin/backups", Owner),
    ("post /admin/check", Owner),
];

/// A caller of the matrix.
enum Caller<'a> {
    Stranger,
    Token(&'a str),
    Signed(&'a Browser),
}

/// Whether `rule` lets `who` in (the owner, always).
fn allows(rule: Rule, who: &str) -> bool {
    matches!(
        (rule, who),
        (Public, _)
            | (Read, "read token" | "member" | "admin")
            | (Upload, "upload token" | "member" | "admin")
            | (Session, "member" | "admin")
            | (Admin, "admin")
    )
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "1")
        .replace("{kind}", "thumb")
        .replace("{month}", "2024-05")
        .replace("{user}", "1")
        .replace("{comment}", "1")
        .replace("{link}", "1")
        .replace("{token}", "not-a-share-token")
}

#[tokio::test]
async fn every_operation_has_a_rule_and_refuses_whom_it_leaves_out() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (admin, _) = join(&server, &owner, "admin", "alex").await;
    let (member, _) = join(&server, &owner, "member", "sam").await;
    // Something of the owner's behind every id 1: a photo, an album with a
    // comment and a share link, a rule.
    owner
        .upload(&[("one.jpg", jpeg(64, 48, 1, Some("2024:05:01 10:00:00")))])
        .await;
    let album = owner.ok("/api/albums", &json!({ "title": "One" })).await;
    let album = album["album"]["id"].as_i64().unwrap();
    owner
        .ok(
            &format!("/api/albums/{album}/comments"),
            &json!({ "body": "hi" }),
        )
        .await;
    owner
        .ok(&format!("/api/albums/{album}/links"), &json!({}))
        .await;
    let token = |scope: &str| {
        let member = &member;
        let scope = scope.to_owned();
        async move {
            member
                .ok(
                    "/api/me/tokens",
                    &json!({ "name": scope, "scopes": [scope], "password": OWNER_PASSWORD }),
                )
                .await["token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let (read, upload) = (token("read").await, token("upload").await);

    let spec: Value = serde_json::from_str(&hearth::api::openapi_json()).unwrap();
    let rules: BTreeMap<&str, Rule> = RULES.iter().copied().collect();
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap();
    // One body that every operation can read, so a refusal is about who
    // asks, never about what they sent.
    let body = json!({
        "password": OWNER_PASSWORD, "confirm": "olivia", "user_id": 1, "ids": [1],
        "role": "member", "path": "/no/such/folder", "visibility": "private", "watch": "events",
        "name": "x", "scopes": ["read"], "title": "x", "body": "x", "query": "x", "days": 30,
        "rule": "x", "username": "sam", "new": "a long enough passphrase", "code": "123456",
        "hearted": true, "muted": true,
    });
    // Albums have roles of their own.
    let mut album_body = body.clone();
    album_body["role"] = json!("viewer");
    let mut unruled = Vec::new();
    let mut wrong = Vec::new();
    let mut seen = 0;
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            let Some(&rule) = rules.get(name.as_str()) else {
                unruled.push(name);
                continue;
            };
            seen += 1;
            let url = server.url(&format!("/api{}", concrete(path)));
            let verb = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            for (who, caller) in [
                ("stranger", Caller::Stranger),
                ("read token", Caller::Token(&read)),
                ("upload token", Caller::Token(&upload)),
                ("member", Caller::Signed(&member)),
                ("admin", Caller::Signed(&admin)),
            ] {
                if allows(rule, who) {
                    continue;
                }
                let request = match caller {
                    Caller::Stranger => http.request(verb.clone(), &url),
                    Caller::Token(token) => http.request(verb.clone(), &url).bearer_auth(token),
                    Caller::Signed(browser) => browser.client.request(verb.clone(), &url),
                };
                let request = request.header("origin", server.origin());
                let request = if name == "post /uploads" {
                    let photo =
                        reqwest::multipart::Part::bytes(jpeg(32, 24, 2, None)).file_name("two.jpg");
                    request.multipart(reqwest::multipart::Form::new().part("file", photo))
                } else if name == "post /assets/download" {
                    // A form, as the web app posts it.
                    request
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body("ids=1")
                } else if path.starts_with("/albums/") {
                    request.json(&album_body)
                } else {
                    request.json(&body)
                };
                let status = match request.send().await {
                    Ok(response) => response.status().as_u16(),
                    // An event stream that stayed open: let in.
                    Err(_) => 200,
                };
                // Refused for who they are, not for what they sent.
                let refused = if who == "stranger" {
                    status == 401
                } else {
                    matches!(status, 401 | 403)
                };
                if !refused {
                    wrong.push(format!("{name}: the {who} got {status}"));
                }
            }
        }
    }
    assert!(
        unruled.is_empty(),
        "operations without a rule here: {unruled:?}"
    );
    assert_eq!(
        seen,
        RULES.len(),
        "rules for operations that no longer exist"
    );
    assert!(wrong.is_empty(), "{wrong:#?}");
    // The owner still is (nothing above changed who runs the house).
    assert_eq!(owner.json("/api/me").await["role"], "owner");
    server.stop().await;
}
