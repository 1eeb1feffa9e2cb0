//! sea-orm entities: one module per table, rows as plain structs.

pub mod api_token;
pub mod asset;
pub mod asset_file;
pub mod audit;
pub mod device;
pub mod import_failure;
pub mod import_root;
pub mod job;
pub mod link;
pub mod notification;
pub mod passkey;
pub mod recovery_code;
pub mod session;
pub mod user;
