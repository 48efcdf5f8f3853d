//! Secrets: refresh tokens live only in the OS keyring (service `tenantry`, one entry per
//! account); in memory they are wrapped so that they cannot be printed or serialized by mistake.

use crate::error::{ClientError, Result};
use std::fmt;
use std::sync::Arc;

pub const KEYRING_SERVICE: &str = "tenantry";

/// A secret value. Debug and Display print `<redacted>`; there is no Serialize.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(v: T) -> Self {
        Self(v)
    }
    /// The secret itself, for the one place that must send or store it.
    pub fn expose(&self) -> &T {
        &self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Where refresh tokens are kept between runs.
pub trait SecretStore: Send + Sync {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>>;
    fn set(&self, account: &str, secret: &Sensitive<String>) -> Result<()>;
    fn delete(&self, account: &str) -> Result<()>;
}

fn keyring_error(e: keyring_core::Error) -> ClientError {
    // keyring errors never contain the secret, only what went wrong with the store.
    ClientError::internal(format!(
        "The system keyring could not be used ({e}). Unlock your keyring (or start a Secret Service such as gnome-keyring) and try again."
    ))
}

/// The OS keyring (Secret Service on Linux, through zbus).
pub struct KeyringSecrets;

impl KeyringSecrets {
    /// Selects the platform's keyring as the store. Call once at start-up.
    pub fn install() -> Result<Arc<dyn SecretStore>> {
        #[cfg(target_os = "linux")]
        {
            let store = zbus_secret_service_keyring_store::Store::new().map_err(keyring_error)?;
            keyring_core::set_default_store(store);
        }
        Ok(Arc::new(KeyringSecrets))
    }

    fn entry(account: &str) -> Result<keyring_core::Entry> {
        keyring_core::Entry::new(KEYRING_SERVICE, account).map_err(keyring_error)
    }
}

impl SecretStore for KeyringSecrets {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>> {
        match Self::entry(account)?.get_password() {
            Ok(p) => Ok(Some(Sensitive::new(p))),
            Err(keyring_core::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }
    fn set(&self, account: &str, secret: &Sensitive<String>) -> Result<()> {
        Self::entry(account)?.set_password(secret.expose()).map_err(keyring_error)
    }
    fn delete(&self, account: &str) -> Result<()> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// An in-memory store for unit tests only; the app always uses the OS keyring.
#[derive(Default)]
pub struct MemorySecrets(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, account: &str) -> Result<Option<Sensitive<String>>> {
        Ok(self.0.lock().unwrap().get(account).cloned().map(Sensitive::new))
    }
    fn set(&self, account: &str, secret: &Sensitive<String>) -> Result<()> {
        self.0.lock().unwrap().insert(account.to_owned(), secret.expose().clone());
        Ok(())
    }
    fn delete(&self, account: &str) -> Result<()> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_never_prints() {
        let s = Sensitive::new("tnt_rt_secret".to_string());
        assert_eq!(format!("{s:?} {s}"), "<redacted> <redacted>");
        assert_eq!(s.expose(), "tnt_rt_secret");
    }

    #[test]
    fn memory_store_round_trips_and_deletes() {
        let m = MemorySecrets::default();
        m.set("a@x", &Sensitive::new("t".into())).unwrap();
        assert_eq!(m.get("a@x").unwrap().unwrap().expose(), "t");
        m.delete("a@x").unwrap();
        assert!(m.get("a@x").unwrap().is_none());
    }
}
