//! `hearth bench load`: a family's evening on a small server, measured.
//! Runs this very binary as a server on a scratch library of N assets
//! (thumbnails included), times its cold start, then drives C browsers
//! (one keep-alive connection each) over the months, month pages, search
//! and thumbnails for S seconds while photos are being imported, and
//! prints latencies, errors, the import's pace and the server's memory
//! before, during and after. Loopback only; bounded in time and count.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::client::{Client, multipart};
use super::server::{PATIENCE, Server, rss_mib, sign_up};
use super::{QUERIES, internal, percentile};
use crate::error::AppError;

/// What `hearth bench load` is asked to do.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadOptions {
    /// How many assets the library holds.
    #[arg(long, default_value_t = 100_000)]
    pub assets: u32,
    /// How many browsers ask at once (one connection each).
    #[arg(long, default_value_t = 100)]
    pub clients: u32,
    /// For how many seconds.
    #[arg(long, default_value_t = 30)]
    pub seconds: u32,
    /// How long to watch the server's memory after the load stops.
    #[arg(long, default_value_t = 60)]
    pub settle: u32,
    /// A folder of JPEG photos to import meanwhile (copied, made distinct).
    #[arg(long, default_value = "../shared/corpus")]
    pub photos: PathBuf,
    /// How many photos to import on the idle server first, for its pace.
    #[arg(long, default_value_t = 40)]
    pub imports: u32,
    /// Each browser's pause between requests in ms, on average (0: none,
    /// which measures the server's ceiling rather than a family's evening).
    #[arg(long, default_value_t = 0)]
    pub pause_ms: u32,
}

/// What one kind of request took.
#[derive(Default)]
struct Timings {
    millis: Vec<f64>,
    errors: u64,
}

const KINDS: [&str; 4] = ["months", "month page", "search", "thumbnail"];

/// `n` as a float for figures (counts here are far below 2^32).
fn float(n: u64) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

/// A number below `len` from a random `seed`.
fn pick(seed: u64, len: usize) -> usize {
    let len = u64::try_from(len).unwrap_or(1).max(1);
    usize::try_from(seed % len).unwrap_or(0)
}

pub async fn load(options: LoadOptions) -> Result<String, AppError> {
    use std::fmt::Write as _;
    let home = tempfile::tempdir().map_err(|e| internal(&e))?;
    let import = home.path().join("hearth-import");
    std::fs::create_dir_all(&import).map_err(|e| internal(&e))?;
    let photos = jpegs(&options.photos);
    if photos.is_empty() {
        return Err(internal(&format!(
            "no JPEG photos in {}",
            options.photos.display()
        )));
    }
    let (cookie, seeded) = prepare(home.path(), &photos[0], options.assets).await?;

    let (server, mut owner, ready, searchable) = cold_start(home.path(), cookie).await?;
    let idle_rss = server.rss_mib();

    let (copied, alone) = import_alone(&mut owner, &photos, &import, options.imports).await?;
    let alone_rate = float(copied) / alone.as_secs_f64();

    // The load, with an import running through it (half as many again as
    // the idle pace would do meanwhile).
    let before = total(&mut owner).await;
    let wanted = copied * u64::from(options.seconds) * 3 / 2 / alone.as_secs().max(1) + 1;
    let batch = copy_photos(&photos, &import, u64::from(options.imports), wanted)?;
    let stop = Arc::new(AtomicBool::new(false));
    let peak = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (stop, peak, pid) = (stop.clone(), peak.clone(), server.child.id());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_mib(pid), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        })
    };
    let (mut all, elapsed) = drive(&owner, server.addr, &options).await;
    let imported = total(&mut owner).await.saturating_sub(before);
    stop.store(true, Ordering::Relaxed);
    let _ = sampler.await;
    let (end_rss, settled_rss, under_150) = settle(&server, options.settle).await;
    // What it logged since it became ready (at the default level).
    let logged: usize = server.log.try_iter().map(|line| line.len() + 1).sum();
    server.stop();
    // A restart as after an upgrade or a power cut: the index is there.
    let (server, _, restarted, searchable_again) =
        cold_start(home.path(), owner.cookie.clone()).await?;
    server.stop();

    let requests: u64 = all.iter().map(|t| t.millis.len() as u64).sum();
    let errors: u64 = all.iter().map(|t| t.errors).sum();
    let mut report = format!(
        "library: {} assets (seeded with thumbnails in {:.1} s)\n\
         cold start (the search index rebuilt from the database): ready in {} ms; search answering after {}\n\
         import on an idle server: {copied} photos at {alone_rate:.1}/s\n\
         {} clients for {elapsed:.0} s{}, importing meanwhile: {requests} requests ({:.0}/s), {errors} errors\n",
        options.assets,
        seeded.as_secs_f64(),
        ready.as_millis(),
        after(searchable),
        options.clients,
        if options.pause_ms == 0 {
            ", no pause between requests".to_owned()
        } else {
            format!(
                ", pausing {} ms between requests on average",
                options.pause_ms
            )
        },
        float(requests) / elapsed,
    );
    for (name, timings) in KINDS.iter().zip(all.iter_mut()) {
        timings.millis.sort_by(f64::total_cmp);
        let _ = writeln!(
            report,
            "  {name}: {} (errors {}), p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms",
            timings.millis.len(),
            timings.errors,
            percentile(&timings.millis, 50),
            percentile(&timings.millis, 95),
            percentile(&timings.millis, 99),
        );
    }
    let under_load_rate = float(imported) / elapsed;
    let _ = write!(
        report,
        "import under load: {imported} of {batch} photos at {under_load_rate:.1}/s ({:.0}% of idle)\n\
         server memory: idle {idle_rss} MiB, peak under load {} MiB, at the end {end_rss} MiB, {settled_rss} MiB after {} s{}\n\
         log written from start to end (level info): {} KiB\n\
         restart (its index in place): ready in {} ms; search answering after {}",
        under_load_rate / alone_rate * 100.0,
        peak.load(Ordering::Relaxed),
        options.settle,
        under_150.map_or_else(String::new, |d| format!(
            " (under 150 MiB after {:.1} s)",
            d.as_secs_f64()
        )),
        logged / 1024,
        restarted.as_millis(),
        after(searchable_again),
    );
    Ok(report)
}

