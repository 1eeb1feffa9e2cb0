//! Two-step codes (TOTP) for password sign-in, recovery codes, and the
//! limit on sign-in attempts.

use chrono::TimeDelta;
use serde_json::{Value, json};
use totp_rs::{Builder, Secret};

use crate::harness::{Browser, OWNER_PASSWORD, TestServer};

/// The code an authenticator app shows for `secret` at the server's time.
fn code_for(server: &TestServer, secret: &str) -> String {
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
    let enrolment = owner.ok("/api/me/totp/start", &json!({})).await;
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
    let _owner = server.owner().await;
    let attempt = |from: &'static str, username: &'static str| {
        let client = reqwest::Client::builder()
            .no_proxy()
            .local_address(from.parse::<std::net::IpAddr>().unwrap())
            .build()
            .unwrap();
        let url = server.url("/api/auth/password");
        async move {
            client
                .post(url)
                .json(&json!({ "username": username, "password": "wrong guess number one" }))
                .send()
                .await
                .unwrap()
        }
    };
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

    // The account is limited from another address too; other accounts are not.
    assert_eq!(attempt("127.0.0.2", "olivia").await.status(), 429);
    assert_eq!(attempt("127.0.0.2", "someone").await.status(), 401);

    // A minute later, attempts are counted afresh.
    server.clock.advance(TimeDelta::seconds(61));
    assert_eq!(attempt("127.0.0.1", "olivia").await.status(), 401);
    let right = server
        .browser()
        .post(
            "/api/auth/password",
            &json!({ "username": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(right.status(), 200);
    server.stop().await;
}
