//! Operating Hearth: backup and restore, the integrity check, health and
//! metrics, automatic backups, and upgrades (a database made by the
//! previous schema version, a newer one refused, a failed migration undone).

use std::path::{Path, PathBuf};

use chrono::TimeDelta;
use hearth::clock::Clock as _;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::fixtures::jpeg;
use crate::harness::{Browser, OWNER_PASSWORD, TestServer, hearth_command, run};
use crate::household::join;
use crate::media::corpus;
use crate::retention::scan;

/// What a member sees of the library, without what a restore remakes
/// (thumbnail versions): ids per month, albums with their photos and
/// comments, the trash, the household.
async fn library(browser: &Browser) -> Value {
    let timeline = browser.json("/api/timeline").await;
    let mut months = Vec::new();
    for month in timeline["months"].as_array().unwrap() {
        let month = month["month"].as_str().unwrap();
        let assets = browser.json(&format!("/api/timeline/{month}")).await["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].clone())
            .collect::<Vec<_>>();
        months.push(json!({ "month": month, "assets": assets }));
    }
    let mut albums = Vec::new();
    let listed = browser.json("/api/albums").await;
    for album in listed["owned"]
        .as_array()
        .unwrap()
        .iter()
        .chain(listed["shared"].as_array().unwrap())
    {
        let id = album["id"].as_i64().unwrap();
        let assets: Vec<Value> = browser.json(&format!("/api/albums/{id}/assets")).await["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["asset"]["id"].clone())
            .collect();
        let comments: Vec<Value> =
            browser.json(&format!("/api/albums/{id}/comments")).await["comments"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| json!([c["id"], c["body"], c["author"]["username"]]))
                .collect();
        albums.push(
            json!({ "id": id, "title": album["title"], "assets": assets, "comments": comments }),
        );
    }
    let trash: Vec<Value> = browser.json("/api/trash").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["asset"]["id"].clone())
        .collect();
    // The household, as the owner sees it.
    let household = browser.get("/api/household/members").await;
    let members: Vec<Value> = if household.status() == 200 {
        let list: Value = household.json().await.unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .map(|m| json!([m["username"], m["role"], m["display_name"]]))
            .collect()
    } else {
        Vec::new()
    };
    json!({ "total": timeline["total"], "months": months, "albums": albums, "trash": trash, "members": members })
}

/// A small household: the owner's photos (one in an album with a member's
/// comment, one trashed), a member's photo.
async fn household(server: &TestServer) -> (Browser, Browser) {
    let owner = server.owner().await;
    let (member, _) = join(server, &owner, "member", "sam").await;
    let mut ids = Vec::new();
    for seed in 0..4 {
        let uploaded = owner
            .upload(&[(
                &format!("family-{seed}.jpg"),
                jpeg(
                    640,
                    480,
                    seed,
                    Some(&format!("2024:07:0{} 10:00:00", seed + 1)),
                ),
            )])
            .await;
        assert_eq!(uploaded.status(), 200);
        let body: Value = uploaded.json().await.unwrap();
        ids.push(body["files"][0]["asset_id"].as_i64().unwrap());
    }
    assert_eq!(
        member
            .upload(&[("sams.jpg", jpeg(800, 600, 9, Some("2023:01:02 03:04:05")))])
            .await
            .status(),
        200
    );
    let album = owner
        .ok("/api/albums", &json!({ "title": "Summer 2024" }))
        .await["album"]["id"]
        .as_i64()
        .unwrap();
    owner
        .ok(
            &format!("/api/albums/{album}/assets"),
            &json!({ "ids": &ids[..2], "share_private": true }),
        )
        .await;
    owner
        .ok(
            &format!("/api/albums/{album}/members"),
            &json!({ "username": "sam", "role": "contributor" }),
        )
        .await;
    member
        .ok(
            &format!("/api/albums/{album}/comments"),
            &json!({ "body": "What a day at the lake!" }),
        )
        .await;
    owner
        .ok("/api/assets/trash", &json!({ "ids": [ids[3]] }))
        .await;
    server.idle().await;
    (owner, member)
}

fn data_arg(dir: &Path) -> [&std::ffi::OsStr; 2] {
    ["--data".as_ref(), dir.as_os_str()]
}

#[tokio::test]
async fn backup_wipe_restore_gives_the_same_library_back() {
    let server = TestServer::start().await;
    let (owner, member) = household(&server).await;
    let before = (library(&owner).await, library(&member).await);
    let data = server.data_dir();
    let work = tempfile::tempdir().unwrap();
    let backup = work.path().join("backup");

    // Online, while the server runs.
    let made = run(hearth_command(work.path())
        .arg("backup")
        .args(data_arg(&data))
        .arg("--to")
        .arg(&backup)
        .arg("--originals"));
    assert_eq!(made.code, Some(0), "{}", made.stderr);
    assert!(
        made.stdout
            .contains("2 members, 5 photos and videos, 1 albums and 1 comments"),
        "{}",
        made.stdout
    );
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(backup.join("manifest.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["format"], "hearth-backup");
    assert_eq!(manifest["originals"]["files"], 5);
    // Not into a folder that has something in it.
    let again = run(hearth_command(work.path())
        .arg("backup")
        .args(data_arg(&data))
        .arg("--to")
        .arg(&backup));
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.contains("is not empty"), "{}", again.stderr);

    let dir = server.stop().await;
    std::fs::remove_dir_all(&data).unwrap();
    std::fs::create_dir(&data).unwrap();
    let restored = run(hearth_command(work.path())
        .arg("restore")
        .args(data_arg(&data))
        .arg("--from")
        .arg(&backup));
    assert_eq!(restored.code, Some(0), "{}", restored.stderr);
    assert!(
        restored.stdout.contains("Uploaded originals: 5 files"),
        "{}",
        restored.stdout
    );
    assert!(
        restored.stdout.contains("makes 5 thumbnails again"),
        "{}",
        restored.stdout
    );
    // Never over a library.
    let twice = run(hearth_command(work.path())
        .arg("restore")
        .args(data_arg(&data))
        .arg("--from")
        .arg(&backup));
    assert_eq!(twice.code, Some(1));
    assert!(twice.stderr.contains("is not empty"), "{}", twice.stderr);

    let server = TestServer::start_in(dir).await;
    server.idle().await;
    let owner = server.sign_in("olivia", OWNER_PASSWORD).await;
    let member = server.sign_in("sam", OWNER_PASSWORD).await;
    assert_eq!((library(&owner).await, library(&member).await), before);
    // Thumbnails are made again, the index rebuilt: search finds the album.
    let asset = before.0["albums"][0]["assets"][0].as_i64().unwrap();
    assert_eq!(
        owner
            .get(&format!("/api/assets/{asset}/thumb"))
            .await
            .status(),
        200
    );
    server
        .until("the restored index finds the album", || async {
            owner
                .json("/api/search?q=album%3A%22Summer%202024%22")
                .await["items"]
                .as_array()
                .is_some_and(|items| items.len() == 2)
        })
        .await;
    // And the restored library is in order.
    let report = owner.ok("/api/admin/check", &json!({})).await;
    assert_eq!(report["clean"], true, "{report}");
    server.stop().await;
}

#[tokio::test]
async fn check_finds_a_removed_thumbnail_and_an_orphan_and_repairs_them() {
    let server = TestServer::start().await;
    let (owner, _) = household(&server).await;
    let data = server.data_dir();
    let work = tempfile::tempdir().unwrap();
    let check = |repair: bool| {
        let mut command = hearth_command(work.path());
        command.arg("check").args(data_arg(&data));
        if repair {
            command.arg("--repair");
        }
        run(&mut command)
    };

    let clean = check(false);
    assert_eq!(clean.code, Some(0), "{}{}", clean.stdout, clean.stderr);
    assert!(
        clean.stdout.contains("Everything is in order"),
        "{}",
        clean.stdout
    );
    assert!(
        clean.stdout.contains("Checked 5 photos and videos"),
        "{}",
        clean.stdout
    );

    // A thumbnail deleted by hand, a folder of a photo that never was.
    let asset = library(&owner).await["albums"][0]["assets"][0]
        .as_i64()
        .unwrap();
    let folder = server.state().data_dir().derived(asset);
    std::fs::remove_file(folder.join("thumb.jpg")).unwrap();
    // A photo purged while its folder came back (a crash between the two).
    let trashed = library(&owner).await["trash"][0].as_i64().unwrap();
    owner.ok("/api/trash/empty", &json!({})).await;
    let orphan = server.state().data_dir().derived(trashed);
    std::fs::create_dir_all(&orphan).unwrap();
    std::fs::write(orphan.join("thumb.jpg"), b"left over").unwrap();

    let found = check(false);
    assert_eq!(found.code, Some(3), "{}{}", found.stdout, found.stderr);
    assert!(
        found.stdout.contains("1 thumbnails missing"),
        "{}",
        found.stdout
    );
    assert!(
        found.stdout.contains(&format!("asset {asset}")),
        "{}",
        found.stdout
    );
    assert!(
        found
            .stdout
            .contains("1 thumbnail folders of deleted photos"),
        "{}",
        found.stdout
    );
    assert!(
        found.stdout.contains("hearth check --repair"),
        "{}",
        found.stdout
    );
    // The owner sees the same in Settings.
    let report = owner.ok("/api/admin/check", &json!({})).await;
    assert_eq!(report["clean"], false);
    let problems: Vec<&str> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["problem"].as_str().unwrap())
        .collect();
    assert_eq!(problems, ["missing_thumbnail", "orphaned_thumbnail"]);

    let repaired = check(true);
    assert_eq!(
        repaired.code,
        Some(4),
        "{}{}",
        repaired.stdout,
        repaired.stderr
    );
    assert!(!orphan.exists());
    // The running server picks up the queued work.
    server
        .until("the thumbnail is made again", || async {
            folder.join("thumb.jpg").is_file()
        })
        .await;
    server.idle().await;
    let report = owner
        .ok("/api/admin/check", &json!({ "repair": true }))
        .await;
    assert_eq!(report["clean"], true, "{report}");
    assert_eq!(check(false).code, Some(0));

    // An index that lost a document while Hearth was stopped (it says it
    // holds the whole change log): found and put back.
    let dir = server.stop().await;
    {
        let index = dir.path().join("data/index");
        let generation =
            hearth::search::Generation::open(&index, &hearth::search::current_name(&index))
                .unwrap();
        let applied = generation.applied().unwrap();
        let mut writer = generation.writer().unwrap();
        writer.delete_term(tantivy::Term::from_field_u64(
            generation.fields.id,
            u64::try_from(asset).unwrap(),
        ));
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload(&format!("seq={applied}"));
        commit.commit().unwrap();
    }
    let server = TestServer::start_in(dir).await;
    let owner = server.sign_in("olivia", OWNER_PASSWORD).await;
    let report = owner
        .ok("/api/admin/check", &json!({ "repair": true }))
        .await;
    assert_eq!(
        report["problems"][0]["problem"], "missing_from_index",
        "{report}"
    );
    assert_eq!(report["problems"][0]["repaired"], 1);
    server
        .until("the document is back", || async {
            owner.ok("/api/admin/check", &json!({})).await["clean"] == true
        })
        .await;
    // Members cannot run it.
    let member = server.sign_in("sam", OWNER_PASSWORD).await;
    assert_eq!(
        member.post("/api/admin/check", &json!({})).await.status(),
        403
    );
    server.stop().await;
}

// Two threads: the server answers while `hearth health` waits for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_command_and_metrics_behind_their_token() {
    const TOKEN: &str = "scrape-0123456789abcdef-xyz";
    let server = TestServer::start_with(|config| config.metrics.token = TOKEN.to_owned()).await;
    let owner = server.owner().await;
    let uploaded: Value = owner
        .upload(&[("one.jpg", jpeg(320, 240, 1, None))])
        .await
        .json()
        .await
        .unwrap();
    // A thumbnail remade by a job, so a job is counted.
    let asset = uploaded["files"][0]["asset_id"].as_i64().unwrap();
    std::fs::remove_file(server.state().data_dir().derived(asset).join("thumb.jpg")).unwrap();
    owner
        .ok("/api/admin/check", &json!({ "repair": true }))
        .await;
    server.idle().await;
    // The search writer commits on its own beat: wait for the document.
    server
        .until("the photo to be indexed", || async {
            owner.json("/api/search").await["total"] == 1
        })
        .await;
    let work = tempfile::tempdir().unwrap();
    let health = run(hearth_command(work.path())
        .arg("health")
        .arg("--listen")
        .arg(server.addr().to_string()));
    assert_eq!(health.code, Some(0), "{}", health.stderr);
    assert!(
        health.stdout.starts_with("healthy: Hearth"),
        "{}",
        health.stdout
    );

    let scrape = |token: Option<&str>| {
        let mut request = server.client.get(server.url("/metrics"));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    assert_eq!(scrape(None).await.unwrap().status(), 401);
    assert_eq!(
        scrape(Some("scrape-0123456789abcdef-xyw"))
            .await
            .unwrap()
            .status(),
        401
    );
    let answer = scrape(Some(TOKEN)).await.unwrap();
    assert_eq!(answer.status(), 200);
    let text = answer.text().await.unwrap();
    for line in [
        "hearth_assets{kind=\"photo\",status=\"active\"} 1",
        "hearth_import_files_total{result=\"imported\"} 1",
        "hearth_jobs_finished_total{kind=\"derive\",outcome=\"ok\"} 1",
        "hearth_http_requests_seconds_count{method=\"POST\",route=\"/api/uploads\",status=\"200\"} 1",
        "hearth_index_documents 1",
        "hearth_sse_connections 0",
        "process_resident_memory_bytes",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    // Ids never become labels: a route is its pattern.
    assert!(!text.contains("route=\"/api/assets/1"), "{text}");
    let addr = server.addr();
    server.stop().await;

    let down = run(hearth_command(work.path())
        .arg("health")
        .arg("--listen")
        .arg(addr.to_string()));
    assert_eq!(down.code, Some(1));
    assert!(down.stderr.contains("does not answer"), "{}", down.stderr);

    // Without a token, there are no metrics at all.
    let server = TestServer::start().await;
    assert_eq!(server.get("/metrics").await.status(), 404);
    server.stop().await;
}

fn backups(server: &TestServer) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(server.state().data_dir().backups())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn automatic_backups_follow_the_clock_and_keep_the_newest() {
    let server = TestServer::start_with(|config| config.backup.keep = 2).await;
    let owner = server.owner().await;
    // The first round of the scheduler, at start, makes the first one.
    server
        .until("the first automatic backup", || async {
            backups(&server).len() == 1
        })
        .await;
    let listed = owner.json("/api/admin/backups").await;
    assert_eq!(listed["every_hours"], 24);
    assert_eq!(listed["backups"][0]["kind"], "scheduled");
    let first = backups(&server)[0].clone();

    // Not due yet: nothing; a day later: one; the oldest beyond 2 go.
    assert!(
        hearth::backup::scheduled(server.state(), server.clock.now())
            .await
            .unwrap()
            .is_none()
    );
    for day in 1..=2 {
        server.clock.advance(TimeDelta::hours(24));
        let made = hearth::backup::scheduled(server.state(), server.clock.now())
            .await
            .unwrap();
        assert!(made.is_some(), "day {day}");
    }
    let kept = backups(&server);
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(!kept.contains(&first));

    // "Back up now", and what it made is a database that opens.
    let made = owner.post("/api/admin/backups", &json!({})).await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    let path = server
        .state()
        .data_dir()
        .backups()
        .join(made["name"].as_str().unwrap());
    let copy = hearth::db::open(&path).await.unwrap();
    let users = copy
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT COUNT(*) AS n FROM users",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(users.try_get::<i64>("", "n").unwrap(), 1);
    let member = join(&server, &owner, "member", "sam").await.0;
    assert_eq!(member.get("/api/admin/backups").await.status(), 403);
    server.stop().await;
}

/// The fixture made by Hearth with the previous schema (5 migrations):
/// its database and the facts it holds (tests/fixtures/upgrade).
pub fn fixture() -> (PathBuf, Value) {
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/upgrade/v5"
    ));
    let expected =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    (dir, expected)
}

