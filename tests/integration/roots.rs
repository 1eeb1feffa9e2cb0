//! Import folders: watched with real file events (and polled), read only
//! once a file has settled, renames and moves keep the asset, deletions make
//! it offline, an unmounted folder trashes nothing — and Hearth never writes
//! inside.

use std::path::{Path, PathBuf};

use hearth::config::{RootConfig, WatchMode};
use hearth::db::entities::{asset, asset_file, import_root};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::fixtures::jpeg;
use crate::harness::TestServer;

/// A server whose owner has `root` as an import folder in `mode`.
async fn with_root(root: &Path, mode: WatchMode) -> TestServer {
    let path = root.to_path_buf();
    let server = TestServer::start_with(move |config| {
        config.library.roots = vec![RootConfig {
            path,
            watch: mode,
            poll_minutes: 1,
            exclude: vec!["*.tmp".to_owned(), "private/**".to_owned()],
            ..RootConfig::default()
        }];
    })
    .await;
    server.owner().await;
    // The root is synced once its owner exists.
    server
        .until("the import folder to be known", || async {
            roots(&server)
                .await
                .first()
                .is_some_and(|r| r.last_scan_at.is_some())
        })
        .await;
    server
}

async fn roots(server: &TestServer) -> Vec<import_root::Model> {
    import_root::Entity::find()
        .all(server.state().db())
        .await
        .unwrap()
}

async fn assets(server: &TestServer) -> Vec<asset::Model> {
    asset::Entity::find()
        .all(server.state().db())
        .await
        .unwrap()
}

async fn files(server: &TestServer) -> Vec<asset_file::Model> {
    asset_file::Entity::find()
        .all(server.state().db())
        .await
        .unwrap()
}

/// Every file under `dir` with its bytes, to prove nothing was written.
fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found: Vec<(PathBuf, Vec<u8>)> = walkdir(dir)
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    found.sort();
    found
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.file_type().unwrap().is_dir() {
            found.extend(walkdir(&entry.path()));
        } else {
            found.push(entry.path());
        }
    }
    found
}

