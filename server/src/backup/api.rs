//! The owner's view of backups: the automatic ones in the data folder and
//! "Back up now".

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::Entry;
use crate::accounts::principal::SessionAuth;
use crate::api::ApiTag;
use crate::error::AppError;
use crate::state::AppState;

pub struct BackupApi;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "snake_case")]
pub enum BackupKind {
    /// Automatic, or made with "Back up now".
    Scheduled,
    /// Taken by Hearth before an upgrade changed the database.
    BeforeMigration,
}

/// One database backup in the data folder's `backups/`.
#[derive(Debug, Object)]
pub struct Backup {
    pub name: String,
    pub kind: BackupKind,
    pub at: DateTime<Utc>,
    pub bytes: u64,
}

impl From<Entry> for Backup {
    fn from(entry: Entry) -> Self {
        Self {
            name: entry.name,
            kind: if entry.before_migration {
                BackupKind::BeforeMigration
            } else {
                BackupKind::Scheduled
            },
            at: entry.at,
            bytes: entry.bytes,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Backups {
    /// Where they are on the server.
    pub folder: String,
    /// Hours between automatic backups; 0: off.
    pub every_hours: u16,
    /// How many are kept.
    pub keep: u16,
    /// When the next automatic one is due.
    pub next_due: Option<DateTime<Utc>>,
    /// Newest first.
    pub backups: Vec<Backup>,
}

#[derive(ApiResponse)]
pub enum Made {
    /// The backup is complete.
    #[oai(status = 201)]
    Made(Json<Backup>),
}

#[OpenApi(tag = "ApiTag::Maintenance")]
impl BackupApi {
    /// The database backups in the data folder (owner only).
    #[oai(path = "/admin/backups", method = "get", operation_id = "list_backups")]
    async fn list(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Backups>, AppError> {
        auth.0.require_owner()?;
        let config = &state.config().backup;
        Ok(Json(Backups {
            folder: state.data_dir().backups().display().to_string(),
            every_hours: config.every_hours,
            keep: config.keep,
            next_due: super::next_due(&state),
            backups: super::list(state.data_dir())
                .into_iter()
                .map(Backup::from)
                .collect(),
        }))
    }

    /// Back up the database now (owner only); the oldest beyond `keep` go.
    #[oai(path = "/admin/backups", method = "post", operation_id = "back_up_now")]
    async fn now(&self, auth: SessionAuth, state: Data<&AppState>) -> Result<Made, AppError> {
        auth.0.require_owner()?;
        Ok(Made::Made(Json(super::now(&state).await?.into())))
    }
}