/// A data folder holding the fixture: its database, and its uploaded
/// originals copied back from the corpus.
fn fixture_data(into: &Path) -> Value {
    let (dir, expected) = fixture();
    let data = into.join("data");
    std::fs::create_dir_all(data.join("media/originals")).unwrap();
    std::fs::copy(dir.join("hearth.db"), data.join("hearth.db")).unwrap();
    for asset in expected["assets"].as_array().unwrap() {
        let dest = data
            .join("media/originals")
            .join(asset["location"].as_str().unwrap());
        std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
        std::fs::copy(corpus().join(asset["corpus_path"].as_str().unwrap()), &dest).unwrap();
    }
    expected
}

#[tokio::test]
async fn a_library_from_the_previous_schema_upgrades_with_everything_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let expected = fixture_data(dir.path());
    // Its dates are those of the day it was made: nothing may expire here.
    let server = TestServer::start_in_with(dir, |config| {
        config.retention.trash_days = u16::MAX;
        config.retention.audit_days = u16::MAX;
    })
    .await;
    let snapshots: Vec<String> = backups(&server)
        .into_iter()
        // (A sweep forgetting purged rows in backups may have one open:
        // its -wal and -shm come and go.)
        .filter(|name| {
            name.starts_with("before-migration-")
                && std::path::Path::new(name)
                    .extension()
                    .is_some_and(|e| e == "db")
        })
        .collect();
    assert_eq!(
        snapshots.len(),
        1,
        "a snapshot before migrating: {snapshots:?}"
    );

    let users = expected["users"].as_array().unwrap();
    let owner = server
        .sign_in("olivia", users[0]["password"].as_str().unwrap())
        .await;
    let member = server
        .sign_in("sam", users[1]["password"].as_str().unwrap())
        .await;
    let me = owner.json("/api/me").await;
    assert_eq!(me["display_name"], "Olivia");
    assert_eq!(me["role"], "owner");

    let of = |owner: &str, status: &str| -> Vec<i64> {
        expected["assets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["owner"] == owner && a["status"] == status)
            .map(|a| a["id"].as_i64().unwrap())
            .collect()
    };
    let seen = library(&owner).await;
    let mut timeline: Vec<i64> = seen["months"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| {
            m["assets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_i64().unwrap())
        })
        .collect();
    timeline.sort_unstable();
    // Olivia's own, and the member's photos are private to him.
    assert_eq!(timeline, of("olivia", "active"));
    assert_eq!(seen["trash"], json!(of("olivia", "trashed")));
    let album = &expected["albums"][0];
    assert_eq!(seen["albums"][0]["title"], album["title"]);
    assert_eq!(seen["albums"][0]["assets"].as_array().unwrap().len(), 3);
    let mut in_album: Vec<i64> = seen["albums"][0]["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_i64().unwrap())
        .collect();
    in_album.sort_unstable();
    assert_eq!(json!(in_album), album["asset_ids"]);
    assert_eq!(
        seen["albums"][0]["comments"][0][1],
        album["comments"][0]["body"]
    );
    assert_eq!(seen["albums"][0]["comments"][0][2], "sam");
    let caption = &expected["caption"];
    let details = owner
        .json(&format!("/api/assets/{}", caption["asset_id"]))
        .await;
    assert_eq!(details["caption"], caption["text"]);
    let hearts = member
        .json(&format!(
            "/api/albums/{}/comments?asset={}",
            album["id"], album["hearts"][0]["asset_id"]
        ))
        .await;
    assert_eq!(hearts["hearts"].as_array().unwrap().len(), 1, "{hearts}");
    let theirs = library(&member).await;
    assert_eq!(theirs["total"], of("sam", "active").len());
    let favourite = member
        .json(&format!(
            "/api/assets/{}",
            expected["favourite"]["asset_id"]
        ))
        .await;
    assert_eq!(favourite["favourite"], true);

    // The fixture leaves thumbnails out: the check finds exactly that (and,
    // when it runs before the index the upgrade rebuilds in the background
    // has them, documents missing from it), the repair makes them from the
    // originals, and then everything checks clean.
    server.idle().await;
    let report = owner
        .ok("/api/admin/check", &json!({ "repair": true }))
        .await;
    let problems = report["problems"].as_array().unwrap();
    let thumbnails = problems
        .iter()
        .find(|p| p["problem"] == "missing_thumbnail")
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(
        (
            thumbnails["count"].as_u64(),
            thumbnails["repaired"].as_u64()
        ),
        (Some(7), Some(7))
    );
    for other in problems
        .iter()
        .filter(|p| p["problem"] != "missing_thumbnail")
    {
        assert_eq!(other["problem"], "missing_from_index", "{report}");
        assert_eq!(other["repaired"], other["count"], "{report}");
    }
    server.idle().await;
    server
        .until("the library to check clean", || async {
            owner.ok("/api/admin/check", &json!({})).await["clean"] == true
        })
        .await;
    server.stop().await;
}

/// The fixture's data folder in `dir`, its database changed by `sql` (one
/// or more statements).
pub async fn fixture_changed(dir: &Path, sql: &str) -> PathBuf {
    fixture_data(dir);
    let data = dir.join("data");
    let db = hearth::db::open(&data.join("hearth.db")).await.unwrap();
    db.execute_unprepared(sql).await.unwrap();
    db.close().await.unwrap();
    data
}

/// One number from the data folder's database.
pub async fn count(data: &Path, sql: &str) -> i64 {
    let db = hearth::db::open(&data.join("hearth.db")).await.unwrap();
    let n = db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<i64>(0)
        .unwrap();
    db.close().await.unwrap();
    n
}

#[tokio::test]
async fn a_database_from_a_newer_hearth_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let data = fixture_changed(
        dir.path(),
        "INSERT INTO seaql_migrations (version, applied_at) VALUES ('m29991231_000001_from_the_future', 0)",
    )
    .await;
    let refused = run(hearth_command(dir.path())
        .arg("serve")
        .args(data_arg(&data))
        .args(["--listen", "127.0.0.1:0"]));
    assert_eq!(refused.code, Some(1));
    assert!(
        refused
            .stderr
            .contains("written by a newer version of Hearth")
            && refused.stderr.contains("m29991231_000001_from_the_future"),
        "{}",
        refused.stderr
    );
    // Nothing was migrated or snapshotted.
    assert_eq!(
        count(&data, "SELECT COUNT(*) FROM seaql_migrations").await,
        6,
        "the five it had and the future one"
    );
    assert!(std::fs::read_dir(data.join("backups")).is_ok_and(|mut d| d.next().is_none()));
}

#[tokio::test]
async fn a_failed_migration_puts_the_database_back() {
    let dir = tempfile::tempdir().unwrap();
    // Something in the way of the next migration (a table it creates).
    let data = fixture_changed(dir.path(), "CREATE TABLE exports (in_the_way INTEGER)").await;
    let migrated = run(hearth_command(dir.path())
        .arg("migrate")
        .args(data_arg(&data)));
    assert_eq!(migrated.code, Some(1), "{}", migrated.stdout);
    assert!(
        migrated.stderr.contains("database migration failed")
            && migrated
                .stderr
                .contains("put back as it was before the upgrade"),
        "{}",
        migrated.stderr
    );
    // As before: five migrations, none of the sixth's tables, every photo.
    assert_eq!(
        count(&data, "SELECT COUNT(*) FROM seaql_migrations").await,
        5
    );
    assert_eq!(
        count(
            &data,
            "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('account_deletions', 'tombstones', 'retention_rules')"
        )
        .await,
        0
    );
    assert_eq!(count(&data, "SELECT COUNT(*) FROM assets").await, 7);
    let snapshots = std::fs::read_dir(data.join("backups")).unwrap().count();
    assert_eq!(snapshots, 1, "the snapshot stays for the owner");
}

#[tokio::test]
async fn a_purged_photo_leaves_the_backups_too() {
    const MARKER: &str = "caption-only-in-the-purged-photo-5821";
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let mut ids = Vec::new();
    for seed in [1, 2] {
        let uploaded: Value = owner
            .upload(&[(&format!("{seed}.jpg"), jpeg(320, 240, seed, None))])
            .await
            .json()
            .await
            .unwrap();
        ids.push(uploaded["files"][0]["asset_id"].as_i64().unwrap());
    }
    assert_eq!(
        owner
            .patch(
                &format!("/api/assets/{}", ids[0]),
                &json!({ "caption": MARKER })
            )
            .await
            .status(),
        200
    );
    let made = owner.post("/api/admin/backups", &json!({})).await;
    assert_eq!(made.status(), 201);
    let made: Value = made.json().await.unwrap();
    let backups = server.state().data_dir().backups();
    assert!(!scan(&backups, &[MARKER]).is_empty(), "the backup holds it");
    // A backup that cannot be opened cannot forget: it goes.
    let damaged = backups.join("hearth-20000101T000000Z.db");
    std::fs::write(
        &damaged,
        [b"not a database ".as_slice(), MARKER.as_bytes()].concat(),
    )
    .unwrap();

    owner
        .ok("/api/assets/trash", &json!({ "ids": [ids[0]] }))
        .await;
    owner.ok("/api/trash/empty", &json!({})).await;
    assert_eq!(
        scan(&backups, &[MARKER]),
        vec![],
        "no byte of it in any backup"
    );
    assert!(!damaged.exists());
    // What lives is still there: the backup restores the other photo.
    let db = hearth::db::open(&backups.join(made["name"].as_str().unwrap()))
        .await
        .unwrap();
    let left: Vec<i64> = db
        .query_all_raw(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT id FROM assets",
        ))
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.try_get_by_index(0).unwrap())
        .collect();
    db.close().await.unwrap();
    assert_eq!(left, [ids[1]]);
    server.stop().await;
}

