//! Account deletion. Asking (the member themself, or the owner or an
//! admin) takes effect at once: sessions and tokens revoked, sign-in
//! refused (`pending_deletion`), their photos withheld from everyone,
//! albums they own hidden, their comments signed "Deleted account". For
//! `retention.account_grace_days` the deletion can be cancelled, by the
//! owner or an admin, or by the member with the one-time link they were
//! shown. Then the purge removes everything of theirs and leaves a receipt
//! (kinds and counts, no names) for the owner.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, Set, Statement, TransactionTrait as _,
};
use serde::Serialize;
use serde_json::json;

use super::{purge, takeout};
use crate::accounts::audit::{self, Event};
use crate::accounts::principal::Principal;
use crate::accounts::secret::{hash_token, new_token};
use crate::accounts::users::{self, ACTIVE, PENDING_DELETION, Role};
use crate::db::entities::{
    account_deletion, album, album_link, album_member, api_token, asset, comment, export,
    notification, passkey, reaction, retention_rule, session, user,
};
use crate::error::AppError;
use crate::notifications::service::{self as notify, About, Kind as Notice};
use crate::state::AppState;

const PENDING: &str = "pending";
/// Assets of an account being deleted: seen by nobody until it is purged
/// (or back to `active` if the deletion is cancelled).
const WITHHELD: &str = "withheld";

/// A deletion that was asked for.
#[derive(Debug)]
pub struct Requested {
    pub purge_at: DateTime<Utc>,
    /// For the member themself: the one-time cancellation link's token.
    pub cancel_token: Option<String>,
}

