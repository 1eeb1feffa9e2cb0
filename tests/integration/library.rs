//! Importing the shared corpus with `hearth import`, as an owner would.

use std::collections::HashMap;

use hearth::db::entities::{asset, asset_file, import_failure};
use sea_orm::EntityTrait;

use crate::harness::{TestServer, hearth_command, run};
use crate::media::{corpus, decodable, stills, truth};

#[tokio::test]
async fn the_corpus_imports_with_its_metadata_or_a_reason() {
    let server = TestServer::start().await;
    let _owner = server.owner().await;
    let dir = server.stop().await;
    let data = dir.path().join("data");
    let corpus = corpus().canonicalize().unwrap();

    let out = run(hearth_command(dir.path())
        .arg("import")
        .arg(&corpus)
        .arg("--data")
        .arg(&data));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let summary = out.stdout.lines().next().unwrap().to_owned();
    let counts: Vec<usize> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter(|part| !part.is_empty())
        .map(|part| part.parse().unwrap())
        .collect();
    let [imported, duplicates, failed, files] = counts[..4] else {
        panic!("{summary}")
    };
    assert_eq!(imported + duplicates + failed, files, "{summary}");
    assert_eq!(
        files,
        hearth::library::exclusions::Exclusions::new(&[])
            .walk(&corpus)
            .unwrap()
            .files
            .len()
    );
    assert!(imported >= 130, "{summary}");

    let server = TestServer::start_in(dir).await;
    check_rows(&server, &corpus, imported, failed).await;
    let dir = server.stop().await;

    // Again: nothing new, nothing lost.
    let out = run(hearth_command(dir.path())
        .arg("import")
        .arg(&corpus)
        .arg("--data")
        .arg(&data));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.starts_with(&format!(
            "0 imported, {} duplicates, {failed} failed",
            imported + duplicates
        )),
        "{}",
        out.stdout
    );
}

