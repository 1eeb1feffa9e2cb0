//! Retention rules: "move to the trash photos matching <query> older than
//! N days". A member's rules cover their own photos; the owner's rules may
//! also cover every photo shared with the family — never another member's
//! private photos, which follow that member's own rules only. A photo is old enough when both its capture
//! and its arrival in Hearth are more than N days ago (an old screenshot
//! imported today gets its N days). Photos in an album shared with someone
//! else (another member, or a share link) are skipped unless the rule says
//! otherwise. Rules only ever move photos to the trash, where they wait
//! `retention.trash_days` like anything else; the dry run is the same
//! evaluation without the move.

use chrono::{DateTime, TimeDelta, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::albums::live;
use crate::db::entities::{asset, retention_rule, user};
use crate::error::AppError;
use crate::search::query;
use crate::state::AppState;

/// A rule as written (saved or not).
#[derive(Debug, Clone)]
pub struct Draft {
    pub query: String,
    pub days: i32,
    /// Over everyone's photos (the owner's rules only).
    pub library: bool,
    pub include_shared: bool,
}

/// What a rule selects today.
#[derive(Debug, Default)]
pub struct Selection {
    /// To the trash, newest first.
    pub ids: Vec<i64>,
    /// Matched and old enough, but in an album shared with others.
    pub skipped_shared: u64,
}

/// The longest a rule may wait: ten years.
pub const MAX_DAYS: i32 = 3_650;

/// Checks a draft: a query with words or filters, days in range, library
/// scope for the owner only.
pub fn check(owner: &user::Model, draft: &Draft) -> Result<query::Parsed, AppError> {
    if !(1..=MAX_DAYS).contains(&draft.days) {
        return Err(AppError::InvalidRequest(format!(
            "The number of days must be between 1 and {MAX_DAYS}."
        )));
    }
    if draft.library && owner.role != "owner" {
        return Err(AppError::Forbidden(
            "Only the owner can write rules over the whole library.".into(),
        ));
    }
    let parsed = query::parse(&draft.query)?;
    if parsed.words.is_empty() && parsed.filters.is_empty() {
        return Err(AppError::InvalidQuery {
            message: "A rule needs a search: words or filters such as kind:video.".into(),
            position: 0,
        });
    }
    Ok(parsed)
}

/// What `draft` would move to the trash at `now`, for `owner`.
pub async fn select(
    state: &AppState,
    owner: &user::Model,
    draft: &Draft,
    now: DateTime<Utc>,
) -> Result<Selection, AppError> {
    let parsed = check(owner, draft)?;
    // Only ever what the rule's author may see: a library rule covers
    // their own photos and those shared with the family, never another
    // member's private ones (nor what they see only through albums).
    let mut access = vec![format!("u:{}", owner.id)];
    if draft.library {
        access.push("family".to_owned());
    }
    let matched = live::matching(state, owner.id, parsed, access, None).await?;
    let cutoff = now - TimeDelta::days(i64::from(draft.days));
    let mut selection = Selection::default();
    for chunk in matched.chunks(500) {
        let mut found = asset::Entity::find()
            .filter(asset::Column::Id.is_in(chunk.iter().copied()))
            .filter(asset::Column::Status.eq("active"))
            .filter(asset::Column::SortAt.lte(cutoff))
            .filter(asset::Column::CreatedAt.lte(cutoff));
        found = if draft.library {
            found.filter(
                asset::Column::OwnerId
                    .eq(owner.id)
                    .or(asset::Column::Visibility.eq("family")),
            )
        } else {
            found.filter(asset::Column::OwnerId.eq(owner.id))
        };
        let found = found
            .order_by_desc(asset::Column::SortAt)
            .all(state.db())
            .await?;
        for one in found {
            if !draft.include_shared && shared(state, &one).await? {
                selection.skipped_shared += 1;
            } else {
                selection.ids.push(one.id);
            }
        }
    }
    Ok(selection)
}

/// Whether `one` is in an album someone other than its owner sees: an
/// album with another member, or with a share link.
async fn shared(state: &AppState, one: &asset::Model) -> Result<bool, AppError> {
    use sea_orm::PaginatorTrait as _;
    Ok(asset::Entity::find()
        .filter(asset::Column::Id.eq(one.id))
        .filter(Expr::cust_with_values(
            "EXISTS (SELECT 1 FROM album_assets e WHERE e.asset_id = assets.id \
             AND e.state <> 'excluded' AND (\
               EXISTS (SELECT 1 FROM album_members m WHERE m.album_id = e.album_id AND m.user_id <> ?) \
               OR EXISTS (SELECT 1 FROM album_links l WHERE l.album_id = e.album_id AND l.revoked_at IS NULL)))",
            [one.owner_id],
        ))
        .count(state.db())
        .await?
        > 0)
}

/// Moves these assets to the trash (as their owners would).
async fn trash(state: &AppState, ids: &[i64]) -> Result<u64, AppError> {
    let mut moved = 0;
    for chunk in ids.chunks(500) {
        moved += asset::Entity::update_many()
            .col_expr(asset::Column::Status, Expr::value("trashed"))
            .col_expr(asset::Column::TrashedAt, Expr::value(Some(state.now())))
            .filter(asset::Column::Id.is_in(chunk.iter().copied()))
            .filter(asset::Column::Status.eq("active"))
            .exec(state.db())
            .await?
            .rows_affected;
    }
    crate::library::announce(state, ids, true).await?;
    Ok(moved)
}

/// Runs every enabled rule as of `now`; returns how many photos went to
/// the trash.
pub async fn run_all(state: &AppState, now: DateTime<Utc>) -> Result<u64, AppError> {
    let rules = retention_rule::Entity::find()
        .filter(retention_rule::Column::Enabled.eq(true))
        .all(state.db())
        .await?;
    let mut total = 0;
    for rule in rules {
        match run(state, &rule, now).await {
            Ok(moved) => total += moved,
            Err(err) => tracing::warn!(rule = rule.id, error = %err.detail(), "retention rule"),
        }
    }
    Ok(total)
}

/// Runs one rule and records what it did.
async fn run(
    state: &AppState,
    rule: &retention_rule::Model,
    now: DateTime<Utc>,
) -> Result<u64, AppError> {
    let Some(owner) = user::Entity::find_by_id(rule.owner_id)
        .one(state.db())
        .await?
    else {
        return Ok(0);
    };
    if owner.status != crate::accounts::users::ACTIVE {
        return Ok(0);
    }
    let selection = select(state, &owner, &draft_of(rule), now).await?;
    let moved = trash(state, &selection.ids).await?;
    let moved_count = i64::try_from(moved).unwrap_or(i64::MAX);
    retention_rule::Entity::update_many()
        .col_expr(
            retention_rule::Column::LastRunAt,
            Expr::value(Some(state.now())),
        )
        .col_expr(
            retention_rule::Column::LastTrashed,
            Expr::value(moved_count),
        )
        .col_expr(
            retention_rule::Column::TotalTrashed,
            Expr::cust_with_values("total_trashed + ?", [moved_count]),
        )
        .filter(retention_rule::Column::Id.eq(rule.id))
        .exec(state.db())
        .await?;
    if moved > 0 {
        tracing::info!(
            rule = rule.id,
            moved,
            "a retention rule moved photos to the trash"
        );
    }
    Ok(moved)
}

#[must_use]
pub fn draft_of(rule: &retention_rule::Model) -> Draft {
    Draft {
        query: rule.query.clone(),
        days: rule.days,
        library: rule.scope == "library",
        include_shared: rule.include_shared,
    }
}
