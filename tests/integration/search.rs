//! Search through real HTTP: words, typos, prefixes, places (offline
//! reverse geocoding of the corpus's GPS photos), every filter, facets,
//! suggestions, pages, permissions, and the index following the database
//! through edits, the trash, a restart and a rebuild.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::harness::{Browser, TestServer, hearth_command, run};
use crate::household::join;
use crate::media::corpus;

/// Corpus photos with GPS, cameras and dates (exiftool's readings in
/// truth.json).
const PHOTOS: [&str; 10] = [
    "lychee/tests/Samples/aarhus.jpg", // Nexus 5X, 2018-05-30, Aarhus
    "lychee/tests/Samples/hochuferweg.jpg", // Nexus 5X, 2018-08-18, Rügen
    "lychee/tests/Samples/mongolia.jpeg", // NIKON D5000, 2011-08-17
    "lychee/tests/Samples/train.jpg",  // iPhone 6s, 2021-04-10, England
    "pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203720-Tokyo.jpg",
    "pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203730-Reykjavik.jpg",
    "pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203830-NewYork.jpg",
    "pigallery2/test/backend/assets/4MinsAroundTheWorld/UTC-20240413-203630-London.jpg",
    "pigallery2/test/backend/assets/orientation/broken_orientation_exif.jpg", // Pixel 2, 2018-02
    "pigallery2/test/backend/assets/timestamps/big_ben.jpg", // Canon EOS R5, 2023, London
];

/// The corpus's Pixel 2 photo was cut off at 256 000 bytes in its test
/// suite (an end marker appended after the cut), so Hearth refuses it as
/// cut off; its EXIF (camera, date, place) on a whole picture stands in.
const CUT_OFF: &str = "broken_orientation_exif.jpg";

/// `exif_of`'s EXIF segment in front of a whole JPEG made here.
fn with_exif_of(exif_of: &[u8]) -> Vec<u8> {
    let mut at = 2;
    let app1 = loop {
        let length = usize::from(u16::from_be_bytes([exif_of[at + 2], exif_of[at + 3]]));
        if exif_of[at + 1] == 0xE1 {
            break &exif_of[at..at + 2 + length];
        }
        at += 2 + length;
    };
    let whole = crate::fixtures::jpeg(400, 300, 77, None);
    [&whole[..2], app1, &whole[2..]].concat()
}

async fn upload(browser: &Browser, files: &[&str]) -> Vec<i64> {
    let parts: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|file| {
            let name = file.rsplit('/').next().unwrap().to_owned();
            let bytes = std::fs::read(corpus().join(file)).unwrap();
            let bytes = if name == CUT_OFF {
                with_exif_of(&bytes)
            } else {
                bytes
            };
            (name, bytes)
        })
        .collect();
    let borrowed: Vec<(&str, Vec<u8>)> =
        parts.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    let body: Value = browser.upload(&borrowed).await.json().await.unwrap();
    body["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["asset_id"].as_i64().unwrap_or_else(|| panic!("{f}")))
        .collect()
}

