//! The integrity check (`hearth check [--repair]`, and the owner's
//! Settings → Server): the database against the originals (missing,
//! changed), the thumbnails (missing, orphaned) and the search index
//! (missing, stale documents). Repairs queue the work that makes things
//! right again (thumbnails, a rescan of an import folder, re-indexing) and
//! delete orphaned thumbnail folders; an uploaded original that is gone
//! cannot be repaired from inside Hearth (restore it from a backup).
//!
//! Work already under way is not a problem: an asset whose thumbnails or
//! index document are still queued is not reported.

pub mod api;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement};
use serde::Serialize;

use crate::db::entities::{asset, asset_file, import_root};
use crate::error::AppError;
use crate::search::{Generation, blocking, current_name, schema};
use crate::state::AppState;

/// What one kind of problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Problem {
    /// A file the database records is not there.
    MissingOriginal,
    /// A file is there but its size or modification time is not what the
    /// database records.
    ChangedOriginal,
    /// An asset has no preview or thumbnail, and none is being made.
    MissingThumbnail,
    /// A thumbnail folder of an asset the database does not have.
    OrphanedThumbnail,
    /// An active asset the search index does not have.
    MissingFromIndex,
    /// An index document of an asset that is gone, not active, or whose
    /// owner, kind or date changed.
    StaleInIndex,
}

impl Problem {
    /// What it means, for people.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::MissingOriginal => "originals missing",
            Self::ChangedOriginal => "originals changed on disk",
            Self::MissingThumbnail => "thumbnails missing",
            Self::OrphanedThumbnail => "thumbnail folders of deleted photos",
            Self::MissingFromIndex => "photos missing from the search index",
            Self::StaleInIndex => "out-of-date search index entries",
        }
    }
}

/// One problem found.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub problem: Problem,
    /// The asset concerned, if it still exists.
    pub asset_id: Option<i64>,
    /// The file or folder concerned, if any.
    pub path: Option<String>,
    /// Whether `--repair` fixed it (or queued the work that will).
    pub repaired: bool,
}

/// Everything one check found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub at: DateTime<Utc>,
    pub assets: u64,
    pub files: u64,
    pub index_documents: u64,
    /// Videos without a poster frame, each with its reason recorded (not
    /// a problem: a fact of those videos).
    pub without_poster: u64,
    pub findings: Vec<Finding>,
    pub repair: bool,
}

impl Report {
    #[must_use]
    pub fn clean(&self) -> bool {
        self.findings.is_empty()
    }

    /// Every finding was repaired (or nothing was found).
    #[must_use]
    pub fn all_repaired(&self) -> bool {
        self.findings.iter().all(|finding| finding.repaired)
    }

    /// Counts of each problem found.
    #[must_use]
    pub fn counts(&self) -> BTreeMap<Problem, u64> {
        let mut counts = BTreeMap::new();
        for finding in &self.findings {
            *counts.entry(finding.problem).or_insert(0) += 1;
        }
        counts
    }
}

/// Examples shown per problem in the command's output.
const EXAMPLES: usize = 10;

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "Checked {} photos and videos, {} files, {} search index entries.",
            self.assets, self.files, self.index_documents
        )?;
        if self.without_poster > 0 {
            writeln!(
                f,
                "{} videos have no poster frame; why is recorded with each (not a problem).",
                self.without_poster
            )?;
        }
        if self.clean() {
            return write!(f, "Everything is in order.");
        }
        for (problem, count) in self.counts() {
            writeln!(f, "{count} {}:", problem.describe())?;
            let of_kind = self.findings.iter().filter(|one| one.problem == problem);
            for one in of_kind.clone().take(EXAMPLES) {
                let what = match (&one.path, one.asset_id) {
                    (Some(path), Some(id)) => format!("asset {id}: {path}"),
                    (Some(path), None) => path.clone(),
                    (None, Some(id)) => format!("asset {id}"),
                    (None, None) => String::new(),
                };
                let state = if one.repaired { " (repaired)" } else { "" };
                writeln!(f, "  {what}{state}")?;
            }
            let more = of_kind.count().saturating_sub(EXAMPLES);
            if more > 0 {
                writeln!(f, "  … and {more} more")?;
            }
        }
        if !self.repair {
            write!(
                f,
                "Run `hearth check --repair` to repair what can be repaired."
            )
        } else if self.all_repaired() {
            write!(
                f,
                "Repaired: the work is queued; Hearth does it while it runs (run the check again later)."
            )
        } else {
            write!(
                f,
                "Some problems cannot be repaired by Hearth: an uploaded original that is gone has to come back from a backup."
            )
        }
    }
}

