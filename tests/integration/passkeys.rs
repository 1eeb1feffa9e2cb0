//! Passkey ceremonies end to end with a software authenticator: setup,
//! invites, sign-in, more passkeys, recovery, and what must be refused.

use chrono::TimeDelta;
use serde_json::{Value, json};

use crate::authenticator::Phone;
use crate::harness::{Browser, OWNER_PASSWORD, TestServer};

fn token_of(url: &str) -> String {
    url.split("token=").nth(1).unwrap().to_owned()
}

/// The owner, made with a passkey on `phone`.
async fn owner_with_passkey(
    server: &TestServer,
    phone: &mut Phone<impl webauthn_authenticator_rs::AuthenticatorBackend>,
) -> Browser {
    let token = server.setup_token().await;
    let browser = server.browser();
    let response = browser
        .passkey(
            phone,
            &server.origin(),
            (
                "/api/links/passkey/start",
                json!({ "token": token, "account": { "username": "olivia", "display_name": "Olivia" } }),
            ),
            "/api/links/passkey/finish",
            true,
        )
        .await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    browser
}

async fn sign_in(
    server: &TestServer,
    phone: &mut Phone<impl webauthn_authenticator_rs::AuthenticatorBackend>,
) -> (Browser, reqwest::Response) {
    let browser = server.browser();
    let response = browser
        .passkey(
            phone,
            &server.origin(),
            ("/api/auth/passkey/start", json!({})),
            "/api/auth/passkey/finish",
            false,
        )
        .await;
    (browser, response)
}

async fn code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn owner_setup_with_a_passkey_then_sign_in() {
    let server = TestServer::start().await;
    let mut phone = Phone::new();
    let owner = owner_with_passkey(&server, &mut phone).await;
    let me = owner.json("/api/me").await;
    assert_eq!(me["role"], "owner");
    assert_eq!(me["has_password"], false);
    let keys = owner.json("/api/me/passkeys").await;
    assert_eq!(keys.as_array().unwrap().len(), 1);
    assert_eq!(
        keys[0]["name"], "Safari on iPhone",
        "named after the device by default"
    );
    // Creating it signed the owner in: that was its first use.
    let created = keys[0]["last_used_at"].as_str().unwrap().to_owned();

    server.clock.advance(chrono::TimeDelta::minutes(5));
    let (laptop, response) = sign_in(&server, &mut phone).await;
    assert_eq!(response.status(), 200);
    assert_eq!(laptop.json("/api/me").await["username"], "olivia");
    let used = owner.json("/api/me/passkeys").await[0]["last_used_at"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(used > created, "{used} after {created}");
    server.stop().await;
}

#[tokio::test]
async fn invite_member_registers_and_signs_in() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let invite = owner
        .ok(
            "/api/household/invites",
            &json!({ "role": "member", "label": "Grandpa" }),
        )
        .await;
    let url = invite["url"].as_str().unwrap();
    // public_url is not set: the link starts with the address in use.
    assert!(url.starts_with(&server.url("/invite?token=")), "{url}");
    let token = token_of(url);

    let grandpa = server.browser();
    let info = grandpa
        .ok("/api/links/inspect", &json!({ "token": token }))
        .await;
    assert_eq!(info["kind"], "invite");
    assert_eq!(info["role"], "member");
    assert_eq!(info["state"], "valid");

    // A taken username is refused before the ceremony starts.
    let refused = grandpa
        .post(
            "/api/links/passkey/start",
            &json!({ "token": token, "account": { "username": "olivia", "display_name": "G" } }),
        )
        .await;
    assert_eq!(code(refused).await, (409, "conflict".to_owned()));

    let mut phone = Phone::new();
    let response = grandpa
        .passkey(
            &mut phone,
            &server.origin(),
            (
                "/api/links/passkey/start",
                json!({ "token": token, "account": { "username": "grandpa", "display_name": "Grandpa Joe" } }),
            ),
            "/api/links/passkey/finish",
            true,
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(grandpa.json("/api/me").await["role"], "member");

    // The invite is spent and listed as used.
    let invites = owner.json("/api/household/invites").await;
    assert_eq!(invites[0]["state"], "used");
    let again = server
        .browser()
        .ok("/api/links/inspect", &json!({ "token": token }))
        .await;
    assert_eq!(again["state"], "used");

    // Signs out, then back in with the passkey alone.
    assert_eq!(
        grandpa.post("/api/auth/signout", &json!({})).await.status(),
        204
    );
    assert_eq!(grandpa.get("/api/me").await.status(), 401);
    let (back, response) = sign_in(&server, &mut phone).await;
    assert_eq!(response.status(), 200);
    assert_eq!(back.json("/api/me").await["username"], "grandpa");
    server.stop().await;
}

#[tokio::test]
async fn expired_and_revoked_invites_are_refused() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let first = owner
        .ok("/api/household/invites", &json!({ "role": "member" }))
        .await;
    let second = owner
        .ok(
            "/api/household/invites",
            &json!({ "role": "admin", "days": 1, "password": OWNER_PASSWORD }),
        )
        .await;

    let id = second["id"].as_i64().unwrap();
    assert_eq!(
        owner
            .delete(&format!("/api/household/invites/{id}"))
            .await
            .status(),
        204
    );
    let revoked = server
        .browser()
        .ok(
            "/api/links/inspect",
            &json!({ "token": token_of(second["url"].as_str().unwrap()) }),
        )
        .await;
    assert_eq!(revoked["state"], "revoked");

    server.clock.advance(TimeDelta::days(8));
    let token = token_of(first["url"].as_str().unwrap());
    let browser = server.browser();
    let expired = browser
        .ok("/api/links/inspect", &json!({ "token": token }))
        .await;
    assert_eq!(expired["state"], "expired");
    let response = browser
        .post(
            "/api/links/passkey/start",
            &json!({ "token": token, "account": { "username": "late", "display_name": "Late" } }),
        )
        .await;
    assert_eq!(code(response).await, (410, "link_unusable".to_owned()));
    let listed = owner.json("/api/household/invites").await;
    let states: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["revoked", "expired"]);
    server.stop().await;
}

