//! The everyday views: archive (out of the timeline, kept, `is:archived`),
//! favourites, what a member's uploads start as, and zip downloads of a
//! selection, an album and a share link — and who may not do or get any
//! of it.

use serde_json::{Value, json};

use crate::fixtures::{jpeg, unzip, zip_dates};
use crate::harness::{Browser, TestServer};
use crate::household::join;

async fn upload(browser: &Browser, name: &str, bytes: Vec<u8>) -> i64 {
    let body: Value = browser.upload(&[(name, bytes)]).await.json().await.unwrap();
    body["files"][0]["asset_id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{body}"))
}

/// Every asset id in `browser`'s timeline.
async fn timeline(browser: &Browser) -> Vec<i64> {
    let mut ids = Vec::new();
    for month in browser.json("/api/timeline").await["months"]
        .as_array()
        .unwrap()
    {
        let month = month["month"].as_str().unwrap();
        for asset in browser.json(&format!("/api/timeline/{month}")).await["assets"]
            .as_array()
            .unwrap()
        {
            ids.push(asset["id"].as_i64().unwrap());
        }
    }
    ids
}

async fn found(browser: &Browser, query: &str) -> Vec<i64> {
    browser
        .json(&format!(
            "/api/search?q={}&sort=date",
            query.replace(':', "%3A")
        ))
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

/// Posts a selection as the web app's form does.
async fn download(browser: &Browser, ids: &str) -> reqwest::Response {
    browser
        .client
        .post(format!("{}/api/assets/download", browser.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("ids={}", ids.replace(',', "%2C")))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn archived_photos_leave_the_timeline_and_stay_found() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "ben").await;
    let receipt = upload(
        &owner,
        "receipt.jpg",
        jpeg(64, 48, 1, Some("2024:03:01 10:00:00")),
    )
    .await;
    let beach = upload(
        &owner,
        "beach.jpg",
        jpeg(64, 48, 2, Some("2024:03:02 10:00:00")),
    )
    .await;
    owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [receipt, beach], "visibility": "family" }),
        )
        .await;

    // Archived by its owner: out of everyone's timeline.
    let archived = owner
        .patch(
            &format!("/api/assets/{receipt}"),
            &json!({ "archived": true }),
        )
        .await;
    assert_eq!(archived.status(), 200);
    assert_eq!(archived.json::<Value>().await.unwrap()["archived"], true);
    assert_eq!(timeline(&owner).await, vec![beach]);
    assert_eq!(timeline(&member).await, vec![beach]);
    // Kept, and found: by the owner with is:archived (and marked so).
    server
        .until("the archive in the index", || async {
            found(&owner, "is:archived").await == vec![receipt]
        })
        .await;
    // A mark is its owner's own: Ben's archive does not hold it.
    assert!(found(&member, "is:archived").await.is_empty());
    let listed = owner.json("/api/search?q=is%3Aarchived").await;
    assert_eq!(listed["items"][0]["arc"], true);
    assert!(
        found(&owner, "2024").await.contains(&receipt),
        "search still finds it"
    );

    // Nobody else archives or unarchives it.
    let refused = member
        .patch(
            &format!("/api/assets/{beach}"),
            &json!({ "archived": true }),
        )
        .await;
    assert_eq!(refused.status(), 403, "seen, not theirs");
    let none = member
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [receipt, beach], "archived": false }),
        )
        .await;
    assert_eq!(none["changed"], 0);
    assert_eq!(timeline(&owner).await, vec![beach]);
    // The member is not told it is archived.
    assert!(member.json(&format!("/api/assets/{receipt}")).await["archived"] == false);

    // Unarchived (a batch, as the selection bar does): back.
    let back = owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [receipt], "archived": false }),
        )
        .await;
    assert_eq!(back["changed"], 1);
    let mut now = timeline(&member).await;
    now.sort_unstable();
    assert_eq!(now, vec![receipt, beach]);

    // Favourites are found with is:favorite.
    owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [beach], "favourite": true }),
        )
        .await;
    server
        .until("the favourite in the index", || async {
            found(&owner, "is:favorite").await == vec![beach]
        })
        .await;
    assert!(found(&member, "is:favorite").await.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn uploads_start_as_the_member_chose() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (ben, _) = join(&server, &owner, "member", "ben").await;
    assert_eq!(ben.json("/api/me").await["default_visibility"], "private");

    // Private by default: the owner does not see Ben's photo.
    let private = upload(&ben, "mine.jpg", jpeg(64, 48, 3, None)).await;
    assert!(!timeline(&owner).await.contains(&private));

    // Ben chooses the family: what he uploads now is in everyone's timeline.
    let changed = ben
        .patch("/api/me", &json!({ "default_visibility": "family" }))
        .await;
    assert_eq!(changed.status(), 200);
    let me: Value = changed.json().await.unwrap();
    assert_eq!(me["default_visibility"], "family");
    assert_eq!(me["username"], "ben");
    let shared = upload(&ben, "ours.jpg", jpeg(64, 48, 4, None)).await;
    assert!(timeline(&owner).await.contains(&shared));
    assert!(
        !timeline(&owner).await.contains(&private),
        "earlier ones stay as they were"
    );

    // Only a known choice; only one's own.
    let bad = ben
        .patch("/api/me", &json!({ "default_visibility": "everyone" }))
        .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(owner.json("/api/me").await["default_visibility"], "private");
    server.stop().await;
}

