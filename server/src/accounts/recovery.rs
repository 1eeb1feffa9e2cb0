//! Recovery links: the way back for a member who lost every device. Made
//! in the app (with a fresh proof) a link waits `auth.recovery_delay_hours`
//! while the member and the owner, told at once, can cancel it; made on
//! the server's command line it works at once. Using one ends every other
//! session and token of the account and turns two-step codes off, saying so.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::audit::{self, Event};
use super::links::{self, Kind, NewLink};
use super::principal::Principal;
use super::sessions;
use super::users::{self, Role};
use crate::db::entities::{link, user};
use crate::error::AppError;
use crate::notifications::service::{self as notify, Kind as Notice};
use crate::state::AppState;

/// A one-time link that lets a member who lost every device add a new
/// passkey or password. Made in the app, it works only after
/// `auth.recovery_delay_hours` (then for 24 hours): the member (on every
/// device still signed in) and the owner hear of it at once and can cancel
/// it meanwhile, so nobody becomes someone else without them knowing. Only
/// the owner makes links for admins; nobody makes one for the owner here.
pub async fn recovery_link(
    state: &AppState,
    me: &Principal,
    id: i64,
) -> Result<(link::Model, String), AppError> {
    me.require_admin()?;
    let member = users::find(state.db(), id).await?;
    if member.id == me.user.id {
        return Err(AppError::InvalidRequest(
            "Add a passkey or password to your own account in Settings → Security.".into(),
        ));
    }
    match Role::parse(&member.role) {
        Role::Owner => {
            return Err(AppError::Forbidden(
                "Only the owner's own devices (or `hearth recovery-link` on the server) can recover the owner's account.".into(),
            ));
        }
        Role::Admin if me.role() != Role::Owner => {
            return Err(AppError::Forbidden(
                "Only the owner can make a recovery link for an admin.".into(),
            ));
        }
        _ => {}
    }
    if member.status != users::ACTIVE {
        return Err(AppError::Conflict(
            "Enable this member's account first.".into(),
        ));
    }
    let now = state.now();
    let wait = TimeDelta::hours(i64::from(state.config().auth.recovery_delay_hours));
    let txn = crate::db::write(state.db()).await?;
    // One waiting link at a time: a new one replaces the one before.
    withdraw_open(&txn, member.id, None, now).await?;
    let (model, token) = links::issue(
        &txn,
        NewLink {
            kind: Kind::Recovery,
            role: None,
            user_id: Some(member.id),
            label: None,
            created_by: Some(me.user.id),
            wait,
            lifetime: Kind::Recovery.lifetime(),
        },
        now,
    )
    .await?;
    audit::record(
        &txn,
        Event {
            action: "recovery_link.created",
            actor: Some(me.user.id),
            target: Some(member.id),
            ip: me.ip(),
            details: json!({ "link": model.id, "usable_at": model.usable_at, "expires_at": model.expires_at }),
        },
        now,
    )
    .await?;
    announce(state, &txn, me, &member, &model).await?;
    txn.commit().await?;
    state
        .events()
        .publish(crate::events::Event::notifications(member.id));
    Ok((model, token))
}

