//! Watching import roots: file events from the OS (inotify) for roots in
//! `events` mode, a look every `poll_minutes` for roots in `poll` mode
//! (network mounts send no events), and a full reconciliation scan of every
//! root on start and every `rescan_hours`. Events only queue work: each
//! file is read by a worker once it has been stable for the settle period,
//! so bursts of events for a file being copied cost one import.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::TimeDelta;
use notify::{RecursiveMode, Watcher as _};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::{mpsc, watch};

use super::exclusions::exclusions_of;
use super::ingest::{Seen, Source};
use super::roots;
use super::workers;
use crate::db::entities::{asset_file, import_root};
use crate::error::AppError;
use crate::state::AppState;

/// How often roots are checked for due scans and watches to (re)start.
const TICK: Duration = Duration::from_secs(1);

/// Runs until `stopped` turns true.
pub async fn run(state: AppState, mut stopped: watch::Receiver<bool>) {
    let (events, mut received) = mpsc::unbounded_channel::<notify::Result<notify::Event>>();
    let watcher = notify::recommended_watcher(move |event| {
        let _ = events.send(event);
    });
    let mut watcher = match watcher {
        Ok(watcher) => Some(watcher),
        Err(err) => {
            tracing::warn!(error = %err, "file events are unavailable; import folders are scanned on schedule");
            None
        }
    };
    let mut watching: HashMap<i64, PathBuf> = HashMap::new();
    let mut first = true;
    loop {
        if let Err(err) = tick(&state, watcher.as_mut(), &mut watching, first).await {
            tracing::warn!(error = %err.detail(), "checking import folders");
        }
        first = false;
        super::places::release_idle();
        let until = tokio::time::sleep(TICK);
        tokio::pin!(until);
        loop {
            tokio::select! {
                () = &mut until => break,
                _ = stopped.changed() => return,
                event = received.recv() => match event {
                    Some(Ok(event)) if matters(event.kind) => {
                        for path in event.paths {
                            if let Err(err) = changed(&state, &watching, &path).await {
                                tracing::warn!(path = %path.display(), error = %err.detail(), "handling a file event");
                            }
                        }
                    }
                    Some(Ok(_)) => {}
                    Some(Err(err)) => tracing::warn!(error = %err, "file event error"),
                    None => return,
                },
            }
        }
    }
}

/// Changes worth looking at: not reads (Hearth's own reads would echo).
fn matters(kind: notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode, EventKind};
    matches!(
        kind,
        EventKind::Create(_)
            | EventKind::Modify(_)
            | EventKind::Remove(_)
            | EventKind::Access(AccessKind::Close(AccessMode::Write))
    )
}

/// Queues due scans and keeps OS watches in step with the roots.
async fn tick(
    state: &AppState,
    mut watcher: Option<&mut notify::RecommendedWatcher>,
    watching: &mut HashMap<i64, PathBuf>,
    first: bool,
) -> Result<(), AppError> {
    let now = state.now();
    let rescan = TimeDelta::hours(i64::from(state.config().library.rescan_hours.max(1)));
    let mut all = import_root::Entity::find().all(state.db()).await?;
    let configured = all.iter().filter(|root| root.source == "config").count();
    if configured < state.config().library.roots.len() {
        // Waiting for an owner (first-run setup) or a member to exist.
        roots::sync_config(state).await?;
        all = import_root::Entity::find().all(state.db()).await?;
    }
    for root in &all {
        let poll = root.watch_mode == "poll";
        let due = match root.last_scan_at {
            _ if first => true,
            None => true,
            Some(last) => {
                now - last >= rescan
                    || (poll && now - last >= TimeDelta::minutes(i64::from(root.poll_minutes)))
                    || (root.status == "offline" && now - last >= TimeDelta::minutes(1))
            }
        };
        if due {
            roots::queue_scan(state, root.id).await?;
        }
        let wanted = !poll && root.status == "online";
        if let Some(watcher) = watcher.as_deref_mut() {
            let path = PathBuf::from(&root.path);
            match (wanted, watching.contains_key(&root.id)) {
                (true, false) => match watcher.watch(&path, RecursiveMode::Recursive) {
                    Ok(()) => {
                        watching.insert(root.id, path);
                    }
                    Err(err) => {
                        tracing::warn!(path = %path.display(), error = %err, "cannot watch the import folder");
                    }
                },
                (false, true) => {
                    let _ = watcher.unwatch(&path);
                    watching.remove(&root.id);
                }
                _ => {}
            }
        }
    }
    watching.retain(|id, _| all.iter().any(|root| root.id == *id));
    Ok(())
}

/// Something changed at `path`: a file to (re)import once stable, a new
/// folder to look through, or something gone.
async fn changed(
    state: &AppState,
    watching: &HashMap<i64, PathBuf>,
    path: &Path,
) -> Result<(), AppError> {
    let Some((&root_id, base)) = watching
        .iter()
        .filter(|(_, base)| path.starts_with(base))
        .max_by_key(|(_, base)| base.as_os_str().len())
    else {
        return Ok(());
    };
    let Some(root) = import_root::Entity::find_by_id(root_id)
        .one(state.db())
        .await?
    else {
        return Ok(());
    };
    let Some(location) = roots::relative(base, path) else {
        // The root itself: gone or back; the next scan tells.
        roots::queue_scan(state, root_id).await?;
        return Ok(());
    };
    let exclusions = exclusions_of(&root);
    if exclusions.excludes(Path::new(&location)) {
        return Ok(());
    }
    match std::fs::metadata(path) {
        Ok(info) if info.is_file() => {
            queue(state, &root, path.to_path_buf(), location, Seen::of(&info)).await?;
        }
        Ok(info) if info.is_dir() => {
            // A folder moved or copied in: its files.
            for (file, seen) in exclusions.walk_under(base, path).unwrap_or_default().files {
                if let Some(location) = roots::relative(base, &file) {
                    queue(state, &root, file, location, seen).await?;
                }
            }
        }
        Ok(_) => {}
        Err(_) => roots::missing(state, root_id, &location).await?,
    }
    Ok(())
}

async fn queue(
    state: &AppState,
    root: &import_root::Model,
    path: PathBuf,
    location: String,
    seen: Seen,
) -> Result<(), AppError> {
    let known = asset_file::Entity::find()
        .filter(asset_file::Column::RootId.eq(root.id))
        .filter(asset_file::Column::Path.eq(&location))
        .one(state.db())
        .await?;
    if let Some(file) = known
        && file.present
        && file.bytes == i64::try_from(seen.bytes).unwrap_or(i64::MAX)
        && file.modified_at == seen.modified
    {
        // Already imported as it is (e.g. its metadata was touched).
        return Ok(());
    }
    let key = workers::ingest_key(Some(root.id), &location);
    let source = Source {
        owner_id: root.owner_id,
        root_id: Some(root.id),
        path,
        location,
        visibility: root.visibility.clone(),
        seen: Some(seen),
    };
    workers::queue_ingest(state, source, &key).await?;
    Ok(())
}
