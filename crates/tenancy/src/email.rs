//! Email addresses, parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A syntactically plausible address, stored lower-cased so that lookups and uniqueness do
/// not depend on how someone typed it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, format = Email, example = "ana@acme.example")]
pub struct Email(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("\"{0}\" is not an email address; write it as name@domain.example.")]
    Shape(String),
    #[error("The email address is longer than 254 characters.")]
    TooLong,
}

impl Email {
    pub fn parse(s: &str) -> Result<Self, EmailError> {
        let s = s.trim();
        if s.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let shape = || EmailError::Shape(s.to_owned());
        let (local, domain) = s.split_once('@').ok_or_else(shape)?;
        let ok_local = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c));
        let ok_domain = domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !ok_local || !ok_domain {
            return Err(shape());
        }
        Ok(Self(s.to_ascii_lowercase()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn domain(&self) -> &str {
        self.0.split_once('@').map(|(_, d)| d).unwrap_or_default()
    }
}

impl TryFrom<String> for Email {
    type Error = EmailError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Email::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_lowercases() {
        assert_eq!(Email::parse(" Ana.Lopez@Acme.Example ").unwrap().as_str(), "ana.lopez@acme.example");
        assert_eq!(Email::parse("a+soc@x.io").unwrap().domain(), "x.io");
    }

    #[test]
    fn refuses_malformed() {
        for bad in ["", "ana", "ana@", "@acme.example", "ana@acme", "ana@@acme.example", "an a@acme.example", ".ana@acme.example", "ana@-acme.example"] {
            let err = Email::parse(bad).unwrap_err();
            assert!(err.to_string().contains("name@domain.example"), "{bad}: {err}");
        }
        assert_eq!(Email::parse(&format!("{}@acme.example", "a".repeat(250))), Err(EmailError::TooLong));
    }
}