/// Withdraws every recovery link for `member_id` not used yet (but
/// `keep`, the one being used).
pub async fn withdraw_open(
    db: &impl ConnectionTrait,
    member_id: i64,
    keep: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    link::Entity::update_many()
        .col_expr(
            link::Column::RevokedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(link::Column::Kind.eq("recovery"))
        .filter(link::Column::UserId.eq(member_id))
        .filter(link::Column::Id.ne(keep.unwrap_or(0)))
        .filter(link::Column::UsedAt.is_null())
        .filter(link::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Recovery links for `member_id`, newest first (the last 10): with
/// `open_at`, only those that can still be used then (or will be).
pub async fn recovery_links(
    db: &impl ConnectionTrait,
    member_id: i64,
    open_at: Option<DateTime<Utc>>,
) -> Result<Vec<link::Model>, AppError> {
    use sea_orm::QuerySelect as _;
    let mut query = link::Entity::find()
        .filter(link::Column::Kind.eq("recovery"))
        .filter(link::Column::UserId.eq(member_id));
    if let Some(now) = open_at {
        query = query
            .filter(link::Column::UsedAt.is_null())
            .filter(link::Column::RevokedAt.is_null())
            .filter(link::Column::ExpiresAt.gt(now));
    }
    Ok(query
        .order_by_desc(link::Column::CreatedAt)
        .order_by_desc(link::Column::Id)
        .limit(10)
        .all(db)
        .await?)
}

/// Cancels a recovery link: by the member it is for (from any device
/// still signed in), by the owner, or by whoever made it.
pub async fn cancel_recovery_link(
    state: &AppState,
    me: &Principal,
    id: i64,
) -> Result<(), AppError> {
    me.require_session()?;
    let now = state.now();
    let found = link::Entity::find_by_id(id)
        .filter(link::Column::Kind.eq("recovery"))
        .one(state.db())
        .await?
        .filter(|found| {
            found.user_id == Some(me.user.id)
                || found.created_by == Some(me.user.id)
                || me.role() == Role::Owner
        })
        .ok_or_else(|| AppError::NotFound("There is no such recovery link.".into()))?;
    if found.used_at.is_some() {
        return Err(AppError::Conflict(
            "This recovery link was already used.".into(),
        ));
    }
    if found.revoked_at.is_some() {
        return Ok(());
    }
    let txn = crate::db::write(state.db()).await?;
    let mut active = found.clone().into_active_model();
    active.revoked_at = Set(Some(now));
    active.update(&txn).await?;
    audit::record(
        &txn,
        Event {
            action: "recovery_link.cancelled",
            actor: Some(me.user.id),
            target: found.user_id,
            ip: me.ip(),
            details: json!({ "link": found.id, "made_by": found.created_by }),
        },
        now,
    )
    .await?;
    // Whoever made it and the member hear that it is gone.
    for told in [found.created_by, found.user_id]
        .into_iter()
        .flatten()
        .filter(|id| *id != me.user.id)
    {
        notify::notify(
            &txn,
            told,
            Notice::RecoveryLink,
            "A recovery link was cancelled",
            &format!(
                "{} cancelled a recovery link before it was used.",
                me.user.display_name
            ),
            now,
        )
        .await?;
        state
            .events()
            .publish(crate::events::Event::notifications(told));
    }
    txn.commit().await?;
    Ok(())
}

/// A recovery link made on the server's command line (`hearth
/// recovery-link`): the way back for an owner who lost every device, or for
/// anyone when no admin can help. Whoever has the server's shell is trusted.
pub async fn command_line_recovery_link(
    db: &impl ConnectionTrait,
    username: &str,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let member = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim().to_lowercase()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::NotFound(format!(
                "There is no member with the username “{username}”."
            ))
        })?;
    let (_, token) = links::issue(
        db,
        NewLink {
            kind: Kind::Recovery,
            role: None,
            user_id: Some(member.id),
            label: None,
            created_by: None,
            wait: TimeDelta::zero(),
            lifetime: Kind::Recovery.lifetime(),
        },
        now,
    )
    .await?;
    audit::record(
        db,
        Event {
            action: "recovery_link.created",
            actor: None,
            target: Some(member.id),
            ip: None,
            details: json!({ "via": "command line" }),
        },
        now,
    )
    .await?;
    Ok(token)
}

/// Tells the member (every open tab) and the owner that a link was made.
async fn announce(
    state: &AppState,
    txn: &DatabaseTransaction,
    me: &Principal,
    member: &user::Model,
    model: &link::Model,
) -> Result<(), AppError> {
    let now = state.now();
    let from = model.usable_at.unwrap_or(now);
    let when = from.format("%Y-%m-%d %H:%M UTC");
    notify::notify(
        txn,
        member.id,
        Notice::RecoveryLink,
        &format!("{} made a recovery link for your account", me.user.display_name),
        &format!(
            "Whoever holds it can add a passkey or password to your account from {when}, which signs out your other devices. If you did not ask for it, cancel it in Settings → Security now."
        ),
        now,
    )
    .await?;
    let owner = users::owner(txn).await?;
    if let Some(owner) = owner.filter(|owner| owner.id != me.user.id) {
        notify::notify(
            txn,
            owner.id,
            Notice::MemberRecoveryLink,
            &format!(
                "{} made a recovery link for {}",
                me.user.display_name, member.display_name
            ),
            &format!(
                "It works from {when}. You or {} can cancel it until then, in Settings → Household.",
                member.display_name
            ),
            now,
        )
        .await?;
        state
            .events()
            .publish(crate::events::Event::notifications(owner.id));
    }
    Ok(())
}

/// What using a recovery link does besides letting the new passkey or
/// password in: every other session ends and every API token goes (whoever
/// held them is out), and two-step codes — whose app was lost with the
/// devices — are turned off, which the member is told, never silently.
pub(super) async fn recover(
    txn: &DatabaseTransaction,
    user: user::Model,
    link: &crate::db::entities::link::Model,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    sessions::shut_out(txn, user.id, Some(link.id), now).await?;
    let made_by = match link.created_by {
        Some(id) => users::find(txn, id).await?.display_name,
        None => "the server's command line".to_owned(),
    };
    let two_step = user.totp_enabled_at.is_some();
    if two_step {
        super::totp::turn_off(txn, &user, now).await?;
    }
    notify::notify(
        txn,
        user.id,
        Notice::RecoveryLink,
        "Your account was recovered",
        &format!(
            "A recovery link made by {made_by} was used: every other device was signed out and your API tokens were revoked.{}",
            if two_step {
                " Two-step codes were turned off (their app was on the lost device): turn them on again in Settings → Security."
            } else {
                ""
            }
        ),
        now,
    )
    .await?;
    users::find(txn, user.id).await
}
