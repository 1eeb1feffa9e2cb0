//! Two-step codes (TOTP) for password sign-in, recovery codes, and the
//! limit on sign-in attempts.

use chrono::TimeDelta;
use serde_json::{Value, json};
use totp_rs::{Builder, Secret};

use crate::harness::{Browser, OWNER_PASSWORD, TestServer};

/// The code an authenticator app shows for `secret` at the server's time.
pub fn code_for(server: &TestServer, secret: &str) -> String {
    use hearth::clock::Clock;
    let totp = Builder::new()
        .with_secret(Secret::try_from_base32(secret).unwrap())
        .build()
        .unwrap();
    let now = u64::try_from(server.clock.now().timestamp()).unwrap();
    totp.generate(now).to_string()
}

async fn password_step(server: &TestServer) -> (Browser, reqwest::Response) {
    let browser = server.browser();
    let response = browser
        .post(
            "/api/auth/password",
            &json!({ "username": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    (browser, response)
}

#[tokio::test]
async fn totp_guards_password_sign_in() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let enrolment = owner
        .ok("/api/me/totp/start", &json!({ "password": OWNER_PASSWORD }))
        .await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    assert!(
        enrolment["uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/Hearth:olivia?")
    );
    assert!(enrolment["qr_svg"].as_str().unwrap().contains("<svg"));

    let wrong = owner
        .post("/api/me/totp/confirm", &json!({ "code": "000000" }))
        .await;
    assert_eq!(wrong.status(), 401);
    let codes = owner
        .ok(
            "/api/me/totp/confirm",
            &json!({ "code": code_for(&server, &secret) }),
        )
        .await["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect::<Vec<_>>();
    assert_eq!(codes.len(), 10);
    assert_eq!(owner.json("/api/me").await["totp_enabled"], true);

    // The password alone no longer signs in: a code comes next.
    server.clock.advance(TimeDelta::seconds(31));
    let (browser, response) = password_step(&server).await;
    assert_eq!(response.status(), 202);
    let ceremony = response.json::<Value>().await.unwrap()["ceremony"].clone();
    assert_eq!(browser.get("/api/me").await.status(), 401);
    let wrong = browser
        .post(
            "/api/auth/second-factor",
            &json!({ "ceremony": ceremony, "code": "123456" }),
        )
        .await;
    assert_eq!(wrong.status(), 401);
    let code = code_for(&server, &secret);
    let right = browser
        .post(
            "/api/auth/second-factor",
            &json!({ "ceremony": ceremony, "code": code }),
        )
        .await;
    assert_eq!(right.status(), 200);
    assert_eq!(browser.json("/api/me").await["username"], "olivia");

    // The same code does not work twice.
    let (other, response) = password_step(&server).await;
    let ceremony = response.json::<Value>().await.unwrap()["ceremony"].clone();
    let replay = other
        .post(
            "/api/auth/second-factor",
            &json!({ "ceremony": ceremony, "code": code }),
        )
        .await;
    assert_eq!(replay.status(), 401);
    // A recovery code works, once.
    let recovery = other
        .post(
            "/api/auth/second-factor",
            &json!({ "ceremony": ceremony, "code": codes[0].to_uppercase() }),
        )
        .await;
    assert_eq!(recovery.status(), 200);
    let (again, response) = password_step(&server).await;
    let ceremony = response.json::<Value>().await.unwrap()["ceremony"].clone();
    let reused = again
        .post(
            "/api/auth/second-factor",
            &json!({ "ceremony": ceremony, "code": codes[0] }),
        )
        .await;
    assert_eq!(reused.status(), 401);

    // Turning it off needs a code.
    server.clock.advance(TimeDelta::seconds(31));
    let off = owner
        .post(
            "/api/me/totp/disable",
            &json!({ "code": code_for(&server, &secret) }),
        )
        .await;
    assert_eq!(off.status(), 204);
    let (_, response) = password_step(&server).await;
    assert_eq!(response.status(), 200);
    let actions = owner.json("/api/me/activity").await.to_string();
    for action in ["totp.enabled", "totp.disabled", "recovery_code.used"] {
        assert!(actions.contains(action), "{action}");
    }
    server.stop().await;
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited_by_ip_and_account() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let try_password = |from: &'static str, username: &'static str, password: &'static str| {
        let client = reqwest::Client::builder()
            .no_proxy()
            .local_address(from.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap();
        let url = server.url("/api/auth/password");
        async move {
            client
                .post(url)
                .json(&json!({ "username": username, "password": password }))
                .send()
                .await
                .unwrap()
        }
    };
    let attempt = |from, username| try_password(from, username, "wrong guess number one");
    let right = |from| async move { try_password(from, "olivia", OWNER_PASSWORD).await.status() };
    for _ in 0..10 {
        assert_eq!(attempt("127.0.0.1", "olivia").await.status(), 401);
    }
    let limited = attempt("127.0.0.1", "olivia").await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    let body: Value = limited.json().await.unwrap();
    assert_eq!(body["code"], "rate_limited");

    // Someone guessing at one address never locks the member out at hers.
    assert_eq!(attempt("127.0.0.2", "olivia").await.status(), 401);
    assert_eq!(right("127.0.0.2").await, 200);

    // A minute later, attempts are counted afresh.
    server.clock.advance(TimeDelta::seconds(61));
    assert_eq!(attempt("127.0.0.1", "olivia").await.status(), 401);

    // Many addresses guessing together meet the account's slower ceiling
    // (100 failed passwords an hour): then a new browser is refused even
    // with the right password, but the member's own browser is not.
    let mut failed = 12;
    for n in 3..=20u8 {
        let from: &'static str = Box::leak(format!("127.0.0.{n}").into_boxed_str());
        for _ in 0..6 {
            if failed < 100 {
                assert_eq!(attempt(from, "olivia").await.status(), 401);
                failed += 1;
            }
        }
    }
    assert_eq!(attempt("127.0.0.30", "olivia").await.status(), 429);
    assert_eq!(right("127.0.0.31").await, 429);
    let known = owner
        .post(
            "/api/auth/password",
            &json!({ "username": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(known.status(), 200, "a browser she signed in with before");
    assert_eq!(attempt("127.0.0.30", "someone").await.status(), 401);
    server.stop().await;
}

#[tokio::test]
async fn a_fresh_proof_with_two_step_on_needs_the_code_too() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (_, member_id) = crate::household::join(&server, &owner, "member", "sam").await;
    let enrolment = owner
        .ok("/api/me/totp/start", &json!({ "password": OWNER_PASSWORD }))
        .await;
    let secret = enrolment["secret"].as_str().unwrap().to_owned();
    let codes = owner
        .ok(
            "/api/me/totp/confirm",
            &json!({ "code": code_for(&server, &secret) }),
        )
        .await["codes"]
        .clone();
    let path = format!("/api/household/members/{member_id}");
    let change = |extra: Value| {
        let mut body = json!({ "role": "admin", "password": OWNER_PASSWORD });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    // A stolen password alone (or with a wrong code) hands out nothing.
    for extra in [json!({}), json!({ "code": "000000" })] {
        let response = owner.patch(&path, &change(extra.clone())).await;
        let status = response.status().as_u16();
        assert!(matches!(status, 400 | 401), "{extra}: {status}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["code"],
            if status == 400 {
                "invalid_request"
            } else {
                "invalid_credentials"
            }
        );
    }
    // The app's next code works, and so does a recovery code (once).
    server.clock.advance(TimeDelta::seconds(30));
    let changed = owner
        .patch(
            &path,
            &change(json!({ "code": code_for(&server, &secret) })),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let back = owner
        .patch(
            &path,
            &json!({ "role": "member", "password": OWNER_PASSWORD, "code": codes[0] }),
        )
        .await;
    assert_eq!(back.status(), 200);
    let reused = owner
        .patch(
            &path,
            &json!({ "role": "admin", "password": OWNER_PASSWORD, "code": codes[0] }),
        )
        .await;
    assert_eq!(reused.status(), 401);
    server.stop().await;
}