#[tokio::test]
async fn a_purged_account_leaves_the_backups_too() {
    const NAME: &str = "zebulonmarker";
    let server = TestServer::start_with(|config| config.retention.account_grace_days = 0).await;
    let owner = server.owner().await;
    let (member, id) = join(&server, &owner, "member", NAME).await;
    assert_eq!(
        member
            .upload(&[("mine.jpg", jpeg(320, 240, 3, None))])
            .await
            .status(),
        200
    );
    // A failed sign-in names the account in the audit log.
    let stranger = server.browser();
    let failed = stranger
        .post(
            "/api/auth/password",
            &json!({ "username": NAME, "password": "not the password at all" }),
        )
        .await;
    assert_eq!(failed.status(), 401);
    assert_eq!(
        owner.post("/api/admin/backups", &json!({})).await.status(),
        201
    );
    let backups = server.state().data_dir().backups();
    assert!(
        !scan(&backups, &[NAME]).is_empty(),
        "the backup holds the member"
    );

    assert_eq!(
        crate::retention::delete_member(&owner, id, NAME)
            .await
            .status(),
        202
    );
    owner.ok("/api/admin/retention/run", &json!({})).await;
    assert_eq!(
        scan(&backups, &[NAME]),
        vec![],
        "no byte of the account in any backup"
    );
    server.stop().await;
}

