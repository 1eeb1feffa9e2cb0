//! `/api/albums`: the albums list, creating, changing and deleting an
//! album, its photos (add, remove, order), its members and their roles,
//! muting, and the live rule's preview. Every operation checks the
//! caller's membership first; an album they are not in is not found.

use chrono::{DateTime, Utc};
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};

use super::content::{self, Item};
use super::{Membership, Role, live, membership};
use crate::accounts::principal::{Auth, Principal};
use crate::accounts::tokens::Scope;
use crate::api::ApiTag;
use crate::db::entities::{album, album_member, asset, notification, user};
use crate::error::AppError;
use crate::events::Kind;
use crate::library::api::{Brief, viewer};
use crate::library::timeline::brief;
use crate::notifications::service::{self as notify, About};
use crate::state::AppState;

pub struct AlbumsApi;

/// A member of the household, as others see them.
#[derive(Debug, Clone, Object)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub username: String,
}

impl From<&user::Model> for Person {
    fn from(user: &user::Model) -> Self {
        if user.status == crate::accounts::users::PENDING_DELETION {
            return Self {
                id: user.id,
                name: "Deleted account".to_owned(),
                username: String::new(),
            };
        }
        Self {
            id: user.id,
            name: user.display_name.clone(),
            username: user.username.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Enum)]
#[oai(rename = "AlbumSort", rename_all = "lowercase")]
pub enum Sort {
    /// By capture time, oldest first.
    Taken,
    /// In the order editors set.
    Custom,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlbumSummary {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub owner: Person,
    /// Your role in it.
    pub role: Role,
    /// Filled by a saved search.
    pub live: bool,
    /// Photos it shows.
    pub count: u64,
    /// How many members, the owner included.
    pub members: u64,
    #[oai(skip_serializing_if_is_none)]
    pub cover: Option<Brief>,
    /// You turned its notifications off.
    pub muted: bool,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
pub struct AlbumList {
    /// Yours, most recently changed first.
    pub owned: Vec<AlbumSummary>,
    /// Shared with you.
    pub shared: Vec<AlbumSummary>,
}

#[derive(Debug, Object)]
pub struct AlbumMember {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlbumDetails {
    pub album: AlbumSummary,
    /// The live album's saved search.
    #[oai(skip_serializing_if_is_none)]
    pub rule: Option<String>,
    pub sort: Sort,
    pub created_at: DateTime<Utc>,
    pub members: Vec<AlbumMember>,
}

/// One photo of an album.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlbumItem {
    pub asset: Brief,
    /// Who added it (absent: the rule, or a guest).
    #[oai(skip_serializing_if_is_none)]
    pub added_by: Option<i64>,
    /// The guest who uploaded it through a share link.
    #[oai(skip_serializing_if_is_none)]
    pub guest: Option<String>,
    /// Added by hand to a live album (it stays whatever the rule says).
    pub pinned: bool,
    pub comments: u32,
    pub hearts: u32,
}

#[derive(Debug, Object)]
pub struct AlbumItems {
    pub items: Vec<AlbumItem>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewAlbum {
    /// 1–200 characters.
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: String,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// A saved search: makes it a live album.
    #[oai(validator(max_length = 500))]
    pub rule: Option<String>,
    /// Photos to start with.
    #[oai(validator(max_items = 10000))]
    pub ids: Option<Vec<i64>>,
    /// Confirms that private photos among `ids` may be seen by the members.
    pub share_private: Option<bool>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct AlbumChange {
    #[oai(validator(min_length = 1, max_length = 200))]
    pub title: Option<String>,
    #[oai(validator(max_length = 2000))]
    pub description: Option<String>,
    /// A photo of the album; 0 goes back to the newest.
    pub cover: Option<i64>,
    pub sort: Option<Sort>,
    /// The saved search (owner only); empty text makes it a manual album
    /// that keeps what it shows.
    #[oai(validator(max_length = 500))]
    pub rule: Option<String>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct PhotoSelection {
    /// 1–10 000 asset ids.
    #[oai(validator(min_items = 1, max_items = 10000))]
    pub ids: Vec<i64>,
    /// Confirms that your private photos among them may be seen by the
    /// album's members (without it: `confirmation_needed`, 409).
    pub share_private: Option<bool>,
}

#[derive(Debug, Object)]
pub struct AddedPhotos {
    /// Newly shown in the album.
    pub added: u64,
    /// Already there.
    pub already: u64,
    /// Not yours to add, or not found.
    pub refused: u64,
}

#[derive(Debug, Object)]
pub struct RemovedPhotos {
    pub removed: u64,
}

#[derive(Debug, Object)]
pub struct NewMember {
    /// Their username.
    #[oai(validator(min_length = 3, max_length = 32))]
    pub username: String,
    pub role: Role,
}

#[derive(Debug, Object)]
pub struct RoleChange {
    pub role: Role,
}

#[derive(Debug, Object)]
pub struct MyAlbumSettings {
    /// No notifications from this album (mentions still come).
    pub muted: bool,
}

#[derive(Debug, Object)]
pub struct RulePreview {
    #[oai(validator(max_length = 500))]
    pub rule: String,
}

#[derive(Debug, Object)]
pub struct RuleMatches {
    /// Photos the rule matches now (with your permissions).
    pub total: u64,
    /// The newest of them, at most 48.
    pub items: Vec<Brief>,
}

#[derive(ApiResponse)]
pub enum Done {
    #[oai(status = 204)]
    Done,
}

const MAX_TITLE: usize = 200;
const MAX_DESCRIPTION: usize = 2_000;

fn title(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > MAX_TITLE {
        return Err(AppError::InvalidRequest(
            "An album's title has 1 to 200 characters.".into(),
        ));
    }
    Ok(text.to_owned())
}

fn description(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.chars().count() > MAX_DESCRIPTION {
        return Err(AppError::InvalidRequest(
            "A description can be at most 2 000 characters.".into(),
        ));
    }
    Ok(text.to_owned())
}

/// A rule as stored: trimmed, checked; empty means none.
fn rule(text: &str) -> Result<Option<String>, AppError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    live::parse_rule(text)?;
    Ok(Some(text.to_owned()))
}

async fn user(state: &AppState, id: i64) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such member.".into()))
}

async fn summary(
    state: &AppState,
    member: &Membership,
    me: &Principal,
) -> Result<AlbumSummary, AppError> {
    let album = &member.album;
    let (count, cover) = content::count_and_cover(state, album).await?;
    let members = sea_orm::PaginatorTrait::count(
        album_member::Entity::find().filter(album_member::Column::AlbumId.eq(album.id)),
        state.db(),
    )
    .await?;
    Ok(AlbumSummary {
        id: album.id,
        title: album.title.clone(),
        description: album.description.clone(),
        owner: Person::from(&user(state, album.owner_id).await?),
        role: member.role,
        live: album.rule.is_some(),
        count,
        members,
        cover: cover.map(|c| brief(&c, viewer(me))),
        muted: member.muted,
        updated_at: album.updated_at,
    })
}

async fn details(
    state: &AppState,
    member: &Membership,
    me: &Principal,
) -> Result<AlbumDetails, AppError> {
    let rows = album_member::Entity::find()
        .filter(album_member::Column::AlbumId.eq(member.album.id))
        .order_by_asc(album_member::Column::Id)
        .all(state.db())
        .await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.user_id).collect();
    let mut people = super::people(state, &ids).await?;
    let members = rows
        .iter()
        .filter_map(|row| {
            let person = people.remove(&row.user_id)?;
            Some(AlbumMember {
                id: person.id,
                name: person.display_name,
                username: person.username,
                role: Role::parse(&row.role),
            })
        })
        .collect();
    Ok(AlbumDetails {
        album: summary(state, member, me).await?,
        rule: member.album.rule.clone(),
        sort: if member.album.sort == "custom" {
            Sort::Custom
        } else {
            Sort::Taken
        },
        created_at: member.album.created_at,
        members,
    })
}

fn item(found: Item, me: &Principal, live: bool) -> AlbumItem {
    AlbumItem {
        asset: brief(&found.asset, viewer(me)),
        added_by: found
            .entry
            .added_by
            .filter(|_| found.entry.state == "manual"),
        guest: found.entry.guest_name,
        pinned: live && found.entry.state == "manual",
        comments: found.comments,
        hearts: found.hearts,
    }
}

#[OpenApi(tag = "ApiTag::Albums")]
impl AlbumsApi {
    /// Your albums and those shared with you, most recently changed first.
    #[oai(path = "/albums", method = "get", operation_id = "list_albums")]
    async fn list(&self, auth: Auth, state: Data<&AppState>) -> Result<Json<AlbumList>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let rows = album_member::Entity::find()
            .filter(album_member::Column::UserId.eq(me.user.id))
            .all(state.db())
            .await?;
        let mut list = AlbumList {
            owned: Vec::new(),
            shared: Vec::new(),
        };
        for row in rows {
            let Some(album) = album::Entity::find_by_id(row.album_id)
                .filter(super::open())
                .one(state.db())
                .await?
            else {
                continue;
            };
            let member = Membership {
                album,
                role: Role::parse(&row.role),
                muted: row.muted,
            };
            let summary = summary(&state, &member, me).await?;
            if member.role == Role::Owner {
                list.owned.push(summary);
            } else {
                list.shared.push(summary);
            }
        }
        for side in [&mut list.owned, &mut list.shared] {
            side.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(b.id.cmp(&a.id)));
        }
        Ok(Json(list))
    }

