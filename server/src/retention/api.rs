//! Retention over HTTP: your privacy page (what is stored, takeout,
//! deleting your account, your retention rules), emptying the trash, and
//! for the owner the sweeps, pending deletions and deletion receipts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use poem::Body;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::{Attachment, AttachmentType, Json};
use poem_openapi::{ApiResponse, Object, OpenApi};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder};

use super::{deletion, rules, sweeps, takeout};
use crate::accounts::api::Reauth;
use crate::accounts::principal::{Auth, SessionAuth};
use crate::accounts::tokens::Scope;
use crate::api::{ApiTag, link_base};
use crate::db::entities::{account_deletion, asset, export, retention_rule, user};
use crate::error::AppError;
use crate::library::access::Viewer;
use crate::library::api::Brief;
use crate::library::timeline::brief;
use crate::state::AppState;

pub struct RetentionApi;

#[derive(ApiResponse)]
pub enum Done {
    #[oai(status = 204)]
    Done,
}

#[derive(Debug, Object)]
pub struct Purged {
    /// Photos and videos purged.
    pub purged: u64,
}

#[derive(Debug, Object)]
pub struct RetentionSettings {
    pub trash_days: u16,
    pub account_grace_days: u16,
    pub audit_days: u16,
}

impl RetentionSettings {
    fn of(state: &AppState) -> Self {
        let config = &state.config().retention;
        Self {
            trash_days: config.trash_days,
            account_grace_days: config.account_grace_days,
            audit_days: config.audit_days,
        }
    }
}

