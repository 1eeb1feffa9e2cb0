//! The HTTP API: every feature's `#[OpenApi]` struct composed into one
//! service under `/api`, its OpenAPI document, and the JSON error catcher.

use poem::{Endpoint, EndpointExt, IntoResponse, Route};
use poem_openapi::{OpenApiService, Tags};

use crate::error::AppError;
use crate::system::api::SystemApi;

#[derive(Tags)]
pub enum ApiTag {
    /// Health and version of the server.
    System,
}

/// Largest JSON body the API reads (uploads get their own limit).
const MAX_BODY: usize = 64 * 1024;

/// One `#[OpenApi]` struct per feature; a tuple once there are several.
type Apis = SystemApi;

fn service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(SystemApi, "Hearth", crate::VERSION)
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
        .around(|ep, req| crate::http::limit_body(ep, req, MAX_BODY))
        .catch_all_error(|err| async move { AppError::from_poem(err).into_response() })
}