async fn search(browser: &Browser, query: &str) -> Value {
    let url = format!("/api/search?q={}", urlencode(query));
    let response = browser.get(&url).await;
    assert_eq!(
        response.status(),
        200,
        "{query}: {}",
        response.text().await.unwrap()
    );
    response.json().await.unwrap()
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn ids(results: &Value) -> BTreeSet<i64> {
    results["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["id"].as_i64().unwrap())
        .collect()
}

/// Waits until the index has caught up with `query` giving `count` results.
async fn indexed(server: &TestServer, browser: &Browser, query: &str, count: u64) {
    let mut last = Value::Null;
    for _ in 0..100 {
        last = search(browser, query).await;
        if last["total"] == count {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let _ = server;
    panic!("“{query}” never gave {count} results: {last}");
}

#[tokio::test]
async fn words_places_dates_and_filters_find_the_right_photos() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let found = upload(&owner, &PHOTOS).await;
    let [
        aarhus,
        rugen,
        mongolia,
        train,
        tokyo,
        reykjavik,
        new_york,
        london,
        pixel,
        big_ben,
    ] = found[..]
    else {
        panic!("{found:?}");
    };
    indexed(&server, &owner, "", 10).await;

    // Places, looked up offline from the coordinates.
    let place = |id: i64| {
        let owner = &owner;
        async move { owner.json(&format!("/api/assets/{id}")).await["place"].clone() }
    };
    let aarhus_place = place(aarhus).await;
    // GeoNames' ASCII names: Århus is "Arhus" (and "aarhus" finds it: one typo).
    assert_eq!(aarhus_place["city"], "Arhus", "{aarhus_place}");
    assert_eq!(aarhus_place["country"], "Denmark");
    assert_eq!(place(tokyo).await["country"], "Japan");
    assert_eq!(place(reykjavik).await["country"], "Iceland");
    assert_eq!(place(new_york).await["country"], "United States");
    assert_eq!(place(train).await["country"], "United Kingdom");
    assert_eq!(place(big_ben).await["country"], "United Kingdom");

    let expect = |query: &'static str, want: Vec<i64>| {
        let owner = &owner;
        async move {
            let results = search(owner, query).await;
            assert_eq!(
                ids(&results),
                want.iter().copied().collect::<BTreeSet<_>>(),
                "“{query}”: {results}"
            );
            results
        }
    };
    // Words: places, accents, typos, the word being typed.
    expect("aarhus", vec![aarhus]).await;
    expect("place:aarhus", vec![aarhus]).await;
    expect("Reykjavík", vec![reykjavik]).await;
    expect("reykjavk iceland", vec![reykjavik]).await;
    expect("japan", vec![tokyo]).await;
    expect("tokio", vec![tokyo]).await;
    expect("reykja", vec![reykjavik]).await;
    expect("reykja ", vec![]).await;
    expect("united kingdom", vec![train, london, big_ben]).await;
    // Dates.
    expect("2018", vec![aarhus, rugen, pixel]).await;
    expect("date:2018-05", vec![aarhus]).await;
    expect("date:2018-05..2018-08", vec![aarhus, rugen]).await;
    expect("before:2012", vec![mongolia]).await;
    expect("after:2023-01-01 -date:2024", vec![big_ben]).await;
    expect("denmark 2018", vec![aarhus]).await;
    // Cameras, kinds, flags, exclusions.
    expect("camera:nexus", vec![aarhus, rugen]).await;
    expect("camera:pixel", vec![pixel]).await;
    expect("camera:\"EOS R5\"", vec![big_ben]).await;
    expect("camera:iphone", vec![train]).await;
    expect("nikon", vec![mongolia]).await;
    expect("type:video", vec![]).await;
    expect("type:photo has:gps 2011", vec![mongolia]).await;
    expect("united kingdom -place:london", vec![train]).await;
    expect("-camera:nexus 2018", vec![pixel]).await;

    // Captions: phrases, typos, and relevance before date.
    for (id, caption) in [
        (mongolia, "Grandma's birthday by the yurt"),
        (aarhus, "Sunset sunset sunset"),
        (
            new_york,
            "A sunset over the river, seen from a long walk across the bridge",
        ),
    ] {
        let response = owner
            .patch(&format!("/api/assets/{id}"), &json!({ "caption": caption }))
            .await;
        assert_eq!(response.status(), 200);
    }
    indexed(&server, &owner, "sunset", 2).await;
    expect("birthdya", vec![mongolia]).await;
    expect("\"grandma's birthday\"", vec![mongolia]).await;
    expect("\"birthday grandma's\"", vec![]).await;
    let ranked = search(&owner, "sunset").await;
    assert_eq!(ranked["sort"], "relevance");
    assert_eq!(
        ranked["items"][0]["id"], aarhus,
        "more sunsets first: {ranked}"
    );
    let by_date = owner.json("/api/search?q=sunset&sort=date").await;
    assert_eq!(by_date["items"][0]["id"], new_york, "newest first");

    // Favourites.
    owner
        .patch(
            &format!("/api/assets/{pixel}"),
            &json!({ "favourite": true }),
        )
        .await;
    indexed(&server, &owner, "is:favorite", 1).await;
    expect("is:favourite", vec![pixel]).await;

    // Facets count what matches.
    let all = search(&owner, "").await;
    assert_eq!(all["sort"], "date");
    let facets = &all["facets"];
    let count_of = |list: &Value, value: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|f| f["value"] == value)
            .map(|f| f["count"].clone())
    };
    assert_eq!(
        count_of(&facets["years"], "2018"),
        Some(json!(3)),
        "{facets}"
    );
    assert_eq!(count_of(&facets["years"], "2024"), Some(json!(4)));
    assert_eq!(
        count_of(&facets["places"], "United Kingdom"),
        Some(json!(3))
    );
    assert_eq!(count_of(&facets["cameras"], "LGE Nexus 5X"), Some(json!(2)));
    let uk = facets["places"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["value"] == "United Kingdom")
        .unwrap();
    assert_eq!(uk["filter"], "place:\"United Kingdom\"");

    // Suggestions, most frequent first.
    let suggestions = owner.json("/api/search/suggest?q=nex").await;
    assert_eq!(suggestions[0]["value"], "LGE Nexus 5X", "{suggestions}");
    assert_eq!(suggestions[0]["count"], 2);
    assert_eq!(suggestions[0]["kind"], "camera");
    let suggestions = owner.json("/api/search/suggest?q=king").await;
    assert_eq!(suggestions[0]["value"], "United Kingdom", "{suggestions}");

    // Pages by date: every photo once, newest first.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/search?limit=3&cursor={c}"),
            None => "/api/search?limit=3".to_owned(),
        };
        let page = owner.json(&url).await;
        assert_eq!(page["total"], 10);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|i| i["t"].as_str().unwrap().to_owned()),
        );
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10);
    let mut sorted = seen.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(seen, sorted);

    // Queries that cannot be read say where.
    for (query, position) in [
        ("beach \"unclosed", 6),
        ("date:2019-13", 5),
        ("colour:red", 0),
        ("sea type:gif", 9),
        ("by:nobody", 0),
        ("place:", 6),
    ] {
        let response = owner
            .get(&format!("/api/search?q={}", urlencode(query)))
            .await;
        assert_eq!(response.status(), 400, "{query}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "invalid_query", "{query}");
        assert_eq!(body["position"], position, "{query}: {body}");
    }
    let many = vec!["word"; 17].join(" ");
    let response = owner
        .get(&format!("/api/search?q={}", urlencode(&many)))
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        (&body["code"], &body["position"]),
        (&json!("invalid_query"), &json!(80))
    );
    // Relevance pages go 10 000 deep; a deeper cursor is refused, not run.
    let deep = owner
        .get("/api/search?q=united&cursor=o1099511627776")
        .await;
    assert_eq!(deep.status(), 400);
    // An excluded last word is meant whole, not as a prefix.
    expect("2018 -nex", vec![aarhus, rugen, pixel]).await;
    assert_eq!(server.get("/api/search?q=x").await.status(), 401);
}

