//! The accounts a console has signed in with: one API client and one cache file per account,
//! several at once. Knows nothing of windows or Tauri.

use crate::account_ref::{AccountKey, AccountRef};
use crate::http::ApiClient;
use crate::cache::Cache;
use crate::error::{ClientError, ErrorCode, Result};
use crate::secret::SecretStore;
use crate::sync::{self, Progress, SyncOutcome};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tenancy::OneTimeCode;
use tokio::sync::{Mutex, RwLock};

/// An account as the console lists it: who, on which server, whether signed in, how fresh.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AccountView {
    pub key: AccountKey,
    pub server: String,
    pub email: String,
    /// The user as last seen (known after the sign-in).
    pub user: Option<tenancy::wire::User>,
    pub signed_in: bool,
    pub last_sync_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// One signed-in (or resumable) account.
pub struct Account {
    pub r#ref: AccountRef,
    pub api: ApiClient,
    pub cache: Cache,
    sync_lock: Mutex<()>,
    pub stop: AtomicBool,
}

impl Account {
    pub async fn view(&self) -> Result<AccountView> {
        Ok(AccountView {
            key: self.r#ref.key(),
            server: self.r#ref.server.clone(),
            email: self.r#ref.email.clone(),
            user: self.cache.me().await?,
            signed_in: self.api.is_signed_in().await,
            last_sync_at: self.cache.state().await?.last_sync_at,
        })
    }

    /// Runs one sync; concurrent calls wait for the running one instead of racing it.
    pub async fn sync(&self, progress: impl FnMut(Progress)) -> Result<SyncOutcome> {
        let _one_at_a_time = self.sync_lock.lock().await;
        self.stop.store(false, std::sync::atomic::Ordering::Relaxed);
        let started = std::time::Instant::now();
        let out = sync::sync(&self.api, &self.cache, Some(&self.stop), progress).await;
        let ms = started.elapsed().as_millis() as u64;
        match &out {
            Ok(o) => tracing::info!(account = %self.r#ref.key(), outcome = ?o, ms, "synced"),
            Err(e) => tracing::info!(account = %self.r#ref.key(), code = ?e.code, error = %e.message, ms, "sync failed"),
        }
        out
    }
}

pub struct Accounts {
    data_dir: PathBuf,
    secrets: Arc<dyn SecretStore>,
    open: RwLock<HashMap<AccountKey, Arc<Account>>>,
}

/// A file name for an account's cache that needs no escaping and never collides.
fn cache_file(r: &AccountRef) -> String {
    let safe: String = r.key().as_str().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let mut h: u64 = 0xcbf29ce484222325;
    for b in r.key().as_str().bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    format!("{}-{h:016x}.db", &safe[..safe.len().min(60)])
}

impl Accounts {
    pub fn new(data_dir: PathBuf, secrets: Arc<dyn SecretStore>) -> Self {
        Self { data_dir, secrets, open: RwLock::new(HashMap::new()) }
    }

    pub fn cache_path(&self, r: &AccountRef) -> PathBuf {
        self.data_dir.join("cache").join(cache_file(r))
    }

    async fn open_account(&self, r: &AccountRef) -> Result<Arc<Account>> {
        if let Some(a) = self.open.read().await.get(&r.key()) {
            return Ok(a.clone());
        }
        let api = ApiClient::new(r, self.secrets.clone())?;
        let path = self.cache_path(r);
        std::fs::create_dir_all(path.parent().expect("cache dir")).map_err(|e| ClientError::internal(format!("Cannot create {}: {e}", path.display())))?;
        let cache = Cache::open(&path).await?;
        let a = Arc::new(Account { r#ref: r.clone(), api, cache, sync_lock: Mutex::new(()), stop: AtomicBool::new(false) });
        self.open.write().await.insert(r.key(), a.clone());
        Ok(a)
    }

    /// Adds an account as the user typed it on the sign-in screen (server, email, password,
    /// and the 6-digit code when they use 2FA) and signs in.
    pub async fn add(&self, server: &str, email: &str, password: &str, totp: Option<&str>) -> Result<Arc<Account>> {
        let r = AccountRef::new(server, email)?;
        if password.is_empty() {
            return Err(ClientError::new(ErrorCode::Validation, "Type the account's password."));
        }
        let code = totp
            .filter(|t| !t.trim().is_empty())
            .map(|t| OneTimeCode::parse(t).map_err(|e| ClientError::new(ErrorCode::Validation, e.to_string())))
            .transpose()?;
        self.sign_in(&r, password, code.as_ref().map(OneTimeCode::as_str)).await
    }

    /// Signs in (password and optional TOTP) and returns the account, ready to sync.
    pub async fn sign_in(&self, r: &AccountRef, password: &str, totp: Option<&str>) -> Result<Arc<Account>> {
        let a = self.open_account(r).await?;
        let user = a.api.sign_in(password, totp).await.inspect_err(|e| tracing::info!(account = %r.key(), code = ?e.code, "sign-in refused"))?;
        tracing::info!(account = %r.key(), "signed in");
        // Who this is (e.g. a platform admin) is known at once, before the first sync.
        a.cache.set_me(&user).await?;
        Ok(a)
    }

    /// Creates an account on the server as the user typed it on the sign-in screen (their name,
    /// email, a password the server accepts) and signs in with it.
    pub async fn create(&self, server: &str, display_name: &str, email: &str, password: &str) -> Result<Arc<Account>> {
        let r = AccountRef::new(server, email)?;
        let name = tenancy::Name::parse(display_name).map_err(|e| ClientError::new(ErrorCode::Validation, format!("Your name: {e}")))?;
        if let Some(problem) = tenancy::values::password_problem(password) {
            return Err(ClientError::new(ErrorCode::Validation, problem));
        }
        let a = self.open_account(&r).await?;
        let user = a.api.register(&name, password).await.inspect_err(|e| tracing::info!(account = %r.key(), code = ?e.code, "account not created"))?;
        tracing::info!(account = %r.key(), "account created and signed in");
        a.cache.set_me(&user).await?;
        Ok(a)
    }

    /// Opens a remembered account: its cache answers at once; the server is used when reachable.
    pub async fn resume(&self, r: &AccountRef) -> Result<Arc<Account>> {
        self.open_account(r).await
    }

    pub async fn get(&self, key: &AccountKey) -> Result<Arc<Account>> {
        self.open.read().await.get(key).cloned().ok_or_else(|| ClientError::new(ErrorCode::NotFound, "That account is not open in this console. Add it again from the accounts screen."))
    }

    pub async fn list(&self) -> Vec<Arc<Account>> {
        let mut v: Vec<_> = self.open.read().await.values().cloned().collect();
        v.sort_by(|a, b| a.r#ref.key().cmp(&b.r#ref.key()));
        v
    }

    /// Signs out: ends the server session, deletes the keyring entry and the cache file.
    pub async fn sign_out(&self, key: &AccountKey) -> Result<()> {
        let a = self.open.write().await.remove(key);
        if let Some(a) = a {
            a.stop.store(true, std::sync::atomic::Ordering::Relaxed);
            a.api.sign_out().await?;
            let path = self.cache_path(&a.r#ref);
            a.cache.pool().close().await;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_files_are_distinct_and_safe() {
        let a = cache_file(&AccountRef { server: "https://t.example".into(), email: "ana@x.io".into() });
        let b = cache_file(&AccountRef { server: "https://t.example".into(), email: "ana@y.io".into() });
        assert_ne!(a, b);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.'));
    }
}
