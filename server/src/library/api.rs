//! Reading and changing the library: the timeline in month buckets, one
//! asset's details, edits (caption, visibility, favourite), the trash,
//! media (thumbnail, preview, original, video) and uploads. Every read goes
//! through `access`.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use poem::web::{Data, Multipart, StaticFileRequest, StaticFileResponse};
use poem::{IntoResponse, Response};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::registry::{MetaMediaType, MetaResponse, MetaResponses, Registry};
use poem_openapi::types::Type as _;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::access::{self, Viewer};
use super::timeline::{brief, month_assets, month_counts, parse_month};
use super::uploads;
use crate::accounts::principal::{Auth, Principal};
use crate::accounts::tokens::Scope;
use crate::api::ApiTag;
use crate::db::entities::{asset, asset_file, import_root};
use crate::error::AppError;
use crate::state::AppState;

pub struct LibraryApi;

#[derive(Debug, Object)]
pub struct Month {
    /// `YYYY-MM`, of the local capture date.
    pub month: String,
    pub count: u64,
}

#[derive(Debug, Object)]
pub struct Timeline {
    /// Newest first.
    pub months: Vec<Month>,
    pub total: u64,
}

/// An asset as the grid needs it; short names keep a month of 5 000
/// photos small.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Brief {
    pub id: i64,
    /// Displayed width and height (0 when unknown).
    pub w: i32,
    pub h: i32,
    /// Thumbhash, base64 (absent: no thumbnail, e.g. a video without ffmpeg).
    #[oai(skip_serializing_if_is_none)]
    pub th: Option<String>,
    /// `photo`, `video` or `live`.
    pub k: String,
    /// Local capture time, `YYYY-MM-DDTHH:MM:SS`.
    pub t: String,
    /// Video length in milliseconds.
    #[oai(skip_serializing_if_is_none)]
    pub d: Option<i64>,
    /// Version of the media: part of media URLs, which are cached forever.
    pub v: String,
    /// Yours to change.
    pub mine: bool,
    pub fav: bool,
    /// Archived by its owner (only the owner is told; shown when it is).
    #[oai(skip_serializing_if_is_none)]
    pub arc: Option<bool>,
}

/// Your trash, most recently trashed first.
#[derive(Debug, Object)]
pub struct Trash {
    /// Days a photo stays in the trash before it is purged.
    pub trash_days: u16,
    pub items: Vec<Trashed>,
}

#[derive(Debug, Object)]
pub struct Trashed {
    pub asset: Brief,
    pub trashed_at: DateTime<Utc>,
    /// When it is purged for good.
    pub purge_at: DateTime<Utc>,
    /// Its file is in an import folder: purging it leaves the file on the
    /// NAS (Hearth forgets it and does not import it again).
    pub in_import_folder: bool,
}

#[derive(Debug, Object)]
pub struct MonthAssets {
    pub month: String,
    /// Newest first.
    pub assets: Vec<Brief>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Camera {
    /// How to name it: the make and the model, the make once ("Canon EOS
    /// 500D" for "Canon" + "Canon EOS 500D"), as search's camera facet does.
    #[oai(skip_serializing_if_is_none)]
    pub name: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub make: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub model: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub lens: Option<String>,
    /// Seconds.
    #[oai(skip_serializing_if_is_none)]
    pub exposure_time: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub f_number: Option<f64>,
    #[oai(skip_serializing_if_is_none)]
    pub iso: Option<i32>,
    /// Millimetres.
    #[oai(skip_serializing_if_is_none)]
    pub focal_length: Option<f64>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Place {
    pub latitude: f64,
    pub longitude: f64,
    #[oai(skip_serializing_if_is_none)]
    pub altitude: Option<f64>,
    /// The nearest town (within 50 km), its region and country, from
    /// GeoNames data built into Hearth.
    #[oai(skip_serializing_if_is_none)]
    pub city: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub region: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub country: Option<String>,
}

/// Where the asset's file is: only its owner sees this.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct FileLocation {
    /// The import folder, or absent for an upload.
    #[oai(skip_serializing_if_is_none)]
    pub folder: Option<String>,
    pub path: String,
    /// `original`, or `motion` for a Live Photo's video.
    pub role: String,
    pub present: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum Visibility {
    /// Its owner only.
    Private,
    /// Every member of the household.
    Family,
}

impl Visibility {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Family => "family",
        }
    }

