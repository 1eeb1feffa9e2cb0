//! `GET /api/events`: what changes reaches open tabs as Server-Sent Events,
//! each member only hears about what they may see, and a stream ends with
//! its session and with the server.

use std::time::Duration;

use futures_util::StreamExt as _;
use serde_json::{Value, json};

use crate::fixtures::jpeg;
use crate::harness::{Browser, TestServer};
use crate::household::join;

/// An open event stream, read event by event.
pub struct Stream {
    body: futures_util::stream::BoxStream<'static, reqwest::Result<Vec<u8>>>,
    buffer: String,
    /// The SSE id of the last event read.
    last_id: Option<String>,
}

impl Stream {
    pub async fn open(browser: &Browser) -> Self {
        Self::open_after(browser, None).await
    }

    /// Opens as a reconnecting browser does, with `Last-Event-ID`.
    async fn open_after(browser: &Browser, last_event_id: Option<&str>) -> Self {
        let mut request = browser.client.get(format!("{}/api/events", browser.base));
        if let Some(id) = last_event_id {
            request = request.header("last-event-id", id);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"].to_str().unwrap(),
            "text/event-stream"
        );
        Self {
            body: response
                .bytes_stream()
                .map(|chunk| chunk.map(|bytes| bytes.to_vec()))
                .boxed(),
            buffer: String::new(),
            last_id: None,
        }
    }

    /// The next event as (name, data); `None` when the stream ended.
    /// Panics when nothing comes for 10 s (keep-alives come every 25 s).
    async fn next(&mut self) -> Option<(String, Value)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = None;
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event: ") {
                        value.clone_into(&mut name);
                    } else if let Some(value) = line.strip_prefix("id: ") {
                        self.last_id = Some(value.to_owned());
                    } else if let Some(value) = line.strip_prefix("data: ") {
                        data = Some(serde_json::from_str(value).unwrap());
                    }
                }
                // Keep-alive comments carry no data.
                if let Some(data) = data {
                    return Some((name, data));
                }
                continue;
            }
            let chunk = tokio::time::timeout(Duration::from_secs(10), self.body.next())
                .await
                .expect("an event or the end of the stream within 10 s")?
                .ok()?;
            self.buffer.push_str(&String::from_utf8_lossy(&chunk));
        }
    }

    /// The next `library` event, skipping others; panics if none comes.
    async fn library(&mut self) -> Vec<i64> {
        loop {
            let (name, data) = self.next().await.expect("a library event");
            if name == "library" {
                return serde_json::from_value(data["ids"].clone()).unwrap();
            }
        }
    }
}

#[tokio::test]
async fn changes_reach_the_members_who_may_see_them() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "theo").await;
    let mut owner_events = Stream::open(&owner).await;
    let mut member_events = Stream::open(&member).await;

    // A private upload: the owner hears of it (and of the job queue).
    let uploaded: Value = owner
        .upload(&[("beach.jpg", jpeg(800, 600, 1, Some("2019:07:04 15:30:12")))])
        .await
        .json()
        .await
        .unwrap();
    let id = uploaded["files"][0]["asset_id"].as_i64().unwrap();
    let mut heard = Vec::new();
    while !(heard.iter().any(|(name, _)| name == "library")
        && heard.iter().any(|(name, _)| name == "jobs"))
    {
        heard.push(owner_events.next().await.expect("an event"));
    }
    let library: Vec<&Value> = heard
        .iter()
        .filter(|(name, _)| name == "library")
        .map(|(_, data)| data)
        .collect();
    assert_eq!(library, [&json!({ "kind": "library", "ids": [id] })]);

    // Shared with the family: now the member hears — and this is the first
    // thing they hear (nothing of the private photo, nothing of the jobs).
    let response = owner
        .patch(
            &format!("/api/assets/{id}"),
            &json!({ "visibility": "family" }),
        )
        .await;
    assert_eq!(response.status(), 200);
    let (name, data) = member_events.next().await.expect("an event");
    assert_eq!((name.as_str(), &data["ids"]), ("library", &json!([id])));
    assert_eq!(owner_events.library().await, vec![id]);

    // Made private again: the member is told too (it leaves their view)…
    owner
        .patch(
            &format!("/api/assets/{id}"),
            &json!({ "visibility": "private" }),
        )
        .await;
    assert_eq!(member_events.library().await, vec![id]);
    // …but not when the owner then makes it private again (it already
    // is), or trashes it.
    let unchanged = owner
        .ok(
            "/api/assets/edit",
            &json!({ "ids": [id], "visibility": "private" }),
        )
        .await;
    assert_eq!(unchanged["changed"], 1);
    let trashed = owner
        .post("/api/assets/trash", &json!({ "ids": [id] }))
        .await;
    assert_eq!(trashed.status(), 200);
    assert_eq!(owner_events.library().await, vec![id]);
    let other = owner
        .upload(&[("snow.jpg", jpeg(600, 800, 2, None))])
        .await
        .json::<Value>()
        .await
        .unwrap()["files"][0]["asset_id"]
        .as_i64()
        .unwrap();
    owner
        .patch(
            &format!("/api/assets/{other}"),
            &json!({ "visibility": "family" }),
        )
        .await;
    assert_eq!(member_events.library().await, vec![other]);

    // Without a session there is no stream.
    assert_eq!(server.get("/api/events").await.status(), 401);
}

