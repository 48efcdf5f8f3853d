//! The user's own labels and habits (favourites, recents, workspace colours, production marks,
//! the panes side by side), and the rules that keep them tidy. Where they are kept (the Tauri
//! store file) is the shell's business; what may be kept is decided here.

use crate::account_ref::AccountKey;
use crate::error::{ClientError, ErrorCode, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};
use tenancy::WorkspaceId;

/// Most recent palette picks kept.
pub const MAX_RECENTS: usize = 20;
/// Panes side by side, at most.
pub const MAX_PANES: usize = 4;

/// The user's preferences, kept on this computer (never a secret).
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct UiPrefs {
    /// Palette item keys (`workspace:<id>`, `community:<id>`) pinned by the user.
    #[serde(default)]
    pub favourites: Vec<String>,
    /// Most recent first; at most [`MAX_RECENTS`].
    #[serde(default)]
    pub recents: Vec<String>,
    /// Workspace id → a CSS colour the user picked.
    #[serde(default)]
    pub colours: BTreeMap<WorkspaceId, String>,
    /// Workspaces the user marked as production (destructive changes ask first).
    #[serde(default)]
    pub production: Vec<WorkspaceId>,
    /// The panes side by side, left to right (empty: one pane on the account's last workspace).
    #[serde(default)]
    pub panes: Vec<PaneRef>,
    /// The workspace last open in each account.
    #[serde(default)]
    pub last_workspace: BTreeMap<AccountKey, WorkspaceId>,
    /// A name the user gave an account ("Acme production"), shown where the console names the
    /// account: two accounts with the same email on two servers are then told apart at a glance.
    #[serde(default)]
    pub labels: BTreeMap<AccountKey, String>,
}

/// Longest account label, in characters.
pub const MAX_LABEL: usize = 40;

/// A pane (or one side of a comparison): an open account and one of its workspaces.
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaneRef {
    pub account: AccountKey,
    pub workspace_id: WorkspaceId,
}

/// A colour as CSS may take it from the user (`#1f6feb`, `hsl(210 60% 45%)`), and nothing that
/// could close the declaration it is written into.
fn is_colour(c: &str) -> bool {
    !c.is_empty() && c.len() <= 32 && c.chars().all(|ch| ch.is_ascii_alphanumeric() || "#(),.% -".contains(ch))
}

/// The first occurrence of each item, in order.
fn dedup_keep_first<T: Eq + std::hash::Hash + Clone>(items: &mut Vec<T>) {
    let mut seen = HashSet::new();
    items.retain(|x| seen.insert(x.clone()));
}

impl UiPrefs {
    /// The preferences as they may be saved: refused when a colour is not one or there are more
    /// panes than fit; recents capped, and favourites, recents and production marks each listed
    /// once.
    pub fn checked(mut self) -> Result<Self> {
        if let Some(bad) = self.colours.values().find(|c| !is_colour(c)) {
            return Err(ClientError::new(ErrorCode::Validation, format!("\"{bad}\" is not a colour; use a value such as #1f6feb.")));
        }
        if self.panes.len() > MAX_PANES {
            return Err(ClientError::new(ErrorCode::Validation, format!("At most {MAX_PANES} panes fit side by side; close one first.")));
        }
        for label in self.labels.values_mut() {
            *label = label.trim().to_owned();
            if label.chars().count() > MAX_LABEL || label.chars().any(char::is_control) {
                return Err(ClientError::new(
                    ErrorCode::Validation,
                    format!("An account label is at most {MAX_LABEL} characters on one line; \"{}…\" is not. Shorten it.", label.chars().take(20).collect::<String>()),
                ));
            }
        }
        // An emptied label is no label: the account is named by its email and server again.
        self.labels.retain(|_, l| !l.is_empty());
        dedup_keep_first(&mut self.favourites);
        dedup_keep_first(&mut self.recents);
        dedup_keep_first(&mut self.production);
        self.recents.truncate(MAX_RECENTS);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(n: u128) -> WorkspaceId {
        WorkspaceId::from_u128(n)
    }

    #[test]
    fn a_colour_that_could_escape_its_style_is_refused() {
        let prefs = UiPrefs { colours: [(ws(1), "red; background: url(x)".to_owned())].into(), ..Default::default() };
        let e = prefs.checked().unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation);
        assert!(e.message.contains("not a colour"), "{}", e.message);
        for ok in ["#1f6feb", "hsl(210 60% 45%)", "rebeccapurple"] {
            assert!(UiPrefs { colours: [(ws(1), ok.to_owned())].into(), ..Default::default() }.checked().is_ok(), "{ok}");
        }
    }

    #[test]
    fn more_panes_than_fit_are_refused() {
        let pane = PaneRef { account: AccountKey::new("http://127.0.0.1:1", "a@b.io"), workspace_id: ws(1) };
        let prefs = UiPrefs { panes: vec![pane; MAX_PANES + 1], ..Default::default() };
        assert!(prefs.checked().unwrap_err().message.contains("At most 4 panes"));
    }

    #[test]
    fn account_labels_are_trimmed_dropped_when_empty_and_kept_short() {
        let a = AccountKey::new("http://127.0.0.1:1", "a@b.io");
        let b = AccountKey::new("http://127.0.0.1:2", "a@b.io");
        let prefs = UiPrefs { labels: [(a.clone(), "  Acme prod ".to_owned()), (b.clone(), "  ".to_owned())].into(), ..Default::default() };
        let p = prefs.checked().unwrap();
        assert_eq!(p.labels, BTreeMap::from([(a.clone(), "Acme prod".to_owned())]));
        for bad in ["x".repeat(MAX_LABEL + 1), "two\nlines".to_owned()] {
            let e = UiPrefs { labels: [(a.clone(), bad.clone())].into(), ..Default::default() }.checked().unwrap_err();
            assert!(e.code == ErrorCode::Validation && e.message.contains("at most 40"), "{bad:?}: {}", e.message);
        }
        assert!(UiPrefs { labels: [(a, "é".repeat(MAX_LABEL))].into(), ..Default::default() }.checked().is_ok(), "characters, not bytes");
    }

    #[test]
    fn lists_keep_each_item_once_and_recents_are_capped() {
        let recents: Vec<String> = (0..25).map(|i| format!("workspace:{}", i % 23)).collect();
        let prefs = UiPrefs {
            // Not neighbours: a neighbours-only dedup kept both "a"s.
            favourites: vec!["a".into(), "b".into(), "a".into()],
            recents,
            production: vec![ws(2), ws(1), ws(2)],
            ..Default::default()
        };
        let p = prefs.checked().unwrap();
        assert_eq!(p.favourites, vec!["a", "b"]);
        assert_eq!(p.production, vec![ws(2), ws(1)]);
        assert_eq!(p.recents.len(), MAX_RECENTS);
        assert_eq!(p.recents.iter().collect::<HashSet<_>>().len(), MAX_RECENTS, "no recent twice");
        assert_eq!(p.recents[0], "workspace:0", "most recent first, as given");
    }
}
