//! One-time links: first-run setup, invites, account recovery. Each is a
//! random token (only its hash stored), single use, with an expiry, and
//! revocable.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use url::Url;

use super::secret::{hash_token, new_token};
use super::users::Role;
use crate::db::entities::link;
use crate::error::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "LinkKind", rename_all = "snake_case")]
pub enum Kind {
    /// Creates the owner; printed in the log on first start.
    Setup,
    /// Lets someone join the household with a role.
    Invite,
    /// Lets a member who lost every device add a new way to sign in.
    Recovery,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Invite => "invite",
            Self::Recovery => "recovery",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "setup" => Some(Self::Setup),
            "invite" => Some(Self::Invite),
            "recovery" => Some(Self::Recovery),
            _ => None,
        }
    }

    /// The page of the web app that opens this kind of link.
    fn page(self) -> &'static str {
        match self {
            Self::Setup => "setup",
            Self::Invite => "invite",
            Self::Recovery => "recover",
        }
    }

    #[must_use]
    pub fn lifetime(self) -> TimeDelta {
        match self {
            Self::Setup => TimeDelta::hours(1),
            Self::Invite => TimeDelta::days(7),
            Self::Recovery => TimeDelta::hours(24),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, poem_openapi::Enum)]
#[oai(rename = "LinkState", rename_all = "snake_case")]
pub enum State {
    Valid,
    /// A recovery link made in the app, in its waiting period.
    Waiting,
    Expired,
    Used,
    Revoked,
}

/// What to create.
pub struct NewLink {
    pub kind: Kind,
    pub role: Option<Role>,
    pub user_id: Option<i64>,
    pub label: Option<String>,
    pub created_by: Option<i64>,
    /// How long it waits before it works (zero: at once).
    pub wait: TimeDelta,
    /// How long it works once it does.
    pub lifetime: TimeDelta,
}

/// The address to open: `{public_url}{page}?token=…`.
#[must_use]
pub fn url(public_url: &Url, kind: Kind, token: &str) -> String {
    let mut url = public_url.clone();
    url.set_path(kind.page());
    url.set_query(Some(&format!("token={token}")));
    url.to_string()
}

pub async fn issue(
    db: &impl ConnectionTrait,
    new: NewLink,
    now: DateTime<Utc>,
) -> Result<(link::Model, String), AppError> {
    let token = new_token();
    let model = link::ActiveModel {
        kind: Set(new.kind.as_str().to_owned()),
        token_hash: Set(hash_token(&token)),
        role: Set(new.role.map(|role| role.as_str().to_owned())),
        user_id: Set(new.user_id),
        label: Set(new.label),
        created_by: Set(new.created_by),
        created_at: Set(now),
        usable_at: Set((new.wait > TimeDelta::zero()).then_some(now + new.wait)),
        expires_at: Set(now + new.wait + new.lifetime),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((model, token))
}

/// A fresh setup link. Earlier ones stay valid until they expire; the
/// first one used makes the owner, and then none works.
pub async fn issue_setup(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let (_, token) = issue(
        db,
        NewLink {
            kind: Kind::Setup,
            role: Some(Role::Owner),
            user_id: None,
            label: None,
            created_by: None,
            wait: TimeDelta::zero(),
            lifetime: Kind::Setup.lifetime(),
        },
        now,
    )
    .await?;
    Ok(token)
}

/// The link a token opens, whatever its state.
pub async fn find(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(Kind, link::Model)>, AppError> {
    Ok(link::Entity::find()
        .filter(link::Column::TokenHash.eq(hash_token(token)))
        .one(db)
        .await?
        .and_then(|model| Kind::parse(&model.kind).map(|kind| (kind, model))))
}

#[must_use]
pub fn state(link: &link::Model, now: DateTime<Utc>) -> State {
    if link.revoked_at.is_some() {
        State::Revoked
    } else if link.used_at.is_some() {
        State::Used
    } else if link.expires_at <= now {
        State::Expired
    } else if link.usable_at.is_some_and(|at| at > now) {
        State::Waiting
    } else {
        State::Valid
    }
}

/// Why a link cannot be used, in words for the person holding it.
#[must_use]
pub fn refusal(state: State) -> AppError {
    AppError::LinkUnusable(
        match state {
            State::Expired => "This link has expired. Ask for a new one.",
            State::Used => {
                "This link has already been used. Ask for a new one if you still need it."
            }
            State::Revoked => "This link was withdrawn. Ask for a new one if you still need it.",
            State::Waiting => {
                "This recovery link does not work yet: for your safety it waits before it can be used (its page says until when)."
            }
            State::Valid => "This link cannot be used.",
        }
        .into(),
    )
}

/// The valid link for `token`, or the reason it is not.
pub async fn usable(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(Kind, link::Model), AppError> {
    let Some((kind, link)) = find(db, token).await? else {
        return Err(AppError::LinkUnusable(
            "This link is not valid. Check that it was copied completely.".into(),
        ));
    };
    match state(&link, now) {
        State::Valid => Ok((kind, link)),
        other => Err(refusal(other)),
    }
}

/// Marks the link used; fails if someone used it first.
pub async fn consume(
    db: &impl ConnectionTrait,
    link: &link::Model,
    used_by: i64,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let result = link::Entity::update_many()
        .col_expr(link::Column::UsedAt, sea_orm::sea_query::Expr::value(now))
        .col_expr(
            link::Column::UsedBy,
            sea_orm::sea_query::Expr::value(used_by),
        )
        .filter(link::Column::Id.eq(link.id))
        .filter(link::Column::UsedAt.is_null())
        .filter(link::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        Ok(())
    } else {
        Err(refusal(State::Used))
    }
}
