//! Many rows at once, for the seeder: the same rows the single-row inserts write (same columns,
//! same values), a thousand or so to a statement instead of one, inside the caller's
//! transaction. Nothing here is a request's path.
//!
//! The change feed's rows get their sequence numbers in one step: PostgreSQL's `feed_head` is
//! bumped once by the number of rows (bumping that one row per change, as `insert_change`
//! does, makes each bump walk every earlier version of the row the transaction left behind:
//! quadratic over a seed), SQLite's AUTOINCREMENT follows the numbers written explicitly.

use super::*;

/// One value of a row to write, typed as its column is (PostgreSQL wants a NULL typed too).
#[derive(Clone, Debug)]
pub(crate) enum Cell {
    Text(Option<String>),
    Int(Option<i64>),
    Bool(bool),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(Some(s))
    }
}
impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(Some(s.to_owned()))
    }
}
impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Self {
        Cell::Text(s)
    }
}
impl From<i64> for Cell {
    fn from(v: i64) -> Self {
        Cell::Int(Some(v))
    }
}
impl From<Option<i64>> for Cell {
    fn from(v: Option<i64>) -> Self {
        Cell::Int(v)
    }
}
impl From<bool> for Cell {
    fn from(v: bool) -> Self {
        Cell::Bool(v)
    }
}

/// At most this many values in one statement (SQLite allows 32,766 placeholders, PostgreSQL
/// 65,535), and at most [`MAX_ROWS`] rows.
pub(crate) const MAX_VALUES: usize = 30_000;
pub(crate) const MAX_ROWS: usize = 1_000;

/// The `INSERT INTO table (columns) VALUES ($1, …), (…)` text for `rows` rows of `columns`:
/// numbered placeholders (`numbered`, PostgreSQL's), or anonymous ones (`?`, for SQLite, which
/// looks each numbered one up by name in a list of them all: quadratic in a statement of
/// thousands, 70% of a seed's time).
pub(crate) fn values_text(table: &str, columns: &[&str], rows: usize, numbered: bool) -> String {
    let mut text = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    let mut n = 0;
    for r in 0..rows {
        if r > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for c in 0..columns.len() {
            if c > 0 {
                text.push(',');
            }
            n += 1;
            if numbered {
                text.push('$');
                text.push_str(&n.to_string());
            } else {
                text.push('?');
            }
        }
        text.push(')');
    }
    text
}

/// How many rows of `columns` columns go in one statement.
pub(crate) fn rows_per_statement(columns: usize) -> usize {
    (MAX_VALUES / columns.max(1)).clamp(1, MAX_ROWS)
}

#[async_trait]
pub trait BulkRows: Send {
    async fn insert_users(&mut self, users: &[UserRecord]) -> R<()>;
    async fn insert_members(&mut self, members: &[Member]) -> R<()>;
    async fn insert_communities(&mut self, communities: &[Community]) -> R<()>;
    async fn insert_intakes(&mut self, intakes: &[Intake]) -> R<()>;
    /// Each key with its secret's hash.
    async fn insert_api_keys(&mut self, keys: &[(ApiKey, String)]) -> R<()>;
    async fn insert_assignments(&mut self, assignments: &[RoleAssignment]) -> R<()>;
    /// The changes, numbered in order after the feed's latest.
    async fn insert_changes(&mut self, changes: &[NewChange]) -> R<()>;
}

