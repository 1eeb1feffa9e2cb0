//! Hearth's database schema, as an ordered list of sea-orm migrations.
//!
//! Migrations are frozen history: they never import the server's entities, so
//! changing a model later cannot change what an old migration did.

use sea_orm_migration::prelude::*;

pub use sea_orm_migration::MigratorTrait;

pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        // The foundation has no tables of its own yet: accounts bring the first.
        Vec::new()
    }
}
