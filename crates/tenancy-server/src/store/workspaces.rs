//! Workspaces (with their lifecycle: soft delete, purge), who belongs to which, plan usage, and the communities inside them.
//!
//! The trait says what a transaction can do here; `impl_workspaces_rows!` implements it once for both
//! SQL stores with the same SQL text (see `sql.rs`).

use super::rows::*;
use super::*;

#[derive(Clone, Copy, Debug, Default)]
pub struct UsageCounts {
    pub members: u32,
    pub pending_invitations: u32,
    /// Client contacts and their pending invitations (not counted against the seats).
    pub client_contacts: u32,
    pub communities: u32,
    pub api_keys: u32,
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

pub(crate) fn community_row(r: &impl Cols) -> R<Community> {
    Ok(Community {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        slug: Slug::parse(&r.text("slug")?).map_err(corrupt)?,
        name: Name::parse(&r.text("name")?).map_err(corrupt)?,
        settings: Some(CommunitySettings {
            timezone: Timezone::parse(&r.text("timezone")?).map_err(corrupt)?,
            contact_email: r
                .text_opt("contact_email")?
                .map(|e| Email::parse(&e).map_err(corrupt))
                .transpose()?,
            region: parse(r, "region")?,
            portal: Portal { enabled: r.flag("portal_enabled")?, show_team: r.flag("portal_show_team")? },
        }),
        created_at: t(r, "created_at")?,
        version: r.int("version")?,
    })
}

/// The settings of a community being written: the service writes communities whole.
pub(crate) fn settings_of(c: &Community) -> R<&CommunitySettings> {
    c.settings.as_ref().ok_or_else(|| corrupt(format!("community {} written without its settings", c.id)))
}

/// A workspace as a URL names it: by id, or by slug.
#[derive(Clone, Copy, Debug)]
pub enum WorkspaceKey<'a> {
    Id(WorkspaceId),
    Slug(&'a str),
}

/// The columns of the caller's membership next to a workspace's, each prefixed `m_`.
pub(crate) const JOINED_MEMBER_COLS: &str = "m.workspace_id AS m_workspace_id, m.user_id AS m_user_id, m.role AS m_role, m.contact_of AS m_contact_of, \
     m.joined_at AS m_joined_at, m.version AS m_version, m.email AS m_email, m.display_name AS m_display_name, m.totp_enabled AS m_totp_enabled";

pub(crate) fn joined_member_row(r: &impl Cols) -> R<Member> {
    Ok(Member {
        workspace_id: parse(r, "m_workspace_id")?,
        user_id: parse(r, "m_user_id")?,
        email: Email::parse(&r.text("m_email")?).map_err(corrupt)?,
        display_name: r.text("m_display_name")?,
        two_factor_enabled: r.flag("m_totp_enabled")?,
        role: parse(r, "m_role")?,
        contact_of: parse_opt(r, "m_contact_of")?,
        joined_at: t(r, "m_joined_at")?,
        version: r.int("m_version")?,
    })
}

#[async_trait]
pub trait WorkspaceRows: Send {
    async fn workspace(&mut self, id: WorkspaceId) -> R<Option<Workspace>>;
    /// The workspace and `user`'s membership of it, in one query; `None` when either is missing.
    async fn workspace_member(&mut self, key: WorkspaceKey<'_>, user: UserId) -> R<Option<(Workspace, Member)>>;
    async fn workspace_by_slug(&mut self, slug: &str) -> R<Option<Workspace>>;
    async fn insert_workspace(&mut self, w: &Workspace, created_by: UserId) -> R<()>;
    async fn update_workspace(&mut self, w: &Workspace) -> R<()>;
    /// Serialise writers of one workspace for the rest of the transaction.
    async fn lock_workspace(&mut self, id: WorkspaceId) -> R<()>;
    /// Live (not deleted) workspaces the user belongs to, by slug.
    async fn memberships(&mut self, user: UserId) -> R<Vec<(Workspace, WorkspaceRole)>>;
    /// Every workspace the user has a membership in, soft-deleted ones included: the workspaces
    /// whose changes the feed shows them.
    async fn member_workspaces(&mut self, user: UserId) -> R<Vec<WorkspaceId>>;
    async fn deleted_workspaces(&mut self) -> R<Vec<Workspace>>;
    async fn workspaces_deleted_before(&mut self, t: DateTime<Utc>) -> R<Vec<WorkspaceId>>;
    /// Remove a workspace and everything in it, its change feed entries included.
    async fn purge_workspace(&mut self, id: WorkspaceId) -> R<()>;
    async fn count_free_workspaces_owned(&mut self, user: UserId) -> R<u32>;
    async fn usage(&mut self, ws: WorkspaceId, now: DateTime<Utc>) -> R<UsageCounts>;
    async fn community(&mut self, ws: WorkspaceId, id: CommunityId) -> R<Option<Community>>;
    /// By slug; `only`: those of these ids (a confined reader's).
    async fn communities(&mut self, ws: WorkspaceId, only: Option<&[CommunityId]>, after_slug: Option<&str>, limit: u32) -> R<Vec<Community>>;
    async fn insert_community(&mut self, c: &Community) -> R<()>;
    async fn update_community(&mut self, c: &Community) -> R<()>;
}

/// Implements [`WorkspaceRows`] for a store's transaction type (see `impl_sql_tx!`).
macro_rules! impl_workspaces_rows {
    ($tx:ty) => {
        #[async_trait]
        impl WorkspaceRows for $tx {
            async fn workspace(&mut self, id: WorkspaceId) -> R<Option<Workspace>> {
                self.one(q!(&format!("SELECT * FROM workspaces WHERE id = $1{}", self.lock_clause()), id.to_string()), workspace_row).await
            }
            async fn workspace_member(&mut self, key: WorkspaceKey<'_>, user: UserId) -> R<Option<(Workspace, Member)>> {
                // A write locks the workspace's row (not the membership's), as `workspace` does.
                let lock = if self.lock_clause().is_empty() { "" } else { " FOR UPDATE OF w" };
                let (col, value) = match key {
                    WorkspaceKey::Id(id) => ("id", id.to_string()),
                    WorkspaceKey::Slug(slug) => ("slug", slug.to_owned()),
                };
                let sql = format!("SELECT w.*, {JOINED_MEMBER_COLS} FROM workspaces w JOIN members m ON m.workspace_id = w.id AND m.user_id = $2 WHERE w.{col} = $1{lock}");
                self.one(q!(&sql, value, user.to_string()), |r| Ok((workspace_row(r)?, joined_member_row(r)?))).await
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
            async fn lock_workspace(&mut self, id: WorkspaceId) -> R<()> {
                // Reading the row in a write transaction locks it where the store needs a lock.
                self.workspace(id).await?;
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
                // Members, contacts, communities and keys from the counters the writes keep
                // (0008_constant_cost); pending invitations from their own index. No read here
                // grows with the workspace.
                let w = ws.to_string();
                let counts = self.one(q!(
                    "SELECT u.members, u.client_contacts, u.communities, u.api_keys, \
                     (SELECT COUNT(*) FROM invitations i WHERE i.workspace_id = $1 AND i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2 AND i.contact_of IS NULL) AS pending, \
                     (SELECT COUNT(*) FROM invitations i WHERE i.workspace_id = $1 AND i.accepted_at IS NULL AND i.declined_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > $2 AND i.contact_of IS NOT NULL) AS pending_contacts \
                     FROM workspace_usage u WHERE u.workspace_id = $1",
                    &w, ms(now)
                ), |r| {
                    let n = |c: &str| -> R<u32> { Ok(u32_of(r.int(c)?)) };
                    Ok(UsageCounts {
                        members: n("members")?,
                        pending_invitations: n("pending")?,
                        client_contacts: n("client_contacts")? + n("pending_contacts")?,
                        communities: n("communities")?,
                        api_keys: n("api_keys")?,
                    })
                })
                .await?;
                counts.ok_or_else(|| StoreError::Corrupt(format!("workspace {w} has no usage counters")))
            }
            async fn community(&mut self, ws: WorkspaceId, id: CommunityId) -> R<Option<Community>> {
                self.one(q!("SELECT * FROM communities WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string()), community_row).await
            }
            async fn communities(&mut self, ws: WorkspaceId, only: Option<&[CommunityId]>, after_slug: Option<&str>, limit: u32) -> R<Vec<Community>> {
                let mut sql = Sql::new("SELECT * FROM communities WHERE workspace_id = ");
                let w = sql.arg(ws.to_string());
                sql.text += &w;
                if let Some(ids) = only {
                    let list = sql.list(ids.iter().map(|c| c.to_string()));
                    sql.text += &format!(" AND id IN ({list})");
                }
                if let Some(after) = after_slug {
                    let p = sql.arg(after);
                    sql.text += &format!(" AND slug > {p}");
                }
                let l = sql.arg(limit as i64);
                sql.text += &format!(" ORDER BY slug LIMIT {l}");
                self.all(Self::built(&sql), community_row).await
            }
            async fn insert_community(&mut self, c: &Community) -> R<()> {
                let st = settings_of(c)?;
                self.exec(q!(
                    "INSERT INTO communities (id, workspace_id, slug, name, timezone, contact_email, region, created_at, version, portal_enabled, portal_show_team) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
                    c.id.to_string(), c.workspace_id.to_string(), c.slug.as_str(), c.name.as_str(), st.timezone.as_str(), st.contact_email.as_ref().map(|e| e.as_str()), st.region.as_str(), ms(c.created_at), c.version,
                    st.portal.enabled, st.portal.show_team
                )).await?;
                Ok(())
            }
            async fn update_community(&mut self, c: &Community) -> R<()> {
                let st = settings_of(c)?;
                self.exec(q!(
                    "UPDATE communities SET name = $1, timezone = $2, contact_email = $3, region = $4, version = $5, portal_enabled = $6, portal_show_team = $7 WHERE workspace_id = $8 AND id = $9",
                    c.name.as_str(), st.timezone.as_str(), st.contact_email.as_ref().map(|e| e.as_str()), st.region.as_str(), c.version, st.portal.enabled, st.portal.show_team,
                    c.workspace_id.to_string(), c.id.to_string()
                )).await?;
                Ok(())
            }
        }
    };
}
