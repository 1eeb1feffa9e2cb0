//! Share links, managed by an album's owner: an unguessable token (192
//! random bits) in a URL for people outside the household, with an
//! optional expiry (by the Clock) and password (argon2id), and what the
//! guest may do: download originals, comment, upload. Links are revoked,
//! not deleted, so the list keeps their last use and view count. The token
//! is kept (not only its hash) so the owner can copy the link again; it
//! opens one album, read-only unless the toggles say otherwise.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::api::Done;
use super::{Role, membership};
use crate::accounts::passwords;
use crate::accounts::principal::Auth;
use crate::accounts::secret::random_bytes;
use crate::api::{ApiTag, link_base};
use crate::db::entities::album_link;
use crate::error::AppError;
use crate::state::AppState;
use url::Url;

pub struct LinksApi;

#[derive(Debug, Object)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "each toggle is one field of the documented object"
)]
pub struct ShareLink {
    pub id: i64,
    /// The address to send.
    pub url: String,
    pub label: String,
    pub created_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub expires_at: Option<DateTime<Utc>>,
    pub has_password: bool,
    pub allow_download: bool,
    pub allow_comments: bool,
    pub allow_uploads: bool,
    #[oai(skip_serializing_if_is_none)]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Expired or revoked.
    pub usable: bool,
    #[oai(skip_serializing_if_is_none)]
    pub last_used_at: Option<DateTime<Utc>>,
    /// Times the album page was opened through it.
    pub views: i64,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewShareLink {
    /// Who it is for, e.g. "Grandma's friends" (at most 100 characters).
    pub label: Option<String>,
    /// When it stops working (absent: never).
    pub expires_at: Option<DateTime<Utc>>,
    /// Guests must give it first (8–200 characters).
    pub password: Option<String>,
    #[oai(default)]
    pub allow_download: bool,
    #[oai(default)]
    pub allow_comments: bool,
    #[oai(default)]
    pub allow_uploads: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct ShareLinkChange {
    pub label: Option<String>,
    /// A new expiry; use `never_expires` to remove it.
    pub expires_at: Option<DateTime<Utc>>,
    pub never_expires: Option<bool>,
    /// A new password; empty text removes it.
    pub password: Option<String>,
    pub allow_download: Option<bool>,
    pub allow_comments: Option<bool>,
    pub allow_uploads: Option<bool>,
}

/// A new link token: 24 random bytes, base64url (32 characters).
fn new_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<24>())
}

fn label(text: Option<&str>) -> Result<String, AppError> {
    let text = text.unwrap_or_default().trim();
    if text.chars().count() > 100 {
        return Err(AppError::InvalidRequest(
            "A link's label can be at most 100 characters.".into(),
        ));
    }
    Ok(text.to_owned())
}

fn password_hash(password: &str) -> Result<Option<String>, AppError> {
    if password.is_empty() {
        return Ok(None);
    }
    let length = password.chars().count();
    if !(8..=200).contains(&length) {
        return Err(AppError::InvalidRequest(
            "A link's password has 8 to 200 characters.".into(),
        ));
    }
    passwords::hash(password).map(Some)
}

/// Whether guests can use the link now.
#[must_use]
pub fn usable(link: &album_link::Model, now: DateTime<Utc>) -> bool {
    link.revoked_at.is_none() && link.expires_at.is_none_or(|at| now < at)
}

fn shown(state: &AppState, base: &Url, link: album_link::Model) -> ShareLink {
    let url = base
        .join(&format!("shared/{}", link.token))
        .map_or_else(|_| format!("/shared/{}", link.token), String::from);
    ShareLink {
        usable: usable(&link, state.now()),
        id: link.id,
        url,
        label: link.label,
        created_at: link.created_at,
        expires_at: link.expires_at,
        has_password: link.password_hash.is_some(),
        allow_download: link.allow_download,
        allow_comments: link.allow_comments,
        allow_uploads: link.allow_uploads,
        revoked_at: link.revoked_at,
        last_used_at: link.last_used_at,
        views: link.views,
    }
}

async fn find(state: &AppState, album_id: i64, id: i64) -> Result<album_link::Model, AppError> {
    album_link::Entity::find_by_id(id)
        .filter(album_link::Column::AlbumId.eq(album_id))
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such link.".into()))
}