/// Asks for the deletion of `user_id`'s account; `by` is the member
/// themself (re-authenticated by the caller) or the owner or an admin.
pub async fn request(
    state: &AppState,
    by: &Principal,
    user_id: i64,
    confirm: &str,
) -> Result<Requested, AppError> {
    let target = users::find(state.db(), user_id).await?;
    let own = by.user.id == user_id;
    if Role::parse(&target.role) == Role::Owner {
        return Err(AppError::Forbidden(
            "The owner's account can be deleted only after handing ownership to someone else."
                .into(),
        ));
    }
    if !own {
        by.require_admin()?;
        if by.role() == Role::Admin && Role::parse(&target.role) != Role::Member {
            return Err(AppError::Forbidden(
                "Only the owner can delete an admin's account.".into(),
            ));
        }
    }
    if !confirm.trim().eq_ignore_ascii_case(&target.username) {
        return Err(AppError::InvalidRequest(format!(
            "To confirm, type the username “{}” exactly.",
            target.username
        )));
    }
    if target.status == PENDING_DELETION {
        return Err(AppError::Conflict(
            "This account is already being deleted.".into(),
        ));
    }
    let now = state.now();
    let purge_at = now + TimeDelta::days(i64::from(state.config().retention.account_grace_days));
    let cancel_token = own.then(new_token);
    let txn = crate::db::write(state.db()).await?;
    let mut active = target.clone().into_active_model();
    active.status = Set(PENDING_DELETION.to_owned());
    active.updated_at = Set(now);
    active.update(&txn).await?;
    crate::accounts::sessions::shut_out(&txn, user_id, None, now).await?;
    let withheld = set_status(&txn, user_id, "active", WITHHELD).await?;
    account_deletion::ActiveModel {
        user_id: Set(Some(user_id)),
        requested_by: Set(Some(by.user.id)),
        role: Set(target.role.clone()),
        status: Set(PENDING.to_owned()),
        cancel_token_hash: Set(cancel_token.as_deref().map(hash_token)),
        requested_at: Set(now),
        purge_at: Set(purge_at),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        Event {
            action: "account.deletion_requested",
            actor: Some(by.user.id),
            target: Some(user_id),
            ip: by.ip(),
            details: json!({ "purge_at": purge_at }),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    crate::library::announce(state, &withheld, true).await?;
    tell_album_members(state, &target, purge_at).await?;
    Ok(Requested {
        purge_at,
        cancel_token,
    })
}

/// Moves `user_id`'s assets from one status to another; returns their ids.
async fn set_status(
    db: &impl ConnectionTrait,
    user_id: i64,
    from: &str,
    to: &str,
) -> Result<Vec<i64>, AppError> {
    let ids: Vec<i64> = asset::Entity::find()
        .filter(asset::Column::OwnerId.eq(user_id))
        .filter(asset::Column::Status.eq(from))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    asset::Entity::update_many()
        .col_expr(asset::Column::Status, Expr::value(to))
        .filter(asset::Column::OwnerId.eq(user_id))
        .filter(asset::Column::Status.eq(from))
        .exec(db)
        .await?;
    Ok(ids)
}

/// Members of the albums `owner` owns hear that those albums will go.
async fn tell_album_members(
    state: &AppState,
    owner: &user::Model,
    purge_at: DateTime<Utc>,
) -> Result<(), AppError> {
    let albums = album::Entity::find()
        .filter(album::Column::OwnerId.eq(owner.id))
        .all(state.db())
        .await?;
    for one in albums {
        let members = album_member::Entity::find()
            .filter(album_member::Column::AlbumId.eq(one.id))
            .filter(album_member::Column::UserId.ne(owner.id))
            .all(state.db())
            .await?;
        for member in members {
            notify::notify_about(
                state,
                member.user_id,
                Notice::AlbumClosing,
                &format!("“{}” will be removed", one.title),
                &format!(
                    "Its owner's account is being deleted. The album, its photos and its conversation go on {}.",
                    purge_at.format("%-d %B %Y")
                ),
                About {
                    album_id: Some(one.id),
                    asset_id: None,
                    actor_id: Some(owner.id),
                },
            )
            .await?;
        }
    }
    Ok(())
}

/// Cancels with the one-time link the member was shown; returns their
/// display name.
pub async fn cancel_with_token(state: &AppState, token: &str) -> Result<String, AppError> {
    let found = account_deletion::Entity::find()
        .filter(account_deletion::Column::CancelTokenHash.eq(hash_token(token.trim())))
        .filter(account_deletion::Column::Status.eq(PENDING))
        .one(state.db())
        .await?
        .ok_or_else(|| {
            AppError::LinkUnusable(
                "This cancellation link was used already, or the account is gone.".into(),
            )
        })?;
    let user = restore(state, found, None).await?;
    Ok(user.display_name)
}

/// Cancels a member's pending deletion (owner or admin).
pub async fn cancel(state: &AppState, by: &Principal, user_id: i64) -> Result<(), AppError> {
    by.require_admin()?;
    let found = pending_of(state.db(), user_id)
        .await?
        .ok_or_else(|| AppError::NotFound("This account is not waiting to be deleted.".into()))?;
    restore(state, found, Some(by)).await?;
    Ok(())
}

/// The pending deletion of `user_id`, if any.
pub async fn pending_of(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<account_deletion::Model>, AppError> {
    Ok(account_deletion::Entity::find()
        .filter(account_deletion::Column::UserId.eq(user_id))
        .filter(account_deletion::Column::Status.eq(PENDING))
        .one(db)
        .await?)
}

/// Every pending deletion, soonest purge first.
pub async fn pending(state: &AppState) -> Result<Vec<account_deletion::Model>, AppError> {
    Ok(account_deletion::Entity::find()
        .filter(account_deletion::Column::Status.eq(PENDING))
        .order_by_asc(account_deletion::Column::PurgeAt)
        .all(state.db())
        .await?)
}

async fn restore(
    state: &AppState,
    deletion: account_deletion::Model,
    by: Option<&Principal>,
) -> Result<user::Model, AppError> {
    let now = state.now();
    let user_id = deletion
        .user_id
        .ok_or_else(|| AppError::LinkUnusable("This account has been deleted already.".into()))?;
    let txn = crate::db::write(state.db()).await?;
    let user = users::find(&txn, user_id).await?;
    let mut active = user.clone().into_active_model();
    active.status = Set(ACTIVE.to_owned());
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    let restored = set_status(&txn, user_id, WITHHELD, "active").await?;
    let mut row = deletion.into_active_model();
    row.status = Set("cancelled".to_owned());
    row.cancelled_at = Set(Some(now));
    row.cancel_token_hash = Set(None);
    row.update(&txn).await?;
    // The albums stay: the notices that said they would go are wrong now.
    notification::Entity::delete_many()
        .filter(notification::Column::Kind.eq("album_closing"))
        .filter(notification::Column::ActorId.eq(user_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        Event {
            action: "account.deletion_cancelled",
            actor: Some(by.map_or(user_id, |by| by.user.id)),
            target: Some(user_id),
            ip: by.and_then(Principal::ip),
            details: json!({}),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    crate::library::announce(state, &restored, true).await?;
    Ok(user)
}

/// What an account purge removed: the deletion receipt.
#[derive(Debug, Default, Serialize)]
pub struct Receipt {
    pub photos: u64,
    pub videos: u64,
    pub bytes: u64,
    pub albums: u64,
    pub comments: u64,
    pub reactions: u64,
    pub share_links: u64,
    pub passkeys: u64,
    pub sessions: u64,
    pub api_tokens: u64,
    /// Device passwords of phones that back up.
    pub device_passwords: u64,
    /// What phones' backup apps sent, by name (WebDAV).
    pub backup_files: u64,
    /// Photos remembered as deleted (their content's hash).
    pub kept_out: u64,
    pub notifications: u64,
    pub exports: u64,
    pub retention_rules: u64,
}

/// Purges every account whose grace period is over at `now`; returns how
/// many.
pub async fn purge_due(state: &AppState, now: DateTime<Utc>) -> Result<u64, AppError> {
    let due = account_deletion::Entity::find()
        .filter(account_deletion::Column::Status.eq(PENDING))
        .filter(account_deletion::Column::PurgeAt.lte(now))
        .all(state.db())
        .await?;
    let mut purged = 0;
    for deletion in due {
        purge_account(state, deletion).await?;
        purged += 1;
    }
    Ok(purged)
}

async fn purge_account(
    state: &AppState,
    deletion: account_deletion::Model,
) -> Result<(), AppError> {
    let db = state.db();
    let now = state.now();
    let Some(user_id) = deletion.user_id else {
        return Ok(());
    };
    let Some(user) = user::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(());
    };
    let mut receipt = counts(db, user_id).await?;
    let owned: Vec<i64> = asset::Entity::find()
        .filter(asset::Column::OwnerId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let purged = purge::assets(state, &owned).await?;
    receipt.photos = purged.photos;
    receipt.videos = purged.videos;
    receipt.bytes = purged.bytes;
    for archive in export::Entity::find()
        .filter(export::Column::UserId.eq(user_id))
        .all(db)
        .await?
    {
        takeout::remove_archive(state, archive.id).await?;
    }
    let removed = serde_json::to_string(&receipt).map_err(|err| AppError::Internal(err.into()))?;
    let txn = db.begin().await?;
    for sql in [
        "DELETE FROM notifications WHERE actor_id = ?1 \
         OR album_id IN (SELECT id FROM albums WHERE owner_id = ?1)",
        // Audit entries stay (the household's record) but say nothing of
        // who: the ids are cleared by the foreign keys below.
        "UPDATE audit_log SET details = '{}', ip = NULL \
         WHERE actor_id = ?1 OR target_user_id = ?1",
        "DELETE FROM jobs WHERE json_valid(payload) AND json_extract(payload, '$.owner_id') = ?1",
        "DELETE FROM import_failures WHERE owner_id = ?1",
        "DELETE FROM albums WHERE owner_id = ?1",
        "DELETE FROM users WHERE id = ?1",
    ] {
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Sqlite,
            sql,
            [user_id.into()],
        ))
        .await?;
    }
    // Failed sign-ins name the username that was typed.
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Sqlite,
        "UPDATE audit_log SET details = '{}', ip = NULL WHERE instr(details, ?) > 0",
        [format!("\"username\":\"{}\"", user.username).into()],
    ))
    .await?;
    let mut row = deletion.into_active_model();
    row.status = Set("purged".to_owned());
    row.purged_at = Set(Some(now));
    row.user_id = Set(None);
    row.cancel_token_hash = Set(None);
    row.removed = Set(Some(removed));
    row.update(&txn).await?;
    txn.commit().await?;
    let folder = state
        .data_dir()
        .originals()
        .join(crate::library::uploads::safe_name(&user.username));
    purge::remove_folder(&folder).await?;
    purge::remove_folder(&state.data_dir().dav(user_id)).await?;
    tracing::info!(account = user_id, "an account was purged");
    Ok(())
}

/// How many of each kind `user_id` has (the receipt, before the purge).
pub async fn counts(db: &impl ConnectionTrait, user_id: i64) -> Result<Receipt, AppError> {
    let albums: Vec<i64> = album::Entity::find()
        .filter(album::Column::OwnerId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    Ok(Receipt {
        albums: albums.len() as u64,
        comments: comment::Entity::find()
            .filter(comment::Column::UserId.eq(user_id))
            .count(db)
            .await?,
        reactions: reaction::Entity::find()
            .filter(reaction::Column::UserId.eq(user_id))
            .count(db)
            .await?,
        share_links: album_link::Entity::find()
            .filter(album_link::Column::AlbumId.is_in(albums))
            .count(db)
            .await?,
        passkeys: passkey::Entity::find()
            .filter(passkey::Column::UserId.eq(user_id))
            .count(db)
            .await?,
        sessions: session::Entity::find()
            .filter(session::Column::UserId.eq(user_id))
            .count(db)
            .await?,
        api_tokens: api_token::Entity::find()
            .filter(api_token::Column::UserId.eq(user_id))
            .count(db)
            .await?,
        device_passwords: crate::db::entities::device_password::Entity::find()
            .filter(crate::db::entities::device_password::Column::UserId.eq(user_id))
            .count(db)
            .await?,
        backup_files: crate::db::entities::dav_entry::Entity::find()
            .filter(crate::db::entities::dav_entry::Column::UserId.eq(user_id))
            .filter(crate::db::entities::dav_entry::Column::State.ne("folder"))
            .count(db)
            .await?,
        kept_out: db
            .query_one_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "SELECT COUNT(*) FROM kept_out WHERE user_id = ?",
                [user_id.into()],
            ))
            .await?
            .and_then(|row| row.try_get_by_index::<i64>(0).ok())
            .map_or(0, |n| u64::try_from(n).unwrap_or(0)),
        notifications: notification::Entity::find()
            .filter(notification::Column::UserId.eq(user_id))
            .count(db)
            .await?,
        exports: export::Entity::find()
            .filter(export::Column::UserId.eq(user_id))
            .count(db)
            .await?,
        retention_rules: retention_rule::Entity::find()
            .filter(retention_rule::Column::OwnerId.eq(user_id))
            .count(db)
            .await?,
        ..Receipt::default()
    })
}
