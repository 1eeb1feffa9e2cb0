//! Device passwords: what a phone's backup app (PhotoSync, FolderSync)
//! signs in to `/dav/` with, beside the member's username. Random (100
//! bits in 20 letters and digits that cannot be mistaken for each other),
//! shown once, stored as a BLAKE3 hash, revocable, good for nothing but
//! the member's own WebDAV tree.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use crate::accounts::secret::{hash_token, random_bytes};
use crate::db::entities::{device_password, user};
use crate::error::AppError;

/// 32 symbols: no 0/o, no 1/l.
const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";
/// Symbols in a password (5 bits each), shown in groups of five.
const LENGTH: usize = 20;
/// `last_used_at` is written at most this often (a sync lists and uploads
/// many times a minute).
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(1);

/// A new password, as shown: `abcde-fghij-kmnpq-rstuv`.
fn new_password() -> String {
    let bytes = random_bytes::<LENGTH>();
    let mut out = String::with_capacity(LENGTH + LENGTH / 5);
    for (n, byte) in bytes.iter().enumerate() {
        if n > 0 && n % 5 == 0 {
            out.push('-');
        }
        out.push(char::from(ALPHABET[usize::from(byte & 31)]));
    }
    out
}

/// The password as the database knows it: typed with or without dashes
/// or spaces, in either case.
fn normalised(password: &str) -> String {
    password
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
    now: DateTime<Utc>,
) -> Result<(device_password::Model, String), AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 64 {
        return Err(AppError::InvalidRequest(
            "A device's name has 1 to 64 characters.".into(),
        ));
    }
    let password = new_password();
    let model = device_password::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        secret_hash: Set(hash_token(&normalised(&password))),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((model, password))
}

pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<device_password::Model>, AppError> {
    Ok(device_password::Entity::find()
        .filter(device_password::Column::UserId.eq(user_id))
        .order_by_desc(device_password::Column::CreatedAt)
        .all(db)
        .await?)
}

pub async fn revoke(
    db: &impl ConnectionTrait,
    user_id: i64,
    id: i64,
) -> Result<device_password::Model, AppError> {
    let found = device_password::Entity::find_by_id(id)
        .filter(device_password::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such device.".into()))?;
    device_password::Entity::delete_by_id(found.id)
        .exec(db)
        .await?;
    Ok(found)
}

/// The active member `username` names, if `password` is one of their
/// device passwords; notes when and from where it was used.
pub async fn verify(
    db: &impl ConnectionTrait,
    username: &str,
    password: &str,
    from: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<user::Model>, AppError> {
    let password = normalised(password);
    if password.len() != LENGTH {
        return Ok(None);
    }
    let Some((found, Some(member))) = device_password::Entity::find()
        .filter(device_password::Column::SecretHash.eq(hash_token(&password)))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if member.status != crate::accounts::users::ACTIVE
        || !member.username.eq_ignore_ascii_case(username.trim())
    {
        return Ok(None);
    }
    if found.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY)
        || found.last_used_from.as_deref() != from
    {
        let mut active = found.into_active_model();
        active.last_used_at = Set(Some(now));
        active.last_used_from = Set(from.map(str::to_owned));
        active.update(db).await?;
    }
    Ok(Some(member))
}
