//! `GET /metrics` in Prometheus text format, for the owner's monitoring:
//! requests by route and status with latency histograms, jobs, imports,
//! assets, the search index, live streams and the process's memory.
//!
//! Off unless `metrics.token` is set, and then only with that bearer
//! token: nothing about the household is public by accident. Counters are
//! kept in memory (they start at zero with the process, as Prometheus
//! expects); gauges are read from the database when scraped.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{Request, Response, handler};
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::error::AppError;
use crate::library::ingest::Outcome;
use crate::state::AppState;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

#[derive(Default)]
struct Histogram {
    /// Requests at most each bound (not cumulative; summed when written).
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// The process's counters.
#[derive(Default)]
pub struct Metrics {
    /// By (method, route pattern, status).
    http: Mutex<BTreeMap<(String, String, u16), Histogram>>,
    /// Jobs finished, by (kind, succeeded).
    jobs: Mutex<BTreeMap<(String, bool), u64>>,
    imported: AtomicU64,
    duplicates: AtomicU64,
    failed: AtomicU64,
}

impl Metrics {
    /// Counts one request. `route` is the matched pattern
    /// (`/api/assets/:id`), never the path, so ids don't multiply series.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        // Any token is a method to HTTP: only the known ones become series.
        const METHODS: [&str; 7] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
        let method = if METHODS.contains(&method) {
            method
        } else {
            "OTHER"
        };
        let seconds = took.as_secs_f64();
        let mut http = self.http.lock().unwrap_or_else(PoisonError::into_inner);
        let one = http
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        if let Some(bucket) = BUCKETS.iter().position(|&bound| seconds <= bound) {
            one.buckets[bucket] += 1;
        }
        one.count += 1;
        one.sum += seconds;
    }

    /// Counts one finished job.
    pub fn job(&self, kind: &str, ok: bool) {
        *self
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry((kind.to_owned(), ok))
            .or_default() += 1;
    }

