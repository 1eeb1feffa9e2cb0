//! `/api/shared/<token>`: an album as a guest with a share link sees it —
//! its photos, and, as the link allows, originals to download, the
//! conversation to join under a chosen name, uploads. Nothing else of
//! Hearth is reachable with a link. Unknown, expired and revoked tokens
//! all get the same answer, and misses are rate limited per address, so
//! guessing learns nothing. A password is checked once per browser (rate
//! limited); the browser then holds a cookie for that link only.

use chrono::{DateTime, TimeDelta, Utc};
use poem::web::cookie::{Cookie, CookieJar, SameSite};
use poem::web::{Data, Multipart, StaticFileRequest};
use poem::{Body, Request};
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::{Attachment, Json};
use poem_openapi::{Object, OpenApi};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use super::comments::{self, Comment};
use super::{Membership, Role, content, links};
use crate::accounts::passwords;
use crate::accounts::secret::{hash_token, new_token};
use crate::accounts::sessions::Client;
use crate::api::ApiTag;
use crate::db::entities::{album, album_link, asset, comment, link_grant, user};
use crate::error::AppError;
use crate::library::access::{self, Viewer};
use crate::library::api::{Brief, Media, MediaKind, UploadStatus, serve};
use crate::library::timeline::brief;
use crate::state::AppState;

pub struct GuestApi;

/// The cookie a browser holds once it gave a link's password.
const GRANT_COOKIE: &str = "hearth_share";
/// How long a given password is remembered.
const GRANT_DAYS: i64 = 30;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SharedAlbum {
    pub title: String,
    pub description: String,
    /// Who shares it.
    pub owner: String,
    pub count: u64,
    pub allow_download: bool,
    pub allow_comments: bool,
    pub allow_uploads: bool,
    #[oai(skip_serializing_if_is_none)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Object)]
pub struct SharedItems {
    pub items: Vec<Brief>,
}

#[derive(Debug, Object)]
pub struct Unlock {
    #[oai(validator(max_length = 512))]
    pub password: String,
}

/// A comment as a guest sees it: who wrote it by the name they go by,
/// never a member's username or id.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct SharedComment {
    pub id: i64,
    /// The photo it is on (absent: on the album).
    #[oai(skip_serializing_if_is_none)]
    pub asset_id: Option<i64>,
    /// The member's display name (absent for a guest).
    #[oai(skip_serializing_if_is_none)]
    pub author: Option<String>,
    /// A guest's chosen name, when a guest wrote it.
    #[oai(skip_serializing_if_is_none)]
    pub guest: Option<String>,
    /// Plain text.
    pub body: String,
    pub created_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub edited_at: Option<DateTime<Utc>>,
}

impl From<Comment> for SharedComment {
    fn from(comment: Comment) -> Self {
        Self {
            id: comment.id,
            asset_id: comment.asset_id,
            author: comment.author.map(|person| person.name),
            guest: comment.guest,
            body: comment.body,
            created_at: comment.created_at,
            edited_at: comment.edited_at,
        }
    }
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct GuestComment {
    /// The name the guest goes by (1–50 characters); shown as a guest's.
    #[oai(validator(min_length = 1, max_length = 50))]
    pub name: String,
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub body: String,
    /// A photo of the album (absent: on the album).
    pub asset_id: Option<i64>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct GuestUpload {
    pub name: String,
    pub status: GuestUploadStatus,
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
}

/// What a guest learns of a file they sent: whether the album's owner
/// already had it is not theirs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum GuestUploadStatus {
    Received,
    /// Not a photo or video Hearth takes: `reason` says why.
    Failed,
}

#[derive(Debug, Object)]
pub struct GuestUploads {
    pub files: Vec<GuestUpload>,
}

/// A usable link and its album.
struct Opened {
    link: album_link::Model,
    album: album::Model,
}

impl Opened {
    /// Whether the link lets guests download originals.
    fn downloads(&self) -> Result<(), AppError> {
        if self.link.allow_download {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "This link does not allow downloads.".into(),
            ))
        }
    }
}