#[derive(Debug, Object)]
pub struct PendingDeletion {
    pub requested_at: DateTime<Utc>,
    pub purge_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
pub struct Privacy {
    /// How many of each kind Hearth keeps about you.
    pub stored: BTreeMap<String, u64>,
    pub retention: RetentionSettings,
}

#[derive(Debug, Object)]
pub struct DeleteAccount {
    /// Your username, typed.
    #[oai(validator(max_length = 64))]
    pub confirm: String,
    /// That it is you: password (and two-step code) or a passkey.
    #[oai(flatten)]
    pub proof: Reauth,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct DeletionRequested {
    pub purge_at: DateTime<Utc>,
    /// For your own account: the one way for you to cancel (shown once).
    #[oai(skip_serializing_if_is_none)]
    pub cancel_url: Option<String>,
}

#[derive(Debug, Object)]
pub struct ConfirmDeletion {
    /// The member's username, typed.
    #[oai(validator(max_length = 64))]
    pub confirm: String,
    /// That it is you (the owner or admin): password (and two-step code)
    /// or a passkey.
    #[oai(flatten)]
    pub proof: Reauth,
}

#[derive(Debug, Object)]
pub struct CancelToken {
    #[oai(validator(max_length = 128))]
    pub token: String,
}

#[derive(Debug, Object)]
pub struct Cancelled {
    pub display_name: String,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Export {
    pub id: i64,
    /// `queued`, `running`, `ready`, `failed` or `expired`.
    pub status: String,
    pub files_total: i64,
    pub files_done: i64,
    /// The archive's size (so far).
    pub bytes: i64,
    pub estimated_bytes: i64,
    pub created_at: DateTime<Utc>,
    pub ready_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Set while the archive can be downloaded (with your session).
    pub download_url: Option<String>,
}

impl Export {
    fn of(row: export::Model, now: DateTime<Utc>) -> Self {
        let ready = row.status == "ready" && row.expires_at > now;
        Self {
            id: row.id,
            status: if row.status == "ready" && !ready {
                "expired".to_owned()
            } else {
                row.status
            },
            files_total: row.files_total,
            files_done: row.files_done,
            bytes: row.bytes,
            estimated_bytes: row.estimated_bytes,
            created_at: row.created_at,
            ready_at: row.ready_at,
            expires_at: ready.then_some(row.expires_at),
            error: row.error,
            download_url: ready.then(|| format!("/api/me/exports/{}/download", row.id)),
        }
    }
}

#[derive(Debug, Object)]
pub struct ExportEstimate {
    pub files: u64,
    pub bytes: u64,
}

#[derive(Debug, Object)]
pub struct Exports {
    pub estimate: ExportEstimate,
    pub exports: Vec<Export>,
}

#[derive(ApiResponse)]
pub enum ExportQueued {
    #[oai(status = 202)]
    Queued(Json<Export>),
}

#[derive(ApiResponse)]
pub enum DeletionAccepted {
    #[oai(status = 202)]
    Accepted(Json<DeletionRequested>),
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Rule {
    pub id: i64,
    pub query: String,
    pub days: i32,
    /// `mine` or `library` (the owner's, over everyone's photos).
    pub scope: String,
    pub include_shared: bool,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_trashed: i64,
    pub total_trashed: i64,
}

impl From<retention_rule::Model> for Rule {
    fn from(rule: retention_rule::Model) -> Self {
        Self {
            id: rule.id,
            query: rule.query,
            days: rule.days,
            scope: rule.scope,
            include_shared: rule.include_shared,
            enabled: rule.enabled,
            created_at: rule.created_at,
            last_run_at: rule.last_run_at,
            last_trashed: rule.last_trashed,
            total_trashed: rule.total_trashed,
        }
    }
}

#[derive(Debug, Object)]
pub struct Rules {
    pub rules: Vec<Rule>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RuleDraft {
    /// A search, e.g. `album:"Garage sale"` or `video`.
    #[oai(validator(min_length = 1, max_length = 500))]
    pub query: String,
    /// Photos older than this many days (1–3650).
    #[oai(validator(minimum(value = "1"), maximum(value = "3650")))]
    pub days: i32,
    /// `mine` (default) or `library` (owner only).
    pub scope: Option<String>,
    /// Also photos in albums shared with others.
    #[oai(default)]
    pub include_shared: bool,
    pub enabled: Option<bool>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct RuleChange {
    #[oai(validator(min_length = 1, max_length = 500))]
    pub query: Option<String>,
    #[oai(validator(minimum(value = "1"), maximum(value = "3650")))]
    pub days: Option<i32>,
    pub scope: Option<String>,
    pub include_shared: Option<bool>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Object)]
pub struct DryRun {
    /// Photos the rule would move to the trash today.
    pub count: u64,
    /// Matched, but skipped: in an album shared with others.
    pub skipped_shared: u64,
    /// Some of them (at most 60), newest first.
    pub sample: Vec<Brief>,
}

#[derive(ApiResponse)]
pub enum RuleCreated {
    #[oai(status = 201)]
    Created(Json<Rule>),
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Sweep {
    pub name: String,
    pub last_run_at: Option<DateTime<Utc>>,
    pub last_removed: i64,
    pub total_removed: i64,
}

#[derive(Debug, Object)]
pub struct SweepRun {
    pub at: DateTime<Utc>,
    /// What each sweep removed.
    pub removed: BTreeMap<String, u64>,
}

#[derive(Debug, Object)]
pub struct Pending {
    pub user_id: i64,
    pub display_name: String,
    pub requested_at: DateTime<Utc>,
    pub purge_at: DateTime<Utc>,
}

#[derive(Debug, Object)]
#[oai(skip_serializing_if_is_none)]
pub struct Receipt {
    pub id: i64,
    pub requested_at: DateTime<Utc>,
    pub purged_at: Option<DateTime<Utc>>,
    pub role: String,
    /// What kinds, and how many of each, were removed.
    pub removed: BTreeMap<String, u64>,
}

#[derive(Debug, Object)]
pub struct RetentionOverview {
    pub settings: RetentionSettings,
    pub sweeps: Vec<Sweep>,
    /// Runs that removed something, newest first (at most 50).
    pub history: Vec<SweepRun>,
    pub pending: Vec<Pending>,
    pub receipts: Vec<Receipt>,
}

fn sample(
    state: &AppState,
    me: Viewer,
    ids: &[i64],
) -> impl Future<Output = Result<Vec<Brief>, AppError>> {
    let db = state.db().clone();
    let ids: Vec<i64> = ids.iter().copied().take(60).collect();
    async move {
        let found = asset::Entity::find()
            .filter(asset::Column::Id.is_in(ids))
            .order_by_desc(asset::Column::SortAt)
            .all(&db)
            .await?;
        Ok(found.iter().map(|a| brief(a, me)).collect())
    }
}

fn draft(
    scope: Option<&str>,
    query: String,
    days: i32,
    include_shared: bool,
) -> Result<rules::Draft, AppError> {
    let library = match scope.unwrap_or("mine") {
        "mine" => false,
        "library" => true,
        other => {
            return Err(AppError::InvalidRequest(format!(
                "“{other}” is not a scope: use mine or library."
            )));
        }
    };
    Ok(rules::Draft {
        query,
        days,
        library,
        include_shared,
    })
}

async fn rule_of(
    state: &AppState,
    me: &user::Model,
    id: i64,
) -> Result<retention_rule::Model, AppError> {
    retention_rule::Entity::find_by_id(id)
        .filter(retention_rule::Column::OwnerId.eq(me.id))
        .one(state.db())
        .await?
        .ok_or_else(|| AppError::NotFound("There is no such rule.".into()))
}

#[OpenApi(tag = "ApiTag::Retention")]
impl RetentionApi {
    /// Purge everything in your trash now (files in import folders stay on
    /// the NAS; Hearth forgets them and does not import them again).
    #[oai(path = "/trash/empty", method = "post", operation_id = "empty_trash")]
    async fn empty_trash(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Purged>, AppError> {
        let purged = super::purge::empty_trash(&state, auth.0.user.id).await?;
        Ok(Json(Purged {
            purged: purged.assets(),
        }))
    }

    /// What Hearth stores about you, the retention periods, and whether
    /// your account is being deleted.
    #[oai(path = "/me/privacy", method = "get", operation_id = "my_privacy")]
    async fn privacy(&self, auth: Auth, state: Data<&AppState>) -> Result<Json<Privacy>, AppError> {
        let me = auth.principal();
        me.require_scope(Scope::Read)?;
        let receipt = deletion::counts(state.db(), me.user.id).await?;
        let mut stored: BTreeMap<String, u64> = match serde_json::to_value(&receipt) {
            Ok(serde_json::Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| Some((k, v.as_u64()?)))
                .collect(),
            _ => BTreeMap::new(),
        };
        for (key, sql) in [
            (
                "photos",
                "SELECT COUNT(*) FROM assets WHERE owner_id = ? AND kind <> 'video' AND status <> 'trashed'",
            ),
            (
                "videos",
                "SELECT COUNT(*) FROM assets WHERE owner_id = ? AND kind = 'video' AND status <> 'trashed'",
            ),
            (
                "in_trash",
                "SELECT COUNT(*) FROM assets WHERE owner_id = ? AND status = 'trashed'",
            ),
            (
                "bytes",
                "SELECT COALESCE(SUM(bytes), 0) FROM assets WHERE owner_id = ?",
            ),
            (
                "audit_entries",
                "SELECT COUNT(*) FROM audit_log WHERE actor_id = ?1 OR target_user_id = ?1",
            ),
        ] {
            let row = state
                .db()
                .query_one_raw(sea_orm::Statement::from_sql_and_values(
                    DbBackend::Sqlite,
                    sql,
                    [me.user.id.into()],
                ))
                .await?;
            let value: i64 = row.and_then(|r| r.try_get_by_index(0).ok()).unwrap_or(0);
            stored.insert(key.to_owned(), u64::try_from(value).unwrap_or(0));
        }
        Ok(Json(Privacy {
            stored,
            retention: RetentionSettings::of(&state),
        }))
    }

    /// Delete your account: signed out everywhere at once, purged after the
    /// grace period unless cancelled. Needs your username typed and your
    /// password or a passkey. The owner must hand over ownership first.
    #[oai(
        path = "/me/deletion",
        method = "post",
        operation_id = "delete_my_account"
    )]
    async fn delete_me(
        &self,
        req: &poem::Request,
        auth: SessionAuth,
        state: Data<&AppState>,
        jar: &poem::web::cookie::CookieJar,
        body: Json<DeleteAccount>,
    ) -> Result<DeletionAccepted, AppError> {
        let me = &auth.0;
        body.proof.check(&state, me).await?;
        let requested = deletion::request(&state, me, me.user.id, &body.confirm).await?;
        jar.remove(crate::accounts::sessions::SESSION_COOKIE);
        Ok(DeletionAccepted::Accepted(Json(DeletionRequested {
            purge_at: requested.purge_at,
            cancel_url: requested.cancel_token.map(|token| {
                let mut url = link_base(&state, req);
                url.set_path("/cancel-deletion");
                url.set_query(Some(&format!("token={token}")));
                url.to_string()
            }),
        })))
    }