    /// Make an album (you are its owner), optionally live (`rule`) and
    /// with photos to start with.
    #[oai(path = "/albums", method = "post", operation_id = "create_album")]
    async fn create(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        body: Json<NewAlbum>,
    ) -> Result<Json<AlbumDetails>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let title = title(&body.title)?;
        let description = description(body.description.as_deref().unwrap_or_default())?;
        let rule = rule(body.rule.as_deref().unwrap_or_default())?;
        if let Some(ids) = &body.ids {
            content::selection(ids)?;
        }
        let member = super::create(&state, me.user.id, title, description, rule).await?;
        if let Some(ids) = body.ids.as_deref().filter(|ids| !ids.is_empty()) {
            content::add(&state, &member, &me.user, ids, true).await?;
        }
        if member.album.rule.is_some() {
            live::sync(&state, &member.album, None).await?;
        }
        Ok(Json(details(&state, &member, me).await?))
    }

    /// One album: its summary, rule, order and members.
    #[oai(path = "/albums/:id", method = "get", operation_id = "album")]
    async fn get(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Json<AlbumDetails>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let member = membership(&state, me.user.id, id.0).await?;
        Ok(Json(details(&state, &member, me).await?))
    }

    /// Change the title, description, cover or order (owner and
    /// editors), or the live rule (owner).
    #[oai(path = "/albums/:id", method = "patch", operation_id = "change_album")]
    async fn change(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<AlbumChange>,
    ) -> Result<Json<AlbumDetails>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        member.require(Role::Editor, "change the album")?;
        let mut update = album::Entity::update_many()
            .col_expr(album::Column::UpdatedAt, Expr::value(state.now()))
            .filter(album::Column::Id.eq(member.album.id));
        if let Some(text) = &body.title {
            update = update.col_expr(album::Column::Title, Expr::value(title(text)?));
        }
        if let Some(text) = &body.description {
            update = update.col_expr(album::Column::Description, Expr::value(description(text)?));
        }
        if let Some(cover) = body.cover {
            let cover = if cover == 0 {
                None
            } else if crate::library::access::in_album(&state, member.album.id, cover).await? {
                Some(cover)
            } else {
                return Err(AppError::InvalidRequest(
                    "The cover must be one of the album's photos.".into(),
                ));
            };
            update = update.col_expr(album::Column::CoverAssetId, Expr::value(cover));
        }
        if let Some(sort) = body.sort {
            let sort = match sort {
                Sort::Taken => "taken",
                Sort::Custom => "custom",
            };
            update = update.col_expr(album::Column::Sort, Expr::value(sort));
        }
        let new_rule = match &body.rule {
            Some(text) => {
                member.require(Role::Owner, "change the rule")?;
                let new_rule = rule(text)?;
                update = update.col_expr(album::Column::Rule, Expr::value(new_rule.clone()));
                Some(new_rule)
            }
            None => None,
        };
        update.exec(state.db()).await?;
        let member = membership(&state, me.user.id, id.0).await?;
        match new_rule {
            Some(Some(_)) => live::sync(&state, &member.album, None).await?,
            Some(None) => live::stop(&state, member.album.id).await?,
            None => {}
        }
        super::tell(&state, member.album.id, Kind::Album, Vec::new()).await?;
        Ok(Json(details(&state, &member, me).await?))
    }

    /// Delete the album (owner). Its photos stay in the library.
    #[oai(path = "/albums/:id", method = "delete", operation_id = "delete_album")]
    async fn delete(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        member.require(Role::Owner, "delete it")?;
        // Told before: afterwards nobody is a member any more.
        super::tell(&state, member.album.id, Kind::Album, Vec::new()).await?;
        notification::Entity::delete_many()
            .filter(notification::Column::AlbumId.eq(member.album.id))
            .exec(state.db())
            .await?;
        album::Entity::delete_by_id(member.album.id)
            .exec(state.db())
            .await?;
        if let Some(search) = state.search() {
            search.wake.notify_one();
        }
        Ok(Done::Done)
    }

    /// The album's photos, in its order.
    #[oai(
        path = "/albums/:id/assets",
        method = "get",
        operation_id = "album_assets"
    )]
    async fn assets(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Json<AlbumItems>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let member = membership(&state, me.user.id, id.0).await?;
        let live = member.album.rule.is_some();
        let items = content::items(&state, &member.album).await?;
        Ok(Json(AlbumItems {
            items: items.into_iter().map(|i| item(i, me, live)).collect(),
        }))
    }

    /// Add photos (contributors: their own; editors and the owner also the
    /// family's). In a live album this pins them, and brings back ones
    /// excluded before.
    #[oai(
        path = "/albums/:id/assets",
        method = "post",
        operation_id = "add_album_assets"
    )]
    async fn add(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<PhotoSelection>,
    ) -> Result<Json<AddedPhotos>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        let share = body.share_private.unwrap_or(false);
        let added = content::add(&state, &member, &me.user, &body.ids, share).await?;
        let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        Ok(Json(AddedPhotos {
            added: count(added.shown.len()),
            already: count(added.already),
            refused: count(added.refused),
        }))
    }

    /// Take photos out (editors and the owner: any; contributors: those
    /// they added). From a live album they are excluded, so the rule does
    /// not bring them back. The photos stay in the library.
    #[oai(
        path = "/albums/:id/assets/remove",
        method = "post",
        operation_id = "remove_album_assets"
    )]
    async fn remove(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<PhotoSelection>,
    ) -> Result<Json<RemovedPhotos>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        let removed = content::remove(&state, &member, &me.user, &body.ids).await?;
        Ok(Json(RemovedPhotos {
            removed: u64::try_from(removed.len()).unwrap_or(u64::MAX),
        }))
    }

    /// Set a custom order (owner and editors): these photos first, in
    /// this order.
    #[oai(
        path = "/albums/:id/order",
        method = "put",
        operation_id = "order_album"
    )]
    async fn order(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<PhotoSelection>,
    ) -> Result<Done, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        content::reorder(&state, &member, &body.ids).await?;
        Ok(Done::Done)
    }

    /// Add a household member to the album (owner); they are notified.
    #[oai(
        path = "/albums/:id/members",
        method = "post",
        operation_id = "add_album_member"
    )]
    async fn add_member(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<NewMember>,
    ) -> Result<Json<AlbumDetails>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        member.require(Role::Owner, "add members")?;
        if body.role == Role::Owner {
            return Err(AppError::InvalidRequest(
                "An album has one owner: choose editor, contributor or viewer.".into(),
            ));
        }
        let wanted = body.username.trim().to_lowercase();
        let person = user::Entity::find()
            .filter(Expr::cust_with_values("lower(username) = ?", [wanted]))
            .filter(user::Column::Status.eq("active"))
            .one(state.db())
            .await?
            .ok_or_else(|| AppError::NotFound("There is no member with that username.".into()))?;
        let existing = album_member::Entity::find()
            .filter(album_member::Column::AlbumId.eq(member.album.id))
            .filter(album_member::Column::UserId.eq(person.id))
            .one(state.db())
            .await?;
        if existing.is_some() {
            return Err(AppError::Conflict(format!(
                "{} is already a member of this album.",
                person.display_name
            )));
        }
        album_member::ActiveModel {
            album_id: Set(member.album.id),
            user_id: Set(person.id),
            role: Set(body.role.as_str().to_owned()),
            muted: Set(false),
            added_at: Set(state.now()),
            ..Default::default()
        }
        .insert(state.db())
        .await?;
        notify::notify_about(
            &state,
            person.id,
            notify::Kind::AlbumInvite,
            &format!(
                "{} shared “{}” with you",
                me.user.display_name, member.album.title
            ),
            "",
            About {
                album_id: Some(member.album.id),
                asset_id: None,
                actor_id: Some(me.user.id),
            },
        )
        .await?;
        super::tell(&state, member.album.id, Kind::Album, Vec::new()).await?;
        Ok(Json(details(&state, &member, me).await?))
    }

    /// Change a member's role (owner).
    #[oai(
        path = "/albums/:id/members/:user",
        method = "patch",
        operation_id = "change_album_member"
    )]
    async fn change_member(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        user: Path<i64>,
        body: Json<RoleChange>,
    ) -> Result<Json<AlbumDetails>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        member.require(Role::Owner, "change roles")?;
        if body.role == Role::Owner || user.0 == me.user.id {
            return Err(AppError::InvalidRequest(
                "The owner's role does not change; choose editor, contributor or viewer for others."
                    .into(),
            ));
        }
        let changed = album_member::Entity::update_many()
            .col_expr(album_member::Column::Role, Expr::value(body.role.as_str()))
            .filter(album_member::Column::AlbumId.eq(member.album.id))
            .filter(album_member::Column::UserId.eq(user.0))
            .exec(state.db())
            .await?;
        if changed.rows_affected == 0 {
            return Err(AppError::NotFound(
                "They are not a member of this album.".into(),
            ));
        }
        super::tell(&state, member.album.id, Kind::Album, Vec::new()).await?;
        Ok(Json(details(&state, &member, me).await?))
    }

    /// Remove a member (owner), or leave the album (anyone but its owner).
    /// Photos they added stay.
    #[oai(
        path = "/albums/:id/members/:user",
        method = "delete",
        operation_id = "remove_album_member"
    )]
    async fn remove_member(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        user: Path<i64>,
    ) -> Result<Done, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        if user.0 == me.user.id {
            if member.role == Role::Owner {
                return Err(AppError::InvalidRequest(
                    "The owner cannot leave their album; delete it instead.".into(),
                ));
            }
        } else {
            member.require(Role::Owner, "remove members")?;
        }
        // Told while they are still a member: their tabs leave the album.
        super::tell(&state, member.album.id, Kind::Album, Vec::new()).await?;
        album_member::Entity::delete_many()
            .filter(album_member::Column::AlbumId.eq(member.album.id))
            .filter(album_member::Column::UserId.eq(user.0))
            .exec(state.db())
            .await?;
        notification::Entity::delete_many()
            .filter(notification::Column::AlbumId.eq(member.album.id))
            .filter(notification::Column::UserId.eq(user.0))
            .exec(state.db())
            .await?;
        Ok(Done::Done)
    }

    /// Your own settings for an album: mute its notifications.
    #[oai(
        path = "/albums/:id/me",
        method = "patch",
        operation_id = "album_settings"
    )]
    async fn settings(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<MyAlbumSettings>,
    ) -> Result<Json<AlbumDetails>, AppError> {
        let me = auth.principal();
        me.require_session()?;
        let member = membership(&state, me.user.id, id.0).await?;
        album_member::Entity::update_many()
            .col_expr(album_member::Column::Muted, Expr::value(body.muted))
            .filter(album_member::Column::AlbumId.eq(member.album.id))
            .filter(album_member::Column::UserId.eq(me.user.id))
            .exec(state.db())
            .await?;
        let member = membership(&state, me.user.id, id.0).await?;
        Ok(Json(details(&state, &member, me).await?))
    }

    /// What a live album's rule would show now (with your permissions):
    /// the editor's preview.
    #[oai(
        path = "/albums/preview",
        method = "post",
        operation_id = "preview_album_rule"
    )]
    async fn preview(
        &self,
        auth: Auth,
        state: Data<&AppState>,
        body: Json<RulePreview>,
    ) -> Result<Json<RuleMatches>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let ids = live::matches(&state, me.user.id, body.rule.trim(), None).await?;
        let mut found = Vec::new();
        for chunk in ids.chunks(5_000) {
            found.extend(
                asset::Entity::find()
                    .filter(asset::Column::Id.is_in(chunk.iter().copied()))
                    .filter(viewer(me).visible())
                    .all(state.db())
                    .await?,
            );
        }
        found.sort_by(|a, b| b.sort_at.cmp(&a.sort_at).then(b.id.cmp(&a.id)));
        Ok(Json(RuleMatches {
            total: u64::try_from(found.len()).unwrap_or(u64::MAX),
            items: found
                .iter()
                .take(48)
                .map(|a| brief(a, viewer(me)))
                .collect(),
        }))
    }

    /// Everyone in the household (to add to albums, to mention).
    #[oai(path = "/people", method = "get", operation_id = "people")]
    async fn people(
        &self,
        auth: Auth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Person>>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let people = user::Entity::find()
            .filter(user::Column::Status.eq("active"))
            .order_by_asc(user::Column::DisplayName)
            .all(state.db())
            .await?;
        Ok(Json(people.iter().map(Person::from).collect()))
    }
}
