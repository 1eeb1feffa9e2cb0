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
                    "jpg" | "jpeg" | "png" | "webp" | "gif" | "tif" | "tiff"
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
            "No images (JPEG, PNG, WebP, GIF, TIFF) under {}.",
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