/// Implements [`BulkRows`] for a store's transaction type (see `impl_sql_tx!`).
macro_rules! impl_bulk_rows {
    ($tx:ty, $db:ty) => {
        impl $tx {
            /// `rows` (each with a value per column, in order) into `table`, in as few
            /// statements as the placeholder limits allow.
            async fn insert_values(&mut self, table: &str, columns: &[&str], rows: Vec<Vec<bulk::Cell>>) -> R<()> {
                let per = bulk::rows_per_statement(columns.len());
                let numbered = <$db as sqlx::Database>::NAME == "PostgreSQL";
                let mut rows = rows.into_iter().peekable();
                // The full batch's text is made once and reused (its statement is prepared once).
                let full = bulk::values_text(table, columns, per, numbered);
                while rows.peek().is_some() {
                    let batch: Vec<Vec<bulk::Cell>> = rows.by_ref().take(per).collect();
                    let partial;
                    let text = if batch.len() == per {
                        &full
                    } else {
                        partial = bulk::values_text(table, columns, batch.len(), numbered);
                        &partial
                    };
                    let mut q = sqlx::query(text);
                    for row in &batch {
                        debug_assert_eq!(row.len(), columns.len(), "{table}: a value per column");
                        for cell in row {
                            q = match cell {
                                bulk::Cell::Text(s) => q.bind(s.as_deref()),
                                bulk::Cell::Int(v) => q.bind(*v),
                                bulk::Cell::Bool(b) => q.bind(*b),
                            };
                        }
                    }
                    q.execute(&mut *self.tx).await.map_err(uniq)?;
                }
                Ok(())
            }
        }

        #[async_trait]
        impl bulk::BulkRows for $tx {
            async fn insert_users(&mut self, users: &[UserRecord]) -> R<()> {
                let cols = ["id", "email", "display_name", "password_hash", "totp_secret", "totp_enabled", "platform_admin", "free_limit_lifted", "created_at"];
                let rows = users.iter().map(|u| -> Vec<bulk::Cell> {
                    vec![
                        u.id.to_string().into(),
                        u.email.as_str().into(),
                        u.display_name.as_str().into(),
                        u.password_hash.as_str().into(),
                        u.totp_secret.clone().into(),
                        u.totp_enabled.into(),
                        u.platform_admin.into(),
                        u.free_limit_lifted.into(),
                        ms(u.created_at).into(),
                    ]
                });
                self.insert_values("users", &cols, rows.collect()).await
            }
            async fn insert_members(&mut self, members: &[Member]) -> R<()> {
                let cols = ["workspace_id", "user_id", "role", "joined_at", "version", "contact_of", "email", "display_name", "totp_enabled"];
                let rows = members.iter().map(|m| -> Vec<bulk::Cell> {
                    vec![
                        m.workspace_id.to_string().into(),
                        m.user_id.to_string().into(),
                        m.role.as_str().into(),
                        ms(m.joined_at).into(),
                        m.version.into(),
                        m.contact_of.map(|c| c.to_string()).into(),
                        m.email.as_str().into(),
                        m.display_name.as_str().into(),
                        m.two_factor_enabled.into(),
                    ]
                });
                self.insert_values("members", &cols, rows.collect()).await
            }
            async fn insert_communities(&mut self, communities: &[Community]) -> R<()> {
                let cols = ["id", "workspace_id", "slug", "name", "timezone", "contact_email", "region", "created_at", "version", "portal_enabled", "portal_show_team"];
                let mut rows: Vec<Vec<bulk::Cell>> = Vec::with_capacity(communities.len());
                for c in communities {
                    let st = settings_of(c)?;
                    rows.push(vec![
                        c.id.to_string().into(),
                        c.workspace_id.to_string().into(),
                        c.slug.as_str().into(),
                        c.name.as_str().into(),
                        st.timezone.as_str().into(),
                        st.contact_email.as_ref().map(|e| e.as_str().to_owned()).into(),
                        st.region.as_str().into(),
                        ms(c.created_at).into(),
                        c.version.into(),
                        st.portal.enabled.into(),
                        st.portal.show_team.into(),
                    ]);
                }
                self.insert_values("communities", &cols, rows).await
            }
            async fn insert_intakes(&mut self, intakes: &[Intake]) -> R<()> {
                let cols = ["id", "workspace_id", "community_id", "name", "kind", "created_at"];
                let rows = intakes.iter().map(|i| -> Vec<bulk::Cell> {
                    vec![
                        i.id.to_string().into(),
                        i.workspace_id.to_string().into(),
                        i.community_id.to_string().into(),
                        i.name.as_str().into(),
                        i.kind.as_str().into(),
                        ms(i.created_at).into(),
                    ]
                });
                self.insert_values("intakes", &cols, rows.collect()).await
            }
            async fn insert_api_keys(&mut self, keys: &[(ApiKey, String)]) -> R<()> {
                let cols = ["id", "workspace_id", "community_id", "name", "prefix", "secret_hash", "role_ids", "created_by", "created_at", "expires_at", "last_used_at", "revoked_at"];
                let rows = keys.iter().map(|(k, secret_hash)| -> Vec<bulk::Cell> {
                    vec![
                        k.id.to_string().into(),
                        k.workspace_id.to_string().into(),
                        k.community_id.to_string().into(),
                        k.name.as_str().into(),
                        k.prefix.as_str().into(),
                        secret_hash.as_str().into(),
                        to_json(&k.role_ids).into(),
                        k.created_by.to_string().into(),
                        ms(k.created_at).into(),
                        opt_ms(k.expires_at).into(),
                        opt_ms(k.last_used_at).into(),
                        opt_ms(k.revoked_at).into(),
                    ]
                });
                self.insert_values("api_keys", &cols, rows.collect()).await
            }
            async fn insert_assignments(&mut self, assignments: &[RoleAssignment]) -> R<()> {
                let cols = ["id", "workspace_id", "community_id", "user_id", "role_id", "assignment_type", "created_at"];
                let rows = assignments.iter().map(|a| -> Vec<bulk::Cell> {
                    vec![
                        a.id.to_string().into(),
                        a.workspace_id.to_string().into(),
                        a.community_id.to_string().into(),
                        a.user_id.to_string().into(),
                        a.role_id.to_string().into(),
                        a.assignment_type.as_str().into(),
                        ms(a.created_at).into(),
                    ]
                });
                self.insert_values("assignments", &cols, rows.collect()).await
            }
            async fn insert_changes(&mut self, changes: &[NewChange]) -> R<()> {
                if changes.is_empty() {
                    return Ok(());
                }
                let n = changes.len() as i64;
                // The number before the first of these changes.
                let last: i64 = if <$db as sqlx::Database>::NAME == "PostgreSQL" {
                    sqlx::query("UPDATE feed_head SET seq = seq + $1 WHERE id = 1 RETURNING seq - $1").bind(n).fetch_one(&mut *self.tx).await?.try_get(0)?
                } else {
                    sqlx::query(LATEST_SEQ).fetch_one(&mut *self.tx).await?.try_get(0)?
                };
                let cols = ["seq", "workspace_id", "subject_user_id", "kind", "entity_id", "op", "data", "at", "community_id"];
                let rows = changes.iter().enumerate().map(|(i, c)| -> Vec<bulk::Cell> {
                    vec![
                        (last + 1 + i as i64).into(),
                        c.workspace_id.map(|w| w.to_string()).into(),
                        c.subject_user_id.map(|u| u.to_string()).into(),
                        c.kind.as_str().into(),
                        c.entity_id.as_str().into(),
                        (if c.op == ChangeOp::Upsert { "upsert" } else { "delete" }).into(),
                        c.data.as_ref().map(to_json).into(),
                        ms(c.at).into(),
                        c.community_id.map(|x| x.to_string()).into(),
                    ]
                });
                self.insert_values("changes", &cols, rows.collect()).await
            }
        }
    };
}
