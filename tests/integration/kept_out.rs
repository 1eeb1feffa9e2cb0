//! Deleted stays deleted: a photo its member deleted in Hearth that a
//! phone's backup app sends again is accepted but kept out of the library,
//! waits in Trash → Kept out, and is forgotten after `kept_out_days`.

use serde_json::{Value, json};

use crate::fixtures::jpeg;
use crate::harness::TestServer;
use crate::household::join;
use crate::webdav::{dav, device, listing, total};

#[tokio::test]
async fn a_photo_deleted_in_hearth_and_sent_again_stays_out_until_brought_back() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let phone = device(&owner, "iPhone").await;
    let photo = jpeg(40, 30, 9, Some("2023:05:01 09:00:00"));
    assert_eq!(
        dav(
            &server,
            &phone,
            "PUT",
            "/dav/olivia/IMG_1.JPG",
            Some(photo.clone()),
            &[]
        )
        .await
        .status(),
        201
    );
    let id = owner.json("/api/timeline").await["months"][0]["month"].clone();
    let month = owner
        .json(&format!("/api/timeline/{}", id.as_str().unwrap()))
        .await;
    let asset = month["assets"][0]["id"].as_i64().unwrap();

    // Trashed in the web app, then purged.
    assert_eq!(
        owner
            .post("/api/assets/trash", &json!({ "ids": [asset] }))
            .await
            .status(),
        200
    );
    assert_eq!(
        owner.post("/api/trash/empty", &json!({})).await.status(),
        200
    );
    assert_eq!(total(&owner).await, 0);

    // The phone, restored from a backup, sends it again under a new name:
    // accepted, listed, kept out of the library.
    let again = dav(
        &server,
        &phone,
        "PUT",
        "/dav/olivia/IMG_1 (restored).JPG",
        Some(photo.clone()),
        &[],
    )
    .await;
    assert_eq!(again.status(), 201);
    let listed = listing(&server, &phone, "/dav/olivia/").await;
    assert!(
        listed
            .iter()
            .any(|(href, size)| href.ends_with("IMG_1%20%28restored%29.JPG")
                && *size == photo.len() as u64),
        "{listed:?}"
    );
    assert_eq!(total(&owner).await, 0);
    let kept: Value = owner.json("/api/trash/kept-out").await;
    assert_eq!(kept[0]["name"], "IMG_1 (restored).JPG");
    assert_eq!(kept[0]["bytes"], photo.len());

    // Nobody else sees the list or can bring it back.
    let (member, _) = join(&server, &owner, "member", "milo").await;
    let kept_id = kept[0]["id"].as_i64().unwrap();
    assert_eq!(member.json("/api/trash/kept-out").await, json!([]));
    assert_eq!(
        member
            .post(
                &format!("/api/trash/kept-out/{kept_id}/restore"),
                &json!({})
            )
            .await
            .status(),
        404
    );
    assert_eq!(
        member
            .delete(&format!("/api/trash/kept-out/{kept_id}"))
            .await
            .status(),
        404
    );

    // Brought back: in the library again, and off the list.
    let restored = owner
        .ok(
            &format!("/api/trash/kept-out/{kept_id}/restore"),
            &json!({}),
        )
        .await;
    assert_eq!(restored["status"], "imported");
    assert_eq!(total(&owner).await, 1);
    assert_eq!(owner.json("/api/trash/kept-out").await, json!([]));
    server.stop().await;
}

#[tokio::test]
async fn what_was_kept_out_goes_after_the_trash_days_and_is_forgotten_after_kept_out_days() {
    let server = TestServer::start_with(|config| config.retention.kept_out_days = 60).await;
    let owner = server.owner().await;
    let phone = device(&owner, "iPhone").await;
    let photo = jpeg(40, 30, 11, Some("2022:01:01 09:00:00"));
    let put = |name: &'static str| dav(&server, &phone, "PUT", name, Some(photo.clone()), &[]);
    assert_eq!(put("/dav/olivia/a.jpg").await.status(), 201);
    // Deleted from the phone's side: to the trash, never purged at once.
    assert_eq!(
        dav(&server, &phone, "DELETE", "/dav/olivia/a.jpg", None, &[])
            .await
            .status(),
        204
    );
    assert_eq!(total(&owner).await, 0);
    assert_eq!(
        owner.json("/api/trash").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(put("/dav/olivia/b.jpg").await.status(), 201);
    assert_eq!(
        owner
            .json("/api/trash/kept-out")
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // After the trash's 30 days the waiting bytes go; the memory stays.
    crate::retention::pass(&server, &owner, 31).await;
    let removed = crate::retention::sweep(&owner).await;
    assert!(removed["kept_out"].as_u64().unwrap() >= 1, "{removed}");
    assert_eq!(owner.json("/api/trash/kept-out").await, json!([]));
    assert_eq!(
        std::fs::read_dir(server.data_dir().join("dav/1"))
            .unwrap()
            .count(),
        0
    );
    assert_eq!(put("/dav/olivia/c.jpg").await.status(), 201);
    assert_eq!(total(&owner).await, 0, "still kept out");

    // After kept_out_days it is forgotten: the phone's copy comes back.
    crate::retention::pass(&server, &owner, 30).await;
    crate::retention::sweep(&owner).await;
    assert_eq!(put("/dav/olivia/d.jpg").await.status(), 201);
    assert_eq!(total(&owner).await, 1);
    server.stop().await;
}

#[tokio::test]
async fn a_photo_brought_back_while_still_in_the_trash_leaves_the_trash() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let phone = device(&owner, "iPhone").await;
    let photo = jpeg(30, 20, 4, Some("2021:03:03 10:00:00"));
    assert_eq!(
        dav(
            &server,
            &phone,
            "PUT",
            "/dav/olivia/p.jpg",
            Some(photo.clone()),
            &[]
        )
        .await
        .status(),
        201
    );
    assert_eq!(
        dav(&server, &phone, "DELETE", "/dav/olivia/p.jpg", None, &[])
            .await
            .status(),
        204
    );
    assert_eq!(
        dav(
            &server,
            &phone,
            "PUT",
            "/dav/olivia/p.jpg",
            Some(photo.clone()),
            &[]
        )
        .await
        .status(),
        201
    );
    let kept = owner.json("/api/trash/kept-out").await;
    let id = kept[0]["id"].as_i64().unwrap();
    let restored = owner
        .ok(&format!("/api/trash/kept-out/{id}/restore"), &json!({}))
        .await;
    assert_eq!(restored["status"], "duplicate");
    assert_eq!(total(&owner).await, 1, "out of the trash, in the photos");
    assert_eq!(owner.json("/api/trash").await["items"], json!([]));
    // And the phone's next copy is at home again: not kept out.
    assert_eq!(
        dav(
            &server,
            &phone,
            "PUT",
            "/dav/olivia/p2.jpg",
            Some(photo),
            &[]
        )
        .await
        .status(),
        201
    );
    assert_eq!(owner.json("/api/trash/kept-out").await, json!([]));
    server.stop().await;
}
