//! The integrity check for the owner (Settings → Server).

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};

use super::{Problem, Report};
use crate::accounts::principal::SessionAuth;
use crate::api::ApiTag;
use crate::error::AppError;
use crate::state::AppState;

pub struct CheckApi;

/// Findings listed in an answer at most (the counts are complete).
const LISTED: usize = 200;

#[derive(Debug, Object)]
pub struct CheckRequest {
    /// Repair what can be repaired (queue thumbnails, rescans and
    /// re-indexing; delete orphaned thumbnail folders).
    #[oai(default)]
    pub repair: bool,
}

/// How many of one problem were found.
#[derive(Debug, Object)]
pub struct ProblemCount {
    /// `missing_original`, `changed_original`, `missing_thumbnail`,
    /// `orphaned_thumbnail`, `missing_from_index`, `stale_in_index`.
    pub problem: String,
    /// What it means, for people.
    pub description: String,
    pub count: u64,
    pub repaired: u64,
}

/// One problem.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct CheckFinding {
    pub problem: String,
    pub asset_id: Option<i64>,
    pub path: Option<String>,
    pub repaired: bool,
}

#[derive(Debug, Object)]
pub struct CheckReport {
    pub at: DateTime<Utc>,
    pub assets: u64,
    pub files: u64,
    pub index_documents: u64,
    /// Videos without a poster frame, each with its reason recorded (not
    /// a problem).
    pub without_poster: u64,
    /// Nothing was found.
    pub clean: bool,
    /// The repairs were asked for.
    pub repair: bool,
    pub problems: Vec<ProblemCount>,
    /// The first 200 findings.
    pub findings: Vec<CheckFinding>,
}

fn name(problem: Problem) -> String {
    serde_json::to_value(problem)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl From<Report> for CheckReport {
    fn from(report: Report) -> Self {
        let problems = report
            .counts()
            .into_iter()
            .map(|(problem, count)| ProblemCount {
                problem: name(problem),
                description: problem.describe().to_owned(),
                count,
                repaired: report
                    .findings
                    .iter()
                    .filter(|one| one.problem == problem && one.repaired)
                    .count() as u64,
            })
            .collect();
        Self {
            at: report.at,
            assets: report.assets,
            files: report.files,
            index_documents: report.index_documents,
            without_poster: report.without_poster,
            clean: report.clean(),
            repair: report.repair,
            problems,
            findings: report
                .findings
                .into_iter()
                .take(LISTED)
                .map(|one| CheckFinding {
                    problem: name(one.problem),
                    asset_id: one.asset_id,
                    path: one.path,
                    repaired: one.repaired,
                })
                .collect(),
        }
    }
}

#[OpenApi(tag = "ApiTag::Maintenance")]
impl CheckApi {
    /// Check the library's integrity, and repair it if asked (owner only).
    ///
    /// The database against the originals, the thumbnails and the search
    /// index; the same as `hearth check [--repair]`.
    #[oai(
        path = "/admin/check",
        method = "post",
        operation_id = "check_integrity"
    )]
    async fn check(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        request: Json<CheckRequest>,
    ) -> Result<Json<CheckReport>, AppError> {
        auth.0.require_owner()?;
        Ok(Json(super::run(&state, request.repair).await?.into()))
    }
}
