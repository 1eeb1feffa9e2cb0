//! Retention through real HTTP and a moving clock: the trash purged after
//! 30 days and not a day before, account deletion (at once hidden, purged
//! after the grace period, or cancelled), forensic scans of every byte of
//! the data folder after a purge, import folders never touched, the
//! sweeps, retention rules (dry run equals the real run), and takeout.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::TimeDelta;
use hearth::clock::Clock as _;
use serde_json::{Value, json};

use crate::albums::photo;
use crate::fixtures::{jpeg, jpeg_marked, unzip, zip_dates};
use crate::harness::{Browser, OWNER_PASSWORD, TestServer};
use crate::household::join;

/// Runs every sweep now, as the owner's "Run sweeps now"; returns what
/// each removed.
pub async fn sweep(owner: &Browser) -> Value {
    owner.ok("/api/admin/retention/run", &json!({})).await["removed"].clone()
}

/// Moves the clock `days` forward in steps short enough that `owner`'s
/// session (used at every step) does not end from disuse.
pub async fn pass(server: &TestServer, owner: &Browser, days: i64) {
    let mut left = days;
    while left > 0 {
        let step = left.min(20);
        server.clock.advance(TimeDelta::days(step));
        assert_eq!(owner.get("/api/me").await.status(), 200);
        left -= step;
    }
}

/// Every file under `dir` that contains one of `markers` (as bytes).
pub fn scan(dir: &Path, markers: &[&str]) -> Vec<(String, PathBuf)> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            for marker in markers {
                if bytes
                    .windows(marker.len())
                    .any(|window| window == marker.as_bytes())
                {
                    found.push(((*marker).to_owned(), path.clone()));
                }
            }
        }
    }
    found
}

/// Path → BLAKE3 of every file under `dir`, and the folders.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        for entry in std::fs::read_dir(&folder).unwrap().flatten() {
            let path = entry.path();
            let name = path.strip_prefix(dir).unwrap().display().to_string();
            if path.is_dir() {
                out.insert(name, "folder".to_owned());
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                out.insert(name, blake3::hash(&bytes).to_hex().to_string());
            }
        }
    }
    out
}

async fn upload_marked(browser: &Browser, name: &str, seed: u8, exif: &str, bytes: &str) -> i64 {
    let response = browser
        .upload(&[(name, jpeg_marked(seed, exif, bytes))])
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["files"][0]["asset_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"))
}

/// A new album of `browser`'s holding `ids`; returns its id.
async fn album_of(browser: &Browser, title: &str, ids: &[i64]) -> i64 {
    let album = browser.ok("/api/albums", &json!({ "title": title })).await["album"]["id"]
        .as_i64()
        .unwrap();
    if !ids.is_empty() {
        browser
            .ok(
                &format!("/api/albums/{album}/assets"),
                &json!({ "ids": ids }),
            )
            .await;
    }
    album
}

