use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::db::entities::notification;
use crate::error::AppError;
use crate::events::Event;
use crate::state::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "NotificationKind", rename_all = "snake_case")]
pub enum Kind {
    /// The account's first sign-in: a welcome, not an alert.
    Welcome,
    NewDeviceSignIn,
    PasskeyAdded,
    PasswordChanged,
    RoleChanged,
    /// Photos added to an album you are in (one per burst).
    PhotosAdded,
    /// A comment in an album you are in.
    Comment,
    /// Someone wrote your `@name`.
    Mention,
    /// You were added to an album.
    AlbumInvite,
    /// An album you are in will go: its owner's account is being deleted.
    AlbumClosing,
    /// Your takeout archive can be downloaded.
    ExportReady,
    /// A recovery link for your account was made, cancelled or used.
    RecoveryLink,
    /// For the owner: a recovery link for a member was made.
    MemberRecoveryLink,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Welcome => "welcome",
            Self::NewDeviceSignIn => "new_device_sign_in",
            Self::PasskeyAdded => "passkey_added",
            Self::PasswordChanged => "password_changed",
            Self::RoleChanged => "role_changed",
            Self::PhotosAdded => "photos_added",
            Self::Comment => "comment",
            Self::Mention => "mention",
            Self::AlbumInvite => "album_invite",
            Self::AlbumClosing => "album_closing",
            Self::ExportReady => "export_ready",
            Self::RecoveryLink => "recovery_link",
            Self::MemberRecoveryLink => "member_recovery_link",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::Welcome,
            Self::NewDeviceSignIn,
            Self::PasskeyAdded,
            Self::PasswordChanged,
            Self::RoleChanged,
            Self::PhotosAdded,
            Self::Comment,
            Self::Mention,
            Self::AlbumInvite,
            Self::AlbumClosing,
            Self::ExportReady,
            Self::RecoveryLink,
            Self::MemberRecoveryLink,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

pub async fn notify(
    db: &impl ConnectionTrait,
    user_id: i64,
    kind: Kind,
    title: &str,
    body: &str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    notification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind.as_str().to_owned()),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What an album notification is about.
#[derive(Debug, Clone, Copy, Default)]
pub struct About {
    pub album_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub actor_id: Option<i64>,
}

/// Notifies one member of something in an album, and tells their open
/// tabs.
pub async fn notify_about(
    state: &AppState,
    user_id: i64,
    kind: Kind,
    title: &str,
    body: &str,
    about: About,
) -> Result<(), AppError> {
    insert(state, user_id, kind, (title, body), about, 1).await
}

async fn insert(
    state: &AppState,
    user_id: i64,
    kind: Kind,
    (title, body): (&str, &str),
    about: About,
    count: i32,
) -> Result<(), AppError> {
    notification::ActiveModel {
        user_id: Set(user_id),
        kind: Set(kind.as_str().to_owned()),
        title: Set(title.to_owned()),
        body: Set(body.to_owned()),
        created_at: Set(state.now()),
        album_id: Set(about.album_id),
        asset_id: Set(about.asset_id),
        actor_id: Set(about.actor_id),
        count: Set(count),
        ..Default::default()
    }
    .insert(state.db())
    .await?;
    state.events().publish(Event::notifications(user_id));
    Ok(())
}

/// Photos added to an album within this long of the last ones, by the
/// same person, join their notification while it is unread.
const BURST: TimeDelta = TimeDelta::minutes(30);

/// Notifies one member that `added` photos arrived in an album: one
/// notification per burst ("Alice added 23 photos to Lisbon"), not one
/// per photo. `title` words it for a count.
pub async fn photos_added(
    state: &AppState,
    user_id: i64,
    about: About,
    added: i32,
    title: impl Fn(i32) -> String,
) -> Result<(), AppError> {
    let now = state.now();
    let open = notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::Kind.eq(Kind::PhotosAdded.as_str()))
        .filter(notification::Column::AlbumId.eq(about.album_id))
        .filter(match about.actor_id {
            Some(actor) => notification::Column::ActorId.eq(actor),
            None => notification::Column::ActorId.is_null(),
        })
        .filter(notification::Column::ReadAt.is_null())
        .filter(notification::Column::CreatedAt.gte(now - BURST))
        .order_by_desc(notification::Column::Id)
        .one(state.db())
        .await?;
    if let Some(open) = open {
        let count = open.count.saturating_add(added);
        notification::Entity::update_many()
            .col_expr(notification::Column::Count, Expr::value(count))
            .col_expr(notification::Column::Title, Expr::value(title(count)))
            .col_expr(notification::Column::CreatedAt, Expr::value(now))
            .filter(notification::Column::Id.eq(open.id))
            .exec(state.db())
            .await?;
        state.events().publish(Event::notifications(user_id));
        Ok(())
    } else {
        let title = title(added);
        insert(
            state,
            user_id,
            Kind::PhotosAdded,
            (&title, ""),
            about,
            added,
        )
        .await
    }
}

/// The newest first, at most `limit`.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
    limit: u64,
) -> Result<Vec<notification::Model>, AppError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .order_by_desc(notification::Column::CreatedAt)
        .order_by_desc(notification::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
}

pub async fn unread(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, AppError> {
    Ok(notification::Entity::find()
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

/// Marks one (or, with `None`, every) notification of the user read.
pub async fn mark_read(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut query = notification::Entity::update_many()
        .col_expr(
            notification::Column::ReadAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(notification::Column::UserId.eq(user_id))
        .filter(notification::Column::ReadAt.is_null());
    if let Some(id) = id {
        query = query.filter(notification::Column::Id.eq(id));
    }
    query.exec(db).await?;
    Ok(())
}
