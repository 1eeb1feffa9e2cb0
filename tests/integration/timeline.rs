//! Uploads, the timeline, asset details, media and who may see what —
//! through real HTTP with real JPEG files.

use std::io::{Read, Write};

use serde_json::{Value, json};

use crate::fixtures::{gif_bomb, hostile_exif, jpeg};
use crate::harness::TestServer;
use crate::household::join;

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            if entry.file_type().unwrap().is_dir() {
                pending.push(entry.path());
            } else {
                found.push(entry.path());
            }
        }
    }
    found
}

#[tokio::test]
async fn uploads_reach_the_timeline_with_details_and_media() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let july = jpeg(1200, 800, 1, Some("2019:07:04 15:30:12"));
    let march = jpeg(600, 900, 2, Some("2021:03:02 08:00:00"));
    let response = owner
        .upload(&[("beach.jpg", july.clone()), ("snow.jpg", march)])
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let files = body["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| f["status"] == "imported"), "{body}");
    let beach = files[0]["asset_id"].as_i64().unwrap();

    // Kept under media/originals/<user>/<yyyy>/<mm>/, nothing left in tmp/.
    let data = server.data_dir();
    assert!(
        data.join("media/originals/olivia/2019/07/beach.jpg")
            .is_file()
    );
    assert!(
        data.join("media/originals/olivia/2021/03/snow.jpg")
            .is_file()
    );
    assert!(files_under(&data.join("tmp")).is_empty());

    let timeline = owner.json("/api/timeline").await;
    assert_eq!(timeline["total"], 2);
    assert_eq!(timeline["months"][0]["month"], "2021-03");
    assert_eq!(timeline["months"][1]["month"], "2019-07");
    let month = owner.json("/api/timeline/2019-07").await;
    let brief = &month["assets"][0];
    assert_eq!(brief["id"], beach);
    assert_eq!(
        (brief["w"].as_i64(), brief["h"].as_i64()),
        (Some(1200), Some(800))
    );
    assert_eq!(brief["t"], "2019-07-04T15:30:12");
    assert!(brief["th"].as_str().is_some_and(|t| !t.is_empty()));

    let details = owner.json(&format!("/api/assets/{beach}")).await;
    assert_eq!(details["taken_source"], "exif_original");
    assert_eq!(details["files"][0]["path"], "olivia/2019/07/beach.jpg");
    assert_eq!(details["visibility"], "private");

    // Media: the thumbnail, cached for good under its version; 304 on a match.
    let v = brief["v"].as_str().unwrap();
    let thumb = owner.get(&format!("/api/assets/{beach}/thumb?v={v}")).await;
    assert_eq!(thumb.status(), 200);
    assert_eq!(thumb.headers()["content-type"], "image/jpeg");
    assert!(
        thumb.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let etag = thumb.headers()["etag"].clone();
    let bytes = thumb.bytes().await.unwrap();
    let decoded = image::load_from_memory(&bytes).unwrap();
    assert_eq!(decoded.height(), 400, "400 px short edge");
    let again = owner
        .client
        .get(format!("{}/api/assets/{beach}/thumb?v={v}", owner.base))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // The original, byte for byte, as a download; a range of it.
    let original = owner
        .get(&format!("/api/assets/{beach}/original?download=true"))
        .await;
    assert!(
        original.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("beach.jpg")
    );
    assert_eq!(original.bytes().await.unwrap().as_ref(), july.as_slice());
    let range = owner
        .client
        .get(format!("{}/api/assets/{beach}/original", owner.base))
        .header("range", "bytes=0-9")
        .send()
        .await
        .unwrap();
    assert_eq!(range.status(), 206);
    assert_eq!(range.bytes().await.unwrap().as_ref(), &july[..10]);
    let preview = owner.get(&format!("/api/assets/{beach}/preview")).await;
    assert_eq!(preview.status(), 200);
    let video = owner.get(&format!("/api/assets/{beach}/video")).await;
    assert_eq!(video.status(), 404, "a photo has no video");

    // Edits: caption and favourite.
    let edited = owner
        .patch(
            &format!("/api/assets/{beach}"),
            &json!({ "caption": "  Fireworks at the beach ", "favourite": true }),
        )
        .await;
    assert_eq!(edited.status(), 200);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!(edited["caption"], "Fireworks at the beach");
    assert_eq!(edited["favourite"], true);

    // The same bytes again: a duplicate of the same asset, no second copy.
    let response = owner.upload(&[("beach-again.jpg", july)]).await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["files"][0]["status"], "duplicate");
    assert_eq!(body["files"][0]["asset_id"], beach);
    assert!(
        !data
            .join("media/originals/olivia/2019/07/beach-again.jpg")
            .exists()
    );
    assert_eq!(files_under(&data.join("media/originals")).len(), 2);

    // Trash hides it from the timeline; restore brings it back.
    owner
        .ok("/api/assets/trash", &json!({ "ids": [beach] }))
        .await;
    assert_eq!(owner.json("/api/timeline").await["total"], 1);
    assert_eq!(
        owner.json("/api/trash").await["items"][0]["asset"]["id"],
        beach
    );
    let restored = owner
        .ok("/api/assets/restore", &json!({ "ids": [beach] }))
        .await;
    assert_eq!(restored["changed"], 1);
    assert_eq!(owner.json("/api/timeline").await["total"], 2);
    server.stop().await;
}

