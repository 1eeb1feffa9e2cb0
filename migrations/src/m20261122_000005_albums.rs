//! Albums: members with roles, their photos (added by hand, matched by a
//! live album's rule, or excluded from it), comments and hearts, share
//! links and the guests who unlocked them; notifications learn which album
//! and photo they are about, and batch (`count`). Triggers extend the
//! search change log: a photo's document carries its albums (access
//! tokens, titles, comments).

use sea_orm_migration::prelude::*;

use crate::m20261122_000002_library::{col, foreign, id, index};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261122_000005_albums"
    }
}

const TRIGGERS: [(&str, &str); 7] = [
    (
        "tr_album_assets_search_insert",
        "AFTER INSERT ON album_assets BEGIN INSERT INTO search_changes (asset_id) VALUES (NEW.asset_id); END",
    ),
    (
        "tr_album_assets_search_update",
        "AFTER UPDATE ON album_assets BEGIN INSERT INTO search_changes (asset_id) VALUES (NEW.asset_id); END",
    ),
    (
        "tr_album_assets_search_delete",
        "AFTER DELETE ON album_assets BEGIN INSERT INTO search_changes (asset_id) VALUES (OLD.asset_id); END",
    ),
    (
        "tr_comments_search_insert",
        "AFTER INSERT ON comments WHEN NEW.asset_id IS NOT NULL BEGIN INSERT INTO search_changes (asset_id) VALUES (NEW.asset_id); END",
    ),
    (
        "tr_comments_search_update",
        "AFTER UPDATE ON comments WHEN NEW.asset_id IS NOT NULL BEGIN INSERT INTO search_changes (asset_id) VALUES (NEW.asset_id); END",
    ),
    (
        "tr_comments_search_delete",
        "AFTER DELETE ON comments WHEN OLD.asset_id IS NOT NULL BEGIN INSERT INTO search_changes (asset_id) VALUES (OLD.asset_id); END",
    ),
    (
        "tr_albums_search_title",
        "AFTER UPDATE OF title ON albums BEGIN INSERT INTO search_changes (asset_id) SELECT asset_id FROM album_assets WHERE album_id = NEW.id; END",
    ),
];

const TABLES: [&str; 7] = [
    "link_grants",
    "album_links",
    "reactions",
    "comments",
    "album_assets",
    "album_members",
    "albums",
];

