//! An album's conversation: comments on the album and on its photos, and
//! hearts (one per person on each). Plain text — the browser makes links
//! clickable and never reads it as HTML. `@username` mentions of members
//! notify them even when they muted the album; other members hear of new
//! comments unless they muted it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::api::{Done, Person};
use super::{Membership, Role, membership, people};
use crate::accounts::principal::Auth;
use crate::accounts::tokens::Scope;
use crate::api::ApiTag;
use crate::db::entities::{comment, reaction, user};
use crate::error::AppError;
use crate::events::Kind;
use crate::library::access;
use crate::notifications::service::{self as notify, About};
use crate::state::AppState;

pub struct CommentsApi;

/// The longest comment, in characters.
pub const MAX_COMMENT: usize = 2_000;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Comment {
    pub id: i64,
    /// The photo it is on (absent: on the album).
    #[oai(skip_serializing_if_is_none)]
    pub asset_id: Option<i64>,
    /// Its author (absent for a guest).
    #[oai(skip_serializing_if_is_none)]
    pub author: Option<Person>,
    /// A guest's chosen name, when a guest wrote it.
    #[oai(skip_serializing_if_is_none)]
    pub guest: Option<String>,
    /// Plain text.
    pub body: String,
    pub created_at: DateTime<Utc>,
    #[oai(skip_serializing_if_is_none)]
    pub edited_at: Option<DateTime<Utc>>,
    /// Yours: you may edit it.
    pub mine: bool,
    /// You may delete it (yours, or you are the album's owner or editor).
    pub removable: bool,
}

#[derive(Debug, Object)]
pub struct Conversation {
    /// Oldest first.
    pub comments: Vec<Comment>,
    /// Who hearted it (the album, or the photo asked for).
    pub hearts: Vec<Person>,
    /// Whether you did.
    pub hearted: bool,
}

