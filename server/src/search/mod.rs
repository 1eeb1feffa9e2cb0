//! Search: a Tantivy index over what a family remembers of its photos —
//! words (captions, tags, file names, cameras, lenses, places), dates,
//! kinds — filtered on every query by who is asking.
//!
//! The database is the source of truth. Triggers log every change to an
//! asset in `search_changes`; one writer task (the only owner of the
//! `IndexWriter`) applies the log in order and stores the last sequence
//! number it applied in each commit's payload, so after any stop or crash
//! it simply continues from there. A rebuild (`hearth reindex`, or the
//! owner's API) builds a new generation beside the current one and swaps
//! a pointer file, so search keeps working meanwhile.

pub mod api;
pub mod cli;
pub mod compile;
pub mod find;
pub mod query;
pub mod schema;
pub mod writer;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, PoisonError, RwLock};

use tantivy::directory::MmapDirectory;
use tantivy::indexer::IndexWriterOptions;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy};
use tokio::sync::Notify;

use self::schema::Fields;
use crate::error::AppError;

/// Memory the writer may use before it flushes a segment.
const WRITER_MEMORY: usize = 32_000_000;

/// One generation of the index, open.
pub struct Generation {
    pub name: String,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
}

impl Generation {
    /// Opens (or creates) the generation in `dir`.
    pub fn open(dir: &Path, name: &str) -> Result<Self, AppError> {
        let path = dir.join(name);
        std::fs::create_dir_all(&path).map_err(|err| internal(&err))?;
        let (schema, fields) = schema::schema();
        let directory = MmapDirectory::open(&path).map_err(|err| internal(&err))?;
        let index = Index::open_or_create(directory, schema).map_err(|err| internal(&err))?;
        schema::register(&index);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|err: tantivy::TantivyError| internal(&err))?;
        Ok(Self {
            name: name.to_owned(),
            index,
            reader,
            fields,
        })
    }

    /// The writer: one indexing thread, one merge thread (a small NAS).
    pub fn writer(&self) -> Result<IndexWriter, AppError> {
        let options = IndexWriterOptions::builder()
            .num_worker_threads(1)
            .num_merge_threads(1)
            .memory_budget_per_thread(WRITER_MEMORY)
            .build();
        self.index
            .writer_with_options(options)
            .map_err(|err| internal(&err))
    }

    /// The last change-log sequence number this generation holds (0: none).
    #[must_use]
    pub fn applied(&self) -> Option<i64> {
        self.index
            .load_metas()
            .ok()?
            .payload
            .and_then(|payload| payload.strip_prefix("seq=")?.parse().ok())
    }
}

/// The index while the server runs: the open generation (swapped whole by
/// a rebuild) and the writer task's doorbell.
pub struct Runtime {
    dir: PathBuf,
    current: RwLock<Arc<Generation>>,
    /// Rung when the change log grew, so the writer applies it at once.
    pub wake: Notify,
    /// Set to ask the writer for a rebuild.
    pub rebuild: AtomicBool,
    /// What the writer just made searchable (live albums follow it).
    pub applied: tokio::sync::broadcast::Sender<Applied>,
    /// Set to ask the writer to rewrite its segments without deleted
    /// documents (after a purge)...
    pub compact: AtomicBool,
    /// ...and counted up each time it has.
    pub compacted: tokio::sync::watch::Sender<u64>,
}

/// What one commit of the writer made searchable.
#[derive(Debug, Clone)]
pub enum Applied {
    /// These assets' documents changed.
    Assets(Arc<[i64]>),
    /// Everything (a rebuild).
    All,
}

impl Runtime {
    /// Opens the current generation under `dir` (the data folder's `index/`).
    pub fn open(dir: &Path) -> Result<Self, AppError> {
        let name = current_name(dir);
        // An index this Hearth cannot open (damaged, or an older schema):
        // start a new generation, which the writer fills from the database.
        let generation = Generation::open(dir, &name).or_else(|err| {
            tracing::warn!(error = %err.detail(), generation = %name, "the search index is rebuilt");
            let next = next_name(&name);
            let _ = std::fs::remove_dir_all(dir.join(&next));
            Generation::open(dir, &next)
        })?;
        Ok(Self {
            dir: dir.to_path_buf(),
            current: RwLock::new(Arc::new(generation)),
            wake: Notify::new(),
            rebuild: AtomicBool::new(false),
            applied: tokio::sync::broadcast::channel(64).0,
            compact: AtomicBool::new(false),
            compacted: tokio::sync::watch::channel(0).0,
        })
    }

    /// The generation searches read now.
    #[must_use]
    pub fn current(&self) -> Arc<Generation> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, generation: Generation) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(generation);
    }

    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Waits until the writer has applied the change log and physically
    /// dropped deleted documents (merged segments, removed old files).
    pub async fn compact(&self) -> Result<(), AppError> {
        let mut done = self.compacted.subscribe();
        let before = *done.borrow();
        self.compact
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.wake.notify_one();
        tokio::time::timeout(
            std::time::Duration::from_mins(5),
            done.wait_for(|count| *count > before),
        )
        .await
        .map_err(|_| internal(&"it did not finish compacting within 5 minutes"))?
        .map_err(|_| internal(&"its writer has stopped"))?;
        Ok(())
    }
}

/// The name of the current generation (`index/current`), `g1` at first.
#[must_use]
pub fn current_name(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("current"))
        .ok()
        .map(|text| text.trim().to_owned())
        .filter(|name| is_generation(name))
        .unwrap_or_else(|| "g1".to_owned())
}

fn is_generation(name: &str) -> bool {
    name.strip_prefix('g')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The next generation's name after `name`.
#[must_use]
pub fn next_name(name: &str) -> String {
    let n: u64 = name
        .strip_prefix('g')
        .and_then(|n| n.parse().ok())
        .unwrap_or(1);
    format!("g{}", n + 1)
}

/// Points `index/current` at `name` (write, then rename: atomic), then
/// removes every other generation.
pub fn switch(dir: &Path, name: &str) -> Result<(), AppError> {
    let temporary = dir.join("current.tmp");
    std::fs::write(&temporary, name).map_err(|err| internal(&err))?;
    std::fs::rename(&temporary, dir.join("current")).map_err(|err| internal(&err))?;
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let other = entry.file_name().to_string_lossy().into_owned();
            if is_generation(&other) && other != name {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
    Ok(())
}

fn internal(err: &dyn std::fmt::Display) -> AppError {
    AppError::Internal(anyhow::anyhow!("search index: {err}"))
}

/// Runs Tantivy's blocking work off the async threads.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| AppError::Internal(err.into()))?
}