fn guest_name(text: &str) -> Result<String, AppError> {
    let name: String = text.trim().chars().filter(|c| !c.is_control()).collect();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(AppError::InvalidRequest(
            "Say who you are: a name of 1 to 50 characters.".into(),
        ));
    }
    Ok(name)
}

/// The usable link `token` names; a miss (unknown, expired, revoked — one
/// answer for all) counts against the caller's address.
async fn usable(
    state: &AppState,
    req: &Request,
    token: &str,
) -> Result<album_link::Model, AppError> {
    let now = state.now();
    let link = album_link::Entity::find()
        .filter(album_link::Column::Token.eq(token))
        .one(state.db())
        .await?
        .filter(|link| links::usable(link, now));
    if let Some(link) = link {
        return Ok(link);
    }
    let ip = Client::of(req).ip.unwrap_or_default();
    state
        .accounts()
        .limiter
        .attempt(&[format!("share-miss:{ip}")], now)?;
    Err(AppError::ShareUnusable)
}

/// The link and album `token` opens for this browser: usable, and its
/// password given here before. `view` counts a page view.
async fn open(
    state: &AppState,
    req: &Request,
    token: &str,
    view: bool,
) -> Result<Opened, AppError> {
    let now = state.now();
    let link = usable(state, req, token).await?;
    if link.password_hash.is_some() {
        let granted = match req.cookie().get(GRANT_COOKIE) {
            Some(cookie) => link_grant::Entity::find()
                .filter(link_grant::Column::LinkId.eq(link.id))
                .filter(link_grant::Column::TokenHash.eq(hash_token(cookie.value_str())))
                .filter(link_grant::Column::ExpiresAt.gt(now))
                .one(state.db())
                .await?
                .is_some(),
            None => false,
        };
        if !granted {
            return Err(AppError::PasswordRequired);
        }
    }
    let mut update = album_link::Entity::update_many()
        .col_expr(album_link::Column::LastUsedAt, Expr::value(now))
        .filter(album_link::Column::Id.eq(link.id));
    if view {
        update = update.col_expr(album_link::Column::Views, Expr::cust("views + 1"));
    }
    update.exec(state.db()).await?;
    let album = album::Entity::find_by_id(link.album_id)
        .filter(super::open())
        .one(state.db())
        .await?
        .ok_or(AppError::ShareUnusable)?;
    Ok(Opened { link, album })
}

/// A guest sees no one's library: briefs are nobody's.
const NOBODY: Viewer = Viewer { user_id: 0 };

#[OpenApi(tag = "ApiTag::Albums")]
impl GuestApi {
    /// The album a share link opens (no account needed). Unknown, expired
    /// and revoked links are `share_unusable` (410); a link with a
    /// password not yet given in this browser is `password_required`.
    #[oai(path = "/shared/:token", method = "get", operation_id = "shared_album")]
    async fn album(
        &self,
        req: &Request,
        state: Data<&AppState>,
        token: Path<String>,
    ) -> Result<Json<SharedAlbum>, AppError> {
        let opened = open(&state, req, &token.0, true).await?;
        let (count, _) = content::count_and_cover(&state, &opened.album).await?;
        let owner = user::Entity::find_by_id(opened.album.owner_id)
            .one(state.db())
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        Ok(Json(SharedAlbum {
            title: opened.album.title,
            description: opened.album.description,
            owner,
            count,
            allow_download: opened.link.allow_download,
            allow_comments: opened.link.allow_comments,
            allow_uploads: opened.link.allow_uploads,
            expires_at: opened.link.expires_at,
        }))
    }

