//! Small validated values: display names, IANA time zones, data-residency regions, the shape of
//! a one-time (TOTP) code.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A human-readable name (workspace, community, role, API key): 1–80 characters, trimmed,
/// no control characters.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Acme Corp")]
pub struct Name(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("The name is empty; type at least one character.")]
    Empty,
    #[error("The name is {0} characters long; keep it to 80.")]
    TooLong(usize),
    #[error("The name contains a control character; remove it.")]
    Control,
}

impl Name {
    pub fn parse(s: &str) -> Result<Self, NameError> {
        let s = s.trim();
        let len = s.chars().count();
        if len == 0 {
            return Err(NameError::Empty);
        }
        if len > 80 {
            return Err(NameError::TooLong(len));
        }
        if s.chars().any(char::is_control) {
            return Err(NameError::Control);
        }
        Ok(Self(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Name {
    type Error = NameError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Name::parse(&s)
    }
}
impl From<Name> for String {
    fn from(n: Name) -> String {
        n.0
    }
}
impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time zone name such as `Europe/Paris`; used for SLA windows and report times.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Europe/Paris")]
pub struct Timezone(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not an IANA time zone; use a name such as Europe/Paris, America/New_York or UTC.")]
pub struct TimezoneError(pub String);

impl Timezone {
    pub fn parse(s: &str) -> Result<Self, TimezoneError> {
        chrono_tz::Tz::from_str(s.trim())
            .map(|tz| Self(tz.name().to_owned()))
            .map_err(|_| TimezoneError(s.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Every IANA name a timezone may have, for a picker (the same database `parse` checks).
    pub fn names() -> Vec<&'static str> {
        let mut names: Vec<_> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        names.sort_unstable();
        names
    }
}

impl TryFrom<String> for Timezone {
    type Error = TimezoneError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Timezone::parse(&s)
    }
}
impl From<Timezone> for String {
    fn from(t: Timezone) -> String {
        t.0
    }
}

/// Where a community's data is stored and processed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum Region {
    #[serde(rename = "eu-west")]
    EuWest,
    #[serde(rename = "eu-central")]
    EuCentral,
    #[serde(rename = "uk")]
    Uk,
    #[serde(rename = "us-east")]
    UsEast,
    #[serde(rename = "us-west")]
    UsWest,
    #[serde(rename = "ca-central")]
    CaCentral,
    #[serde(rename = "ap-southeast")]
    ApSoutheast,
}

impl Region {
    pub const ALL: [Region; 7] =
        [Region::EuWest, Region::EuCentral, Region::Uk, Region::UsEast, Region::UsWest, Region::CaCentral, Region::ApSoutheast];

    /// How the console names it.
    pub fn label(self) -> &'static str {
        match self {
            Region::EuWest => "EU West (Ireland)",
            Region::EuCentral => "EU Central (Frankfurt)",
            Region::Uk => "United Kingdom",
            Region::UsEast => "US East",
            Region::UsWest => "US West",
            Region::CaCentral => "Canada",
            Region::ApSoutheast => "Asia Pacific (Singapore)",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Region::EuWest => "eu-west",
            Region::EuCentral => "eu-central",
            Region::Uk => "uk",
            Region::UsEast => "us-east",
            Region::UsWest => "us-west",
            Region::CaCentral => "ca-central",
            Region::ApSoutheast => "ap-southeast",
        }
    }
}

impl FromStr for Region {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Region::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            let all: Vec<_> = Region::ALL.iter().map(|r| r.as_str()).collect();
            format!("Unknown region \"{s}\"; choose one of {}.", all.join(", "))
        })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of a community's data source, from a fixed list (stored and sent as its id).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum IntakeKind {
    #[serde(rename = "edr")]
    Edr,
    #[serde(rename = "firewall")]
    Firewall,
    #[serde(rename = "cloud")]
    CloudAudit,
    #[serde(rename = "identity")]
    IdentityProvider,
    #[serde(rename = "email")]
    EmailGateway,
    #[serde(rename = "other")]
    Other,
}

impl IntakeKind {
    pub const ALL: [IntakeKind; 6] =
        [IntakeKind::Edr, IntakeKind::Firewall, IntakeKind::CloudAudit, IntakeKind::IdentityProvider, IntakeKind::EmailGateway, IntakeKind::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            IntakeKind::Edr => "edr",
            IntakeKind::Firewall => "firewall",
            IntakeKind::CloudAudit => "cloud",
            IntakeKind::IdentityProvider => "identity",
            IntakeKind::EmailGateway => "email",
            IntakeKind::Other => "other",
        }
    }