/// The import's pace on an idle server: `count` photos dropped into the
/// import folder, and how long until the owner's timeline has them all.
async fn import_alone(
    owner: &mut Client,
    photos: &[PathBuf],
    import: &Path,
    count: u32,
) -> Result<(u64, Duration), AppError> {
    let before = total(owner).await;
    let copied = copy_photos(photos, import, 0, count.into())?;
    let alone = Instant::now();
    while total(owner).await < before + copied && alone.elapsed() < 2 * PATIENCE {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Ok((copied, alone.elapsed()))
}

/// "after N ms", or that it never happened.
fn after(duration: Option<Duration>) -> String {
    duration.map_or_else(
        || "never (2 minutes)".to_owned(),
        |d| format!("{} ms", d.as_millis()),
    )
}

/// The server's memory when the load stops, `seconds` later, and how soon
/// it was under 150 MiB.
async fn settle(server: &Server, seconds: u32) -> (u64, u64, Option<Duration>) {
    let end = server.rss_mib();
    let settled = Instant::now();
    let mut under_150 = None;
    while settled.elapsed() < Duration::from_secs(u64::from(seconds)) {
        if under_150.is_none() && server.rss_mib() < 150 {
            under_150 = Some(settled.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    (end, server.rss_mib(), under_150)
}

/// The server started on the filled library: how soon it is ready, and
/// how soon search answers (the index is rebuilt from the database).
async fn cold_start(
    home: &Path,
    cookie: String,
) -> Result<(Server, Client, Duration, Option<Duration>), AppError> {
    let (server, _, ready) = Server::start(home)?;
    let mut owner = Client::new(server.addr);
    owner.cookie = cookie;
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        let answer = owner.get("/api/search?q=beach").await;
        if answer.is_ok_and(|a| a.status == 200 && a.json()["total"].as_u64().unwrap_or(0) > 0) {
            return Ok((server, owner, ready, Some(ready + started.elapsed())));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok((server, owner, ready, None))
}

/// An owner (through the setup link) and one real photo, then a stopped
/// server's library filled to `assets`. Returns the owner's cookie and how
/// long the filling took.
async fn prepare(home: &Path, photo: &Path, assets: u32) -> Result<(String, Duration), AppError> {
    let (server, token, _) = Server::start(home)?;
    let mut owner = sign_up(&server, token).await?;
    let bytes = std::fs::read(photo).map_err(|e| internal(&e))?;
    let (content_type, body) = multipart("first.jpg", &bytes);
    let answer = owner
        .post("/api/uploads", &content_type, &body)
        .await
        .map_err(|e| internal(&e))?;
    let real = answer.json()["files"][0]["asset_id"]
        .as_i64()
        .ok_or_else(|| internal(&"the first photo was not imported"))?;
    let thumb = format!("/api/assets/{real}/thumb");
    let waited = Instant::now();
    while waited.elapsed() < PATIENCE && !owner.get(&thumb).await.is_ok_and(|a| a.status == 200) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    server.stop();
    let data = crate::data_dir::DataDir::prepare(&home.join("data")).map_err(|e| internal(&e))?;
    let seeded = Instant::now();
    super::seed::seed(&data, assets, real).await?;
    Ok((owner.cookie, seeded.elapsed()))
}

/// `options.clients` browsers asking at once for `options.seconds`: the
/// months 10%, a month page 35%, a search 15%, a thumbnail 40%.
async fn drive(
    owner: &Client,
    addr: std::net::SocketAddr,
    options: &LoadOptions,
) -> ([Timings; 4], f64) {
    let months: Arc<Vec<String>> = Arc::new(
        owner
            .another(addr)
            .get("/api/timeline")
            .await
            .ok()
            .and_then(|a| {
                a.json()["months"].as_array().map(|list| {
                    list.iter()
                        .filter_map(|m| m["month"].as_str().map(str::to_owned))
                        .collect()
                })
            })
            .unwrap_or_default(),
    );
    let halves = u64::from(options.assets / 2).max(1);
    let pause = u64::from(options.pause_ms);
    let began = Instant::now();
    let deadline = began + Duration::from_secs(u64::from(options.seconds));
    let mut tasks = Vec::new();
    for n in 0..options.clients {
        let mut client = owner.another(addr);
        let months = months.clone();
        tasks.push(tokio::spawn(async move {
            let mut timings: [Timings; 4] = Default::default();
            let mut seed = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
            while Instant::now() < deadline {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let (kind, path) = match seed % 100 {
                    0..10 => (0, "/api/timeline".to_owned()),
                    10..45 if !months.is_empty() => (
                        1,
                        format!("/api/timeline/{}", months[pick(seed >> 8, months.len())]),
                    ),
                    45..60 => (
                        2,
                        format!(
                            "/api/search?q={}",
                            url_encode(QUERIES[pick(seed >> 8, QUERIES.len())])
                        ),
                    ),
                    // The owner's own (even-numbered) synthetic photos.
                    _ => (
                        3,
                        format!("/api/assets/{}/thumb", 1 + 2 * (1 + (seed >> 8) % halves)),
                    ),
                };
                let sent = Instant::now();
                let answer = client.get(&path).await;
                let took = sent.elapsed().as_secs_f64() * 1000.0;
                let entry = &mut timings[kind];
                match answer {
                    Ok(a) if a.status < 400 => entry.millis.push(took),
                    _ => entry.errors += 1,
                }
                if pause > 0 {
                    // Between none and twice the average.
                    let wait = (seed >> 16) % (2 * pause + 1);
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
            }
            timings
        }));
    }
    let mut all: [Timings; 4] = Default::default();
    for task in tasks {
        if let Ok(timings) = task.await {
            for (into, from) in all.iter_mut().zip(timings) {
                into.millis.extend(from.millis);
                into.errors += from.errors;
            }
        }
    }
    (all, began.elapsed().as_secs_f64())
}

/// The owner's timeline total.
async fn total(owner: &mut Client) -> u64 {
    owner
        .get("/api/timeline")
        .await
        .map_or(0, |a| a.json()["total"].as_u64().unwrap_or(0))
}

/// The JPEGs under `dir`.
fn jpegs(dir: &Path) -> Vec<PathBuf> {
    super::images(dir)
        .into_iter()
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"))
        })
        .collect()
}

/// Copies `count` photos into `dir`, each made distinct by a few bytes
/// after its end (which decoders ignore), numbered from `from`.
fn copy_photos(photos: &[PathBuf], dir: &Path, from: u64, count: u64) -> Result<u64, AppError> {
    let staging = dir.with_extension("staging");
    std::fs::create_dir_all(&staging).map_err(|e| internal(&e))?;
    for n in from..from + count {
        let source = &photos[usize::try_from(n).unwrap_or(0) % photos.len()];
        let mut bytes = std::fs::read(source).map_err(|e| internal(&e))?;
        bytes.extend_from_slice(format!("hearth-bench-{n}").as_bytes());
        let name = format!("bench-{n}.jpg");
        // Written aside, then moved in: the watcher sees whole files.
        std::fs::write(staging.join(&name), bytes).map_err(|e| internal(&e))?;
        std::fs::rename(staging.join(&name), dir.join(&name)).map_err(|e| internal(&e))?;
    }
    Ok(count)
}

fn url_encode(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}