    /// Counts what reading one file came to.
    pub fn import(&self, outcome: &Outcome) {
        let counter = match outcome {
            Outcome::Imported(_) => &self.imported,
            Outcome::Duplicate(_) => &self.duplicates,
            Outcome::Failed(_) => &self.failed,
            Outcome::Unsettled(_) | Outcome::Gone | Outcome::Forgotten => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn write_counters(&self, out: &mut String) {
        family(
            out,
            "hearth_http_requests_seconds",
            "histogram",
            "HTTP requests by route and status, and how long they took.",
        );
        let http = self.http.lock().unwrap_or_else(PoisonError::into_inner);
        for ((method, route, status), one) in http.iter() {
            let labels = format!(
                "method=\"{}\",route=\"{}\",status=\"{status}\"",
                escape(method),
                escape(route)
            );
            let mut cumulative = 0;
            for (bound, count) in BUCKETS.iter().zip(one.buckets) {
                cumulative += count;
                let _ = writeln!(
                    out,
                    "hearth_http_requests_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "hearth_http_requests_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                one.count
            );
            let _ = writeln!(
                out,
                "hearth_http_requests_seconds_sum{{{labels}}} {}",
                one.sum
            );
            let _ = writeln!(
                out,
                "hearth_http_requests_seconds_count{{{labels}}} {}",
                one.count
            );
        }
        drop(http);
        family(
            out,
            "hearth_jobs_finished_total",
            "counter",
            "Background jobs finished since start, by kind and outcome.",
        );
        for ((kind, ok), count) in self
            .jobs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            let outcome = if *ok { "ok" } else { "error" };
            let _ = writeln!(
                out,
                "hearth_jobs_finished_total{{kind=\"{}\",outcome=\"{outcome}\"}} {count}",
                escape(kind)
            );
        }
        family(
            out,
            "hearth_import_files_total",
            "counter",
            "Files read since start, by result.",
        );
        for (result, counter) in [
            ("imported", &self.imported),
            ("duplicate", &self.duplicates),
            ("failed", &self.failed),
        ] {
            let _ = writeln!(
                out,
                "hearth_import_files_total{{result=\"{result}\"}} {}",
                counter.load(Ordering::Relaxed)
            );
        }
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// A label value: backslash, quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Whether `req` carries the configured token (compared in constant time).
fn authorized(req: &Request, token: &str) -> bool {
    let given = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or_default();
    given.len() == token.len()
        && given
            .bytes()
            .zip(token.bytes())
            .fold(0_u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

/// `GET /metrics`.
#[handler]
pub async fn endpoint(req: &Request, state: Data<&AppState>) -> Response {
    let token = &state.config().metrics.token;
    if token.is_empty() {
        return Response::builder()
            .status(StatusCode::NOT_FOUND)
            .body("Metrics are off: set metrics.token in hearth.toml to turn them on.");
    }
    if !authorized(req, token) {
        return Response::builder()
            .status(StatusCode::UNAUTHORIZED)
            .header(header::WWW_AUTHENTICATE, "Bearer realm=\"hearth metrics\"")
            .body("Send the token from metrics.token as `Authorization: Bearer <token>`.");
    }
    match render(&state).await {
        Ok(text) => Response::builder()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .header(header::CACHE_CONTROL, "no-store")
            .body(text),
        Err(err) => {
            tracing::warn!(error = %err, "metrics");
            Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .body("The metrics could not be read; the server log says why.")
        }
    }
}

/// Everything, as Prometheus text.
async fn render(state: &AppState) -> Result<String, AppError> {
    let mut out = String::new();
    family(
        &mut out,
        "hearth_build_info",
        "gauge",
        "The running version of Hearth.",
    );
    let _ = writeln!(out, "hearth_build_info{{version=\"{}\"}} 1", crate::VERSION);
    family(
        &mut out,
        "hearth_uptime_seconds",
        "gauge",
        "Seconds since this process started.",
    );
    let _ = writeln!(
        out,
        "hearth_uptime_seconds {}",
        (state.now() - state.started_at()).num_seconds()
    );
    state.metrics().write_counters(&mut out);
    let db = state.db();
    for (name, help, table) in [
        (
            "hearth_jobs",
            "Jobs in the queue, by kind and status.",
            "jobs",
        ),
        (
            "hearth_assets",
            "Photos and videos in the library, by kind and status.",
            "assets",
        ),
    ] {
        family(&mut out, name, "gauge", help);
        let sql = format!(
            "SELECT kind, status, COUNT(*) FROM {table} GROUP BY kind, status ORDER BY kind, status"
        );
        for (kind, status, count) in rows(db, &sql).await? {
            let _ = writeln!(
                out,
                "{name}{{kind=\"{}\",status=\"{}\"}} {count}",
                escape(&kind),
                escape(&status)
            );
        }
    }
    family(
        &mut out,
        "hearth_index_documents",
        "gauge",
        "Documents in the search index.",
    );
    let documents = state
        .search()
        .map_or(0, |search| search.current().reader.searcher().num_docs());
    let _ = writeln!(out, "hearth_index_documents {documents}");
    family(
        &mut out,
        "hearth_sse_connections",
        "gauge",
        "Open live-update streams (browser tabs).",
    );
    let _ = writeln!(
        out,
        "hearth_sse_connections {}",
        state.events().open_streams()
    );
    if let Some(bytes) = resident_bytes() {
        family(
            &mut out,
            "process_resident_memory_bytes",
            "gauge",
            "Resident memory of the Hearth process.",
        );
        let _ = writeln!(out, "process_resident_memory_bytes {bytes}");
    }
    Ok(out)
}

/// Rows of (text, text, count).
async fn rows(
    db: &impl ConnectionTrait,
    sql: &str,
) -> Result<Vec<(String, String, i64)>, AppError> {
    Ok(db
        .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
        .await?
        .into_iter()
        .filter_map(|row| {
            Some((
                row.try_get_by_index(0).ok()?,
                row.try_get_by_index(1).ok()?,
                row.try_get_by_index(2).ok()?,
            ))
        })
        .collect())
}

/// The process's resident memory (Linux: `/proc/self/statm`, in pages of
/// 4 KiB).
fn resident_bytes() -> Option<u64> {
    const PAGE: u64 = 4096;
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * PAGE)
}
