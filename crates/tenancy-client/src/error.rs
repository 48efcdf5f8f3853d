//! Errors the console acts on. A code exists only when the UI does something different for it.

use serde::{Deserialize, Serialize};
use std::fmt;
use tenancy::problem::ProblemKind;

#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The server cannot be reached: reads keep working from the cache; writes wait.
    Offline,
    /// The session is gone: ask the user to sign in again (keep the view).
    Unauthorized,
    /// The server needs a TOTP code for this sign-in.
    TotpRequired,
    Forbidden,
    NotFound,
    /// The change conflicts with the current state (last owner, taken slug, plan limit…).
    Conflict,
    /// Someone changed the resource since it was read: reload, then apply again.
    PreconditionFailed,
    /// The input was refused; the message says what was wrong.
    Validation,
    /// The disk holding the local cache is full: the cache stays as it was; free space, then
    /// sync again.
    DiskFull,
    /// Local trouble: keyring, cache file, unexpected answers.
    Internal,
}

/// An error with a code and a sentence for the user. Never carries a secret.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct ClientError {
    pub code: ErrorCode,
    pub message: String,
    /// The server's problem kind, when it answered with one this version knows.
    pub problem: Option<ProblemKind>,
}

impl fmt::Display for ClientError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl ClientError {
    /// Whether the server answered with `kind`.
    pub fn is(&self, kind: ProblemKind) -> bool {
        self.problem == Some(kind)
    }
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), problem: None }
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }
    pub fn offline(server: &str) -> Self {
        Self::new(
            ErrorCode::Offline,
            format!("Cannot reach {server}. Your cached data stays readable; changes need the server, so try again when you are back online."),
        )
    }
    /// The server (or a gateway before it) answers, but cannot serve now: as offline for the
    /// console (the cache stays readable; try again soon).
    pub fn unavailable(server: &str) -> Self {
        Self::new(
            ErrorCode::Offline,
            format!("{server} cannot serve requests right now; nothing was changed. Your cached data stays readable; try again in a few seconds."),
        )
    }
    /// The disk holding the cache at `location` (when known) is full.
    pub fn disk_full(location: Option<&std::path::Path>) -> Self {
        let disk = match location {
            Some(p) => format!("The disk holding the local cache ({}) is full", p.display()),
            None => "The disk holding the local cache is full".to_owned(),
        };
        Self::new(ErrorCode::DiskFull, format!("{disk}, so the latest changes could not be saved. The cache stays as it was: free some space on that disk, then sync again."))
    }
    /// Maps an RFC 9457 problem from the server: by its kind, and by the status for a kind this
    /// version does not know.
    pub fn from_problem(status: u16, problem: &tenancy::wire::Problem) -> Self {
        let kind = problem.problem_kind();
        let code = match (status, kind) {
            (_, Some(ProblemKind::TotpRequired)) => ErrorCode::TotpRequired,
            // The server is up but its database is not: for the console, as offline (the
            // cache stays readable, and the sync retries soon); its sentence says so.
            (503, _) | (_, Some(ProblemKind::Unavailable)) => ErrorCode::Offline,
            (401, _) => ErrorCode::Unauthorized,
            (403, _) => ErrorCode::Forbidden,
            (404, _) => ErrorCode::NotFound,
            (412, _) => ErrorCode::PreconditionFailed,
            (409 | 410, _) => ErrorCode::Conflict,
            (400 | 422, _) => ErrorCode::Validation,
            _ => ErrorCode::Internal,
        };
        Self { code, message: problem.detail.clone(), problem: kind }
    }
}

/// SQLite's result code for a write that found the disk (or the file system's quota) full.
const SQLITE_FULL: &str = "13";

impl From<sqlx::Error> for ClientError {
    fn from(e: sqlx::Error) -> Self {
        // The cache names where it lives (`Cache` adds its path to the sentence).
        if matches!(&e, sqlx::Error::Database(d) if d.code().as_deref() == Some(SQLITE_FULL)) {
            return ClientError::disk_full(None);
        }
        ClientError::internal(format!("The local cache could not be read or written ({e}). Signing out and in again rebuilds it."))
    }
}

impl From<sqlx::migrate::MigrateError> for ClientError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        ClientError::internal(format!("The local cache could not be prepared ({e})."))
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(kind: &str, status: u16) -> tenancy::wire::Problem {
        tenancy::wire::Problem { kind: kind.into(), title: "t".into(), status, detail: "The database is not answering right now; nothing was changed.".into(), instance: None, request_id: None }
    }

    #[test]
    fn an_unavailable_server_is_offline_for_the_console() {
        let e = ClientError::from_problem(503, &problem(&ProblemKind::Unavailable.type_url(), 503));
        assert_eq!((e.code, e.problem), (ErrorCode::Offline, Some(ProblemKind::Unavailable)));
        assert!(e.message.contains("nothing was changed"), "{e}");
        // A 503 of a kind this version does not know, too.
        assert_eq!(ClientError::from_problem(503, &problem("https://example.com/busy", 503)).code, ErrorCode::Offline);
        assert_eq!(ClientError::from_problem(500, &problem(&ProblemKind::Internal.type_url(), 500)).code, ErrorCode::Internal);
    }

    #[test]
    fn a_full_disk_names_the_cache_and_says_to_free_space() {
        let e = ClientError::disk_full(Some(std::path::Path::new("/home/ana/.local/share/tenantry/cache.db")));
        assert_eq!(e.code, ErrorCode::DiskFull);
        assert!(e.message.contains("/home/ana/.local/share/tenantry/cache.db") && e.message.contains("free some space"), "{e}");
        assert_eq!(serde_json::to_value(ErrorCode::DiskFull).unwrap(), "disk_full");
    }
}
