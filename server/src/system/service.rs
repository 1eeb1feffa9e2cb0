use chrono::TimeDelta;

use crate::state::AppState;

pub struct HealthReport {
    pub database_ok: bool,
    pub uptime: TimeDelta,
}

pub async fn health(state: &AppState) -> HealthReport {
    let database_ok = match state.db().ping().await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unreachable");
            false
        }
    };
    HealthReport {
        database_ok,
        uptime: state.now() - state.started_at(),
    }
}

/// An error a browser ran into, for the owner's log.
pub struct ClientError<'a> {
    pub message: &'a str,
    pub page: Option<&'a str>,
    pub source: Option<&'a str>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub stack: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

pub fn record_client_error(report: &ClientError<'_>) {
    // Debug formatting escapes newlines, so a report cannot forge log lines.
    tracing::warn!(
        message = ?report.message,
        page = ?report.page,
        source = ?report.source,
        line = report.line,
        column = report.column,
        stack = ?report.stack,
        user_agent = ?report.user_agent,
        "error in the web UI"
    );
}
