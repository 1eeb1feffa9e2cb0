//! Retention: keeping the promises about time and deletion. The scheduler
//! runs the sweeps (`sweeps`, which decide what is due by the `Clock`) on
//! start and every `retention.sweep_minutes`, then the automatic database
//! backup when one is due (`backup::scheduled`); a purge (`purge`) removes a photo or an account
//! for good and makes the deletion physical; members delete their account
//! (`deletion`), write rules that move old photos to the trash (`rules`)
//! and take their data with them (`takeout`).

pub mod api;
pub mod deletion;
pub mod purge;
pub mod rules;
pub mod sweeps;
pub mod takeout;

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::{Mutex, Notify, watch};
use tokio::task::JoinHandle;

use crate::state::AppState;

/// What retention keeps while the server runs.
#[derive(Default)]
pub struct Runtime {
    /// One sweep at a time (the scheduler's, or the owner's "run now").
    running: Mutex<()>,
    /// Rung when an export is queued.
    pub exports: Notify,
}

/// The scheduler and the export worker, running.
pub struct Scheduler {
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Scheduler {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// Starts the scheduler (its first round, as of now, catches up on
/// whatever fell due while Hearth was stopped) and the takeout worker.
#[must_use]
pub fn start(state: &AppState) -> Scheduler {
    let (stop, stopped) = watch::channel(false);
    let scheduler = tokio::spawn(schedule(state.clone(), state.now(), stopped.clone()));
    let exports = tokio::spawn(takeout::work(state.clone(), stopped));
    Scheduler {
        stop,
        tasks: vec![scheduler, exports],
    }
}

/// Sweeps as of `first`, then every `retention.sweep_minutes`. What is
/// due is decided by the `Clock`; the pause between rounds is the
/// process's own (like the search writer's tick), so a test that moves
/// the clock sweeps when it asks (`POST /api/admin/retention/run`), never
/// behind its back.
async fn schedule(state: AppState, first: DateTime<Utc>, mut stopped: watch::Receiver<bool>) {
    let every = Duration::from_secs(u64::from(state.config().retention.sweep_minutes) * 60);
    let mut at = first;
    loop {
        if let Err(err) = sweeps::run_at(&state, at).await {
            tracing::warn!(error = %err.detail(), "retention sweep");
        }
        if let Err(err) = crate::backup::scheduled(&state, at).await {
            tracing::warn!(error = %err.detail(), "automatic database backup");
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stopped.changed() => break,
        }
        at = state.now();
    }
}
