//! The library's machinery for the owner and admins: import folders (add
//! with path checks, change, remove, scan now, status), the job queue
//! (depth, rate, failures, retry) and files that could not be imported.
//! Members see their own import failures.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use super::api::Visibility;
use super::roots;
use crate::accounts::principal::Auth;
use crate::accounts::tokens::Scope;
use crate::api::ApiTag;
use crate::db::entities::{asset_file, import_failure, import_root, job, user};
use crate::error::AppError;
use crate::jobs;
use crate::state::AppState;

pub struct ImportApi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "lowercase")]
pub enum WatchMode {
    /// The system reports changes as they happen.
    Events,
    /// Hearth looks every `poll_minutes` (network shares).
    Poll,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Root {
    pub id: i64,
    pub path: String,
    pub owner_id: i64,
    pub owner: String,
    pub visibility: Visibility,
    pub watch: WatchMode,
    pub poll_minutes: i32,
    /// Globs skipped besides the built-in ones.
    pub exclude: Vec<String>,
    /// `online` or `offline`.
    pub status: String,
    #[oai(skip_serializing_if_is_none)]
    pub offline_reason: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub last_scan_at: Option<DateTime<Utc>>,
    /// `config` (from hearth.toml: change it there) or `api`.
    pub source: String,
    /// Files of this folder in the library, and how many are missing.
    pub files: u64,
    pub missing: u64,
    /// Files of this folder that could not be imported.
    pub failed: u64,
    /// What the last scan skipped: hidden files and folders (names
    /// starting with a dot), and those the exclusions name.
    pub skipped_hidden: i64,
    pub skipped_excluded: i64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewRoot {
    /// An absolute path on the server.
    pub path: String,
    /// The member whose photos these are (default: you).
    pub owner_id: Option<i64>,
    pub visibility: Visibility,
    pub watch: WatchMode,
    /// For `poll`: minutes between looks (default 15).
    #[oai(validator(minimum(value = "1"), maximum(value = "10080")))]
    pub poll_minutes: Option<i32>,
    #[oai(default)]
    pub exclude: Vec<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RootEdit {
    pub visibility: Option<Visibility>,
    pub watch: Option<WatchMode>,
    #[oai(validator(minimum(value = "1"), maximum(value = "10080")))]
    pub poll_minutes: Option<i32>,
    pub exclude: Option<Vec<String>>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Failure {
    pub id: i64,
    #[oai(skip_serializing_if_is_none)]
    pub folder: Option<String>,
    pub path: String,
    pub bytes: i64,
    /// Why, in plain words.
    pub reason: String,
    /// The decoder's own words, for whoever looks after the server.
    pub detail: String,
    pub failed_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FailedJob {
    pub id: i64,
    pub kind: String,
    pub attempts: i32,
    #[oai(skip_serializing_if_is_none)]
    pub error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
pub struct JobStatus {
    pub queued: u64,
    pub running: u64,
    pub failed: u64,
    /// Jobs finished in the last minute, and how many of them errored.
    pub done_last_minute: u64,
    pub errors_last_minute: u64,
    pub workers: u64,
    /// The most recent jobs that gave up (at most 50).
    pub failed_jobs: Vec<FailedJob>,
}

#[derive(ApiResponse)]
pub enum Done {
    #[oai(status = 204)]
    Done,
}

fn visibility_of(text: &str) -> Visibility {
    if text == "family" {
        Visibility::Family
    } else {
        Visibility::Private
    }
}

fn visibility_text(visibility: Visibility) -> &'static str {
    match visibility {
        Visibility::Family => "family",
        Visibility::Private => "private",
    }
}

fn watch_text(watch: WatchMode) -> &'static str {
    match watch {
        WatchMode::Events => "events",
        WatchMode::Poll => "poll",
    }
}

fn check_exclusions(globs: &[String]) -> Result<String, AppError> {
    if let Some(bad) = globs.iter().find(|g| glob::Pattern::new(g).is_err()) {
        return Err(AppError::InvalidRequest(format!(
            "“{bad}” is not a valid pattern."
        )));
    }
    serde_json::to_string(globs).map_err(|err| AppError::Internal(err.into()))
}

fn check_poll(minutes: i32) -> Result<i32, AppError> {
    if (1..=10_080).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(AppError::InvalidRequest(
            "Poll every 1 to 10 080 minutes (a week).".into(),
        ))
    }
}

async fn describe(state: &AppState, root: import_root::Model) -> Result<Root, AppError> {
    let db = state.db();
    let files = asset_file::Entity::find()
        .filter(asset_file::Column::RootId.eq(root.id))
        .count(db)
        .await?;
    let missing = asset_file::Entity::find()
        .filter(asset_file::Column::RootId.eq(root.id))
        .filter(asset_file::Column::Present.eq(false))
        .count(db)
        .await?;
    let failed = import_failure::Entity::find()
        .filter(import_failure::Column::RootId.eq(root.id))
        .count(db)
        .await?;
    let owner = user::Entity::find_by_id(root.owner_id)
        .one(db)
        .await?
        .map(|u| u.username)
        .unwrap_or_default();
    Ok(Root {
        id: root.id,
        owner,
        owner_id: root.owner_id,
        visibility: visibility_of(&root.visibility),
        watch: if root.watch_mode == "poll" {
            WatchMode::Poll
        } else {
            WatchMode::Events
        },
        poll_minutes: root.poll_minutes,
        exclude: serde_json::from_str(&root.exclusions).unwrap_or_default(),
        status: root.status,
        offline_reason: root.offline_reason,
        last_scan_at: root.last_scan_at,
        skipped_hidden: root.skipped_hidden,
        skipped_excluded: root.skipped_excluded,
        source: root.source,
        path: root.path,
        files,
        missing,
        failed,
    })
}

async fn find_root(state: &AppState, id: i64) -> Result<import_root::Model, AppError> {
    import_root::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such import folder.".into()))
}

/// A root added through the API: those from hearth.toml change there.
async fn find_api_root(state: &AppState, id: i64) -> Result<import_root::Model, AppError> {
    let root = find_root(state, id).await?;
    if root.source == "config" {
        return Err(AppError::Conflict(
            "This folder is set in hearth.toml: change it there.".into(),
        ));
    }
    Ok(root)
}

#[OpenApi(tag = "ApiTag::Import")]
impl ImportApi {
    /// Every import folder, with its status (owner and admins).
    #[oai(path = "/import/roots", method = "get", operation_id = "list_roots")]
    async fn roots(&self, auth: Auth, state: Data<&AppState>) -> Result<Json<Vec<Root>>, AppError> {
        auth.principal().require_admin()?;
        let rows = import_root::Entity::find()
            .order_by_asc(import_root::Column::Path)
            .all(state.db())
            .await?;
        let mut roots = Vec::with_capacity(rows.len());
        for row in rows {
            roots.push(describe(&state, row).await?);
        }
        Ok(Json(roots))
    }

    /// Add an import folder: an existing, readable folder on the server that
    /// is not a system folder (`/etc`, `/proc`, `/usr`…), not inside
    /// Hearth's data folder or another import folder. Only the owner is
    /// told why a path is refused.
    #[oai(path = "/import/roots", method = "post", operation_id = "add_root")]
    async fn add_root(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        body: Json<NewRoot>,
    ) -> Result<Json<Root>, AppError> {
        let me = auth.principal();
        me.require_admin()?;
        let path = roots::usable_path(
            &state,
            &body.path,
            me.role() == crate::accounts::users::Role::Owner,
        )
        .await?;
        let owner_id = body.owner_id.unwrap_or(me.user.id);
        crate::accounts::users::find(state.db(), owner_id).await?;
        let row = import_root::ActiveModel {
            path: Set(path.display().to_string()),
            owner_id: Set(owner_id),
            visibility: Set(visibility_text(body.visibility).to_owned()),
            watch_mode: Set(watch_text(body.watch).to_owned()),
            poll_minutes: Set(check_poll(body.poll_minutes.unwrap_or(15))?),
            exclusions: Set(check_exclusions(&body.exclude)?),
            status: Set("online".to_owned()),
            created_at: Set(state.now()),
            source: Set("api".to_owned()),
            ..Default::default()
        }
        .insert(state.db())
        .await?;
        roots::queue_scan(&state, row.id).await?;
        Ok(Json(describe(&state, row).await?))
    }

    /// Change an import folder added here (those from hearth.toml change there).
    #[oai(
        path = "/import/roots/:id",
        method = "patch",
        operation_id = "edit_root"
    )]
    async fn edit_root(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<RootEdit>,
    ) -> Result<Json<Root>, AppError> {
        auth.principal().require_admin()?;
        let root = find_api_root(&state, id.0).await?;
        let mut row = import_root::ActiveModel::from(root);
        if let Some(visibility) = body.visibility {
            row.visibility = Set(visibility_text(visibility).to_owned());
        }
        if let Some(watch) = body.watch {
            row.watch_mode = Set(watch_text(watch).to_owned());
        }
        if let Some(minutes) = body.poll_minutes {
            row.poll_minutes = Set(check_poll(minutes)?);
        }
        if let Some(exclude) = &body.exclude {
            row.exclusions = Set(check_exclusions(exclude)?);
        }
        let row = row.update(state.db()).await?;
        roots::queue_scan(&state, row.id).await?;
        Ok(Json(describe(&state, row).await?))
    }

    /// Stop watching an import folder. Its photos leave the library (their
    /// files on disk are not touched); albums lose them.
    #[oai(
        path = "/import/roots/:id",
        method = "delete",
        operation_id = "remove_root"
    )]
    async fn remove_root(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        auth.principal().require_admin()?;
        let root = find_api_root(&state, id.0).await?;
        roots::remove(&state, root.id).await?;
        Ok(Done::Done)
    }

    /// Compare an import folder with the library now.
    #[oai(
        path = "/import/roots/:id/scan",
        method = "post",
        operation_id = "scan_root"
    )]
    async fn scan(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        auth.principal().require_admin()?;
        let root = find_root(&state, id.0).await?;
        roots::queue_scan(&state, root.id).await?;
        Ok(Done::Done)
    }

    /// Files that could not be imported, with the reason: yours, or (owner
    /// and admins) everyone's. Newest first, at most 500.
    #[oai(
        path = "/import/failures",
        method = "get",
        operation_id = "import_failures"
    )]
    async fn failures(
        &self,
        auth: Auth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Failure>>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let mut query = import_failure::Entity::find()
            .order_by_desc(import_failure::Column::FailedAt)
            .limit(500);
        if !me.role().is_admin() {
            query = query.filter(import_failure::Column::OwnerId.eq(me.user.id));
        }
        let rows = query.all(state.db()).await?;
        let folders: std::collections::HashMap<i64, String> = import_root::Entity::find()
            .all(state.db())
            .await?
            .into_iter()
            .map(|r| (r.id, r.path))
            .collect();
        Ok(Json(
            rows.into_iter()
                .map(|f| Failure {
                    id: f.id,
                    folder: f.root_id.and_then(|id| folders.get(&id).cloned()),
                    path: f.path,
                    bytes: f.bytes,
                    reason: super::reasons::in_plain_words(&f.reason),
                    detail: f.reason,
                    failed_at: f.failed_at,
                })
                .collect(),
        ))
    }

    /// The job queue: depth, rate and jobs that gave up (owner and admins).
    #[oai(path = "/jobs", method = "get", operation_id = "jobs")]
    async fn jobs(&self, auth: Auth, state: Data<&AppState>) -> Result<Json<JobStatus>, AppError> {
        auth.principal().require_admin()?;
        let depth = jobs::depth(state.db()).await?;
        let (done, errors) = state.library().last_minute(state.now());
        let failed_jobs = job::Entity::find()
            .filter(job::Column::Status.eq("failed"))
            .order_by_desc(job::Column::UpdatedAt)
            .limit(50)
            .all(state.db())
            .await?
            .into_iter()
            .map(|j| FailedJob {
                id: j.id,
                kind: j.kind,
                attempts: j.attempts,
                error: j.last_error,
                updated_at: j.updated_at,
            })
            .collect();
        Ok(Json(JobStatus {
            queued: depth.queued,
            running: depth.running,
            failed: depth.failed,
            done_last_minute: done as u64,
            errors_last_minute: errors as u64,
            workers: state.config().library.worker_count() as u64,
            failed_jobs,
        }))
    }

    /// Run every job that gave up once more.
    #[oai(path = "/jobs/retry", method = "post", operation_id = "retry_jobs")]
    async fn retry(&self, auth: Auth, state: Data<&AppState>) -> Result<Done, AppError> {
        auth.principal().require_admin()?;
        crate::jobs::retry_failed(state.db(), None, state.now()).await?;
        state.library().wake();
        Ok(Done::Done)
    }
}