/// Every corpus file is an asset (with exiftool's date and place and both
/// derivatives) or a failure with a reason.
async fn check_rows(server: &TestServer, corpus: &std::path::Path, imported: usize, failed: usize) {
    let db = server.state().db();
    let assets: HashMap<i64, asset::Model> = asset::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    // Imported files are copies under media/originals: found by content.
    let by_hash: HashMap<String, i64> = assets
        .values()
        .flat_map(|a| {
            [Some(a.hash.clone()), a.motion_hash.clone()]
                .into_iter()
                .flatten()
                .map(|hash| (hash, a.id))
        })
        .collect();
    let files = asset_file::Entity::find().all(db).await.unwrap();
    assert!(files.iter().all(|f| f.root_id.is_none() && f.present));
    let failures: HashMap<String, String> = import_failure::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|f| (f.path, f.reason))
        .collect();
    // A Live Photo's video joins its still: imported, but no asset of its
    // own (a motion photo's video is inside its still: one file, one asset).
    let live = assets
        .values()
        .filter(|a| a.kind == "live" && a.motion_hash.is_some())
        .count();
    assert_eq!(assets.len() + live, imported);
    assert_eq!(failures.len(), failed);

    // Live Photos: the still and its video are one asset.
    for still in [
        "lychee/tests/Samples/train.jpg",
        "pigallery2/test/backend/assets/live_photo/IMG_7943.HEIC",
    ] {
        let hash = blake3::hash(&std::fs::read(corpus.join(still)).unwrap())
            .to_hex()
            .to_string();
        let asset = &assets[&by_hash[&hash]];
        assert_eq!(asset.kind, "live", "{still}");
        assert!(asset.motion_hash.is_some(), "{still}");
    }

    let truth = truth();
    // Sound stills in formats Hearth decodes must import; the rest (videos,
    // JPEG XL, RAW, exotic HEIF test files, broken files) may be refused.
    let must_import: std::collections::HashSet<&str> = stills(&truth)
        .into_iter()
        .filter(|(_, t)| decodable(t))
        .map(|(file, _)| file.as_str())
        .collect();
    let mut imported_files = Vec::new();
    for (file, t) in &truth {
        let path = corpus.join(file).display().to_string();
        let hash = blake3::hash(&std::fs::read(corpus.join(file)).unwrap())
            .to_hex()
            .to_string();
        let Some(asset_id) = by_hash.get(&hash) else {
            // Not imported: then it has a reason.
            let reason = failures
                .get(&path)
                .unwrap_or_else(|| panic!("{file}: neither imported nor failed"));
            assert!(!reason.is_empty());
            assert!(
                !must_import.contains(file.as_str()),
                "{file}: a sound photo was refused: {reason}"
            );
            continue;
        };
        let asset = &assets[asset_id];
        if asset.motion_hash.as_deref() != Some(hash.as_str()) {
            imported_files.push((file, t, asset));
        }
        if asset.motion_hash.as_deref() == Some(hash.as_str()) {
            // A Live Photo's video: its still carries the derivatives.
            assert_eq!(asset.kind, "live", "{file}");
            continue;
        }
        // Motion photos play their video (the broken one's video is gone).
        if (t["MotionPhoto"] == 1 || t["MicroVideo"] == 1) && t["hostile_or_malformed"] != true {
            assert_eq!(asset.kind, "live", "{file}");
        }
        // The type its bytes are, as exiftool says (RAW files as one kind).
        let expected_mime = match t["MIMEType"].as_str() {
            Some(mime) if mime.starts_with("image/x-") => "image/x-raw",
            Some(mime) => mime,
            None => "application/octet-stream",
        };
        assert_eq!(asset.mime, expected_mime, "{file}");
        let derived = server.state().data_dir().derived(asset.id);
        let has_files =
            derived.join("preview.jpg").is_file() && derived.join("thumb.jpg").is_file();
        let has_hash = asset
            .thumbhash
            .as_ref()
            .is_some_and(|hash| !hash.is_empty());
        if asset.kind == "video" {
            // A poster when ffmpeg could read a frame; a plain one otherwise.
            assert_eq!(has_files, has_hash, "{file}");
            if let Some(seconds) = t["Duration"].as_f64() {
                let ms = asset.duration_ms.unwrap_or_default();
                assert!(
                    (f64::from(i32::try_from(ms).unwrap()) - seconds * 1000.0).abs() < 50.0,
                    "{file}: {ms} ms"
                );
            }
        } else {
            assert!(has_files && has_hash, "{file}: {asset:?}");
        }
        // "0000:00:00 00:00:00" means no date: the fallbacks apply.
        if let (Some(expected), Some("ExifIFD")) = (
            t["DateTimeOriginal"]
                .as_str()
                .filter(|d| !d.starts_with("0000")),
            t["DateTimeOriginal_group"].as_str(),
        ) {
            let expected = expected[..19].replacen(':', "-", 2).replacen(' ', "T", 1);
            assert!(
                asset
                    .taken_local
                    .as_deref()
                    .is_some_and(|local| local.starts_with(&expected)),
                "{file}: {:?} != {expected}",
                asset.taken_local
            );
            assert_eq!(asset.taken_source, "exif_original", "{file}");
        }
        if let (Some(lat), Some(lon)) = (t["GPSLatitude"].as_f64(), t["GPSLongitude"].as_f64()) {
            assert!(
                (asset.latitude.unwrap() - lat).abs() < 1e-5
                    && (asset.longitude.unwrap() - lon).abs() < 1e-5,
                "{file}"
            );
        }
    }
    crate::agreement::check(&imported_files);
}

/// Camera cards repeat names: files of one name in different folders,
/// imported at once (as many as there are workers), each keep their own
/// original under a name of their own.
#[tokio::test]
async fn same_named_files_imported_at_once_keep_their_own_originals() {
    let server = TestServer::start().await;
    let _owner = server.owner().await;
    let dir = server.stop().await;
    let data = dir.path().join("data");
    let cards = dir.path().join("cards");
    let mut contents = Vec::new();
    for card in 0..6u8 {
        let folder = cards.join(format!("card-{card}"));
        std::fs::create_dir_all(&folder).unwrap();
        let bytes = crate::fixtures::jpeg(64, 48, 40 + card, Some("2024:05:01 10:00:00"));
        std::fs::write(folder.join("IMG_0001.JPG"), &bytes).unwrap();
        contents.push(bytes);
    }
    let out = run(hearth_command(dir.path())
        .arg("import")
        .arg(&cards)
        .arg("--data")
        .arg(&data)
        .env("HEARTH_LIBRARY__WORKERS", "4"));
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout.starts_with("6 imported, 0 duplicates, 0 failed"),
        "{}",
        out.stdout
    );
    let folder = data.join("media/originals/olivia/2024/05");
    let mut kept: Vec<Vec<u8>> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| std::fs::read(entry.unwrap().path()).unwrap())
        .collect();
    kept.sort();
    contents.sort();
    assert_eq!(
        kept, contents,
        "each original whole, none lost or overwritten"
    );
}