#[tokio::test]
async fn a_stream_ends_with_its_session_and_with_the_server() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, _) = join(&server, &owner, "member", "theo").await;
    let mut member_events = Stream::open(&member).await;
    let mut owner_events = Stream::open(&owner).await;

    // Signed out (from another tab): within a minute the stream ends.
    let signed_out = member.post("/api/auth/signout", &json!({})).await;
    assert!(signed_out.status().is_success());
    server.clock.advance(chrono::TimeDelta::seconds(61));
    assert!(
        member_events.next().await.is_none(),
        "the stream ends once its session is gone"
    );

    // The server stops: the open stream ends at once, and does not hold
    // the shutdown for its grace period.
    let started = std::time::Instant::now();
    server.stop().await;
    assert!(owner_events.next().await.is_none());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped in {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_reconnecting_tab_gets_what_it_missed() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let mut events = Stream::open(&owner).await;
    let upload = |seed: u8| {
        let owner = &owner;
        async move {
            owner
                .upload(&[("p.jpg", jpeg(300, 200, seed, None))])
                .await
                .json::<Value>()
                .await
                .unwrap()["files"][0]["asset_id"]
                .as_i64()
                .unwrap()
        }
    };
    let first = upload(1).await;
    assert_eq!(events.library().await, vec![first]);
    let seen = events.last_id.clone().expect("events carry ids");
    drop(events);

    // Two more while the tab was away: they come first on reconnecting.
    let second = upload(2).await;
    let third = upload(3).await;
    let mut again = Stream::open_after(&owner, Some(&seen)).await;
    assert_eq!(again.library().await, vec![second]);
    assert_eq!(again.library().await, vec![third]);

    // An id this server never gave (it restarted, or garbage): reload.
    for unknown in ["999999", "not a number"] {
        let mut stale = Stream::open_after(&owner, Some(unknown)).await;
        let (name, _) = stale.next().await.expect("an event");
        assert_eq!(name, "resync", "{unknown}");
    }
    drop(again);

    // A member holds at most eight streams: a new one ends their oldest
    // (most often a closed tab the server has not noticed yet).
    let mut open = Vec::new();
    for _ in 0..8 {
        open.push(Stream::open(&owner).await);
    }
    let mut newest = Stream::open(&owner).await;
    assert!(open[0].next().await.is_none(), "the oldest stream ended");
    let fourth = upload(4).await;
    assert_eq!(newest.library().await, vec![fourth]);
    assert_eq!(open[1].library().await, vec![fourth], "the others stay");
}

impl Stream {
    /// The next event called `name`, skipping others.
    pub async fn named(&mut self, name: &str) -> Value {
        loop {
            let (kind, data) = self.next().await.expect("an event");
            if kind == name {
                return data;
            }
        }
    }
}

#[tokio::test]
async fn album_events_reach_its_members_only_and_survive_a_restart() {
    let crate::albums::Family {
        server,
        owner,
        viewer,
        outsider,
        album,
        ..
    } = crate::albums::family().await;
    let mut member = Stream::open(&viewer).await;
    let mut other = Stream::open(&outsider).await;

    // A private photo added, a comment, a heart: the member hears each.
    let photo = crate::albums::photo(&owner, "p.jpg", 3, "2024:07:01 10:00:00").await;
    owner
        .ok(
            &format!("/api/albums/{album}/assets"),
            &json!({ "ids": [photo], "share_private": true }),
        )
        .await;
    let added = member.named("album").await;
    assert_eq!(
        (added["album"].as_i64(), added["ids"].clone()),
        (Some(album), json!([photo]))
    );
    owner
        .ok(
            &format!("/api/albums/{album}/comments"),
            &json!({ "body": "Look at this", "asset_id": photo }),
        )
        .await;
    let said = member.named("comments").await;
    assert_eq!(
        (said["album"].as_i64(), said["ids"].clone()),
        (Some(album), json!([photo]))
    );
    assert_eq!(member.named("notifications").await["kind"], "notifications");

    // The non-member heard none of it: the first thing they hear is
    // their own upload.
    let own = crate::albums::photo(&outsider, "mine.jpg", 4, "2024:07:02 10:00:00").await;
    let (name, data) = other.next().await.expect("an event");
    assert_eq!(
        (name.as_str(), data["ids"].clone()),
        ("library", json!([own]))
    );
    let seen = member.last_id.clone().expect("events carry ids");
    drop(member);

    // After a restart the old id means nothing: the tab is told to reload.
    let dir = server.stop().await;
    let server = TestServer::start_in(dir).await;
    let viewer = server.browser();
    let signed_in = viewer
        .post(
            "/api/auth/password",
            &json!({ "username": "vic", "password": crate::harness::OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(signed_in.status(), 200);
    let mut again = Stream::open_after(&viewer, Some(&seen)).await;
    assert_eq!(again.next().await.expect("an event").0, "resync");
}

#[tokio::test]
async fn a_security_notice_reaches_the_bell_at_once() {
    let server = TestServer::start().await;
    let owner = server.owner().await;
    let (member, id) = join(&server, &owner, "member", "mira").await;
    let mut events = Stream::open(&member).await;
    let changed = owner
        .patch(
            &format!("/api/household/members/{id}"),
            &json!({ "role": "admin", "password": crate::harness::OWNER_PASSWORD }),
        )
        .await;
    assert_eq!(changed.status(), 200);
    assert_eq!(events.named("notifications").await["kind"], "notifications");
    let notes = member.json("/api/notifications").await;
    assert_eq!(notes["items"][0]["kind"], "role_changed");
    assert_eq!(notes["items"][0]["read"], false);
}
