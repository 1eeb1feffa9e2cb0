use poem::web::Data;
use poem_openapi::param::Header;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};

use super::service;
use crate::accounts::ratelimit::Limit;
use crate::api::ApiTag;
use crate::error::AppError;
use crate::state::AppState;

pub struct SystemApi;

/// The name and version a client shows.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ServerInfo {
    /// Product name.
    pub name: String,
    /// Hearth's version.
    pub version: String,
    /// True until the owner account exists (first-run setup).
    pub setup_pending: bool,
    /// The address passkeys and cookies are bound to.
    pub public_url: String,
    /// Whether the owner set `public_url`; when not, links handed out are
    /// made from the address the browser is using.
    pub public_url_set: bool,
    /// Why passkeys cannot work at this address, when they cannot.
    pub passkeys_unavailable: Option<String>,
}

#[derive(Debug, Enum, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Unavailable,
}

#[derive(Debug, Object)]
pub struct Health {
    /// `ok` when every part below is `ok`.
    pub status: Status,
    pub database: Status,
    pub version: String,
    /// Seconds since this process started.
    pub uptime_seconds: i64,
}

#[derive(ApiResponse)]
pub enum HealthResponse {
    /// Everything works.
    #[oai(status = 200)]
    Ok(Json<Health>),
    /// A part the server needs is not working; see which in the body.
    #[oai(status = 503)]
    Unavailable(Json<Health>),
}

/// An error seen in the web UI, reported so the owner finds it in the log.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ClientErrorReport {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub message: String,
    /// The client-side route where it happened.
    #[oai(validator(max_length = 500))]
    pub page: Option<String>,
    /// Script URL.
    #[oai(validator(max_length = 500))]
    pub source: Option<String>,
    pub line: Option<u32>,
    pub column: Option<u32>,
    #[oai(validator(max_length = 8000))]
    pub stack: Option<String>,
}

const REPORTS_PER_MINUTE: Limit = Limit {
    max: 20,
    seconds: 60,
};

#[derive(ApiResponse)]
pub enum Recorded {
    /// Written to the server log.
    #[oai(status = 204)]
    Recorded,
}

#[OpenApi(tag = "ApiTag::System")]
impl SystemApi {
    /// Is the server healthy?
    ///
    /// For monitors and container health checks: 200 when the database
    /// answers, 503 otherwise. No sign-in needed.
    #[oai(path = "/health", method = "get", operation_id = "health")]
    async fn health(&self, state: Data<&AppState>) -> HealthResponse {
        let report = service::health(&state).await;
        let database = if report.database_ok {
            Status::Ok
        } else {
            Status::Unavailable
        };
        let healthy = database == Status::Ok;
        let body = Json(Health {
            status: if healthy {
                Status::Ok
            } else {
                Status::Unavailable
            },
            database,
            version: crate::VERSION.to_owned(),
            uptime_seconds: report.uptime.num_seconds(),
        });
        if healthy {
            HealthResponse::Ok(body)
        } else {
            HealthResponse::Unavailable(body)
        }
    }

    /// Name and version of this server.
    #[oai(path = "/server/info", method = "get", operation_id = "server_info")]
    async fn info(&self, state: Data<&AppState>) -> Result<Json<ServerInfo>, AppError> {
        Ok(Json(ServerInfo {
            name: "Hearth".to_owned(),
            version: crate::VERSION.to_owned(),
            setup_pending: !crate::accounts::users::owner_exists(state.db()).await?,
            public_url: state.config().public_url().to_string(),
            public_url_set: state.config().public_url.is_some(),
            passkeys_unavailable: state
                .accounts()
                .relying_party
                .unavailable_reason()
                .map(str::to_owned),
        }))
    }

    /// Report an error seen in the web UI.
    ///
    /// The report goes to the server's own log (nothing leaves the house),
    /// so the owner can see what went wrong on a family member's phone.
    #[oai(
        path = "/client-errors",
        method = "post",
        operation_id = "report_client_error"
    )]
    async fn report_client_error(
        &self,
        req: &poem::Request,
        state: Data<&AppState>,
        report: Json<ClientErrorReport>,
        #[oai(name = "User-Agent")] user_agent: Header<Option<String>>,
    ) -> Result<Recorded, AppError> {
        // Anyone may report, so nobody may fill the log: 20 reports a
        // minute per address, each within the fields' limits.
        let from = crate::accounts::sessions::Client::of(req).address();
        state.accounts().limiter.attempt_with(
            &[(&format!("client-errors:{from}"), REPORTS_PER_MINUTE)],
            state.now(),
        )?;
        service::record_client_error(&service::ClientError {
            message: &report.message,
            page: report.page.as_deref(),
            source: report.source.as_deref(),
            line: report.line,
            column: report.column,
            stack: report.stack.as_deref(),
            user_agent: user_agent.0.as_deref(),
        });
        Ok(Recorded::Recorded)
    }
}