    /// How the console names it.
    pub fn label(self) -> &'static str {
        match self {
            IntakeKind::Edr => "EDR",
            IntakeKind::Firewall => "Firewall",
            IntakeKind::CloudAudit => "Cloud audit",
            IntakeKind::IdentityProvider => "Identity provider",
            IntakeKind::EmailGateway => "Email gateway",
            IntakeKind::Other => "Other",
        }
    }
}

/// An intake kind with the name the console shows for it.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntakeKindChoice {
    pub kind: IntakeKind,
    pub label: String,
}

impl IntakeKind {
    /// The fixed list, in the order a picker offers it.
    pub fn choices() -> Vec<IntakeKindChoice> {
        IntakeKind::ALL.into_iter().map(|kind| IntakeKindChoice { kind, label: kind.label().to_owned() }).collect()
    }
}

impl FromStr for IntakeKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IntakeKind::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| {
            let all: Vec<_> = IntakeKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("Unknown intake kind \"{s}\"; choose one of {}.", all.join(", "))
        })
    }
}

/// The shortest password the server accepts.
pub const MIN_PASSWORD_LEN: usize = 12;

/// What is wrong with a new password, if anything: the server's one rule, its length.
pub fn password_problem(password: &str) -> Option<String> {
    (password.chars().count() < MIN_PASSWORD_LEN)
        .then(|| format!("The password is too short; use at least {MIN_PASSWORD_LEN} characters (a passphrase of a few words works well)."))
}

/// The six digits an authenticator app shows, as typed (surrounding spaces dropped). Only the
/// shape: whether the code is right is the server's to say.
#[derive(Clone, PartialEq, Eq)]
pub struct OneTimeCode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("The two-factor code is the 6 digits your authenticator app shows.")]
pub struct OneTimeCodeError;

impl OneTimeCode {
    pub fn parse(s: &str) -> Result<Self, OneTimeCodeError> {
        let t = s.trim();
        if t.len() == 6 && t.chars().all(|c| c.is_ascii_digit()) {
            Ok(Self(t.to_owned()))
        } else {
            Err(OneTimeCodeError)
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A code is a secret for its 30 seconds: never printed.
impl fmt::Debug for OneTimeCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OneTimeCode(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(Name::parse("  Acme Corp ").unwrap().as_str(), "Acme Corp");
        assert_eq!(Name::parse("   "), Err(NameError::Empty));
        assert_eq!(Name::parse(&"x".repeat(81)), Err(NameError::TooLong(81)));
        assert_eq!(Name::parse("a\u{7}b"), Err(NameError::Control));
    }

    #[test]
    fn timezones_are_iana_names() {
        assert_eq!(Timezone::parse("Europe/Paris").unwrap().as_str(), "Europe/Paris");
        assert!(Timezone::parse("UTC").is_ok());
        let e = Timezone::parse("Mars/Olympus").unwrap_err();
        assert!(e.to_string().contains("IANA"));
    }

    #[test]
    fn intake_kinds_come_from_a_fixed_list() {
        for k in IntakeKind::ALL {
            assert_eq!(k.as_str().parse::<IntakeKind>().unwrap(), k);
            assert_eq!(serde_json::to_value(k).unwrap(), serde_json::Value::String(k.as_str().into()));
        }
        assert!("siem".parse::<IntakeKind>().unwrap_err().contains("edr, firewall"));
    }

    #[test]
    fn passwords_need_twelve_characters() {
        assert!(password_problem("correct horse").is_none());
        assert!(password_problem("short pass").unwrap().contains("at least 12 characters"));
        assert!(password_problem("ééééééééééé").is_some(), "11 characters, whatever their bytes");
    }

    #[test]
    fn one_time_codes_are_six_digits() {
        assert_eq!(OneTimeCode::parse(" 012345 ").unwrap().as_str(), "012345");
        for bad in ["", "12345", "1234567", "12ab56", "１２３４５６"] {
            assert_eq!(OneTimeCode::parse(bad), Err(OneTimeCodeError), "{bad:?}");
        }
        assert!(!format!("{:?}", OneTimeCode::parse("123456").unwrap()).contains("123456"));
    }

    #[test]
    fn every_timezone_name_offered_parses() {
        let names = Timezone::names();
        assert!(names.len() > 400 && names.contains(&"Europe/Paris") && names.contains(&"UTC"));
        assert!(names.iter().all(|n| Timezone::parse(n).is_ok()));
    }

    #[test]
    fn regions_round_trip() {
        for r in Region::ALL {
            assert_eq!(r.as_str().parse::<Region>().unwrap(), r);
            assert_eq!(serde_json::to_string(&r).unwrap(), format!("\"{}\"", r.as_str()));
        }
        assert!("moon".parse::<Region>().unwrap_err().contains("eu-west"));
    }
}
