//! A Google Photos takeout comes home: two zips of one export, built here
//! with Google's layout and its quirks (the 2024 sidecar names, names
//! clipped at 51 characters, a copy's number moved before `.json`, an
//! edited copy, a sidecar in the other part, an album folder whose photo
//! is also in its year's folder), imported with `hearth import`.

use std::io::Write as _;

use serde_json::{Value, json};

use crate::fixtures::jpeg;
use crate::harness::{Browser, TestServer};

const ROOT: &str = "Takeout/Google Photos";

fn sidecar(title: &str, taken: i64, extra: &Value) -> Vec<u8> {
    let mut value = json!({
        "title": title,
        "description": "",
        "imageViews": "3",
        "creationTime": { "timestamp": "1700000000", "formatted": "14 Nov 2023, 22:13:20 UTC" },
        "photoTakenTime": { "timestamp": taken.to_string(), "formatted": "" },
        "geoData": { "latitude": 0.0, "longitude": 0.0, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0 },
        "geoDataExif": { "latitude": 0.0, "longitude": 0.0, "altitude": 0.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0 },
        "url": "https://photos.google.com/photo/AF1Qip",
        "googlePhotosOrigin": { "mobileUpload": { "deviceType": "ANDROID_PHONE" } }
    });
    if let (Some(base), Some(more)) = (value.as_object_mut(), extra.as_object()) {
        for (key, field) in more {
            base.insert(key.clone(), field.clone());
        }
    }
    serde_json::to_vec_pretty(&value).unwrap()
}

