//! Phones that back up by themselves over WebDAV: device passwords (a
//! member's, shown once, stored as a hash), the tree each member's backup
//! apps see (`dav_entries`: the names, sizes and times the apps sent, each
//! pointing at the photo it became, or at bytes kept as they came), the
//! properties apps set on it, and what a member deleted (`kept_out`: the
//! content's hash, so a phone's upload of it again stays out). And where
//! an album came from (`albums.source`: a Google takeout's import).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &'static str {
        "m20261209_000012_webdav"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for statement in [
            "CREATE TABLE device_passwords (\
               id INTEGER PRIMARY KEY AUTOINCREMENT, \
               user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, \
               name TEXT NOT NULL, \
               secret_hash TEXT NOT NULL UNIQUE, \
               created_at TEXT NOT NULL, \
               last_used_at TEXT, \
               last_used_from TEXT)",
            "CREATE INDEX device_passwords_user ON device_passwords (user_id)",
            // `parent` is the folder's path inside the member's tree ('' at
            // its top, 'DCIM/Camera' below). `state`: 'folder', 'photo' (an
            // asset: imported or already there), 'file' (kept as it came:
            // not a photo), 'kept_out' (deleted before: its bytes wait in
            // the trash's kept-out list).
            "CREATE TABLE dav_entries (\
               id INTEGER PRIMARY KEY AUTOINCREMENT, \
               user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, \
               parent TEXT NOT NULL, \
               name TEXT NOT NULL, \
               state TEXT NOT NULL, \
               bytes INTEGER NOT NULL DEFAULT 0, \
               hash TEXT, \
               asset_id INTEGER REFERENCES assets(id) ON DELETE SET NULL, \
               blob TEXT, \
               modified_at TEXT NOT NULL, \
               created_at TEXT NOT NULL, \
               UNIQUE (user_id, parent, name))",
            "CREATE INDEX dav_entries_asset ON dav_entries (asset_id)",
            "CREATE INDEX dav_entries_kept_out ON dav_entries (user_id, state)",
            "CREATE TABLE dav_props (\
               entry_id INTEGER NOT NULL REFERENCES dav_entries(id) ON DELETE CASCADE, \
               namespace TEXT NOT NULL, \
               name TEXT NOT NULL, \
               prefix TEXT, \
               xml BLOB, \
               PRIMARY KEY (entry_id, namespace, name)) WITHOUT ROWID",
            "CREATE TABLE kept_out (\
               user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, \
               hash TEXT NOT NULL, \
               deleted_at TEXT NOT NULL, \
               PRIMARY KEY (user_id, hash)) WITHOUT ROWID",
            // Whatever trashes a photo (the member, a retention rule, the
            // trash of a whole account) remembers its content for its owner;
            // a restore forgets it. A purge leaves the memory in place.
            // (A Live Photo's video too: the phone sends it as its own file.)
            "CREATE TRIGGER kept_out_on_trash AFTER UPDATE OF status ON assets \
             WHEN NEW.status = 'trashed' AND OLD.status <> 'trashed' BEGIN \
               INSERT INTO kept_out (user_id, hash, deleted_at) \
               SELECT NEW.owner_id, h, COALESCE(NEW.trashed_at, strftime('%Y-%m-%dT%H:%M:%SZ', 'now')) \
               FROM (SELECT NEW.hash AS h UNION ALL SELECT NEW.motion_hash WHERE NEW.motion_hash IS NOT NULL) \
               WHERE true ON CONFLICT (user_id, hash) DO UPDATE SET deleted_at = excluded.deleted_at; \
             END",
            "CREATE TRIGGER kept_out_on_restore AFTER UPDATE OF status ON assets \
             WHEN OLD.status = 'trashed' AND NEW.status <> 'trashed' BEGIN \
               DELETE FROM kept_out WHERE user_id = NEW.owner_id \
                 AND (hash = NEW.hash OR hash = NEW.motion_hash); \
             END",
            // An album a Google takeout import made (`google_takeout`): the
            // one a second import of the same takeout adds to.
            "ALTER TABLE albums ADD COLUMN source TEXT",
            // What is in the trash already was deleted before this version.
            "INSERT OR IGNORE INTO kept_out (user_id, hash, deleted_at) \
             SELECT owner_id, hash, COALESCE(trashed_at, updated_at) FROM assets WHERE status = 'trashed' \
             UNION ALL SELECT owner_id, motion_hash, COALESCE(trashed_at, updated_at) FROM assets \
             WHERE status = 'trashed' AND motion_hash IS NOT NULL",
        ] {
            db.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}
