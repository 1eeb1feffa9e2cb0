//! Retention: keeping the promises about time and deletion. The scheduler
//! runs the sweeps (`sweeps`) every `retention.sweep_minutes` of the
//! `Clock` and on start; a purge (`purge`) removes a photo or an account
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

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::{Mutex, Notify, watch};
use tokio::task::JoinHandle;

use crate::state::AppState;

/// How often the scheduler looks at the clock.
const TICK: Duration = Duration::from_secs(20);

/// What retention keeps while the server runs.
#[derive(Default)]
pub struct Runtime {
    /// One sweep at a time (the scheduler's, or the owner's "run now").
    running: Mutex<()>,
    /// Rung to make the scheduler look at the clock now.
    wake: Notify,
    /// Rung when an export is queued.
    pub exports: Notify,
}

impl Runtime {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
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

/// Starts the scheduler (its first round catches up on whatever fell due
/// while Hearth was stopped) and the takeout worker.
#[must_use]
pub fn start(state: &AppState) -> Scheduler {
    let (stop, stopped) = watch::channel(false);
    let scheduler = tokio::spawn(schedule(state.clone(), stopped.clone()));
    let exports = tokio::spawn(takeout::work(state.clone(), stopped));
    Scheduler {
        stop,
        tasks: vec![scheduler, exports],
    }
}

async fn schedule(state: AppState, mut stopped: watch::Receiver<bool>) {
    let every = TimeDelta::minutes(i64::from(state.config().retention.sweep_minutes));
    let mut due: DateTime<Utc> = state.now();
    loop {
        if *stopped.borrow() {
            break;
        }
        if state.now() >= due {
            if let Err(err) = sweeps::run(&state).await {
                tracing::warn!(error = %err, "retention sweep");
            }
            due = state.now() + every;
        }
        tokio::select! {
            () = state.retention().wake.notified() => {}
            () = tokio::time::sleep(TICK) => {}
            _ = stopped.changed() => break,
        }
    }
}
