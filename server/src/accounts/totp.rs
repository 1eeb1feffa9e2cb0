//! TOTP, a second factor for password sign-ins: enrolment with a QR code,
//! ten single-use recovery codes, each code accepted once.

use chrono::{DateTime, Utc};
use qrcode::QrCode;
use qrcode::render::svg;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, Set,
};
use serde_json::json;
use totp_rs::{Builder, Secret, Totp};

use super::audit::{self, Event};
use super::ceremonies::Ceremony;
use super::principal::Principal;
use super::secret::{hash_token, random_bytes};
use super::sessions::Client;
use crate::db::entities::{recovery_code, user};
use crate::error::AppError;
use crate::state::AppState;

const RECOVERY_CODES: usize = 10;
/// Wrong codes allowed for one password sign-in before starting over.
const MAX_ATTEMPTS: u8 = 5;

fn totp(secret_base32: &str, account: &str) -> Result<Totp, AppError> {
    let secret = Secret::try_from_base32(secret_base32)
        .map_err(|err| AppError::Internal(anyhow::anyhow!("TOTP secret: {err}")))?;
    Builder::new()
        .with_secret(secret)
        .with_account_name(account.replace(':', ""))
        .with_issuer(Some("Hearth"))
        .build()
        .map_err(|err| AppError::Internal(anyhow::anyhow!("TOTP: {err}")))
}

fn unix(now: DateTime<Utc>) -> u64 {
    u64::try_from(now.timestamp()).unwrap_or(0)
}

/// What the authenticator app needs.
pub struct Enrolment {
    pub secret: String,
    pub uri: String,
    /// The `otpauth://` URI as an SVG QR code.
    pub qr_svg: String,
}

/// Starts enrolment: a new secret, not yet active until a code confirms it.
pub async fn start(state: &AppState, me: &Principal) -> Result<Enrolment, AppError> {
    me.require_session()?;
    if me.user.password_hash.is_none() {
        return Err(AppError::Conflict(
            "Two-step codes protect password sign-in; your account has no password.".into(),
        ));
    }
    if me.user.totp_enabled_at.is_some() {
        return Err(AppError::Conflict(
            "Two-step codes are already on. Turn them off first to start again.".into(),
        ));
    }
    let secret = Secret::from(random_bytes::<20>().to_vec()).to_base32();
    let generator = totp(&secret, &me.user.username)?;
    let uri = generator
        .to_url()
        .map_err(|err| AppError::Internal(anyhow::anyhow!("TOTP URI: {err}")))?;
    let qr_svg = qr_svg(&uri)?;
    let mut active = me.user.clone().into_active_model();
    active.totp_secret = Set(Some(secret.clone()));
    active.totp_last_step = Set(None);
    active.updated_at = Set(state.now());
    active.update(state.db()).await?;
    Ok(Enrolment {
        secret,
        uri,
        qr_svg,
    })
}