    /// As stored; anything but `family` is private.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        if text == "family" {
            Self::Family
        } else {
            Self::Private
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Details {
    pub id: i64,
    pub owner_id: i64,
    pub mine: bool,
    pub kind: String,
    /// The content type, sniffed from the file's bytes.
    pub mime: String,
    /// Why a video has no poster frame (ffmpeg missing, or unable to read
    /// a frame of it).
    #[oai(skip_serializing_if_is_none)]
    pub no_poster: Option<String>,
    pub bytes: i64,
    pub width: i32,
    pub height: i32,
    /// The instant of capture when known, otherwise the local time read as UTC.
    pub sort_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub taken_local: Option<String>,
    /// Minutes east of UTC, when the camera said.
    #[oai(skip_serializing_if_is_none)]
    pub taken_offset_minutes: Option<i32>,
    /// Where the capture time came from: `exif_original`, `exif_digitized`,
    /// `xmp`, `iptc`, `exif_modified`, `quicktime`, `video_local`, `file_name`,
    /// `file_modified`, `google_takeout` (a Google takeout's sidecar, when
    /// the file itself had no date).
    pub taken_source: String,
    #[oai(skip_serializing_if_is_none)]
    pub place: Option<Place>,
    pub camera: Camera,
    #[oai(skip_serializing_if_is_none)]
    pub duration_ms: Option<i64>,
    #[oai(skip_serializing_if_is_none)]
    pub title: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub caption: Option<String>,
    #[oai(skip_serializing_if_is_none)]
    pub rating: Option<i16>,
    pub keywords: Vec<String>,
    pub favourite: bool,
    /// Hidden from the timeline by its owner (its owner's mark).
    pub archived: bool,
    pub visibility: Visibility,
    /// `active`, `trashed` or `offline` (its file is missing).
    pub status: String,
    #[oai(skip_serializing_if_is_none)]
    pub trashed_at: Option<DateTime<Utc>>,
    pub v: String,
    #[oai(skip_serializing_if_is_none)]
    pub thumbhash: Option<String>,
    /// Owner only.
    #[oai(skip_serializing_if_is_none)]
    pub files: Option<Vec<FileLocation>>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Edit {
    /// Empty text removes the caption.
    #[oai(validator(max_length = 2000))]
    pub caption: Option<String>,
    pub favourite: Option<bool>,
    /// Hidden from the timeline (kept; `is:archived` finds it).
    pub archived: Option<bool>,
    pub visibility: Option<Visibility>,
}

#[derive(Debug, Object)]
pub struct Selection {
    /// At most 10 000.
    #[oai(validator(min_items = 1, max_items = 10000))]
    pub ids: Vec<i64>,
}

/// The same change to many of your own assets.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct BatchEdit {
    /// At most 10 000; others' assets among them are left alone.
    #[oai(validator(min_items = 1, max_items = 10000))]
    pub ids: Vec<i64>,
    pub favourite: Option<bool>,
    pub archived: Option<bool>,
    pub visibility: Option<Visibility>,
}

#[derive(Debug, Object)]
pub struct Changed {
    /// How many of the selected assets changed.
    pub changed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum MediaKind {
    /// About 400 px on the short edge, JPEG.
    Thumb,
    /// 1440 px on the long edge, JPEG.
    Preview,
    /// The file as imported.
    Original,
    /// The video (or a Live Photo's motion), with HTTP Range.
    Video,
}

/// A media file: 200, 206 (Range) or 304 (ETag), with the file's own type.
pub struct Media(Response);

impl IntoResponse for Media {
    fn into_response(self) -> Response {
        self.0
    }
}

impl ApiResponse for Media {
    fn meta() -> MetaResponses {
        // Thumbnails and previews are JPEG; originals and videos keep
        // their own type.
        let binary = || {
            ["image/*", "video/*", "application/octet-stream"]
                .into_iter()
                .map(|content_type| MetaMediaType {
                    content_type,
                    schema: <poem_openapi::types::Binary<Vec<u8>>>::schema_ref(),
                })
                .collect()
        };
        let response = |status, description, content| MetaResponse {
            description,
            status: Some(status),
            status_range: None,
            content,
            headers: vec![],
        };
        MetaResponses {
            responses: vec![
                response(200, "The file (its own content type).", binary()),
                response(206, "The requested byte range.", binary()),
                response(304, "Not modified since the ETag given.", vec![]),
            ],
        }
    }

    fn register(_registry: &mut Registry) {}
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename_all = "lowercase")]
pub enum UploadStatus {
    Imported,
    /// The same file is already in the library: `asset_id` is it.
    Duplicate,
    /// Not imported: `reason` says why.
    Failed,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct UploadResult {
    /// The file's name as sent (made safe).
    pub name: String,
    pub status: UploadStatus,
    #[oai(skip_serializing_if_is_none)]
    pub asset_id: Option<i64>,
    /// Why it was not imported, in plain words.
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    /// The decoder's own words, for whoever looks after the server.
    #[oai(skip_serializing_if_is_none)]
    pub detail: Option<String>,
}

#[derive(Debug, Object)]
pub struct Uploaded {
    pub files: Vec<UploadResult>,
}

/// How long media URLs (which carry the content's version) are cached.
const IMMUTABLE: &str = "private, max-age=31536000, immutable";

pub fn viewer(principal: &Principal) -> Viewer {
    Viewer {
        user_id: principal.user.id,
    }
}

pub(super) fn thumbhash_text(bytes: Option<&Vec<u8>>) -> Option<String> {
    bytes
        .filter(|b| !b.is_empty())
        .map(|b| base64::engine::general_purpose::STANDARD.encode(b))
}

/// The media version: changes whenever the content or its derivatives do.
pub(super) fn version(hash: &str, derived_at: Option<DateTime<Utc>>) -> String {
    let derived = derived_at.map_or(0, |at| at.timestamp());
    format!("{}{derived:x}", &hash[..hash.len().min(10)])
}

#[OpenApi(tag = "ApiTag::Library")]
impl LibraryApi {
    /// The months that hold photos you can see, newest first, with counts.
    #[oai(path = "/timeline", method = "get", operation_id = "timeline")]
    async fn timeline(
        &self,
        auth: Auth,
        state: Data<&AppState>,
    ) -> Result<Json<Timeline>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let rows = month_counts(state.db(), viewer(me)).await?;
        let months: Vec<Month> = rows
            .into_iter()
            .map(|row| Month {
                month: format!("{:04}-{:02}", row.month / 100, row.month % 100),
                count: u64::try_from(row.count).unwrap_or(0),
            })
            .collect();
        Ok(Json(Timeline {
            total: months.iter().map(|m| m.count).sum(),
            months,
        }))
    }

    /// One month's photos and videos, newest first.
    #[oai(
        path = "/timeline/:month",
        method = "get",
        operation_id = "timeline_month"
    )]
    async fn month(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        /// `YYYY-MM`.
        month: Path<String>,
    ) -> Result<Json<MonthAssets>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let number = parse_month(&month.0)?;
        let assets = month_assets(state.db(), viewer(me), number).await?;
        Ok(Json(MonthAssets {
            month: month.0,
            assets: assets.iter().map(|a| a.brief(viewer(me))).collect(),
        }))
    }

    /// Everything about one asset. Its file locations are shown to its owner only.
    #[oai(path = "/assets/:id", method = "get", operation_id = "asset")]
    async fn details(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Json<Details>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let found = access::find(&state, viewer(me), id.0).await?;
        Ok(Json(details(&state, found, viewer(me)).await?))
    }

    /// Change your own asset's caption, favourite mark, archived mark or
    /// visibility.
    #[oai(path = "/assets/:id", method = "patch", operation_id = "edit_asset")]
    async fn edit(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<Edit>,
    ) -> Result<Json<Details>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let found = access::find_own(&state, viewer(me), id.0).await?;
        let mut update = asset::Entity::update_many()
            .col_expr(asset::Column::UpdatedAt, Expr::value(state.now()))
            .filter(asset::Column::Id.eq(found.id));
        if let Some(caption) = &body.caption {
            let caption = caption.trim();
            if caption.chars().count() > 2000 {
                return Err(AppError::InvalidRequest(
                    "A caption can be at most 2 000 characters.".into(),
                ));
            }
            update = update.col_expr(
                asset::Column::Caption,
                Expr::value((!caption.is_empty()).then(|| caption.to_owned())),
            );
        }
        if let Some(favourite) = body.favourite {
            update = update.col_expr(asset::Column::Favourite, Expr::value(favourite));
        }
        if let Some(archived) = body.archived {
            update = update.col_expr(asset::Column::Archived, Expr::value(archived));
        }
        if let Some(visibility) = body.visibility {
            update = update.col_expr(asset::Column::Visibility, Expr::value(visibility.as_str()));
        }
        update.exec(state.db()).await?;
        super::announce(&state, &[found.id], found.visibility == "family").await?;
        let found = access::find(&state, viewer(me), found.id).await?;
        Ok(Json(details(&state, found, viewer(me)).await?))
    }

    /// Favourite, archive or share (or make private) many of your own
    /// assets at once; the selection bar's actions.
    #[oai(path = "/assets/edit", method = "post", operation_id = "edit_assets")]
    async fn edit_many(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        body: Json<BatchEdit>,
    ) -> Result<Json<Changed>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let ids = selection(&body.ids)?;
        if body.favourite.is_none() && body.archived.is_none() && body.visibility.is_none() {
            return Err(AppError::InvalidRequest(
                "Say what to change: favourite, archived or visibility.".into(),
            ));
        }
        let mut update = asset::Entity::update_many()
            .col_expr(asset::Column::UpdatedAt, Expr::value(state.now()))
            .filter(asset::Column::Id.is_in(ids.iter().copied()))
            .filter(asset::Column::OwnerId.eq(me.user.id));
        if let Some(favourite) = body.favourite {
            update = update.col_expr(asset::Column::Favourite, Expr::value(favourite));
        }
        if let Some(archived) = body.archived {
            update = update.col_expr(asset::Column::Archived, Expr::value(archived));
        }
        if let Some(visibility) = body.visibility {
            update = update.col_expr(asset::Column::Visibility, Expr::value(visibility.as_str()));
        }
        // Read before the change: who could see them until now.
        let (shared, private) = own_by_visibility(&state, me.user.id, &ids).await?;
        let changed = update.exec(state.db()).await?;
        // Unshared ones leave everyone's view: everyone hears of those.
        super::announce(&state, &shared, true).await?;
        super::announce(&state, &private, false).await?;
        Ok(Json(Changed {
            changed: changed.rows_affected,
        }))
    }

    /// Move your own assets to the trash (hidden everywhere, restorable;
    /// purged after the retention period).
    #[oai(path = "/assets/trash", method = "post", operation_id = "trash_assets")]
    async fn trash(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        body: Json<Selection>,
    ) -> Result<Json<Changed>, AppError> {
        trash_or_restore(&state, auth.principal(), &body, true).await
    }

    /// Bring your own assets back from the trash.
    #[oai(
        path = "/assets/restore",
        method = "post",
        operation_id = "restore_assets"
    )]
    async fn restore(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        body: Json<Selection>,
    ) -> Result<Json<Changed>, AppError> {
        trash_or_restore(&state, auth.principal(), &body, false).await
    }

    /// Your trash, most recently trashed first.
    #[oai(path = "/trash", method = "get", operation_id = "trash")]
    async fn trash_list(
        &self,
        auth: Auth,
        state: Data<&AppState>,
    ) -> Result<Json<Trash>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let assets = asset::Entity::find()
            .filter(access::trashed_of(viewer(me)))
            .order_by_desc(asset::Column::TrashedAt)
            .all(state.db())
            .await?;
        let in_roots: std::collections::HashSet<i64> = asset_file::Entity::find()
            .filter(asset_file::Column::AssetId.is_in(assets.iter().map(|a| a.id)))
            .filter(asset_file::Column::RootId.is_not_null())
            .all(state.db())
            .await?
            .into_iter()
            .map(|file| file.asset_id)
            .collect();
        let days = state.config().retention.trash_days;
        let keep = chrono::TimeDelta::days(i64::from(days));
        Ok(Json(Trash {
            trash_days: days,
            items: assets
                .iter()
                .map(|a| {
                    let trashed_at = a.trashed_at.unwrap_or(a.updated_at);
                    Trashed {
                        asset: brief(a, viewer(me)),
                        trashed_at,
                        purge_at: trashed_at + keep,
                        in_import_folder: in_roots.contains(&a.id),
                    }
                })
                .collect(),
        }))
    }

    /// An asset's thumbnail, preview, original file or video. URLs carry
    /// the media version (`v`), so responses are cached for good.
    #[oai(
        path = "/assets/:id/:kind",
        method = "get",
        operation_id = "asset_media"
    )]
    #[allow(
        clippy::too_many_arguments,
        reason = "each parameter is part of the documented operation"
    )]
    async fn media(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        kind: Path<MediaKind>,
        /// The media version from the asset (`v`); any value is accepted.
        v: Query<Option<String>>,
        /// Ask the browser to save the file (originals).
        download: Query<Option<bool>>,
        request: StaticFileRequest,
    ) -> Result<Media, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let found = access::find(&state, viewer(me), id.0).await?;
        serve(
            &state,
            &found,
            kind.0,
            v.0.is_some(),
            download.0 == Some(true),
            request,
        )
        .await
    }

    /// Upload photos and videos: `multipart/form-data` with one or more
    /// file parts (any field name). Each file is reported as imported,
    /// duplicate (the existing asset's id) or failed (with the reason); a
    /// file over the size limit fails the request with 413 and leaves
    /// nothing behind.
    #[oai(path = "/uploads", method = "post", operation_id = "upload")]
    async fn upload(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        multipart: Multipart,
    ) -> Result<Json<Uploaded>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Upload)?;
        // What the member adds starts as they chose (Settings, or when they joined).
        let files =
            uploads::receive(&state, &me.user, &me.user.default_visibility, multipart).await?;
        Ok(Json(Uploaded { files }))
    }
}