#[tokio::test]
async fn bad_uploads_are_explained_and_leave_nothing_behind() {
    let server = TestServer::start_with(|config| config.library.upload_max_mib = 1).await;
    let owner = server.owner().await;
    let data = server.data_dir();
    let good = jpeg(64, 64, 9, None);

    // Broken, empty, hostile and misnamed files fail with reasons.
    let mut truncated = jpeg(800, 600, 3, None);
    truncated.truncate(truncated.len() / 3);
    let response = owner
        .upload(&[
            ("truncated.jpg", truncated),
            ("empty.jpg", Vec::new()),
            ("bomb.gif", gif_bomb()),
            ("notes.jpg", b"just some text, not a photo".to_vec()),
            ("renamed.gif", good.clone()),
        ])
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let files = body["files"].as_array().unwrap();
    let status = |name: &str| {
        files
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| (f["status"].clone(), f["detail"].clone()))
            .unwrap()
    };
    for name in ["truncated.jpg", "empty.jpg", "bomb.gif", "notes.jpg"] {
        let (status, reason) = status(name);
        assert_eq!(status, "failed", "{name}");
        assert!(reason.as_str().is_some_and(|r| !r.is_empty()), "{name}");
    }
    assert!(status("bomb.gif").1.as_str().unwrap().contains("pixels"));
    // A JPEG named .gif is still a JPEG.
    assert_eq!(status("renamed.gif").0, "imported");
    let failures = owner.json("/api/import/failures").await;
    assert_eq!(failures.as_array().unwrap().len(), 4, "{failures}");
    assert!(
        failures
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "upload: truncated.jpg")
    );

    // A name that tries to climb out of the originals folder stays inside.
    let response = owner
        .upload(&[("../../../escape.jpg", jpeg(32, 32, 4, None))])
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["files"][0]["name"], "escape.jpg");
    assert!(!server.data_dir().join("../escape.jpg").exists());
    let stored: Vec<_> = files_under(&data.join("media/originals"));
    assert!(
        stored.iter().any(|p| p.ends_with("escape.jpg")),
        "{stored:?}"
    );

    // Over the limit: refused with 413, nothing kept.
    let large = vec![0xAB; 1024 * 1024 + 10];
    let response = owner.upload(&[("large.jpg", large)]).await;
    assert_eq!(response.status(), 413);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "payload_too_large");

    // Cut off halfway: nothing kept.
    let boundary = "hearthboundary";
    let mut stream = std::net::TcpStream::connect(server.addr()).unwrap();
    let cookie = session_cookie(&server).await;
    let head = format!(
        "POST /api/uploads HTTP/1.1\r\nHost: {}\r\nOrigin: {}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: 500000\r\n\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cut.jpg\"\r\n\r\n",
        server.addr(),
        server.base,
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&good).unwrap();
    stream.flush().unwrap();
    // Let the server start writing, then hang up.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    drop(stream);
    server
        .until("the cut upload to be cleaned up", || {
            let tmp = data.join("tmp");
            async move { files_under(&tmp).is_empty() }
        })
        .await;
    let stored = files_under(&data.join("media/originals"));
    assert_eq!(stored.len(), 2, "{stored:?}");
    assert_eq!(owner.json("/api/timeline").await["total"], 2);
    server.stop().await;
}