#[OpenApi(tag = "ApiTag::Albums")]
impl LinksApi {
    /// The album's share links, newest first (owner).
    #[oai(
        path = "/albums/:id/links",
        method = "get",
        operation_id = "share_links"
    )]
    async fn list(
        &self,
        req: &Request,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Json<Vec<ShareLink>>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        member.require(Role::Owner, "manage share links")?;
        let links = album_link::Entity::find()
            .filter(album_link::Column::AlbumId.eq(member.album.id))
            .order_by_desc(album_link::Column::Id)
            .all(state.db())
            .await?;
        let base = link_base(&state, req);
        Ok(Json(
            links.into_iter().map(|l| shown(&state, &base, l)).collect(),
        ))
    }

    /// Make a share link for people outside the household (owner).
    #[oai(
        path = "/albums/:id/links",
        method = "post",
        operation_id = "create_share_link"
    )]
    async fn create(
        &self,
        req: &Request,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<NewShareLink>,
    ) -> Result<Json<ShareLink>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        member.require(Role::Owner, "share it by link")?;
        if body.expires_at.is_some_and(|at| at <= state.now()) {
            return Err(AppError::InvalidRequest(
                "The expiry must be in the future.".into(),
            ));
        }
        let link = album_link::ActiveModel {
            album_id: Set(member.album.id),
            token: Set(new_token()),
            label: Set(label(body.label.as_deref())?),
            created_by: Set(Some(me.user.id)),
            created_at: Set(state.now()),
            expires_at: Set(body.expires_at),
            password_hash: Set(password_hash(body.password.as_deref().unwrap_or_default())?),
            allow_download: Set(body.allow_download),
            allow_comments: Set(body.allow_comments),
            allow_uploads: Set(body.allow_uploads),
            revoked_at: Set(None),
            last_used_at: Set(None),
            views: Set(0),
            ..Default::default()
        }
        .insert(state.db())
        .await?;
        Ok(Json(shown(&state, &link_base(&state, req), link)))
    }

    /// Change a share link's label, expiry, password or toggles (owner).
    #[oai(
        path = "/albums/:id/links/:link",
        method = "patch",
        operation_id = "change_share_link"
    )]
    async fn change(
        &self,
        req: &Request,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        link: Path<i64>,
        body: Json<ShareLinkChange>,
    ) -> Result<Json<ShareLink>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        member.require(Role::Owner, "manage share links")?;
        let found = find(&state, member.album.id, link.0).await?;
        let mut update =
            album_link::Entity::update_many().filter(album_link::Column::Id.eq(found.id));
        if body.label.is_some() {
            update = update.col_expr(
                album_link::Column::Label,
                Expr::value(label(body.label.as_deref())?),
            );
        }
        if body.never_expires == Some(true) {
            update = update.col_expr(
                album_link::Column::ExpiresAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            );
        } else if let Some(at) = body.expires_at {
            update = update.col_expr(album_link::Column::ExpiresAt, Expr::value(at));
        }
        if let Some(password) = &body.password {
            update = update.col_expr(
                album_link::Column::PasswordHash,
                Expr::value(password_hash(password)?),
            );
        }
        for (value, column) in [
            (body.allow_download, album_link::Column::AllowDownload),
            (body.allow_comments, album_link::Column::AllowComments),
            (body.allow_uploads, album_link::Column::AllowUploads),
        ] {
            if let Some(value) = value {
                update = update.col_expr(column, Expr::value(value));
            }
        }
        update.exec(state.db()).await?;
        if body.password.is_some() {
            // A new password: browsers that gave the old one must ask again.
            crate::db::entities::link_grant::Entity::delete_many()
                .filter(crate::db::entities::link_grant::Column::LinkId.eq(found.id))
                .exec(state.db())
                .await?;
        }
        Ok(Json(shown(
            &state,
            &link_base(&state, req),
            find(&state, member.album.id, found.id).await?,
        )))
    }

    /// Turn a share link off for good (owner); it stays in the list.
    #[oai(
        path = "/albums/:id/links/:link",
        method = "delete",
        operation_id = "revoke_share_link"
    )]
    async fn revoke(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        link: Path<i64>,
    ) -> Result<Done, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        member.require(Role::Owner, "manage share links")?;
        let found = find(&state, member.album.id, link.0).await?;
        album_link::Entity::update_many()
            .col_expr(album_link::Column::RevokedAt, Expr::value(state.now()))
            .filter(album_link::Column::Id.eq(found.id))
            .filter(album_link::Column::RevokedAt.is_null())
            .exec(state.db())
            .await?;
        Ok(Done::Done)
    }
}
