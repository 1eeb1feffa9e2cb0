//! Downloads as a zip: a selection of photos (what the member may see),
//! or a whole album (its members). Streamed while written, originals
//! dated as taken (see `crate::zipped`). A share link's guests download
//! an album through `albums::guest` when the link allows it.

use poem::Body;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Attachment, AttachmentType, Form};
use poem_openapi::{Object, OpenApi};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::access::Viewer;
use crate::accounts::principal::Auth;
use crate::accounts::tokens::Scope;
use crate::api::ApiTag;
use crate::db::entities::asset;
use crate::error::AppError;
use crate::state::AppState;

pub struct DownloadApi;

/// A form's selection (a form, so the browser downloads the answer
/// itself, however large).
#[derive(Debug, Object, serde::Deserialize)]
pub struct Chosen {
    /// Asset ids, separated by commas: 1–10 000 of them.
    pub ids: String,
}

/// The zip's name: "hearth-<what>-<date>.zip", made safe.
fn file_name(state: &AppState, what: &str) -> String {
    let what: String = what
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!(
        "hearth-{}-{}.zip",
        what.trim_matches('-'),
        state.now().format("%Y-%m-%d")
    )
}

/// A zip of `assets`, for the browser to save.
pub async fn zip_of(
    state: &AppState,
    assets: &[asset::Model],
    what: &str,
) -> Result<Attachment<Body>, AppError> {
    let entries = crate::zipped::entries(state, assets).await?;
    Ok(Attachment::new(crate::zipped::stream(entries)?)
        .attachment_type(AttachmentType::Attachment)
        .filename(file_name(state, what)))
}

#[OpenApi(tag = "ApiTag::Library")]
impl DownloadApi {
    /// Download photos you may see as one zip of their originals (a form
    /// post, `ids=1,2,3`); ones you may not see are left out.
    #[oai(
        path = "/assets/download",
        method = "post",
        operation_id = "download_assets"
    )]
    async fn assets(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        body: Form<Chosen>,
    ) -> Result<Attachment<Body>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let ids: Vec<i64> = body
            .ids
            .split(',')
            .map(|id| id.trim().parse::<i64>())
            .collect::<Result<_, _>>()
            .map_err(|_| AppError::InvalidRequest("ids are numbers separated by commas.".into()))?;
        if ids.is_empty() || ids.len() > 10_000 {
            return Err(AppError::InvalidRequest(
                "Select between 1 and 10 000 items.".into(),
            ));
        }
        let viewer = Viewer {
            user_id: me.user.id,
        };
        let assets = asset::Entity::find()
            .filter(viewer.reachable())
            .filter(asset::Column::Id.is_in(ids))
            .order_by_asc(asset::Column::SortAt)
            .all(state.db())
            .await?;
        if assets.is_empty() {
            return Err(AppError::NotFound("None of these photos is here.".into()));
        }
        zip_of(&state, &assets, "photos").await
    }

    /// Download an album you are a member of as one zip of its originals.
    #[oai(
        path = "/albums/:id/download",
        method = "get",
        operation_id = "download_album"
    )]
    async fn album(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Attachment<Body>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let member = crate::albums::membership(&state, me.user.id, id.0).await?;
        let items = crate::albums::content::items(&state, &member.album).await?;
        let assets: Vec<asset::Model> = items.into_iter().map(|item| item.asset).collect();
        zip_of(&state, &assets, &member.album.title).await
    }
}