fn zip_of(entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, bytes) in entries {
        // Deflated, as Google's zips are.
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// 2019-07-04 18:15:00 UTC.
const FIREWORKS: i64 = 1_562_264_100;
const LONG: &str = "A very long name a camera app gave this photo of ours.jpg";

fn takeout() -> (Vec<u8>, Vec<u8>) {
    let year = format!("{ROOT}/Photos from 2019");
    let album = format!("{ROOT}/Summer at the lake");
    let fireworks = jpeg(40, 30, 1, None);
    let fireworks_json = sidecar(
        "IMG_20190704_181500.jpg",
        FIREWORKS,
        &json!({
            "description": "Fireworks at the lake",
            "geoData": { "latitude": 46.2044, "longitude": 6.1432, "altitude": 375.0, "latitudeSpan": 0.0, "longitudeSpan": 0.0 },
            "people": [{ "name": "Grandma" }],
            "favorited": true
        }),
    );
    // Clipped: 51 characters with `.json` kept.
    let long_json: String = format!("{LONG}.supplemental-metadata")
        .chars()
        .take(46)
        .collect();
    let first = zip_of(&[
        (format!("{year}/IMG_20190704_181500.jpg"), fireworks.clone()),
        (
            format!("{year}/IMG_20190704_181500.jpg.supplemental-metadata.json"),
            fireworks_json.clone(),
        ),
        (format!("{year}/{LONG}"), jpeg(40, 30, 2, None)),
        (format!("{year}/IMG_0001.JPG"), jpeg(40, 30, 3, None)),
        (
            format!("{year}/IMG_0001.JPG.supplemental-metadata.json"),
            sidecar("IMG_0001.JPG", 1_559_000_000, &json!({})),
        ),
        (format!("{year}/IMG_0001(1).JPG"), jpeg(40, 30, 4, None)),
        (
            format!("{year}/IMG_0001.JPG.supplemental-metadata(1).json"),
            sidecar("IMG_0001.JPG", 1_570_000_000, &json!({})),
        ),
        (format!("{year}/IMG_0001-edited.JPG"), jpeg(40, 30, 5, None)),
        (format!("{year}/old.jpg"), jpeg(40, 30, 6, None)),
        (
            format!("{year}/old.jpg.json"),
            sidecar("old.jpg", 1_566_000_000, &json!({ "archived": true })),
        ),
        // The camera's own date wins over Google's.
        (
            format!("{ROOT}/Photos from 2018/exif.jpg"),
            jpeg(40, 30, 7, Some("2018:05:05 12:00:00")),
        ),
        (
            format!("{ROOT}/Photos from 2018/exif.jpg.supplemental-metadata.json"),
            sidecar("exif.jpg", 1_000_000_000, &json!({})),
        ),
        (
            format!("{ROOT}/Photos from 2019/metadata.json"),
            serde_json::to_vec(&json!({ "title": "Photos from 2019" })).unwrap(),
        ),
    ]);
    let second = zip_of(&[
        (
            format!("{year}/{long_json}.json"),
            sidecar(LONG, 1_567_000_000, &json!({})),
        ),
        (
            format!("{album}/metadata.json"),
            serde_json::to_vec(
                &json!({ "title": "Summer at the lake", "description": "", "access": "protected" }),
            )
            .unwrap(),
        ),
        (format!("{album}/IMG_20190704_181500.jpg"), fireworks),
        (
            format!("{album}/IMG_20190704_181500.jpg.supplemental-metadata.json"),
            fireworks_json,
        ),
        (format!("{year}/gone.jpg"), jpeg(40, 30, 8, None)),
        (
            format!("{year}/gone.jpg.supplemental-metadata.json"),
            sidecar("gone.jpg", 1_568_000_000, &json!({ "trashed": true })),
        ),
    ]);
    (first, second)
}

/// The asset of the owner's timeline month `month` (its only one).
async fn only_in(owner: &Browser, month: &str) -> Value {
    let page = owner.json(&format!("/api/timeline/{month}")).await;
    let assets = page["assets"].as_array().unwrap();
    assert_eq!(assets.len(), 1, "{month}: {page}");
    owner
        .json(&format!("/api/assets/{}", assets[0]["id"]))
        .await
}

#[tokio::test]
async fn a_google_takeout_comes_home_with_its_dates_places_captions_and_albums() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (first, second) = takeout();
    let dir = tempfile::tempdir().unwrap();
    let parts = vec![
        dir.path().join("takeout-001.zip"),
        dir.path().join("takeout-002.zip"),
    ];
    std::fs::write(&parts[0], first).unwrap();
    std::fs::write(&parts[1], second).unwrap();

    let summary = hearth::library::cli::import(
        server.state(),
        &parts,
        None,
        hearth::library::google::import::Options::default(),
    )
    .await
    .unwrap();
    assert!(
        summary.starts_with("Google Photos takeout: 7 imported, 1 already in the library, 8 with Google's date, place or caption, 1 edited copies left out, 1 into the trash (they were in Google's), 1 albums new, 0 updated, 0 not imported"),
        "{summary}"
    );
    server.idle().await;

    // The sidecar's date, place, caption, people and favourite.
    let fireworks = only_in(&owner, "2019-07").await;
    assert_eq!(fireworks["taken_source"], "google_takeout");
    assert_eq!(fireworks["taken_local"], "2019-07-04T18:15:00");
    assert_eq!(fireworks["caption"], "Fireworks at the lake");
    assert_eq!(fireworks["place"]["city"], "Geneve");
    assert_eq!(fireworks["keywords"], json!(["Grandma"]));
    assert_eq!(fireworks["favourite"], true);
    // A clipped sidecar in the other part; a copy's own sidecar.
    assert_eq!(
        only_in(&owner, "2019-08").await["taken_source"],
        "google_takeout"
    );
    assert_eq!(
        only_in(&owner, "2019-05").await["taken_source"],
        "google_takeout"
    );
    assert_eq!(
        only_in(&owner, "2019-10").await["taken_source"],
        "google_takeout"
    );
    let mut months: Vec<String> = owner.json("/api/timeline").await["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap().to_owned())
        .collect();
    months.sort();
    // Old is archived, gone is in the trash; 2018-05 is the camera's date.
    let counts = owner.json("/api/timeline").await;
    assert_eq!(counts["total"], 5, "{counts}");
    assert!(
        months.contains(&"2018-05".to_owned()),
        "the camera's date wins: {months:?}"
    );
    assert_eq!(
        owner.json("/api/trash").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    server
        .until("the archived one is found", || async {
            owner.json("/api/search?q=is%3Aarchived").await["total"] == 1
        })
        .await;

    // The album, with the photo that is also in its year's folder, once.
    let albums = owner.json("/api/albums").await;
    assert_eq!(
        albums["owned"].as_array().unwrap().len(),
        1,
        "year folders are no albums: {albums}"
    );
    assert_eq!(albums["owned"][0]["title"], "Summer at the lake");
    let album = albums["owned"][0]["id"].as_i64().unwrap();
    assert_eq!(
        crate::albums::album_ids(&owner, album).await,
        [fireworks["id"].as_i64().unwrap()]
    );

    // A second import of the same takeout adds nothing.
    let again = hearth::library::cli::import(
        server.state(),
        &parts,
        None,
        hearth::library::google::import::Options::default(),
    )
    .await
    .unwrap();
    assert!(
        again.starts_with("Google Photos takeout: 0 imported, 8 already in the library"),
        "{again}"
    );
    assert!(again.contains("0 albums new, 1 updated"), "{again}");
    assert_eq!(owner.json("/api/timeline").await["total"], 5);
    assert_eq!(
        owner.json("/api/albums").await["owned"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    server.stop().await;
}

#[tokio::test]
async fn the_owner_brings_a_takeout_home_from_settings_and_watches_it_go() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, milo) = crate::household::join(&server, &owner, "member", "milo").await;
    let (first, second) = takeout();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("takeout-20261201T000000Z-001.zip"), first).unwrap();
    std::fs::write(dir.path().join("takeout-20261201T000000Z-002.zip"), second).unwrap();
    let body = json!({ "path": dir.path().display().to_string(), "owner_id": milo });

    // Only the owner: a member is refused, and sees no status.
    assert_eq!(
        member
            .post("/api/import/google-takeout", &body)
            .await
            .status(),
        403
    );
    assert_eq!(member.get("/api/import/google-takeout").await.status(), 403);
    // Not a system folder, not a folder without a takeout.
    let system = owner
        .post("/api/import/google-takeout", &json!({ "path": "/etc" }))
        .await;
    assert_eq!(system.status(), 400);
    let empty = tempfile::tempdir().unwrap();
    let nothing = owner
        .post(
            "/api/import/google-takeout",
            &json!({ "path": empty.path().display().to_string() }),
        )
        .await;
    assert_eq!(nothing.status(), 400);
    assert_eq!(owner.json("/api/import/google-takeout").await, json!({}));

    // For Milo: started, then done, with its report.
    let started = owner.ok("/api/import/google-takeout", &body).await;
    assert_eq!(started["owner"], "milo");
    server
        .until("the takeout import finishes", || async {
            owner.json("/api/import/google-takeout").await["import"]["finished_at"].is_string()
        })
        .await;
    let done = owner.json("/api/import/google-takeout").await["import"].clone();
    assert_eq!(done["done"], done["total"]);
    assert_eq!(done["total"], 9, "every photo of both parts: {done}");
    assert!(
        done["report"]
            .as_str()
            .unwrap()
            .starts_with("Google Photos takeout: 7 imported"),
        "{done}"
    );
    assert_eq!(
        member.json("/api/timeline").await["total"],
        5,
        "Milo's photos"
    );
    assert_eq!(
        owner.json("/api/timeline").await["total"],
        0,
        "not the owner's"
    );
    assert_eq!(
        member.json("/api/albums").await["owned"][0]["title"],
        "Summer at the lake"
    );
    server.stop().await;
}

#[tokio::test]
async fn a_photo_larger_than_the_upload_limit_is_left_out_whatever_its_zip_says() {
    let server = TestServer::start_with(|config| config.library.upload_max_mib = 1).await;
    server.owner().await;
    let mut big = jpeg(40, 30, 9, None);
    big.extend(std::iter::repeat_n(0u8, 2 * 1024 * 1024));
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("takeout-001.zip");
    std::fs::write(
        &part,
        zip_of(&[(format!("{ROOT}/Photos from 2020/big.jpg"), big)]),
    )
    .unwrap();
    let summary = hearth::library::cli::import(
        server.state(),
        &[part],
        None,
        hearth::library::google::import::Options::default(),
    )
    .await
    .unwrap();
    assert!(
        summary.contains("0 imported")
            && summary.contains("big.jpg: larger than the upload limit of 1 MiB"),
        "{summary}"
    );
    assert_eq!(
        std::fs::read_dir(server.data_dir().join("tmp"))
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_file())
            .count(),
        0
    );
    server.stop().await;
}