    /// Give a share link's password; the browser is remembered for it.
    /// Ten tries a minute, per link and per address.
    #[oai(
        path = "/shared/:token/unlock",
        method = "post",
        operation_id = "unlock_shared_album"
    )]
    async fn unlock(
        &self,
        req: &Request,
        jar: &CookieJar,
        state: Data<&AppState>,
        token: Path<String>,
        body: Json<Unlock>,
    ) -> Result<Json<SharedAlbum>, AppError> {
        let now = state.now();
        let link = usable(&state, req, &token.0).await?;
        let ip = Client::of(req).ip.unwrap_or_default();
        state.accounts().limiter.attempt(
            &[format!("share:{}", link.id), format!("share-ip:{ip}")],
            now,
        )?;
        if !passwords::verify(&body.password, link.password_hash.as_deref()) {
            return Err(AppError::InvalidCredentials);
        }
        let grant = new_token();
        link_grant::ActiveModel {
            link_id: Set(link.id),
            token_hash: Set(hash_token(&grant)),
            created_at: Set(now),
            expires_at: Set(now + TimeDelta::days(GRANT_DAYS)),
            ..Default::default()
        }
        .insert(state.db())
        .await?;
        let mut cookie = Cookie::new_with_str(GRANT_COOKIE, &grant);
        cookie.set_http_only(true);
        cookie.set_same_site(SameSite::Lax);
        cookie.set_path(format!("/api/shared/{}", token.0));
        cookie.set_secure(state.config().public_url().scheme() == "https");
        cookie.set_max_age(std::time::Duration::from_hours(
            u64::try_from(GRANT_DAYS * 24).unwrap_or(24),
        ));
        jar.add(cookie);
        self.album(req, state, token).await
    }

    /// The shared album's photos, in its order.
    #[oai(
        path = "/shared/:token/assets",
        method = "get",
        operation_id = "shared_assets"
    )]
    async fn assets(
        &self,
        req: &Request,
        state: Data<&AppState>,
        token: Path<String>,
    ) -> Result<Json<SharedItems>, AppError> {
        let opened = open(&state, req, &token.0, false).await?;
        let items = content::items(&state, &opened.album).await?;
        Ok(Json(SharedItems {
            items: items.iter().map(|i| brief(&i.asset, NOBODY)).collect(),
        }))
    }

    /// A shared photo's thumbnail, preview or video; its original only
    /// when the link allows downloads.
    #[oai(
        path = "/shared/:token/assets/:id/:kind",
        method = "get",
        operation_id = "shared_media"
    )]
    #[allow(
        clippy::too_many_arguments,
        reason = "each parameter is part of the documented operation"
    )]
    async fn media(
        &self,
        req: &Request,
        state: Data<&AppState>,
        token: Path<String>,
        id: Path<i64>,
        kind: Path<MediaKind>,
        /// The media version (`v`).
        v: Query<Option<String>>,
        download: Query<Option<bool>>,
        request: StaticFileRequest,
    ) -> Result<Media, AppError> {
        let opened = open(&state, req, &token.0, false).await?;
        let missing = || AppError::NotFound("There is no such photo here.".into());
        if !access::in_album(&state, opened.album.id, id.0).await? {
            return Err(missing());
        }
        if kind.0 == MediaKind::Original {
            opened.downloads()?;
        }
        let found = asset::Entity::find_by_id(id.0)
            .one(state.db())
            .await?
            .ok_or_else(missing)?;
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

    /// The whole album as one zip of its originals, when the link allows
    /// downloads.
    #[oai(
        path = "/shared/:token/download",
        method = "get",
        operation_id = "shared_download"
    )]
    async fn download(
        &self,
        req: &Request,
        state: Data<&AppState>,
        token: Path<String>,
    ) -> Result<Attachment<Body>, AppError> {
        let opened = open(&state, req, &token.0, false).await?;
        opened.downloads()?;
        let items = content::items(&state, &opened.album).await?;
        let assets: Vec<_> = items.into_iter().map(|item| item.asset).collect();
        crate::library::download::zip_of(&state, &assets, &opened.album.title).await
    }

    /// The album's conversation, when the link allows guest comments.
    #[oai(
        path = "/shared/:token/comments",
        method = "get",
        operation_id = "shared_comments"
    )]
    async fn comments(
        &self,
        req: &Request,
        state: Data<&AppState>,
        token: Path<String>,
    ) -> Result<Json<Vec<SharedComment>>, AppError> {
        let opened = open(&state, req, &token.0, false).await?;
        if !opened.link.allow_comments {
            return Ok(Json(Vec::new()));
        }
        let rows = comments::thread(&state, opened.album.id, None).await?;
        Ok(Json(
            comments::listed(&state, rows, None)
                .await?
                .into_iter()
                .map(SharedComment::from)
                .collect(),
        ))
    }

    /// Comment as a guest, under a name of your choosing (shown as a
    /// guest's). Ten a minute per address.
    #[oai(
        path = "/shared/:token/comments",
        method = "post",
        operation_id = "add_shared_comment"
    )]
    async fn comment(
        &self,
        req: &Request,
        state: Data<&AppState>,
        token: Path<String>,
        body: Json<GuestComment>,
    ) -> Result<Json<SharedComment>, AppError> {
        let opened = open(&state, req, &token.0, false).await?;
        if !opened.link.allow_comments {
            return Err(AppError::Forbidden(
                "This link does not allow comments.".into(),
            ));
        }
        let ip = Client::of(req).ip.unwrap_or_default();
        state
            .accounts()
            .limiter
            .attempt(&[format!("share-comment:{ip}")], state.now())?;
        let name = guest_name(&body.name)?;
        let text = comments::clean(&body.body)?;
        if let Some(id) = body.asset_id
            && !access::in_album(&state, opened.album.id, id).await?
        {
            return Err(AppError::NotFound(
                "That photo is not in this album.".into(),
            ));
        }
        let saved = comment::ActiveModel {
            album_id: Set(opened.album.id),
            asset_id: Set(body.asset_id),
            user_id: Set(None),
            guest_name: Set(Some(name.clone())),
            link_id: Set(Some(opened.link.id)),
            body: Set(text),
            created_at: Set(state.now()),
            edited_at: Set(None),
            ..Default::default()
        }
        .insert(state.db())
        .await?;
        let member = Membership {
            album: opened.album,
            role: Role::Viewer,
            muted: false,
        };
        comments::after_comment(&state, &member, &format!("{name} (guest)"), None, &saved).await?;
        let shown = comments::one(&state, saved, None).await?;
        Ok(Json(SharedComment::from(shown)))
    }

    /// Upload photos as a guest, when the link allows it: they land in the
    /// album owner's library (private, marked as a guest's) and in the
    /// album. `multipart/form-data` with file parts.
    #[oai(
        path = "/shared/:token/uploads",
        method = "post",
        operation_id = "shared_upload"
    )]
    async fn upload(
        &self,
        req: &Request,
        state: Data<&AppState>,
        token: Path<String>,
        /// The guest's name (1–50 characters).
        name: Query<String>,
        multipart: Multipart,
    ) -> Result<Json<GuestUploads>, AppError> {
        let opened = open(&state, req, &token.0, false).await?;
        if !opened.link.allow_uploads {
            return Err(AppError::Forbidden(
                "This link does not allow uploads.".into(),
            ));
        }
        let name = guest_name(&name.0)?;
        let ip = Client::of(req).ip.unwrap_or_default();
        state
            .accounts()
            .limiter
            .attempt(&[format!("share-upload:{ip}")], state.now())?;
        let owner = user::Entity::find_by_id(opened.album.owner_id)
            .one(state.db())
            .await?
            .ok_or(AppError::ShareUnusable)?;
        // A guest's photo is seen in the album, not in the family's timeline.
        let results =
            crate::library::uploads::receive(&state, &owner, "private", multipart).await?;
        let imported: Vec<i64> = results
            .iter()
            .filter(|r| r.status == UploadStatus::Imported)
            .filter_map(|r| r.asset_id)
            .collect();
        // Only what the guest's upload made: a duplicate of someone's
        // photo must not reach the album through a guest.
        asset::Entity::update_many()
            .col_expr(asset::Column::GuestName, Expr::value(name.clone()))
            .filter(asset::Column::Id.is_in(imported.iter().copied()))
            .filter(asset::Column::OwnerId.eq(owner.id))
            .exec(state.db())
            .await?;
        let added = content::put(&state, opened.album.id, &imported, None, Some(&name)).await?;
        content::after_adding(&state, &opened.album, None, Some(&name), &added.shown).await?;
        Ok(Json(GuestUploads {
            files: results
                .into_iter()
                .map(|r| GuestUpload {
                    name: r.name,
                    status: if r.status == UploadStatus::Failed {
                        GuestUploadStatus::Failed
                    } else {
                        GuestUploadStatus::Received
                    },
                    reason: r.reason,
                })
                .collect(),
        }))
    }
}
