//! Every read view of the console, answered from the cache with SQL (paged and aggregated in
//! the database, never by loading everything), one file per view: the lists a pane picks from
//! (`lists.rs`), the Communities view (`communities.rs`), the members table (`members.rs`), one
//! member's detail (`member.rs`), and the overview of a set of communities (`overview.rs`).

mod communities;
mod lists;
mod member;
mod members;
mod overview;
mod people;

pub use communities::{CommunityRow, WorkspaceMode};
pub use member::MemberDetail;
pub use members::{MemberPage, MemberQuery, MemberRow, MemberSort, MemberStatus, RowRole};
pub use overview::Aggregate;
pub use people::{PersonHit, MAX_PEOPLE};

use super::data;
use crate::error::Result;
use sqlx::{QueryBuilder, Row, Sqlite};

/// A `LIKE` pattern for `s` anywhere, its own `%`, `_` and `\\` taken literally.
fn like(s: &str) -> String {
    format!("%{}%", s.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// `(a, b, …)` of numbers, inlined (they come from the cache, not from a caller).
fn push_list<'b>(qb: &mut QueryBuilder<'_, Sqlite>, ks: impl IntoIterator<Item = &'b i64>) {
    let list: Vec<String> = ks.into_iter().map(|k| k.to_string()).collect();
    qb.push(format!("({})", list.join(", ")));
}

/// Rows of one `data` column, each an entity's JSON.
fn entities<T: serde::de::DeserializeOwned>(rows: &[sqlx::sqlite::SqliteRow]) -> Result<Vec<T>> {
    rows.iter().map(|r| data(r.get::<&str, _>(0))).collect()
}

fn row_role(r: &sqlx::sqlite::SqliteRow) -> Result<RowRole> {
    row_role_at(r, 1)
}

fn row_role_at(r: &sqlx::sqlite::SqliteRow, at: usize) -> Result<RowRole> {
    parse_role(r.get::<&str, _>(at), r.get::<&str, _>(at + 1), r.get::<&str, _>(at + 2))
}

/// A role of a row from its community's and role's ids and its type, as the cache holds them.
fn parse_role(community: &str, role: &str, assignment_type: &str) -> Result<RowRole> {
    let bad = |_| crate::error::ClientError::internal("A cached role assignment could not be read; a full resync repairs the cache.");
    Ok(RowRole {
        community_id: community.parse().map_err(bad)?,
        role_id: role.parse().map_err(bad)?,
        assignment_type: assignment_type.parse().map_err(|_| crate::error::ClientError::internal("bad cached assignment type"))?,
    })
}

/// For the views' tests: a deterministic xorshift generator of numbers below `n`, from `seed`
/// (the same seed, the same random data in every run).
#[cfg(test)]
pub(crate) fn random_below(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}
