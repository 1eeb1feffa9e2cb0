//! `hearth import PATH`: a one-off import from the command line, with
//! progress on standard error and a summary at the end.

use std::fmt::Write as _;
use std::path::Path;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::ingest::{self, Outcome, Source};
use crate::accounts::users::Role;
use crate::db::entities::user;
use crate::error::AppError;
use crate::state::AppState;

/// Imports every file under `path` for `owner` (default: the owner) and
/// returns the summary to print.
pub async fn import(
    state: &AppState,
    path: &Path,
    owner: Option<&str>,
) -> Result<String, AppError> {
    let owner = match owner {
        Some(name) => user::Entity::find()
            .filter(user::Column::Username.eq(name.trim().to_lowercase()))
            .one(state.db())
            .await?
            .ok_or_else(|| {
                AppError::NotFound(format!("There is no member with the username “{name}”."))
            })?,
        None => user::Entity::find()
            .filter(user::Column::Role.eq(Role::Owner.as_str()))
            .one(state.db())
            .await?
            .ok_or_else(|| {
                AppError::NotFound(
                    "Hearth has no owner yet: finish the first-run setup first.".into(),
                )
            })?,
    };
    let path =
        std::path::absolute(path).map_err(|err| AppError::InvalidRequest(err.to_string()))?;
    let files = if path.is_dir() {
        ingest::walk(&path)
    } else {
        vec![path.clone()]
    };
    if files.is_empty() {
        return Err(AppError::InvalidRequest(format!(
            "There are no files at {}.",
            path.display()
        )));
    }
    let (mut imported, mut duplicates) = (0, 0);
    let mut failed = Vec::new();
    for (done, file) in files.iter().enumerate() {
        let source = Source {
            owner_id: owner.id,
            root_id: None,
            path: file.clone(),
            location: file.display().to_string(),
            visibility: "private",
        };
        match ingest::ingest(state, &source).await? {
            Outcome::Imported(_) => imported += 1,
            Outcome::Duplicate(_) => duplicates += 1,
            Outcome::Failed(reason) => failed.push((file.clone(), reason)),
        }
        if (done + 1) % 25 == 0 {
            eprintln!("{} of {} files…", done + 1, files.len());
        }
    }
    let mut report = format!(
        "{imported} imported, {duplicates} duplicates, {} failed ({} files for {})",
        failed.len(),
        files.len(),
        owner.username
    );
    for (file, reason) in &failed {
        let _ = write!(report, "\n  {}: {reason}", file.display());
    }
    Ok(report)
}