/// The content type of a stored file, from its first bytes and its name.
async fn sniffed(path: &std::path::Path) -> String {
    let owned = path.to_path_buf();
    let header = tokio::task::spawn_blocking(move || {
        std::fs::File::open(&owned).and_then(|mut file| super::ingest::read_header(&mut file))
    })
    .await
    .ok()
    .and_then(Result::ok)
    .unwrap_or_default();
    hearth_media::sniff::content_type(&header, super::ingest::extension_of(path)).to_owned()
}

/// Serves one of an asset's media files (the caller has checked access):
/// 200, 206 (Range) or 304 (ETag); `cacheable` when the URL carries the
/// media version; `download` asks the browser to save it.
pub async fn serve(
    state: &AppState,
    found: &asset::Model,
    kind: MediaKind,
    cacheable: bool,
    download: bool,
    request: StaticFileRequest,
) -> Result<Media, AppError> {
    let missing = || AppError::NotFound("This file is not available.".into());
    let path = match kind {
        MediaKind::Thumb => state.data_dir().derived(found.id).join("thumb.jpg"),
        MediaKind::Preview => state.data_dir().derived(found.id).join("preview.jpg"),
        MediaKind::Original => super::locate(state, found.id, "original")
            .await?
            .ok_or_else(missing)?,
        MediaKind::Video => {
            let role = match found.kind.as_str() {
                "video" => "original",
                "live" => "motion",
                _ => return Err(missing()),
            };
            match super::locate(state, found.id, role).await? {
                Some(path) => path,
                // A motion photo: its video was taken out of the still.
                None if found.kind == "live" && found.motion_hash.is_none() => {
                    state.data_dir().derived(found.id).join("motion.mp4")
                }
                None => return Err(missing()),
            }
        }
    };
    let response = request
        .create_response(&path, false, false)
        .map_err(|err| {
            use poem::error::StaticFileError;
            match err {
                StaticFileError::NotFound => missing(),
                StaticFileError::RangeNotSatisfiable { .. } => {
                    AppError::InvalidRequest("The requested range is outside the file.".into())
                }
                other => AppError::Internal(anyhow::anyhow!("serving {}: {other}", path.display())),
            }
        })?;
    let response = match response {
        StaticFileResponse::Ok {
            body,
            content_length,
            etag,
            last_modified,
            content_range,
            ..
        } => {
            // Each part as what its bytes are (a Live Photo's video is not
            // its still; a HEIC named .jpg is a HEIC).
            let content_type = Some(match kind {
                MediaKind::Thumb | MediaKind::Preview => "image/jpeg".to_owned(),
                MediaKind::Original | MediaKind::Video => sniffed(&path).await,
            });
            StaticFileResponse::Ok {
                body,
                content_length,
                content_type,
                etag,
                last_modified,
                content_range,
                cache_control: Some(
                    if cacheable {
                        IMMUTABLE
                    } else {
                        "private, no-cache"
                    }
                    .to_owned(),
                ),
            }
        }
        not_modified @ StaticFileResponse::NotModified => not_modified,
    };
    let mut response = response.into_response();
    if download {
        let name = path.file_name().map_or_else(
            || format!("hearth-{}", found.id),
            |n| n.to_string_lossy().replace(['"', '\\', '\r', '\n'], "_"),
        );
        if let Ok(value) = format!("attachment; filename=\"{name}\"").parse() {
            response
                .headers_mut()
                .insert(poem::http::header::CONTENT_DISPOSITION, value);
        }
    }
    Ok(Media(response))
}

