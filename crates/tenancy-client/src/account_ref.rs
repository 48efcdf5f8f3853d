//! Which account on which server: the account as the user typed it (`AccountRef`, remembered
//! between runs) and the key the console and the keyring name it by (`AccountKey`).

use crate::error::{ClientError, ErrorCode, Result};
use serde::{Deserialize, Serialize};

/// Which account on which server, written `<email> @ <server>`: the name of its keyring entry
/// and how the console addresses an open account. Made by [`AccountKey::new`] and read back by
/// [`AccountKey::parse`] only.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export, type = "string"))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountKey(String);

const KEY_SEPARATOR: &str = " @ ";

impl AccountKey {
    /// The key of `email` on `server` (the email lower-cased, the server without a trailing `/`).
    pub fn new(server: &str, email: &str) -> Self {
        AccountKey(format!("{}{KEY_SEPARATOR}{}", email.trim().to_lowercase(), server.trim().trim_end_matches('/')))
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s.split_once(KEY_SEPARATOR) {
            Some((email, server)) if !email.is_empty() && !server.is_empty() && !server.contains(' ') => Ok(AccountKey::new(server, email)),
            _ => Err(ClientError::new(ErrorCode::Validation, format!("\"{s}\" does not name an account; an account is written email @ server."))),
        }
    }

    pub fn email(&self) -> &str {
        self.0.split_once(KEY_SEPARATOR).map(|(e, _)| e).unwrap_or_default()
    }

    pub fn server(&self) -> &str {
        self.0.split_once(KEY_SEPARATOR).map(|(_, s)| s).unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AccountKey {
    type Error = ClientError;
    fn try_from(s: String) -> Result<Self> {
        AccountKey::parse(&s)
    }
}

impl From<AccountKey> for String {
    fn from(k: AccountKey) -> String {
        k.0
    }
}

/// What is remembered about an account between runs (never a secret).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRef {
    pub server: String,
    pub email: String,
}

impl AccountRef {
    /// An account as the user typed it: the server's base URL (`https://…`, a trailing `/`
    /// dropped) and a valid email address.
    pub fn new(server: &str, email: &str) -> Result<Self> {
        let server = server.trim().trim_end_matches('/');
        if !(server.starts_with("http://") || server.starts_with("https://")) || server.contains(' ') {
            return Err(ClientError::new(
                ErrorCode::Validation,
                format!("\"{server}\" is not a server address; write it as https://tenancy.example.com or http://127.0.0.1:8480."),
            ));
        }
        let email = tenancy::Email::parse(email).map_err(|e| ClientError::new(ErrorCode::Validation, e.to_string()))?;
        Ok(AccountRef { server: server.to_owned(), email: email.to_string() })
    }

    pub fn key(&self) -> AccountKey {
        AccountKey::new(&self.server, &self.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_keys_are_normalised_and_read_back() {
        let k = AccountKey::new("http://127.0.0.1:8480/", " Ana@X.io");
        assert_eq!(k.as_str(), "ana@x.io @ http://127.0.0.1:8480");
        assert_eq!((k.email(), k.server()), ("ana@x.io", "http://127.0.0.1:8480"));
        assert_eq!(AccountKey::parse(k.as_str()).unwrap(), k);
        assert_eq!(serde_json::from_value::<AccountKey>(serde_json::json!(k.as_str())).unwrap(), k);
        for bad in ["", "ana@x.io", " @ http://x", "ana@x.io @ "] {
            assert_eq!(AccountKey::parse(bad).unwrap_err().code, ErrorCode::Validation, "{bad:?}");
        }
    }

    #[test]
    fn accounts_are_a_server_url_and_an_email() {
        let r = AccountRef::new(" https://t.example/ ", "Ana@X.io").unwrap();
        assert_eq!((r.server.as_str(), r.email.as_str()), ("https://t.example", "ana@x.io"));
        assert!(AccountRef::new("t.example", "ana@x.io").unwrap_err().message.contains("server address"));
        assert!(AccountRef::new("https://t.example", "ana").unwrap_err().message.contains("name@domain.example"));
    }
}