    /// Cancel your account's deletion with the link you were given (no
    /// sign-in needed: you cannot sign in meanwhile).
    #[oai(
        path = "/account-deletion/cancel",
        method = "post",
        operation_id = "cancel_my_deletion"
    )]
    async fn cancel_mine(
        &self,
        state: Data<&AppState>,
        body: Json<CancelToken>,
    ) -> Result<Json<Cancelled>, AppError> {
        let display_name = deletion::cancel_with_token(&state, &body.token).await?;
        Ok(Json(Cancelled { display_name }))
    }

    /// Delete a member's account (owner: anyone but themself; admins:
    /// members). Purged after the grace period unless cancelled.
    #[oai(
        path = "/household/members/:id/deletion",
        method = "post",
        operation_id = "delete_member"
    )]
    async fn delete_member(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<ConfirmDeletion>,
    ) -> Result<DeletionAccepted, AppError> {
        let me = &auth.0;
        if me.user.id == id.0 {
            return Err(AppError::InvalidRequest(
                "To delete your own account, use Settings → Privacy.".into(),
            ));
        }
        me.require_admin()?;
        body.proof.check(&state, me).await?;
        let requested = deletion::request(&state, me, id.0, &body.confirm).await?;
        Ok(DeletionAccepted::Accepted(Json(DeletionRequested {
            purge_at: requested.purge_at,
            cancel_url: None,
        })))
    }

