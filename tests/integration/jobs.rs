//! The persistent job queue: order, retries with backoff, giving up,
//! resuming after a stop, and no job taken twice.

use std::collections::HashSet;
use std::sync::Arc;

use chrono::TimeDelta;
use hearth::clock::Clock;
use hearth::jobs::{self, Depth, MAX_ATTEMPTS};
use serde_json::json;
use tokio::sync::Mutex;

use hearth::clock::{ManualClock, SystemClock};

/// The queue on its own database (a server's workers would take the jobs).
struct Queue {
    db: sea_orm::DatabaseConnection,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

impl Queue {
    async fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = hearth::db::open(&dir.path().join("hearth.db"))
            .await
            .unwrap();
        hearth::db::migrate(&db).await.unwrap();
        Self {
            db,
            clock: ManualClock::new(SystemClock.now()),
            _dir: dir,
        }
    }
}

#[tokio::test]
async fn jobs_run_in_order_and_leave_when_done() {
    let server = Queue::new().await;
    let db = &server.db;
    let now = server.clock.now();
    for n in 1..=3 {
        jobs::enqueue(db, "ingest", &json!({ "n": n }), now)
            .await
            .unwrap();
    }
    assert_eq!(
        jobs::depth(db).await.unwrap(),
        Depth {
            queued: 3,
            running: 0,
            failed: 0
        }
    );
    let first = jobs::claim(db, now).await.unwrap().unwrap();
    assert_eq!(first.payload::<serde_json::Value>().unwrap()["n"], 1);
    assert_eq!(first.attempts, 1);
    assert_eq!(
        jobs::depth(db).await.unwrap(),
        Depth {
            queued: 2,
            running: 1,
            failed: 0
        }
    );
    jobs::complete(db, first.id).await.unwrap();
    let second = jobs::claim(db, now).await.unwrap().unwrap();
    assert_eq!(second.payload::<serde_json::Value>().unwrap()["n"], 2);
}

#[tokio::test]
async fn failures_back_off_then_give_up() {
    let server = Queue::new().await;
    let db = &server.db;
    jobs::enqueue(db, "derive", &json!({ "asset": 7 }), server.clock.now())
        .await
        .unwrap();
    for attempt in 1..=MAX_ATTEMPTS {
        let job = jobs::claim(db, server.clock.now())
            .await
            .unwrap()
            .expect("due");
        assert_eq!(job.attempts, attempt);
        jobs::fail(
            db,
            &job,
            &format!("broken pipe #{attempt}"),
            server.clock.now(),
        )
        .await
        .unwrap();
        // Not again before the backoff has passed.
        assert!(jobs::claim(db, server.clock.now()).await.unwrap().is_none());
        server
            .clock
            .advance(jobs::backoff(attempt) - TimeDelta::seconds(1));
        assert!(jobs::claim(db, server.clock.now()).await.unwrap().is_none());
        server.clock.advance(TimeDelta::seconds(1));
    }
    assert!(
        jobs::claim(db, server.clock.now()).await.unwrap().is_none(),
        "given up"
    );
    assert_eq!(
        jobs::depth(db).await.unwrap(),
        Depth {
            queued: 0,
            running: 0,
            failed: 1
        }
    );
    assert_eq!(jobs::backoff(1), TimeDelta::seconds(10));
    assert_eq!(jobs::backoff(4), TimeDelta::seconds(640));
}

#[tokio::test]
async fn jobs_running_at_a_stop_run_again() {
    let server = Queue::new().await;
    let now = server.clock.now();
    jobs::enqueue(&server.db, "ingest", &json!({ "path": "a.jpg" }), now)
        .await
        .unwrap();
    let claimed = jobs::claim(&server.db, now).await.unwrap().unwrap();
    // As on start after a stop:
    let db = &server.db;
    assert_eq!(jobs::recover(db, now).await.unwrap(), 1);
    assert_eq!(
        jobs::depth(db).await.unwrap(),
        Depth {
            queued: 1,
            running: 0,
            failed: 0
        }
    );
    let again = jobs::claim(db, server.clock.now()).await.unwrap().unwrap();
    assert_eq!(again.id, claimed.id);
    assert_eq!(again.attempts, 2, "the interrupted run counts");
}

#[tokio::test]
async fn concurrent_workers_never_take_the_same_job() {
    let server = Queue::new().await;
    let now = server.clock.now();
    for n in 0..60 {
        jobs::enqueue(&server.db, "ingest", &json!({ "n": n }), now)
            .await
            .unwrap();
    }
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut workers = Vec::new();
    for _ in 0..6 {
        let db = server.db.clone();
        let seen = seen.clone();
        workers.push(tokio::spawn(async move {
            while let Some(job) = jobs::claim(&db, now).await.unwrap() {
                seen.lock().await.push(job.id);
                jobs::complete(&db, job.id).await.unwrap();
            }
        }));
    }
    for worker in workers {
        worker.await.unwrap();
    }
    let seen = seen.lock().await;
    assert_eq!(seen.len(), 60);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        60,
        "each job once"
    );
}