#[tokio::test]
async fn nobody_finds_what_they_may_not_see() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "milo").await;
    let [secret] = upload(
        &member,
        &["pigallery2/test/backend/assets/timestamps/big_ben.jpg"],
    )
    .await[..] else {
        panic!()
    };
    member
        .patch(
            &format!("/api/assets/{secret}"),
            &json!({ "caption": "secret garden" }),
        )
        .await;
    let [mine] = upload(&owner, &["lychee/tests/Samples/aarhus.jpg"]).await[..] else {
        panic!()
    };
    indexed(&server, &member, "secret", 1).await;
    indexed(&server, &owner, "", 1).await;

    // The owner: not in results, counts, facets or suggestions.
    assert_eq!(search(&owner, "secret").await["total"], 0);
    assert_eq!(search(&owner, "london").await["total"], 0);
    let everything = search(&owner, "").await;
    assert_eq!(ids(&everything), BTreeSet::from([mine]));
    let facets = everything["facets"].to_string();
    assert!(
        !facets.contains("London") && !facets.contains("Canon"),
        "{facets}"
    );
    assert_eq!(owner.json("/api/search/suggest?q=can").await, json!([]));
    assert_eq!(owner.json("/api/search/suggest?q=lond").await, json!([]));
    assert_eq!(
        search(&owner, "by:milo").await["total"],
        0,
        "naming the member shows nothing private"
    );

    // Shared with the family, it is found; trashed, it is gone again.
    member
        .patch(
            &format!("/api/assets/{secret}"),
            &json!({ "visibility": "family" }),
        )
        .await;
    indexed(&server, &owner, "secret garden", 1).await;
    assert_eq!(
        owner.json("/api/search/suggest?q=can").await[0]["value"],
        "Canon EOS R5"
    );
    assert_eq!(search(&owner, "by:milo").await["total"], 1);
    member
        .ok("/api/assets/trash", &json!({ "ids": [secret] }))
        .await;
    indexed(&server, &owner, "secret", 0).await;
    indexed(&server, &member, "secret", 0).await;
    member
        .ok("/api/assets/restore", &json!({ "ids": [secret] }))
        .await;
    indexed(&server, &member, "secret", 1).await;
}

