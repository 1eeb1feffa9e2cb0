//! sea-orm entities: one module per table, rows as plain structs.

pub mod account_deletion;
pub mod album;
pub mod album_asset;
pub mod album_link;
pub mod album_member;
pub mod api_token;
pub mod asset;
pub mod asset_file;
pub mod audit;
pub mod comment;
pub mod device;
pub mod export;
pub mod import_failure;
pub mod import_root;
pub mod job;
pub mod link;
pub mod link_grant;
pub mod notification;
pub mod passkey;
pub mod reaction;
pub mod recovery_code;
pub mod retention_rule;
pub mod session;
pub mod tombstone;
pub mod user;