/// Runs the check, and with `repair` the repairs.
pub async fn run(state: &AppState, repair: bool) -> Result<Report, AppError> {
    let db = state.db();
    let assets = assets(db).await?;
    let files = asset_file::Entity::find().all(db).await?;
    let busy = busy(db).await?;
    let mut findings = originals(state, &files).await?;
    findings.extend(thumbnails(state, &assets, &busy.derive).await?);
    let (index_documents, in_index) = index(state).await?;
    findings.extend(search(&assets, &in_index, &busy.index));
    let mut report = Report {
        at: state.now(),
        assets: assets.len() as u64,
        files: files.len() as u64,
        index_documents,
        without_poster: assets.iter().filter(|one| one.no_poster).count() as u64,
        findings,
        repair,
    };
    if repair {
        repair_all(state, &files, &mut report.findings).await?;
    }
    Ok(report)
}

/// What the check needs of an asset (the whole rows of a large library
/// would take hundreds of MiB).
struct Asset {
    id: i64,
    owner_id: i64,
    status: String,
    /// Local capture time, in seconds, as the index stores it.
    taken: i64,
    /// A video that can have no poster frame (its reason is recorded).
    no_poster: bool,
}

/// The columns `Asset` is made from.
#[derive(sea_orm::FromQueryResult)]
struct AssetRow {
    id: i64,
    owner_id: i64,
    status: String,
    taken_local: Option<String>,
    sort_at: DateTime<Utc>,
    no_poster: Option<String>,
}

async fn assets(db: &impl ConnectionTrait) -> Result<Vec<Asset>, AppError> {
    use sea_orm::QuerySelect as _;
    let rows = asset::Entity::find()
        .select_only()
        .columns([
            asset::Column::Id,
            asset::Column::OwnerId,
            asset::Column::Status,
            asset::Column::TakenLocal,
            asset::Column::SortAt,
            asset::Column::NoPoster,
        ])
        .into_model::<AssetRow>()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|row| Asset {
            id: row.id,
            owner_id: row.owner_id,
            status: row.status,
            taken: schema::local_seconds(schema::local_time(
                row.taken_local.as_deref(),
                row.sort_at,
            )),
            no_poster: row.no_poster.is_some(),
        })
        .collect())
}

/// Work already queued: assets whose thumbnails are being made, assets
/// whose index documents are waiting in the change log.
struct Busy {
    derive: HashSet<i64>,
    index: HashSet<i64>,
}

async fn busy(db: &impl ConnectionTrait) -> Result<Busy, AppError> {
    let ids = async |sql: &str| -> Result<HashSet<i64>, AppError> {
        Ok(db
            .query_all_raw(Statement::from_string(DbBackend::Sqlite, sql))
            .await?
            .into_iter()
            .filter_map(|row| row.try_get_by_index::<i64>(0).ok())
            .collect())
    };
    Ok(Busy {
        derive: ids(
            "SELECT CAST(substr(key, 8) AS INTEGER) FROM jobs WHERE key LIKE 'derive:%' AND status IN ('queued', 'running')",
        )
        .await?,
        index: ids("SELECT asset_id FROM search_changes").await?,
    })
}

/// Where each import folder is.
async fn roots(state: &AppState) -> Result<HashMap<i64, PathBuf>, AppError> {
    Ok(import_root::Entity::find()
        .all(state.db())
        .await?
        .into_iter()
        .map(|root| (root.id, PathBuf::from(root.path)))
        .collect())
}

