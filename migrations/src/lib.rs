//! Hearth's database schema, as an ordered list of sea-orm migrations.
//!
//! Migrations are frozen history: they never import the server's entities, so
//! changing a model later cannot change what an old migration did.

use sea_orm_migration::prelude::*;

pub use sea_orm_migration::MigratorTrait;

mod m20261122_000001_accounts;
mod m20261122_000002_library;
mod m20261122_000003_library_roots;
mod m20261122_000004_search;
mod m20261122_000005_albums;
mod m20261122_000006_retention;
mod m20261206_000007_content_per_owner;
mod m20261206_000008_recovery_delay;
mod m20261206_000009_honest_records;
mod m20261207_000010_everyday;
mod m20261208_000011_timeline_months;
mod m20261209_000012_webdav;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_accounts::Migration),
            Box::new(m20261122_000002_library::Migration),
            Box::new(m20261122_000003_library_roots::Migration),
            Box::new(m20261122_000004_search::Migration),
            Box::new(m20261122_000005_albums::Migration),
            Box::new(m20261122_000006_retention::Migration),
            Box::new(m20261206_000007_content_per_owner::Migration),
            Box::new(m20261206_000008_recovery_delay::Migration),
            Box::new(m20261206_000009_honest_records::Migration),
            Box::new(m20261207_000010_everyday::Migration),
            Box::new(m20261208_000011_timeline_months::Migration),
            Box::new(m20261209_000012_webdav::Migration),
        ]
    }
}