#[tokio::test]
async fn zips_of_a_selection_an_album_and_a_share_link() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (ben, _) = join(&server, &owner, "member", "ben").await;
    let one = jpeg(64, 48, 5, Some("2023:08:14 16:20:00"));
    let two = jpeg(64, 48, 6, Some("2024:02:03 09:00:00"));
    let a = upload(&owner, "IMG_1.jpg", one.clone()).await;
    let b = upload(&owner, "IMG_1.jpg", two.clone()).await;
    let bens = upload(&ben, "secret.jpg", jpeg(64, 48, 7, None)).await;

    // A selection, as the form posts it: both, named apart, dated as taken;
    // Ben's private photo among the ids is left out.
    let response = download(&owner, &format!("{a},{b},{bens}")).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("hearth-photos-")
    );
    let zipped = response.bytes().await.unwrap();
    let entries = unzip(&zipped);
    assert_eq!(entries.len(), 2, "{:?}", entries.keys());
    assert_eq!(entries["IMG_1.jpg"], one);
    assert_eq!(entries["IMG_1 (2).jpg"], two);
    let dates = zip_dates(&zipped);
    assert_eq!(dates["IMG_1.jpg"], (2023, 8, 14, 16, 20));
    assert_eq!(dates["IMG_1 (2).jpg"], (2024, 2, 3, 9, 0));
    // Only what one may see: Ben gets nothing of the owner's private photos.
    let refused = download(&ben, &format!("{a},{b}")).await;
    assert_eq!(refused.status(), 404);
    let bad = download(&owner, "1,two").await;
    assert_eq!(bad.status(), 400);

    // An album: its members download it; others do not learn it exists.
    let album = owner
        .ok(
            "/api/albums",
            &json!({ "title": "Summer/2023", "ids": [a] }),
        )
        .await["album"]["id"]
        .as_i64()
        .unwrap();
    let zipped = owner.get(&format!("/api/albums/{album}/download")).await;
    assert_eq!(zipped.status(), 200);
    assert!(
        zipped.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("hearth-Summer-2023-")
    );
    assert_eq!(unzip(&zipped.bytes().await.unwrap()).len(), 1);
    assert_eq!(
        ben.get(&format!("/api/albums/{album}/download"))
            .await
            .status(),
        404
    );

    // A share link: only when it allows downloads.
    let link = owner
        .ok(&format!("/api/albums/{album}/links"), &json!({}))
        .await;
    let path = format!(
        "/api/shared/{}/download",
        link["url"].as_str().unwrap().rsplit('/').next().unwrap()
    );
    let guest = server.browser();
    assert_eq!(guest.get(&path).await.status(), 403);
    let id = link["id"].as_i64().unwrap();
    owner
        .patch(
            &format!("/api/albums/{album}/links/{id}"),
            &json!({ "allow_download": true }),
        )
        .await;
    let allowed = guest.get(&path).await;
    assert_eq!(allowed.status(), 200);
    assert_eq!(unzip(&allowed.bytes().await.unwrap())["IMG_1.jpg"], one);
    server.stop().await;
}
