//! Tenantry's console core, without Tauri: a typed client for the tenancy API, sessions whose
//! refresh tokens live in the OS keyring, a SQLite cache that mirrors what the account may see,
//! and the delta sync that keeps it current. Every console view is answered from the cache.

pub mod account_ref;
pub mod accounts;
pub mod http;
pub mod invites;
pub mod prefs;
pub mod cache;
pub mod error;
pub mod report;
pub mod secret;
pub mod sync;

pub use http::ApiClient;
pub use cache::Cache;
pub use error::{ClientError, ErrorCode};
