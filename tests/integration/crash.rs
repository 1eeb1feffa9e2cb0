//! A crash mid-import (the process killed) resumes after a restart to the
//! same final state as an uninterrupted run: every file one asset, every
//! asset its thumbnails, no duplicates, nothing failed.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use hearth::db::entities::{asset, asset_file, import_failure, job};
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};

use crate::fixtures::jpeg;
use crate::harness::{Hearth, TestServer, hearth_command};

const FILES: u8 = 24;

fn serve(workdir: &Path, data: &Path) -> Hearth {
    let mut hearth = Hearth::spawn(
        hearth_command(workdir)
            .args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data),
    );
    assert!(
        hearth.wait_for_log("is ready").is_some(),
        "{:?}",
        hearth.log
    );
    hearth
}

async fn count_assets(db: &DatabaseConnection) -> u64 {
    asset::Entity::find().count(db).await.unwrap_or(0)
}

#[tokio::test]
async fn a_killed_import_resumes_without_duplicates_or_gaps() {
    // An owner, then a folder of photos configured as an import root.
    let server = TestServer::start().await;
    server.owner().await;
    let dir = server.stop().await;
    let data = dir.path().join("data");
    let photos = dir.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let mut expected = BTreeSet::new();
    for n in 0..FILES {
        let bytes = jpeg(2400, 1600, n, Some("2023:08:01 10:00:00"));
        expected.insert(blake3::hash(&bytes).to_hex().to_string());
        std::fs::write(photos.join(format!("{n:02}.jpg")), bytes).unwrap();
    }
    std::fs::write(
        dir.path().join("hearth.toml"),
        format!(
            "[library]\nsettle_seconds = 0\nworkers = 2\n\n[[library.roots]]\npath = {:?}\n",
            photos.display().to_string()
        ),
    )
    .unwrap();

    let db = hearth::db::open(&data.join("hearth.db")).await.unwrap();
    let mut hearth = serve(dir.path(), &data);
    let mut before_crash = 0;
    for _ in 0..600 {
        before_crash = count_assets(&db).await;
        if before_crash >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    hearth.crash();
    assert!(
        (1..u64::from(FILES)).contains(&before_crash),
        "killed mid-import ({before_crash} of {FILES} done)"
    );

    // Restarted: the queue (and the reconciliation scan) finish the work.
    let mut hearth = serve(dir.path(), &data);
    let mut done = false;
    for _ in 0..1200 {
        let queued = job::Entity::find().count(&db).await.unwrap_or(1);
        if count_assets(&db).await == u64::from(FILES) && queued == 0 {
            done = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(hearth.terminate(), Some(0));
    assert!(done, "the import did not finish after the restart");

    let assets = asset::Entity::find().all(&db).await.unwrap();
    let hashes: BTreeSet<String> = assets.iter().map(|a| a.hash.clone()).collect();
    assert_eq!(hashes, expected, "each file exactly once");
    let files = asset_file::Entity::find().all(&db).await.unwrap();
    assert_eq!(files.len(), usize::from(FILES));
    assert!(files.iter().all(|f| f.present));
    assert!(
        import_failure::Entity::find()
            .all(&db)
            .await
            .unwrap()
            .is_empty()
    );
    let layout = hearth::data_dir::DataDir::open(&data).unwrap();
    for asset in &assets {
        assert!(
            asset.derived_at.is_some() && asset.thumbhash.is_some(),
            "{}",
            asset.id
        );
        let derived = layout.derived(asset.id);
        for name in ["preview.jpg", "thumb.jpg"] {
            let bytes = std::fs::read(derived.join(name)).unwrap();
            image::load_from_memory(&bytes)
                .unwrap_or_else(|err| panic!("{name} of {}: {err}", asset.id));
        }
    }
}
