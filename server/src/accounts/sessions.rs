//! Sign-in sessions: a random token in an `HttpOnly` cookie, only its hash
//! in the database; sliding expiry with an absolute limit; and the known
//! devices behind new-device alerts.

use chrono::{DateTime, TimeDelta, Utc};
use poem::Request;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};

use super::device;
use super::secret::{hash_token, new_token};
use crate::config::AuthConfig;
use crate::db::entities::{device as known_device, session, user};
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "hearth_session";
pub const DEVICE_COOKIE: &str = "hearth_device";

/// Where a request comes from, for sessions and the audit log.
#[derive(Debug, Clone, Default)]
pub struct Client {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The random id in the device cookie, if the browser sent one.
    pub device: Option<String>,
}

impl Client {
    #[must_use]
    pub fn of(req: &Request) -> Self {
        Self {
            user_agent: req
                .headers()
                .get("user-agent")
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(300).collect()),
            ip: req
                .remote_addr()
                .as_socket_addr()
                .map(|addr| addr.ip().to_string()),
            device: req
                .cookie()
                .get(DEVICE_COOKIE)
                .map(|c| c.value_str().to_owned())
                .filter(|id| id.len() <= 64),
        }
    }

    /// The address limits count this client under (an IPv6 address by
    /// its /64).
    #[must_use]
    pub fn address(&self) -> String {
        let [address, _] = self.addresses();
        address
    }

    /// Its address and its network (see `ceremonies::address_keys`).
    #[must_use]
    pub fn addresses(&self) -> [String; 2] {
        super::ceremonies::address_keys(self.ip.as_deref())
    }

    #[must_use]
    pub fn label(&self) -> String {
        device::label(self.user_agent.as_deref())
    }
}

/// A session just created: the token goes into the cookie, once.
pub struct NewSession {
    pub token: String,
    pub session: session::Model,
    /// The device cookie to set (new, or the one the browser sent).
    pub device: String,
    /// True when this user had never signed in from this browser.
    pub new_device: bool,
    /// True when it is the user's first browser of all (the account was
    /// just made): a welcome, not an alert.
    pub first_device: bool,
}

pub async fn create(
    db: &impl ConnectionTrait,
    config: &AuthConfig,
    user: &user::Model,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<NewSession, AppError> {
    let token = new_token();
    let absolute = now + TimeDelta::days(config.session_max_days.into());
    let session = session::ActiveModel {
        user_id: Set(user.id),
        token_hash: Set(hash_token(&token)),
        device_label: Set(client.label()),
        user_agent: Set(client.user_agent.clone()),
        ip: Set(client.ip.clone()),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(idle_expiry(config, now, absolute)),
        absolute_expires_at: Set(absolute),
        ..Default::default()
    }
    .insert(db)
    .await?;

    let device = client.device.clone().unwrap_or_else(new_token);
    let device_hash = hash_token(&device);
    let known = known_device::Entity::find()
        .filter(known_device::Column::UserId.eq(user.id))
        .filter(known_device::Column::DeviceHash.eq(&device_hash))
        .one(db)
        .await?;
    let new_device = known.is_none();
    let first_device = new_device
        && known_device::Entity::find()
            .filter(known_device::Column::UserId.eq(user.id))
            .one(db)
            .await?
            .is_none();
    match known {
        Some(known) => {
            let mut known = known.into_active_model();
            known.last_seen_at = Set(now);
            known.label = Set(client.label());
            known.update(db).await?;
        }
        None => {
            known_device::ActiveModel {
                user_id: Set(user.id),
                device_hash: Set(device_hash),
                label: Set(client.label()),
                first_seen_at: Set(now),
                last_seen_at: Set(now),
                ..Default::default()
            }
            .insert(db)
            .await?;
        }
    }
    Ok(NewSession {
        token,
        session,
        device,
        new_device,
        first_device,
    })
}

fn idle_expiry(config: &AuthConfig, now: DateTime<Utc>, absolute: DateTime<Utc>) -> DateTime<Utc> {
    (now + TimeDelta::days(config.session_idle_days.into())).min(absolute)
}

/// How often a session's last-seen time is written: not on every request.
const TOUCH_EVERY: TimeDelta = TimeDelta::minutes(5);

/// The live session and its user for a cookie token; slides the expiry.
pub async fn lookup(
    db: &impl ConnectionTrait,
    config: &AuthConfig,
    token: &str,
    client: &Client,
    now: DateTime<Utc>,
) -> Result<Option<(session::Model, user::Model)>, AppError> {
    let Some((found, Some(owner))) = session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash_token(token)))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if found.expires_at <= now
        || found.absolute_expires_at <= now
        || owner.status != super::users::ACTIVE
    {
        return Ok(None);
    }
    if now - found.last_seen_at < TOUCH_EVERY {
        return Ok(Some((found, owner)));
    }
    let mut active = found.into_active_model();
    active.last_seen_at = Set(now);
    active.expires_at = Set(idle_expiry(
        config,
        now,
        *active.absolute_expires_at.as_ref(),
    ));
    if client.ip.is_some() {
        active.ip = Set(client.ip.clone());
    }
    Ok(Some((active.update(db).await?, owner)))
}