/// The recorded files that are present: are they there, unchanged?
async fn originals(
    state: &AppState,
    files: &[asset_file::Model],
) -> Result<Vec<Finding>, AppError> {
    let roots = roots(state).await?;
    let managed = state.data_dir().originals();
    // Uploads are compared by size (a restore copies them anew); files in
    // import folders also by modification time, as a rescan does.
    let recorded: Vec<(i64, PathBuf, i64, Option<i64>)> = files
        .iter()
        .filter(|file| file.present)
        .filter_map(|file| {
            let (base, modified) = match file.root_id {
                None => (managed.clone(), None),
                Some(root) => (
                    roots.get(&root)?.clone(),
                    Some(file.modified_at.timestamp()),
                ),
            };
            Some((file.asset_id, base.join(&file.path), file.bytes, modified))
        })
        .collect();
    blocking(move || {
        let mut found = Vec::new();
        for (asset_id, path, bytes, modified) in recorded {
            let problem = match std::fs::metadata(&path) {
                Err(_) => Some(Problem::MissingOriginal),
                Ok(meta) if !meta.is_file() => Some(Problem::MissingOriginal),
                Ok(meta) => {
                    let seconds = meta
                        .modified()
                        .ok()
                        .map(|at| DateTime::<Utc>::from(at).timestamp());
                    let changed = i64::try_from(meta.len()).ok() != Some(bytes)
                        || modified.is_some_and(|recorded| seconds != Some(recorded));
                    changed.then_some(Problem::ChangedOriginal)
                }
            };
            if let Some(problem) = problem {
                found.push(Finding {
                    problem,
                    asset_id: Some(asset_id),
                    path: Some(path.display().to_string()),
                    repaired: false,
                });
            }
        }
        Ok(found)
    })
    .await
}

/// Thumbnails: every asset has a preview and a thumbnail (unless being
/// made, its original is offline, or it is a video that can have no
/// poster); every thumbnail folder has an asset.
async fn thumbnails(
    state: &AppState,
    assets: &[Asset],
    busy: &HashSet<i64>,
) -> Result<Vec<Finding>, AppError> {
    let data_dir = state.data_dir().clone();
    let expected: Vec<(i64, PathBuf)> = assets
        .iter()
        .filter(|one| one.status != "offline" && !one.no_poster && !busy.contains(&one.id))
        .map(|one| (one.id, data_dir.derived(one.id)))
        .collect();
    let known: HashSet<i64> = assets.iter().map(|one| one.id).collect();
    // Assets imported while the check runs have larger ids: never orphans.
    let newest = assets.iter().map(|one| one.id).max().unwrap_or(0);
    let root = data_dir.derived_root();
    blocking(move || {
        let mut found = Vec::new();
        for (asset_id, folder) in expected {
            if ["preview.jpg", "thumb.jpg"]
                .iter()
                .any(|name| !folder.join(name).is_file())
            {
                found.push(Finding {
                    problem: Problem::MissingThumbnail,
                    asset_id: Some(asset_id),
                    path: Some(folder.display().to_string()),
                    repaired: false,
                });
            }
        }
        for shard in std::fs::read_dir(&root).into_iter().flatten().flatten() {
            for entry in std::fs::read_dir(shard.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                let id = entry.file_name().to_string_lossy().parse::<i64>().ok();
                if id.is_none_or(|id| id <= newest && !known.contains(&id)) {
                    found.push(Finding {
                        problem: Problem::OrphanedThumbnail,
                        asset_id: None,
                        path: Some(entry.path().display().to_string()),
                        repaired: false,
                    });
                }
            }
        }
        Ok(found)
    })
    .await
}

/// What the index holds: per asset id, its documents' (owner, taken)
/// values.
type Indexed = HashMap<i64, Vec<(u64, i64)>>;

