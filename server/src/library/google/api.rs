//! Settings → Library: the owner brings a Google Photos takeout home from
//! a folder on the server (its zips, or the unpacked `Takeout`), for any
//! member, and watches it go. One at a time; what it did stays shown until
//! the next one. A stop of Hearth ends it: starting it again finishes it
//! (nothing is imported twice).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::import::{self, Options};
use crate::accounts::principal::SessionAuth;
use crate::api::ApiTag;
use crate::error::AppError;
use crate::state::AppState;

#[derive(Debug, Object)]
pub struct NewTakeoutImport {
    /// A folder on the server holding the takeout's zips
    /// (`takeout-*.zip`), or the unpacked `Takeout` folder.
    #[oai(validator(max_length = 4096))]
    pub path: String,
    /// Whose photos they are (default: you).
    pub owner_id: Option<i64>,
    /// Import Google's edited copies too, as photos of their own.
    #[oai(default)]
    pub with_edited: bool,
}

/// A takeout import: under way, or what it did.
#[derive(Debug, Clone, Object)]
pub struct TakeoutImport {
    pub path: String,
    /// The member whose photos they are.
    pub owner: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Photos and videos done, of all.
    pub done: u64,
    pub total: u64,
    /// When finished: what was imported, merged, left out and why.
    pub report: Option<String>,
    /// When it failed: why.
    pub error: Option<String>,
}

/// The takeout import under way, or the last one (none yet: absent).
#[derive(Debug, Object)]
pub struct TakeoutStatus {
    #[oai(rename = "import", skip_serializing_if_is_none)]
    pub current: Option<TakeoutImport>,
}

pub struct GoogleApi;

/// The takeout's parts in `folder`: its zips, or the folder itself.
fn parts(folder: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut zips: Vec<std::path::PathBuf> = std::fs::read_dir(folder)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.path())
                // (Not a link: it could lead anywhere, the data folder too.)
                .filter(|path| {
                    path.symlink_metadata().is_ok_and(|meta| meta.is_file())
                        && path
                            .extension()
                            .is_some_and(|extension| extension.eq_ignore_ascii_case("zip"))
                })
                .collect()
        })
        .unwrap_or_default();
    zips.sort();
    if zips.is_empty() {
        vec![folder.to_path_buf()]
    } else {
        zips
    }
}

fn set(state: &AppState, change: impl FnOnce(&mut TakeoutImport)) {
    let mut slot = state
        .library()
        .google
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(running) = slot.as_mut() {
        change(running);
    }
}

#[OpenApi(tag = "ApiTag::Import")]
impl GoogleApi {
    /// Bring a Google Photos takeout home (owner): from a folder on the
    /// server holding its zips, or the unpacked `Takeout` folder. Dates,
    /// places, captions, people, favourites, archive and albums come with
    /// the photos. One at a time.
    #[oai(
        path = "/import/google-takeout",
        method = "post",
        operation_id = "start_google_takeout"
    )]
    async fn start(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<NewTakeoutImport>,
    ) -> Result<Json<TakeoutImport>, AppError> {
        let me = &auth.0;
        me.require_owner()?;
        let folder = crate::library::roots::readable_folder(&state, &body.path, true)?;
        let owner =
            crate::accounts::users::find(state.db(), body.owner_id.unwrap_or(me.user.id)).await?;
        let scanned = folder.clone();
        let (paths, takeout) = tokio::task::spawn_blocking(move || {
            let paths = parts(&scanned);
            let takeout = import::is_takeout(&paths);
            (paths, takeout)
        })
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
        if !takeout {
            return Err(AppError::InvalidRequest(format!(
                "{} holds no Google takeout: give the folder with its takeout-*.zip files, or the unpacked Takeout folder.",
                folder.display()
            )));
        }
        let started = TakeoutImport {
            path: folder.display().to_string(),
            owner: owner.username.clone(),
            started_at: state.now(),
            finished_at: None,
            done: 0,
            total: 0,
            report: None,
            error: None,
        };
        {
            let mut slot = state
                .library()
                .google
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if slot
                .as_ref()
                .is_some_and(|running| running.finished_at.is_none())
            {
                return Err(AppError::Conflict(
                    "A takeout import is under way: wait for it to finish.".into(),
                ));
            }
            *slot = Some(started.clone());
        }
        let options = Options {
            with_edited: body.with_edited,
        };
        let work = state.clone();
        let importing = tokio::spawn(async move {
            let progress = |done, total| {
                set(&work, |running| {
                    running.done = done;
                    running.total = total;
                });
            };
            import::import(&work, &owner, &paths, options, progress).await
        });
        // Whatever becomes of it, even a panic, it is marked finished.
        let work = state.clone();
        tokio::spawn(async move {
            let result = importing.await;
            let now = work.now();
            set(&work, |running| {
                running.finished_at = Some(now);
                match result {
                    Ok(Ok(report)) => running.report = Some(report.summary()),
                    Ok(Err(err)) => running.error = Some(err.detail()),
                    Err(_) => {
                        running.error = Some(
                            "The import failed unexpectedly; starting it again finishes it.".into(),
                        );
                    }
                }
            });
        });
        Ok(Json(started))
    }

    /// The takeout import under way, or the last one (owner).
    #[oai(
        path = "/import/google-takeout",
        method = "get",
        operation_id = "google_takeout"
    )]
    async fn status(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<TakeoutStatus>, AppError> {
        auth.0.require_owner()?;
        let slot = state
            .library()
            .google
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Ok(Json(TakeoutStatus {
            current: slot.clone(),
        }))
    }
}
