//! The console's state: the open accounts, and where the account list and the preferences are
//! kept (tauri-plugin-store). What may be kept is decided in `tenancy-client::prefs`.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::watch;
use tauri_plugin_store::StoreExt;
use tenancy_client::account_ref::AccountRef;
use tenancy_client::accounts::Accounts;
use tenancy_client::secret::{KeyringSecrets, SecretStore};
use tenancy_client::prefs::UiPrefs;
use tenancy_client::{ClientError, ErrorCode};

/// Preferences file (tauri-plugin-store). Holds the account list and UI preferences, never a secret.
pub const PREFS: &str = "prefs.json";

pub struct Console {
    pub accounts: Accounts,
    /// False until the remembered accounts are open again: at start they are reopened in the
    /// background (`reopen_remembered`), and what needs them waits (`reopened`).
    reopened: watch::Receiver<bool>,
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
    /// A console with no account open yet, ready at once.
    pub fn new(data_dir: PathBuf, secrets: Arc<dyn SecretStore>) -> Self {
        Console { accounts: Accounts::new(data_dir, secrets), reopened: watch::channel(true).1 }
    }

    /// The app's console on the OS keyring; the accounts remembered in the preferences are
    /// reopened by [`reopen_remembered`] once it is managed.
    pub fn start(data_dir: PathBuf) -> Result<(Self, watch::Sender<bool>), Box<dyn std::error::Error>> {
        let secrets: Arc<dyn SecretStore> = KeyringSecrets::install().map_err(|e| e.message)?;
        let (done, reopened) = watch::channel(false);
        Ok((Console { accounts: Accounts::new(data_dir, secrets), reopened }, done))
    }

    /// Once the remembered accounts are open again (at once outside a start).
    pub async fn reopened(&self) {
        // Also over if the reopening's task ended without saying so (its sender dropped): what
        // waits goes on with the accounts that could be opened.
        let _ = self.reopened.clone().wait_for(|done| *done).await;
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

/// Reopens the remembered accounts (their keyring entries, their caches) off the main thread:
/// the window loads its page meanwhile instead of after them (the first screen's commands wait
/// for them through [`Console::reopened`]). Each answers from its cache at once, offline or not.
pub fn reopen_remembered<R: Runtime>(app: &AppHandle<R>, done: watch::Sender<bool>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let t = std::time::Instant::now();
        let console = app.state::<Console>();
        for r in remembered(&app) {
            if let Err(e) = console.accounts.resume(&r).await {
                tracing::warn!(account = %r.key(), error = %e, "could not reopen account");
            }
        }
        tracing::info!(ms = t.elapsed().as_millis() as u64, "remembered accounts reopened");
        let _ = done.send(true);
    });
}

fn store_error(e: impl std::fmt::Display) -> ClientError {
    ClientError::new(ErrorCode::Internal, format!("The preferences file could not be used ({e})."))
}

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
