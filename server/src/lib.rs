//! Hearth: a self-hosted family photo server in one process. `start` opens
//! the data folder and database and serves the API and the web UI until
//! `Running::stop`.

pub mod accounts;
pub mod albums;
pub mod api;
pub mod backup;
pub mod bench;
pub mod check;
pub mod clock;
pub mod compress;
pub mod config;
pub mod data_dir;
pub mod dav;
pub mod db;
pub mod error;
pub mod events;
pub mod http;
pub mod jobs;
pub mod library;
pub mod logging;
pub mod notifications;
pub mod retention;
pub mod search;
pub mod state;
pub mod system;
pub mod web;
pub mod zipped;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use poem::listener::TcpAcceptor;
use poem::{Endpoint, EndpointExt, Route, Server};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::Clock;
use crate::config::Config;
use crate::data_dir::{DataDir, DataDirError};
use crate::db::DbError;
use crate::state::AppState;
use sea_orm::EntityTrait as _;

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// How long in-flight requests get to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    DataDir(#[from] DataDirError),
    #[error(transparent)]
    Database(#[from] DbError),
    #[error("cannot prepare the database for work: {0}")]
    Setup(#[source] error::AppError),
    #[error("cannot use the listening socket: {0}")]
    Listener(#[source] std::io::Error),
}

/// The whole HTTP surface: `/api`, then the web UI for everything else.
pub fn routes(state: AppState) -> impl Endpoint {
    let observed = state.clone();
    Route::new()
        .nest("/api", api::routes())
        .nest(dav::PREFIX, dav::endpoint())
        // "Share → Hearth" before the service worker is there to take the
        // files: the page says to open Hearth once and share again.
        .at(
            "/share",
            poem::endpoint::make_sync(|_| poem::web::Redirect::see_other("/?shared=0")),
        )
        .at("/metrics", system::metrics::endpoint)
        .nest("/", web::ui)
        .data(state)
        // A bug must cost one request a 500, not the connection.
        .with(poem::middleware::CatchPanic::new())
        .around(move |ep, req| {
            let state = observed.clone();
            async move { http::around(ep, req, state.metrics()).await }
        })
}

/// A server that is accepting connections.
pub struct Running {
    state: AppState,
    /// The state background work holds (its own database pool).
    work: AppState,
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<std::io::Result<()>>,
    background: library::Background,
    indexer: search::writer::Writer,
    live_albums: albums::live::Follower,
    scheduler: retention::Scheduler,
}

/// Prepares the data folder, opens and migrates the database, then serves
/// on `listener` (already bound, so the caller reports a taken port).
pub async fn start(
    mut config: Config,
    clock: Arc<dyn Clock>,
    listener: tokio::net::TcpListener,
) -> Result<Running, StartError> {
    let local_addr = listener.local_addr().map_err(StartError::Listener)?;
    // With port 0 the OS picked one: from here on, the config says which.
    config.listen = local_addr;
    let data_dir = DataDir::prepare(&config.data_dir)?;
    let (db, report) = db::open_migrated(&data_dir, clock.now()).await?;
    if !report.applied.is_empty() {
        tracing::info!(applied = ?report.applied, "database migrated");
    }
    let state = AppState::new(config, data_dir, db, clock);
    let resumed = jobs::recover(state.db(), state.now())
        .await
        .map_err(StartError::Setup)?;
    if resumed > 0 {
        tracing::info!(resumed, "jobs that were running at the last stop run again");
    }
    if !accounts::users::owner_exists(state.db())
        .await
        .map_err(StartError::Setup)?
    {
        let token = accounts::links::issue_setup(state.db(), state.now())
            .await
            .map_err(StartError::Setup)?;
        let url = accounts::links::url(
            &state.config().public_url(),
            accounts::links::Kind::Setup,
            &token,
        );
        tracing::warn!(
            "Hearth has no owner yet. Open this link within 1 hour to create the owner account: {url} (`hearth setup-link` prints a new one)"
        );
    }
    let search =
        Arc::new(search::Runtime::open(&state.data_dir().index()).map_err(StartError::Setup)?);
    state.set_search(search.clone());
    let work = state.with_db(db::open_background(&state.data_dir().database()).await?);
    let live_albums = albums::live::follow(&work, &search);
    let indexer = search::writer::spawn(&work, search);
    let background = library::start(&work).await.map_err(StartError::Setup)?;
    let scheduler = retention::start(&work);
    let acceptor = http::NoDelay(TcpAcceptor::from_tokio(listener).map_err(StartError::Listener)?);
    let (stop, stopped) = oneshot::channel::<()>();
    let app = routes(state.clone());
    let task = tokio::spawn(async move {
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                app,
                async {
                    // A dropped sender also means stop.
                    let _ = stopped.await;
                },
                Some(SHUTDOWN_GRACE),
            )
            .await
    });
    summary(&state).await;
    Ok(Running {
        state,
        work,
        local_addr,
        stop,
        task,
        background,
        indexer,
        live_albums,
        scheduler,
    })
}

/// The one start-up line: version, where, what is watched, what is off.
async fn summary(state: &AppState) {
    let config = state.config();
    // Configured ones (registered once their owner exists) and added ones.
    let mut roots: std::collections::BTreeSet<String> = config
        .library
        .roots
        .iter()
        .map(|root| {
            std::path::absolute(&root.path)
                .unwrap_or_else(|_| root.path.clone())
                .display()
                .to_string()
        })
        .collect();
    roots.extend(
        db::entities::import_root::Entity::find()
            .all(state.db())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|root| root.path),
    );
    let mut off: Vec<String> = library::missing_tools(state)
        .await
        .into_iter()
        .map(str::to_owned)
        .collect();
    if let Some(why) = state.accounts().relying_party.unavailable_reason() {
        off.push(format!("passkeys ({why})"));
    }
    if config.metrics.token.is_empty() {
        off.push("metrics (no metrics.token)".to_owned());
    }
    if config.backup.every_hours == 0 {
        off.push("automatic backups (backup.every_hours = 0)".to_owned());
    }
    tracing::info!(
        version = VERSION,
        data = %state.data_dir().root().display(),
        listen = %config.listen,
        import_folders = ?roots,
        off = ?off,
        "Hearth {VERSION} is ready: open {}",
        config.public_url()
    );
}

impl Running {
    #[must_use]
    pub fn state(&self) -> &AppState {
        &self.state
    }

    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until `signal` resolves (or the server fails), then stops.
    pub async fn run_until(mut self, signal: impl Future<Output = ()>) -> std::io::Result<()> {
        let failed = tokio::select! {
            () = signal => None,
            joined = &mut self.task => Some(joined),
        };
        let joined = if let Some(joined) = failed {
            joined
        } else {
            self.state.events().close();
            let _ = self.stop.send(());
            (&mut self.task).await
        };
        self.scheduler.stop().await;
        self.background.stop().await;
        self.indexer.stop().await;
        self.live_albums.stop().await;
        close(&self.work).await;
        close(&self.state).await;
        tracing::info!("Hearth stopped");
        joined.map_err(std::io::Error::other)?
    }

    /// Stops accepting connections, lets in-flight requests finish (for at
    /// most 10 seconds), then closes the database.
    pub async fn stop(self) -> std::io::Result<()> {
        self.run_until(async {}).await
    }
}

async fn close(state: &AppState) {
    if let Err(err) = state.db().clone().close().await {
        tracing::warn!(error = %err, "closing the database");
    }
}
