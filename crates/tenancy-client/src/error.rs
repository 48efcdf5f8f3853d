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
    /// Maps an RFC 9457 problem from the server: by its kind, and by the status for a kind this
    /// version does not know.
    pub fn from_problem(status: u16, problem: &tenancy::wire::Problem) -> Self {
        let kind = problem.problem_kind();
        let code = match (status, kind) {
            (_, Some(ProblemKind::TotpRequired)) => ErrorCode::TotpRequired,
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

impl From<sqlx::Error> for ClientError {
    fn from(e: sqlx::Error) -> Self {
        ClientError::internal(format!("The local cache could not be read or written ({e}). Signing out and in again rebuilds it."))
    }
}

impl From<sqlx::migrate::MigrateError> for ClientError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        ClientError::internal(format!("The local cache could not be prepared ({e})."))
    }
}

pub type Result<T, E = ClientError> = std::result::Result<T, E>;
