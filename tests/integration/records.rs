//! Honest records: a video that can have no poster frame says why and is
//! not a problem for the check; an import folder's scan counts what it
//! skipped; reasons are short sentences.

use hearth::config::{RootConfig, WatchMode};
use serde_json::{Value, json};

use crate::fixtures::jpeg;
use crate::harness::TestServer;

/// An MP4 whose movie box is missing: its container is recognised, but no
/// frame of it can be read.
fn broken_mp4() -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&20u32.to_be_bytes());
    out.extend_from_slice(b"ftypisom\0\0\x02\0isom");
    let garbage: Vec<u8> = (0..4000u32).map(|i| (i * 37 % 251) as u8).collect();
    out.extend_from_slice(&u32::try_from(garbage.len() + 8).unwrap().to_be_bytes());
    out.extend_from_slice(b"mdat");
    out.extend_from_slice(&garbage);
    out
}

#[tokio::test]
async fn a_video_without_a_poster_says_why_and_the_check_stays_clean() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let response = owner.upload(&[("broken.mp4", broken_mp4())]).await;
    let body: Value = response.json().await.unwrap();
    let file = &body["files"][0];
    assert_eq!(file["status"], "imported", "{file}");
    let id = file["asset_id"].as_i64().unwrap();
    let details = owner.json(&format!("/api/assets/{id}")).await;
    assert_eq!(details["kind"], "video");
    let why = details["no_poster"].as_str().unwrap_or_default();
    assert!(why.starts_with("ffmpeg could not read it"), "{details}");
    assert!(why.chars().count() <= 241, "{why}");

    server.idle().await;
    let report = owner.ok("/api/admin/check", &json!({})).await;
    assert_eq!(report["clean"], true, "{report}");
    assert_eq!(report["without_poster"], 1, "{report}");
    server.stop().await;
}

#[tokio::test]
async fn an_import_folders_scan_counts_what_it_skipped() {
    let outside = tempfile::tempdir().unwrap();
    let root = outside.path().join("photos");
    for folder in [".thumbnails", "@eaDir", "2024"] {
        std::fs::create_dir_all(root.join(folder)).unwrap();
    }
    std::fs::write(root.join("2024/beach.jpg"), jpeg(64, 48, 1, None)).unwrap();
    std::fs::write(root.join(".hidden.jpg"), jpeg(64, 48, 2, None)).unwrap();
    std::fs::write(root.join(".thumbnails/a.jpg"), jpeg(64, 48, 3, None)).unwrap();
    std::fs::write(root.join("@eaDir/b.jpg"), jpeg(64, 48, 4, None)).unwrap();
    std::fs::write(root.join("Thumbs.db"), b"cache").unwrap();
    let path = root.clone();
    let server = TestServer::start_with(move |config| {
        config.library.roots = vec![RootConfig {
            path,
            watch: WatchMode::Poll,
            ..RootConfig::default()
        }];
    })
    .await;
    let owner = server.owner().await;
    server
        .until("the folder to be scanned", || async {
            owner.json("/api/import/roots").await[0]["last_scan_at"].is_string()
        })
        .await;
    server.idle().await;
    let listed = owner.json("/api/import/roots").await;
    let folder = &listed[0];
    assert_eq!(folder["files"], 1, "{folder}");
    // A hidden file and a hidden folder; an excluded folder and file.
    assert_eq!(folder["skipped_hidden"], 2, "{folder}");
    assert_eq!(folder["skipped_excluded"], 2, "{folder}");
    server.stop().await;
}

#[test]
fn reasons_are_short_sentences() {
    let long = format!("{}\nand a second line", "the decoder says: ".repeat(6000));
    let short = hearth::library::short_reason(&long);
    assert_eq!(short.chars().count(), 241, "{short}");
    assert!(short.ends_with('…'));
    assert!(!short.contains('\n'));
    assert_eq!(
        hearth::library::short_reason("  the file is empty  "),
        "the file is empty"
    );
}
