//! Running the household: what admins may do, what members may not, and
//! the owner's special place.

use serde_json::{Value, json};

use crate::harness::{Browser, OWNER_PASSWORD, TestServer};

/// A member who joined with a password through an invite of `role`.
pub async fn join(
    server: &TestServer,
    owner: &Browser,
    role: &str,
    username: &str,
) -> (Browser, i64) {
    let invite = owner
        .ok(
            "/api/household/invites",
            &json!({ "role": role, "password": OWNER_PASSWORD }),
        )
        .await;
    let token = invite["url"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap()
        .to_owned();
    let browser = server.browser();
    let me = browser
        .ok(
            "/api/links/password",
            &json!({
                "token": token,
                "account": { "username": username, "display_name": username },
                "password": OWNER_PASSWORD,
            }),
        )
        .await;
    assert_eq!(me["role"], role);
    (browser, me["id"].as_i64().unwrap())
}

async fn patch(browser: &Browser, path: &str, body: &Value) -> reqwest::Response {
    browser.patch(path, body).await
}

async fn code(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    (status, body["code"].as_str().unwrap_or_default().to_owned())
}

/// Every Household operation, read from the OpenAPI document.
fn household_operations() -> Vec<(reqwest::Method, String)> {
    let spec: Value = serde_json::from_str(&hearth::api::openapi_json()).unwrap();
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation["tags"][0] == "Household" {
                let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                found.push((method, format!("/api{}", path.replace("{id}", "1"))));
            }
        }
    }
    found
}

#[tokio::test]
async fn members_are_refused_every_admin_endpoint() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "sam").await;
    let operations = household_operations();
    assert!(operations.len() >= 8, "{operations:?}");
    for (method, path) in operations {
        let response = member
            .client
            .request(method.clone(), format!("{}{path}", member.base))
            .json(&json!({ "role": "member", "user_id": 1, "confirm": "olivia", "password": OWNER_PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            code(response).await,
            (403, "forbidden".to_owned()),
            "{method} {path}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn roles_change_within_limits() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let owner_id = owner.json("/api/me").await["id"].as_i64().unwrap();
    let (admin, admin_id) = join(&server, &owner, "admin", "alex").await;
    let (member, member_id) = join(&server, &owner, "member", "sam").await;

    // An admin promotes a member; the member hears of it.
    let changed: Value = patch(
        &admin,
        &format!("/api/household/members/{member_id}"),
        &json!({ "role": "admin", "password": OWNER_PASSWORD }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(changed["role"], "admin");
    let notes = member.json("/api/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "role_changed" && n["title"] == "You are now an admin"),
        "{notes}"
    );

    // Nobody demotes or disables the owner, and nobody makes an owner by role.
    for body in [
        json!({ "role": "member", "password": OWNER_PASSWORD }),
        json!({ "active": false, "password": OWNER_PASSWORD }),
    ] {
        let response = patch(&admin, &format!("/api/household/members/{owner_id}"), &body).await;
        assert_eq!(
            code(response).await,
            (403, "forbidden".to_owned()),
            "{body}"
        );
    }
    let response = patch(
        &owner,
        &format!("/api/household/members/{member_id}"),
        &json!({ "role": "owner", "password": OWNER_PASSWORD }),
    )
    .await;
    assert_eq!(code(response).await.0, 403);

    // Only the owner transfers ownership, with a fresh proof that it is
    // them and the heir's username typed: a cookie alone is not enough.
    let transfer = "/api/household/transfer-ownership";
    let response = admin
        .post(
            transfer,
            &json!({ "user_id": admin_id, "confirm": "alex", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(code(response).await, (403, "forbidden".to_owned()));
    for (body, expected) in [
        (
            json!({ "user_id": admin_id, "confirm": "alex" }),
            (403, "reauthentication_required"),
        ),
        (
            json!({ "user_id": admin_id, "confirm": "alex", "password": "not the password" }),
            (401, "invalid_credentials"),
        ),
        (
            json!({ "user_id": admin_id, "confirm": "sam", "password": OWNER_PASSWORD }),
            (400, "invalid_request"),
        ),
    ] {
        let response = owner.post(transfer, &body).await;
        assert_eq!(
            code(response).await,
            (expected.0, expected.1.to_owned()),
            "{body}"
        );
    }
    assert_eq!(owner.json("/api/me").await["role"], "owner");
    let heir = owner
        .ok(
            transfer,
            &json!({ "user_id": admin_id, "confirm": "Alex", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(heir["role"], "owner");
    assert_eq!(owner.json("/api/me").await["role"], "admin");
    assert_eq!(admin.json("/api/me").await["role"], "owner");
    let roles: Vec<String> = admin
        .json("/api/household/members")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["role"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        roles.iter().filter(|r| *r == "owner").count(),
        1,
        "exactly one owner: {roles:?}"
    );

    // The household's activity shows all of it; a member sees only their own.
    let actions: Vec<String> = admin
        .json("/api/household/activity")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect();
    for action in [
        "ownership.transferred",
        "member.role_changed",
        "invite.created",
        "invite.accepted",
        "setup.owner_created",
    ] {
        assert!(
            actions.iter().any(|a| a == action),
            "{action} in {actions:?}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn a_disabled_member_is_signed_out_everywhere() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, member_id) = join(&server, &owner, "member", "sam").await;
    let token = member
        .ok(
            "/api/me/tokens",
            &json!({ "name": "sync", "scopes": ["read"], "password": OWNER_PASSWORD }),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let changed: Value = patch(
        &owner,
        &format!("/api/household/members/{member_id}"),
        &json!({ "active": false, "password": OWNER_PASSWORD }),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(changed["status"], "disabled");
    assert_eq!(member.get("/api/me").await.status(), 401);
    let with_token = crate::harness::client()
        .get(server.url("/api/me"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(with_token.status(), 401);
    let again = server
        .browser()
        .post(
            "/api/auth/password",
            &json!({ "username": "sam", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(code(again).await, (401, "invalid_credentials".to_owned()));

    patch(
        &owner,
        &format!("/api/household/members/{member_id}"),
        &json!({ "active": true, "password": OWNER_PASSWORD }),
    )
    .await;
    let back = server
        .browser()
        .post(
            "/api/auth/password",
            &json!({ "username": "sam", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(back.status(), 200);
    server.stop().await;
}

#[tokio::test]
async fn a_members_activity_is_their_own() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, member_id) = join(&server, &owner, "member", "sam").await;
    let activity = member.json("/api/me/activity").await;
    for entry in activity.as_array().unwrap() {
        assert!(
            entry["actor_id"] == member_id || entry["target_user_id"] == member_id,
            "only sam's own events: {entry}"
        );
    }
    assert!(!activity.as_array().unwrap().is_empty());
    server.stop().await;
}