/// Accepts `code` for `user` at `now`, once per time step.
async fn accept_code(
    db: &impl ConnectionTrait,
    user: &user::Model,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let Some(secret) = &user.totp_secret else {
        return Ok(false);
    };
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    let Some(step) = totp(secret, &user.username)?.check(&code, unix(now)) else {
        return Ok(false);
    };
    let step = i64::try_from(step).unwrap_or(i64::MAX);
    if user.totp_last_step.is_some_and(|last| step <= last) {
        return Ok(false);
    }
    // Conditional update: two requests with the same code cannot both win.
    let updated = user::Entity::update_many()
        .col_expr(
            user::Column::TotpLastStep,
            sea_orm::sea_query::Expr::value(step),
        )
        .filter(user::Column::Id.eq(user.id))
        .filter(
            sea_orm::Condition::any()
                .add(user::Column::TotpLastStep.is_null())
                .add(user::Column::TotpLastStep.lt(step)),
        )
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Confirms enrolment with a code from the app; returns the recovery codes
/// (shown once).
pub async fn confirm(
    state: &AppState,
    me: &Principal,
    code: &str,
) -> Result<Vec<String>, AppError> {
    me.require_session()?;
    let now = state.now();
    if me.user.totp_enabled_at.is_some() || me.user.totp_secret.is_none() {
        return Err(AppError::Conflict(
            "Start setting up two-step codes first.".into(),
        ));
    }
    let txn = crate::db::write(state.db()).await?;
    if !accept_code(&txn, &me.user, code, now).await? {
        return Err(AppError::InvalidCredentials);
    }
    let mut active = user::Entity::find_by_id(me.user.id)
        .one(&txn)
        .await?
        .ok_or(AppError::Unauthorized)?
        .into_active_model();
    active.totp_enabled_at = Set(Some(now));
    active.updated_at = Set(now);
    active.update(&txn).await?;
    let codes = new_recovery_codes(&txn, me.user.id).await?;
    record(&txn, me.user.id, me.ip(), "totp.enabled", now).await?;
    txn.commit().await?;
    Ok(codes)
}

async fn new_recovery_codes(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Vec<String>, AppError> {
    clear_recovery_codes(db, user_id).await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        // 10 characters of base32: easy to type, 50 bits each.
        let raw = Secret::from(random_bytes::<10>().to_vec()).to_base32();
        let code = format!("{}-{}", &raw[..5], &raw[5..10]).to_lowercase();
        recovery_code::ActiveModel {
            user_id: Set(user_id),
            code_hash: Set(hash_token(&normalise(&code))),
            ..Default::default()
        }
        .insert(db)
        .await?;
        codes.push(code);
    }
    Ok(codes)
}

fn normalise(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_lowercase()
}

pub async fn clear_recovery_codes(db: &impl ConnectionTrait, user_id: i64) -> Result<(), AppError> {
    recovery_code::Entity::delete_many()
        .filter(recovery_code::Column::UserId.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Uses a recovery code: true if it was one of the user's unused ones.
async fn use_recovery_code(
    db: &impl ConnectionTrait,
    user_id: i64,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, AppError> {
    let updated = recovery_code::Entity::update_many()
        .col_expr(
            recovery_code::Column::UsedAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(recovery_code::Column::UserId.eq(user_id))
        .filter(recovery_code::Column::CodeHash.eq(hash_token(&normalise(code))))
        .filter(recovery_code::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// Turns two-step codes off; needs a current code or a recovery code.
pub async fn disable(state: &AppState, me: &Principal, code: &str) -> Result<(), AppError> {
    me.require_session()?;
    let now = state.now();
    if me.user.totp_enabled_at.is_none() {
        return Err(AppError::Conflict("Two-step codes are not on.".into()));
    }
    let txn = crate::db::write(state.db()).await?;
    if !accept_code(&txn, &me.user, code, now).await?
        && !use_recovery_code(&txn, me.user.id, code, now).await?
    {
        return Err(AppError::InvalidCredentials);
    }
    turn_off(&txn, &me.user, now).await?;
    record(&txn, me.user.id, me.ip(), "totp.disabled", now).await?;
    txn.commit().await?;
    Ok(())
}

/// Forgets the member's two-step secret and recovery codes.
pub async fn turn_off(
    db: &impl ConnectionTrait,
    user: &user::Model,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let mut active = user.clone().into_active_model();
    active.totp_secret = Set(None);
    active.totp_enabled_at = Set(None);
    active.totp_last_step = Set(None);
    active.updated_at = Set(now);
    active.update(db).await?;
    clear_recovery_codes(db, user.id).await
}

async fn record(
    db: &impl ConnectionTrait,
    user_id: i64,
    ip: Option<&str>,
    action: &'static str,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    audit::record(
        db,
        Event {
            action,
            actor: Some(user_id),
            target: Some(user_id),
            ip,
            details: json!({}),
        },
        now,
    )
    .await
}

/// Whether `code` is the member's current TOTP code or one of their unused
/// recovery codes (which it then uses up).
pub async fn second_step(
    state: &AppState,
    user: &user::Model,
    code: &str,
    client: &Client,
) -> Result<bool, AppError> {
    let now = state.now();
    if accept_code(state.db(), user, code, now).await? {
        return Ok(true);
    }
    if use_recovery_code(state.db(), user.id, code, now).await? {
        record(
            state.db(),
            user.id,
            client.ip.as_deref(),
            "recovery_code.used",
            now,
        )
        .await?;
        return Ok(true);
    }
    Ok(false)
}

/// The second step of a password sign-in: a TOTP code or a recovery code.
pub async fn second_factor(
    state: &AppState,
    ceremony: &str,
    code: &str,
    client: &Client,
) -> Result<user::Model, AppError> {
    let now = state.now();
    let Some((Ceremony::SecondFactor { user_id, attempts }, expires)) =
        state.accounts().ceremonies.take(ceremony, now)
    else {
        return Err(AppError::InvalidRequest(
            "That took too long. Please sign in with your password again.".into(),
        ));
    };
    let found = super::users::find(state.db(), user_id).await?;
    state
        .accounts()
        .limiter
        .attempt(&[format!("account:{}", found.username)], now)?;
    if second_step(state, &found, code, client).await? {
        return Ok(found);
    }
    super::service::audit_failure(state, client, Some(found.id), json!({ "method": "totp" }))
        .await?;
    if attempts + 1 < MAX_ATTEMPTS {
        state.accounts().ceremonies.put_back(
            ceremony.to_owned(),
            Ceremony::SecondFactor {
                user_id,
                attempts: attempts + 1,
            },
            expires,
            &client.addresses(),
        );
    }
    Err(AppError::InvalidCredentials)
}

/// `text` as a QR code: an SVG image, black on white.
pub fn qr_svg(text: &str) -> Result<String, AppError> {
    Ok(QrCode::new(text.as_bytes())
        .map_err(|err| AppError::Internal(anyhow::anyhow!("QR code: {err}")))?
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}