    /// Cancel a member's pending deletion (owner and admins).
    #[oai(
        path = "/household/members/:id/deletion",
        method = "delete",
        operation_id = "cancel_member_deletion"
    )]
    async fn cancel_member(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        deletion::cancel(&state, &auth.0, id.0).await?;
        Ok(Done::Done)
    }

    /// Your exports (takeout) and what a new one would hold.
    #[oai(path = "/me/exports", method = "get", operation_id = "my_exports")]
    async fn exports(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Exports>, AppError> {
        let me = &auth.0;
        let estimate = takeout::estimate(&state, me.user.id).await?;
        let now = state.now();
        Ok(Json(Exports {
            estimate: ExportEstimate {
                files: estimate.files,
                bytes: estimate.bytes,
            },
            exports: takeout::list(&state, me.user.id)
                .await?
                .into_iter()
                .map(|row| Export::of(row, now))
                .collect(),
        }))
    }

    /// Start an export of everything that is yours: originals, metadata,
    /// albums, comments, account. Ready to download for 24 hours.
    #[oai(path = "/me/exports", method = "post", operation_id = "start_export")]
    async fn start_export(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<ExportQueued, AppError> {
        let row = takeout::request(&state, auth.0.user.id).await?;
        Ok(ExportQueued::Queued(Json(Export::of(row, state.now()))))
    }

    /// Download a ready export (a zip).
    #[oai(
        path = "/me/exports/:id/download",
        method = "get",
        operation_id = "download_export"
    )]
    async fn download(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Attachment<Body>, AppError> {
        let me = &auth.0;
        let path = takeout::archive(&state, me.user.id, id.0).await?;
        let file = tokio::fs::File::open(&path).await.map_err(|_| {
            AppError::LinkUnusable("This export has expired. Make a new one.".into())
        })?;
        let date = state.now().format("%Y-%m-%d");
        Ok(Attachment::new(Body::from_async_read(file))
            .attachment_type(AttachmentType::Attachment)
            .filename(format!("hearth-takeout-{}-{date}.zip", me.user.username)))
    }

    /// Delete an export's archive now.
    #[oai(
        path = "/me/exports/:id",
        method = "delete",
        operation_id = "delete_export"
    )]
    async fn delete_export(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        let found = takeout::find(&state, auth.0.user.id, id.0).await?;
        takeout::remove_archive(&state, found.id).await?;
        super::purge::checkpoint(state.db()).await?;
        Ok(Done::Done)
    }

    /// Your retention rules (the owner also sees the library-wide ones).
    #[oai(
        path = "/retention/rules",
        method = "get",
        operation_id = "retention_rules"
    )]
    async fn rules(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<Rules>, AppError> {
        let rules = retention_rule::Entity::find()
            .filter(retention_rule::Column::OwnerId.eq(auth.0.user.id))
            .order_by_asc(retention_rule::Column::Id)
            .all(state.db())
            .await?;
        Ok(Json(Rules {
            rules: rules.into_iter().map(Rule::from).collect(),
        }))
    }

    /// What a rule would move to the trash today (a dry run).
    #[oai(
        path = "/retention/preview",
        method = "post",
        operation_id = "preview_retention_rule"
    )]
    async fn preview(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<RuleDraft>,
    ) -> Result<Json<DryRun>, AppError> {
        let me = &auth.0;
        let body = body.0;
        let draft = draft(
            body.scope.as_deref(),
            body.query,
            body.days,
            body.include_shared,
        )?;
        let selection = rules::select(&state, &me.user, &draft, state.now()).await?;
        let viewer = Viewer {
            user_id: me.user.id,
        };
        Ok(Json(DryRun {
            count: selection.ids.len() as u64,
            skipped_shared: selection.skipped_shared,
            sample: sample(&state, viewer, &selection.ids).await?,
        }))
    }

    /// Add a retention rule.
    #[oai(
        path = "/retention/rules",
        method = "post",
        operation_id = "create_retention_rule"
    )]
    async fn create_rule(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        body: Json<RuleDraft>,
    ) -> Result<RuleCreated, AppError> {
        use sea_orm::{ActiveModelTrait as _, Set};
        let me = &auth.0;
        let body = body.0;
        let enabled = body.enabled.unwrap_or(true);
        let draft = draft(
            body.scope.as_deref(),
            body.query,
            body.days,
            body.include_shared,
        )?;
        rules::check(&me.user, &draft)?;
        let now = state.now();
        let rule = retention_rule::ActiveModel {
            owner_id: Set(me.user.id),
            scope: Set(if draft.library { "library" } else { "mine" }.to_owned()),
            query: Set(draft.query.trim().to_owned()),
            days: Set(draft.days),
            include_shared: Set(draft.include_shared),
            enabled: Set(enabled),
            created_at: Set(now),
            updated_at: Set(now),
            last_run_at: Set(None),
            last_trashed: Set(0),
            total_trashed: Set(0),
            ..Default::default()
        }
        .insert(state.db())
        .await?;
        Ok(RuleCreated::Created(Json(rule.into())))
    }

    /// Change a retention rule.
    #[oai(
        path = "/retention/rules/:id",
        method = "patch",
        operation_id = "change_retention_rule"
    )]
    async fn change_rule(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
        body: Json<RuleChange>,
    ) -> Result<Json<Rule>, AppError> {
        use sea_orm::{ActiveModelTrait as _, IntoActiveModel as _, Set};
        let me = &auth.0;
        let rule = rule_of(&state, &me.user, id.0).await?;
        let body = body.0;
        let current = rules::draft_of(&rule);
        let scope = body.scope.unwrap_or_else(|| rule.scope.clone());
        let draft = draft(
            Some(&scope),
            body.query.unwrap_or(current.query),
            body.days.unwrap_or(current.days),
            body.include_shared.unwrap_or(current.include_shared),
        )?;
        rules::check(&me.user, &draft)?;
        let mut active = rule.clone().into_active_model();
        active.scope = Set(scope);
        active.query = Set(draft.query.trim().to_owned());
        active.days = Set(draft.days);
        active.include_shared = Set(draft.include_shared);
        active.enabled = Set(body.enabled.unwrap_or(rule.enabled));
        active.updated_at = Set(state.now());
        Ok(Json(active.update(state.db()).await?.into()))
    }

    /// Remove a retention rule.
    #[oai(
        path = "/retention/rules/:id",
        method = "delete",
        operation_id = "delete_retention_rule"
    )]
    async fn delete_rule(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
        id: Path<i64>,
    ) -> Result<Done, AppError> {
        let rule = rule_of(&state, &auth.0.user, id.0).await?;
        retention_rule::Entity::delete_by_id(rule.id)
            .exec(state.db())
            .await?;
        Ok(Done::Done)
    }

    /// Retention for the owner: settings, sweeps, pending deletions and
    /// deletion receipts (no names in them).
    #[oai(
        path = "/admin/retention",
        method = "get",
        operation_id = "retention_overview"
    )]
    async fn overview(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<RetentionOverview>, AppError> {
        auth.0.require_owner()?;
        overview(&state).await.map(Json)
    }

    /// Run every retention sweep now (owner only); answers what each removed.
    #[oai(
        path = "/admin/retention/run",
        method = "post",
        operation_id = "run_retention"
    )]
    async fn run(
        &self,
        auth: SessionAuth,
        state: Data<&AppState>,
    ) -> Result<Json<SweepRun>, AppError> {
        auth.0.require_owner()?;
        let report = sweeps::run(&state).await?;
        Ok(Json(SweepRun {
            at: report.at,
            removed: report.removed,
        }))
    }
}

