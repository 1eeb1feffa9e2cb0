//! Albums: photos gathered by hand or by a saved search (live albums),
//! shared with members in roles, with a conversation (comments, hearts),
//! share links for guests, and notifications. An album's photos are
//! visible to its members (`library::access` asks the album tables), and
//! its events go to its members only.

pub mod api;
pub mod comments;
pub mod content;
pub mod guest;
pub mod links;
pub mod live;

use std::sync::Arc;

use poem_openapi::Enum;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use crate::db::entities::{album, album_member, user};
use crate::error::AppError;
use crate::events::{Audience, Event, Kind};
use crate::notifications::service::{self as notify, About};
use crate::state::AppState;

/// What a member may do in an album.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Enum)]
#[oai(rename = "AlbumRole", rename_all = "lowercase")]
pub enum Role {
    /// See, comment and heart.
    Viewer,
    /// Also add their own photos, and remove the ones they added.
    Contributor,
    /// Also remove anyone's photos, change the title, description, cover
    /// and order, and add photos the family shares.
    Editor,
    /// Made the album: also members, the rule, share links, deleting it.
    Owner,
}

impl Role {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Viewer => "viewer",
            Self::Contributor => "contributor",
            Self::Editor => "editor",
            Self::Owner => "owner",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Self {
        match text {
            "owner" => Self::Owner,
            "editor" => Self::Editor,
            "contributor" => Self::Contributor,
            _ => Self::Viewer,
        }
    }
}

/// The caller's place in an album.
#[derive(Debug, Clone)]
pub struct Membership {
    pub album: album::Model,
    pub role: Role,
    pub muted: bool,
}

impl Membership {
    /// Refuses unless the member's role is at least `least`.
    pub fn require(&self, least: Role, what: &str) -> Result<(), AppError> {
        if self.role >= least {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!(
                "Only the album's {} can {what}.",
                match least {
                    Role::Owner => "owner",
                    Role::Editor => "owner and editors",
                    _ => "owner, editors and contributors",
                }
            )))
        }
    }
}

/// `user_id`'s membership of album `album_id`; an album they are not a
/// member of is not found (whether it exists is not revealed).
pub async fn membership(
    state: &AppState,
    user_id: i64,
    album_id: i64,
) -> Result<Membership, AppError> {
    let member = album_member::Entity::find()
        .filter(album_member::Column::AlbumId.eq(album_id))
        .filter(album_member::Column::UserId.eq(user_id))
        .one(state.db())
        .await?;
    let album = match member {
        Some(_) => {
            album::Entity::find_by_id(album_id)
                .filter(open())
                .one(state.db())
                .await?
        }
        None => None,
    };
    match (member, album) {
        (Some(member), Some(album)) => Ok(Membership {
            album,
            role: Role::parse(&member.role),
            muted: member.muted,
        }),
        _ => Err(AppError::NotFound("There is no such album.".into())),
    }
}

/// Creates an album owned by `owner_id` (a member row with role owner).
pub async fn create(
    state: &AppState,
    owner_id: i64,
    title: String,
    description: String,
    rule: Option<String>,
) -> Result<Membership, AppError> {
    use sea_orm::{ActiveModelTrait as _, Set};
    let now = state.now();
    let album = album::ActiveModel {
        owner_id: Set(owner_id),
        title: Set(title),
        description: Set(description),
        cover_asset_id: Set(None),
        sort: Set("taken".to_owned()),
        rule: Set(rule),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(state.db())
    .await?;
    album_member::ActiveModel {
        album_id: Set(album.id),
        user_id: Set(owner_id),
        role: Set(Role::Owner.as_str().to_owned()),
        muted: Set(false),
        added_at: Set(now),
        ..Default::default()
    }
    .insert(state.db())
    .await?;
    Ok(Membership {
        album,
        role: Role::Owner,
        muted: false,
    })
}

/// Albums that are there for their members: not those of an account
/// being deleted (hidden from everyone at once, purged with it).
#[must_use]
pub fn open() -> sea_orm::sea_query::SimpleExpr {
    crate::library::access::open_album("albums.id")
}

/// People by id (authors, members, who hearted).
pub async fn people(
    state: &AppState,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(state.db())
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect())
}

/// The album's members: (user id, muted).
pub async fn members(state: &AppState, album_id: i64) -> Result<Vec<(i64, bool)>, AppError> {
    Ok(album_member::Entity::find()
        .select_only()
        .column(album_member::Column::UserId)
        .column(album_member::Column::Muted)
        .filter(album_member::Column::AlbumId.eq(album_id))
        .into_tuple()
        .all(state.db())
        .await?)
}

/// Tells the album's members' open tabs that it changed (nobody, while
/// the album is hidden).
pub async fn tell(
    state: &AppState,
    album_id: i64,
    kind: Kind,
    ids: Vec<i64>,
) -> Result<(), AppError> {
    let audience: Arc<[i64]> = album_member::Entity::find()
        .select_only()
        .column(album_member::Column::UserId)
        .filter(album_member::Column::AlbumId.eq(album_id))
        .filter(crate::library::access::open_album("album_members.album_id"))
        .into_tuple::<i64>()
        .all(state.db())
        .await?
        .into_iter()
        .collect();
    state.events().publish(Event {
        audience: Audience::Members(audience),
        kind,
        ids,
        album: Some(album_id),
    });
    Ok(())
}

/// Marks the album changed now (the albums list shows recent first).
pub async fn touch(state: &AppState, album_id: i64) -> Result<(), AppError> {
    album::Entity::update_many()
        .col_expr(album::Column::UpdatedAt, Expr::value(state.now()))
        .filter(album::Column::Id.eq(album_id))
        .exec(state.db())
        .await?;
    Ok(())
}

/// Tells the members (except `actor` and those who muted the album) that
/// `added` photos arrived, one notification per burst. `actor` is `None`
/// for photos a live album's rule brought in; `guest` names a guest.
pub async fn notify_added(
    state: &AppState,
    album: &album::Model,
    actor: Option<&user::Model>,
    guest: Option<&str>,
    added: usize,
) -> Result<(), AppError> {
    if added == 0 {
        return Ok(());
    }
    let added = i32::try_from(added).unwrap_or(i32::MAX);
    let who = actor
        .map(|a| a.display_name.clone())
        .or_else(|| guest.map(|g| format!("{g} (guest)")));
    let title = |count: i32| {
        let photos = if count == 1 {
            "a photo".to_owned()
        } else {
            format!("{count} photos")
        };
        match &who {
            Some(who) => format!("{who} added {photos} to {}", album.title),
            None if count == 1 => format!("A new photo in {}", album.title),
            None => format!("{count} new photos in {}", album.title),
        }
    };
    for (user_id, muted) in members(state, album.id).await? {
        if muted || actor.is_some_and(|a| a.id == user_id) {
            continue;
        }
        notify::photos_added(
            state,
            user_id,
            About {
                album_id: Some(album.id),
                asset_id: None,
                actor_id: actor.map(|a| a.id),
            },
            added,
            title,
        )
        .await?;
    }
    Ok(())
}
