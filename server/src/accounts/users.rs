//! Household members: creation with validated names, roles and status.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
};

use crate::db::entities::user;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

impl Role {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Admin => "admin",
            Self::Member => "member",
        }
    }

    /// Reads a role stored by Hearth; anything else is treated as the least privilege.
    #[must_use]
    pub fn parse(text: &str) -> Self {
        match text {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            _ => Self::Member,
        }
    }

    #[must_use]
    pub fn is_admin(self) -> bool {
        matches!(self, Self::Owner | Self::Admin)
    }
}

pub const ACTIVE: &str = "active";
/// Asked to be deleted: signed out, hidden, purged after the grace period.
pub const PENDING_DELETION: &str = "pending_deletion";
pub const DISABLED: &str = "disabled";

/// What a new member chooses.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub role: Role,
}

/// Checks and normalises what a person typed: usernames are lowercase
/// letters, digits, `.`, `-`, `_` (3–32); display names 1–64 characters.
pub fn validate(new: &NewUser) -> Result<NewUser, AppError> {
    let username = new.username.trim().to_lowercase();
    if !(3..=32).contains(&username.chars().count())
        || !username
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'))
    {
        return Err(AppError::InvalidRequest(
            "A username has 3 to 32 characters: lowercase letters, digits, dots, dashes or underscores.".into(),
        ));
    }
    let display_name = new.display_name.trim().to_owned();
    if display_name.is_empty() || display_name.chars().count() > 64 {
        return Err(AppError::InvalidRequest(
            "A display name has 1 to 64 characters.".into(),
        ));
    }
    let email = new
        .email
        .as_deref()
        .map(str::trim)
        .filter(|email| !email.is_empty())
        .map(str::to_owned);
    if email
        .as_ref()
        .is_some_and(|email| email.len() > 254 || !email.contains('@'))
    {
        return Err(AppError::InvalidRequest(
            "That email address does not look right.".into(),
        ));
    }
    Ok(NewUser {
        username,
        display_name,
        email,
        role: new.role,
    })
}

/// Refuses a username someone already has.
pub async fn check_available(db: &impl ConnectionTrait, username: &str) -> Result<(), AppError> {
    let taken = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .count(db)
        .await?;
    if taken > 0 {
        return Err(AppError::Conflict(format!(
            "The username “{username}” is taken. Please choose another."
        )));
    }
    Ok(())
}

/// Creates a member; `webauthn_id` is the user handle their passkeys carry.
pub async fn create(
    db: &impl ConnectionTrait,
    new: &NewUser,
    webauthn_id: uuid::Uuid,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    let new = validate(new)?;
    check_available(db, &new.username).await?;
    let model = user::ActiveModel {
        username: Set(new.username),
        display_name: Set(new.display_name),
        email: Set(new.email),
        role: Set(new.role.as_str().to_owned()),
        status: Set(ACTIVE.to_owned()),
        webauthn_id: Set(webauthn_id.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    Ok(model.insert(db).await?)
}

pub async fn owner_exists(db: &impl ConnectionTrait) -> Result<bool, AppError> {
    Ok(owner(db).await?.is_some())
}

/// The household's owner (none before setup).
pub async fn owner(db: &impl ConnectionTrait) -> Result<Option<user::Model>, AppError> {
    Ok(user::Entity::find()
        .filter(user::Column::Role.eq(Role::Owner.as_str()))
        .one(db)
        .await?)
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<user::Model, AppError> {
    user::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such member.".into()))
}