#[tokio::test]
async fn more_passkeys_renamed_and_removed_but_never_the_last_credential() {
    let server = TestServer::start().await;
    let mut phone = Phone::new();
    let owner = owner_with_passkey(&server, &mut phone).await;
    let mut laptop = Phone::new();
    // A new passkey needs a fresh proof: here, her phone's passkey.
    let bare = owner
        .post("/api/me/passkeys/start", &json!({ "name": "Laptop" }))
        .await;
    assert_eq!(
        code(bare).await,
        (403, "reauthentication_required".to_owned())
    );
    let challenge = owner.ok("/api/auth/passkey/start", &json!({})).await;
    let proof = phone.sign_in(&server.origin(), &challenge["options"]);
    let response = owner
        .passkey(
            &mut laptop,
            &server.origin(),
            (
                "/api/me/passkeys/start",
                json!({ "name": "Laptop", "ceremony": challenge["ceremony"], "credential": proof }),
            ),
            "/api/me/passkeys/finish",
            true,
        )
        .await;
    assert_eq!(response.status(), 200);
    let keys = owner.json("/api/me/passkeys").await;
    assert_eq!(keys.as_array().unwrap().len(), 2);
    let notes = owner.json("/api/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "passkey_added" && n["title"] == "Passkey “Laptop” added"),
        "{notes}"
    );

    let first = keys[0]["id"].as_i64().unwrap();
    let second = keys[1]["id"].as_i64().unwrap();
    let renamed: Value = owner
        .client
        .patch(format!("{}/api/me/passkeys/{first}", owner.base))
        .json(&json!({ "name": "Olivia's iPhone" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["name"], "Olivia's iPhone");

    // Removing a way in needs a fresh proof too; her phone gives it.
    let bare = owner.delete(&format!("/api/me/passkeys/{second}")).await;
    assert!(
        bare.status().is_client_error(),
        "no proof: {}",
        bare.status()
    );
    let mut proven = async |method: reqwest::Method, path: String, mut body: Value| {
        let challenge = owner.ok("/api/auth/passkey/start", &json!({})).await;
        let credential = phone.sign_in(&server.origin(), &challenge["options"]);
        body["ceremony"] = challenge["ceremony"].clone();
        body["credential"] = credential;
        owner
            .client
            .request(method, format!("{}{path}", owner.base))
            .header("origin", server.origin())
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let removed = proven(
        reqwest::Method::DELETE,
        format!("/api/me/passkeys/{second}"),
        json!({}),
    )
    .await;
    assert_eq!(removed.status(), 204);
    let last = proven(
        reqwest::Method::DELETE,
        format!("/api/me/passkeys/{first}"),
        json!({}),
    )
    .await;
    assert_eq!(code(last).await, (409, "last_credential".to_owned()));
    // Nor the password of someone with no passkey left.
    let none = proven(
        reqwest::Method::DELETE,
        "/api/me/password".to_owned(),
        json!({}),
    )
    .await;
    assert_eq!(code(none).await, (404, "not_found".to_owned()));

    // With a password as well (added with a proof), the passkey may go.
    let unproven = owner
        .client
        .put(format!("{}/api/me/password", owner.base))
        .header("origin", server.origin())
        .json(&json!({ "new": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        code(unproven).await,
        (403, "reauthentication_required".to_owned())
    );
    let response = proven(
        reqwest::Method::PUT,
        "/api/me/password".to_owned(),
        json!({ "new": OWNER_PASSWORD }),
    )
    .await;
    assert_eq!(response.status(), 200);
    let removed = proven(
        reqwest::Method::DELETE,
        format!("/api/me/passkeys/{first}"),
        json!({}),
    )
    .await;
    assert_eq!(removed.status(), 204);
    let last = owner
        .client
        .delete(format!("{}/api/me/password", owner.base))
        .header("origin", server.origin())
        .json(&json!({ "password": OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(code(last).await, (409, "last_credential".to_owned()));
    server.stop().await;
}

#[tokio::test]
async fn wrong_origin_is_refused() {
    let server = TestServer::start().await;
    let mut phone = Phone::new();
    let token = server.setup_token().await;
    // A look-alike site (its own subdomain, over https) relaying the ceremony.
    let evil = format!("https://evil.localhost:{}", server.addr().port());
    let browser = server.browser();
    let response = browser
        .passkey(
            &mut phone,
            &evil,
            (
                "/api/links/passkey/start",
                json!({ "token": token, "account": { "username": "olivia", "display_name": "Olivia" } }),
            ),
            "/api/links/passkey/finish",
            true,
        )
        .await;
    assert_eq!(code(response).await, (400, "invalid_request".to_owned()));
    // The link was not spent by the failed attempt.
    let info = browser
        .ok("/api/links/inspect", &json!({ "token": token }))
        .await;
    assert_eq!(info["state"], "valid");

    // A real passkey used from the wrong origin does not sign in.
    let mut phone = Phone::new();
    let _owner = owner_with_passkey(&server, &mut phone).await;
    let browser = server.browser();
    let response = browser
        .passkey(
            &mut phone,
            &evil,
            ("/api/auth/passkey/start", json!({})),
            "/api/auth/passkey/finish",
            false,
        )
        .await;
    assert_eq!(
        code(response).await,
        (401, "invalid_credentials".to_owned())
    );
    server.stop().await;
}

#[tokio::test]
async fn a_cloned_authenticator_is_refused() {
    let server = TestServer::start().await;
    let mut phone = Phone::cloneable();
    let owner = owner_with_passkey(&server, &mut phone).await;
    let mut clone = phone.clone_device();

    let (_, response) = sign_in(&server, &mut phone).await;
    assert_eq!(response.status(), 200);
    // The copy's counter is behind the one the server saw last.
    let (_, response) = sign_in(&server, &mut clone).await;
    assert_eq!(
        code(response).await,
        (401, "invalid_credentials".to_owned())
    );
    // The original still works.
    let (_, response) = sign_in(&server, &mut phone).await;
    assert_eq!(response.status(), 200);

    let activity = owner.json("/api/me/activity").await;
    let failure = activity
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["action"] == "signin.failed")
        .expect("the refusal is audited");
    assert_eq!(failure["details"]["method"], "passkey");
    server.stop().await;
}

#[tokio::test]
async fn a_replayed_sign_in_is_refused() {
    let server = TestServer::start().await;
    let mut phone = Phone::new();
    let _owner = owner_with_passkey(&server, &mut phone).await;
    let browser = server.browser();
    let challenge = browser.ok("/api/auth/passkey/start", &json!({})).await;
    let credential = phone.sign_in(&server.origin(), &challenge["options"]);
    let body = json!({ "ceremony": challenge["ceremony"], "credential": credential });
    assert_eq!(
        browser
            .post("/api/auth/passkey/finish", &body)
            .await
            .status(),
        200
    );
    // The same answer again: the ceremony is spent.
    let again = browser.post("/api/auth/passkey/finish", &body).await;
    assert_eq!(code(again).await, (400, "invalid_request".to_owned()));
    // The same answer to a new challenge: it signs the old one.
    let fresh = browser.ok("/api/auth/passkey/start", &json!({})).await;
    let replay = browser
        .post(
            "/api/auth/passkey/finish",
            &json!({ "ceremony": fresh["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(code(replay).await, (401, "invalid_credentials".to_owned()));
    // A challenge older than five minutes cannot be finished.
    let stale = browser.ok("/api/auth/passkey/start", &json!({})).await;
    let answer = phone.sign_in(&server.origin(), &stale["options"]);
    server.clock.advance(TimeDelta::minutes(6));
    let late = browser
        .post(
            "/api/auth/passkey/finish",
            &json!({ "ceremony": stale["ceremony"], "credential": answer }),
        )
        .await;
    assert_eq!(code(late).await, (400, "invalid_request".to_owned()));
    server.stop().await;
}

#[tokio::test]
async fn recovery_link_lets_a_member_who_lost_everything_back_in() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let invite = owner
        .ok("/api/household/invites", &json!({ "role": "member" }))
        .await;
    let mut old_phone = Phone::new();
    let grandma = server.browser();
    let response = grandma
        .passkey(
            &mut old_phone,
            &server.origin(),
            (
                "/api/links/passkey/start",
                json!({ "token": token_of(invite["url"].as_str().unwrap()), "account": { "username": "grandma", "display_name": "Grandma" } }),
            ),
            "/api/links/passkey/finish",
            true,
        )
        .await;
    assert_eq!(response.status(), 200);
    let grandma_id = grandma.json("/api/me").await["id"].as_i64().unwrap();
    drop(old_phone);

    // Grandma lost her phone. The owner makes her a recovery link.
    let link = owner
        .ok(
            &format!("/api/household/members/{grandma_id}/recovery-link"),
            &json!({ "password": OWNER_PASSWORD }),
        )
        .await;
    let url = link["url"].as_str().unwrap();
    assert!(url.contains("/recover?token="), "{url}");
    let token = token_of(url);
    let new_browser = server.browser();
    let info = new_browser
        .ok("/api/links/inspect", &json!({ "token": token }))
        .await;
    assert_eq!(info["kind"], "recovery");
    assert_eq!(info["display_name"], "Grandma");
    // It waits a day before it works (her devices and the owner can cancel
    // it meanwhile): using it now is refused.
    assert_eq!(info["state"], "waiting");
    assert!(info["usable_at"].is_string(), "{info}");
    let early = new_browser
        .post("/api/links/passkey/start", &json!({ "token": token }))
        .await;
    assert_eq!(code(early).await, (410, "link_unusable".to_owned()));
    let told = grandma.json("/api/notifications").await;
    assert_eq!(told["items"][0]["kind"], "recovery_link", "{told}");
    server.clock.advance(chrono::TimeDelta::hours(24));

    let mut new_phone = Phone::new();
    let response = new_browser
        .passkey(
            &mut new_phone,
            &server.origin(),
            ("/api/links/passkey/start", json!({ "token": token })),
            "/api/links/passkey/finish",
            true,
        )
        .await;
    assert_eq!(response.status(), 200);
    let me = new_browser.json("/api/me").await;
    assert_eq!(me["username"], "grandma");
    // Her old browser (whoever has it now) is signed out.
    assert_eq!(grandma.get("/api/me").await.status(), 401);
    assert_eq!(
        new_browser
            .json("/api/me/passkeys")
            .await
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let notes = new_browser.json("/api/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "passkey_added"),
        "{notes}"
    );

    // Used once; and no recovery link for the owner from anyone.
    let again = server
        .browser()
        .ok("/api/links/inspect", &json!({ "token": token }))
        .await;
    assert_eq!(again["state"], "used");
    let owner_id = owner.json("/api/me").await["id"].as_i64().unwrap();
    let response = owner
        .post(
            &format!("/api/household/members/{owner_id}/recovery-link"),
            &json!({ "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 400);
    server.stop().await;
}

#[tokio::test]
async fn passkeys_are_unavailable_at_an_ip_address_and_say_why() {
    let server = TestServer::start_with(|config| {
        config.public_url = Some("http://192.168.1.20:2468".parse().unwrap());
    })
    .await;
    let response = server
        .browser()
        .post("/api/auth/passkey/start", &json!({}))
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (status.as_u16(), body["code"].as_str().unwrap()),
        (409, "passkeys_unavailable")
    );
    assert!(
        body["message"].as_str().unwrap().contains("IP address"),
        "{body}"
    );
    let info: Value = server.get("/api/server/info").await.json().await.unwrap();
    assert!(
        info["passkeys_unavailable"]
            .as_str()
            .unwrap()
            .contains("IP address"),
        "{info}"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_flood_of_ceremonies_leaves_a_sign_in_in_progress_working() {
    let server = TestServer::start().await;
    let mut phone = Phone::new();
    owner_with_passkey(&server, &mut phone).await;
    // Olivia starts signing in…
    let browser = server.browser();
    let challenge = browser.ok("/api/auth/passkey/start", &json!({})).await;

    // …while someone at another address starts ceremonies as fast as it
    // can: it gets its share, then 429, and nobody's ceremony is dropped.
    let flooder = reqwest::Client::builder()
        .no_proxy()
        .local_address("127.0.0.2".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let flood = async |n: usize| {
        let mut statuses = std::collections::BTreeMap::new();
        for _ in 0..n {
            let response = flooder
                .post(server.url("/api/auth/passkey/start"))
                .header("origin", server.origin())
                .send()
                .await
                .unwrap();
            if response.status() == 429 {
                let retry: u64 = response.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=301).contains(&retry), "{retry}");
            }
            *statuses.entry(response.status().as_u16()).or_insert(0) += 1;
        }
        statuses
    };
    // 30 starts a minute, then 429…
    assert_eq!(
        flood(60).await,
        [(200, 30), (429, 30)].into_iter().collect()
    );
    // …and at most 50 open at once, however patient.
    server.clock.advance(chrono::TimeDelta::seconds(61));
    assert_eq!(
        flood(30).await,
        [(200, 20), (429, 10)].into_iter().collect()
    );

    let credential = phone.sign_in(&server.origin(), &challenge["options"]);
    let finished = browser
        .post(
            "/api/auth/passkey/finish",
            &json!({ "ceremony": challenge["ceremony"], "credential": credential }),
        )
        .await;
    assert_eq!(finished.status(), 200);
    // Its ceremonies expire after five minutes; then it may start again.
    server.clock.advance(chrono::TimeDelta::minutes(5));
    let again = flooder
        .post(server.url("/api/auth/passkey/start"))
        .header("origin", server.origin())
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn an_admins_recovery_link_is_announced_delayed_cancellable_and_ends_other_sessions() {
    use crate::household::join;
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (admin, _) = join(&server, &owner, "admin", "alex").await;
    let (_, ada) = join(&server, &owner, "admin", "ada").await;
    let (sam, sam_id) = join(&server, &owner, "member", "sam").await;
    let proof = json!({ "password": OWNER_PASSWORD });
    let link_for = |id: i64| format!("/api/household/members/{id}/recovery-link");

    // Only the owner makes links for admins.
    let refused = admin.post(&link_for(ada), &proof).await;
    assert_eq!(code(refused).await, (403, "forbidden".to_owned()));
    // Without a fresh proof, nobody makes one.
    let bare = admin.post(&link_for(sam_id), &json!({})).await;
    assert_eq!(
        code(bare).await,
        (403, "reauthentication_required".to_owned())
    );

    // Sam has a token for a script, and two-step codes.
    let token = sam
        .ok(
            "/api/me/tokens",
            &json!({ "name": "sync", "scopes": ["read"], "password": OWNER_PASSWORD }),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let secret = sam
        .ok("/api/me/totp/start", &json!({ "password": OWNER_PASSWORD }))
        .await["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    sam.ok(
        "/api/me/totp/confirm",
        &json!({ "code": crate::second_factor::code_for(&server, &secret) }),
    )
    .await;

    // The admin makes a link: Sam's open tabs hear of it at once, and so
    // does the owner.
    let mut tabs = crate::events::Stream::open(&sam).await;
    let first = admin.ok(&link_for(sam_id), &proof).await;
    assert_eq!(tabs.named("notifications").await["kind"], "notifications");
    let note = &sam.json("/api/notifications").await["items"][0];
    assert_eq!(note["kind"], "recovery_link");
    assert_eq!(note["title"], "alex made a recovery link for your account");
    let owners = &owner.json("/api/notifications").await["items"][0];
    assert_eq!(owners["kind"], "member_recovery_link");
    let listed = owner.json("/api/household/members").await;
    let row = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == sam_id)
        .unwrap();
    assert_eq!(row["recovery"]["state"], "waiting", "{row}");
    assert_eq!(row["recovery"]["made_by"], "alex");

    // Sam did not ask for it: he cancels it from his phone, still signed in.
    let mine = sam.json("/api/me/recovery-links").await;
    assert_eq!(mine[0]["made_by"], "alex");
    assert_eq!(mine[0]["state"], "waiting");
    let id = mine[0]["id"].as_i64().unwrap();
    assert_eq!(
        sam.delete(&format!("/api/recovery-links/{id}"))
            .await
            .status(),
        204
    );
    server.clock.advance(chrono::TimeDelta::hours(25));
    let token_of_first = token_of(first["url"].as_str().unwrap());
    let thief = server.browser();
    let late = thief
        .post(
            "/api/links/password",
            &json!({ "token": token_of_first, "password": "a brand new passphrase 9" }),
        )
        .await;
    assert_eq!(code(late).await, (410, "link_unusable".to_owned()));
    assert_eq!(sam.get("/api/me").await.status(), 200);

    // A second link, left alone, works after the wait: whoever uses it is
    // in, and everything else of Sam's is out — his sessions, his token —
    // and two-step codes are off, which he is told.
    let second = admin.ok(&link_for(sam_id), &proof).await;
    server.clock.advance(chrono::TimeDelta::hours(24));
    let holder = server.browser();
    let used = holder
        .ok(
            "/api/links/password",
            &json!({ "token": token_of(second["url"].as_str().unwrap()), "password": "a brand new passphrase 9" }),
        )
        .await;
    assert_eq!(used["username"], "sam");
    assert_eq!(used["totp_enabled"], false);
    assert_eq!(sam.get("/api/me").await.status(), 401);
    let with_token = crate::harness::client()
        .get(server.url("/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 401);
    let notes = holder.json("/api/notifications").await;
    let recovered = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["title"] == "Your account was recovered")
        .unwrap_or_else(|| panic!("{notes}"));
    assert!(
        recovered["body"]
            .as_str()
            .unwrap()
            .contains("Two-step codes were turned off"),
        "{recovered}"
    );

    // Sam's Security page and the household's log say who, when, and used.
    let mine = holder.json("/api/me/recovery-links").await;
    assert_eq!(mine[0]["state"], "used");
    assert!(mine[0]["used_at"].is_string());
    assert_eq!(mine[1]["state"], "revoked");
    let log = owner.json("/api/household/activity").await;
    let actions: Vec<(&str, i64)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("recovery_link."))
        .map(|e| {
            (
                e["action"].as_str().unwrap(),
                e["actor_id"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        actions.iter().map(|(a, _)| *a).collect::<Vec<_>>(),
        [
            "recovery_link.used",
            "recovery_link.created",
            "recovery_link.cancelled",
            "recovery_link.created"
        ]
    );
    assert_eq!(actions[2].1, sam_id, "Sam cancelled the first");
    server.stop().await;
}
