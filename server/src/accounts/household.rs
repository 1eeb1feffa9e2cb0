//! Running the household: members' roles and status, invites, recovery
//! links, ownership. Owner and admins only; nothing here shows photos.

use chrono::TimeDelta;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::audit::{self, Event};
use super::links::{self, Kind, NewLink};
use super::principal::Principal;
use super::users::{self, DISABLED, Role};
use crate::db::entities::{link, user};
use crate::error::AppError;
use crate::notifications::service::{self as notify, Kind as Notice};
use crate::state::AppState;

pub async fn members(state: &AppState, me: &Principal) -> Result<Vec<user::Model>, AppError> {
    me.require_admin()?;
    Ok(user::Entity::find()
        .order_by_asc(user::Column::CreatedAt)
        .all(state.db())
        .await?)
}

/// A change to a member's role or status.
pub struct Change {
    pub role: Option<Role>,
    pub active: Option<bool>,
}

pub async fn change_member(
    state: &AppState,
    me: &Principal,
    id: i64,
    change: Change,
) -> Result<user::Model, AppError> {
    me.require_admin()?;
    let now = state.now();
    let txn = crate::db::write(state.db()).await?;
    let member = users::find(&txn, id).await?;
    if Role::parse(&member.role) == Role::Owner {
        return Err(AppError::Forbidden(
            "Nobody can change the owner's role or status. The owner can hand ownership to someone else.".into(),
        ));
    }
    if change.role == Some(Role::Owner) {
        return Err(AppError::Forbidden(
            "Only the owner can hand over ownership, with “transfer ownership”.".into(),
        ));
    }
    // Admins run the household together; only the owner changes one
    // (else an admin could demote another and then act on a member).
    if Role::parse(&member.role) == Role::Admin && me.role() != Role::Owner {
        return Err(AppError::Forbidden(
            "Only the owner can change an admin's role or account.".into(),
        ));
    }
    if member.id == me.user.id && change.active == Some(false) {
        return Err(AppError::Forbidden(
            "You cannot disable your own account.".into(),
        ));
    }
    let mut active = member.clone().into_active_model();
    if let Some(role) = change.role.filter(|role| role.as_str() != member.role) {
        active.role = Set(role.as_str().to_owned());
        audit::record(
            &txn,
            Event {
                action: "member.role_changed",
                actor: Some(me.user.id),
                target: Some(member.id),
                ip: me.ip(),
                details: json!({ "from": member.role, "to": role.as_str() }),
            },
            now,
        )
        .await?;
        notify::notify(
            &txn,
            member.id,
            Notice::RoleChanged,
            &format!("You are now {}", article(role)),
            &format!(
                "{} changed your role in the household.",
                me.user.display_name
            ),
            now,
        )
        .await?;
    }
    if let Some(enable) = change.active {
        let status = if enable { users::ACTIVE } else { DISABLED };
        if status != member.status {
            active.status = Set(status.to_owned());
            if !enable {
                // Out everywhere, and no recovery link waits for the day
                // the account is enabled again.
                super::sessions::shut_out(&txn, member.id, None, now).await?;
            }
            audit::record(
                &txn,
                Event {
                    action: if enable {
                        "member.enabled"
                    } else {
                        "member.disabled"
                    },
                    actor: Some(me.user.id),
                    target: Some(member.id),
                    ip: me.ip(),
                    details: json!({}),
                },
                now,
            )
            .await?;
        }
    }
    active.updated_at = Set(now);
    let member = active.update(&txn).await?;
    txn.commit().await?;
    state
        .events()
        .publish(crate::events::Event::notifications(member.id));
    Ok(member)
}

fn article(role: Role) -> &'static str {
    match role {
        Role::Owner => "the owner",
        Role::Admin => "an admin",
        Role::Member => "a member",
    }
}

