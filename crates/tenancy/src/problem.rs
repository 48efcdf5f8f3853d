//! The kinds of problem the API answers with: part of the wire contract, so the server that
//! sends a problem and the client that acts on it name it with the same enum. On the wire a kind
//! is the problem document's `type`, `https://tenantry.dev/problems/<slug>` (RFC 9457).

use serde::{Deserialize, Serialize};

macro_rules! problems {
    ($($(#[$doc:meta])* $variant:ident = $status:literal, $slug:literal, $title:literal;)*) => {
        /// The stable problem kinds. A kind exists only when a client can act on it.
        #[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ProblemKind { $($(#[$doc])* #[serde(rename = $slug)] $variant,)* }

        impl ProblemKind {
            pub const ALL: &'static [ProblemKind] = &[$(ProblemKind::$variant,)*];
            /// The HTTP status the kind is answered with.
            pub fn status(self) -> u16 {
                match self { $(ProblemKind::$variant => $status,)* }
            }
            /// The last part of the `type` URL, e.g. `last-owner`.
            pub fn slug(self) -> &'static str {
                match self { $(ProblemKind::$variant => $slug,)* }
            }
            /// The problem document's `title`.
            pub fn title(self) -> &'static str {
                match self { $(ProblemKind::$variant => $title,)* }
            }
        }
    };
}

problems! {
    MalformedRequest = 400, "malformed-request", "The request could not be read";
    InvalidCursor = 400, "invalid-cursor", "The cursor is not valid";
    Unauthenticated = 401, "unauthenticated", "Sign in required";
    InvalidCredentials = 401, "invalid-credentials", "Email or password is wrong";
    TotpRequired = 401, "totp-required", "Two-factor code required";
    TotpInvalid = 401, "totp-invalid", "Two-factor code is wrong";
    RefreshTokenReused = 401, "refresh-token-reused", "Session revoked";
    Forbidden = 403, "forbidden", "Not allowed";
    TwoFactorRequired = 403, "two-factor-required", "Two-factor authentication required";
    NotFound = 404, "not-found", "Not found";
    MethodNotAllowed = 405, "method-not-allowed", "Method not allowed";
    SlugTaken = 409, "slug-taken", "Slug already taken";
    Conflict = 409, "conflict", "Conflict";
    LastOwner = 409, "last-owner", "A workspace needs an owner";
    PlanLimit = 409, "plan-limit", "Plan limit reached";
    InvitationClosed = 409, "invitation-closed", "Invitation no longer open";
    /// The change feed no longer reaches back to the cursor: rebuild from a snapshot.
    CursorTooOld = 410, "cursor-too-old", "Change feed cursor too old";
    PreconditionFailed = 412, "precondition-failed", "Changed since you read it";
    Validation = 422, "validation", "Invalid value";
    ConfirmationMismatch = 422, "confirmation-mismatch", "Confirmation does not match";
    Internal = 500, "internal", "Internal error";
    /// The server cannot reach its database right now (restarting, unreachable, overloaded):
    /// nothing was changed; the answer's `Retry-After` says when to try again.
    Unavailable = 503, "unavailable", "Temporarily unavailable";
}

/// Where the problem types live; a kind's `type` is this followed by its slug.
pub const PROBLEM_BASE: &str = "https://tenantry.dev/problems/";

impl ProblemKind {
    /// The problem document's `type`.
    pub fn type_url(self) -> String {
        format!("{PROBLEM_BASE}{}", self.slug())
    }

    /// The kind a problem document's `type` names; `None` for a type this version does not
    /// know (a newer server) or one that is not Tenantry's.
    pub fn from_type_url(url: &str) -> Option<ProblemKind> {
        let slug = url.strip_prefix(PROBLEM_BASE)?;
        ProblemKind::ALL.iter().copied().find(|k| k.slug() == slug)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_unique_and_round_trip_through_their_type_url() {
        let mut seen = std::collections::HashSet::new();
        for &k in ProblemKind::ALL {
            assert!(seen.insert(k.slug()), "duplicate {}", k.slug());
            assert!((400..600).contains(&k.status()), "{k:?} is an error status");
            assert_eq!(ProblemKind::from_type_url(&k.type_url()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::String(k.slug().to_owned()));
        }
    }

    #[test]
    fn unknown_or_foreign_types_are_not_guessed() {
        assert_eq!(ProblemKind::from_type_url("https://tenantry.dev/problems/role-name-taken"), None);
        assert_eq!(ProblemKind::from_type_url("https://example.com/problems/last-owner"), None);
        assert_eq!(ProblemKind::from_type_url("about:blank"), None);
    }
}
