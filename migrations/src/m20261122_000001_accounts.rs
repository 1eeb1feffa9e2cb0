//! Accounts: users and their credentials (passkeys, password, TOTP), sessions
//! and known devices, one-time links (setup, invites, recovery), API tokens,
//! notifications and the audit log.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261122_000001_accounts"
    }
}

fn id(table: &mut TableCreateStatement) -> &mut TableCreateStatement {
    table.col(
        ColumnDef::new(Alias::new("id"))
            .big_integer()
            .not_null()
            .auto_increment()
            .primary_key(),
    )
}

fn text(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().not_null().take()
}

fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).text().null().take()
}

fn time(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .not_null()
        .take()
}

fn time_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .timestamp_with_time_zone()
        .null()
        .take()
}

fn user_ref(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name))
        .big_integer()
        .not_null()
        .take()
}

fn user_ref_null(name: &str) -> ColumnDef {
    ColumnDef::new(Alias::new(name)).big_integer().null().take()
}

/// A foreign key to `users.id`.
fn to_user(table: &str, column: &str, on_delete: ForeignKeyAction) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(Alias::new(table), Alias::new(column))
        .to(Alias::new("users"), Alias::new("id"))
        .on_delete(on_delete)
        .take()
}

fn index(table: &str, columns: &[&str], unique: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(format!("ix_{table}_{}", columns.join("_")))
        .table(Alias::new(table));
    for column in columns {
        index.col(Alias::new(*column));
    }
    if unique {
        index.unique();
    }
    index.take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(
        clippy::too_many_lines,
        reason = "one table after another reads best as one list"
    )]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        let mut users = Table::create();
        users.table(Alias::new("users"));
        id(&mut users)
            .col(text("username").unique_key())
            .col(text("display_name"))
            .col(text_null("email"))
            // owner | admin | member
            .col(text("role"))
            // active | disabled
            .col(text("status"))
            // The user handle passkeys carry: random, never shown.
            .col(text("webauthn_id").unique_key())
            .col(text_null("password_hash"))
            .col(time_null("password_changed_at"))
            .col(text_null("totp_secret"))
            .col(time_null("totp_enabled_at"))
            // The last TOTP time step accepted: a code works once.
            .col(
                ColumnDef::new(Alias::new("totp_last_step"))
                    .big_integer()
                    .null(),
            )
            .col(time("created_at"))
            .col(time("updated_at"));
        manager.create_table(users).await?;

        let mut passkeys = Table::create();
        passkeys.table(Alias::new("passkeys"));
        id(&mut passkeys)
            .col(user_ref("user_id"))
            .col(text("credential_id").unique_key())
            .col(text("name"))
            // webauthn-rs's Passkey, as JSON: public key, counter, flags.
            .col(text("passkey"))
            .col(time("created_at"))
            .col(time_null("last_used_at"))
            .foreign_key(&mut to_user("passkeys", "user_id", Cascade));
        manager.create_table(passkeys).await?;
        manager
            .create_index(index("passkeys", &["user_id"], false))
            .await?;

        let mut codes = Table::create();
        codes.table(Alias::new("recovery_codes"));
        id(&mut codes)
            .col(user_ref("user_id"))
            .col(text("code_hash"))
            .col(time_null("used_at"))
            .foreign_key(&mut to_user("recovery_codes", "user_id", Cascade));
        manager.create_table(codes).await?;
        manager
            .create_index(index("recovery_codes", &["user_id"], false))
            .await?;

        let mut devices = Table::create();
        devices.table(Alias::new("devices"));
        id(&mut devices)
            .col(user_ref("user_id"))
            .col(text("device_hash"))
            .col(text("label"))
            .col(time("first_seen_at"))
            .col(time("last_seen_at"))
            .foreign_key(&mut to_user("devices", "user_id", Cascade));
        manager.create_table(devices).await?;
        manager
            .create_index(index("devices", &["user_id", "device_hash"], true))
            .await?;

        let mut sessions = Table::create();
        sessions.table(Alias::new("sessions"));
        id(&mut sessions)
            .col(user_ref("user_id"))
            .col(text("token_hash").unique_key())
            .col(text("device_label"))
            .col(text_null("user_agent"))
            .col(text_null("ip"))
            .col(time("created_at"))
            .col(time("last_seen_at"))
            .col(time("expires_at"))
            .col(time("absolute_expires_at"))
            .foreign_key(&mut to_user("sessions", "user_id", Cascade));
        manager.create_table(sessions).await?;
        manager
            .create_index(index("sessions", &["user_id"], false))
            .await?;

        let mut links = Table::create();
        links.table(Alias::new("links"));
        id(&mut links)
            // setup | invite | recovery
            .col(text("kind"))
            .col(text("token_hash").unique_key())
            // The role an invite grants.
            .col(text_null("role"))
            // Whom a recovery link is for.
            .col(user_ref_null("user_id"))
            .col(text_null("label"))
            .col(user_ref_null("created_by"))
            .col(time("created_at"))
            .col(time("expires_at"))
            .col(time_null("used_at"))
            .col(user_ref_null("used_by"))
            .col(time_null("revoked_at"))
            .foreign_key(&mut to_user("links", "user_id", Cascade))
            .foreign_key(&mut to_user("links", "created_by", SetNull))
            .foreign_key(&mut to_user("links", "used_by", SetNull));
        manager.create_table(links).await?;

        let mut tokens = Table::create();
        tokens.table(Alias::new("api_tokens"));
        id(&mut tokens)
            .col(user_ref("user_id"))
            .col(text("name"))
            .col(text("token_hash").unique_key())
            // Comma-separated: read, upload.
            .col(text("scopes"))
            .col(time("created_at"))
            .col(time_null("last_used_at"))
            .foreign_key(&mut to_user("api_tokens", "user_id", Cascade));
        manager.create_table(tokens).await?;

        let mut notifications = Table::create();
        notifications.table(Alias::new("notifications"));
        id(&mut notifications)
            .col(user_ref("user_id"))
            .col(text("kind"))
            .col(text("title"))
            .col(text("body"))
            .col(time("created_at"))
            .col(time_null("read_at"))
            .foreign_key(&mut to_user("notifications", "user_id", Cascade));
        manager.create_table(notifications).await?;
        manager
            .create_index(index("notifications", &["user_id", "read_at"], false))
            .await?;

        let mut audit = Table::create();
        audit.table(Alias::new("audit_log"));
        id(&mut audit)
            .col(time("at"))
            .col(user_ref_null("actor_id"))
            .col(text("action"))
            .col(user_ref_null("target_user_id"))
            .col(text_null("ip"))
            .col(text("details"))
            .foreign_key(&mut to_user("audit_log", "actor_id", SetNull))
            .foreign_key(&mut to_user("audit_log", "target_user_id", SetNull));
        manager.create_table(audit).await?;
        manager
            .create_index(index("audit_log", &["actor_id"], false))
            .await?;
        manager
            .create_index(index("audit_log", &["target_user_id"], false))
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            "audit_log",
            "notifications",
            "api_tokens",
            "links",
            "sessions",
            "devices",
            "recovery_codes",
            "passkeys",
            "users",
        ] {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
