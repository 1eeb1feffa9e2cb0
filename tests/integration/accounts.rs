//! Accounts over real HTTP: first-run setup, password sign-in, sessions,
//! CSRF, API tokens, and that every account endpoint refuses strangers.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::harness::{OWNER_PASSWORD, TestServer};

async fn code_of(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (
        status,
        body["code"].as_str().unwrap_or_default().to_owned(),
        body["message"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn first_run_setup_creates_the_owner_once() {
    let server = TestServer::start().await;
    let info: Value = server.get("/api/server/info").await.json().await.unwrap();
    assert_eq!(info["setup_pending"], true);

    let token = server.setup_token().await;
    let browser = server.browser();
    let inspected: Value = browser
        .post("/api/links/inspect", &json!({ "token": token }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inspected["kind"], "setup");
    assert_eq!(inspected["state"], "valid");

    // Weak passwords are refused, with the reason.
    let weak = browser
        .post(
            "/api/links/password",
            &json!({ "token": token, "account": { "username": "olivia", "display_name": "Olivia" }, "password": "password123" }),
        )
        .await;
    let (status, code, message) = code_of(weak).await;
    assert_eq!((status, code.as_str()), (422, "weak_password"), "{message}");
    assert!(message.contains("too easy to guess"), "{message}");
    let short = browser
        .post(
            "/api/links/password",
            &json!({ "token": token, "account": { "username": "olivia", "display_name": "Olivia" }, "password": "short" }),
        )
        .await;
    let (_, _, message) = code_of(short).await;
    assert!(message.contains("at least 10 characters"), "{message}");

    let response = browser
        .post(
            "/api/links/password",
            &json!({ "token": token, "account": { "username": "Olivia", "display_name": " Olivia " }, "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let cookies: Vec<String> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("hearth_session="))
        .expect("session cookie");
    assert!(
        session.contains("HttpOnly")
            && session.contains("SameSite=Lax")
            && session.contains("Path=/"),
        "{session}"
    );
    assert!(
        !session.contains("Secure"),
        "http public_url: no Secure flag"
    );
    let me: Value = response.json().await.unwrap();
    assert_eq!(me["username"], "olivia");
    assert_eq!(me["display_name"], "Olivia");
    assert_eq!(me["role"], "owner");
    assert_eq!(browser.json("/api/me").await["role"], "owner");

    let info: Value = server.get("/api/server/info").await.json().await.unwrap();
    assert_eq!(info["setup_pending"], false);

    // The link is spent; a second owner cannot be made with it or a new one.
    let again = server
        .browser()
        .post(
            "/api/links/password",
            &json!({ "token": token, "account": { "username": "mallory", "display_name": "M" }, "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(code_of(again).await.1, "link_unusable");
    let fresh = server.setup_token().await;
    let again = server
        .browser()
        .post(
            "/api/links/password",
            &json!({ "token": fresh, "account": { "username": "mallory", "display_name": "M" }, "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(code_of(again).await.1, "link_unusable");
    let without = server
        .browser()
        .post(
            "/api/links/password",
            &json!({ "token": "made-up", "account": { "username": "mallory", "display_name": "M" }, "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(code_of(without).await.1, "link_unusable");
    server.stop().await;
}

#[tokio::test]
async fn setup_link_expires_after_an_hour() {
    let server = TestServer::start().await;
    let token = server.setup_token().await;
    server.clock.advance(TimeDelta::minutes(61));
    let browser = server.browser();
    let inspected: Value = browser
        .post("/api/links/inspect", &json!({ "token": token }))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(inspected["state"], "expired");
    let response = browser
        .post(
            "/api/links/password",
            &json!({ "token": token, "account": { "username": "olivia", "display_name": "Olivia" }, "password": OWNER_PASSWORD }),
        )
        .await;
    let (status, code, message) = code_of(response).await;
    assert_eq!((status, code.as_str()), (410, "link_unusable"));
    assert!(message.contains("expired"), "{message}");
    server.stop().await;
}

#[tokio::test]
async fn password_sign_in_never_says_whether_the_account_exists() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let attempt = |username: &'static str, password: &'static str| {
        let browser = server.browser();
        async move {
            browser
                .post(
                    "/api/auth/password",
                    &json!({ "username": username, "password": password }),
                )
                .await
        }
    };
    let wrong_password = code_of(attempt("olivia", "not the password at all").await).await;
    let no_such_user = code_of(attempt("nobody", "not the password at all").await).await;
    assert_eq!(wrong_password, no_such_user);
    assert_eq!(wrong_password.0, 401);
    assert_eq!(wrong_password.1, "invalid_credentials");

    let signed_in = attempt("OLIVIA", OWNER_PASSWORD).await;
    assert_eq!(signed_in.status(), 200);

    let session: Value = owner.json("/api/auth/session").await;
    assert_eq!(session["user"]["username"], "olivia");
    let stranger: Value = server.browser().json("/api/auth/session").await;
    assert_eq!(stranger["user"], Value::Null);

    // Signing out ends the session.
    let response = owner.post("/api/auth/signout", &json!({})).await;
    assert_eq!(response.status(), 204);
    assert_eq!(code_of(owner.get("/api/me").await).await.1, "unauthorized");
    assert_eq!(owner.json("/api/auth/session").await["user"], Value::Null);
    server.stop().await;
}

#[tokio::test]
async fn sessions_slide_and_expire_by_the_clock() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    // Used every 20 days, the session lives on past the 30-day idle limit.
    for _ in 0..3 {
        server.clock.advance(TimeDelta::days(20));
        assert_eq!(owner.get("/api/me").await.status(), 200);
    }
    // Unused for 31 days, it ends.
    server.clock.advance(TimeDelta::days(31));
    assert_eq!(owner.get("/api/me").await.status(), 401);

    // However much it is used, it ends after 365 days.
    let owner = server.browser();
    let response = owner
        .post(
            "/api/auth/password",
            &json!({ "username": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 200);
    for _ in 0..18 {
        server.clock.advance(TimeDelta::days(20));
        assert_eq!(owner.get("/api/me").await.status(), 200);
    }
    server.clock.advance(TimeDelta::days(6));
    assert_eq!(owner.get("/api/me").await.status(), 401);
    server.stop().await;
}

#[tokio::test]
async fn sessions_are_listed_and_revoked() {
    let server = TestServer::start().await;
    let phone = server.owner().await;
    let laptop = server.browser();
    let response = laptop
        .post(
            "/api/auth/password",
            &json!({ "username": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 200);

    let sessions = phone.json("/api/me/sessions").await;
    let sessions = sessions.as_array().unwrap();
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions.iter().filter(|s| s["current"] == true).count(), 1);
    assert_eq!(sessions[0]["device"], "Safari on iPhone");
    assert_eq!(sessions[0]["ip"], "127.0.0.1");
    assert_eq!(sessions[0]["home_network"], true);

    // Alike browsers are told apart by a name; an empty one gives the
    // browser's back; nobody else can name them.
    let laptop_id = sessions.iter().find(|s| s["current"] == false).unwrap()["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/me/sessions/{laptop_id}");
    let named = phone
        .patch(&path, &json!({ "name": "Kitchen laptop" }))
        .await;
    assert_eq!(named.status(), 200);
    assert_eq!(
        named.json::<Value>().await.unwrap()["device"],
        "Kitchen laptop"
    );
    let listed = phone.json("/api/me/sessions").await;
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["device"] == "Kitchen laptop")
    );
    let (member, _) = crate::household::join(&server, &phone, "member", "ben").await;
    assert_eq!(
        member
            .patch(&path, &json!({ "name": "Mine now" }))
            .await
            .status(),
        404
    );
    let unnamed = phone.patch(&path, &json!({ "name": " " })).await;
    assert_eq!(
        unnamed.json::<Value>().await.unwrap()["device"],
        "Safari on iPhone"
    );

    let revoked: Value = phone
        .post("/api/me/sessions/revoke-others", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(revoked["revoked"], 1);
    assert_eq!(laptop.get("/api/me").await.status(), 401);
    assert_eq!(phone.get("/api/me").await.status(), 200);

    // One session cannot end another member's.
    let id = phone.json("/api/me/sessions").await[0]["id"]
        .as_i64()
        .unwrap();
    let other = server.browser();
    assert_eq!(
        other
            .delete(&format!("/api/me/sessions/{id}"))
            .await
            .status(),
        401
    );
    assert_eq!(
        phone
            .delete(&format!("/api/me/sessions/{}", id + 100))
            .await
            .status(),
        404
    );
    assert_eq!(
        phone
            .delete(&format!("/api/me/sessions/{id}"))
            .await
            .status(),
        204
    );
    assert_eq!(phone.get("/api/me").await.status(), 401);
    server.stop().await;
}

#[tokio::test]
async fn cookie_writes_from_other_sites_are_refused() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let url = server.url("/api/me/tokens");
    let body = json!({ "name": "script", "scopes": ["read"], "password": OWNER_PASSWORD });

    let evil = owner
        .client
        .post(&url)
        .header("origin", "https://evil.example")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(evil).await.1, "csrf_rejected");
    let evil_referer = owner
        .client
        .post(&url)
        .header("origin", "null")
        .header("referer", "https://evil.example/page")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(evil_referer).await.1, "csrf_rejected");

    // Without Origin or Referer, a cookie write is refused too.
    let jar_only = reqwest::Client::builder().no_proxy().build().unwrap();
    let cookie = owner_cookie(&server).await;
    let bare = jar_only
        .post(&url)
        .header("cookie", format!("hearth_session={cookie}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(bare).await.1, "csrf_rejected");
    // Reads need no Origin.
    let read = jar_only
        .get(server.url("/api/me"))
        .header("cookie", format!("hearth_session={cookie}"))
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), 200);

    // Another site cannot sign a browser in either (login CSRF).
    let login = crate::harness::client()
        .post(server.url("/api/auth/password"))
        .header("origin", "https://evil.example")
        .json(&json!({ "username": "olivia", "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(code_of(login).await.1, "csrf_rejected");

    // The same write from Hearth's own page goes through.
    assert_eq!(owner.post("/api/me/tokens", &body).await.status(), 200);
    server.stop().await;
}

/// Signs in with a password and returns the raw session cookie value.
async fn owner_cookie(server: &TestServer) -> String {
    let response = server
        .browser()
        .post(
            "/api/auth/password",
            &json!({ "username": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("hearth_session="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn api_tokens_have_scopes_and_can_be_revoked() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let created: Value = owner
        .post(
            "/api/me/tokens",
            &json!({ "name": "backup script", "scopes": ["read"], "password": OWNER_PASSWORD }),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("hearth_"));
    let upload_only: Value = owner
        .post(
            "/api/me/tokens",
            &json!({ "name": "phone sync", "scopes": ["upload"], "password": OWNER_PASSWORD }),
        )
        .await
        .json()
        .await
        .unwrap();

    let client = crate::harness::client();
    let with = |token: &str| client.get(server.url("/api/me")).bearer_auth(token).send();
    let me: Value = with(&token).await.unwrap().json().await.unwrap();
    assert_eq!(me["username"], "olivia");
    // Upload-only tokens cannot read.
    let (status, code, _) =
        code_of(with(upload_only["token"].as_str().unwrap()).await.unwrap()).await;
    assert_eq!((status, code.as_str()), (403, "forbidden"));
    // Tokens cannot manage the account.
    let response = client
        .post(server.url("/api/me/tokens"))
        .bearer_auth(&token)
        .json(&json!({ "name": "escalate", "scopes": ["read", "upload"] }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    // Listed without the secret; revoked, it stops working.
    let listed = owner.json("/api/me/tokens").await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert!(!listed.to_string().contains(&token));
    let id = created["info"]["id"].as_i64().unwrap();
    assert_eq!(
        owner.delete(&format!("/api/me/tokens/{id}")).await.status(),
        204
    );
    assert_eq!(with(&token).await.unwrap().status(), 401);
    assert_eq!(with("hearth_madeup").await.unwrap().status(), 401);
    server.stop().await;
}

#[tokio::test]
async fn new_device_sign_in_notifies_once() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let first = owner.json("/api/notifications").await;
    assert_eq!(
        first["unread"], 1,
        "the setup browser is the account's first: {first}"
    );
    // Its first notification welcomes; it does not alarm.
    assert_eq!(first["items"][0]["kind"], "welcome");
    assert_eq!(
        first["items"][0]["title"],
        "Welcome to the family’s Hearth, Olivia"
    );

    // Same browser (device cookie) again: no new alert.
    let response = owner
        .post(
            "/api/auth/password",
            &json!({ "username": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(owner.json("/api/notifications").await["unread"], 1);

    // Another browser: an alert naming it.
    let laptop = server.browser();
    laptop
        .post(
            "/api/auth/password",
            &json!({ "username": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    let list = owner.json("/api/notifications").await;
    assert_eq!(list["unread"], 2);
    assert_eq!(list["items"][0]["kind"], "new_device_sign_in");
    assert_eq!(list["items"][0]["title"], "New sign-in on Safari on iPhone");

    let id = list["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        owner
            .post(&format!("/api/notifications/{id}/read"), &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(owner.json("/api/notifications").await["unread"], 1);
    assert_eq!(
        owner
            .post("/api/notifications/read-all", &json!({}))
            .await
            .status(),
        204
    );
    assert_eq!(owner.json("/api/notifications").await["unread"], 0);
    server.stop().await;
}

#[test]
fn home_network_addresses_are_the_private_ones() {
    use hearth::accounts::sessions::on_home_network;
    for home in [
        "192.168.1.23",
        "10.0.0.7",
        "172.20.1.1",
        "127.0.0.1",
        "169.254.3.4",
        "100.101.102.103",
        "::1",
        "fd12:3456::1",
        "fe80::1",
        "::ffff:192.168.1.5",
    ] {
        assert!(on_home_network(home), "{home}");
    }
    for outside in [
        "203.0.113.5",
        "8.8.8.8",
        "172.32.0.1",
        "100.128.0.1",
        "2001:db8::1",
        "::ffff:8.8.8.8",
        "not an address",
    ] {
        assert!(!on_home_network(outside), "{outside}");
    }
}