#[tokio::test]
async fn a_watched_folder_follows_the_files_in_it() {
    let outside = tempfile::tempdir().unwrap();
    let root = outside.path().join("photos");
    std::fs::create_dir_all(root.join("2019")).unwrap();
    let server = with_root(&root, WatchMode::Events).await;

    // A new file is imported once it has settled.
    let first = jpeg(640, 480, 1, Some("2019:07:04 12:00:00"));
    std::fs::write(root.join("2019/beach.jpg"), &first).unwrap();
    server
        .until("beach.jpg to be imported", || async {
            assets(&server).await.len() == 1
        })
        .await;
    let id = assets(&server).await[0].id;

    // A slow copy: half the file, then the rest. Imported once, complete.
    let second = jpeg(800, 600, 2, Some("2020:01:01 09:00:00"));
    let half = second.len() / 2;
    std::fs::write(root.join("slow.jpg"), &second[..half]).unwrap();
    let db = server.state().db().clone();
    for _ in 0..100 {
        let queued = hearth::db::entities::job::Entity::find()
            .filter(hearth::db::entities::job::Column::Key.contains("slow.jpg"))
            .one(&db)
            .await
            .unwrap();
        if queued.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // The rest arrives before the settle period has passed.
    std::fs::write(root.join("slow.jpg"), &second).unwrap();
    server
        .until("slow.jpg to be imported", || async {
            assets(&server).await.len() == 2
        })
        .await;
    server.idle().await;
    let all = assets(&server).await;
    assert_eq!(all.len(), 2, "imported once");
    let expected = blake3::hash(&second).to_hex().to_string();
    assert!(all.iter().any(|a| a.hash == expected), "the complete file");
    let failures = hearth::db::entities::import_failure::Entity::find()
        .all(&db)
        .await
        .unwrap();
    assert!(failures.is_empty(), "{failures:?}");

    // Excluded: NAS litter, hidden files, the root's own globs.
    std::fs::create_dir_all(root.join("@eaDir")).unwrap();
    std::fs::write(root.join("@eaDir/beach.jpg"), jpeg(64, 64, 3, None)).unwrap();
    std::fs::write(root.join(".hidden.jpg"), jpeg(64, 64, 4, None)).unwrap();
    std::fs::write(root.join("upload.tmp"), jpeg(64, 64, 5, None)).unwrap();
    std::fs::create_dir_all(root.join("private/deep")).unwrap();
    std::fs::write(root.join("private/deep/x.jpg"), jpeg(64, 64, 6, None)).unwrap();

    // Renamed, then moved to another folder: the same asset.
    std::fs::rename(root.join("2019/beach.jpg"), root.join("2019/fireworks.jpg")).unwrap();
    server
        .until("the rename to be seen", || async {
            files(&server)
                .await
                .iter()
                .any(|f| f.path == "2019/fireworks.jpg" && f.present)
        })
        .await;
    std::fs::create_dir_all(root.join("best")).unwrap();
    std::fs::rename(
        root.join("2019/fireworks.jpg"),
        root.join("best/fireworks.jpg"),
    )
    .unwrap();
    server
        .until("the move to be seen", || async {
            let files = files(&server).await;
            files
                .iter()
                .any(|f| f.path == "best/fireworks.jpg" && f.present)
                && files
                    .iter()
                    .filter(|f| f.asset_id == id)
                    .all(|f| f.path == "best/fireworks.jpg" || !f.present)
        })
        .await;
    server.idle().await;
    let all = assets(&server).await;
    assert_eq!(all.len(), 2, "nothing excluded came in: {all:?}");
    let moved = all.iter().find(|a| a.id == id).unwrap();
    assert_eq!(moved.status, "active");

    // Deleted: offline (hidden, kept). Back: online, same asset.
    let before = snapshot(&root);
    std::fs::remove_file(root.join("best/fireworks.jpg")).unwrap();
    server
        .until("the deleted file's asset to go offline", || async {
            assets(&server)
                .await
                .iter()
                .any(|a| a.id == id && a.status == "offline")
        })
        .await;
    std::fs::write(root.join("best/fireworks.jpg"), &first).unwrap();
    server
        .until("the returning file's asset to come back", || async {
            assets(&server)
                .await
                .iter()
                .any(|a| a.id == id && a.status == "active")
        })
        .await;

    // Hearth wrote nothing in the folder.
    let after = snapshot(&root);
    assert_eq!(before.len(), after.len());
    server.stop().await;
}

#[tokio::test]
async fn an_unmounted_folder_goes_offline_and_nothing_is_trashed() {
    let outside = tempfile::tempdir().unwrap();
    let root = outside.path().join("share");
    std::fs::create_dir_all(&root).unwrap();
    for n in 0..3 {
        std::fs::write(root.join(format!("{n}.jpg")), jpeg(120, 90, n, None)).unwrap();
    }
    let server = with_root(&root, WatchMode::Events).await;
    server
        .until("three photos", || async {
            assets(&server).await.len() == 3
        })
        .await;

    // The share disappears (unmounted): the root goes offline, photos stay.
    let away = outside.path().join("share-unmounted");
    std::fs::rename(&root, &away).unwrap();
    server.clock.advance(chrono::TimeDelta::hours(25));
    server
        .until("the folder to be offline", || async {
            roots(&server).await[0].status == "offline"
        })
        .await;
    let all = assets(&server).await;
    assert!(all.iter().all(|a| a.status == "active"), "{all:?}");
    assert!(roots(&server).await[0].offline_reason.is_some());

    // Mounted again: online, the same three photos.
    std::fs::rename(&away, &root).unwrap();
    server.clock.advance(chrono::TimeDelta::minutes(2));
    server
        .until("the folder to be online", || async {
            roots(&server).await[0].status == "online"
        })
        .await;
    server.idle().await;
    assert_eq!(assets(&server).await.len(), 3);

    // Emptied while Hearth was stopped (a share that mounted empty):
    // offline on start, nothing trashed or made offline.
    let dir = server.stop().await;
    for n in 0..3 {
        std::fs::rename(root.join(format!("{n}.jpg")), away_file(outside.path(), n)).unwrap();
    }
    let path = root.clone();
    let server = TestServer::start_in_with(dir, move |config| {
        config.library.roots = vec![RootConfig {
            path,
            ..RootConfig::default()
        }];
    })
    .await;
    server
        .until("the empty folder to be offline", || async {
            roots(&server).await[0].status == "offline"
        })
        .await;
    assert!(assets(&server).await.iter().all(|a| a.status == "active"));
    server.stop().await;
}

fn away_file(dir: &Path, n: u8) -> PathBuf {
    dir.join(format!("kept-{n}.jpg"))
}

#[tokio::test]
async fn a_polled_folder_is_looked_at_on_schedule() {
    let outside = tempfile::tempdir().unwrap();
    let root = outside.path().join("nfs");
    std::fs::create_dir_all(&root).unwrap();
    let server = with_root(&root, WatchMode::Poll).await;
    std::fs::write(root.join("a.jpg"), jpeg(100, 100, 7, None)).unwrap();
    // No events in poll mode: nothing before the next look.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(assets(&server).await.is_empty());
    server.clock.advance(chrono::TimeDelta::minutes(1));
    server
        .until("the polled file to be imported", || async {
            assets(&server).await.len() == 1
        })
        .await;
    server.stop().await;
}

#[tokio::test]
async fn owners_manage_import_folders_through_the_api() {
    let outside = tempfile::tempdir().unwrap();
    let configured = outside.path().join("configured");
    let path = configured.clone();
    let server = TestServer::start_with(move |config| {
        config.library.roots = vec![RootConfig {
            path,
            ..RootConfig::default()
        }];
    })
    .await;
    let owner = server.owner().await;
    server
        .until("the configured folder to be known", || async {
            roots(&server).await.len() == 1
        })
        .await;

    // Refused: relative, missing, Hearth's own data, overlapping another.
    std::fs::create_dir_all(configured.join("inner")).unwrap();
    let data = server.data_dir().display().to_string();
    let inner = configured.join("inner").display().to_string();
    for (path, status, code) in [
        ("photos/family", 400, "invalid_request"),
        ("/no/such/folder", 400, "invalid_request"),
        (data.as_str(), 400, "invalid_request"),
        (inner.as_str(), 409, "conflict"),
        ("/etc", 400, "invalid_request"),
        ("/proc/self/root", 400, "invalid_request"),
        ("/usr/share", 400, "invalid_request"),
        ("/", 400, "invalid_request"),
        ("/tmp/../etc", 400, "invalid_request"),
    ] {
        let response = owner
            .post(
                "/api/import/roots",
                &serde_json::json!({ "path": path, "visibility": "family", "watch": "events" }),
            )
            .await;
        assert_eq!(response.status(), status, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], code, "{path}");
    }
    // An admin may add folders too, but learns nothing of what exists on
    // the server from a refusal: every one reads the same.
    let (admin, _) = crate::household::join(&server, &owner, "admin", "alex").await;
    let mut answers = std::collections::BTreeSet::new();
    for path in [
        "/no/such/folder",
        "/etc",
        "/root",
        data.as_str(),
        "/proc/1/cwd",
    ] {
        let response = admin
            .post(
                "/api/import/roots",
                &serde_json::json!({ "path": path, "visibility": "family", "watch": "events" }),
            )
            .await;
        assert_eq!(response.status(), 400, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        answers.insert(body["message"].as_str().unwrap().to_owned());
    }
    assert_eq!(answers.len(), 1, "{answers:?}");

    // Added: scanned at once, its photos shared with the family.
    let family = outside.path().join("family");
    std::fs::create_dir_all(&family).unwrap();
    std::fs::write(family.join("a.jpg"), jpeg(90, 60, 40, None)).unwrap();
    let added = owner
        .ok(
            "/api/import/roots",
            &serde_json::json!({ "path": family.display().to_string(), "visibility": "family", "watch": "events" }),
        )
        .await;
    let id = added["id"].as_i64().unwrap();
    assert_eq!(added["source"], "api");
    server
        .until("the added folder's photo", || async {
            assets(&server)
                .await
                .iter()
                .any(|a| a.visibility == "family")
        })
        .await;
    let listed = owner.json("/api/import/roots").await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
    let config_id = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == "config")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    // hearth.toml's folder changes there; the added one changes here.
    let response = owner
        .patch(
            &format!("/api/import/roots/{config_id}"),
            &serde_json::json!({ "watch": "poll" }),
        )
        .await;
    assert_eq!(response.status(), 409);
    let response = owner
        .patch(
            &format!("/api/import/roots/{id}"),
            &serde_json::json!({ "watch": "poll", "poll_minutes": 0 }),
        )
        .await;
    assert_eq!(response.status(), 400, "poll_minutes 0");
    let response = owner
        .patch(
            &format!("/api/import/roots/{id}"),
            &serde_json::json!({ "watch": "poll", "poll_minutes": 30 }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let edited: serde_json::Value = response.json().await.unwrap();
    assert_eq!(
        (edited["watch"].as_str(), edited["poll_minutes"].as_i64()),
        (Some("poll"), Some(30))
    );
    scan_now(&owner, id).await;

    // The queue's status, with nothing given up.
    server.idle().await;
    let jobs = owner.json("/api/jobs").await;
    assert_eq!(
        (jobs["workers"].as_u64(), jobs["failed"].as_u64()),
        (Some(2), Some(0))
    );

    // Removed with files still waiting to settle: its photos leave the
    // library, the files stay on disk, and its queued work ends quietly.
    for seed in 41..44u8 {
        std::fs::write(
            family.join(format!("new-{seed}.jpg")),
            jpeg(90, 60, seed, None),
        )
        .unwrap();
    }
    scan_now(&owner, id).await;
    // (The clock stands still: they wait for their settle period.)
    let mut waiting = 0;
    for _ in 0..200 {
        waiting = owner.json("/api/jobs").await["queued"]
            .as_u64()
            .unwrap_or(0);
        if waiting >= 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(waiting, 3, "the new files wait in the queue");
    assert_eq!(
        owner
            .delete(&format!("/api/import/roots/{id}"))
            .await
            .status(),
        204
    );
    server.settle();
    server.idle().await;
    assert!(assets(&server).await.is_empty());
    assert!(family.join("a.jpg").is_file());
    let jobs = owner.json("/api/jobs").await;
    assert_eq!(jobs["failed"].as_u64(), Some(0), "{jobs}");
    assert_eq!(
        owner
            .delete(&format!("/api/import/roots/{config_id}"))
            .await
            .status(),
        409
    );
    server.stop().await;
}

/// Asks for a scan of import folder `id` now.
async fn scan_now(owner: &crate::harness::Browser, id: i64) {
    let path = format!("/api/import/roots/{id}/scan");
    let response = owner.post(&path, &serde_json::json!({})).await;
    assert_eq!(response.status(), 204);
}
