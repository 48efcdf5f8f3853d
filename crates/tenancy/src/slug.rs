//! Slugs: the URL-safe identifiers deep links carry.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const SLUG_MIN: usize = 3;
pub const SLUG_MAX: usize = 30;

/// Lower-case letters, digits and single hyphens; 3–30 characters; starts and ends with a
/// letter or digit. Only a valid slug can be held.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[cfg_attr(feature = "ts", ts(type = "string"))]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "acme-corp")]
pub struct Slug(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("The slug is {0} characters long; use between 3 and 30 characters.")]
    Length(usize),
    #[error("The slug contains upper-case letters; slugs are lower-case (try \"{0}\").")]
    UpperCase(String),
    #[error("The slug contains \"{0}\"; use only lower-case letters a–z, digits and hyphens.")]
    Character(char),
    #[error("The slug starts or ends with a hyphen; start and end it with a letter or digit.")]
    EdgeHyphen,
    #[error("The slug contains two hyphens in a row; use a single hyphen between words.")]
    DoubleHyphen,
}

impl Slug {
    pub fn parse(s: &str) -> Result<Self, SlugError> {
        let len = s.chars().count();
        if !(SLUG_MIN..=SLUG_MAX).contains(&len) {
            return Err(SlugError::Length(len));
        }
        if s.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(SlugError::UpperCase(s.to_ascii_lowercase()));
        }
        if let Some(c) = s.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')) {
            return Err(SlugError::Character(c));
        }
        if s.starts_with('-') || s.ends_with('-') {
            return Err(SlugError::EdgeHyphen);
        }
        if s.contains("--") {
            return Err(SlugError::DoubleHyphen);
        }
        Ok(Self(s.to_owned()))
    }

    /// A suggested slug for a name ("Acme Corp — Prod" → "acme-corp-prod"); may still need
    /// editing if the name is too short or made only of symbols.
    pub fn suggest(name: &str) -> String {
        let mut out = String::new();
        for c in name.chars() {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut out: String = out.chars().take(SLUG_MAX).collect();
        while out.ends_with('-') {
            out.pop();
        }
        out
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Slug {
    type Error = SlugError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Slug::parse(&s)
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The slug rules as the user types: a slug made from the name, and what is wrong with the
/// slug typed (the same rules the server applies).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlugHint {
    /// A slug made from the name, for when the user has not typed one.
    pub suggestion: String,
    /// What is wrong with the slug typed, and how to fix it; `None` when it is valid.
    pub problem: Option<String>,
}

impl SlugHint {
    pub fn of(name: &str, slug: &str) -> Self {
        SlugHint { suggestion: Slug::suggest(name), problem: Slug::parse(slug).err().map(|e| e.to_string()) }
    }

    /// The hint for a community's slug, which must differ from those its workspace has
    /// (`taken` answers whether one is used): the suggestion is the first free one of
    /// `base`, `base-2`, `base-3`…, and a slug typed that is taken is a problem.
    pub fn among(name: &str, slug: &str, taken: impl Fn(&str) -> bool) -> Self {
        let mut hint = SlugHint::of(name, slug);
        hint.suggestion = first_free(&hint.suggestion, &taken);
        if hint.problem.is_none() && !slug.is_empty() && taken(slug) {
            hint.problem = Some(community_slug_taken(slug, &first_free(slug, &taken)));
        }
        hint
    }
}

/// `base` when it is free, else the first of `base-2`, `base-3`… that is (kept within the
/// slug's length); an empty `base` stays empty.
pub fn first_free(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if base.is_empty() || !taken(base) {
        return base.to_owned();
    }
    (2..)
        .map(|n| {
            let tail = format!("-{n}");
            let head: String = base.chars().take(SLUG_MAX - tail.len()).collect();
            format!("{}{tail}", head.trim_end_matches('-'))
        })
        .find(|s| !taken(s))
        .expect("some number is free")
}

/// Why a community slug was refused: its workspace has it already. The server and the
/// console say the same sentence; `free` is one the workspace does not have.
pub fn community_slug_taken(slug: &str, free: &str) -> String {
    format!("This workspace already has a community with slug \"{slug}\"; slugs are unique in a workspace, so choose another (such as {free}).")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_typical_slugs() {
        for s in ["acme", "acme-corp", "a1b", "soc-2-eu", "abcdefghijklmnopqrstuvwxyz0123"] {
            assert_eq!(Slug::parse(s).unwrap().as_str(), s);
        }
    }

    #[test]
    fn refuses_with_a_reason() {
        assert_eq!(Slug::parse("ab"), Err(SlugError::Length(2)));
        assert_eq!(Slug::parse(&"a".repeat(31)), Err(SlugError::Length(31)));
        assert_eq!(Slug::parse("Acme"), Err(SlugError::UpperCase("acme".into())));
        assert_eq!(Slug::parse("acme_corp"), Err(SlugError::Character('_')));
        assert_eq!(Slug::parse("acmé"), Err(SlugError::Character('é')));
        assert_eq!(Slug::parse("-acme"), Err(SlugError::EdgeHyphen));
        assert_eq!(Slug::parse("acme-"), Err(SlugError::EdgeHyphen));
        assert_eq!(Slug::parse("acme--corp"), Err(SlugError::DoubleHyphen));
        assert!(SlugError::Length(2).to_string().contains("between 3 and 30"));
    }

    #[test]
    fn suggests_from_names() {
        assert_eq!(Slug::suggest("Acme Corp — Production"), "acme-corp-production");
        assert!(Slug::parse(&Slug::suggest("Globex Industries")).is_ok());
    }

    #[test]
    fn community_hints_avoid_the_slugs_taken() {
        let taken = ["initech", "initech-2", &"a".repeat(30)];
        let is_taken = |s: &str| taken.contains(&s);
        assert_eq!(SlugHint::among("Initech", "", is_taken).suggestion, "initech-3");
        assert_eq!(SlugHint::among("Vandelay", "", is_taken).suggestion, "vandelay");
        let h = SlugHint::among("Initech", "initech", is_taken);
        assert_eq!(h.problem.as_deref(), Some(community_slug_taken("initech", "initech-3").as_str()));
        assert!(h.problem.unwrap().contains("such as initech-3"));
        assert_eq!(SlugHint::among("Initech", "initech-9", is_taken).problem, None);
        // A malformed slug says what is malformed, not that it is taken.
        assert!(SlugHint::among("x", "Initech", is_taken).problem.unwrap().contains("lower-case"));
        let long = first_free(&"a".repeat(30), is_taken);
        assert_eq!(long.len(), 30);
        assert!(long.ends_with("-2") && Slug::parse(&long).is_ok(), "{long}");
        assert_eq!(first_free("", is_taken), "");
    }

    #[test]
    fn deserializing_validates() {
        assert!(serde_json::from_str::<Slug>("\"ok-slug\"").is_ok());
        assert!(serde_json::from_str::<Slug>("\"Bad Slug\"").is_err());
    }

    proptest! {
        #[test]
        fn every_accepted_slug_obeys_the_rules(s in "\\PC{0,40}") {
            if let Ok(slug) = Slug::parse(&s) {
                let v = slug.as_str();
                prop_assert!((3..=30).contains(&v.len()));
                prop_assert!(v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
                prop_assert!(!v.starts_with('-') && !v.ends_with('-') && !v.contains("--"));
            }
        }

        #[test]
        fn well_formed_slugs_are_accepted(words in proptest::collection::vec("[a-z0-9]{1,6}", 1..5)) {
            let s = words.join("-");
            prop_assume!((3..=30).contains(&s.len()));
            let parsed = Slug::parse(&s).unwrap();
            prop_assert_eq!(parsed.as_str(), s.as_str());
        }

        #[test]
        fn suggestions_are_valid_or_refused_for_length(name in "[A-Za-z0-9 ._-]{0,50}") {
            let s = Slug::suggest(&name);
            match Slug::parse(&s) {
                Ok(_) => {}
                Err(e) => prop_assert!(matches!(e, SlugError::Length(_)), "{e:?} for {s:?}"),
            }
        }
    }
}
