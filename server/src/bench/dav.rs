//! `hearth bench dav`: how long a backup app waits for the listing of a
//! folder of many photos (`PROPFIND`, depth 1), the request every sync
//! starts with, over real HTTP against this binary as a server.

use std::fmt::Write as _;
use std::time::Instant;

use base64::Engine as _;
use sea_orm::ConnectionTrait as _;

use super::server::{PASSWORD, Server, sign_up};
use super::{internal, percentile};
use crate::error::AppError;

/// Listings timed.
const RUNS: usize = 20;

pub async fn dav(entries: u32) -> Result<String, AppError> {
    let home = tempfile::tempdir().map_err(|e| internal(&e))?;
    let (server, token, _) = Server::start(home.path())?;
    let mut owner = sign_up(&server, token).await?;
    let body = serde_json::json!({ "name": "bench", "password": PASSWORD }).to_string();
    let created = owner
        .post("/api/me/devices", "application/json", body.as_bytes())
        .await
        .map_err(|e| internal(&e))?
        .json();
    let password = created["password"]
        .as_str()
        .ok_or_else(|| internal(&"no device password"))?
        .to_owned();
    server.stop();

    // The app's folder with `entries` photos in it, as a phone's backup of
    // years leaves it.
    let started = Instant::now();
    let db = crate::db::open(&home.path().join("data/hearth.db"))
        .await
        .map_err(|e| internal(&e))?;
    db.execute_unprepared(&format!(
        "INSERT INTO dav_entries (user_id, parent, name, state, modified_at, created_at) VALUES \
           (1, '', 'DCIM', 'folder', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'), \
           (1, 'DCIM', 'Camera', 'folder', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z'); \
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {entries}) \
         INSERT INTO dav_entries (user_id, parent, name, state, bytes, hash, modified_at, created_at) \
         SELECT 1, 'DCIM/Camera', printf('IMG_%05d.JPG', i), 'file', 2000000 + i, printf('%064x', i), \
           strftime('%Y-%m-%dT%H:%M:%SZ', 1500000000 + i * 3600, 'unixepoch'), '2026-01-01T00:00:00Z' FROM n"
    ))
    .await?;
    db.close().await?;
    let seeded = started.elapsed();

    let (server, _, _) = Server::start(home.path())?;
    let mut phone = super::client::Client::new(server.addr);
    let credentials =
        base64::engine::general_purpose::STANDARD.encode(format!("bench:{password}").as_bytes());
    phone.headers = format!("Authorization: Basic {credentials}\r\nDepth: 1\r\n");
    let mut millis = Vec::with_capacity(RUNS);
    let mut listed = 0;
    let mut bytes = 0;
    for _ in 0..RUNS {
        let asked = Instant::now();
        let answer = phone
            .send("PROPFIND", "/dav/bench/DCIM/Camera/", None, &[])
            .await
            .map_err(|e| internal(&e))?;
        millis.push(asked.elapsed().as_secs_f64() * 1000.0);
        if answer.status != 207 {
            server.stop();
            return Err(internal(&format!("PROPFIND answered {}", answer.status)));
        }
        bytes = answer.body.len();
        listed = String::from_utf8_lossy(&answer.body)
            .matches("<D:response>")
            .count();
    }
    server.stop();
    millis.sort_by(f64::total_cmp);
    let mut report = String::new();
    let _ = write!(
        report,
        "PROPFIND (depth 1) of a folder of {entries} photos, {RUNS} times over one connection: \
         p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms; {listed} entries, {} KiB of XML \
         (the folder seeded in {:.1} s)",
        percentile(&millis, 50),
        percentile(&millis, 95),
        millis.last().copied().unwrap_or_default(),
        bytes / 1024,
        seeded.as_secs_f64(),
    );
    Ok(report)
}
