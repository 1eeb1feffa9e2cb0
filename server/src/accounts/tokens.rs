//! API tokens for scripts: named, scoped (`read`, `upload`), shown once,
//! stored as a hash, revocable.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use super::secret::{hash_token, new_token};
use crate::db::entities::{api_token, user};
use crate::error::AppError;

/// Tokens start with this, so a leaked one is recognisable in a scan.
const PREFIX: &str = "hearth_";

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum Scope {
    /// See what the token's owner can see.
    Read,
    /// Add photos and videos.
    Upload,
}

impl Scope {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Upload => "upload",
        }
    }
}

#[must_use]
pub fn parse_scopes(text: &str) -> Vec<Scope> {
    text.split(',')
        .filter_map(|scope| match scope.trim() {
            "read" => Some(Scope::Read),
            "upload" => Some(Scope::Upload),
            _ => None,
        })
        .collect()
}

pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    scopes: &[Scope],
    now: DateTime<Utc>,
) -> Result<(api_token::Model, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::InvalidRequest(
            "A token's name has 1 to 64 characters.".into(),
        ));
    }
    if scopes.is_empty() {
        return Err(AppError::InvalidRequest(
            "Choose at least one scope.".into(),
        ));
    }
    let mut scopes: Vec<&str> = scopes.iter().map(|scope| scope.as_str()).collect();
    scopes.sort_unstable();
    scopes.dedup();
    let token = format!("{PREFIX}{}", new_token());
    let model = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        token_hash: Set(hash_token(&token)),
        scopes: Set(scopes.join(",")),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((model, token))
}

/// Writes `last_used_at` at most this often.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(5);

pub async fn lookup(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Option<(api_token::Model, user::Model)>, AppError> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let Some((found, Some(owner))) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(hash_token(token)))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if owner.status != super::users::ACTIVE {
        return Ok(None);
    }
    if found.last_used_at.is_some_and(|at| now - at < TOUCH_EVERY) {
        return Ok(Some((found, owner)));
    }
    let mut active = found.into_active_model();
    active.last_used_at = Set(Some(now));
    Ok(Some((active.update(db).await?, owner)))
}

pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<api_token::Model>, AppError> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .order_by_desc(api_token::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn revoke(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: i64,
) -> Result<api_token::Model, AppError> {
    let token = api_token::Entity::find_by_id(id)
        .filter(api_token::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such token.".into()))?;
    api_token::Entity::delete_by_id(token.id).exec(db).await?;
    Ok(token)
}
