//! Every error the API returns: a problem kind from the shared table in `tenancy::problem` (a
//! stable `type`, an HTTP status, a title) and a sentence that says what to do. Served as
//! RFC 9457 `application/problem+json`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tenancy::wire::Problem;

pub use tenancy::problem::{ProblemKind, PROBLEM_BASE};

fn status(kind: ProblemKind) -> StatusCode {
    StatusCode::from_u16(kind.status()).expect("every problem kind has a valid HTTP status")
}

#[derive(Debug)]
pub struct ApiError {
    pub kind: ProblemKind,
    pub detail: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The `Retry-After` of an [`ProblemKind::Unavailable`] answer, in seconds.
pub const RETRY_AFTER_SECS: u32 = 2;

impl ApiError {
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Self {
        Self { kind, detail: detail.into() }
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(
            ProblemKind::NotFound,
            format!("No {what} with that id exists here, or you are not a member of its workspace. Check the id, or ask an admin of the workspace to add you."),
        )
    }
    pub fn validation(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Validation, detail)
    }
    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(ProblemKind::Conflict, detail)
    }
    pub fn internal() -> Self {
        Self::new(ProblemKind::Internal, "Something went wrong on the server. Try again; if it keeps happening, give your admin the request id from the x-request-id header.")
    }
    /// The database is not answering (restarting, unreachable, out of connections): nothing
    /// was changed, and the client may try again after [`RETRY_AFTER_SECS`].
    pub fn unavailable() -> Self {
        Self::new(ProblemKind::Unavailable, "The database is not answering right now; nothing was changed. Try again in a few seconds.")
    }
    pub fn problem(&self) -> Problem {
        Problem {
            kind: self.kind.type_url(),
            title: self.kind.title().to_owned(),
            status: self.kind.status(),
            detail: self.detail.clone(),
            instance: None,
            request_id: None,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind.slug(), self.detail)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.kind == ProblemKind::Internal {
            tracing::error!(detail = %self.detail, "internal error");
        }
        let mut problem = self.problem();
        if self.kind == ProblemKind::Internal {
            problem.detail = ApiError::internal().detail;
        }
        let mut res = (status(self.kind), axum::Json(problem)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if self.kind == ProblemKind::Unavailable {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        res
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::Unique(what) => {
                ApiError::conflict(format!("That would duplicate an existing {what}; choose a different value."))
            }
            // (What the database said stays in the server's log: it may name hosts or roles.)
            crate::store::StoreError::CommitInterrupted(e) => {
                tracing::warn!(error = %e, "the database stopped answering during a commit");
                ApiError::new(
                    ProblemKind::Unavailable,
                    "The database stopped answering while your change was being saved, so it may or may not have been applied. Reload to see whether it is there, and try again in a few seconds if it is not.",
                )
            }
            e if e.is_unavailable() => {
                tracing::warn!(error = %e, "the database is not answering");
                ApiError::unavailable()
            }
            other => ApiError::new(ProblemKind::Internal, other.to_string()),
        }
    }
}

impl From<tenancy::Denied> for ApiError {
    fn from(d: tenancy::Denied) -> Self {
        ApiError::new(ProblemKind::Forbidden, d.message)
    }
}

impl From<tenancy::rules::LastOwner> for ApiError {
    fn from(e: tenancy::rules::LastOwner) -> Self {
        ApiError::new(ProblemKind::LastOwner, e.to_string())
    }
}

impl From<tenancy::plan::LimitExceeded> for ApiError {
    fn from(e: tenancy::plan::LimitExceeded) -> Self {
        ApiError::new(ProblemKind::PlanLimit, e.to_string())
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    fn from(r: axum::extract::rejection::JsonRejection) -> Self {
        use axum::extract::rejection::JsonRejection::*;
        match r {
            JsonDataError(e) => {
                // serde's message carries our newtypes' sentences ("The slug is 2 characters long…").
                let msg = std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_else(|| e.body_text());
                ApiError::validation(format!("{msg}. Fix the value and send the request again."))
            }
            MissingJsonContentType(_) => ApiError::new(ProblemKind::MalformedRequest, "Send the body as JSON with Content-Type: application/json."),
            other => ApiError::new(ProblemKind::MalformedRequest, format!("{}. Send a valid JSON body.", other.body_text())),
        }
    }
}

impl From<axum::extract::rejection::QueryRejection> for ApiError {
    fn from(r: axum::extract::rejection::QueryRejection) -> Self {
        ApiError::validation(format!("{}. Fix the query string and try again.", r.body_text()))
    }
}

impl From<axum::extract::rejection::PathRejection> for ApiError {
    fn from(r: axum::extract::rejection::PathRejection) -> Self {
        ApiError::new(ProblemKind::NotFound, format!("{}. Check the URL.", r.body_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_kind_has_an_http_error_status() {
        for &k in ProblemKind::ALL {
            assert!(status(k).is_client_error() || status(k).is_server_error(), "{k:?}");
        }
    }

    #[test]
    fn a_database_that_does_not_answer_is_a_503_with_retry_after() {
        use crate::store::StoreError;
        let refused = || sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused to 10.0.0.9:5432 as tenancy_app"));
        for e in [StoreError::Database(sqlx::Error::PoolTimedOut), StoreError::Database(sqlx::Error::PoolClosed), StoreError::Database(refused()), StoreError::committing(refused())] {
            let what = e.to_string();
            let api = ApiError::from(e);
            assert_eq!(api.kind, ProblemKind::Unavailable, "{what}");
            assert!(!api.detail.contains("10.0.0.9") && !api.detail.contains("tenancy_app"), "no internals in {:?}", api.detail);
            let res = api.into_response();
            assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
            assert_eq!(res.headers()[header::RETRY_AFTER], RETRY_AFTER_SECS.to_string().as_str());
        }
        // Only a commit the database stopped answering during is of unknown outcome.
        assert!(ApiError::from(StoreError::committing(refused())).detail.contains("may or may not have been applied"));
        assert!(ApiError::from(StoreError::Database(sqlx::Error::PoolTimedOut)).detail.contains("nothing was changed"));
        // A query at fault is not "unavailable".
        for e in [StoreError::Database(sqlx::Error::RowNotFound), StoreError::Database(sqlx::Error::ColumnNotFound("x".into())), StoreError::Corrupt("x".into())] {
            assert_eq!(ApiError::from(e).kind, ProblemKind::Internal);
        }
    }

    #[test]
    fn internal_errors_hide_their_detail() {
        let res = ApiError::new(ProblemKind::Internal, "db password is hunter2").into_response();
        assert_eq!(res.headers()[header::CONTENT_TYPE], "application/problem+json");
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