fn trash_ids(trash: &Value) -> Vec<i64> {
    trash["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["asset"]["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn the_trash_waits_thirty_days_then_a_purge_leaves_nothing_behind() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let markers = [
        "zqxfilenamealpha",
        "zqxcaptionbravo",
        "zqxexifcharlie",
        "zqxbytesdelta",
    ];
    let id = upload_marked(&owner, "zqxfilenamealpha.jpg", 3, markers[2], markers[3]).await;
    let kept = photo(&owner, "kept.jpg", 4, "2024:05:01 10:00:00").await;
    owner
        .patch(
            &format!("/api/assets/{id}"),
            &json!({ "caption": markers[1] }),
        )
        .await;
    server
        .until("the caption to be searchable", || async {
            crate::albums::find(&owner, markers[1]).await.1["total"] == 1
        })
        .await;
    let data = server.data_dir();
    let before = scan(&data, &markers);
    for marker in markers {
        assert!(
            before.iter().any(|(m, _)| m == marker),
            "{marker} is in the data folder before the purge (else this test proves nothing)"
        );
    }

    owner.ok("/api/assets/trash", &json!({ "ids": [id] })).await;
    let trash = owner.json("/api/trash").await;
    assert_eq!(trash["trash_days"], 30);
    assert_eq!(trash_ids(&trash), [id]);
    assert_eq!(trash["items"][0]["in_import_folder"], false);

    server.clock.advance(TimeDelta::days(29));
    assert_eq!(sweep(&owner).await["trash"], 0, "not a day before");
    assert_eq!(trash_ids(&owner.json("/api/trash").await), [id]);
    server
        .clock
        .advance(TimeDelta::days(1) + TimeDelta::minutes(1));
    assert_eq!(sweep(&owner).await["trash"], 1);
    assert!(trash_ids(&owner.json("/api/trash").await).is_empty());
    assert_eq!(owner.get(&format!("/api/assets/{id}")).await.status(), 404);
    assert_eq!(
        sweep(&owner).await["trash"],
        0,
        "a second run removes nothing more"
    );

    let left = scan(&data, &markers);
    assert!(left.is_empty(), "markers left after the purge: {left:?}");
    assert!(!server.state().data_dir().derived(id).exists());
    assert!(server.state().data_dir().derived(kept).exists());
    assert_eq!(
        crate::albums::find(&owner, "kept").await.1["total"],
        1,
        "the other photo is still found"
    );
    let overview = owner.json("/api/admin/retention").await;
    let trash_sweep = overview["sweeps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "trash")
        .unwrap()
        .clone();
    assert_eq!(trash_sweep["total_removed"], 1);
    assert_eq!(overview["history"][0]["removed"]["trash"], 1);
}

#[tokio::test]
async fn the_start_up_sweep_catches_up_on_what_fell_due_while_stopped() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let id = photo(&owner, "old.jpg", 9, "2024:05:01 10:00:00").await;
    // Trashed 31 days ago (the clock moved back for the trashing).
    server.clock.advance(TimeDelta::days(-31));
    owner.ok("/api/assets/trash", &json!({ "ids": [id] })).await;
    let dir = server.stop().await;
    let server = TestServer::start_in(dir).await;
    let owner = server.sign_in("olivia", OWNER_PASSWORD).await;
    server
        .until("the start-up sweep to purge the old trash", || async {
            trash_ids(&owner.json("/api/trash").await).is_empty()
        })
        .await;
    assert!(!server.state().data_dir().derived(id).exists());
}

#[tokio::test]
async fn import_folders_stay_untouched_and_purged_files_do_not_come_back() {
    let outside = tempfile::tempdir().unwrap();
    let root = outside.path().join("photos");
    std::fs::create_dir_all(root.join("2024")).unwrap();
    for seed in 0..3u8 {
        std::fs::write(
            root.join(format!("2024/pic-{seed}.jpg")),
            jpeg(80, 60, 60 + seed, Some("2024:06:01 10:00:00")),
        )
        .unwrap();
    }
    let before = tree(&root);
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, member_id) = join(&server, &owner, "member", "mira").await;
    let added = owner
        .ok(
            "/api/import/roots",
            &json!({ "path": root.display().to_string(), "owner_id": member_id, "visibility": "private", "watch": "events" }),
        )
        .await;
    let root_id = added["id"].as_i64().unwrap();
    server
        .until("the folder's photos", || async {
            member.json("/api/timeline").await["total"] == 3
        })
        .await;
    server.idle().await;
    // Found by their import folder's name, and by the folder below it.
    for query in ["folder:photos", "folder:2024 type:photo"] {
        server
            .until("the folder filter", || async {
                crate::albums::find(&member, query).await.1["total"] == 3
            })
            .await;
    }
    assert_eq!(
        crate::albums::find(&member, "folder:elsewhere").await.1["total"],
        0
    );
    let first = member.json("/api/timeline").await;
    let months = first["months"].as_array().unwrap();
    let month = months[0]["month"].as_str().unwrap();
    let assets = member.json(&format!("/api/timeline/{month}")).await;
    let ids: Vec<i64> = assets["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);

    member
        .ok("/api/assets/trash", &json!({ "ids": [ids[0]] }))
        .await;
    assert_eq!(
        member.json("/api/trash").await["items"][0]["in_import_folder"],
        true
    );
    let emptied = member.ok("/api/trash/empty", &json!({})).await;
    assert_eq!(emptied["purged"], 1);
    assert_eq!(tree(&root), before, "purging touched nothing on the NAS");

    // A rescan finds the file again: its tombstone keeps it out.
    let scan_now = owner
        .post(&format!("/api/import/roots/{root_id}/scan"), &json!({}))
        .await;
    assert_eq!(scan_now.status(), 204);
    server.idle().await;
    assert_eq!(member.json("/api/timeline").await["total"], 2);

    // The member's account is deleted and purged: still nothing touched.
    let requested = member
        .post(
            "/api/me/deletion",
            &json!({ "confirm": "mira", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(requested.status(), 202);
    pass(&server, &owner, 31).await;
    assert_eq!(sweep(&owner).await["accounts"], 1);
    assert_eq!(
        tree(&root),
        before,
        "the account purge touched nothing on the NAS"
    );
}

/// A member with something of theirs everywhere: a photo (marked in its
/// file name, bytes, EXIF and caption), an album of their own (marked
/// title) shared with the owner, and a comment (marked) on the owner's
/// album.
struct Marked {
    server: TestServer,
    owner: Browser,
    member: Browser,
    member_id: i64,
    photo: i64,
    album: i64,
    owners_album: i64,
}

const MARKERS: [&str; 6] = [
    "zqxmemberfile",
    "zqxmemberbytes",
    "zqxmemberexif",
    "zqxmembercaption",
    "zqxmemberalbum",
    "zqxmembercomment",
];

async fn marked_member() -> Marked {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, member_id) = join(&server, &owner, "member", "mira").await;
    let photo = upload_marked(&member, "zqxmemberfile.jpg", 21, MARKERS[2], MARKERS[1]).await;
    member
        .patch(
            &format!("/api/assets/{photo}"),
            &json!({ "caption": MARKERS[3], "visibility": "family" }),
        )
        .await;
    // A phone of theirs backs up a sidecar too (kept as it came, by name).
    let device = member
        .ok(
            "/api/me/devices",
            &json!({ "name": "Mira's phone", "password": OWNER_PASSWORD }),
        )
        .await;
    let sent = crate::harness::client()
        .put(server.url(&format!("/dav/mira/{}.xmp", MARKERS[0])))
        .basic_auth("mira", device["password"].as_str())
        .body(format!("<x:xmpmeta>{}</x:xmpmeta>", MARKERS[1]))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let album = album_of(&member, MARKERS[4], &[photo]).await;
    member
        .ok(
            &format!("/api/albums/{album}/members"),
            &json!({ "username": "olivia", "role": "viewer" }),
        )
        .await;
    let owners_album = album_of(&owner, "Picnic", &[]).await;
    let picnic = photo_of(&owner).await;
    owner
        .ok(
            &format!("/api/albums/{owners_album}/assets"),
            &json!({ "ids": [picnic], "share_private": true }),
        )
        .await;
    owner
        .ok(
            &format!("/api/albums/{owners_album}/members"),
            &json!({ "username": "mira", "role": "contributor" }),
        )
        .await;
    member
        .ok(
            &format!("/api/albums/{owners_album}/comments"),
            &json!({ "body": format!("lovely {}", MARKERS[5]), "asset_id": picnic }),
        )
        .await;
    server
        .until("the comment to be searchable", || async {
            crate::albums::find(&owner, MARKERS[5]).await.1["total"] == 1
        })
        .await;
    Marked {
        server,
        owner,
        member,
        member_id,
        photo,
        album,
        owners_album,
    }
}

async fn photo_of(owner: &Browser) -> i64 {
    photo(owner, "picnic.jpg", 22, "2024:07:01 12:00:00").await
}

/// `browser` asks for the deletion of member `id`'s account.
pub async fn delete_member(browser: &Browser, id: i64, confirm: &str) -> reqwest::Response {
    browser
        .post(
            &format!("/api/household/members/{id}/deletion"),
            &json!({ "confirm": confirm, "password": OWNER_PASSWORD }),
        )
        .await
}

async fn delete_myself(member: &Browser) -> Value {
    let response = member
        .post(
            "/api/me/deletion",
            &json!({ "confirm": "mira", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 202);
    response.json().await.unwrap()
}

#[tokio::test]
async fn a_deleted_account_is_hidden_at_once_and_purged_without_a_trace() {
    let Marked {
        server,
        owner,
        member,
        member_id,
        photo,
        album,
        owners_album,
    } = marked_member().await;
    let data = server.data_dir();
    let before = scan(&data, &MARKERS);
    for marker in MARKERS {
        assert!(
            before.iter().any(|(m, _)| m == marker),
            "{marker} is in the data folder before (else this test proves nothing)"
        );
    }

    // Checks first: the typed confirmation, the password, the owner.
    let wrong = member
        .post(
            "/api/me/deletion",
            &json!({ "confirm": "someone", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(wrong.status(), 400);
    let wrong = member
        .post(
            "/api/me/deletion",
            &json!({ "confirm": "mira", "password": "not the password at all" }),
        )
        .await;
    assert_eq!(wrong.status(), 401);
    let owner_self = owner
        .post(
            "/api/me/deletion",
            &json!({ "confirm": "olivia", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(
        owner_self.status(),
        403,
        "the owner hands over ownership first"
    );

    // An archive of theirs waits to be downloaded: it goes too.
    let started = member.post("/api/me/exports", &json!({})).await;
    assert_eq!(started.status(), 202);
    server
        .until("the member's export to be ready", || async {
            member.json("/api/me/exports").await["exports"][0]["status"] == "ready"
        })
        .await;
    assert!(
        scan(&data.join("exports"), &MARKERS)
            .iter()
            .any(|(m, _)| m == MARKERS[1]),
        "the archive holds the photo's bytes"
    );

    let requested = delete_myself(&member).await;
    assert!(
        requested["cancel_url"]
            .as_str()
            .unwrap()
            .contains("/cancel-deletion?token=")
    );

    // At once: signed out, sign-in refused, everything of theirs hidden.
    assert_eq!(member.get("/api/me").await.status(), 401);
    let signin = server
        .browser()
        .post(
            "/api/auth/password",
            &json!({ "username": "mira", "password": OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(signin.status(), 401);
    assert_eq!(
        owner.get(&format!("/api/assets/{photo}")).await.status(),
        404
    );
    assert_eq!(
        owner.get(&format!("/api/albums/{album}")).await.status(),
        404
    );
    let comments = owner
        .json(&format!("/api/albums/{owners_album}/comments"))
        .await;
    assert_eq!(comments["comments"][0]["author"]["name"], "Deleted account");
    let members = owner.json("/api/household/members").await;
    let pending = members
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == member_id)
        .unwrap()
        .clone();
    assert_eq!(pending["status"], "pending_deletion");
    assert_eq!(pending["deletion"]["requested_by_self"], true);
    let overview = owner.json("/api/admin/retention").await;
    assert_eq!(overview["pending"][0]["display_name"], "mira");
    let told = owner.json("/api/notifications").await;
    let closing: Vec<&Value> = told["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "album_closing")
        .collect();
    assert_eq!(
        closing.len(),
        1,
        "the album's members hear it will go: {told}"
    );
    assert_eq!(closing[0]["album_id"], album);

    // Not a day early.
    server.clock.advance(TimeDelta::days(29));
    assert_eq!(sweep(&owner).await["accounts"], 0);
    server
        .clock
        .advance(TimeDelta::days(1) + TimeDelta::minutes(1));
    assert_eq!(sweep(&owner).await["accounts"], 1);

    let overview = owner.json("/api/admin/retention").await;
    assert!(overview["pending"].as_array().unwrap().is_empty());
    let receipt = &overview["receipts"][0];
    assert_eq!(receipt["role"], "member");
    assert_eq!(receipt["removed"]["photos"], 1);
    assert_eq!(receipt["removed"]["albums"], 1);
    assert_eq!(receipt["removed"]["comments"], 1);
    assert_eq!(receipt["removed"]["exports"], 1);
    assert!(
        !receipt.to_string().contains("mira"),
        "a receipt names nobody: {receipt}"
    );
    let comments = owner
        .json(&format!("/api/albums/{owners_album}/comments"))
        .await;
    assert!(comments["comments"].as_array().unwrap().is_empty());
    let left = scan(&data, &MARKERS);
    assert!(
        left.is_empty(),
        "markers left after the account purge: {left:?}"
    );
    let left = scan(&data, &["mira"]);
    assert!(left.is_empty(), "the username is left: {left:?}");
}

#[tokio::test]
async fn a_deletion_cancelled_within_the_grace_period_restores_everything() {
    let Marked {
        server,
        owner,
        member,
        member_id,
        photo,
        album,
        ..
    } = marked_member().await;
    let requested = delete_myself(&member).await;
    let url = requested["cancel_url"].as_str().unwrap();
    let token = url.split("token=").nth(1).unwrap();

    server.clock.advance(TimeDelta::days(10));
    let anonymous = server.browser();
    let cancelled = anonymous
        .ok("/api/account-deletion/cancel", &json!({ "token": token }))
        .await;
    assert_eq!(cancelled["display_name"], "mira");
    let again = anonymous
        .post("/api/account-deletion/cancel", &json!({ "token": token }))
        .await;
    assert_eq!(again.status(), 410, "the link works once");

    let member = server.sign_in("mira", OWNER_PASSWORD).await;
    assert_eq!(
        member.get(&format!("/api/assets/{photo}")).await.status(),
        200
    );
    assert_eq!(
        owner.get(&format!("/api/assets/{photo}")).await.status(),
        200
    );
    assert_eq!(
        owner.get(&format!("/api/albums/{album}")).await.status(),
        200
    );
    server.clock.advance(TimeDelta::days(21));
    assert_eq!(sweep(&owner).await["accounts"], 0);
    assert_eq!(member.get("/api/me").await.status(), 200);

    // The owner deletes the account, then thinks better of it.
    let (other, _) = join(&server, &owner, "member", "otto").await;
    let (admin, _) = join(&server, &owner, "admin", "ada").await;
    let owner_id = owner.json("/api/me").await["id"].as_i64().unwrap();
    let at_the_owner = delete_member(&admin, owner_id, "olivia").await;
    assert_eq!(at_the_owner.status(), 403, "nobody deletes the owner");
    let refused = delete_member(&other, member_id, "mira").await;
    assert_eq!(refused.status(), 403, "members cannot delete others");
    let by_owner = delete_member(&owner, member_id, "mira").await;
    assert_eq!(by_owner.status(), 202);
    let body: Value = by_owner.json().await.unwrap();
    assert!(
        body.get("cancel_url").is_none(),
        "only the member gets a link"
    );
    assert_eq!(member.get("/api/me").await.status(), 401);
    let undo = owner
        .delete(&format!("/api/household/members/{member_id}/deletion"))
        .await;
    assert_eq!(undo.status(), 204);
    pass(&server, &owner, 31).await;
    assert_eq!(sweep(&owner).await["accounts"], 0);
    assert_eq!(
        owner.get(&format!("/api/assets/{photo}")).await.status(),
        200
    );
}

#[tokio::test]
async fn sweeps_remove_what_expired_on_time() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (_member, _) = join(&server, &owner, "member", "mira").await;
    owner
        .ok("/api/household/invites", &json!({ "role": "member" }))
        .await;
    let album = album_of(&owner, "Party", &[]).await;
    let expires = server.clock.now() + TimeDelta::days(2);
    owner
        .ok(
            &format!("/api/albums/{album}/links"),
            &json!({ "expires_at": expires }),
        )
        .await;
    let revoked = owner
        .ok(&format!("/api/albums/{album}/links"), &json!({}))
        .await["id"]
        .as_i64()
        .unwrap();
    let revoking = owner
        .delete(&format!("/api/albums/{album}/links/{revoked}"))
        .await;
    assert!(revoking.status().is_success());
    let tmp = server.state().data_dir().tmp().join("left-behind.part");
    std::fs::write(&tmp, b"half an upload").unwrap();
    owner.post("/api/notifications/read-all", &json!({})).await;

    // Nothing is due yet.
    let removed = sweep(&owner).await;
    for name in ["tmp", "share_links", "invites", "sessions", "audit"] {
        assert_eq!(removed[name], 0, "{name}");
    }

    // tmp/ after 24 hours (by the clock).
    server.clock.advance(TimeDelta::hours(23));
    assert_eq!(sweep(&owner).await["tmp"], 0);
    server.clock.advance(TimeDelta::hours(2));
    assert_eq!(sweep(&owner).await["tmp"], 1);
    assert!(!tmp.exists());

    // The share link after its expiry; invites after theirs (7 days).
    server.clock.advance(TimeDelta::days(1));
    assert_eq!(sweep(&owner).await["share_links"], 1);
    server.clock.advance(TimeDelta::days(6));
    assert_eq!(
        sweep(&owner).await["invites"],
        2,
        "the used one and the open one"
    );

    // Sessions: 30 days without use (the owner's own session is used by
    // every sweep call, so only the member's ends).
    pass(&server, &owner, 25).await;
    let removed = sweep(&owner).await;
    assert!(removed["sessions"].as_u64().unwrap() >= 1);
    assert_eq!(
        removed["share_links"], 1,
        "the revoked link, listed for 30 days"
    );

    // Read notifications after 90 days; the audit log after 365.
    pass(&server, &owner, 60).await;
    assert!(sweep(&owner).await["notifications"].as_u64().unwrap() >= 1);
    // Sessions end a year after sign-in however much they are used: the
    // owner signs in again.
    server.clock.advance(TimeDelta::days(300));
    let owner = server.sign_in("olivia", OWNER_PASSWORD).await;
    assert!(sweep(&owner).await["audit"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn retention_rules_trash_what_their_dry_run_showed_and_skip_shared_photos() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "mira").await;
    let mut ids = Vec::new();
    for seed in 0..3u8 {
        ids.push(
            photo(
                &member,
                &format!("sale-{seed}.jpg"),
                40 + seed,
                "2024:03:01 10:00:00",
            )
            .await,
        );
    }
    let keep = photo(&member, "other.jpg", 50, "2024:03:01 10:00:00").await;
    album_of(&member, "Garage sale", &ids).await;
    let shared = album_of(&member, "For Olivia", &[ids[2]]).await;
    member
        .ok(
            &format!("/api/albums/{shared}/members"),
            &json!({ "username": "olivia", "role": "viewer" }),
        )
        .await;
    let rule = json!({ "query": "album:\"Garage sale\"", "days": 14 });
    server
        .until("the album to be searchable", || async {
            crate::albums::find(&member, "album:\"Garage sale\"")
                .await
                .1["total"]
                == 3
        })
        .await;

    // Just added: too young.
    let preview = member.ok("/api/retention/preview", &rule).await;
    assert_eq!(preview["count"], 0);
    server.clock.advance(TimeDelta::days(15));
    let preview = member.ok("/api/retention/preview", &rule).await;
    assert_eq!(preview["count"], 2);
    assert_eq!(preview["skipped_shared"], 1);
    let mut shown: Vec<i64> = preview["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["id"].as_i64().unwrap())
        .collect();
    shown.sort_unstable();
    assert_eq!(shown, ids[..2]);

    // Members write rules over their own photos only.
    let library = member
        .post(
            "/api/retention/rules",
            &json!({ "query": "sale", "days": 14, "scope": "library" }),
        )
        .await;
    assert_eq!(library.status(), 403);
    let bad = member
        .post("/api/retention/rules", &json!({ "query": " ", "days": 14 }))
        .await;
    assert_eq!(bad.status(), 400);

    let created = member.post("/api/retention/rules", &rule).await;
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    let removed = sweep(&owner).await;
    assert_eq!(removed["rules"], 2, "the real run equals the dry run");
    assert_eq!(removed["trash"], 0, "rules go through the trash");
    let mut trashed = trash_ids(&member.json("/api/trash").await);
    trashed.sort_unstable();
    assert_eq!(trashed, ids[..2]);
    assert_eq!(
        member
            .get(&format!("/api/assets/{}", ids[2]))
            .await
            .status(),
        200
    );
    assert_eq!(
        member.get(&format!("/api/assets/{keep}")).await.status(),
        200
    );
    let listed = member.json("/api/retention/rules").await;
    assert_eq!(listed["rules"][0]["last_trashed"], 2);

    // Told to include shared photos, the rule takes the third one too.
    let id = created["id"].as_i64().unwrap();
    let changed = member
        .patch(
            &format!("/api/retention/rules/{id}"),
            &json!({ "include_shared": true }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(sweep(&owner).await["rules"], 1);
    // The owner cannot see or change the member's rules.
    assert_eq!(
        owner
            .patch(&format!("/api/retention/rules/{id}"), &json!({ "days": 1 }))
            .await
            .status(),
        404
    );
    // Trashed by a rule, purged 30 days later like anything else.
    pass(&server, &owner, 31).await;
    assert_eq!(sweep(&owner).await["trash"], 3);
}

#[tokio::test]
async fn takeout_holds_everything_expires_and_comes_back_in_a_fresh_hearth() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "mira").await;
    let originals = [
        ("beach.jpg", jpeg(120, 80, 71, Some("2023:08:14 16:20:00"))),
        ("hike.jpg", jpeg(120, 80, 72, Some("2024:02:03 09:00:00"))),
    ];
    let mut ids = Vec::new();
    for (name, bytes) in &originals {
        let response = member.upload(&[(name, bytes.clone())]).await;
        let body: Value = response.json().await.unwrap();
        ids.push(body["files"][0]["asset_id"].as_i64().unwrap());
    }
    member
        .patch(
            &format!("/api/assets/{}", ids[0]),
            &json!({ "caption": "Sandcastle day" }),
        )
        .await;
    let album = album_of(&member, "Holidays", &ids).await;
    member
        .ok(
            &format!("/api/albums/{album}/comments"),
            &json!({ "body": "Best week", "asset_id": ids[0] }),
        )
        .await;

    let estimate = member.json("/api/me/exports").await["estimate"].clone();
    assert_eq!(
        estimate["bytes"],
        originals.iter().map(|(_, b)| b.len()).sum::<usize>()
    );
    assert_eq!(estimate["files"], 2);
    let started = member.post("/api/me/exports", &json!({})).await;
    assert_eq!(started.status(), 202);
    let export: Value = started.json().await.unwrap();
    let id = export["id"].as_i64().unwrap();
    assert_eq!(
        member.post("/api/me/exports", &json!({})).await.status(),
        409,
        "one at a time"
    );
    server
        .until("the export to be ready", || async {
            member.json("/api/me/exports").await["exports"][0]["status"] == "ready"
        })
        .await;
    let told = member.json("/api/notifications").await;
    assert_eq!(told["items"][0]["kind"], "export_ready", "{told}");
    let listed = member.json("/api/me/exports").await;
    let url = listed["exports"][0]["download_url"]
        .as_str()
        .unwrap()
        .to_owned();
    // Nobody else gets it, admins included.
    assert_eq!(owner.get(&url).await.status(), 404);
    let download = member.get(&url).await;
    assert_eq!(download.status(), 200);
    assert!(
        download
            .headers()
            .get("content-disposition")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("hearth-takeout-mira")
    );
    let archive = download.bytes().await.unwrap().to_vec();
    let entries = unzip(&archive);
    assert_eq!(
        entries["2023/08/beach.jpg"], originals[0].1,
        "byte-identical"
    );
    assert_eq!(
        entries["2024/02/hike.jpg"], originals[1].1,
        "byte-identical"
    );
    // Each photo is dated as taken (not 1980), its sidecar too.
    let dates = zip_dates(&archive);
    assert_eq!(dates["2023/08/beach.jpg"], (2023, 8, 14, 16, 20));
    assert_eq!(dates["2023/08/beach.jpg.json"], (2023, 8, 14, 16, 20));
    assert_eq!(dates["2024/02/hike.jpg"], (2024, 2, 3, 9, 0));
    let meta: Value = serde_json::from_slice(&entries["2023/08/beach.jpg.json"]).unwrap();
    assert_eq!(meta["caption"], "Sandcastle day");
    assert_eq!(meta["taken_local"], "2023-08-14T16:20:00");
    assert_eq!(meta["albums"][0], "Holidays");
    let albums: Value = serde_json::from_slice(&entries["albums.json"]).unwrap();
    assert_eq!(albums[0]["title"], "Holidays");
    assert_eq!(albums[0]["files"].as_array().unwrap().len(), 2);
    let comments: Value = serde_json::from_slice(&entries["comments.json"]).unwrap();
    assert_eq!(comments[0]["body"], "Best week");
    assert_eq!(comments[0]["photo"]["file"], "2023/08/beach.jpg");
    let account: Value = serde_json::from_slice(&entries["account.json"]).unwrap();
    assert_eq!(account["profile"]["username"], "mira");
    assert!(!account["security_activity"].as_array().unwrap().is_empty());

    // After 24 hours the archive is gone.
    let file = server.data_dir().join(format!("exports/{id}.zip"));
    assert!(file.exists());
    server.clock.advance(TimeDelta::hours(25));
    assert_eq!(sweep(&owner).await["exports"], 1);
    assert!(!file.exists());
    assert_eq!(member.get(&url).await.status(), 410);
    assert_eq!(
        member.json("/api/me/exports").await["exports"][0]["status"],
        "expired"
    );

    // A fresh Hearth takes the archive back.
    let fresh = TestServer::start().await;
    let fresh_owner = fresh.owner().await;
    let saved = tempfile::tempdir().unwrap();
    let path = saved.path().join("takeout.zip");
    std::fs::write(&path, &archive).unwrap();
    let summary = hearth::library::cli::import(
        fresh.state(),
        &[path],
        None,
        hearth::library::google::import::Options::default(),
    )
    .await
    .unwrap();
    assert!(summary.starts_with("2 imported"), "{summary}");
    let albums = fresh_owner.json("/api/albums").await;
    let restored = albums["owned"][0]["id"].as_i64().unwrap();
    assert_eq!(albums["owned"][0]["title"], "Holidays");
    let in_album = crate::albums::album_ids(&fresh_owner, restored).await;
    assert_eq!(in_album.len(), 2);
    let mut captions = Vec::new();
    for id in in_album {
        let details = fresh_owner.json(&format!("/api/assets/{id}")).await;
        captions.push(details["caption"].as_str().unwrap_or_default().to_owned());
    }
    assert!(
        captions.contains(&"Sandcastle day".to_owned()),
        "{captions:?}"
    );
}
