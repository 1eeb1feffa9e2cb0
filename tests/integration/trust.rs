//! What an independent security review found and what now holds: content
//! identity per owner, no 500s from odd uploads, and the upgrade that
//! splits an asset two members' files shared.

use serde_json::{Value, json};

use crate::fixtures::jpeg;
use crate::harness::{OWNER_PASSWORD, TestServer};
use crate::household::join;
use crate::media::corpus;
use crate::operations::{count, fixture_changed};

async fn uploaded(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn two_members_with_the_same_bytes_each_have_their_own_photo() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "sam").await;
    let bytes = jpeg(640, 480, 41, Some("2024:05:01 12:00:00"));

    let first = uploaded(owner.upload(&[("beach.jpg", bytes.clone())]).await).await;
    let theirs = first["files"][0]["asset_id"].as_i64().unwrap();
    owner
        .patch(
            &format!("/api/assets/{theirs}"),
            &json!({ "caption": "the owner's own words" }),
        )
        .await;

    // The member is told nothing of the owner's copy: theirs is imported.
    let second = uploaded(member.upload(&[("beach.jpg", bytes.clone())]).await).await;
    assert_eq!(second["files"][0]["status"], "imported", "{second}");
    let mine = second["files"][0]["asset_id"].as_i64().unwrap();
    assert_ne!(mine, theirs);
    let details = member.json(&format!("/api/assets/{mine}")).await;
    assert_eq!(details["mine"], true);
    assert!(details["caption"].is_null(), "{details}");
    assert_eq!(member.json("/api/timeline").await["total"], 1);
    // The owner's favourite is the owner's own mark, even on a family photo.
    owner
        .patch(
            &format!("/api/assets/{theirs}"),
            &json!({ "favourite": true, "visibility": "family" }),
        )
        .await;
    let seen = member.json(&format!("/api/assets/{theirs}")).await;
    assert_eq!(
        (seen["mine"].as_bool(), seen["favourite"].as_bool()),
        (Some(false), Some(false))
    );
    owner
        .patch(
            &format!("/api/assets/{theirs}"),
            &json!({ "visibility": "private" }),
        )
        .await;
    assert_eq!(
        member.get(&format!("/api/assets/{theirs}")).await.status(),
        404
    );
    // A duplicate is only ever one's own.
    let again = uploaded(member.upload(&[("again.jpg", bytes.clone())]).await).await;
    assert_eq!(
        (
            again["files"][0]["status"].as_str(),
            again["files"][0]["asset_id"].as_i64()
        ),
        (Some("duplicate"), Some(mine))
    );

    // Deleting one member's copy leaves the other's whole.
    owner
        .ok("/api/assets/trash", &json!({ "ids": [theirs] }))
        .await;
    owner.ok("/api/trash/empty", &json!({})).await;
    server.idle().await;
    let original = member.get(&format!("/api/assets/{mine}/original")).await;
    assert_eq!(original.status(), 200);
    assert_eq!(original.bytes().await.unwrap().to_vec(), bytes);
    assert_eq!(
        member
            .get(&format!("/api/assets/{mine}/thumb"))
            .await
            .status(),
        200
    );
    let found = member.json("/api/search?q=beach").await;
    assert_eq!(found["total"], 1, "{found}");
    // And the owner may bring the same bytes back as a new photo of theirs.
    let back = uploaded(owner.upload(&[("beach.jpg", bytes)]).await).await;
    assert_eq!(back["files"][0]["status"], "imported", "{back}");
    server.stop().await;
}

#[tokio::test]
async fn odd_uploads_get_answers_not_server_errors() {
    let server = TestServer::start().await;
    let owner = server.owner().await;

    // 200 accented letters and emoji: far more than 255 bytes.
    for (seed, long, extension) in [
        (1, format!("{}.jpg", "é".repeat(200)), Some("jpg")),
        (2, format!("{}.jpg", "📷".repeat(200)), Some("jpg")),
        (3, "ü".repeat(300), None),
    ] {
        let sent = uploaded(owner.upload(&[(&long, jpeg(64, 48, seed, None))]).await).await;
        let file = &sent["files"][0];
        assert_eq!(file["status"], "imported", "{sent}");
        let name = file["name"].as_str().unwrap();
        assert!(name.len() <= 200, "{} bytes", name.len());
        let kept = std::path::Path::new(name)
            .extension()
            .and_then(|e| e.to_str());
        assert_eq!(kept, extension, "{name}");
        let id = file["asset_id"].as_i64().unwrap();
        let details = owner.json(&format!("/api/assets/{id}")).await;
        assert_eq!(details["mine"], true, "{details}");
    }

    // The same file twice in one request: the second is a duplicate of
    // the first, and only one copy is kept.
    let twice = jpeg(64, 48, 250, None);
    let sent = uploaded(
        owner
            .upload(&[("a.jpg", twice.clone()), ("b.jpg", twice)])
            .await,
    )
    .await;
    let files = sent["files"].as_array().unwrap();
    assert_eq!(
        (files[0]["status"].as_str(), files[1]["status"].as_str()),
        (Some("imported"), Some("duplicate")),
        "{sent}"
    );
    assert_eq!(files[0]["asset_id"], files[1]["asset_id"]);
    let id = files[0]["asset_id"].as_i64().unwrap();
    let details = owner.json(&format!("/api/assets/{id}")).await;
    assert_eq!(details["files"].as_array().unwrap().len(), 1, "{details}");
    server.stop().await;
}