#[test]
fn a_damaged_or_incomplete_backup_is_refused_and_leaves_the_folder_empty() {
    let work = tempfile::tempdir().unwrap();
    let backup = work.path().join("backup");
    let data = work.path().join("data");
    std::fs::create_dir_all(&backup).unwrap();
    std::fs::write(backup.join("hearth.db"), b"not a database at all").unwrap();
    let restore = || {
        run(hearth_command(work.path())
            .arg("restore")
            .args(data_arg(&data))
            .arg("--from")
            .arg(&backup))
    };

    // Interrupted before its manifest: not a backup.
    let incomplete = restore();
    assert_eq!(incomplete.code, Some(1));
    assert!(
        incomplete
            .stderr
            .contains("is not a complete Hearth backup"),
        "{}",
        incomplete.stderr
    );
    assert!(!data.exists());

    // A manifest, but a database that is not one.
    std::fs::write(
        backup.join("manifest.json"),
        r#"{"format":"hearth-backup","hearth_version":"0.1.0","created_at":"2026-11-22T00:00:00Z","migrations":[],"originals":null,"config_file":false}"#,
    )
    .unwrap();
    let damaged = restore();
    assert_eq!(damaged.code, Some(1), "{}", damaged.stdout);
    assert!(!damaged.stderr.is_empty());
    let left: Vec<_> = std::fs::read_dir(&data).unwrap().collect();
    assert!(left.is_empty(), "the data folder is empty again: {left:?}");
}
