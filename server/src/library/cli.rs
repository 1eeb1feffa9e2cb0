//! `hearth import PATH`: a one-off import from the command line. Files
//! are copied into the managed originals (as uploads are), with a progress
//! bar on standard error and a summary at the end, as many at once as
//! there are import workers. A `.zip` is read as a
//! Hearth takeout archive; a Google Photos takeout (its zips, or the
//! unpacked folder) goes to `google::import`.

use std::fmt::Write as _;
use std::path::PathBuf;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use futures_util::StreamExt as _;
use indicatif::{ProgressBar, ProgressStyle};

use super::api::UploadStatus;
use super::exclusions::Exclusions;
use super::uploads;
use crate::accounts::users::Role;
use crate::db::entities::user;
use crate::error::AppError;
use crate::state::AppState;

/// Imports every file under `paths` for `owner` (default: the owner) and
/// returns the summary to print.
pub async fn import(
    state: &AppState,
    paths: &[PathBuf],
    owner: Option<&str>,
    options: super::google::import::Options,
) -> Result<String, AppError> {
    let owner = whose(state, owner).await?;
    let paths = paths
        .iter()
        .map(std::path::absolute)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| AppError::InvalidRequest(err.to_string()))?;
    let listed = paths.clone();
    let takeout = tokio::task::spawn_blocking(move || super::google::import::is_takeout(&listed))
        .await
        .map_err(|err| AppError::Internal(err.into()))?;
    if takeout {
        // A Google Photos takeout: dates, places, captions and albums come too.
        let progress = bar(0);
        let report =
            super::google::import::import(state, &owner, &paths, options, |done, total| {
                progress.set_length(total);
                progress.set_position(done);
            })
            .await?;
        progress.finish_and_clear();
        return Ok(format!("{} (for {})", report.summary(), owner.username));
    }
    if let [path] = paths.as_slice()
        && path.is_file()
        && path
            .extension()
            .is_some_and(|extension| extension.eq_ignore_ascii_case("zip"))
    {
        // A Hearth takeout archive: photos, captions and albums come back.
        return crate::retention::takeout::restore(state, &owner, path).await;
    }
    let mut files: Vec<PathBuf> = Vec::new();
    for path in &paths {
        if path.is_dir() {
            files.extend(
                Exclusions::new(&[])
                    .walk(path)
                    .unwrap_or_default()
                    .files
                    .into_iter()
                    .map(|(file, _)| file),
            );
        } else {
            files.push(path.clone());
        }
    }
    if files.is_empty() {
        let named: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(AppError::InvalidRequest(format!(
            "There are no files at {}.",
            named.join(", ")
        )));
    }
    let progress = bar(files.len() as u64);
    let (mut imported, mut duplicates) = (0, 0);
    let mut failed = Vec::new();
    // As many files at once as the server has import workers: their
    // decoding runs on the blocking threads, within the memory budget.
    let who = &owner;
    let mut results = futures_util::stream::iter(&files)
        .map(|file| async move { (file, uploads::import_copy(state, who, file).await) })
        .buffer_unordered(state.config().library.worker_count());
    while let Some((file, result)) = results.next().await {
        // One file that cannot be read is reported; the others go on.
        let result = match result {
            Ok(result) => result,
            Err(err) => {
                failed.push((file.clone(), err.detail()));
                progress.inc(1);
                continue;
            }
        };
        progress.set_message(
            file.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
        match result.status {
            UploadStatus::Imported => imported += 1,
            UploadStatus::Duplicate => duplicates += 1,
            UploadStatus::Failed => failed.push((file.clone(), result.reason.unwrap_or_default())),
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
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

/// The member named `owner`, or the owner.
async fn whose(state: &AppState, owner: Option<&str>) -> Result<user::Model, AppError> {
    Ok(match owner {
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
    })
}

/// A progress bar on standard error for `len` files.
fn bar(len: u64) -> ProgressBar {
    ProgressBar::new(len).with_style(
        ProgressStyle::with_template(
            "{bar:30} {pos}/{len} files, {per_sec}, {eta} left  {wide_msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}
