//! `hearth bench ingest DIR`: how fast this machine reads metadata and makes
//! previews and thumbnails. Prints figures; asserts nothing.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hearth_media::derive::{self, Limits};
use hearth_media::metadata;

/// Image files under `dir`, by extension (the same walk as `hearth import`).
mod client;
mod dav;
mod load;
mod seed;
mod server;

pub use dav::dav;
pub use load::{LoadOptions, load};
pub use seed::seed_library;

/// The sample `pct` percent of the way through `sorted` (0 if empty).
fn percentile(sorted: &[f64], pct: usize) -> f64 {
    let index = sorted.len().saturating_sub(1) * pct / 100;
    sorted.get(index).copied().unwrap_or(0.0)
}

fn images(dir: &Path) -> Vec<PathBuf> {
    crate::library::exclusions::Exclusions::new(&[])
        .walk(dir)
        .unwrap_or_default()
        .files
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

/// The process's peak resident memory, from `/proc`.
fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or_else(|| "unknown".to_owned(), |kib| format!("{} MiB", kib / 1024))
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
    let peak = peak_memory();
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

fn internal(err: &dyn std::fmt::Display) -> crate::error::AppError {
    crate::error::AppError::Internal(anyhow::anyhow!("{err}"))
}

/// Places, cameras and words the synthetic library is made of.
const CITIES: &str = r#"[["Lisbon","Lisbon","Portugal"],["Porto","Porto","Portugal"],["Zurich","Zurich","Switzerland"],["Paris","Ile-de-France","France"],["Lyon","Auvergne-Rhone-Alpes","France"],["Berlin","Berlin","Germany"],["Munich","Bavaria","Germany"],["London","England","United Kingdom"],["Edinburgh","Scotland","United Kingdom"],["Dublin","Leinster","Ireland"],["Madrid","Madrid","Spain"],["Barcelona","Catalonia","Spain"],["Rome","Lazio","Italy"],["Venice","Veneto","Italy"],["Vienna","Vienna","Austria"],["Prague","Prague","Czechia"],["Amsterdam","North Holland","Netherlands"],["Copenhagen","Capital Region","Denmark"],["Oslo","Oslo","Norway"],["Reykjavik","Capital Region","Iceland"],["New York City","New York","United States"],["San Francisco","California","United States"],["Tokyo","Tokyo","Japan"],["Kyoto","Kyoto","Japan"],["Sydney","New South Wales","Australia"]]"#;
const CAMERAS: &str = r#"[["Apple","iPhone 15 Pro"],["Apple","iPhone 12"],["Google","Pixel 8"],["Google","Pixel 6a"],["samsung","SM-S918B"],["Canon","Canon EOS R6"],["NIKON CORPORATION","NIKON Z 6"],["SONY","ILCE-7M3"],["FUJIFILM","X-T4"],["OLYMPUS CORPORATION","E-M10"]]"#;
const WORDS: &str = r#"["beach","birthday","party","grandma","sunset","mountain","lake","garden","dinner","wedding","school","holiday","snow","picnic","museum","bicycle","dog","cat","christmas","easter","harbour","forest","river","market","concert","football","cake","train","castle","bridge","rain","morning","evening","friends","cousins","playground","camping","boat","island","festival"]"#;

/// `count` synthetic assets with realistic fields, owned half by member 1
/// and half by member 2 (a third shared with the family), over 30 years.
async fn fill_assets(
    db: &sea_orm::DatabaseConnection,
    count: u32,
) -> Result<(), crate::error::AppError> {
    use sea_orm::ConnectionTrait as _;
    // Each asset gets a distinct instant over 30 years, a city (70% have
    // coordinates), a camera, a three-word caption for one in four, a tag.
    let at = format!("946684800 + i * (946080000 / {count})");
    db.execute_unprepared(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
         INSERT INTO assets (owner_id, hash, kind, mime, bytes, width, height, orientation, sort_at, \
           taken_local, taken_source, latitude, longitude, make, model, caption, keywords, favourite, \
           visibility, status, created_at, updated_at, month, place_city, place_region, place_country, place_at) \
         SELECT 1 + i % 2, printf('%064x', i), CASE WHEN i % 20 = 0 THEN 'video' ELSE 'photo' END, 'image/jpeg', \
           3000000, 4000, 3000, 1, \
           strftime('%Y-%m-%dT%H:%M:%SZ', {at}, 'unixepoch'), strftime('%Y-%m-%dT%H:%M:%S', {at}, 'unixepoch'), \
           'exif_original', CASE WHEN i % 10 < 7 THEN 38.7 END, CASE WHEN i % 10 < 7 THEN -9.1 END, \
           json_extract('{CAMERAS}', '$[' || (i % 10) || '][0]'), json_extract('{CAMERAS}', '$[' || (i % 10) || '][1]'), \
           CASE WHEN i % 4 = 0 THEN json_extract('{WORDS}', '$[' || (i % 40) || ']') || ' ' || \
             json_extract('{WORDS}', '$[' || (i * 7 % 40) || ']') || ' ' || json_extract('{WORDS}', '$[' || (i * 13 % 40) || ']') END, \
           '[\"' || json_extract('{WORDS}', '$[' || (i * 3 % 40) || ']') || '\"]', i % 50 = 0, \
           CASE WHEN i % 3 = 0 THEN 'family' ELSE 'private' END, 'active', \
           '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', \
           CAST(strftime('%Y%m', {at}, 'unixepoch') AS INTEGER), \
           CASE WHEN i % 10 < 7 THEN json_extract('{CITIES}', '$[' || (i % 25) || '][0]') END, \
           CASE WHEN i % 10 < 7 THEN json_extract('{CITIES}', '$[' || (i % 25) || '][1]') END, \
           CASE WHEN i % 10 < 7 THEN json_extract('{CITIES}', '$[' || (i % 25) || '][2]') END, \
           '2026-01-01T00:00:00Z' \
         FROM n"
    ))
    .await?;
    Ok(())
}

