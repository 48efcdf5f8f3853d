//! What the SQL stores share: row decoding and the queries themselves. SQLite and PostgreSQL
//! read the same SQL text (`$n` placeholders, ids as text, times as Unix milliseconds, lists as
//! JSON text), so `impl_sql_tx!` implements `Tx` once for both transaction types. Each store
//! supplies only what differs: how a write locks a workspace row (`lock_clause`), how the
//! tenancy context is set (`set_context`), and the change feed's sequence (`NEXT_SEQ`,
//! `LATEST_SEQ`).

use super::*;
use sqlx::Row;
use std::str::FromStr;

/// The typed columns the row decoders read, from either database's rows.
pub(crate) trait Cols {
    fn text(&self, col: &str) -> R<String>;
    fn text_opt(&self, col: &str) -> R<Option<String>>;
    fn int(&self, col: &str) -> R<i64>;
    fn int_opt(&self, col: &str) -> R<Option<i64>>;
    fn flag(&self, col: &str) -> R<bool>;
}

macro_rules! cols_for {
    ($row:ty) => {
        impl Cols for $row {
            fn text(&self, col: &str) -> R<String> {
                Ok(self.try_get(col)?)
            }
            fn text_opt(&self, col: &str) -> R<Option<String>> {
                Ok(self.try_get(col)?)
            }
            fn int(&self, col: &str) -> R<i64> {
                Ok(self.try_get(col)?)
            }
            fn int_opt(&self, col: &str) -> R<Option<i64>> {
                Ok(self.try_get(col)?)
            }
            fn flag(&self, col: &str) -> R<bool> {
                Ok(self.try_get(col)?)
            }
        }
    };
}
cols_for!(sqlx::sqlite::SqliteRow);
cols_for!(sqlx::postgres::PgRow);

// ---------- conversions ----------

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}
pub(crate) fn opt_ms(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(ms)
}
pub(crate) fn time(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
pub(crate) fn parse<T: FromStr>(row: &impl Cols, col: &str) -> R<T>
where
    T::Err: std::fmt::Display,
{
    let s = row.text(col)?;
    s.parse().map_err(|e: T::Err| corrupt(format!("{col}: {e}")))
}
pub(crate) fn parse_opt<T: FromStr>(row: &impl Cols, col: &str) -> R<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let s = row.text_opt(col)?;
    s.map(|s| s.parse().map_err(|e: T::Err| corrupt(format!("{col}: {e}")))).transpose()
}
pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &impl Cols, col: &str) -> R<T> {
    let s = row.text(col)?;
    serde_json::from_str(&s).map_err(|e| corrupt(format!("{col}: {e}")))
}
pub(crate) fn t(row: &impl Cols, col: &str) -> R<DateTime<Utc>> {
    Ok(time(row.int(col)?))
}
pub(crate) fn t_opt(row: &impl Cols, col: &str) -> R<Option<DateTime<Utc>>> {
    Ok(row.int_opt(col)?.map(time))
}
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}
pub(crate) fn uniq(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            // PostgreSQL names the constraint; SQLite names the columns in its message.
            StoreError::Unique(d.constraint().map(str::to_owned).unwrap_or_else(|| d.message().trim_start_matches("UNIQUE constraint failed: ").to_owned()))
        }
        _ => StoreError::Database(e),
    }
}
pub(crate) fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

pub(crate) fn user_row(r: &impl Cols) -> R<UserRecord> {
    Ok(UserRecord {
        id: parse(r, "id")?,
        email: Email::parse(&r.text("email")?).map_err(corrupt)?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        totp_secret: r.text_opt("totp_secret")?,
        totp_enabled: r.flag("totp_enabled")?,
        platform_admin: r.flag("platform_admin")?,
        free_limit_lifted: r.flag("free_limit_lifted")?,
        created_at: t(r, "created_at")?,
    })
}

pub(crate) fn workspace_row(r: &impl Cols) -> R<Workspace> {
    let plan: Plan = parse(r, "plan")?;
    Ok(Workspace {
        id: parse(r, "id")?,
        slug: Slug::parse(&r.text("slug")?).map_err(corrupt)?,
        name: Name::parse(&r.text("name")?).map_err(corrupt)?,
        plan,
        limits: plan.limits(),
        security: json(r, "security")?,
        created_at: t(r, "created_at")?,
        deleted_at: t_opt(r, "deleted_at")?,
        version: r.int("version")?,
    })
}

pub(crate) fn member_row(r: &impl Cols) -> R<Member> {
    Ok(Member {
        workspace_id: parse(r, "workspace_id")?,
        user_id: parse(r, "user_id")?,
        email: Email::parse(&r.text("email")?).map_err(corrupt)?,
        display_name: r.text("display_name")?,
        two_factor_enabled: r.flag("totp_enabled")?,
        role: parse(r, "role")?,
        joined_at: t(r, "joined_at")?,
        version: r.int("version")?,
    })
}

pub(crate) fn community_row(r: &impl Cols) -> R<Community> {
    Ok(Community {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        slug: Slug::parse(&r.text("slug")?).map_err(corrupt)?,
        name: Name::parse(&r.text("name")?).map_err(corrupt)?,
        timezone: Timezone::parse(&r.text("timezone")?).map_err(corrupt)?,
        contact_email: r
            .text_opt("contact_email")?
            .map(|e| Email::parse(&e).map_err(corrupt))
            .transpose()?,
        region: parse(r, "region")?,
        created_at: t(r, "created_at")?,
        version: r.int("version")?,
    })
}

