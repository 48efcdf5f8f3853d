//! The accounts a console has signed in with: one API client and one cache file per account,
//! several at once. Knows nothing of windows or Tauri.

use crate::api::{account_key, ApiClient};
use crate::cache::Cache;
use crate::error::{ClientError, ErrorCode, Result};
use crate::secret::SecretStore;
use crate::sync::{self, Progress, SyncOutcome};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use tokio::sync::{Mutex, RwLock};

/// What is remembered about an account between runs (never a secret).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    pub server: String,
    pub email: String,
}

impl AccountRef {
    pub fn key(&self) -> String {
        account_key(&self.server, &self.email)
    }
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
    open: RwLock<HashMap<String, Arc<Account>>>,
}

/// A file name for an account's cache that needs no escaping and never collides.
fn cache_file(r: &AccountRef) -> String {
    let safe: String = r.key().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let mut h: u64 = 0xcbf29ce484222325;
    for b in r.key().bytes() {
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
        let api = ApiClient::new(&r.server, &r.email, self.secrets.clone())?;
        let path = self.cache_path(r);
        std::fs::create_dir_all(path.parent().expect("cache dir")).map_err(|e| ClientError::internal(format!("Cannot create {}: {e}", path.display())))?;
        let cache = Cache::open(&path).await?;
        let a = Arc::new(Account { r#ref: r.clone(), api, cache, sync_lock: Mutex::new(()), stop: AtomicBool::new(false) });
        self.open.write().await.insert(r.key(), a.clone());
        Ok(a)
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

    /// Opens a remembered account: its cache answers at once; the server is used when reachable.
    pub async fn resume(&self, r: &AccountRef) -> Result<Arc<Account>> {
        self.open_account(r).await
    }

    pub async fn get(&self, key: &str) -> Result<Arc<Account>> {
        self.open.read().await.get(key).cloned().ok_or_else(|| ClientError::new(ErrorCode::NotFound, "That account is not open in this console. Add it again from the accounts screen."))
    }

    pub async fn list(&self) -> Vec<Arc<Account>> {
        let mut v: Vec<_> = self.open.read().await.values().cloned().collect();
        v.sort_by(|a, b| a.r#ref.key().cmp(&b.r#ref.key()));
        v
    }

    /// Signs out: ends the server session, deletes the keyring entry and the cache file.
    pub async fn sign_out(&self, key: &str) -> Result<()> {
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
