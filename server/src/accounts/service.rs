//! Sign-in flows that span several parts: one-time links finished with a
//! password or a passkey, password and passkey sign-in, managing your own
//! credentials, and starting a session with its alerts and audit entries.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;
use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use super::audit::{self, Event};
use super::ceremonies::Ceremony;
use super::links::{self, Kind};
use super::passkeys::{self, SignInFailure};
use super::passwords;
use super::principal::Principal;
use super::ratelimit::Limit;
use super::sessions::{self, Client, NewSession};
use super::users::{self, NewUser, Role};
use crate::db::entities::{passkey, user};
use crate::error::AppError;
use crate::notifications::service::{self as notify, Kind as Notice};
use crate::state::AppState;

/// Starts a session for `user`: audit entry, and a notification: a welcome
/// on the account's first browser, an alert when a later browser is one
/// this user never signed in from.
pub async fn start_session(
    state: &AppState,
    user: &user::Model,
    client: &Client,
    method: &'static str,
) -> Result<NewSession, AppError> {
    let now = state.now();
    let txn = crate::db::write(state.db()).await?;
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
    if session.first_device {
        notify::notify(
            &txn,
            user.id,
            Notice::Welcome,
            &format!("Welcome to the family’s Hearth, {}", user.display_name),
            "Photos the family shares appear in Photos; albums you are added to, in Albums. What you upload stays yours: you choose what the family sees.",
            now,
        )
        .await?;
    } else if session.new_device {
        notify::notify(
            &txn,
            user.id,
            Notice::NewDeviceSignIn,
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
    state
        .events()
        .publish(crate::events::Event::notifications(user.id));
    Ok(session)
}

/// Failed passwords for one account from everywhere: a slow ceiling that
/// many addresses guessing together meet, which the member's own browsers
/// (a device that signed in to the account before) pass.
const ACCOUNT_CEILING: Limit = Limit {
    max: 100,
    seconds: 3600,
};

/// Rate-limits a sign-in attempt by address and, if named, by account at
/// that address: someone guessing elsewhere never locks the member out.
pub(super) fn limit(
    state: &AppState,
    client: &Client,
    account: Option<&str>,
) -> Result<(), AppError> {
    // By address: an IPv6 /64 is one address (one home, or one attacker).
    let ip = client.address();
    let mut keys = vec![format!("ip:{ip}")];
    if let Some(account) = account {
        keys.push(format!("account:{}@{ip}", account.trim().to_lowercase()));
    }
    let limited = state.accounts().limiter.attempt(&keys, state.now());
    if limited.is_err() {
        tracing::warn!(ip = ?client.ip, account, "sign-in attempts rate limited");
    }
    limited
}

pub(super) fn failures_key(username: &str) -> String {
    format!("failed-passwords:{username}")
}

/// Whether the account's ceiling of failed passwords stops this attempt.
async fn over_ceiling(
    state: &AppState,
    found: Option<&user::Model>,
    username: &str,
    client: &Client,
) -> Result<bool, AppError> {
    let key = failures_key(username);
    let over = state
        .accounts()
        .limiter
        .check(&[(&key, ACCOUNT_CEILING)], state.now())
        .is_err();
    Ok(match found {
        Some(user) if over => !sessions::is_known_device(state.db(), user.id, client).await?,
        _ => over,
    })
}

pub(super) async fn audit_failure(
    state: &AppState,
    client: &Client,
    target: Option<i64>,
    details: serde_json::Value,
) -> Result<(), AppError> {
    audit::record(
        state.db(),
        Event {
            action: "signin.failed",
            actor: None,
            target,
            ip: client.ip.as_deref(),
            details,
        },
        state.now(),
    )
    .await
}

/// Uses a link inside `txn`: creates the account a setup or invite link
/// promises, or loads the member a recovery link is for; records it and
/// marks the link used.
async fn claim_link(
    txn: &DatabaseTransaction,
    token: &str,
    new_user: Option<NewUser>,
    webauthn_id: uuid::Uuid,
    client: &Client,
    method: &'static str,
    now: DateTime<Utc>,
) -> Result<(Kind, user::Model), AppError> {
    let (kind, link) = links::usable(txn, token, now).await?;
    let (user, action) = match kind {
        Kind::Setup | Kind::Invite => {
            let mut new_user = new_user.ok_or_else(|| {
                AppError::InvalidRequest("Choose a username and a display name.".into())
            })?;
            new_user.role = if kind == Kind::Setup {
                if users::owner_exists(txn).await? {
                    return Err(links::refusal(links::State::Used));
                }
                Role::Owner
            } else {
                Role::parse(link.role.as_deref().unwrap_or("member"))
            };
            let user = users::create(txn, &new_user, webauthn_id, now).await?;
            (
                user,
                if kind == Kind::Setup {
                    "setup.owner_created"
                } else {
                    "invite.accepted"
                },
            )
        }
        Kind::Recovery => {
            let user_id = link.user_id.ok_or_else(|| {
                AppError::Internal(anyhow::anyhow!("recovery link without a member"))
            })?;
            let user = users::find(txn, user_id).await?;
            if user.status != users::ACTIVE {
                return Err(AppError::LinkUnusable(
                    "This account is not active: ask the owner.".into(),
                ));
            }
            (
                super::recovery::recover(txn, user, &link, now).await?,
                "recovery_link.used",
            )
        }
    };
    audit::record(
        txn,
        Event {
            action,
            actor: Some(user.id),
            target: Some(user.id),
            ip: client.ip.as_deref(),
            details: json!({ "method": method, "role": user.role, "link_by": link.created_by }),
        },
        now,
    )
    .await?;
    links::consume(txn, &link, user.id, now).await?;
    Ok((kind, user))
}

/// Finishes a setup, invite or recovery link with a password.
pub async fn finish_link_with_password(
    state: &AppState,
    token: &str,
    new_user: Option<NewUser>,
    password: &str,
    client: &Client,
) -> Result<user::Model, AppError> {
    let now = state.now();
    let txn = crate::db::write(state.db()).await?;
    let (_, user) = claim_link(
        &txn,
        token,
        new_user,
        uuid::Uuid::new_v4(),
        client,
        "password",
        now,
    )
    .await?;
    passwords::check_strength(password, &[&user.username, &user.display_name])?;
    let user = store_password(&txn, user, password, now).await?;
    txn.commit().await?;
    Ok(user)
}

/// Starts finishing a link with a passkey: checks the link and the chosen
/// names now, so the person learns of a taken username before the ceremony.
pub async fn start_link_passkey(
    state: &AppState,
    token: &str,
    new_user: Option<NewUser>,
    client: &Client,
) -> Result<(String, CreationChallengeResponse), AppError> {
    let webauthn = state.accounts().relying_party.get()?;
    let (kind, link) = links::usable(state.db(), token, state.now()).await?;
    let (new_user, handle, username, display_name, existing) = match kind {
        Kind::Setup | Kind::Invite => {
            let new_user = users::validate(&new_user.ok_or_else(|| {
                AppError::InvalidRequest("Choose a username and a display name.".into())
            })?)?;
            users::check_available(state.db(), &new_user.username).await?;
            let (username, display_name) =
                (new_user.username.clone(), new_user.display_name.clone());
            (
                Some(new_user),
                uuid::Uuid::new_v4(),
                username,
                display_name,
                Vec::new(),
            )
        }
        Kind::Recovery => {
            let user = users::find(state.db(), link.user_id.unwrap_or_default()).await?;
            let handle = parse_handle(&user)?;
            let existing = passkeys::credential_ids(state.db(), user.id).await?;
            (None, handle, user.username, user.display_name, existing)
        }
    };
    let (options, registration) =
        passkeys::start_registration(webauthn, handle, &username, &display_name, existing)?;
    let id = state.accounts().ceremonies.start(
        Ceremony::LinkPasskey {
            token: token.to_owned(),
            new_user,
            webauthn_id: handle,
            state: registration,
        },
        &client.addresses(),
        state.now(),
    )?;
    Ok((id, options))
}

fn parse_handle(user: &user::Model) -> Result<uuid::Uuid, AppError> {
    uuid::Uuid::parse_str(&user.webauthn_id).map_err(|err| AppError::Internal(err.into()))
}

/// Finishes a link with the passkey the browser made.
pub async fn finish_link_passkey(
    state: &AppState,
    ceremony: &str,
    credential: &RegisterPublicKeyCredential,
    passkey_name: &str,
    client: &Client,
) -> Result<user::Model, AppError> {
    let now = state.now();
    let Some((
        Ceremony::LinkPasskey {
            token,
            new_user,
            webauthn_id,
            state: registration,
        },
        _,
    )) = state.accounts().ceremonies.take(ceremony, now)
    else {
        return Err(expired_ceremony());
    };
    let webauthn = state.accounts().relying_party.get()?;
    let key = passkeys::finish_registration(webauthn, credential, &registration)?;
    let txn = crate::db::write(state.db()).await?;
    let (kind, user) =
        claim_link(&txn, &token, new_user, webauthn_id, client, "passkey", now).await?;
    passkeys::save(&txn, user.id, passkey_name, &key, now, true).await?;
    if kind == Kind::Recovery {
        notify::notify(
            &txn,
            user.id,
            Notice::PasskeyAdded,
            "A passkey was added with a recovery link",
            "A new passkey was added to your account using a recovery link from your household's admin.",
            now,
        )
        .await?;
    }
    txn.commit().await?;
    state
        .events()
        .publish(crate::events::Event::notifications(user.id));
    Ok(user)
}

pub(super) fn expired_ceremony() -> AppError {
    AppError::InvalidRequest(
        "That took too long, or was already finished. Please start again.".into(),
    )
}

/// Passkey sign-ins one address may start in a minute.
const PASSKEY_STARTS: Limit = Limit {
    max: 30,
    seconds: 60,
};

/// Starts a passkey sign-in (no username needed).
pub fn start_sign_in(
    state: &AppState,
    client: &Client,
) -> Result<(String, RequestChallengeResponse), AppError> {
    // Anyone may start one: 30 a minute per address (and at most 50 open).
    state.accounts().limiter.attempt_with(
        &[(
            &format!("passkey-start:{}", client.address()),
            PASSKEY_STARTS,
        )],
        state.now(),
    )?;
    let webauthn = state.accounts().relying_party.get()?;
    let (options, authentication) = passkeys::start_sign_in(webauthn)?;
    let id = state.accounts().ceremonies.start(
        Ceremony::SignIn {
            state: authentication,
        },
        &client.addresses(),
        state.now(),
    )?;
    Ok((id, options))
}

pub async fn finish_sign_in(
    state: &AppState,
    ceremony: &str,
    credential: &PublicKeyCredential,
    client: &Client,
) -> Result<user::Model, AppError> {
    limit(state, client, None)?;
    let now = state.now();
    let Some((
        Ceremony::SignIn {
            state: authentication,
        },
        _,
    )) = state.accounts().ceremonies.take(ceremony, now)
    else {
        return Err(expired_ceremony());
    };
    let webauthn = state.accounts().relying_party.get()?;
    match passkeys::finish_sign_in(state.db(), webauthn, credential, authentication, now).await {
        Ok(user) if user.status == users::ACTIVE => Ok(user),
        Ok(user) => {
            audit_failure(
                state,
                client,
                Some(user.id),
                json!({ "method": "passkey", "why": "account disabled" }),
            )
            .await?;
            Err(AppError::InvalidCredentials)
        }
        Err(SignInFailure::Refused { user, why }) => {
            audit_failure(
                state,
                client,
                user,
                json!({ "method": "passkey", "why": why }),
            )
            .await?;
            Err(AppError::InvalidCredentials)
        }
        Err(SignInFailure::Error(err)) => Err(err),
    }
}

/// What a correct password leads to.
pub enum PasswordOutcome {
    SignedIn(Box<user::Model>),
    /// TOTP is on: the code goes with this ceremony id.
    SecondFactor(String),
}

/// Checks a username and password. The answer never says whether the
/// account exists.
pub async fn check_password(
    state: &AppState,
    username: &str,
    password: &str,
    client: &Client,
) -> Result<PasswordOutcome, AppError> {
    limit(state, client, Some(username))?;
    let username = username.trim().to_lowercase();
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(&username))
        .one(state.db())
        .await?;
    if over_ceiling(state, found.as_ref(), &username, client).await? {
        tracing::warn!(ip = ?client.ip, account = username, "failed passwords over the account's ceiling");
        return Err(AppError::RateLimited { retry_after: 3600 });
    }
    let stored = found.as_ref().and_then(|user| user.password_hash.clone());
    // argon2 takes tens of milliseconds: off the async threads.
    let candidate = password.to_owned();
    let matches =
        tokio::task::spawn_blocking(move || passwords::verify(&candidate, stored.as_deref()))
            .await
            .map_err(|err| AppError::Internal(err.into()))?;
    match found {
        Some(user) if matches && user.status == users::ACTIVE => {
            if user.totp_enabled_at.is_some() {
                let id = state.accounts().ceremonies.start(
                    Ceremony::SecondFactor {
                        user_id: user.id,
                        attempts: 0,
                    },
                    &client.addresses(),
                    state.now(),
                )?;
                Ok(PasswordOutcome::SecondFactor(id))
            } else {
                Ok(PasswordOutcome::SignedIn(Box::new(user)))
            }
        }
        other => {
            let target = other.map(|user| user.id);
            state
                .accounts()
                .limiter
                .record([failures_key(&username).as_str()], state.now());
            audit_failure(
                state,
                client,
                target,
                json!({ "method": "password", "username": username }),
            )
            .await?;
            Err(AppError::InvalidCredentials)
        }
    }
}

async fn store_password(
    db: &impl ConnectionTrait,
    user: user::Model,
    password: &str,
    now: DateTime<Utc>,
) -> Result<user::Model, AppError> {
    let hash = passwords::hash(password)?;
    let mut active = user.into_active_model();
    active.password_hash = Set(Some(hash));
    active.password_changed_at = Set(Some(now));
    active.updated_at = Set(now);
    Ok(active.update(db).await?)
}

/// Records an account change the member should hear about.
async fn security_event(
    db: &impl ConnectionTrait,
    me: &Principal,
    action: &'static str,
    notice: Option<(Notice, &str, &str)>,
    details: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    audit::record(
        db,
        Event {
            action,
            actor: Some(me.user.id),
            target: Some(me.user.id),
            ip: me.ip(),
            details,
        },
        now,
    )
    .await?;
    if let Some((kind, title, body)) = notice {
        notify::notify(db, me.user.id, kind, title, body, now).await?;
    }
    Ok(())
}

/// Sets or changes your password; a change needs the current one.
pub async fn change_password(
    state: &AppState,
    me: &Principal,
    current: Option<&str>,
    new: &str,
) -> Result<user::Model, AppError> {
    let had = me.user.password_hash.clone();
    if had.is_some() {
        let current = current.unwrap_or_default().to_owned();
        let stored = had.clone();
        let ok =
            tokio::task::spawn_blocking(move || passwords::verify(&current, stored.as_deref()))
                .await
                .map_err(|err| AppError::Internal(err.into()))?;
        if !ok {
            return Err(AppError::InvalidCredentials);
        }
    }
    passwords::check_strength(new, &[&me.user.username, &me.user.display_name])?;
    let now = state.now();
    let txn = crate::db::write(state.db()).await?;
    let user = store_password(&txn, me.user.clone(), new, now).await?;
    let (action, title) = if had.is_some() {
        ("password.changed", "Your password was changed")
    } else {
        ("password.set", "A password was added to your account")
    };
    security_event(
        &txn,
        me,
        action,
        Some((
            Notice::PasswordChanged,
            title,
            "If this was not you, sign out everywhere in Settings → Security and ask your household's admin for a recovery link.",
        )),
        json!({}),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(user)
}

/// Removes your password, if a passkey remains to sign in with.
pub async fn remove_password(state: &AppState, me: &Principal) -> Result<user::Model, AppError> {
    if me.user.password_hash.is_none() {
        return Err(AppError::NotFound("Your account has no password.".into()));
    }
    let now = state.now();
    let txn = crate::db::write(state.db()).await?;
    if passkeys::count(&txn, me.user.id).await? == 0 {
        return Err(AppError::LastCredential);
    }
    let mut active = me.user.clone().into_active_model();
    active.password_hash = Set(None);
    active.password_changed_at = Set(Some(now));
    // TOTP guards password sign-in only: without a password it has no use.
    active.totp_secret = Set(None);
    active.totp_enabled_at = Set(None);
    active.updated_at = Set(now);
    let user = active.update(&txn).await?;
    super::totp::clear_recovery_codes(&txn, me.user.id).await?;
    security_event(&txn, me, "password.removed", None, json!({}), now).await?;
    txn.commit().await?;
    Ok(user)
}

pub async fn start_add_passkey(
    state: &AppState,
    me: &Principal,
    name: &str,
) -> Result<(String, CreationChallengeResponse), AppError> {
    let webauthn = state.accounts().relying_party.get()?;
    let name = passkeys::clean_name(name)?;
    let existing = passkeys::credential_ids(state.db(), me.user.id).await?;
    let (options, registration) = passkeys::start_registration(
        webauthn,
        parse_handle(&me.user)?,
        &me.user.username,
        &me.user.display_name,
        existing,
    )?;
    let id = state.accounts().ceremonies.start(
        Ceremony::AddPasskey {
            user_id: me.user.id,
            name,
            state: registration,
        },
        &[
            format!("user:{}", me.user.id),
            format!("net:user:{}", me.user.id),
        ],
        state.now(),
    )?;
    Ok((id, options))
}

pub async fn finish_add_passkey(
    state: &AppState,
    me: &Principal,
    ceremony: &str,
    credential: &RegisterPublicKeyCredential,
) -> Result<passkey::Model, AppError> {
    let now = state.now();
    let Some((
        Ceremony::AddPasskey {
            user_id,
            name,
            state: registration,
        },
        _,
    )) = state.accounts().ceremonies.take(ceremony, now)
    else {
        return Err(expired_ceremony());
    };
    if user_id != me.user.id {
        return Err(expired_ceremony());
    }
    let webauthn = state.accounts().relying_party.get()?;
    let key = passkeys::finish_registration(webauthn, credential, &registration)?;
    let txn = crate::db::write(state.db()).await?;
    let saved = passkeys::save(&txn, me.user.id, &name, &key, now, false).await?;
    security_event(
        &txn,
        me,
        "passkey.added",
        Some((
            Notice::PasskeyAdded,
            &format!("Passkey “{}” added", saved.name),
            "A new passkey can now sign in to your account. If this was not you, remove it in Settings → Security.",
        )),
        json!({ "passkey": saved.name }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(saved)
}

async fn own_passkey(
    db: &impl ConnectionTrait,
    me: &Principal,
    id: i64,
) -> Result<passkey::Model, AppError> {
    passkey::Entity::find_by_id(id)
        .filter(passkey::Column::UserId.eq(me.user.id))
        .one(db)
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such passkey.".into()))
}

pub async fn rename_passkey(
    state: &AppState,
    me: &Principal,
    id: i64,
    name: &str,
) -> Result<passkey::Model, AppError> {
    let key = own_passkey(state.db(), me, id).await?;
    let old = key.name.clone();
    let mut active = key.into_active_model();
    active.name = Set(passkeys::clean_name(name)?);
    let key = active.update(state.db()).await?;
    security_event(
        state.db(),
        me,
        "passkey.renamed",
        None,
        json!({ "from": old, "to": key.name }),
        state.now(),
    )
    .await?;
    Ok(key)
}

/// Removes one of your passkeys, never the last way to sign in.
pub async fn remove_passkey(state: &AppState, me: &Principal, id: i64) -> Result<(), AppError> {
    let now = state.now();
    let txn = crate::db::write(state.db()).await?;
    let key = own_passkey(&txn, me, id).await?;
    let others = passkeys::count(&txn, me.user.id).await? - 1;
    if others == 0 && me.user.password_hash.is_none() {
        return Err(AppError::LastCredential);
    }
    passkey::Entity::delete_by_id(key.id).exec(&txn).await?;
    security_event(
        &txn,
        me,
        "passkey.removed",
        None,
        json!({ "passkey": key.name }),
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
