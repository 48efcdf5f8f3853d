//! The console's state: the open accounts and where their list is remembered.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;
use tenancy_client::accounts::{AccountRef, Accounts};
use tenancy_client::secret::{KeyringSecrets, SecretStore};
use tenancy_client::{ClientError, ErrorCode};

/// Preferences file (tauri-plugin-store). Holds the account list and UI preferences, never a secret.
pub const PREFS: &str = "prefs.json";

pub struct Console {
    pub accounts: Accounts,
}

/// A demo server started by `make run`, shown on the sign-in screen.
#[derive(Clone, Debug, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct DemoHint {
    pub server: String,
    pub email: String,
    pub password: String,
    /// Sign in at once on first run (`make run`), rather than waiting for the user.
    pub auto_sign_in: bool,
}

impl Console {
    pub fn new(data_dir: PathBuf, secrets: Arc<dyn SecretStore>) -> Self {
        Console { accounts: Accounts::new(data_dir, secrets) }
    }

    /// The app's console: the OS keyring, and the accounts remembered in the preferences.
    pub fn start<R: Runtime>(app: &AppHandle<R>, data_dir: PathBuf) -> Result<Self, Box<dyn std::error::Error>> {
        let secrets: Arc<dyn SecretStore> = KeyringSecrets::install().map_err(|e| e.message)?;
        let console = Self::new(data_dir, secrets);
        // Reopen remembered accounts: their caches answer at once, offline or not.
        let refs = remembered(app);
        let accounts = &console.accounts;
        tauri::async_runtime::block_on(async {
            for r in refs {
                if let Err(e) = accounts.resume(&r).await {
                    tracing::warn!(account = %r.key(), error = %e, "could not reopen account");
                }
            }
        });
        Ok(console)
    }

    pub fn demo_hint() -> Option<DemoHint> {
        Some(DemoHint {
            server: std::env::var("TENANTRY_DEMO_SERVER").ok()?,
            email: std::env::var("TENANTRY_DEMO_EMAIL").ok()?,
            password: std::env::var("TENANTRY_DEMO_PASSWORD").ok()?,
            auto_sign_in: std::env::var("TENANTRY_DEMO_AUTO").is_ok_and(|v| v == "1"),
        })
    }
}

fn store_error(e: impl std::fmt::Display) -> ClientError {
    ClientError::new(ErrorCode::Internal, format!("The preferences file could not be used ({e})."))
}

/// The user's own labels and habits, kept in the preferences file (never a secret).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct UiPrefs {
    /// Palette item keys (`workspace:<id>`, `community:<id>`) pinned by the user.
    #[serde(default)]
    pub favourites: Vec<String>,
    /// Most recent first; at most 20.
    #[serde(default)]
    pub recents: Vec<String>,
    /// Workspace id → a CSS colour the user picked.
    #[serde(default)]
    pub colours: std::collections::BTreeMap<String, String>,
    /// Workspace ids the user marked as production (destructive changes ask first).
    #[serde(default)]
    pub production: Vec<String>,
    /// The panes side by side, left to right (empty: one pane on the account's last workspace).
    #[serde(default)]
    pub panes: Vec<PaneRef>,
    /// Account key → the workspace last open in it.
    #[serde(default)]
    pub last_workspace: std::collections::BTreeMap<String, tenancy::WorkspaceId>,
}

/// A pane (or one side of a comparison): an open account and one of its workspaces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export)]
pub struct PaneRef {
    pub account: String,
    pub workspace_id: tenancy::WorkspaceId,
}

pub const MAX_RECENTS: usize = 20;
pub const MAX_PANES: usize = 4;

pub fn ui_prefs<R: Runtime>(app: &AppHandle<R>) -> UiPrefs {
    app.store(PREFS).ok().and_then(|s| s.get("ui")).and_then(|v| serde_json::from_value(v).ok()).unwrap_or_default()
}

pub fn save_ui_prefs<R: Runtime>(app: &AppHandle<R>, prefs: &UiPrefs) -> Result<(), ClientError> {
    let store = app.store(PREFS).map_err(store_error)?;
    store.set("ui", serde_json::to_value(prefs).map_err(store_error)?);
    store.save().map_err(store_error)
}

pub fn remembered<R: Runtime>(app: &AppHandle<R>) -> Vec<AccountRef> {
    app.store(PREFS)
        .ok()
        .and_then(|s| s.get("accounts"))
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

pub fn remember<R: Runtime>(app: &AppHandle<R>, refs: &[AccountRef]) -> Result<(), ClientError> {
    let store = app.store(PREFS).map_err(store_error)?;
    store.set("accounts", serde_json::to_value(refs).map_err(store_error)?);
    store.save().map_err(store_error)
}