#[tokio::test]
async fn an_asset_two_members_files_shared_splits_on_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    // In the previous schema, Sam's import folder held the bytes of one of
    // Olivia's private photos: one asset (hers) with a file in his folder.
    // (Twice: in a private folder and in one shared with the family.)
    let folder = dir.path().join("sams-photos");
    let shared = dir.path().join("sams-shared");
    for place in [&folder, &shared] {
        std::fs::create_dir_all(place).unwrap();
        std::fs::copy(
            corpus().join("pigallery2/test/backend/assets/timestamps/big_ben.jpg"),
            place.join("big_ben.jpg"),
        )
        .unwrap();
    }
    let at = "2026-11-22T19:47:31.894610728+00:00";
    let data = fixture_changed(
        dir.path(),
        &format!(
            "INSERT INTO import_roots (id, path, owner_id, visibility, watch_mode, poll_minutes, exclusions, status, created_at, source) \
             VALUES (1, '{path}', 2, 'private', 'poll', 60, '[]', 'online', '{at}', 'api'), \
             (2, '{shared}', 2, 'family', 'poll', 60, '[]', 'online', '{at}', 'api'); \
             INSERT INTO asset_files (asset_id, root_id, path, bytes, modified_at, present, seen_at, role) \
             VALUES (3, 1, 'big_ben.jpg', 18532, '{at}', 1, '{at}', 'original'), \
             (3, 2, 'big_ben.jpg', 18532, '{at}', 1, '{at}', 'original'); \
             UPDATE assets SET caption = 'only Olivia wrote this', favourite = 1 WHERE id = 3;",
            path = folder.display(),
            shared = shared.display()
        ),
    )
    .await;
    let server = TestServer::start_in_with(dir, |config| {
        config.retention.trash_days = u16::MAX;
        config.retention.audit_days = u16::MAX;
    })
    .await;
    let (_, expected) = crate::operations::fixture();
    let password = |i: usize| {
        expected["users"][i]["password"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let olivia = server.sign_in("olivia", &password(0)).await;
    let sam = server.sign_in("sam", &password(1)).await;
    server.idle().await;

    // Olivia keeps her photo as it was: her caption, her album, her upload.
    let hers = olivia.json("/api/assets/3").await;
    assert_eq!(hers["caption"], "only Olivia wrote this");
    assert_eq!(hers["files"].as_array().unwrap().len(), 1, "{hers}");
    // Sam has his own asset for the file in his folder, and nothing of hers.
    let split = count(
        &data,
        "SELECT id FROM assets WHERE owner_id = 2 AND hash = (SELECT hash FROM assets WHERE id = 3)",
    )
    .await;
    let his = sam.json(&format!("/api/assets/{split}")).await;
    assert_eq!(his["mine"], true, "{his}");
    assert!(his["caption"].is_null(), "{his}");
    assert_eq!(his["favourite"], false);
    assert_eq!(
        his["visibility"], "private",
        "the more private of his folders"
    );
    assert_eq!(his["files"].as_array().unwrap().len(), 2, "{his}");
    // (He still sees hers through her album, as hers.)
    assert_eq!(sam.json("/api/assets/3").await["mine"], false);
    assert_eq!(
        sam.get(&format!("/api/assets/{split}/thumb"))
            .await
            .status(),
        200,
        "its thumbnails were made"
    );
    assert_eq!(
        count(
            &data,
            "SELECT COUNT(*) FROM assets WHERE hash = (SELECT hash FROM assets WHERE id = 3)"
        )
        .await,
        2
    );
    // Each is found as its owner's; Sam's private one never by Olivia
    // (once the index, rebuilt after the upgrade, has them).
    server
        .until("the index to be rebuilt", || async {
            sam.json("/api/search?q=big").await["total"] == 2
        })
        .await;
    let found = sam.json("/api/search?q=big").await;
    let mut mine: Vec<(i64, bool)> = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["id"].as_i64().unwrap(),
                item["mine"].as_bool().unwrap(),
            )
        })
        .collect();
    mine.sort_unstable();
    assert_eq!(mine, vec![(3, false), (split, true)], "{found}");
    let found = olivia.json("/api/search?q=big").await;
    assert_eq!(found["total"], 1, "{found}");
    assert_eq!(found["items"][0]["id"], 3);
    server.stop().await;
}

