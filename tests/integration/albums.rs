//! Albums through real HTTP: every operation against every role (owner,
//! editor, contributor, viewer, non-member, anonymous), private photos
//! seen through album membership (and no longer once removed), album
//! search tokens, and live albums following their rule as photos arrive in
//! a watched folder, change and leave.

use serde_json::{Value, json};

use crate::fixtures::jpeg;
use crate::harness::{Browser, TestServer};
use crate::household::join;

/// Uploads one generated photo; returns its id.
pub async fn photo(browser: &Browser, name: &str, seed: u8, taken: &str) -> i64 {
    let response = browser
        .upload(&[(name, jpeg(320, 240, seed, Some(taken)))])
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["files"][0]["asset_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"))
}

/// A search as `browser`: (status, body).
pub async fn find(browser: &Browser, q: &str) -> (u16, Value) {
    let url = format!(
        "/api/search?q={}",
        url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    status(browser.get(&url).await).await
}

async fn status(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

pub async fn album_ids(browser: &Browser, album: i64) -> Vec<i64> {
    browser.json(&format!("/api/albums/{album}/assets")).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["asset"]["id"].as_i64().unwrap())
        .collect()
}

/// An album of the owner's with an editor, a contributor and a viewer;
/// `nora` is in the household but not in the album.
pub struct Family {
    pub server: TestServer,
    pub owner: Browser,
    pub editor: Browser,
    pub contributor: Browser,
    pub viewer: Browser,
    pub outsider: Browser,
    pub album: i64,
}

pub async fn family() -> Family {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (editor, _) = join(&server, &owner, "member", "edda").await;
    let (contributor, _) = join(&server, &owner, "member", "cora").await;
    let (viewer, _) = join(&server, &owner, "member", "vic").await;
    let (outsider, _) = join(&server, &owner, "member", "nora").await;
    let created = owner
        .ok("/api/albums", &json!({ "title": "Lisbon 2024" }))
        .await;
    let album = created["album"]["id"].as_i64().unwrap();
    assert_eq!(created["album"]["role"], "owner");
    for (username, role) in [
        ("edda", "editor"),
        ("cora", "contributor"),
        ("vic", "viewer"),
    ] {
        owner
            .ok(
                &format!("/api/albums/{album}/members"),
                &json!({ "username": username, "role": role }),
            )
            .await;
    }
    Family {
        server,
        owner,
        editor,
        contributor,
        viewer,
        outsider,
        album,
    }
}

#[tokio::test]
async fn every_album_operation_checks_the_callers_role() {
    let Family {
        server,
        owner,
        editor,
        contributor,
        viewer,
        outsider,
        album,
        ..
    } = family().await;
    let anonymous = server.browser();
    let path = format!("/api/albums/{album}");

    // Reading: members yes, the rest learn nothing.
    for (who, browser, expected) in [
        ("owner", &owner, 200),
        ("editor", &editor, 200),
        ("contributor", &contributor, 200),
        ("viewer", &viewer, 200),
        ("non-member", &outsider, 404),
        ("anonymous", &anonymous, 401),
    ] {
        for sub in ["", "/assets"] {
            let (code, _) = status(browser.get(&format!("{path}{sub}")).await).await;
            assert_eq!(code, expected, "{who} GET {path}{sub}");
        }
    }
    let listed = outsider.json("/api/albums").await;
    assert_eq!(listed["owned"], json!([]));
    assert_eq!(listed["shared"], json!([]));
    let listed = viewer.json("/api/albums").await;
    assert_eq!(listed["shared"][0]["title"], "Lisbon 2024");
    assert_eq!(listed["shared"][0]["role"], "viewer");
    assert_eq!(listed["shared"][0]["members"], 4);

    // Adding their own photos: everyone but the viewer.
    let mut own = std::collections::HashMap::new();
    for (who, browser, seed) in [
        ("owner", &owner, 1),
        ("editor", &editor, 2),
        ("contributor", &contributor, 3),
        ("viewer", &viewer, 4),
        ("non-member", &outsider, 5),
    ] {
        let taken = format!("2024:07:0{seed} 10:00:00");
        let id = photo(browser, &format!("{who}.jpg"), seed, &taken).await;
        own.insert(who, id);
    }
    for (who, browser, expected) in [
        ("owner", &owner, 200),
        ("editor", &editor, 200),
        ("contributor", &contributor, 200),
        ("viewer", &viewer, 403),
        ("non-member", &outsider, 404),
        ("anonymous", &anonymous, 401),
    ] {
        let id = own.get(who).copied().unwrap_or(own["owner"]);
        let (code, body) = status(
            browser
                .post(
                    &format!("{path}/assets"),
                    &json!({ "ids": [id], "share_private": true }),
                )
                .await,
        )
        .await;
        assert_eq!(code, expected, "{who} adds: {body}");
    }
    assert_eq!(album_ids(&viewer, album).await.len(), 3);

    // A contributor adds only their own photos; an editor also the family's.
    owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [own["owner"]], "visibility": "family" }),
        )
        .await;
    let family_photo = photo(&owner, "family.jpg", 9, "2024:07:09 10:00:00").await;
    owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [family_photo], "visibility": "family" }),
        )
        .await;
    let tried = contributor
        .ok(&format!("{path}/assets"), &json!({ "ids": [family_photo] }))
        .await;
    assert_eq!(
        (tried["added"].as_u64(), tried["refused"].as_u64()),
        (Some(0), Some(1))
    );
    let tried = editor
        .ok(&format!("{path}/assets"), &json!({ "ids": [family_photo] }))
        .await;
    assert_eq!(tried["added"], 1);

    // Removing: contributors only what they added; editors anything.
    let remove = |id: i64| json!({ "ids": [id] });
    let (code, _) = status(
        contributor
            .post(&format!("{path}/assets/remove"), &remove(own["owner"]))
            .await,
    )
    .await;
    assert_eq!(code, 403, "a contributor removes someone else's photo");
    let (code, _) = status(
        viewer
            .post(&format!("{path}/assets/remove"), &remove(own["viewer"]))
            .await,
    )
    .await;
    assert_eq!(code, 403, "a viewer removes");
    let (code, _) = status(
        outsider
            .post(&format!("{path}/assets/remove"), &remove(own["owner"]))
            .await,
    )
    .await;
    assert_eq!(code, 404, "a non-member removes");
    let done = contributor
        .ok(
            &format!("{path}/assets/remove"),
            &remove(own["contributor"]),
        )
        .await;
    assert_eq!(done["removed"], 1);
    let done = editor
        .ok(&format!("{path}/assets/remove"), &remove(family_photo))
        .await;
    assert_eq!(done["removed"], 1);
    let left = album_ids(&owner, album).await;
    assert_eq!(left, vec![own["owner"], own["editor"]], "by capture time");

    // Title, cover, order: owner and editors.
    for (who, browser, expected) in [
        ("owner", &owner, 200),
        ("editor", &editor, 200),
        ("contributor", &contributor, 403),
        ("viewer", &viewer, 403),
        ("non-member", &outsider, 404),
        ("anonymous", &anonymous, 401),
    ] {
        let (code, body) = status(
            browser
                .patch(&path, &json!({ "title": format!("Lisbon by {who}") }))
                .await,
        )
        .await;
        assert_eq!(code, expected, "{who} renames: {body}");
    }
    let changed = editor
        .patch(
            &path,
            &json!({ "cover": own["owner"], "description": "Summer" }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let details = viewer.json(&path).await;
    assert_eq!(details["album"]["title"], "Lisbon by editor");
    assert_eq!(details["album"]["cover"]["id"], own["owner"]);
    let outside_cover = editor
        .patch(&path, &json!({ "cover": own["non-member"] }))
        .await;
    assert_eq!(outside_cover.status(), 400);
    let reorder = editor
        .client
        .put(server.url(&format!("{path}/order")))
        .json(&json!({ "ids": [own["editor"], own["owner"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(reorder.status(), 204);
    assert_eq!(
        album_ids(&viewer, album).await,
        vec![own["editor"], own["owner"]]
    );
    let reorder = contributor
        .client
        .put(server.url(&format!("{path}/order")))
        .json(&json!({ "ids": [own["owner"]] }))
        .send()
        .await
        .unwrap();
    assert_eq!(reorder.status(), 403);

    // The rule is the owner's alone.
    let (code, _) = status(editor.patch(&path, &json!({ "rule": "2024" })).await).await;
    assert_eq!(code, 403);

    // Members: the owner manages them; anyone else may leave.
    let (code, _) = status(
        editor
            .post(
                &format!("{path}/members"),
                &json!({ "username": "nora", "role": "viewer" }),
            )
            .await,
    )
    .await;
    assert_eq!(code, 403, "an editor adds a member");
    let details = owner.json(&path).await;
    let member_id = |name: &str| {
        details["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["username"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (vic, cora) = (member_id("vic"), member_id("cora"));
    let (code, _) = status(editor.delete(&format!("{path}/members/{vic}")).await).await;
    assert_eq!(code, 403, "an editor removes a member");
    let changed = owner
        .patch(
            &format!("{path}/members/{cora}"),
            &json!({ "role": "viewer" }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let (code, _) = status(
        contributor
            .post(
                &format!("{path}/assets"),
                &json!({ "ids": [own["contributor"]] }),
            )
            .await,
    )
    .await;
    assert_eq!(code, 403, "now a viewer");
    let (code, _) = status(viewer.delete(&format!("{path}/members/{vic}")).await).await;
    assert_eq!(code, 204, "the viewer leaves");
    let (code, _) = status(viewer.get(&path).await).await;
    assert_eq!(code, 404, "gone from it");
    let owner_id = member_id("olivia");
    let (code, _) = status(owner.delete(&format!("{path}/members/{owner_id}")).await).await;
    assert_eq!(code, 400, "the owner cannot leave");

    // Muting is one's own.
    let muted = editor
        .patch(&format!("{path}/me"), &json!({ "muted": true }))
        .await;
    assert_eq!(muted.status(), 200);
    assert_eq!(editor.json(&path).await["album"]["muted"], true);
    assert_eq!(owner.json(&path).await["album"]["muted"], false);

    // Deleting: the owner's; the photos stay in the library.
    let (code, _) = status(editor.delete(&path).await).await;
    assert_eq!(code, 403);
    let (code, _) = status(owner.delete(&path).await).await;
    assert_eq!(code, 204);
    let (code, _) = status(owner.get(&path).await).await;
    assert_eq!(code, 404);
    let (code, _) = status(owner.get(&format!("/api/assets/{}", own["owner"])).await).await;
    assert_eq!(code, 200, "the photo stays");
}

#[tokio::test]
async fn a_private_photo_is_seen_through_the_album_and_no_longer_once_removed() {
    let Family {
        server,
        owner,
        contributor,
        viewer,
        outsider,
        album,
        ..
    } = family().await;
    let path = format!("/api/albums/{album}");
    let private = photo(&contributor, "cora-secret.jpg", 7, "2024:07:10 10:00:00").await;
    let asset = format!("/api/assets/{private}");
    for browser in [&owner, &viewer, &outsider] {
        let (code, _) = status(browser.get(&asset).await).await;
        assert_eq!(code, 404, "private before");
    }

    // Adding it asks first, and says what will happen.
    let (code, body) = status(
        contributor
            .post(&format!("{path}/assets"), &json!({ "ids": [private] }))
            .await,
    )
    .await;
    assert_eq!(code, 409);
    assert_eq!(body["code"], "confirmation_needed");
    assert!(
        body["message"].as_str().unwrap().contains("Lisbon 2024"),
        "{body}"
    );
    assert!(
        album_ids(&owner, album).await.is_empty(),
        "nothing added yet"
    );
    contributor
        .ok(
            &format!("{path}/assets"),
            &json!({ "ids": [private], "share_private": true }),
        )
        .await;

    // Members see it, its details and media; others still not.
    for browser in [&owner, &viewer] {
        assert_eq!(browser.json(&asset).await["mine"], false);
        let thumb = browser.get(&format!("{asset}/thumb")).await;
        assert_eq!(thumb.status(), 200);
    }
    for url in [
        asset.clone(),
        format!("{asset}/thumb"),
        format!("{asset}/original"),
    ] {
        let (code, _) = status(outsider.get(&url).await).await;
        assert_eq!(code, 404, "non-member {url}");
    }
    // Not in the members' own timelines: it is in the album.
    let timeline = viewer.json("/api/timeline").await;
    assert_eq!(timeline["total"], 0);

    // Search: the album's members find it by the album, others do not.
    let mut found = Value::Null;
    for _ in 0..100 {
        found = find(&viewer, "album:\"Lisbon 2024\"").await.1;
        if found["total"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found["items"][0]["id"], private, "{found}");
    assert_eq!(
        find(&viewer, "lisbon").await.1["total"],
        1,
        "the title's words"
    );
    assert_eq!(find(&viewer, "lisb").await.1["total"], 1, "while typing");
    assert_eq!(find(&outsider, "lisbon").await.1["total"], 0);
    let (code, body) = find(&outsider, "album:\"Lisbon 2024\"").await;
    assert_eq!((code, body["code"].as_str()), (400, Some("invalid_query")));

    // Removed from the album: private again.
    owner
        .ok(
            &format!("{path}/assets/remove"),
            &json!({ "ids": [private] }),
        )
        .await;
    for browser in [&owner, &viewer] {
        let (code, _) = status(browser.get(&asset).await).await;
        assert_eq!(code, 404, "private after");
    }
    let mut total = Value::Null;
    for _ in 0..100 {
        total = find(&viewer, "lisbon").await.1["total"].clone();
        if total == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(total, 0, "the index forgot it too");
    drop(server);
}

/// Waits until the album shows exactly `wanted`.
async fn shows(server: &TestServer, browser: &Browser, album: i64, wanted: &[i64]) {
    let mut wanted = wanted.to_vec();
    wanted.sort_unstable();
    let mut last = Vec::new();
    for _ in 0..200 {
        last = album_ids(browser, album).await;
        last.sort_unstable();
        if last == wanted {
            return;
        }
        server.settle();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("album {album} shows {last:?}, not {wanted:?}");
}

#[tokio::test]
async fn a_live_album_follows_its_rule_as_photos_arrive_change_and_leave() {
    use hearth::config::{RootConfig, WatchMode};
    let outside = tempfile::tempdir().unwrap();
    let root = outside.path().join("photos");
    std::fs::create_dir_all(&root).unwrap();
    let path = root.clone();
    let server = TestServer::start_with(move |config| {
        config.library.roots = vec![RootConfig {
            path,
            watch: WatchMode::Events,
            ..RootConfig::default()
        }];
    })
    .await;
    let owner = server.owner().await;
    let (vic, _) = join(&server, &owner, "member", "vic").await;

    // The preview counts before anything exists; a rule that cannot be
    // read says where.
    let preview = owner
        .ok(
            "/api/albums/preview",
            &json!({ "rule": "date:2019-07 -skip" }),
        )
        .await;
    assert_eq!(preview["total"], 0);
    let (code, body) = status(
        owner
            .post("/api/albums/preview", &json!({ "rule": "date:2019-13" }))
            .await,
    )
    .await;
    assert_eq!((code, body["code"].as_str()), (400, Some("invalid_query")));

    let created = owner
        .ok(
            "/api/albums",
            &json!({ "title": "July 2019", "rule": "date:2019-07 -skip" }),
        )
        .await;
    let album = created["album"]["id"].as_i64().unwrap();
    assert_eq!(created["album"]["live"], true);
    assert_eq!(created["rule"], "date:2019-07 -skip");
    owner
        .ok(
            &format!("/api/albums/{album}/members"),
            &json!({ "username": "vic", "role": "viewer" }),
        )
        .await;
    let read = vic.post("/api/notifications/read-all", &json!({})).await;
    assert_eq!(read.status(), 204);

    // Files arrive in the watched folder: the matching ones join, and vic
    // hears of them once.
    for (name, seed, taken) in [
        ("a.jpg", 1, "2019:07:01 10:00:00"),
        ("b.jpg", 2, "2019:07:02 10:00:00"),
        ("c.jpg", 3, "2019:07:03 10:00:00"),
        ("later.jpg", 4, "2020:01:01 10:00:00"),
    ] {
        std::fs::write(root.join(name), jpeg(320, 240, seed, Some(taken))).unwrap();
    }
    server
        .until("four photos imported", || async {
            owner.json("/api/timeline").await["total"] == 4
        })
        .await;
    let month = |m: &str| {
        let owner = &owner;
        let path = format!("/api/timeline/{m}");
        async move {
            owner.json(&path).await["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap())
                .collect::<Vec<_>>()
        }
    };
    let mut july = month("2019-07").await;
    july.sort_unstable();
    let later = month("2020-01").await[0];
    shows(&server, &vic, album, &july).await;
    let notes = vic.json("/api/notifications").await;
    let added: Vec<&Value> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "photos_added")
        .collect();
    assert_eq!(added.len(), 1, "one notification for the burst: {notes}");
    assert_eq!(added[0]["title"], "3 new photos in July 2019");
    assert_eq!(added[0]["album_id"], album);
    assert_eq!(notes["unread"], 1);

    // A caption that the rule excludes: it leaves.
    let edited = owner
        .patch(
            &format!("/api/assets/{}", july[0]),
            &json!({ "caption": "skip this one" }),
        )
        .await;
    assert_eq!(edited.status(), 200);
    shows(&server, &vic, album, &july[1..]).await;

    // Pinned by hand: stays though the rule does not match it.
    owner
        .ok(
            &format!("/api/albums/{album}/assets"),
            &json!({ "ids": [later], "share_private": true }),
        )
        .await;
    shows(&server, &vic, album, &[july[1], july[2], later]).await;
    let items = vic.json(&format!("/api/albums/{album}/assets")).await;
    let pinned: Vec<bool> = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["pinned"].as_bool().unwrap())
        .collect();
    assert_eq!(pinned, vec![false, false, true]);

    // Excluded by hand: a later change does not bring it back.
    owner
        .ok(
            &format!("/api/albums/{album}/assets/remove"),
            &json!({ "ids": [july[1]] }),
        )
        .await;
    shows(&server, &vic, album, &[july[2], later]).await;
    owner
        .patch(
            &format!("/api/assets/{}", july[1]),
            &json!({ "caption": "kept out" }),
        )
        .await;
    owner
        .patch(
            &format!("/api/assets/{}", july[0]),
            &json!({ "caption": "back in" }),
        )
        .await;
    // The first photo matches again and returns; the excluded one does not.
    shows(&server, &vic, album, &[july[0], july[2], later]).await;

    // The rule runs with the album owner's permissions: vic's private
    // July photo never joins, vic's family one does.
    let private = photo(&vic, "vic-private.jpg", 8, "2019:07:08 10:00:00").await;
    let shared = photo(&vic, "vic-shared.jpg", 9, "2019:07:09 10:00:00").await;
    vic.ok(
        "/api/assets/edit",
        &json!({ "ids": [shared], "visibility": "family" }),
    )
    .await;
    shows(&server, &vic, album, &[july[0], july[2], later, shared]).await;
    assert!(!album_ids(&owner, album).await.contains(&private));
    let (code, _) = status(owner.get(&format!("/api/assets/{private}")).await).await;
    assert_eq!(code, 404, "nor does it leak to the owner");

    // Turning the rule off keeps what the album shows, by hand.
    let manual = owner
        .patch(&format!("/api/albums/{album}"), &json!({ "rule": "" }))
        .await;
    assert_eq!(manual.status(), 200);
    let manual: Value = manual.json().await.unwrap();
    assert_eq!(manual["album"]["live"], false);
    shows(&server, &vic, album, &[july[0], july[2], later, shared]).await;
}

#[tokio::test]
async fn comments_hearts_and_mentions_follow_the_album() {
    let Family {
        server,
        owner,
        editor,
        contributor,
        viewer,
        outsider,
        album,
    } = family().await;
    let anonymous = server.browser();
    let path = format!("/api/albums/{album}/comments");
    let tart = photo(&owner, "tart.jpg", 5, "2024:07:05 10:00:00").await;
    owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [tart], "visibility": "family" }),
        )
        .await;
    owner
        .ok(
            &format!("/api/albums/{album}/assets"),
            &json!({ "ids": [tart] }),
        )
        .await;
    let not_in_album = photo(&owner, "other.jpg", 6, "2024:07:06 10:00:00").await;
    for browser in [&owner, &editor, &contributor, &viewer] {
        assert_eq!(
            browser
                .post("/api/notifications/read-all", &json!({}))
                .await
                .status(),
            204
        );
    }

    // Who may comment: members; the rest learn nothing.
    let hostile = "Hi @edda! <img src=x onerror=alert(1)> see https://example.org/a?b=1";
    for (who, browser, expected) in [
        ("non-member", &outsider, 404),
        ("anonymous", &anonymous, 401),
        ("viewer", &viewer, 200),
    ] {
        let (code, body) = status(browser.post(&path, &json!({ "body": hostile })).await).await;
        assert_eq!(code, expected, "{who}: {body}");
    }
    let listed = editor.json(&path).await;
    let first = &listed["comments"][0];
    assert_eq!(first["body"], hostile, "stored as plain text, as written");
    assert_eq!(first["author"]["username"], "vic");
    assert_eq!(
        (first["mine"].as_bool(), first["removable"].as_bool()),
        (Some(false), Some(true))
    );
    let first_id = first["id"].as_i64().unwrap();

    // The mention notifies edda; the others hear of a comment; not vic.
    let kinds = |notes: &Value| -> Vec<String> {
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["read"] == false)
            .map(|n| n["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        kinds(&editor.json("/api/notifications").await),
        vec!["mention"]
    );
    assert_eq!(
        kinds(&contributor.json("/api/notifications").await),
        vec!["comment"]
    );
    let note = &owner.json("/api/notifications").await["items"][0];
    assert_eq!(note["title"], "vic commented on Lisbon 2024");
    assert_eq!(note["album_id"], album);
    assert!(kinds(&viewer.json("/api/notifications").await).is_empty());

    // Muted: comments stay quiet, mentions still come.
    contributor
        .patch(
            &format!("/api/albums/{album}/me"),
            &json!({ "muted": true }),
        )
        .await;
    viewer.ok(&path, &json!({ "body": "Quiet one" })).await;
    viewer.ok(&path, &json!({ "body": "@cora look" })).await;
    assert_eq!(
        kinds(&contributor.json("/api/notifications").await),
        vec!["mention", "comment"],
        "the first comment's, then the mention"
    );

    // On a photo: it must be in the album; limits hold.
    let (code, _) = status(
        viewer
            .post(&path, &json!({ "body": "x", "asset_id": not_in_album }))
            .await,
    )
    .await;
    assert_eq!(code, 404);
    for body in ["   ", &"a".repeat(2_001)] {
        let (code, answer) = status(viewer.post(&path, &json!({ "body": body })).await).await;
        assert_eq!(
            (code, answer["code"].as_str()),
            (400, Some("invalid_request"))
        );
    }
    viewer
        .ok(
            &path,
            &json!({ "body": "Grandma's cherry tart!", "asset_id": tart }),
        )
        .await;
    let on_photo = viewer.json(&format!("{path}?asset={tart}")).await;
    assert_eq!(on_photo["comments"].as_array().unwrap().len(), 1);
    assert_eq!(on_photo["comments"][0]["asset_id"], tart);
    let items = viewer.json(&format!("/api/albums/{album}/assets")).await;
    assert_eq!(items["items"][0]["comments"], 1);

    // Search finds the comment's words for the album's members only —
    // though the photo itself is the family's.
    let mut found = Value::Null;
    for _ in 0..100 {
        found = find(&viewer, "cherry").await.1;
        if found["total"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(found["items"][0]["id"], tart, "{found}");
    assert_eq!(find(&owner, "cherr").await.1["total"], 1, "while typing");
    assert_eq!(
        outsider.json(&format!("/api/assets/{tart}")).await["id"],
        tart
    );
    assert_eq!(find(&outsider, "cherry").await.1["total"], 0);

    // Editing: one's own, marked; deleting: one's own, or as editor.
    let comment = format!("{path}/{first_id}");
    let (code, _) = status(editor.patch(&comment, &json!({ "body": "changed" })).await).await;
    assert_eq!(code, 403, "someone else's comment");
    let edited: Value = viewer
        .patch(&comment, &json!({ "body": "Hi @edda" }))
        .await
        .json()
        .await
        .unwrap();
    assert!(edited["edited_at"].is_string(), "{edited}");
    let (code, _) = status(contributor.delete(&comment).await).await;
    assert_eq!(code, 403, "a contributor removes another's comment");
    let (code, _) = status(outsider.delete(&comment).await).await;
    assert_eq!(code, 404);
    let (code, _) = status(editor.delete(&comment).await).await;
    assert_eq!(code, 204, "an editor removes it");

    // Hearts: one per person, with who.
    let hearts = format!("/api/albums/{album}/hearts");
    for _ in 0..2 {
        viewer
            .ok(&hearts, &json!({ "asset_id": tart, "hearted": true }))
            .await;
    }
    let hearted = owner
        .ok(&hearts, &json!({ "asset_id": tart, "hearted": true }))
        .await;
    let who: Vec<&str> = hearted["hearts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["username"].as_str().unwrap())
        .collect();
    assert_eq!(who, vec!["vic", "olivia"]);
    let taken_back = viewer
        .ok(&hearts, &json!({ "asset_id": tart, "hearted": false }))
        .await;
    assert_eq!(taken_back["hearted"], false);
    assert_eq!(taken_back["hearts"].as_array().unwrap().len(), 1);
    let (code, _) = status(outsider.post(&hearts, &json!({ "hearted": true })).await).await;
    assert_eq!(code, 404);
    viewer.ok(&hearts, &json!({ "hearted": true })).await;
    assert_eq!(
        owner.json(&path).await["hearts"][0]["username"],
        "vic",
        "the album's own"
    );
}

#[tokio::test]
async fn share_links_open_one_album_to_guests_and_nothing_else() {
    let Family {
        server,
        owner,
        editor,
        viewer,
        outsider,
        album,
        ..
    } = family().await;
    let anonymous = server.browser();
    let links = format!("/api/albums/{album}/links");
    let shared = photo(&owner, "shared.jpg", 1, "2024:07:01 10:00:00").await;
    let other = photo(&owner, "not-shared.jpg", 2, "2024:07:02 10:00:00").await;
    owner
        .ok(
            &format!("/api/albums/{album}/assets"),
            &json!({ "ids": [shared], "share_private": true }),
        )
        .await;

    // Only the owner makes links.
    for (who, browser, expected) in [
        ("editor", &editor, 403),
        ("viewer", &viewer, 403),
        ("non-member", &outsider, 404),
        ("anonymous", &anonymous, 401),
    ] {
        let (code, _) = status(browser.post(&links, &json!({})).await).await;
        assert_eq!(code, expected, "{who} makes a link");
    }
    let link = owner
        .ok(&links, &json!({ "label": "Grandma's friends" }))
        .await;
    let token = link["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    assert!(token.len() >= 22, "at least 128 bits: {token}");
    let link_id = link["id"].as_i64().unwrap();
    let base = format!("/api/shared/{token}");

    // The guest sees the album and its photos, nothing else.
    let guest = server.browser();
    let seen = guest.json(&base).await;
    assert_eq!(
        (seen["title"].as_str(), seen["count"].as_u64()),
        (Some("Lisbon 2024"), Some(1))
    );
    let items = guest.json(&format!("{base}/assets")).await;
    assert_eq!(items["items"][0]["id"], shared);
    assert_eq!(items["items"][0]["mine"], false);
    assert_eq!(
        guest
            .get(&format!("{base}/assets/{shared}/thumb"))
            .await
            .status(),
        200
    );
    for url in [
        format!("{base}/assets/{other}/thumb"),
        format!("{base}/assets/{shared}/nonsense"),
    ] {
        let code = guest.get(&url).await.status().as_u16();
        assert!(code == 404 || code == 400, "{url}: {code}");
    }
    let (code, body) = status(guest.get(&format!("{base}/assets/{shared}/original")).await).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (403, Some("forbidden")),
        "no downloads"
    );
    for url in [
        format!("/api/albums/{album}"),
        format!("/api/assets/{shared}"),
        format!("/api/assets/{shared}/thumb"),
        "/api/timeline".to_owned(),
        "/api/albums".to_owned(),
    ] {
        assert_eq!(guest.get(&url).await.status(), 401, "{url}");
    }
    let (code, _) = status(
        guest
            .post(
                &format!("/api/albums/{album}/assets"),
                &json!({ "ids": [other] }),
            )
            .await,
    )
    .await;
    assert_eq!(code, 401, "a guest adds nothing");
    owner
        .patch(
            &format!("{links}/{link_id}"),
            &json!({ "allow_download": true }),
        )
        .await;
    assert_eq!(
        guest
            .get(&format!("{base}/assets/{shared}/original"))
            .await
            .status(),
        200
    );

    // Comments and uploads only when the link allows them.
    let said = json!({ "name": "Anna", "body": "Lovely! <b>hi</b>" });
    let (code, _) = status(guest.post(&format!("{base}/comments"), &said).await).await;
    assert_eq!(code, 403);
    let upload = format!("{base}/uploads?name=Anna");
    let sent = guest
        .upload_to(&upload, &[("guest.jpg", jpeg(320, 240, 30, None))])
        .await;
    assert_eq!(sent.status(), 403);
    owner
        .patch(
            &format!("{links}/{link_id}"),
            &json!({ "allow_comments": true, "allow_uploads": true }),
        )
        .await;
    assert_eq!(
        owner
            .post("/api/notifications/read-all", &json!({}))
            .await
            .status(),
        204
    );
    for name in ["  ".to_owned(), "n".repeat(51)] {
        let said = json!({ "name": name, "body": "hi" });
        let (code, body) = status(guest.post(&format!("{base}/comments"), &said).await).await;
        assert_eq!(
            (code, body["code"].as_str()),
            (400, Some("invalid_request")),
            "{name:?}"
        );
    }
    let posted = guest.ok(&format!("{base}/comments"), &said).await;
    assert_eq!(
        (posted["guest"].as_str(), posted["author"].is_null()),
        (Some("Anna"), true)
    );
    let thread = viewer.json(&format!("/api/albums/{album}/comments")).await;
    assert_eq!(thread["comments"][0]["guest"], "Anna");
    assert_eq!(thread["comments"][0]["body"], "Lovely! <b>hi</b>");
    let note = &owner.json("/api/notifications").await["items"][0];
    assert_eq!(note["title"], "Anna (guest) commented on Lisbon 2024");
    let sent: Value = guest
        .upload_to(&upload, &[("guest.jpg", jpeg(320, 240, 30, None))])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sent["files"][0]["status"], "received", "{sent}");
    assert!(
        sent["files"][0].get("asset_id").is_none(),
        "no ids for guests"
    );
    let items = viewer.json(&format!("/api/albums/{album}/assets")).await;
    let from_guest = items["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["guest"] == "Anna")
        .expect("the guest's photo is in the album");
    let guest_photo = from_guest["asset"]["id"].as_i64().unwrap();
    assert_eq!(
        owner.json(&format!("/api/assets/{guest_photo}")).await["mine"],
        true,
        "the owner's library"
    );
    // A guest sending the same bytes as someone's private photo learns
    // nothing of it: the album's owner gets a photo of their own, and the
    // other member's stays theirs and private.
    let secret = jpeg(320, 240, 77, None);
    let theirs: Value = outsider
        .upload(&[("secret.jpg", secret.clone())])
        .await
        .json()
        .await
        .unwrap();
    let theirs = theirs["files"][0]["asset_id"].as_i64().unwrap();
    let sent: Value = guest
        .upload_to(&upload, &[("secret.jpg", secret.clone())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sent["files"][0]["status"], "received", "{sent}");
    let shown = album_ids(&owner, album).await;
    assert_eq!(shown.len(), 3, "the owner's own copy");
    assert!(!shown.contains(&theirs));
    // Sent again: the same answer, nothing more.
    let again: Value = guest
        .upload_to(&upload, &[("secret.jpg", secret)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["files"][0]["status"], "received", "{again}");
    assert_eq!(album_ids(&owner, album).await.len(), 3);
    let still = outsider.json(&format!("/api/assets/{theirs}")).await;
    assert_eq!(
        (still["mine"].as_bool(), still["visibility"].as_str()),
        (Some(true), Some("private"))
    );

    // Revoked: the same clear answer as a token never given.
    let listed = owner.json(&links).await;
    assert_eq!(listed[0]["views"], 1);
    assert!(listed[0]["last_used_at"].is_string());
    assert_eq!(
        owner.delete(&format!("{links}/{link_id}")).await.status(),
        204
    );
    let (code, body) = status(guest.get(&base).await).await;
    assert_eq!((code, body["code"].as_str()), (410, Some("share_unusable")));
    assert_eq!(owner.json(&links).await[0]["usable"], false);

    // Guessing gets the same answer, then nothing at all.
    let mut codes = Vec::new();
    for n in 0..12 {
        let (code, _) = status(anonymous.get(&format!("/api/shared/guess{n:0>27}")).await).await;
        codes.push(code);
    }
    assert!(codes[..9].iter().all(|c| *c == 410), "{codes:?}");
    assert_eq!(codes[11], 429, "{codes:?}");
}

#[tokio::test]
async fn share_links_expire_by_the_clock_and_passwords_are_rate_limited() {
    let Family {
        server,
        owner,
        album,
        ..
    } = family().await;
    let links = format!("/api/albums/{album}/links");
    let now = server.state().now();
    let expiring = owner
        .ok(
            &links,
            &json!({ "expires_at": now + chrono::TimeDelta::days(7) }),
        )
        .await;
    let token = |link: &Value| {
        link["url"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_owned()
    };
    let expiring = format!("/api/shared/{}", token(&expiring));
    let guest = server.browser();
    assert_eq!(guest.get(&expiring).await.status(), 200);
    let (code, _) = status(
        owner
            .post(
                &links,
                &json!({ "expires_at": now - chrono::TimeDelta::hours(1) }),
            )
            .await,
    )
    .await;
    assert_eq!(code, 400, "an expiry in the past");

    // With a password: asked for, checked, rate limited, remembered.
    let locked = owner
        .ok(&links, &json!({ "password": "blue fish swims" }))
        .await;
    let locked = format!("/api/shared/{}", token(&locked));
    let (code, body) = status(guest.get(&locked).await).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (401, Some("password_required"))
    );
    assert_eq!(guest.get(&format!("{locked}/assets")).await.status(), 401);
    let unlock = format!("{locked}/unlock");
    let mut codes = Vec::new();
    for _ in 0..11 {
        let (code, _) = status(
            guest
                .post(&unlock, &json!({ "password": "red fish" }))
                .await,
        )
        .await;
        codes.push(code);
    }
    assert!(codes[..10].iter().all(|c| *c == 401), "{codes:?}");
    assert_eq!(codes[10], 429);
    let (code, _) = status(
        guest
            .post(&unlock, &json!({ "password": "blue fish swims" }))
            .await,
    )
    .await;
    assert_eq!(code, 429, "even the right one, until the minute is over");
    server.clock.advance(chrono::TimeDelta::seconds(61));
    let opened = guest
        .ok(&unlock, &json!({ "password": "blue fish swims" }))
        .await;
    assert_eq!(opened["title"], "Lisbon 2024");
    assert_eq!(
        guest.get(&format!("{locked}/assets")).await.status(),
        200,
        "remembered"
    );
    let other = server.browser();
    assert_eq!(
        other.get(&locked).await.status(),
        401,
        "another browser is asked"
    );

    // A new password: browsers that gave the old one are asked again.
    let locked_id = owner.json(&links).await[0]["id"].as_i64().unwrap();
    let changed = owner
        .patch(
            &format!("{links}/{locked_id}"),
            &json!({ "password": "green fish swims" }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    let (code, body) = status(guest.get(&locked).await).await;
    assert_eq!(
        (code, body["code"].as_str()),
        (401, Some("password_required"))
    );
    for bad in [
        json!({ "password": "short" }),
        json!({ "label": "x".repeat(101) }),
    ] {
        let (code, _) = status(owner.patch(&format!("{links}/{locked_id}"), &bad).await).await;
        assert_eq!(code, 400, "{bad}");
    }

    // A week later the first link has expired.
    server.clock.advance(chrono::TimeDelta::days(7));
    let (code, body) = status(guest.get(&expiring).await).await;
    assert_eq!((code, body["code"].as_str()), (410, Some("share_unusable")));
}