/// Reads every document's id, owner and date from the index (the running
/// server's generation, or the data folder's current one).
async fn index(state: &AppState) -> Result<(u64, Indexed), AppError> {
    let generation: Arc<Generation> = if let Some(runtime) = state.search() {
        runtime.current()
    } else {
        let dir = state.data_dir().index();
        Arc::new(Generation::open(&dir, &current_name(&dir))?)
    };
    blocking(move || {
        let internal = |err: &dyn std::fmt::Display| {
            AppError::Internal(anyhow::anyhow!("reading the search index: {err}"))
        };
        generation.reader.reload().map_err(|err| internal(&err))?;
        let searcher = generation.reader.searcher();
        let mut indexed: Indexed = HashMap::new();
        let mut documents = 0;
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let id = fast.u64("id").map_err(|err| internal(&err))?;
            let owner = fast.u64("owner").map_err(|err| internal(&err))?;
            let taken = fast.i64("taken").map_err(|err| internal(&err))?;
            for doc in segment.doc_ids_alive() {
                documents += 1;
                if let (Some(id), Some(owner), Some(taken)) =
                    (id.first(doc), owner.first(doc), taken.first(doc))
                {
                    let id = i64::try_from(id).unwrap_or(i64::MAX);
                    indexed.entry(id).or_default().push((owner, taken));
                }
            }
        }
        Ok((documents, indexed))
    })
    .await
}

/// The index against the database: one current document per active asset.
fn search(assets: &[Asset], indexed: &Indexed, busy: &HashSet<i64>) -> Vec<Finding> {
    let finding = |problem, asset_id| Finding {
        problem,
        asset_id: Some(asset_id),
        path: None,
        repaired: false,
    };
    let mut found = Vec::new();
    let by_id: HashMap<i64, &Asset> = assets.iter().map(|one| (one.id, one)).collect();
    for one in assets.iter().filter(|one| one.status == "active") {
        if !busy.contains(&one.id) && !indexed.contains_key(&one.id) {
            found.push(finding(Problem::MissingFromIndex, one.id));
        }
    }
    let mut ids: Vec<&i64> = indexed.keys().collect();
    ids.sort_unstable();
    for &id in ids {
        if busy.contains(&id) {
            continue;
        }
        let current = by_id.get(&id).filter(|one| one.status == "active");
        let stale = match (current, indexed.get(&id).map(Vec::as_slice)) {
            (Some(one), Some([(owner, taken)])) => {
                u64::try_from(one.owner_id).ok() != Some(*owner) || one.taken != *taken
            }
            // Gone, not active, or there twice.
            _ => true,
        };
        if stale {
            found.push(finding(Problem::StaleInIndex, id));
        }
    }
    found
}

/// Repairs what can be: thumbnails and index entries are queued again,
/// import folders with missing or changed files rescanned, orphaned
/// thumbnail folders deleted.
async fn repair_all(
    state: &AppState,
    files: &[asset_file::Model],
    findings: &mut [Finding],
) -> Result<(), AppError> {
    let db = state.db();
    let now = state.now();
    let root_of: HashMap<i64, i64> = files
        .iter()
        .filter_map(|file| Some((file.asset_id, file.root_id?)))
        .collect();
    let tx = crate::db::write(db).await?;
    for finding in findings.iter_mut() {
        finding.repaired = match (finding.problem, finding.asset_id) {
            (Problem::MissingThumbnail, Some(id)) => {
                crate::library::workers::queue_derive_in(&tx, id, now).await?;
                true
            }
            (Problem::MissingFromIndex | Problem::StaleInIndex, Some(id)) => {
                tx.execute_raw(Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    "INSERT INTO search_changes (asset_id) VALUES (?)",
                    [id.into()],
                ))
                .await?;
                true
            }
            (Problem::MissingOriginal | Problem::ChangedOriginal, Some(id)) => {
                match root_of.get(&id) {
                    Some(&root) => {
                        crate::library::roots::queue_scan_in(&tx, root, now).await?;
                        true
                    }
                    // An upload: only a backup has it.
                    None => false,
                }
            }
            // Orphaned folders are deleted below, outside the transaction.
            _ => false,
        };
    }
    tx.commit().await?;
    for finding in findings
        .iter_mut()
        .filter(|finding| finding.problem == Problem::OrphanedThumbnail)
    {
        if let Some(path) = &finding.path {
            finding.repaired = tokio::fs::remove_dir_all(path).await.is_ok();
        }
    }
    state.library().wake();
    if let Some(search) = state.search() {
        search.wake.notify_one();
    }
    Ok(())
}
