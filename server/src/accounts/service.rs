//! Sign-in flows that span several parts: finishing a one-time link,
//! password sign-in, starting a session with its alerts and audit entries.

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde_json::json;

use super::audit::{self, Event};
use super::links::{self, Kind};
use super::passwords;
use super::sessions::{self, Client, NewSession};
use super::users::{self, NewUser, Role};
use crate::db::entities::user;
use crate::error::AppError;
use crate::notifications;
use crate::state::AppState;

/// Starts a session for `user`: audit entry, and a notification when the
/// browser is one this user never signed in from.
pub async fn start_session(
    state: &AppState,
    user: &user::Model,
    client: &Client,
    method: &'static str,
) -> Result<NewSession, AppError> {
    let now = state.now();
    let txn = state.db().begin().await?;
    let session = sessions::create(&txn, &state.config().auth, user, client, now).await?;
    audit::record(
        &txn,
        Event {
            action: "signin.succeeded",
            actor: Some(user.id),
            target: Some(user.id),
            ip: client.ip.as_deref(),
            details: json!({ "method": method, "device": client.label() }),
        },
        now,
    )
    .await?;
    if session.new_device {
        notifications::service::notify(
            &txn,
            user.id,
            notifications::service::Kind::NewDeviceSignIn,
            &format!("New sign-in on {}", client.label()),
            &format!(
                "Your account was signed in from a device not seen before ({}). If this was not you, sign out that session in Settings → Security.",
                client.label()
            ),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(session)
}

/// Creates the account a setup or invite link promises, with a password.
/// A recovery link sets a new password on its member's account instead.
pub async fn finish_link_with_password(
    state: &AppState,
    token: &str,
    new_user: Option<NewUser>,
    password: &str,
    client: &Client,
) -> Result<user::Model, AppError> {
    let now = state.now();
    let txn = state.db().begin().await?;
    let (kind, link) = links::usable(&txn, token, now).await?;
    let user = match kind {
        Kind::Setup | Kind::Invite => {
            let mut new_user = new_user.ok_or_else(|| {
                AppError::InvalidRequest("Choose a username and a display name.".into())
            })?;
            new_user.role = if kind == Kind::Setup {
                if users::owner_exists(&txn).await? {
                    return Err(links::refusal(links::State::Used));
                }
                Role::Owner
            } else {
                Role::parse(link.role.as_deref().unwrap_or("member"))
            };
            passwords::check_strength(password, &[&new_user.username, &new_user.display_name])?;
            let user = users::create(&txn, &new_user, now).await?;
            audit::record(
                &txn,
                Event {
                    action: if kind == Kind::Setup {
                        "setup.owner_created"
                    } else {
                        "invite.accepted"
                    },
                    actor: Some(user.id),
                    target: Some(user.id),
                    ip: client.ip.as_deref(),
                    details: json!({ "role": user.role, "invited_by": link.created_by }),
                },
                now,
            )
            .await?;
            user
        }
        Kind::Recovery => {
            let user_id = link
                .user_id
                .ok_or_else(|| AppError::Internal(anyhow::anyhow!("recovery link without user")))?;
            let user = users::find(&txn, user_id).await?;
            passwords::check_strength(password, &[&user.username, &user.display_name])?;
            audit::record(
                &txn,
                Event {
                    action: "recovery_link.used",
                    actor: Some(user.id),
                    target: Some(user.id),
                    ip: client.ip.as_deref(),
                    details: json!({ "method": "password" }),
                },
                now,
            )
            .await?;
            user
        }
    };
    links::consume(&txn, &link, user.id, now).await?;
    let user = set_password(&txn, user, password, now).await?;
    txn.commit().await?;
    Ok(user)
}

async fn set_password(
    db: &impl sea_orm::ConnectionTrait,
    user: user::Model,
    password: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<user::Model, AppError> {
    use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
    let hash = passwords::hash(password)?;
    let mut active = user.into_active_model();
    active.password_hash = Set(Some(hash));
    active.password_changed_at = Set(Some(now));
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}

/// Checks a username and password. The answer never says whether the
/// account exists.
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
    client: &Client,
) -> Result<user::Model, AppError> {
    let username = username.trim().to_lowercase();
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(state.db())
        .await?;
    let stored = found.as_ref().and_then(|user| user.password_hash.clone());
    // argon2 takes tens of milliseconds: off the async threads.
    let candidate = password.to_owned();
    let matches =
        tokio::task::spawn_blocking(move || passwords::verify(&candidate, stored.as_deref()))
            .await
            .map_err(|err| AppError::Internal(err.into()))?;
    match found {
        Some(user) if matches && user.status == users::ACTIVE => Ok(user),
        other => {
            audit::record(
                state.db(),
                Event {
                    action: "signin.failed",
                    actor: None,
                    target: other.map(|user| user.id),
                    ip: client.ip.as_deref(),
                    details: json!({ "method": "password", "username": username }),
                },
                state.now(),
            )
            .await?;
            Err(AppError::InvalidCredentials)
        }
    }
}
