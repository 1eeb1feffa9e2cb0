//! `hearth bench ingest DIR`: how fast this machine reads metadata and makes
//! previews and thumbnails. Prints figures; asserts nothing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hearth_media::derive::{self, Limits};
use hearth_media::metadata;

/// Image files under `dir`, by extension (the same walk as `hearth import`).
fn images(dir: &Path) -> Vec<PathBuf> {
    crate::library::roots::Exclusions::new(&[])
        .walk(dir)
        .unwrap_or_default()
        .into_iter()
        .map(|(path, _)| path)
        .filter(|path| {
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                matches!(
                    e.to_ascii_lowercase().as_str(),
                    "jpg"
                        | "jpeg"
                        | "png"
                        | "webp"
                        | "gif"
                        | "tif"
                        | "tiff"
                        | "heic"
                        | "heif"
                        | "avif"
                )
            })
        })
        .collect()
}

#[derive(Default)]
struct Sums {
    metadata: Duration,
    decode: Duration,
    resize: Duration,
    encode: Duration,
    done: usize,
    failed: usize,
}

fn one(path: &Path, sums: &mut Sums) {
    let started = Instant::now();
    let Ok(meta) = metadata::read(path) else {
        sums.failed += 1;
        return;
    };
    sums.metadata += started.elapsed();
    let Ok(bytes) = std::fs::read(path) else {
        sums.failed += 1;
        return;
    };
    match derive::derive(&bytes, meta.orientation, &Limits::default()) {
        Ok(derived) => {
            sums.decode += derived.timings.decode;
            sums.resize += derived.timings.resize;
            sums.encode += derived.timings.encode;
            sums.done += 1;
        }
        Err(_) => sums.failed += 1,
    }
}

fn millis(total: Duration, count: usize) -> f64 {
    let count = u32::try_from(count).unwrap_or(u32::MAX).max(1);
    total.as_secs_f64() * 1000.0 / f64::from(count)
}

/// Runs the benchmark and returns the report to print.
pub fn ingest(dir: &Path) -> String {
    let files = images(dir);
    if files.is_empty() {
        return format!(
            "No images (JPEG, PNG, WebP, GIF, TIFF, HEIC, AVIF) under {}.",
            dir.display()
        );
    }
    // One core: where the time goes.
    let mut sums = Sums::default();
    for path in &files {
        one(path, &mut sums);
    }
    // Every core: throughput.
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..cores {
            scope.spawn(|| {
                let mut local = Sums::default();
                while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                    one(path, &mut local);
                }
            });
        }
    });
    let wall = started.elapsed();
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or_else(|| "unknown".to_owned(), |kib| format!("{} MiB", kib / 1024));
    let n = sums.done;
    format!(
        "{} images ({} failed) in {}\n\
         per image, one core: metadata {:.1} ms, decode {:.1} ms, resize {:.1} ms, encode {:.1} ms, total {:.1} ms\n\
         all {cores} cores: {:.1} images/s\n\
         peak resident memory: {peak}",
        n,
        sums.failed,
        dir.display(),
        millis(sums.metadata, n),
        millis(sums.decode, n),
        millis(sums.resize, n),
        millis(sums.encode, n),
        millis(sums.metadata + sums.decode + sums.resize + sums.encode, n),
        f64::from(u32::try_from(files.len()).unwrap_or(u32::MAX)) / wall.as_secs_f64(),
    )
}

/// `hearth bench timeline`: a scratch database with `count` assets (a
/// third of them shared with the family, spread over 30 years), then the
/// timeline's two queries as a member who owns none of them sees them.
pub async fn timeline(count: u32) -> Result<String, crate::error::AppError> {
    use crate::library::access::Viewer;
    use crate::library::api::{month_assets, month_counts};
    use sea_orm::ConnectionTrait as _;

    let internal =
        |err: &dyn std::fmt::Display| crate::error::AppError::Internal(anyhow::anyhow!("{err}"));
    let dir = tempfile::tempdir().map_err(|e| internal(&e))?;
    let db = crate::db::open(&dir.path().join("hearth.db"))
        .await
        .map_err(|e| internal(&e))?;
    crate::db::migrate(&db).await.map_err(|e| internal(&e))?;
    let started = Instant::now();
    for (id, name) in [(1, "owner"), (2, "viewer")] {
        db.execute_unprepared(&format!(
            "INSERT INTO users (id, username, display_name, role, status, webauthn_id, created_at, updated_at) \
             VALUES ({id}, '{name}', '{name}', 'member', 'active', '{id}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')"
        ))
        .await?;
    }
    // 30 years of months; each asset gets a distinct instant.
    db.execute_unprepared(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
         INSERT INTO assets (owner_id, hash, kind, mime, bytes, width, height, orientation, sort_at, \
           taken_source, keywords, favourite, visibility, status, created_at, updated_at, month) \
         SELECT 1, printf('%064x', i), 'photo', 'image/jpeg', 3000000, 4000, 3000, 1, \
           strftime('%Y-%m-%dT%H:%M:%SZ', 946684800 + i * (946080000 / {count}), 'unixepoch'), \
           'exif_original', '[]', 0, CASE WHEN i % 3 = 0 THEN 'family' ELSE 'private' END, 'active', \
           '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', \
           CAST(strftime('%Y%m', 946684800 + i * (946080000 / {count}), 'unixepoch') AS INTEGER) \
         FROM n"
    ))
    .await?;
    db.execute_unprepared("ANALYZE").await?;
    let filled = started.elapsed();
    let viewer = Viewer { user_id: 2 };
    let mut months = Duration::ZERO;
    let mut month = Duration::ZERO;
    let mut shown = 0;
    let runs = 5;
    for _ in 0..runs {
        let started = Instant::now();
        let counts = month_counts(&db, viewer).await?;
        months += started.elapsed();
        let busiest = counts
            .iter()
            .max_by_key(|c| c.count)
            .map_or(200_001, |c| c.month);
        let started = Instant::now();
        shown = month_assets(&db, viewer, busiest).await?.len();
        month += started.elapsed();
    }
    Ok(format!(
        "{count} assets (made in {:.1} s)\n\
         months with counts (what a member sees): {:.1} ms\n\
         one month ({shown} assets): {:.1} ms",
        filled.as_secs_f64(),
        millis(months, runs),
        millis(month, runs),
    ))
}