#[tokio::test]
async fn the_owners_library_rules_never_see_a_members_private_photos() {
    const SECRET: &str = "quietmarkerword";
    // Sessions outlive the 40 days the clock moves.
    let server = TestServer::start_with(|config| config.auth.session_idle_days = 400).await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "mira").await;
    let private = uploaded(
        member
            .upload(&[("diary.jpg", jpeg(320, 240, 61, Some("2020:01:01 10:00:00")))])
            .await,
    )
    .await["files"][0]["asset_id"]
        .as_i64()
        .unwrap();
    let family = uploaded(
        member
            .upload(&[(
                "picnic.jpg",
                jpeg(320, 240, 62, Some("2020:01:01 10:00:00")),
            )])
            .await,
    )
    .await["files"][0]["asset_id"]
        .as_i64()
        .unwrap();
    for id in [private, family] {
        member
            .patch(&format!("/api/assets/{id}"), &json!({ "caption": SECRET }))
            .await;
    }
    member
        .patch(
            &format!("/api/assets/{family}"),
            &json!({ "visibility": "family" }),
        )
        .await;
    server
        .until("the member's captions to be indexed", || async {
            member.json(&format!("/api/search?q={SECRET}")).await["total"] == 2
        })
        .await;
    server.clock.advance(chrono::TimeDelta::days(40));

    // The dry run counts and shows only what the owner may see.
    for query in [SECRET.to_owned(), "diary".to_owned(), "2020".to_owned()] {
        let rule =
            json!({ "query": query, "days": 30, "scope": "library", "include_shared": true });
        let preview = owner.ok("/api/retention/preview", &rule).await;
        let sample: Vec<i64> = preview["sample"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["id"].as_i64().unwrap())
            .collect();
        assert!(!sample.contains(&private), "{query}: {preview}");
        let expected = u8::from(query != "diary");
        assert_eq!(preview["count"], expected, "{query}: {preview}");
    }
    // And a saved rule's run trashes only that.
    let saved = owner
        .post(
            "/api/retention/rules",
            &json!({ "query": SECRET, "days": 30, "scope": "library", "include_shared": true, "enabled": true }),
        )
        .await;
    assert_eq!(saved.status(), 201);
    owner.ok("/api/admin/retention/run", &json!({})).await;
    let kept = member.json(&format!("/api/assets/{private}")).await;
    assert_eq!(kept["status"], "active", "{kept}");
    server.stop().await;
}

/// What `browser` sees of the photo `id`: its details, thumbnail, and
/// whether search finds it by `word`.
async fn sees(browser: &crate::harness::Browser, id: i64, word: &str) -> (u16, u16, bool) {
    let details = browser
        .get(&format!("/api/assets/{id}"))
        .await
        .status()
        .as_u16();
    let thumb = browser
        .get(&format!("/api/assets/{id}/thumb"))
        .await
        .status()
        .as_u16();
    let found = browser.json(&format!("/api/search?q={word}")).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|item| item["id"] == id);
    (details, thumb, found)
}