pub async fn transfer_ownership(
    state: &AppState,
    me: &Principal,
    to: i64,
    confirm: &str,
) -> Result<user::Model, AppError> {
    me.require_owner()?;
    let now = state.now();
    let txn = crate::db::write(state.db()).await?;
    let heir = users::find(&txn, to).await?;
    if heir.id == me.user.id {
        return Err(AppError::InvalidRequest(
            "You are already the owner.".into(),
        ));
    }
    if confirm.trim().to_lowercase() != heir.username {
        return Err(AppError::InvalidRequest(format!(
            "Type {} exactly, to confirm who becomes the owner.",
            heir.username
        )));
    }
    if heir.status != users::ACTIVE {
        return Err(AppError::Conflict(
            "Ownership can only go to an active member.".into(),
        ));
    }
    let mut old = me.user.clone().into_active_model();
    old.role = Set(Role::Admin.as_str().to_owned());
    old.updated_at = Set(now);
    old.update(&txn).await?;
    let mut new = heir.clone().into_active_model();
    new.role = Set(Role::Owner.as_str().to_owned());
    new.updated_at = Set(now);
    let heir = new.update(&txn).await?;
    audit::record(
        &txn,
        Event {
            action: "ownership.transferred",
            actor: Some(me.user.id),
            target: Some(heir.id),
            ip: me.ip(),
            details: json!({}),
        },
        now,
    )
    .await?;
    notify::notify(
        &txn,
        heir.id,
        Notice::RoleChanged,
        "You are now the owner",
        &format!(
            "{} handed ownership of this Hearth to you.",
            me.user.display_name
        ),
        now,
    )
    .await?;
    txn.commit().await?;
    state
        .events()
        .publish(crate::events::Event::notifications(heir.id));
    Ok(heir)
}

pub async fn invites(state: &AppState, me: &Principal) -> Result<Vec<link::Model>, AppError> {
    me.require_admin()?;
    Ok(link::Entity::find()
        .filter(link::Column::Kind.eq("invite"))
        .order_by_desc(link::Column::CreatedAt)
        .order_by_desc(link::Column::Id)
        .all(state.db())
        .await?)
}

/// Invites someone; returns the link (its token is shown once).
pub async fn invite(
    state: &AppState,
    me: &Principal,
    role: Role,
    label: Option<String>,
    days: Option<u16>,
) -> Result<(link::Model, String), AppError> {
    me.require_admin()?;
    if role == Role::Owner {
        return Err(AppError::InvalidRequest(
            "Invite as a member or an admin.".into(),
        ));
    }
    let days = days.unwrap_or(7);
    if !(1..=30).contains(&days) {
        return Err(AppError::InvalidRequest(
            "An invite lasts 1 to 30 days.".into(),
        ));
    }
    let label = label
        .map(|label| label.trim().chars().take(64).collect::<String>())
        .filter(|label| !label.is_empty());
    let now = state.now();
    let txn = crate::db::write(state.db()).await?;
    let (model, token) = links::issue(
        &txn,
        NewLink {
            kind: Kind::Invite,
            role: Some(role),
            user_id: None,
            label,
            created_by: Some(me.user.id),
            wait: TimeDelta::zero(),
            lifetime: TimeDelta::days(days.into()),
        },
        now,
    )
    .await?;
    audit::record(
        &txn,
        Event {
            action: "invite.created",
            actor: Some(me.user.id),
            target: None,
            ip: me.ip(),
            details: json!({ "invite": model.id, "role": role.as_str(), "label": model.label }),
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok((model, token))
}

pub async fn revoke_invite(state: &AppState, me: &Principal, id: i64) -> Result<(), AppError> {
    me.require_admin()?;
    let now = state.now();
    let found = link::Entity::find_by_id(id)
        .filter(link::Column::Kind.eq("invite"))
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such invite.".into()))?;
    if found.used_at.is_some() {
        return Err(AppError::Conflict("This invite was already used.".into()));
    }
    let mut active = found.into_active_model();
    active.revoked_at = Set(Some(now));
    active.update(state.db()).await?;
    audit::record(
        state.db(),
        Event {
            action: "invite.revoked",
            actor: Some(me.user.id),
            target: None,
            ip: me.ip(),
            details: json!({ "invite": id }),
        },
        now,
    )
    .await
}