async fn overview(state: &AppState) -> Result<RetentionOverview, AppError> {
    let db = state.db();
    let rows = db
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT name, last_run_at, last_removed, total_removed FROM sweeps",
        ))
        .await?;
    let mut known: BTreeMap<String, Sweep> = BTreeMap::new();
    for row in rows {
        let name: String = row.try_get_by_index(0)?;
        known.insert(
            name.clone(),
            Sweep {
                name,
                last_run_at: row.try_get_by_index(1)?,
                last_removed: row.try_get_by_index(2)?,
                total_removed: row.try_get_by_index(3)?,
            },
        );
    }
    let sweeps = sweeps::NAMES
        .iter()
        .map(|name| {
            known.remove(*name).unwrap_or(Sweep {
                name: (*name).to_owned(),
                last_run_at: None,
                last_removed: 0,
                total_removed: 0,
            })
        })
        .collect();
    let history = db
        .query_all_raw(sea_orm::Statement::from_string(
            DbBackend::Sqlite,
            "SELECT at, removed FROM sweep_runs ORDER BY id DESC LIMIT 50",
        ))
        .await?
        .into_iter()
        .filter_map(|row| {
            Some(SweepRun {
                at: row.try_get_by_index(0).ok()?,
                removed: serde_json::from_str(&row.try_get_by_index::<String>(1).ok()?).ok()?,
            })
        })
        .collect();
    let mut pending = Vec::new();
    for one in deletion::pending(state).await? {
        let Some(user_id) = one.user_id else { continue };
        let name = user::Entity::find_by_id(user_id)
            .one(db)
            .await?
            .map(|u| u.display_name)
            .unwrap_or_default();
        pending.push(Pending {
            user_id,
            display_name: name,
            requested_at: one.requested_at,
            purge_at: one.purge_at,
        });
    }
    let receipts = account_deletion::Entity::find()
        .filter(account_deletion::Column::Status.eq("purged"))
        .order_by_desc(account_deletion::Column::PurgedAt)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Receipt {
            id: row.id,
            requested_at: row.requested_at,
            purged_at: row.purged_at,
            role: row.role,
            removed: row
                .removed
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or_default(),
        })
        .collect();
    Ok(RetentionOverview {
        settings: RetentionSettings::of(state),
        sweeps,
        history,
        pending,
        receipts,
    })
}