/// A session cookie of the owner, from a fresh sign-in.
async fn session_cookie(server: &TestServer) -> String {
    let response = server
        .client
        .post(server.url("/api/auth/password"))
        .header("origin", &server.base)
        .json(&json!({ "username": "olivia", "password": crate::harness::OWNER_PASSWORD }))
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn members_see_family_photos_and_never_private_ones() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "milo").await;
    let body: Value = owner
        .upload(&[
            (
                "private.jpg",
                jpeg(100, 80, 20, Some("2020:01:01 10:00:00")),
            ),
            ("family.jpg", jpeg(100, 80, 21, Some("2020:01:02 10:00:00"))),
        ])
        .await
        .json()
        .await
        .unwrap();
    let private = body["files"][0]["asset_id"].as_i64().unwrap();
    let family = body["files"][1]["asset_id"].as_i64().unwrap();
    let shared = owner
        .patch(
            &format!("/api/assets/{family}"),
            &json!({ "visibility": "family" }),
        )
        .await;
    assert_eq!(shared.status(), 200);

    // The member's timeline: the family photo only.
    let timeline = member.json("/api/timeline").await;
    assert_eq!(timeline["total"], 1);
    let month = member.json("/api/timeline/2020-01").await;
    assert_eq!(month["assets"].as_array().unwrap().len(), 1);
    assert_eq!(month["assets"][0]["id"], family);
    assert_eq!(month["assets"][0]["mine"], false);
    let details = member.json(&format!("/api/assets/{family}")).await;
    assert!(details.get("files").is_none(), "file paths are the owner's");

    // The private one does not exist for them, in any form.
    for path in [
        format!("/api/assets/{private}"),
        format!("/api/assets/{private}/thumb"),
        format!("/api/assets/{private}/preview"),
        format!("/api/assets/{private}/original"),
    ] {
        let response = member.get(&path).await;
        assert_eq!(response.status(), 404, "{path}");
    }
    for path in ["thumb", "preview", "original"] {
        let response = member.get(&format!("/api/assets/{family}/{path}")).await;
        assert_eq!(response.status(), 200, "{path}");
    }
    // They cannot change or trash the owner's photo.
    let response = member
        .patch(
            &format!("/api/assets/{family}"),
            &json!({ "caption": "mine now" }),
        )
        .await;
    assert_eq!(response.status(), 403);
    let trashed = member
        .ok("/api/assets/trash", &json!({ "ids": [family, private] }))
        .await;
    assert_eq!(trashed["changed"], 0);
    // Nor see the import machinery.
    assert_eq!(member.get("/api/jobs").await.status(), 403);
    assert_eq!(member.get("/api/import/roots").await.status(), 403);

    // Anonymous: nothing.
    for path in [
        "/api/timeline".to_owned(),
        format!("/api/assets/{family}/thumb"),
    ] {
        assert_eq!(server.get(&path).await.status(), 401, "{path}");
    }
    // Made private again, it leaves the member's view.
    owner
        .patch(
            &format!("/api/assets/{family}"),
            &json!({ "visibility": "private" }),
        )
        .await;
    assert_eq!(member.json("/api/timeline").await["total"], 0);
    assert_eq!(
        member.get(&format!("/api/assets/{family}")).await.status(),
        404
    );

    // Many at once (the selection bar): only the caller's own change.
    let theirs = member
        .upload(&[("milo.jpg", jpeg(90, 90, 22, Some("2020:01:03 10:00:00")))])
        .await
        .json::<Value>()
        .await
        .unwrap()["files"][0]["asset_id"]
        .as_i64()
        .unwrap();
    let everything = json!([private, family, theirs]);
    let shared = owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": everything, "visibility": "family", "favourite": true }),
        )
        .await;
    assert_eq!(shared["changed"], 2);
    assert_eq!(member.json("/api/timeline").await["total"], 3);
    assert_eq!(
        owner.json("/api/timeline").await["total"],
        2,
        "milo's stays private"
    );
    let details = owner.json(&format!("/api/assets/{private}")).await;
    assert_eq!(
        (&details["visibility"], &details["favourite"]),
        (&json!("family"), &json!(true))
    );
    let by_member = member
        .ok(
            "/api/assets/edit",
            &json!({ "ids": everything, "favourite": false }),
        )
        .await;
    assert_eq!(by_member["changed"], 1);
    assert_eq!(
        owner.json(&format!("/api/assets/{private}")).await["favourite"],
        true
    );
    for bad in [
        json!({ "ids": [], "favourite": true }),
        json!({ "ids": [private] }),
    ] {
        let response = owner.post("/api/assets/edit", &bad).await;
        assert_eq!(response.status(), 400, "{bad}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "invalid_request");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_bad_month_is_a_clear_error() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    for month in ["2019-13", "july", "2019-7-1"] {
        let response = owner.get(&format!("/api/timeline/{month}")).await;
        assert_eq!(response.status(), 400, "{month}");
        let mut text = String::new();
        response
            .bytes()
            .await
            .unwrap()
            .as_ref()
            .read_to_string(&mut text)
            .unwrap();
        assert!(text.contains("invalid_request"), "{text}");
    }
    server.stop().await;
}

