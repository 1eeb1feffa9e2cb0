//! The audit log: who did what to whom, from where. Members read their own
//! security activity; owner and admins read the household's. It records
//! account events, never photo content.

use chrono::{DateTime, Utc};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};

use crate::db::entities::audit;
use crate::error::AppError;

/// One event to record.
pub struct Event<'a> {
    pub action: &'static str,
    pub actor: Option<i64>,
    pub target: Option<i64>,
    pub ip: Option<&'a str>,
    pub details: serde_json::Value,
}

pub async fn record(
    db: &impl ConnectionTrait,
    event: Event<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    audit::ActiveModel {
        at: Set(now),
        actor_id: Set(event.actor),
        action: Set(event.action.to_owned()),
        target_user_id: Set(event.target),
        ip: Set(event.ip.map(str::to_owned)),
        details: Set(event.details.to_string()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(())
}

/// The newest entries first: about `user` (as actor or target), or the
/// whole household's with `None`.
pub async fn list(
    db: &impl ConnectionTrait,
    user: Option<i64>,
    limit: u64,
) -> Result<Vec<audit::Model>, AppError> {
    use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let mut query = audit::Entity::find()
        .order_by_desc(audit::Column::At)
        .order_by_desc(audit::Column::Id)
        .limit(limit);
    if let Some(user) = user {
        query = query.filter(
            Condition::any()
                .add(audit::Column::ActorId.eq(user))
                .add(audit::Column::TargetUserId.eq(user)),
        );
    }
    Ok(query.all(db).await?)
}