pub(crate) fn role_row(r: &impl Cols) -> R<Role> {
    Ok(Role {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        name: Name::parse(&r.text("name")?).map_err(corrupt)?,
        kind: parse(r, "kind")?,
        builtin: r
            .text_opt("builtin")?
            .map(|b| serde_json::from_value(serde_json::Value::String(b)).map_err(corrupt))
            .transpose()?,
        description: r.text("description")?,
        permissions: json(r, "permissions")?,
        intake_scope: json(r, "intake_scope")?,
        created_at: t(r, "created_at")?,
        version: r.int("version")?,
    })
}

pub(crate) fn assignment_row(r: &impl Cols) -> R<RoleAssignment> {
    Ok(RoleAssignment {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        community_id: parse(r, "community_id")?,
        user_id: parse(r, "user_id")?,
        role_id: parse(r, "role_id")?,
        assignment_type: parse(r, "assignment_type")?,
        created_at: t(r, "created_at")?,
    })
}

pub(crate) fn invitation_row(r: &impl Cols) -> R<InvitationRecord> {
    Ok(InvitationRecord {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        email: Email::parse(&r.text("email")?).map_err(corrupt)?,
        workspace_role: parse(r, "workspace_role")?,
        assignments: json(r, "assignments")?,
        invited_by: parse(r, "invited_by")?,
        created_at: t(r, "created_at")?,
        expires_at: t(r, "expires_at")?,
        accepted_at: t_opt(r, "accepted_at")?,
        revoked_at: t_opt(r, "revoked_at")?,
    })
}

pub(crate) fn api_key_row(r: &impl Cols) -> R<ApiKey> {
    Ok(ApiKey {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        community_id: parse(r, "community_id")?,
        name: Name::parse(&r.text("name")?).map_err(corrupt)?,
        prefix: r.text("prefix")?,
        role_ids: json(r, "role_ids")?,
        created_by: parse(r, "created_by")?,
        created_at: t(r, "created_at")?,
        expires_at: t_opt(r, "expires_at")?,
        last_used_at: t_opt(r, "last_used_at")?,
        revoked_at: t_opt(r, "revoked_at")?,
    })
}

pub(crate) fn intake_row(r: &impl Cols) -> R<Intake> {
    Ok(Intake {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        community_id: parse(r, "community_id")?,
        name: Name::parse(&r.text("name")?).map_err(corrupt)?,
        kind: r.text("kind")?,
        created_at: t(r, "created_at")?,
    })
}

pub(crate) fn refresh_row(r: &impl Cols) -> R<RefreshTokenRecord> {
    Ok(RefreshTokenRecord {
        token_hash: r.text("token_hash")?,
        family_id: parse(r, "family_id")?,
        user_id: parse(r, "user_id")?,
        created_at: t(r, "created_at")?,
        expires_at: t(r, "expires_at")?,
        used_at: t_opt(r, "used_at")?,
        revoked_at: t_opt(r, "revoked_at")?,
    })
}

pub(crate) const MEMBER_SELECT: &str = "SELECT m.workspace_id, m.user_id, m.role, m.joined_at, m.version, u.email, u.display_name, u.totp_enabled \
     FROM members m JOIN users u ON u.id = m.user_id";


/// Past this many workspaces a user's feed reads one filter instead of one index range per
/// workspace (SQLite allows 500 arms in a compound SELECT).
pub(crate) const FEED_ARMS: usize = 400;

/// The condition picking the changes of `user` ($2) in (since $1, upto $3]: their own and each
/// of their `workspaces` (bound from $4 on), one index range per source, so only the rows
/// picked are read. (`seq > $1 AND (subject = $2 OR workspace IN (...))` made SQLite read and
/// sort every later change, data included, for each batch: quadratic over a full sync.)
pub(crate) fn feed_sources(workspaces: usize) -> String {
    if workspaces > FEED_ARMS {
        return "seq > $1 AND seq <= $3 AND (subject_user_id = $2 OR workspace_id IN (SELECT workspace_id FROM members WHERE user_id = $2))".to_owned();
    }
    let mut sql = String::from("seq IN (SELECT seq FROM changes WHERE subject_user_id = $2 AND seq > $1 AND seq <= $3");
    for i in 0..workspaces {
        sql.push_str(&format!(" UNION ALL SELECT seq FROM changes WHERE workspace_id = ${} AND seq > $1 AND seq <= $3", i + 4));
    }
    sql.push(')');
    sql
}

macro_rules! q {
    ($sql:expr $(, $arg:expr)* $(,)?) => {
        sqlx::query($sql)$(.bind($arg))*
    };
}