/// A scratch library of `count` assets with realistic fields, owned half
/// by member 1 and half by member 2 (a third shared with the family),
/// over 30 years. Returns the database (in `dir`) and how long it took.
async fn scratch_library(
    dir: &Path,
    count: u32,
) -> Result<(sea_orm::DatabaseConnection, Duration), crate::error::AppError> {
    use sea_orm::ConnectionTrait as _;
    let db = crate::db::open(&dir.join("hearth.db"))
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
    fill_assets(&db, count).await?;
    db.execute_unprepared("ANALYZE").await?;
    Ok((db, started.elapsed()))
}

/// `hearth bench timeline`: the timeline's two queries on a scratch
/// library, as a member who owns half of it sees it.
pub async fn timeline(count: u32) -> Result<String, crate::error::AppError> {
    use crate::library::access::Viewer;
    use crate::library::timeline::{month_assets, month_counts};

    let dir = tempfile::tempdir().map_err(|e| internal(&e))?;
    let (db, filled) = scratch_library(dir.path(), count).await?;
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

/// The queries `hearth bench search` times: words, typos, prefixes,
/// phrases, places, dates, filters, exclusions, everything.
const QUERIES: [&str; 20] = [
    "beach",
    "beach 2019",
    "lisbon",
    "lisbonn",
    "place:lisbon",
    "camera:pixel",
    "birthday party",
    "\"grandma birthday\"",
    "date:2019-07",
    "date:2015-06..2016-08",
    "before:2005",
    "type:video",
    "is:favorite",
    "has:gps beach",
    "-beach sunset",
    "sunse",
    "zürich",
    "canon 2018",
    "",
    "tag:holiday",
];

/// `hearth bench search`: a scratch library of `count` assets, its index
/// built from scratch, then the first page (with total and facets) of 20
/// representative queries as a member, and how soon a new photo is found.
pub async fn search(count: u32) -> Result<String, crate::error::AppError> {
    use crate::search::{compile, find, query, writer};

    let dir = tempfile::tempdir().map_err(|e| internal(&e))?;
    let data =
        crate::data_dir::DataDir::prepare(&dir.path().join("data")).map_err(|e| internal(&e))?;
    let (db, filled) = scratch_library(data.root(), count).await?;
    let index_dir = data.index();
    let started = Instant::now();
    let (generation, _) = writer::rebuild(&db, &index_dir, "g0", |_, _| {}).await?;
    let built = started.elapsed();
    crate::search::switch(&index_dir, &generation.name)?;
    let size = folder_size(&index_dir);
    drop(generation);

    let runtime = std::sync::Arc::new(crate::search::Runtime::open(&index_dir)?);
    let access = vec!["u:2".to_owned(), "family".to_owned()];
    let names = compile::Names {
        me: 2,
        ..compile::Names::default()
    };
    let runs = 20;
    let mut all = Vec::new();
    let mut lines = Vec::new();
    for text in QUERIES {
        let parsed = query::parse(text)?;
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..runs {
            let generation = runtime.current();
            let started = Instant::now();
            let compiled = compile::compile(&generation, &parsed, &access, &names);
            let sort = if parsed.has_text() {
                find::Sort::Relevance
            } else {
                find::Sort::Date
            };
            total = find::find(&generation, compiled, sort, None, 100, true)?.total;
            times.push(started.elapsed());
        }
        times.sort();
        lines.push(format!(
            "  {:<24} {:>8} results  p50 {:>6.1} ms",
            format!("“{text}”"),
            total,
            times[times.len() / 2].as_secs_f64() * 1000.0
        ));
        all.extend(times);
    }
    let mut all: Vec<f64> = all.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    all.sort_by(f64::total_cmp);
    let at = |pct: usize| percentile(&all, pct);

    let searchable = searchable_after(&data, &db, &runtime, &access).await?;
    Ok(format!(
        "{count} assets (database made in {:.1} s)\n\
         index built from scratch in {:.1} s ({:.0} assets/s), {} MiB on disk\n\
         first page + total + facets, as a member, {runs} runs of each query:\n{}\n\
         all queries: p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms\n\
         a new photo searchable after {:.0} ms\n\
         peak resident memory: {}",
        filled.as_secs_f64(),
        built.as_secs_f64(),
        f64::from(count) / built.as_secs_f64(),
        size / 1_048_576,
        lines.join("\n"),
        at(50),
        at(95),
        at(99),
        searchable.as_secs_f64() * 1000.0,
        peak_memory(),
    ))
}

/// How long a new photo's row takes to reach search results (the change
/// log, the writer task, a commit).
async fn searchable_after(
    data: &crate::data_dir::DataDir,
    db: &sea_orm::DatabaseConnection,
    runtime: &std::sync::Arc<crate::search::Runtime>,
    access: &[String],
) -> Result<Duration, crate::error::AppError> {
    use crate::search::{compile, find, query, writer};
    let names = compile::Names {
        me: 2,
        ..compile::Names::default()
    };
    let state = crate::state::AppState::new(
        crate::config::Config {
            data_dir: data.root().to_path_buf(),
            ..crate::config::Config::default()
        },
        data.clone(),
        db.clone(),
        std::sync::Arc::new(crate::clock::SystemClock),
    );
    let indexer = writer::spawn(&state, runtime.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    sea_orm::ConnectionTrait::execute_unprepared(
        db,
        "INSERT INTO assets (owner_id, hash, kind, mime, bytes, orientation, sort_at, taken_source, keywords, \
           favourite, visibility, status, created_at, updated_at, month, caption) \
         VALUES (2, 'new', 'photo', 'image/jpeg', 1, 1, '2026-01-01T00:00:00Z', 'exif_original', '[]', 0, \
           'private', 'active', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 202601, 'kangaroo')",
    )
    .await?;
    runtime.wake.notify_one();
    let parsed = query::parse("kangaroo")?;
    let searchable = loop {
        let generation = runtime.current();
        let compiled = compile::compile(&generation, &parsed, access, &names);
        if find::find(&generation, compiled, find::Sort::Relevance, None, 1, false)?.total > 0 {
            break started.elapsed();
        }
        if started.elapsed() > Duration::from_secs(30) {
            break started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    indexer.stop().await;
    Ok(searchable)
}

fn folder_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| match entry.file_type() {
            Ok(kind) if kind.is_dir() => folder_size(&entry.path()),
            _ => entry.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

/// `hearth bench backup`: a scratch library of `count` uploaded assets
/// (each original `original_kib` KiB), then `hearth backup` without and
/// with the originals, `hearth restore` of the full backup, and
/// `hearth check` of the restored library.
pub async fn backup(count: u32, original_kib: u32) -> Result<String, crate::error::AppError> {
    use sea_orm::ConnectionTrait as _;

    use crate::backup::archive;
    use crate::clock::Clock as _;

    let dir = tempfile::tempdir().map_err(|e| internal(&e))?;
    let data =
        crate::data_dir::DataDir::prepare(&dir.path().join("data")).map_err(|e| internal(&e))?;
    let (db, _) = scratch_library(data.root(), count).await?;
    db.execute_unprepared(&format!(
        "INSERT INTO asset_files (asset_id, root_id, path, bytes, modified_at, present, seen_at, role) \
         SELECT id, NULL, 'family/' || id || '.jpg', {}, created_at, 1, created_at, 'original' FROM assets",
        u64::from(original_kib) * 1024
    ))
    .await?;
    let folder = data.originals().join("family");
    std::fs::create_dir_all(&folder).map_err(|e| internal(&e))?;
    let original: Vec<u8> = (0..original_kib * 1024)
        .map(|i| u8::try_from(i.wrapping_mul(2_654_435_761) >> 24).unwrap_or(0))
        .collect();
    let ids = db
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Sqlite,
            "SELECT id FROM assets",
        ))
        .await?;
    for row in ids {
        let id: i64 = row.try_get_by_index(0)?;
        std::fs::write(folder.join(format!("{id}.jpg")), &original).map_err(|e| internal(&e))?;
    }
    let now = crate::clock::SystemClock.now();
    let started = Instant::now();
    archive::create(&db, &data, None, &dir.path().join("db-only"), false, now).await?;
    let database_only = started.elapsed();
    let started = Instant::now();
    archive::create(&db, &data, None, &dir.path().join("full"), true, now).await?;
    let full = started.elapsed();
    // A week of automatic backups, then one photo purged: each forgets it.
    for day in 1..=7 {
        let name = format!("hearth-2026010{day}T000000Z.db");
        crate::backup::copy_database(&db, &data.backups().join(name)).await?;
    }
    db.execute_unprepared("DELETE FROM assets WHERE id = 1")
        .await?;
    let live = crate::state::AppState::new(
        crate::config::Config::default(),
        data.clone(),
        db.clone(),
        std::sync::Arc::new(crate::clock::SystemClock),
    );
    let started = Instant::now();
    let scrubbed = crate::backup::scrub(&live).await?;
    let scrub = started.elapsed();
    let _ = db.close().await;
    let database = std::fs::metadata(data.database()).map_or(0, |m| m.len());
    let originals = folder_size(&data.originals());
    let started = Instant::now();
    archive::restore(&dir.path().join("full"), &dir.path().join("restored"), now).await?;
    let restore = started.elapsed();
    let restored =
        crate::data_dir::DataDir::open(&dir.path().join("restored")).map_err(|e| internal(&e))?;
    let (db, _) = crate::db::open_migrated(&restored, now)
        .await
        .map_err(|e| internal(&e))?;
    let state = crate::state::AppState::new(
        crate::config::Config::default(),
        restored,
        db.clone(),
        std::sync::Arc::new(crate::clock::SystemClock),
    );
    let started = Instant::now();
    let report = crate::check::run(&state, false).await?;
    let check = started.elapsed();
    let _ = db.close().await;
    let mib = |bytes: u64| f64::from(u32::try_from(bytes / 1024).unwrap_or(u32::MAX)) / 1024.0;
    Ok(format!(
        "{count} assets: database {:.1} MiB, uploaded originals {:.0} MiB ({original_kib} KiB each)\n\
         hearth backup (database and manifest): {:.2} s\n\
         hearth backup --originals: {:.2} s ({:.0} MiB/s)\n\
         after a purge, {scrubbed} automatic backups forget it (deletes, VACUUM): {:.2} s\n\
         hearth restore of that backup (copy, integrity check, {count} thumbnails queued): {:.2} s\n\
         hearth check of the restored library (its thumbnails and index entries still queued: {} findings): {:.2} s\n\
         peak memory {}",
        mib(database),
        mib(originals),
        database_only.as_secs_f64(),
        full.as_secs_f64(),
        mib(originals) / full.as_secs_f64().max(0.001),
        scrub.as_secs_f64(),
        restore.as_secs_f64(),
        report.findings.len(),
        check.as_secs_f64(),
        peak_memory(),
    ))
}
