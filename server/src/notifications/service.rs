use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};

use crate::db::entities::notification;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "NotificationKind", rename_all = "snake_case")]
pub enum Kind {
    NewDeviceSignIn,
    PasskeyAdded,
    PasswordChanged,
    RoleChanged,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::NewDeviceSignIn => "new_device_sign_in",
            Self::PasskeyAdded => "passkey_added",
            Self::PasswordChanged => "password_changed",
            Self::RoleChanged => "role_changed",
        }
    }

    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        [
            Self::NewDeviceSignIn,
            Self::PasskeyAdded,
            Self::PasswordChanged,
            Self::RoleChanged,
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