/// Implements `Tx` for a store's transaction type `$tx` (a struct with a `tx` field holding a
/// `sqlx::Transaction` of database `$db`), with the shared queries.
macro_rules! impl_sql_tx {
    ($tx:ty, $db:ty, $row:ty) => {
        impl $tx {
            async fn one<'q, T>(&mut self, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>, f: fn(&$row) -> R<T>) -> R<Option<T>> {
                q.fetch_optional(&mut *self.tx).await?.as_ref().map(f).transpose()
            }
            async fn all<'q, T>(&mut self, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>, f: fn(&$row) -> R<T>) -> R<Vec<T>> {
                q.fetch_all(&mut *self.tx).await?.iter().map(f).collect()
            }
            async fn exec<'q>(&mut self, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>) -> R<u64> {
                Ok(q.execute(&mut *self.tx).await.map_err(uniq)?.rows_affected())
            }
            async fn count<'q>(&mut self, q: sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>) -> R<i64> {
                Ok(q.fetch_one(&mut *self.tx).await?.try_get::<i64, _>(0)?)
            }
        }

        #[async_trait]
        impl Tx for $tx {
            async fn commit(self: Box<Self>) -> R<()> {
                Ok(self.tx.commit().await?)
            }
            async fn enter_workspace(&mut self, ws: WorkspaceId) -> R<()> {
                self.set_context("tenancy.workspace_id", Some(ws.to_string())).await
            }
            async fn act_for(&mut self, user: Option<UserId>) -> R<()> {
                self.set_context("tenancy.user_id", user.map(|u| u.to_string())).await
            }

            async fn user(&mut self, id: UserId) -> R<Option<UserRecord>> {
                self.one(q!("SELECT * FROM users WHERE id = $1", id.to_string()), user_row).await
            }
            async fn user_by_email(&mut self, email: &str) -> R<Option<UserRecord>> {
                self.one(q!("SELECT * FROM users WHERE email = $1", email.trim().to_ascii_lowercase()), user_row).await
            }
            async fn insert_user(&mut self, u: &UserRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO users (id, email, display_name, password_hash, totp_secret, totp_enabled, platform_admin, free_limit_lifted, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    u.id.to_string(), u.email.as_str(), &u.display_name, &u.password_hash, &u.totp_secret, u.totp_enabled, u.platform_admin, u.free_limit_lifted, ms(u.created_at)
                )).await?;
                Ok(())
            }
            async fn update_user(&mut self, u: &UserRecord) -> R<()> {
                self.exec(q!(
                    "UPDATE users SET display_name = $1, password_hash = $2, totp_secret = $3, totp_enabled = $4, platform_admin = $5, free_limit_lifted = $6 WHERE id = $7",
                    &u.display_name, &u.password_hash, &u.totp_secret, u.totp_enabled, u.platform_admin, u.free_limit_lifted, u.id.to_string()
                )).await?;
                Ok(())
            }

            async fn insert_refresh_token(&mut self, t: &RefreshTokenRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at, used_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6,$7)",
                    &t.token_hash, t.family_id.to_string(), t.user_id.to_string(), ms(t.created_at), ms(t.expires_at), opt_ms(t.used_at), opt_ms(t.revoked_at)
                )).await?;
                Ok(())
            }
            async fn refresh_token(&mut self, hash: &str) -> R<Option<RefreshTokenRecord>> {
                self.one(q!("SELECT * FROM refresh_tokens WHERE token_hash = $1", hash), refresh_row).await
            }
            async fn mark_refresh_token_used(&mut self, hash: &str, at: DateTime<Utc>) -> R<()> {
                self.exec(q!("UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2", ms(at), hash)).await?;
                Ok(())
            }
            async fn insert_access_token(&mut self, t: &AccessTokenRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO access_tokens (token_hash, family_id, user_id, expires_at, revoked_at) VALUES ($1,$2,$3,$4,$5)",
                    &t.token_hash, t.family_id.to_string(), t.user_id.to_string(), ms(t.expires_at), opt_ms(t.revoked_at)
                )).await?;
                Ok(())
            }
            async fn access_token(&mut self, hash: &str) -> R<Option<AccessTokenRecord>> {
                self.one(q!("SELECT * FROM access_tokens WHERE token_hash = $1", hash), |r| {
                    Ok(AccessTokenRecord {
                        token_hash: r.text("token_hash")?,
                        family_id: parse(r, "family_id")?,
                        user_id: parse(r, "user_id")?,
                        expires_at: t(r, "expires_at")?,
                        revoked_at: t_opt(r, "revoked_at")?,
                    })
                })
                .await
            }
            async fn revoke_family(&mut self, family: Uuid, at: DateTime<Utc>) -> R<()> {
                let f = family.to_string();
                self.exec(q!("UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL", ms(at), &f)).await?;
                self.exec(q!("UPDATE access_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL", ms(at), &f)).await?;
                Ok(())
            }
            async fn revoke_user_sessions(&mut self, user: UserId, at: DateTime<Utc>) -> R<()> {
                let u = user.to_string();
                self.exec(q!("UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", ms(at), &u)).await?;
                self.exec(q!("UPDATE access_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", ms(at), &u)).await?;
                Ok(())
            }

            async fn workspace(&mut self, id: WorkspaceId) -> R<Option<Workspace>> {
                self.one(q!(&format!("SELECT * FROM workspaces WHERE id = $1{}", self.lock_clause()), id.to_string()), workspace_row).await
            }
            async fn workspace_by_slug(&mut self, slug: &str) -> R<Option<Workspace>> {
                self.one(q!(&format!("SELECT * FROM workspaces WHERE slug = $1{}", self.lock_clause()), slug), workspace_row).await
            }
            async fn insert_workspace(&mut self, w: &Workspace, created_by: UserId) -> R<()> {
                // A new workspace is the tenant the rest of the transaction works in.
                self.enter_workspace(w.id).await?;
                self.exec(q!(
                    "INSERT INTO workspaces (id, slug, name, plan, security, created_by, created_at, deleted_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    w.id.to_string(), w.slug.as_str(), w.name.as_str(), w.plan.as_str(), to_json(&w.security), created_by.to_string(), ms(w.created_at), opt_ms(w.deleted_at), w.version
                )).await?;
                Ok(())
            }
            async fn update_workspace(&mut self, w: &Workspace) -> R<()> {
                self.exec(q!(
                    "UPDATE workspaces SET name = $1, plan = $2, security = $3, deleted_at = $4, version = $5 WHERE id = $6",
                    w.name.as_str(), w.plan.as_str(), to_json(&w.security), opt_ms(w.deleted_at), w.version, w.id.to_string()
                )).await?;
                Ok(())
            }
            async fn memberships(&mut self, user: UserId) -> R<Vec<(Workspace, WorkspaceRole)>> {
                self.all(
                    q!("SELECT w.*, m.role AS member_role FROM workspaces w JOIN members m ON m.workspace_id = w.id WHERE m.user_id = $1 AND w.deleted_at IS NULL ORDER BY w.slug", user.to_string()),
                    |r| Ok((workspace_row(r)?, parse(r, "member_role")?)),
                )
                .await
            }
            async fn member_workspaces(&mut self, user: UserId) -> R<Vec<WorkspaceId>> {
                self.all(q!("SELECT workspace_id FROM members WHERE user_id = $1 ORDER BY workspace_id", user.to_string()), |r| parse(r, "workspace_id")).await
            }
            async fn deleted_workspaces(&mut self) -> R<Vec<Workspace>> {
                self.all(q!("SELECT * FROM workspaces WHERE deleted_at IS NOT NULL ORDER BY deleted_at"), workspace_row).await
            }
            async fn workspaces_deleted_before(&mut self, before: DateTime<Utc>) -> R<Vec<WorkspaceId>> {
                self.all(q!(&format!("SELECT id FROM workspaces WHERE deleted_at IS NOT NULL AND deleted_at <= $1 ORDER BY id{}", self.lock_clause()), ms(before)), |r| parse(r, "id")).await
            }
            async fn purge_workspace(&mut self, id: WorkspaceId) -> R<()> {
                let id = id.to_string();
                // Children first, explicitly, so the purge does not depend on cascade settings.
                for table in ["alert_volumes", "api_keys", "intakes", "invitations", "assignments", "roles", "communities", "members", "changes", "audit_log"] {
                    self.exec(q!(&format!("DELETE FROM {table} WHERE workspace_id = $1"), &id)).await?;
                }
                self.exec(q!("DELETE FROM workspaces WHERE id = $1", &id)).await?;
                Ok(())
            }
            async fn count_free_workspaces_owned(&mut self, user: UserId) -> R<u32> {
                // A write holds the user until it commits, so two requests cannot both count
                // the same free workspaces and each make one more (SQLite's single writer
                // serialises them anyway).
                self.one(q!(&format!("SELECT id FROM users WHERE id = $1{}", self.lock_clause()), user.to_string()), |r| r.text("id")).await?;
                let n = self
                    .count(q!(
                        "SELECT COUNT(*) FROM workspaces w JOIN members m ON m.workspace_id = w.id WHERE m.user_id = $1 AND m.role = 'owner' AND w.plan = 'free' AND w.deleted_at IS NULL",
                        user.to_string()
                    ))
                    .await?;
                Ok(u32_of(n))
            }
            async fn usage(&mut self, ws: WorkspaceId, now: DateTime<Utc>) -> R<UsageCounts> {
                let w = ws.to_string();
                Ok(UsageCounts {
                    members: u32_of(self.count(q!("SELECT COUNT(*) FROM members WHERE workspace_id = $1", &w)).await?),
                    pending_invitations: u32_of(
                        self.count(q!(
                            "SELECT COUNT(*) FROM invitations WHERE workspace_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2",
                            &w, ms(now)
                        ))
                        .await?,
                    ),
                    communities: u32_of(self.count(q!("SELECT COUNT(*) FROM communities WHERE workspace_id = $1", &w)).await?),
                    api_keys: u32_of(self.count(q!("SELECT COUNT(*) FROM api_keys WHERE workspace_id = $1 AND revoked_at IS NULL", &w)).await?),
                })
            }

            async fn member(&mut self, ws: WorkspaceId, user: UserId) -> R<Option<Member>> {
                self.one(q!(&format!("{MEMBER_SELECT} WHERE m.workspace_id = $1 AND m.user_id = $2"), ws.to_string(), user.to_string()), member_row).await
            }
            async fn members(&mut self, ws: WorkspaceId, mq: &MemberQuery) -> R<Vec<Member>> {
                let search = mq.search.as_ref().map(|s| format!("%{}%", s.to_lowercase().replace('%', "\\%").replace('_', "\\_")));
                let sql = format!(
                    "{MEMBER_SELECT} WHERE m.workspace_id = $1 \
                     AND ($2 IS NULL OR lower(u.email) LIKE $2 ESCAPE '\\' OR lower(u.display_name) LIKE $2 ESCAPE '\\') \
                     AND ($3 IS NULL OR m.role = $3) AND ($4 IS NULL OR u.email > $4) ORDER BY u.email LIMIT $5"
                );
                self.all(q!(&sql, ws.to_string(), search, mq.role.map(|r| r.as_str()), &mq.after_email, mq.limit as i64), member_row).await
            }
            async fn insert_member(&mut self, m: &Member) -> R<()> {
                self.exec(q!(
                    "INSERT INTO members (workspace_id, user_id, role, joined_at, version) VALUES ($1,$2,$3,$4,$5)",
                    m.workspace_id.to_string(), m.user_id.to_string(), m.role.as_str(), ms(m.joined_at), m.version
                )).await?;
                Ok(())
            }
            async fn update_member(&mut self, m: &Member) -> R<()> {
                self.exec(q!(
                    "UPDATE members SET role = $1, version = $2 WHERE workspace_id = $3 AND user_id = $4",
                    m.role.as_str(), m.version, m.workspace_id.to_string(), m.user_id.to_string()
                )).await?;
                Ok(())
            }
            async fn delete_member(&mut self, ws: WorkspaceId, user: UserId) -> R<()> {
                self.exec(q!("DELETE FROM members WHERE workspace_id = $1 AND user_id = $2", ws.to_string(), user.to_string())).await?;
                Ok(())
            }
            async fn count_owners(&mut self, ws: WorkspaceId) -> R<u64> {
                Ok(self.count(q!("SELECT COUNT(*) FROM members WHERE workspace_id = $1 AND role = 'owner'", ws.to_string())).await? as u64)
            }

            async fn community(&mut self, ws: WorkspaceId, id: CommunityId) -> R<Option<Community>> {
                self.one(q!("SELECT * FROM communities WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string()), community_row).await
            }
            async fn communities(&mut self, ws: WorkspaceId, after_slug: Option<&str>, limit: u32) -> R<Vec<Community>> {
                self.all(
                    q!("SELECT * FROM communities WHERE workspace_id = $1 AND ($2 IS NULL OR slug > $2) ORDER BY slug LIMIT $3", ws.to_string(), after_slug, limit as i64),
                    community_row,
                )
                .await
            }
            async fn insert_community(&mut self, c: &Community) -> R<()> {
                self.exec(q!(
                    "INSERT INTO communities (id, workspace_id, slug, name, timezone, contact_email, region, created_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    c.id.to_string(), c.workspace_id.to_string(), c.slug.as_str(), c.name.as_str(), c.timezone.as_str(), c.contact_email.as_ref().map(|e| e.as_str()), c.region.as_str(), ms(c.created_at), c.version
                )).await?;
                Ok(())
            }
            async fn update_community(&mut self, c: &Community) -> R<()> {
                self.exec(q!(
                    "UPDATE communities SET name = $1, timezone = $2, contact_email = $3, region = $4, version = $5 WHERE workspace_id = $6 AND id = $7",
                    c.name.as_str(), c.timezone.as_str(), c.contact_email.as_ref().map(|e| e.as_str()), c.region.as_str(), c.version, c.workspace_id.to_string(), c.id.to_string()
                )).await?;
                Ok(())
            }

            async fn role(&mut self, ws: WorkspaceId, id: RoleId) -> R<Option<Role>> {
                self.one(q!("SELECT * FROM roles WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string()), role_row).await
            }
            async fn roles(&mut self, ws: WorkspaceId) -> R<Vec<Role>> {
                self.all(q!("SELECT * FROM roles WHERE workspace_id = $1 ORDER BY kind = 'builtin' DESC, name", ws.to_string()), role_row).await
            }
            async fn insert_role(&mut self, r: &Role) -> R<()> {
                self.exec(q!(
                    "INSERT INTO roles (id, workspace_id, name, kind, builtin, description, permissions, intake_scope, created_at, version) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
                    r.id.to_string(), r.workspace_id.to_string(), r.name.as_str(), r.kind.as_str(), r.builtin.map(|b| b.name().to_lowercase()), &r.description,
                    to_json(&r.permissions), to_json(&r.intake_scope), ms(r.created_at), r.version
                )).await?;
                Ok(())
            }
            async fn update_role(&mut self, r: &Role) -> R<()> {
                self.exec(q!(
                    "UPDATE roles SET name = $1, description = $2, permissions = $3, intake_scope = $4, version = $5 WHERE workspace_id = $6 AND id = $7",
                    r.name.as_str(), &r.description, to_json(&r.permissions), to_json(&r.intake_scope), r.version, r.workspace_id.to_string(), r.id.to_string()
                )).await?;
                Ok(())
            }
            async fn delete_role(&mut self, ws: WorkspaceId, id: RoleId) -> R<()> {
                self.exec(q!("DELETE FROM roles WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string())).await?;
                Ok(())
            }
            async fn count_role_uses(&mut self, ws: WorkspaceId, id: RoleId) -> R<u64> {
                let n = self.count(q!("SELECT COUNT(*) FROM assignments WHERE workspace_id = $1 AND role_id = $2", ws.to_string(), id.to_string())).await?;
                let like = format!("%{id}%");
                let k = self.count(q!("SELECT COUNT(*) FROM api_keys WHERE workspace_id = $1 AND revoked_at IS NULL AND role_ids LIKE $2", ws.to_string(), like)).await?;
                Ok((n + k) as u64)
            }

            async fn communities_using_role(&mut self, ws: WorkspaceId, id: RoleId) -> R<Vec<CommunityId>> {
                self.all(
                    q!(
                        "SELECT community_id FROM assignments WHERE workspace_id = $1 AND role_id = $2 \
                         UNION SELECT community_id FROM api_keys WHERE workspace_id = $1 AND revoked_at IS NULL AND role_ids LIKE $3",
                        ws.to_string(), id.to_string(), format!("%{id}%")
                    ),
                    |r| parse(r, "community_id"),
                )
                .await
            }

            async fn assignment(&mut self, ws: WorkspaceId, id: AssignmentId) -> R<Option<RoleAssignment>> {
                self.one(q!("SELECT * FROM assignments WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string()), assignment_row).await
            }
            async fn assignments(&mut self, ws: WorkspaceId, aq: &AssignmentQuery) -> R<Vec<RoleAssignment>> {
                self.all(
                    q!(
                        "SELECT * FROM assignments WHERE workspace_id = $1 AND ($2 IS NULL OR community_id = $2) AND ($3 IS NULL OR user_id = $3) AND ($4 IS NULL OR id > $4) ORDER BY id LIMIT $5",
                        ws.to_string(), aq.community_id.map(|c| c.to_string()), aq.user_id.map(|u| u.to_string()), aq.after_id.map(|a| a.to_string()), aq.limit as i64
                    ),
                    assignment_row,
                )
                .await
            }
            async fn insert_assignment(&mut self, a: &RoleAssignment) -> R<()> {
                self.exec(q!(
                    "INSERT INTO assignments (id, workspace_id, community_id, user_id, role_id, assignment_type, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)",
                    a.id.to_string(), a.workspace_id.to_string(), a.community_id.to_string(), a.user_id.to_string(), a.role_id.to_string(), a.assignment_type.as_str(), ms(a.created_at)
                )).await?;
                Ok(())
            }
            async fn delete_assignment(&mut self, ws: WorkspaceId, id: AssignmentId) -> R<()> {
                self.exec(q!("DELETE FROM assignments WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string())).await?;
                Ok(())
            }

            async fn invitation(&mut self, id: InvitationId) -> R<Option<InvitationRecord>> {
                self.one(q!("SELECT * FROM invitations WHERE id = $1", id.to_string()), invitation_row).await
            }
            async fn invitations(&mut self, ws: WorkspaceId, after_id: Option<InvitationId>, limit: u32) -> R<Vec<InvitationRecord>> {
                self.all(
                    q!("SELECT * FROM invitations WHERE workspace_id = $1 AND ($2 IS NULL OR id > $2) ORDER BY id LIMIT $3", ws.to_string(), after_id.map(|a| a.to_string()), limit as i64),
                    invitation_row,
                )
                .await
            }
            async fn invitations_for_email(&mut self, email: &Email) -> R<Vec<InvitationRecord>> {
                self.all(
                    q!("SELECT i.* FROM invitations i JOIN workspaces w ON w.id = i.workspace_id WHERE i.email = $1 AND w.deleted_at IS NULL ORDER BY i.id", email.as_str()),
                    invitation_row,
                )
                .await
            }
            async fn insert_invitation(&mut self, i: &InvitationRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO invitations (id, workspace_id, email, workspace_role, assignments, invited_by, created_at, expires_at, accepted_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
                    i.id.to_string(), i.workspace_id.to_string(), i.email.as_str(), i.workspace_role.as_str(), to_json(&i.assignments), i.invited_by.to_string(),
                    ms(i.created_at), ms(i.expires_at), opt_ms(i.accepted_at), opt_ms(i.revoked_at)
                )).await?;
                Ok(())
            }
            async fn update_invitation(&mut self, i: &InvitationRecord) -> R<()> {
                self.exec(q!("UPDATE invitations SET accepted_at = $1, revoked_at = $2 WHERE id = $3", opt_ms(i.accepted_at), opt_ms(i.revoked_at), i.id.to_string())).await?;
                Ok(())
            }

            async fn api_key(&mut self, ws: WorkspaceId, id: ApiKeyId) -> R<Option<ApiKey>> {
                self.one(q!("SELECT * FROM api_keys WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string()), api_key_row).await
            }
            async fn api_key_by_prefix(&mut self, prefix: &str) -> R<Option<(ApiKey, String)>> {
                self.one(q!("SELECT * FROM api_keys WHERE prefix = $1", prefix), |r| Ok((api_key_row(r)?, r.text("secret_hash")?))).await
            }
            async fn api_keys(&mut self, ws: WorkspaceId, community: CommunityId, after_id: Option<ApiKeyId>, limit: u32) -> R<Vec<ApiKey>> {
                self.all(
                    q!(
                        "SELECT * FROM api_keys WHERE workspace_id = $1 AND community_id = $2 AND ($3 IS NULL OR id > $3) ORDER BY id LIMIT $4",
                        ws.to_string(), community.to_string(), after_id.map(|a| a.to_string()), limit as i64
                    ),
                    api_key_row,
                )
                .await
            }
            async fn insert_api_key(&mut self, k: &ApiKey, secret_hash: &str) -> R<()> {
                self.exec(q!(
                    "INSERT INTO api_keys (id, workspace_id, community_id, name, prefix, secret_hash, role_ids, created_by, created_at, expires_at, last_used_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
                    k.id.to_string(), k.workspace_id.to_string(), k.community_id.to_string(), k.name.as_str(), &k.prefix, secret_hash, to_json(&k.role_ids),
                    k.created_by.to_string(), ms(k.created_at), opt_ms(k.expires_at), opt_ms(k.last_used_at), opt_ms(k.revoked_at)
                )).await?;
                Ok(())
            }
            async fn update_api_key(&mut self, k: &ApiKey) -> R<()> {
                self.exec(q!(
                    "UPDATE api_keys SET name = $1, last_used_at = $2, revoked_at = $3 WHERE workspace_id = $4 AND id = $5",
                    k.name.as_str(), opt_ms(k.last_used_at), opt_ms(k.revoked_at), k.workspace_id.to_string(), k.id.to_string()
                )).await?;
                Ok(())
            }

            async fn intake(&mut self, ws: WorkspaceId, id: IntakeId) -> R<Option<Intake>> {
                self.one(q!("SELECT * FROM intakes WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string()), intake_row).await
            }
            async fn intakes(&mut self, ws: WorkspaceId, community: CommunityId) -> R<Vec<Intake>> {
                self.all(q!("SELECT * FROM intakes WHERE workspace_id = $1 AND community_id = $2 ORDER BY name", ws.to_string(), community.to_string()), intake_row).await
            }
            async fn insert_intake(&mut self, i: &Intake) -> R<()> {
                self.exec(q!(
                    "INSERT INTO intakes (id, workspace_id, community_id, name, kind, created_at) VALUES ($1,$2,$3,$4,$5,$6)",
                    i.id.to_string(), i.workspace_id.to_string(), i.community_id.to_string(), i.name.as_str(), &i.kind, ms(i.created_at)
                )).await?;
                Ok(())
            }
            async fn delete_intake(&mut self, ws: WorkspaceId, id: IntakeId) -> R<()> {
                self.exec(q!("DELETE FROM intakes WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string())).await?;
                Ok(())
            }
            async fn alert_volumes_json(&mut self, ws: WorkspaceId, community: Option<CommunityId>, from: NaiveDate, to: NaiveDate) -> R<String> {
                // 90,000 rows for a large MSSP's 90 days: written as JSON by the database (read
                // into typed rows and serialised again, they cost 200 ms of CPU per answer).
                let row = q!(
                    "SELECT '[' || COALESCE(string_agg(format('{\"community_id\":\"%s\",\"day\":\"%s\",\"alerts\":%s}', community_id, day, alerts), ',' ORDER BY community_id, day), '') || ']' \
                     FROM alert_volumes WHERE workspace_id = $1 AND ($2 IS NULL OR community_id = $2) AND day >= $3 AND day <= $4",
                    ws.to_string(), community.map(|c| c.to_string()), from.to_string(), to.to_string()
                )
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(row.try_get::<String, _>(0)?)
            }
            async fn insert_alert_volumes(&mut self, ws: WorkspaceId, v: &[AlertVolume]) -> R<()> {
                let w = ws.to_string();
                for a in v {
                    self.exec(q!(
                        "INSERT INTO alert_volumes (workspace_id, community_id, day, alerts) VALUES ($1,$2,$3,$4) ON CONFLICT (community_id, day) DO UPDATE SET alerts = excluded.alerts",
                        &w, a.community_id.to_string(), a.day.to_string(), a.alerts as i64
                    ))
                    .await?;
                }
                Ok(())
            }

            async fn insert_audit(&mut self, a: &AuditRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO audit_log (workspace_id, actor_id, action, target_kind, target_id, before, after, at, request_id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    a.workspace_id.map(|w| w.to_string()), a.actor_id.map(|u| u.to_string()), &a.action, &a.target_kind, &a.target_id,
                    a.before.as_ref().map(to_json), a.after.as_ref().map(to_json), ms(a.at), &a.request_id
                )).await?;
                Ok(())
            }
            async fn audit(&mut self, ws: Option<WorkspaceId>, before_id: Option<i64>, limit: u32) -> R<Vec<AuditEntry>> {
                self.all(
                    q!(
                        "SELECT * FROM audit_log WHERE (workspace_id = $1 OR ($1 IS NULL AND workspace_id IS NULL)) AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3",
                        ws.map(|w| w.to_string()), before_id, limit as i64
                    ),
                    |r| {
                        let j = |col: &str| -> R<Option<serde_json::Value>> {
                            r.text_opt(col)?.map(|s| serde_json::from_str(&s).map_err(corrupt)).transpose()
                        };
                        Ok(AuditEntry {
                            id: r.int("id")?,
                            workspace_id: parse_opt(r, "workspace_id")?,
                            actor_id: parse_opt(r, "actor_id")?,
                            action: r.text("action")?,
                            target_kind: r.text("target_kind")?,
                            target_id: r.text("target_id")?,
                            before: j("before")?,
                            after: j("after")?,
                            at: t(r, "at")?,
                            request_id: r.text("request_id")?,
                        })
                    },
                )
                .await
            }
            async fn feed_bounds(&mut self, user: UserId, since: i64, limit: u32) -> R<Vec<i64>> {
                let workspaces = self.member_workspaces(user).await?;
                // Each source read up to `limit + 1` changes from its index; the union counts a
                // change that is both the user's own and their workspace's once.
                let sources = if workspaces.len() > FEED_ARMS {
                    "SELECT seq FROM changes WHERE seq > $1 AND (subject_user_id = $2 OR workspace_id IN (SELECT workspace_id FROM members WHERE user_id = $2)) AND $3 > 0".to_owned()
                } else {
                    let mut sql = String::from("SELECT seq FROM (SELECT seq FROM changes WHERE subject_user_id = $2 AND seq > $1 ORDER BY seq LIMIT $3) s0");
                    for i in 0..workspaces.len() {
                        sql.push_str(&format!(" UNION SELECT seq FROM (SELECT seq FROM changes WHERE workspace_id = ${} AND seq > $1 ORDER BY seq LIMIT $3) s{}", i + 5, i + 1));
                    }
                    sql
                };
                let sql = format!("SELECT seq FROM ({sources}) page ORDER BY seq LIMIT 2 OFFSET $4");
                let mut q = q!(&sql, since, user.to_string(), limit as i64 + 1, limit as i64 - 1);
                if workspaces.len() <= FEED_ARMS {
                    for w in &workspaces {
                        q = q.bind(w.to_string());
                    }
                }
                self.all(q, |r| r.int("seq")).await
            }
            async fn feed_api_keys(&mut self, user: UserId, since: i64, upto: i64) -> R<Vec<RawChange>> {
                let workspaces = self.member_workspaces(user).await?;
                let sql = format!("SELECT * FROM changes WHERE {} AND kind = 'api_key' ORDER BY seq", feed_sources(workspaces.len()));
                let mut q = q!(&sql, since, user.to_string(), upto);
                if workspaces.len() <= FEED_ARMS {
                    for w in &workspaces {
                        q = q.bind(w.to_string());
                    }
                }
                self.all(q, |r| {
                    let op = r.text("op")?;
                    Ok(RawChange {
                        seq: r.int("seq")?,
                        workspace_id: parse_opt(r, "workspace_id")?,
                        kind: parse(r, "kind")?,
                        id: r.text("entity_id")?,
                        op: if op == "delete" { ChangeOp::Delete } else { ChangeOp::Upsert },
                        data: r.text_opt("data")?.map(|s| serde_json::value::RawValue::from_string(s).map_err(corrupt)).transpose()?,
                        at: t(r, "at")?,
                    })
                })
                .await
            }
            async fn feed_json(&mut self, user: UserId, since: i64, upto: i64, hidden: &[i64]) -> R<String> {
                let workspaces = self.member_workspaces(user).await?;
                let arms = if workspaces.len() > FEED_ARMS { 0 } else { workspaces.len() };
                // One `format` per change: a chain of `||` copied each row a dozen times.
                let mut sql = format!(
                    "SELECT '[' || COALESCE(string_agg(format('{{\"seq\":%s,\"workspace_id\":%s,\"kind\":\"%s\",\"id\":%s,\"op\":\"%s\",\"data\":%s,\"at\":\"%s\"}}', \
                     seq, COALESCE({ws}, 'null'), kind, {id}, op, COALESCE(data, 'null'), {at}), ',' ORDER BY seq), '') || ']' FROM changes WHERE {}",
                    feed_sources(workspaces.len()),
                    ws = json_text("workspace_id"),
                    id = json_text("entity_id"),
                    at = JSON_TIME,
                );
                if !hidden.is_empty() {
                    let from = 4 + arms;
                    sql.push_str(&format!(" AND seq NOT IN ({})", (0..hidden.len()).map(|i| format!("${}", from + i)).collect::<Vec<_>>().join(", ")));
                }
                let mut q = q!(&sql, since, user.to_string(), upto);
                if workspaces.len() <= FEED_ARMS {
                    for w in &workspaces {
                        q = q.bind(w.to_string());
                    }
                }
                for seq in hidden {
                    q = q.bind(*seq);
                }
                Ok(q.fetch_one(&mut *self.tx).await?.try_get::<String, _>(0)?)
            }
            async fn lock_workspace(&mut self, id: WorkspaceId) -> R<()> {
                // Reading the row in a write transaction locks it where the store needs a lock.
                self.workspace(id).await?;
                Ok(())
            }
            async fn insert_change(&mut self, c: &NewChange) -> R<i64> {
                let row = q!(
                    &format!("INSERT INTO changes (seq, workspace_id, subject_user_id, kind, entity_id, op, data, at) VALUES ({NEXT_SEQ},$1,$2,$3,$4,$5,$6,$7) RETURNING seq"),
                    c.workspace_id.map(|w| w.to_string()), c.subject_user_id.map(|u| u.to_string()), c.kind.as_str(), &c.entity_id,
                    if c.op == ChangeOp::Upsert { "upsert" } else { "delete" }, c.data.as_ref().map(to_json), ms(c.at)
                )
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(row.int("seq")?)
            }
            async fn latest_seq(&mut self) -> R<i64> {
                self.count(q!(LATEST_SEQ)).await
            }
            async fn feed_floor(&mut self) -> R<i64> {
                self.count(q!("SELECT floor FROM feed_floor WHERE id = 1")).await
            }
        }
    };
}
