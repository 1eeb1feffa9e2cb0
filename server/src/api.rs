//! The HTTP API: every feature's `#[OpenApi]` struct composed into one
//! service under `/api`, its OpenAPI document, and the JSON error catcher.

use poem::middleware::CookieJarManager;
use poem::{Endpoint, EndpointExt, IntoResponse, Route};
use poem_openapi::{OpenApiService, Tags};

use crate::accounts::account_api::AccountApi;
use crate::accounts::api::AuthApi;
use crate::accounts::household_api::HouseholdApi;
use crate::albums::api::AlbumsApi;
use crate::albums::comments::CommentsApi;
use crate::albums::guest::GuestApi;
use crate::albums::links::LinksApi;
use crate::backup::api::BackupApi;
use crate::check::api::CheckApi;
use crate::dav::api::DevicesApi;
use crate::error::AppError;
use crate::events::api::EventsApi;
use crate::library::admin_api::ImportApi;
use crate::library::api::LibraryApi;
use crate::library::download::DownloadApi;
use crate::library::google::api::GoogleApi;
use crate::notifications::api::NotificationsApi;
use crate::retention::api::RetentionApi;
use crate::search::api::SearchApi;
use crate::system::api::SystemApi;

#[derive(Tags)]
pub enum ApiTag {
    /// Health and version of the server.
    System,
    /// Signing in and out; first-run setup, invite and recovery links.
    Auth,
    /// Your own account: passkeys, password, two-step codes, sessions, API tokens.
    Account,
    /// Members, roles, invites and recovery links (owner and admins).
    Household,
    /// In-app notifications.
    Notifications,
    /// The timeline, assets, media and uploads.
    Library,
    /// Import folders, the job queue and files that could not be imported.
    Import,
    /// What changes, pushed as Server-Sent Events.
    Events,
    /// Searching the library, suggestions, rebuilding the index.
    Search,
    /// Albums: photos, members, live rules, comments and hearts, share
    /// links and what guests with one see.
    Albums,
    /// Your privacy: what is stored, takeout, deleting your account,
    /// retention rules, the trash; for the owner, sweeps and receipts.
    Retention,
    /// Backups, the integrity check (owner).
    Maintenance,
}

/// Largest JSON body the API reads (uploads get their own limit).
const MAX_BODY: usize = 64 * 1024;

/// One `#[OpenApi]` struct per feature.
type Apis = (
    SystemApi,
    AuthApi,
    (AccountApi, DevicesApi),
    HouseholdApi,
    NotificationsApi,
    (LibraryApi, DownloadApi),
    (ImportApi, GoogleApi),
    EventsApi,
    SearchApi,
    AlbumsApi,
    CommentsApi,
    LinksApi,
    GuestApi,
    RetentionApi,
    BackupApi,
    CheckApi,
);

fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(
        (
            SystemApi,
            AuthApi,
            (AccountApi, DevicesApi),
            HouseholdApi,
            NotificationsApi,
            (LibraryApi, DownloadApi),
            (ImportApi, GoogleApi),
            EventsApi,
            SearchApi,
            AlbumsApi,
            CommentsApi,
            LinksApi,
            GuestApi,
            RetentionApi,
            BackupApi,
            CheckApi,
        ),
        "Hearth",
        crate::VERSION,
    )
        .description("The HTTP API of Hearth, a self-hosted family photo server. Every error is a JSON object with a stable \"code\" and a \"message\" for people.")
        .server("/api")
}

/// The OpenAPI document, as committed in `server/openapi.json`.
#[must_use]
pub fn openapi_json() -> String {
    service().spec()
}

/// Everything under `/api`: operations, `openapi.json`, the docs page.
#[must_use]
pub fn routes() -> impl Endpoint {
    let service = service();
    let spec = service.spec_endpoint();
    Route::new()
        .at("/openapi.json", spec)
        .at("/docs", crate::web::api_docs)
        .nest("/", service)
        .around(|ep, req| {
            // Uploads stream to disk, each file within `upload_max_mib`;
            // a request declaring more than that (and its framing) in all
            // is refused before its body is read.
            let path = req.original_uri().path();
            if path == "/api/uploads"
                || (path.starts_with("/api/shared/") && path.ends_with("/uploads"))
            {
                let mib = req
                    .data::<crate::state::AppState>()
                    .map_or(u32::MAX, |state| state.config().library.upload_max_mib);
                let max = (usize::try_from(mib).unwrap_or(usize::MAX))
                    .saturating_add(1)
                    .saturating_mul(1024 * 1024);
                crate::http::limit_body(ep, req, max, false)
            } else {
                crate::http::limit_body(ep, req, MAX_BODY, true)
            }
        })
        .around(refuse_foreign_writes)
        .with(CookieJarManager::new())
        .catch_all_error(|err| async move {
            // The matched route stays known to the metrics.
            let route = err.data::<poem::PathPattern>().cloned();
            let mut resp = AppError::from_poem(err).into_response();
            if let Some(route) = route {
                resp.set_data(route);
            }
            resp
        })
        .around(crate::compress::json)
}

/// Any write whose `Origin` (or `Referer`) names another site is refused,
/// signed in or not: that also stops another site from signing a browser
/// into an account of its choosing. Cookie-authenticated writes must in
/// addition carry one of the headers (see `principal`).
async fn refuse_foreign_writes<E: Endpoint>(
    ep: E,
    req: poem::Request,
) -> poem::Result<poem::Response> {
    use poem::http::Method;
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        && let Some(state) = req.data::<crate::state::AppState>()
    {
        crate::accounts::principal::check_origin(&req, state, false)?;
    }
    ep.call(req).await.map(IntoResponse::into_response)
}

/// The address links made for this request start with (see
/// [`crate::config::Config::link_base`]).
pub fn link_base(state: &crate::state::AppState, req: &poem::Request) -> url::Url {
    // Only the person making the link reads it, so their proxy's word is
    // enough.
    let https = req
        .header("x-forwarded-proto")
        .is_some_and(|proto| proto.eq_ignore_ascii_case("https"));
    state.config().link_base(req.header("host"), https)
}