#[derive(Debug, Object)]
pub struct Hearts {
    /// Who hearted it.
    pub hearts: Vec<Person>,
    /// Whether you did.
    pub hearted: bool,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewComment {
    /// 1–2 000 characters of plain text; `@username` mentions a member.
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub body: String,
    /// A photo of the album (absent: on the album itself).
    pub asset_id: Option<i64>,
}

#[derive(Debug, Object)]
pub struct CommentEdit {
    #[oai(validator(min_length = 1, max_length = 2000))]
    pub body: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Heart {
    /// A photo of the album (absent: the album itself).
    pub asset_id: Option<i64>,
    /// True to heart, false to take it back.
    pub hearted: bool,
}

/// A comment's text as stored: trimmed, without control characters other
/// than line breaks, within the limit.
pub fn clean(text: &str) -> Result<String, AppError> {
    let text: String = text
        .trim()
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    let length = text.chars().count();
    if length == 0 || length > MAX_COMMENT {
        return Err(AppError::InvalidRequest(
            "A comment has 1 to 2 000 characters.".into(),
        ));
    }
    Ok(text)
}

/// The `@usernames` in a text, lower-cased.
#[must_use]
pub fn mentions(text: &str) -> HashSet<String> {
    let mut found = HashSet::new();
    let mut rest = text;
    while let Some(at) = rest.find('@') {
        let after = &rest[at + 1..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .collect();
        let name = name.trim_end_matches('.').to_lowercase();
        // Not an e-mail address: the @ starts a word.
        let starts_word = rest[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if !name.is_empty() && starts_word {
            found.insert(name);
        }
        rest = after;
    }
    found
}

/// Checks that a comment or heart's photo is shown in the album.
async fn target(state: &AppState, album_id: i64, asset_id: Option<i64>) -> Result<(), AppError> {
    match asset_id {
        Some(id) if !access::in_album(state, album_id, id).await? => Err(AppError::NotFound(
            "That photo is not in this album.".into(),
        )),
        _ => Ok(()),
    }
}

/// Comments as `viewer` (a member's id, or none for a guest) sees them.
pub async fn listed(
    state: &AppState,
    rows: Vec<comment::Model>,
    viewer: Option<(i64, Role)>,
) -> Result<Vec<Comment>, AppError> {
    let authors: Vec<i64> = rows.iter().filter_map(|c| c.user_id).collect();
    let authors = people(state, &authors).await?;
    Ok(rows
        .into_iter()
        .map(|c| {
            let mine = viewer.is_some_and(|(id, _)| c.user_id == Some(id));
            Comment {
                id: c.id,
                asset_id: c.asset_id,
                author: c.user_id.and_then(|id| authors.get(&id)).map(Person::from),
                guest: c.guest_name,
                body: c.body,
                created_at: c.created_at,
                edited_at: c.edited_at,
                mine,
                removable: mine || viewer.is_some_and(|(_, role)| role >= Role::Editor),
            }
        })
        .collect())
}

/// One comment as `viewer` sees it.
pub async fn one(
    state: &AppState,
    row: comment::Model,
    viewer: Option<(i64, Role)>,
) -> Result<Comment, AppError> {
    listed(state, vec![row], viewer)
        .await?
        .pop()
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("a comment vanished")))
}

/// The album's comments (on `asset_id`, or all of them), oldest first.
pub async fn thread(
    state: &AppState,
    album_id: i64,
    asset_id: Option<i64>,
) -> Result<Vec<comment::Model>, AppError> {
    let mut query = comment::Entity::find().filter(comment::Column::AlbumId.eq(album_id));
    if let Some(asset_id) = asset_id {
        query = query.filter(comment::Column::AssetId.eq(asset_id));
    }
    Ok(query
        .order_by_asc(comment::Column::CreatedAt)
        .order_by_asc(comment::Column::Id)
        .all(state.db())
        .await?)
}

/// Saves a comment, tells the members and notifies them: mentioned ones
/// always, the others unless they muted the album.
pub async fn post(
    state: &AppState,
    member: &Membership,
    author: &user::Model,
    body: &str,
    asset_id: Option<i64>,
) -> Result<comment::Model, AppError> {
    let body = clean(body)?;
    target(state, member.album.id, asset_id).await?;
    let saved = comment::ActiveModel {
        album_id: Set(member.album.id),
        asset_id: Set(asset_id),
        user_id: Set(Some(author.id)),
        guest_name: Set(None),
        link_id: Set(None),
        body: Set(body.clone()),
        created_at: Set(state.now()),
        edited_at: Set(None),
        ..Default::default()
    }
    .insert(state.db())
    .await?;
    after_comment(state, member, &author.display_name, Some(author.id), &saved).await?;
    Ok(saved)
}

/// Tells the members of a new comment and notifies them.
pub async fn after_comment(
    state: &AppState,
    member: &Membership,
    who: &str,
    author: Option<i64>,
    saved: &comment::Model,
) -> Result<(), AppError> {
    let album = &member.album;
    super::touch(state, album.id).await?;
    super::tell(
        state,
        album.id,
        Kind::Comments,
        saved.asset_id.into_iter().collect(),
    )
    .await?;
    let named = mentions(&saved.body);
    let members = super::members(state, album.id).await?;
    let ids: Vec<i64> = members.iter().map(|(id, _)| *id).collect();
    let people = people(state, &ids).await?;
    let excerpt: String = saved.body.chars().take(140).collect();
    let about = About {
        album_id: Some(album.id),
        asset_id: saved.asset_id,
        actor_id: author,
    };
    for (user_id, muted) in members {
        if Some(user_id) == author {
            continue;
        }
        let mentioned = people
            .get(&user_id)
            .is_some_and(|p| named.contains(&p.username.to_lowercase()));
        if mentioned {
            let title = format!("{who} mentioned you in {}", album.title);
            notify::notify_about(
                state,
                user_id,
                notify::Kind::Mention,
                &title,
                &excerpt,
                about,
            )
            .await?;
        } else if !muted {
            let on = if saved.asset_id.is_some() {
                "a photo in "
            } else {
                ""
            };
            let title = format!("{who} commented on {on}{}", album.title);
            notify::notify_about(
                state,
                user_id,
                notify::Kind::Comment,
                &title,
                &excerpt,
                about,
            )
            .await?;
        }
    }
    Ok(())
}

/// Hearts on one photo, or (`None`) on the album itself.
fn on(asset_id: Option<i64>) -> sea_orm::sea_query::SimpleExpr {
    match asset_id {
        Some(id) => reaction::Column::AssetId.eq(id),
        None => reaction::Column::AssetId.is_null(),
    }
}

/// The hearts on the album (or one photo of it), and whether `user_id`'s
/// is among them.
async fn hearts(
    state: &AppState,
    album_id: i64,
    asset_id: Option<i64>,
    user_id: i64,
) -> Result<(Vec<Person>, bool), AppError> {
    let rows = reaction::Entity::find()
        .filter(reaction::Column::AlbumId.eq(album_id))
        .filter(on(asset_id))
        .order_by_asc(reaction::Column::Id)
        .all(state.db())
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.user_id).collect();
    let people = people(state, &ids).await?;
    Ok((
        ids.iter()
            .filter_map(|id| people.get(id))
            .map(Person::from)
            .collect(),
        ids.contains(&user_id),
    ))
}

async fn own_comment(state: &AppState, album_id: i64, id: i64) -> Result<comment::Model, AppError> {
    comment::Entity::find_by_id(id)
        .filter(comment::Column::AlbumId.eq(album_id))
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such comment.".into()))
}

#[OpenApi(tag = "ApiTag::Albums")]
impl CommentsApi {
    /// The album's conversation, oldest first: every comment (on the
    /// album and its photos), or with `asset` one photo's; and the hearts
    /// on the album (or that photo).
    #[oai(
        path = "/albums/:id/comments",
        method = "get",
        operation_id = "album_comments"
    )]
    async fn list(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        /// One photo's comments.
        asset: Query<Option<i64>>,
    ) -> Result<Json<Conversation>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let member = membership(&state, me.user.id, id.0).await?;
        target(&state, member.album.id, asset.0).await?;
        let rows = thread(&state, member.album.id, asset.0).await?;
        let (hearts, hearted) = hearts(&state, member.album.id, asset.0, me.user.id).await?;
        Ok(Json(Conversation {
            comments: listed(&state, rows, Some((me.user.id, member.role))).await?,
            hearts,
            hearted,
        }))
    }

    /// Comment on the album or one of its photos (any member).
    #[oai(
        path = "/albums/:id/comments",
        method = "post",
        operation_id = "add_comment"
    )]
    async fn add(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<NewComment>,
    ) -> Result<Json<Comment>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        let saved = post(&state, &member, &me.user, &body.body, body.asset_id).await?;
        one(&state, saved, Some((me.user.id, member.role)))
            .await
            .map(Json)
    }

    /// Edit your own comment (it is marked edited).
    #[oai(
        path = "/albums/:id/comments/:comment",
        method = "patch",
        operation_id = "edit_comment"
    )]
    async fn edit(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        comment: Path<i64>,
        body: Json<CommentEdit>,
    ) -> Result<Json<Comment>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        let found = own_comment(&state, member.album.id, comment.0).await?;
        if found.user_id != Some(me.user.id) {
            return Err(AppError::Forbidden(
                "Only its author can edit a comment.".into(),
            ));
        }
        let text = clean(&body.body)?;
        comment::Entity::update_many()
            .col_expr(comment::Column::Body, Expr::value(text))
            .col_expr(comment::Column::EditedAt, Expr::value(state.now()))
            .filter(comment::Column::Id.eq(found.id))
            .exec(state.db())
            .await?;
        super::tell(
            &state,
            member.album.id,
            Kind::Comments,
            found.asset_id.into_iter().collect(),
        )
        .await?;
        let saved = own_comment(&state, member.album.id, found.id).await?;
        one(&state, saved, Some((me.user.id, member.role)))
            .await
            .map(Json)
    }

    /// Delete a comment: your own, or anyone's as the album's owner or an
    /// editor.
    #[oai(
        path = "/albums/:id/comments/:comment",
        method = "delete",
        operation_id = "delete_comment"
    )]
    async fn delete(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        comment: Path<i64>,
    ) -> Result<Done, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        let found = own_comment(&state, member.album.id, comment.0).await?;
        if found.user_id != Some(me.user.id) {
            member.require(Role::Editor, "remove others' comments")?;
        }
        comment::Entity::delete_by_id(found.id)
            .exec(state.db())
            .await?;
        super::tell(
            &state,
            member.album.id,
            Kind::Comments,
            found.asset_id.into_iter().collect(),
        )
        .await?;
        Ok(Done::Done)
    }

    /// Heart the album or one of its photos, or take your heart back.
    #[oai(path = "/albums/:id/hearts", method = "post", operation_id = "heart")]
    async fn heart(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<Heart>,
    ) -> Result<Json<Hearts>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        target(&state, member.album.id, body.asset_id).await?;
        let (_, hearted) = hearts(&state, member.album.id, body.asset_id, me.user.id).await?;
        if body.hearted && !hearted {
            reaction::ActiveModel {
                album_id: Set(member.album.id),
                asset_id: Set(body.asset_id),
                user_id: Set(me.user.id),
                created_at: Set(state.now()),
                ..Default::default()
            }
            .insert(state.db())
            .await?;
        } else if !body.hearted && hearted {
            reaction::Entity::delete_many()
                .filter(reaction::Column::AlbumId.eq(member.album.id))
                .filter(reaction::Column::UserId.eq(me.user.id))
                .filter(on(body.asset_id))
                .exec(state.db())
                .await?;
        }
        if body.hearted != hearted {
            super::tell(
                &state,
                member.album.id,
                Kind::Comments,
                body.asset_id.into_iter().collect(),
            )
            .await?;
        }
        let (hearts, hearted) = hearts(&state, member.album.id, body.asset_id, me.user.id).await?;
        Ok(Json(Hearts { hearts, hearted }))
    }
}