/// Moves the caller's own selected assets into (or out of) the trash.
async fn trash_or_restore(
    state: &AppState,
    me: &Principal,
    body: &Selection,
    trash: bool,
) -> Result<Json<Changed>, AppError> {
    me.require_session()?;
    let ids = selection(&body.ids)?;
    let changed = super::set_trashed(state, me.user.id, &ids, trash).await?;
    Ok(Json(Changed { changed }))
}

/// The caller's own assets among `ids`: those shared with the family, and
/// the private ones.
pub(super) async fn own_by_visibility(
    state: &AppState,
    owner_id: i64,
    ids: &[i64],
) -> Result<(Vec<i64>, Vec<i64>), AppError> {
    let own: Vec<(i64, String)> = asset::Entity::find()
        .select_only()
        .column(asset::Column::Id)
        .column(asset::Column::Visibility)
        .filter(asset::Column::Id.is_in(ids.iter().copied()))
        .filter(asset::Column::OwnerId.eq(owner_id))
        .into_tuple()
        .all(state.db())
        .await?;
    let (shared, private): (Vec<_>, Vec<_>) = own
        .into_iter()
        .partition(|(_, visibility)| visibility == "family");
    Ok((
        shared.into_iter().map(|(id, _)| id).collect(),
        private.into_iter().map(|(id, _)| id).collect(),
    ))
}