#[tokio::test]
async fn hostile_exif_is_read_or_refused_without_harm() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    // A self-referencing Exif pointer and a 3 000-deep IFD chain (the
    // segment stays under 64 KiB): imported (the pixels are fine) or
    // refused with a reason, never a hang or a crash.
    let files = [
        ("loop.jpg", hostile_exif(1)),
        ("deep.jpg", hostile_exif(3000)),
    ];
    let upload = owner.upload(&files);
    let response = tokio::time::timeout(std::time::Duration::from_mins(2), upload)
        .await
        .expect("the server answers (no hang)");
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    for file in body["files"].as_array().unwrap() {
        match file["status"].as_str().unwrap() {
            "imported" => {}
            "failed" => assert!(file["reason"].as_str().is_some_and(|r| !r.is_empty())),
            other => panic!("{other}: {file}"),
        }
    }
    assert_eq!(server.get("/api/health").await.status(), 200);
    server.stop().await;
}

/// Each member's months as `/api/timeline` gives them, and as a count of
/// the assets themselves says they are.
async fn months_both_ways(
    server: &TestServer,
    member: &crate::harness::Browser,
    id: i64,
) -> (Vec<(String, i64)>, Vec<(String, i64)>) {
    use sea_orm::{ConnectionTrait as _, Statement};
    let kept = member.json("/api/timeline").await["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["month"].as_str().unwrap().to_owned(),
                m["count"].as_i64().unwrap(),
            )
        })
        .collect();
    let db = server.state().db();
    let counted = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT printf('%04d-%02d', month / 100, month % 100) AS month, COUNT(*) AS count \
             FROM assets WHERE status = 'active' AND archived = 0 \
             AND (owner_id = ? OR visibility = 'family') GROUP BY month ORDER BY month DESC",
            [id.into()],
        ))
        .await
        .unwrap()
        .iter()
        .map(|row| {
            (
                row.try_get::<String>("", "month").unwrap(),
                row.try_get::<i64>("", "count").unwrap(),
            )
        })
        .collect();
    (kept, counted)
}

#[tokio::test]
async fn the_months_kept_match_the_photos_through_every_change() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let owner_id = owner.json("/api/me").await["id"].as_i64().unwrap();
    let (member, member_id) = join(&server, &owner, "member", "ben").await;
    let mut mine = Vec::new();
    for (seed, taken) in [
        (1, "2024:03:01 10:00:00"),
        (2, "2024:03:02 10:00:00"),
        (3, "2023:12:24 18:00:00"),
        (4, "2020:01:05 09:00:00"),
    ] {
        mine.push(
            owner
                .imported(&format!("{seed}.jpg"), jpeg(64, 48, seed, Some(taken)))
                .await,
        );
    }
    let bens = member
        .imported("ben.jpg", jpeg(64, 48, 9, Some("2024:03:03 10:00:00")))
        .await;
    let check = async |step: &str| {
        for (who, id) in [(&owner, owner_id), (&member, member_id)] {
            let (kept, counted) = months_both_ways(&server, who, id).await;
            assert_eq!(kept, counted, "{step}, as user {id}");
        }
    };
    check("imported").await;
    assert_eq!(
        months_both_ways(&server, &owner, owner_id).await.0,
        vec![
            ("2024-03".to_owned(), 2),
            ("2023-12".to_owned(), 1),
            ("2020-01".to_owned(), 1)
        ]
    );
    owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [mine[0], mine[2]], "visibility": "family" }),
        )
        .await;
    member
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [bens], "visibility": "family" }),
        )
        .await;
    check("shared with the family").await;
    owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [mine[0]], "archived": true }),
        )
        .await;
    check("archived").await;
    owner
        .ok("/api/assets/trash", &json!({ "ids": [mine[2], mine[3]] }))
        .await;
    check("trashed").await;
    owner
        .ok("/api/assets/restore", &json!({ "ids": [mine[3]] }))
        .await;
    check("restored").await;
    owner.ok("/api/trash/empty", &json!({})).await;
    check("purged").await;
    owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [mine[0]], "archived": false, "visibility": "private" }),
        )
        .await;
    check("unarchived, private again").await;
    // A count that reached zero is gone, not kept as a zero.
    {
        use sea_orm::ConnectionTrait as _;
        let db = server.state().db();
        let zeros = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM timeline_months WHERE count <= 0",
            ))
            .await
            .unwrap()
            .unwrap()
            .try_get::<i64>("", "n")
            .unwrap();
        assert_eq!(zeros, 0);
    }
    // Ben sees his own photo and nothing of Olivia's now.
    assert_eq!(
        months_both_ways(&server, &member, member_id).await.0,
        vec![("2024-03".to_owned(), 1)]
    );
    server.stop().await;
}