#[tokio::test]
async fn a_live_photo_comes_home_as_one_photo_with_its_stills_sidecar() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let live = crate::media::corpus().join("pigallery2/test/backend/assets/live_photo");
    let still = std::fs::read(live.join("IMG_7943.HEIC")).unwrap();
    let motion = std::fs::read(live.join("IMG_7943_HEVC.MOV")).unwrap();
    let folder = format!("{ROOT}/Photos from 2022");
    let dir = tempfile::tempdir().unwrap();
    let part = dir.path().join("takeout-001.zip");
    // Google gives the video its own name and no sidecar.
    let entries = [
        (format!("{folder}/IMG_7943.HEIC"), still),
        (format!("{folder}/IMG_7943.MOV"), motion),
        (
            format!("{folder}/IMG_7943.HEIC.supplemental-metadata.json"),
            sidecar(
                "IMG_7943.HEIC",
                1_650_000_000,
                &json!({ "description": "The garden in April" }),
            ),
        ),
    ];
    std::fs::write(&part, zip_of(&entries)).unwrap();
    let summary = hearth::library::cli::import(
        server.state(),
        &[part],
        None,
        hearth::library::google::import::Options::default(),
    )
    .await
    .unwrap();
    assert!(summary.contains("0 not imported"), "{summary}");
    server.idle().await;
    let timeline = owner.json("/api/timeline").await;
    assert_eq!(timeline["total"], 1, "one Live Photo: {timeline}");
    let month = timeline["months"][0]["month"].as_str().unwrap().to_owned();
    let photo = only_in(&owner, &month).await;
    assert_eq!(photo["kind"], "live");
    assert_eq!(photo["caption"], "The garden in April");
    server.stop().await;
}