pub async fn list(
    db: &impl ConnectionTrait,
    user_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<session::Model>, AppError> {
    Ok(session::Entity::find()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::ExpiresAt.gt(now))
        .order_by_desc(session::Column::LastSeenAt)
        .all(db)
        .await?)
}

/// Ends one of the user's sessions.
pub async fn revoke(
    db: &impl ConnectionTrait,
    user_id: i64,
    session_id: i64,
) -> Result<(), AppError> {
    let result = session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user_id))
        .filter(session::Column::Id.eq(session_id))
        .exec(db)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::NotFound("There is no such session.".into()));
    }
    Ok(())
}

/// Names one of the user's sessions ("Work laptop"); empty gives back the
/// browser's own name. Answers the session as it is now.
pub async fn rename(
    db: &impl ConnectionTrait,
    user_id: i64,
    session_id: i64,
    name: &str,
) -> Result<session::Model, AppError> {
    let found = session::Entity::find_by_id(session_id)
        .filter(session::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such session.".into()))?;
    let name = name.trim();
    let label = if name.is_empty() {
        device::label(found.user_agent.as_deref())
    } else {
        name.to_owned()
    };
    let mut active = found.into_active_model();
    active.device_label = Set(label);
    Ok(active.update(db).await?)
}

/// Whether an address is on the home network (or this computer): private
/// and link-local ranges, loopback, and carrier-grade NAT's shared range
/// (which VPNs such as Tailscale use). Only such places are named.
#[must_use]
pub fn on_home_network(ip: &str) -> bool {
    match ip.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(v4)) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (a == 100 && (64..128).contains(&b))
        }
        Ok(std::net::IpAddr::V6(v6)) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return on_home_network(&v4.to_string());
            }
            let first = v6.segments()[0];
            v6.is_loopback() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// Ends every session of the user but `keep` (none: all of them).
pub async fn revoke_all_except(
    db: &impl ConnectionTrait,
    user_id: i64,
    keep: Option<i64>,
) -> Result<u64, AppError> {
    let mut query = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(keep) = keep {
        query = query.filter(session::Column::Id.ne(keep));
    }
    Ok(query.exec(db).await?.rows_affected)
}

/// Whether this browser (its device cookie) signed in to the account before.
pub async fn is_known_device(
    db: &impl ConnectionTrait,
    user_id: i64,
    client: &Client,
) -> Result<bool, AppError> {
    let Some(device) = &client.device else {
        return Ok(false);
    };
    Ok(known_device::Entity::find()
        .filter(known_device::Column::UserId.eq(user_id))
        .filter(known_device::Column::DeviceHash.eq(hash_token(device)))
        .one(db)
        .await?
        .is_some())
}

/// Signs `user_id` out everywhere, scripts included: every session and
/// API token ends, and no recovery link made for them stays open (but
/// `keep`, one being used).
pub async fn shut_out(
    db: &impl ConnectionTrait,
    user_id: i64,
    keep: Option<i64>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    revoke_all_except(db, user_id, None).await?;
    crate::db::entities::api_token::Entity::delete_many()
        .filter(crate::db::entities::api_token::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    super::recovery::withdraw_open(db, user_id, keep, now).await
}
