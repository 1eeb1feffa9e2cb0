//! HTTP for running the household (owner and admins).

use chrono::{DateTime, Utc};
use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::account_api::Activity;
use super::api::{Done, Reauth};
use super::household::{self, Change};
use super::links::{self, Kind};
use super::principal::SessionAuth;
use super::recovery;
use super::users::Role;
use super::{audit, passkeys};
use crate::api::{ApiTag, link_base};
use crate::db::entities::{account_deletion, link, user};
use crate::error::AppError;
use crate::state::AppState;
use url::Url;

pub struct HouseholdApi;

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Member {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// `active`, `disabled` or `pending_deletion`.
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub passkeys: u64,
    pub has_password: bool,
    /// When the account is being deleted: since when, and when it goes.
    #[oai(skip_serializing_if_is_none)]
    pub deletion: Option<Deletion>,
    /// A recovery link for the account that can still be used (or will be).
    pub recovery: Option<RecoveryLink>,
}

/// A recovery link, as the member it is for and the household see it.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RecoveryLink {
    pub id: i64,
    /// Who made it (absent: on the server's command line).
    pub made_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// From when it works (absent: at once).
    pub usable_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub state: links::State,
}

impl RecoveryLink {
    pub async fn of(state: &AppState, model: &link::Model) -> Result<Self, AppError> {
        let made_by = match model.created_by {
            Some(id) => user::Entity::find_by_id(id)
                .one(state.db())
                .await?
                .map(|user| user.display_name),
            None => None,
        };
        Ok(Self {
            id: model.id,
            made_by,
            created_at: model.created_at,
            usable_at: model.usable_at,
            expires_at: model.expires_at,
            used_at: model.used_at,
            cancelled_at: model.revoked_at,
            state: links::state(model, state.now()),
        })
    }
}

#[derive(Debug, Object)]
pub struct Deletion {
    pub requested_at: DateTime<Utc>,
    pub purge_at: DateTime<Utc>,
    /// Asked for by the member themself.
    pub requested_by_self: bool,
}