/// Columns added to existing tables.
const ADDED: [(&str, &str); 5] = [
    // A guest's name, for a photo uploaded through a share link.
    ("assets", "guest_name"),
    ("notifications", "album_id"),
    ("notifications", "asset_id"),
    ("notifications", "actor_id"),
    ("notifications", "count"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(
        clippy::too_many_lines,
        reason = "one table after another reads best as one list"
    )]
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        use ForeignKeyAction::{Cascade, SetNull};

        let mut albums = Table::create();
        albums.table(Alias::new("albums"));
        id(&mut albums)
            .col(col("owner_id").big_integer().not_null())
            .col(col("title").text().not_null())
            .col(col("description").text().not_null())
            .col(col("cover_asset_id").big_integer().null())
            // taken | custom
            .col(col("sort").text().not_null())
            // A live album's saved search (absent: a manual album).
            .col(col("rule").text().null())
            .col(col("created_at").timestamp_with_time_zone().not_null())
            // Last change of its content, title or conversation.
            .col(col("updated_at").timestamp_with_time_zone().not_null())
            .foreign_key(&mut foreign("albums", "owner_id", "users", Cascade))
            .foreign_key(&mut foreign("albums", "cover_asset_id", "assets", SetNull));
        manager.create_table(albums).await?;

        let mut members = Table::create();
        members.table(Alias::new("album_members"));
        id(&mut members)
            .col(col("album_id").big_integer().not_null())
            .col(col("user_id").big_integer().not_null())
            // owner | editor | contributor | viewer
            .col(col("role").text().not_null())
            .col(col("muted").boolean().not_null())
            .col(col("added_at").timestamp_with_time_zone().not_null())
            .foreign_key(&mut foreign("album_members", "album_id", "albums", Cascade))
            .foreign_key(&mut foreign("album_members", "user_id", "users", Cascade));
        manager.create_table(members).await?;
        manager
            .create_index(index(
                "album_members",
                "member",
                &["album_id", "user_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("album_members", "user", &["user_id"], false))
            .await?;

        let mut entries = Table::create();
        entries.table(Alias::new("album_assets"));
        id(&mut entries)
            .col(col("album_id").big_integer().not_null())
            .col(col("asset_id").big_integer().not_null())
            // manual (added or pinned) | live (matched by the rule) |
            // excluded (kept out of a live album)
            .col(col("state").text().not_null())
            .col(col("added_by").big_integer().null())
            .col(col("guest_name").text().null())
            .col(col("added_at").timestamp_with_time_zone().not_null())
            // Custom order (absent: after the ordered ones, by capture time).
            .col(col("position").double().null())
            .foreign_key(&mut foreign("album_assets", "album_id", "albums", Cascade))
            .foreign_key(&mut foreign("album_assets", "asset_id", "assets", Cascade))
            .foreign_key(&mut foreign("album_assets", "added_by", "users", SetNull));
        manager.create_table(entries).await?;
        manager
            .create_index(index(
                "album_assets",
                "entry",
                &["album_id", "asset_id"],
                true,
            ))
            .await?;
        manager
            .create_index(index("album_assets", "asset", &["asset_id"], false))
            .await?;

        let mut links = Table::create();
        links.table(Alias::new("album_links"));
        id(&mut links)
            .col(col("album_id").big_integer().not_null())
            // 128 random bits, base64url: the link's secret.
            .col(col("token").text().not_null().unique_key())
            .col(col("label").text().not_null())
            .col(col("created_by").big_integer().null())
            .col(col("created_at").timestamp_with_time_zone().not_null())
            .col(col("expires_at").timestamp_with_time_zone().null())
            // argon2id
            .col(col("password_hash").text().null())
            .col(col("allow_download").boolean().not_null())
            .col(col("allow_comments").boolean().not_null())
            .col(col("allow_uploads").boolean().not_null())
            .col(col("revoked_at").timestamp_with_time_zone().null())
            .col(col("last_used_at").timestamp_with_time_zone().null())
            .col(col("views").big_integer().not_null())
            .foreign_key(&mut foreign("album_links", "album_id", "albums", Cascade))
            .foreign_key(&mut foreign("album_links", "created_by", "users", SetNull));
        manager.create_table(links).await?;

        // A browser that gave a link's password: only the hash of its
        // cookie is kept.
        let mut grants = Table::create();
        grants.table(Alias::new("link_grants"));
        id(&mut grants)
            .col(col("link_id").big_integer().not_null())
            .col(col("token_hash").text().not_null().unique_key())
            .col(col("created_at").timestamp_with_time_zone().not_null())
            .col(col("expires_at").timestamp_with_time_zone().not_null())
            .foreign_key(&mut foreign(
                "link_grants",
                "link_id",
                "album_links",
                Cascade,
            ));
        manager.create_table(grants).await?;

        let mut comments = Table::create();
        comments.table(Alias::new("comments"));
        id(&mut comments)
            .col(col("album_id").big_integer().not_null())
            // Absent: on the album itself.
            .col(col("asset_id").big_integer().null())
            // Absent: a guest's (then `guest_name` and `link_id`).
            .col(col("user_id").big_integer().null())
            .col(col("guest_name").text().null())
            .col(col("link_id").big_integer().null())
            .col(col("body").text().not_null())
            .col(col("created_at").timestamp_with_time_zone().not_null())
            .col(col("edited_at").timestamp_with_time_zone().null())
            .foreign_key(&mut foreign("comments", "album_id", "albums", Cascade))
            .foreign_key(&mut foreign("comments", "asset_id", "assets", Cascade))
            .foreign_key(&mut foreign("comments", "user_id", "users", Cascade))
            .foreign_key(&mut foreign("comments", "link_id", "album_links", SetNull));
        manager.create_table(comments).await?;
        manager
            .create_index(index(
                "comments",
                "thread",
                &["album_id", "asset_id", "created_at"],
                false,
            ))
            .await?;
        manager
            .create_index(index("comments", "asset", &["asset_id"], false))
            .await?;

        let mut reactions = Table::create();
        reactions.table(Alias::new("reactions"));
        id(&mut reactions)
            .col(col("album_id").big_integer().not_null())
            .col(col("asset_id").big_integer().null())
            .col(col("user_id").big_integer().not_null())
            .col(col("created_at").timestamp_with_time_zone().not_null())
            .foreign_key(&mut foreign("reactions", "album_id", "albums", Cascade))
            .foreign_key(&mut foreign("reactions", "asset_id", "assets", Cascade))
            .foreign_key(&mut foreign("reactions", "user_id", "users", Cascade));
        manager.create_table(reactions).await?;

        let db = manager.get_connection();
        // One heart per person on the album or on one of its photos.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX ix_reactions_one ON reactions (album_id, IFNULL(asset_id, 0), user_id)",
        )
        .await?;
        for (table, column) in ADDED {
            let mut definition = col(column);
            if column == "count" {
                definition.integer().not_null().default(1);
            } else if column.ends_with("_id") {
                definition.big_integer().null();
            } else {
                definition.text().null();
            }
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .add_column(definition)
                        .take(),
                )
                .await?;
        }
        manager
            .create_index(index("notifications", "album", &["album_id"], false))
            .await?;
        for (name, body) in TRIGGERS {
            db.execute_unprepared(&format!("CREATE TRIGGER {name} {body}"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for (name, _) in TRIGGERS {
            db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                .await?;
        }
        db.execute_unprepared("DROP INDEX IF EXISTS ix_notifications_album")
            .await?;
        for (table, column) in ADDED {
            manager
                .alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .take(),
                )
                .await?;
        }
        for table in TABLES {
            manager
                .drop_table(Table::drop().table(Alias::new(table)).take())
                .await?;
        }
        Ok(())
    }
}
