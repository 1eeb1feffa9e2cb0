//! `AppState`: what every request handler and background task shares.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use crate::clock::Clock;
use crate::config::Config;
use crate::data_dir::DataDir;
use crate::{accounts, events, library, retention, search};

/// Cheap to clone: one `Arc` inside.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
    /// The connections this holder uses: requests and background work
    /// have pools of their own (see [`AppState::with_db`]).
    db: DatabaseConnection,
}

struct Inner {
    config: Config,
    data_dir: DataDir,
    clock: Arc<dyn Clock>,
    started_at: DateTime<Utc>,
    accounts: accounts::Runtime,
    library: library::Runtime,
    retention: retention::Runtime,
    events: Arc<events::Bus>,
    metrics: crate::system::metrics::Metrics,
    /// One backup operation at a time (a copy, a scrub).
    backups: tokio::sync::Mutex<()>,
    /// Open in the server (not in one-off commands such as `hearth import`).
    search: std::sync::OnceLock<Arc<search::Runtime>>,
}

impl AppState {
    #[must_use]
    pub fn new(
        config: Config,
        data_dir: DataDir,
        db: DatabaseConnection,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let started_at = clock.now();
        let accounts = accounts::Runtime::new(&config.public_url());
        let library = library::Runtime::new(&config.library);
        Self {
            db,
            inner: Arc::new(Inner {
                config,
                data_dir,
                clock,
                started_at,
                accounts,
                library,
                retention: retention::Runtime::default(),
                events: Arc::new(events::Bus::new(started_at)),
                metrics: crate::system::metrics::Metrics::default(),
                backups: tokio::sync::Mutex::new(()),
                search: std::sync::OnceLock::new(),
            }),
        }
    }

    #[must_use]
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    #[must_use]
    pub fn data_dir(&self) -> &DataDir {
        &self.inner.data_dir
    }

    #[must_use]
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The same state over other connections: background work (imports,
    /// the indexer, retention) has a pool of its own, so it never queues
    /// behind a hundred browsers for a connection, nor they behind it.
    #[must_use]
    pub fn with_db(&self, db: DatabaseConnection) -> Self {
        Self {
            inner: self.inner.clone(),
            db,
        }
    }

    #[must_use]
    pub fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    #[must_use]
    pub fn accounts(&self) -> &accounts::Runtime {
        &self.inner.accounts
    }

    #[must_use]
    pub fn library(&self) -> &library::Runtime {
        &self.inner.library
    }

    #[must_use]
    pub fn retention(&self) -> &retention::Runtime {
        &self.inner.retention
    }

    #[must_use]
    pub fn started_at(&self) -> DateTime<Utc> {
        self.inner.started_at
    }

    #[must_use]
    pub fn events(&self) -> &Arc<events::Bus> {
        &self.inner.events
    }

    /// Held while a backup in `backups/` is made or scrubbed.
    #[must_use]
    pub fn backups_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.inner.backups
    }

    /// The process's counters for `/metrics`.
    #[must_use]
    pub fn metrics(&self) -> &crate::system::metrics::Metrics {
        &self.inner.metrics
    }

    #[must_use]
    pub fn search(&self) -> Option<&Arc<search::Runtime>> {
        self.inner.search.get()
    }

    /// Makes the opened index available to requests (once).
    pub fn set_search(&self, runtime: Arc<search::Runtime>) {
        let _ = self.inner.search.set(runtime);
    }
}