async fn member(state: &AppState, user: &user::Model) -> Result<Member, AppError> {
    Ok(Member {
        id: user.id,
        username: user.username.clone(),
        display_name: user.display_name.clone(),
        role: Role::parse(&user.role),
        status: user.status.clone(),
        created_at: user.created_at,
        passkeys: passkeys::count(state.db(), user.id).await?,
        has_password: user.password_hash.is_some(),
        deletion: account_deletion::Entity::find()
            .filter(account_deletion::Column::UserId.eq(user.id))
            .filter(account_deletion::Column::Status.eq("pending"))
            .one(state.db())
            .await?
            .map(|row| Deletion {
                requested_at: row.requested_at,
                purge_at: row.purge_at,
                requested_by_self: row.requested_by == Some(user.id),
            }),
        recovery: match recovery::recovery_links(state.db(), user.id, Some(state.now()))
            .await?
            .first()
        {
            Some(open) => Some(RecoveryLink::of(state, open).await?),
            None => None,
        },
    })
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct MemberChange {
    /// `admin` or `member`.
    pub role: Option<Role>,
    /// false disables the account (signs it out everywhere).
    pub active: Option<bool>,
    /// That it is you (for a new role, disabling or enabling).
    #[oai(flatten)]
    pub proof: Reauth,
}

#[derive(Debug, Object)]
pub struct Heir {
    pub user_id: i64,
    /// The new owner's username, typed.
    #[oai(validator(max_length = 64))]
    pub confirm: String,
    /// That it is you: password (and two-step code) or a passkey.
    #[oai(flatten)]
    pub proof: Reauth,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct NewInvite {
    pub role: Role,
    /// Who it is for, e.g. "Grandma".
    #[oai(validator(max_length = 64))]
    pub label: Option<String>,
    /// 1–30, default 7.
    #[oai(validator(minimum(value = "1"), maximum(value = "30")))]
    pub days: Option<u16>,
    /// That it is you, to invite an admin.
    #[oai(flatten)]
    pub proof: Reauth,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Invite {
    pub id: i64,
    pub role: Role,
    pub label: Option<String>,
    pub state: links::State,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_by: Option<i64>,
}

impl Invite {
    fn of(model: &link::Model, now: DateTime<Utc>) -> Self {
        Self {
            id: model.id,
            role: model.role.as_deref().map_or(Role::Member, Role::parse),
            label: model.label.clone(),
            state: links::state(model, now),
            created_at: model.created_at,
            expires_at: model.expires_at,
            used_by: model.used_by,
        }
    }
}

/// A link to hand over; shown once.
#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct IssuedLink {
    pub id: i64,
    pub url: String,
    /// A recovery link made here works only from then.
    pub usable_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

fn issued(base: &Url, kind: Kind, model: &link::Model, token: &str) -> IssuedLink {
    IssuedLink {
        id: model.id,
        url: links::url(base, kind, token),
        usable_at: model.usable_at,
        expires_at: model.expires_at,
    }
}

#[OpenApi(tag = "ApiTag::Household")]
impl HouseholdApi {
    /// Everyone in the household.
    #[oai(
        path = "/household/members",
        method = "get",
        operation_id = "list_members"
    )]
    async fn members(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Member>>, AppError> {
        let mut out = Vec::new();
        for user in household::members(&state, &auth.0).await? {
            out.push(member(&state, &user).await?);
        }
        Ok(Json(out))
    }

    /// Change a member's role, or disable or enable their account.
    #[oai(
        path = "/household/members/:id",
        method = "patch",
        operation_id = "change_member"
    )]
    async fn change(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<MemberChange>,
    ) -> Result<Json<Member>, AppError> {
        let me = &auth.0;
        me.require_admin()?;
        // Handing out a role, or taking an account away or giving it back,
        // needs a fresh proof.
        if body.role.is_some() || body.active.is_some() {
            body.proof.check(&state, me).await?;
        }
        let change = Change {
            role: body.role,
            active: body.active,
        };
        let user = household::change_member(&state, me, id.0, change).await?;
        Ok(Json(member(&state, &user).await?))
    }

    /// A one-time link for a member who lost every device: it works after
    /// `auth.recovery_delay_hours`, then for 24 hours; the member and the
    /// owner are told at once and can cancel it. Admins make links for
    /// members only; the owner for admins too.
    #[oai(
        path = "/household/members/:id/recovery-link",
        method = "post",
        operation_id = "create_recovery_link"
    )]
    async fn recovery(
        &self,
        req: &Request,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<Reauth>,
    ) -> Result<Json<IssuedLink>, AppError> {
        let me = &auth.0;
        me.require_admin()?;
        body.check(&state, me).await?;
        let (model, token) = recovery::recovery_link(&state, me, id.0).await?;
        Ok(Json(issued(
            &link_base(&state, req),
            Kind::Recovery,
            &model,
            &token,
        )))
    }

    /// Hand ownership to another member (owner only); you become an admin.
    #[oai(
        path = "/household/transfer-ownership",
        method = "post",
        operation_id = "transfer_ownership"
    )]
    async fn transfer(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<Heir>,
    ) -> Result<Json<Member>, AppError> {
        let me = &auth.0;
        me.require_owner()?;
        body.proof.check(&state, me).await?;
        let heir = household::transfer_ownership(&state, me, body.user_id, &body.confirm).await?;
        Ok(Json(member(&state, &heir).await?))
    }

    /// Invites, newest first, with their state.
    #[oai(
        path = "/household/invites",
        method = "get",
        operation_id = "list_invites"
    )]
    async fn invites(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Invite>>, AppError> {
        let now = state.now();
        let list = household::invites(&state, &auth.0).await?;
        Ok(Json(
            list.iter().map(|model| Invite::of(model, now)).collect(),
        ))
    }

    /// Invite someone; the link is shown once.
    #[oai(
        path = "/household/invites",
        method = "post",
        operation_id = "create_invite"
    )]
    async fn invite(
        &self,
        req: &Request,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<NewInvite>,
    ) -> Result<Json<IssuedLink>, AppError> {
        let Json(body) = body;
        let me = &auth.0;
        if body.role == Role::Admin {
            me.require_admin()?;
            body.proof.check(&state, me).await?;
        }
        let (model, token) =
            household::invite(&state, me, body.role, body.label, body.days).await?;
        Ok(Json(issued(
            &link_base(&state, req),
            Kind::Invite,
            &model,
            &token,
        )))
    }

    /// Withdraw an invite that was not used yet.
    #[oai(
        path = "/household/invites/:id",
        method = "delete",
        operation_id = "revoke_invite"
    )]
    async fn revoke(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        household::revoke_invite(&state, &auth.0, id.0).await?;
        Ok(Done::Done)
    }

    /// The household's security activity (account events, never photos).
    #[oai(
        path = "/household/activity",
        method = "get",
        operation_id = "household_activity"
    )]
    async fn activity(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Vec<Activity>>, AppError> {
        auth.0.require_admin()?;
        let entries = audit::list(state.db(), None, 500).await?;
        Ok(Json(entries.into_iter().map(Activity::from).collect()))
    }
}