fn selection(ids: &[i64]) -> Result<Vec<i64>, AppError> {
    if ids.is_empty() || ids.len() > 10_000 {
        return Err(AppError::InvalidRequest(
            "Select between 1 and 10 000 items.".into(),
        ));
    }
    Ok(ids.to_vec())
}

async fn details(state: &AppState, found: asset::Model, me: Viewer) -> Result<Details, AppError> {
    let files = if me.owns(&found) {
        let rows = asset_file::Entity::find()
            .filter(asset_file::Column::AssetId.eq(found.id))
            .all(state.db())
            .await?;
        let mut files = Vec::with_capacity(rows.len());
        for row in rows {
            let folder = match row.root_id {
                Some(root) => import_root::Entity::find_by_id(root)
                    .one(state.db())
                    .await?
                    .map(|r| r.path),
                None => None,
            };
            files.push(FileLocation {
                folder,
                path: row.path,
                role: row.role,
                present: row.present,
            });
        }
        Some(files)
    } else {
        None
    };
    let mine = me.owns(&found);
    Ok(Details {
        id: found.id,
        owner_id: found.owner_id,
        mine,
        v: version(&found.hash, found.derived_at),
        thumbhash: thumbhash_text(found.thumbhash.as_ref()),
        kind: found.kind,
        mime: found.mime,
        no_poster: found.no_poster,
        bytes: found.bytes,
        width: found.width.unwrap_or(0),
        height: found.height.unwrap_or(0),
        sort_at: found.sort_at,
        taken_local: found.taken_local,
        taken_offset_minutes: found.taken_offset_minutes,
        taken_source: found.taken_source,
        place: match (found.latitude, found.longitude) {
            (Some(latitude), Some(longitude)) => Some(Place {
                latitude,
                longitude,
                altitude: found.altitude,
                city: found.place_city,
                region: found.place_region,
                country: found.place_country,
            }),
            _ => None,
        },
        camera: Camera {
            name: crate::search::schema::camera_name(found.make.as_deref(), found.model.as_deref()),
            make: found.make,
            model: found.model,
            lens: found.lens,
            exposure_time: found.exposure_time,
            f_number: found.f_number,
            iso: found.iso,
            focal_length: found.focal_length,
        },
        duration_ms: found.duration_ms,
        title: found.title,
        caption: found.caption,
        rating: found.rating,
        keywords: serde_json::from_str(&found.keywords).unwrap_or_default(),
        // A favourite is its owner's own mark.
        favourite: found.favourite && mine,
        archived: found.archived && mine,
        visibility: if found.visibility == "family" {
            Visibility::Family
        } else {
            Visibility::Private
        },
        status: found.status,
        trashed_at: found.trashed_at,
        files,
    })
}