#[tokio::test]
async fn the_index_follows_the_database_through_restarts_and_rebuilds() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let found = upload(&owner, &PHOTOS[..4]).await;
    indexed(&server, &owner, "", 4).await;
    let before = search(&owner, "camera:nexus").await;
    assert_eq!(before["total"], 2);
    let dir = server.stop().await;

    // A change the index never saw (as if the process died between the
    // database commit and the index commit): the change log has it.
    let db = hearth::db::open(&dir.path().join("data/hearth.db"))
        .await
        .unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        &format!(
            "UPDATE assets SET caption = 'Yurt at dusk' WHERE id = {}",
            found[2]
        ),
    )
    .await
    .unwrap();
    // And a photo from before places existed: looked up in the background.
    sea_orm::ConnectionTrait::execute_unprepared(
        &db,
        &format!(
            "UPDATE assets SET place_city = NULL, place_area = NULL, place_region = NULL, \
             place_country = NULL, place_at = NULL WHERE id = {}",
            found[0]
        ),
    )
    .await
    .unwrap();
    db.close().await.unwrap();
    let server = TestServer::start_in(dir).await;
    let owner = server
        .sign_in("olivia", crate::harness::OWNER_PASSWORD)
        .await;
    indexed(&server, &owner, "yurt", 1).await;
    server
        .until("the place looked up again", || async {
            owner.json(&format!("/api/assets/{}", found[0])).await["place"]["country"] == "Denmark"
        })
        .await;
    indexed(&server, &owner, "place:denmark", 1).await;

    // `hearth reindex` on the stopped server gives the same answers.
    let incremental = answers(&owner).await;
    let dir = server.stop().await;
    let outcome = run(hearth_command(dir.path())
        .arg("reindex")
        .arg("--data")
        .arg(dir.path().join("data")));
    assert_eq!(
        outcome.code,
        Some(0),
        "{}{}",
        outcome.stdout,
        outcome.stderr
    );
    assert!(
        outcome.stdout.contains("4 photos and videos"),
        "{}",
        outcome.stdout
    );
    let server = TestServer::start_in(dir).await;
    let owner = server
        .sign_in("olivia", crate::harness::OWNER_PASSWORD)
        .await;
    assert_eq!(answers(&owner).await, incremental);

    // Asked of the running server — by the owner's API, then by `hearth
    // reindex`, which finds the index held and hands the rebuild over: each
    // time a new generation takes over, with the same answers.
    let generation = || server.state().search().unwrap().current().name.clone();
    let rebuilt = |before: String| {
        let generation = &generation;
        let server = &server;
        async move {
            server
                .until("a new index generation", || {
                    let before = before.clone();
                    async move { generation() != before }
                })
                .await;
        }
    };
    let before = generation();
    let response = owner.post("/api/search/reindex", &json!({})).await;
    assert_eq!(response.status(), 200);
    rebuilt(before).await;
    assert_eq!(answers(&owner).await, incremental);
    let before = generation();
    let data = server.data_dir();
    let outcome = run(hearth_command(data.parent().unwrap())
        .arg("reindex")
        .arg("--data")
        .arg(&data));
    assert_eq!(
        outcome.code,
        Some(0),
        "{}{}",
        outcome.stdout,
        outcome.stderr
    );
    assert!(
        outcome.stdout.contains("Hearth is running"),
        "{}",
        outcome.stdout
    );
    rebuilt(before).await;
    assert_eq!(answers(&owner).await, incremental);

    // Purged (as retention will): its document goes too.
    sea_orm::ConnectionTrait::execute_unprepared(
        server.state().db(),
        &format!("DELETE FROM assets WHERE id = {}", found[3]),
    )
    .await
    .unwrap();
    server.state().search().unwrap().wake.notify_one();
    indexed(&server, &owner, "", 3).await;
    server.stop().await;
}

async fn answers(owner: &Browser) -> Vec<BTreeSet<i64>> {
    let mut all = Vec::new();
    for query in [
        "",
        "camera:nexus",
        "yurt",
        "2018",
        "united kingdom",
        "-2018",
    ] {
        all.push(ids(&search(owner, query).await));
    }
    all
}