#[tokio::test]
async fn seeing_a_photo_through_an_album_ends_with_the_album() {
    const WORD: &str = "lighthousekeeper";
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (mia, mia_id) = join(&server, &owner, "member", "mia").await;
    let (ben, _) = join(&server, &owner, "member", "ben").await;
    let (cora, cora_id) = join(&server, &owner, "member", "cora").await;
    // Ben's private photo, in Mia's albums where Cora is a viewer.
    let photo = uploaded(ben.upload(&[("coast.jpg", jpeg(320, 240, 71, None))]).await).await["files"]
        [0]["asset_id"]
        .as_i64()
        .unwrap();
    ben.patch(&format!("/api/assets/{photo}"), &json!({ "caption": WORD }))
        .await;
    let album = |title: &'static str| {
        let (mia, ben) = (&mia, &ben);
        async move {
            let id = mia.ok("/api/albums", &json!({ "title": title })).await["album"]["id"]
                .as_i64()
                .unwrap();
            for (username, role) in [("ben", "contributor"), ("cora", "viewer")] {
                mia.ok(
                    &format!("/api/albums/{id}/members"),
                    &json!({ "username": username, "role": role }),
                )
                .await;
            }
            ben.ok(
                &format!("/api/albums/{id}/assets"),
                &json!({ "ids": [photo], "share_private": true }),
            )
            .await;
            id
        }
    };
    let shown = (200, 200, true);
    let gone = (404, 404, false);
    let wait = |expected: (u16, u16, bool)| {
        let (server, cora) = (&server, &cora);
        async move {
            server
                .until("what Cora sees to settle", || async {
                    sees(cora, photo, WORD).await == expected
                })
                .await;
        }
    };

    // Removed from the album: gone for her.
    let first = album("Coast").await;
    wait(shown).await;
    assert_eq!(
        mia.delete(&format!("/api/albums/{first}/members/{cora_id}"))
            .await
            .status(),
        204
    );
    wait(gone).await;

    // She leaves another: gone.
    let second = album("Coast again").await;
    wait(shown).await;
    assert_eq!(
        cora.delete(&format!("/api/albums/{second}/members/{cora_id}"))
            .await
            .status(),
        204
    );
    wait(gone).await;

    // The album is deleted: gone.
    let third = album("Coast once more").await;
    wait(shown).await;
    assert_eq!(
        mia.delete(&format!("/api/albums/{third}")).await.status(),
        204
    );
    wait(gone).await;

    // Its owner's account is being deleted (the album is hidden): gone,
    // and back if the deletion is cancelled.
    let fourth = album("Coast at last").await;
    wait(shown).await;
    let asked = owner
        .post(
            &format!("/api/household/members/{mia_id}/deletion"),
            &json!({ "confirm": "mia", "password": crate::harness::OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(asked.status(), 202);
    wait(gone).await;
    assert_eq!(
        cora.get(&format!("/api/albums/{fourth}")).await.status(),
        404
    );
    assert_eq!(
        owner
            .delete(&format!("/api/household/members/{mia_id}/deletion"))
            .await
            .status(),
        204
    );
    wait(shown).await;
    server.stop().await;
}

/// Sends raw bytes to the server and reads the status line of its answer.
async fn raw_status(server: &TestServer, request: String) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let mut stream = tokio::net::TcpStream::connect(server.addr()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(std::time::Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("an answer before the body was sent")
        .unwrap();
    String::from_utf8_lossy(&answer[..n])
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn small_things_that_add_up() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "sam").await;

    // Guests see display names: never a member's username or id.
    let album = owner.ok("/api/albums", &json!({ "title": "Picnic" })).await["album"]["id"]
        .as_i64()
        .unwrap();
    owner
        .ok(
            &format!("/api/albums/{album}/members"),
            &json!({ "username": "sam", "role": "viewer" }),
        )
        .await;
    member
        .ok(
            &format!("/api/albums/{album}/comments"),
            &json!({ "body": "What a day" }),
        )
        .await;
    let link = owner
        .ok(
            &format!("/api/albums/{album}/links"),
            &json!({ "allow_comments": true }),
        )
        .await;
    let token = link["url"].as_str().unwrap().rsplit('/').next().unwrap();
    let guest = server.browser();
    let thread = guest.json(&format!("/api/shared/{token}/comments")).await;
    assert_eq!(thread[0]["author"], "sam", "the display name: {thread}");
    let posted = guest
        .ok(
            &format!("/api/shared/{token}/comments"),
            &json!({ "name": "Anna", "body": "Hello" }),
        )
        .await;
    for shown in [
        thread.to_string(),
        posted.to_string(),
        guest
            .json(&format!("/api/shared/{token}"))
            .await
            .to_string(),
    ] {
        assert!(
            !shown.contains("username") && !shown.contains("user_id"),
            "{shown}"
        );
    }

    // A read-only token reads notifications but cannot mark them read.
    let read_token = member
        .ok(
            "/api/me/tokens",
            &json!({ "name": "script", "scopes": ["read"], "password": OWNER_PASSWORD }),
        )
        .await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_token = |method: reqwest::Method, path: &str| {
        crate::harness::client()
            .request(method, server.url(path))
            .bearer_auth(&read_token)
            .send()
    };
    assert_eq!(
        with_token(reqwest::Method::GET, "/api/notifications")
            .await
            .unwrap()
            .status(),
        200
    );
    for path in ["/api/notifications/read-all", "/api/notifications/1/read"] {
        let response = with_token(reqwest::Method::POST, path).await.unwrap();
        assert_eq!(response.status(), 403, "{path}");
    }

    // No credentials at all: the documented code.
    let anonymous = server.browser().get("/api/me").await;
    assert_eq!(anonymous.status(), 401);
    let body: Value = anonymous.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized");

    // An upload declaring more than the limit is refused before its body.
    let limit = u64::from(server.state().config().library.upload_max_mib) * 1024 * 1024;
    let status = raw_status(
        &server,
        format!(
            "POST /api/uploads HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: {}\r\n\r\n",
            server.addr(),
            limit * 2
        ),
    )
    .await;
    assert!(status.contains(" 413"), "{status}");

    // Error reports from browsers: 20 a minute per address, then 429.
    let report = json!({ "message": "TypeError: x is undefined", "page": "/photos" });
    let mut codes = Vec::new();
    for _ in 0..22 {
        codes.push(
            server
                .browser()
                .post("/api/client-errors", &report)
                .await
                .status()
                .as_u16(),
        );
    }
    assert_eq!(codes.iter().filter(|&&c| c == 204).count(), 20, "{codes:?}");
    assert_eq!(codes.last(), Some(&429));
    server.stop().await;
}

#[tokio::test]
async fn admins_cannot_act_on_each_other_and_a_disabled_account_keeps_no_way_back() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (alex, _) = join(&server, &owner, "admin", "alex").await;
    let (_, ada) = join(&server, &owner, "admin", "ada").await;
    let (_, sam) = join(&server, &owner, "member", "sam").await;
    let proof = |extra: Value| {
        let mut body = json!({ "password": OWNER_PASSWORD });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };

    // An admin changes no other admin: not their role, not their account.
    for change in [json!({ "role": "member" }), json!({ "active": false })] {
        let response = alex
            .patch(
                &format!("/api/household/members/{ada}"),
                &proof(change.clone()),
            )
            .await;
        assert_eq!(response.status(), 403, "{change}");
    }
    // Inviting an admin needs a fresh proof; a member invite does not.
    let bare = alex
        .post("/api/household/invites", &json!({ "role": "admin" }))
        .await;
    assert_eq!(bare.status(), 403);
    let body: Value = bare.json().await.unwrap();
    assert_eq!(body["code"], "reauthentication_required");
    alex.ok("/api/household/invites", &json!({ "role": "member" }))
        .await;
    alex.ok("/api/household/invites", &proof(json!({ "role": "admin" })))
        .await;

    // A recovery link does not outlive disabling the account, and enabling
    // it again needs a fresh proof.
    let link = alex
        .ok(
            &format!("/api/household/members/{sam}/recovery-link"),
            &proof(json!({})),
        )
        .await;
    let disabled = alex
        .patch(
            &format!("/api/household/members/{sam}"),
            &proof(json!({ "active": false })),
        )
        .await;
    assert_eq!(disabled.status(), 200);
    let bare = alex
        .patch(
            &format!("/api/household/members/{sam}"),
            &json!({ "active": true }),
        )
        .await;
    assert_eq!(bare.status(), 403);
    let enabled = alex
        .patch(
            &format!("/api/household/members/{sam}"),
            &proof(json!({ "active": true })),
        )
        .await;
    assert_eq!(enabled.status(), 200);
    server.clock.advance(chrono::TimeDelta::hours(25));
    let token = link["url"]
        .as_str()
        .unwrap()
        .split("token=")
        .nth(1)
        .unwrap();
    let state = server
        .browser()
        .ok("/api/links/inspect", &json!({ "token": token }))
        .await;
    assert_eq!(state["state"], "revoked");
    server.stop().await;
}

#[tokio::test]
async fn a_data_folder_behind_a_symlink_is_still_never_an_import_folder() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real-data");
    std::fs::create_dir_all(&real).unwrap();
    let link = dir.path().join("data-link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let server = TestServer::start_with(|config| config.data_dir = link.clone()).await;
    let owner = server.owner().await;
    for inside in ["media/originals", "media", ""] {
        let path = real.join(inside);
        let response = owner
            .post(
                "/api/import/roots",
                &json!({ "path": path.display().to_string(), "visibility": "private", "watch": "events" }),
            )
            .await;
        assert_eq!(response.status(), 400, "{}", path.display());
    }
    server.stop().await;
}
