//! Who is in a workspace and what they hold: members, roles, role assignments, invitations.
//!
//! The trait says what a transaction can do here; `impl_directory_rows!` implements it once for both
//! SQL stores with the same SQL text (see `sql.rs`).

use super::rows::*;
use super::*;

/// An invitation as stored; its status is derived from the timestamps.
#[derive(Clone, Debug)]
pub struct InvitationRecord {
    pub id: InvitationId,
    pub workspace_id: WorkspaceId,
    pub email: Email,
    pub workspace_role: WorkspaceRole,
    pub assignments: Vec<AssignmentSpec>,
    pub invited_by: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub declined_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The community roles offered, by name as they were when the invitation was sent.
    pub offered_roles: Vec<OfferedRole>,
    /// A client contact's invitation: their community, and its name when it was sent.
    pub contact_of: Option<(CommunityId, String)>,
}

impl InvitationRecord {
    pub fn status(&self, now: DateTime<Utc>) -> InvitationStatus {
        if self.accepted_at.is_some() {
            InvitationStatus::Accepted
        } else if self.declined_at.is_some() {
            InvitationStatus::Declined
        } else if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
    /// The one community the invitation is about, if one: a contact's, or the only one it
    /// offers roles in.
    pub fn community(&self) -> Option<CommunityId> {
        self.contact_of.as_ref().map(|(c, _)| *c).or_else(|| single_community(&self.assignments))
    }
    pub fn public(&self, now: DateTime<Utc>) -> Invitation {
        Invitation {
            id: self.id,
            workspace_id: self.workspace_id,
            email: self.email.clone(),
            workspace_role: self.workspace_role,
            assignments: self.assignments.clone(),
            contact_of: self.contact_of.as_ref().map(|(c, _)| *c),
            invited_by: self.invited_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
            status: self.status(now),
        }
    }
}

/// Members list query: keyset paging on (email, user id).
#[derive(Clone, Debug, Default)]
pub struct MemberQuery {
    pub search: Option<String>,
    pub role: Option<WorkspaceRole>,
    /// Only the client contacts of this community.
    pub contact_of: Option<CommunityId>,
    pub after_email: Option<String>,
    pub limit: u32,
    /// A confined reader's view: only them and the people holding roles in these communities.
    pub within: Option<Within>,
}

#[derive(Clone, Debug, Default)]
pub struct AssignmentQuery {
    pub community_id: Option<CommunityId>,
    pub user_id: Option<UserId>,
    pub after_id: Option<AssignmentId>,
    pub limit: u32,
    /// A confined reader's view: only their own assignments and those in these communities.
    pub within: Option<Within>,
}

/// What a confined reader may see of a workspace's people: themself, and the communities
/// whose people they may see.
#[derive(Clone, Debug)]
pub struct Within {
    pub me: UserId,
    pub communities: Vec<CommunityId>,
}

impl Within {
    /// The people part of `sight`; `None` for whole sight.
    pub fn people(sight: &Sight) -> Option<Within> {
        Some(Within { me: sight.me()?, communities: sight.communities_reading(Data::Members)? })
    }
}

/// `%text%` for a case-insensitive LIKE, its wildcards escaped.
pub(crate) fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// A membership with its person's email, name and 2FA state, all from the membership's row
/// (copied from the user's, 0007 and 0008): no lookup in users per member.
pub(crate) const MEMBER_SELECT: &str = "SELECT m.workspace_id, m.user_id, m.role, m.contact_of, m.joined_at, m.version, m.email, m.display_name, m.totp_enabled FROM members m";

pub(crate) fn member_row(r: &impl Cols) -> R<Member> {
    Ok(Member {
        workspace_id: parse(r, "workspace_id")?,
        user_id: parse(r, "user_id")?,
        email: Email::parse(&r.text("email")?).map_err(corrupt)?,
        display_name: r.text("display_name")?,
        two_factor_enabled: r.flag("totp_enabled")?,
        role: parse(r, "role")?,
        contact_of: parse_opt(r, "contact_of")?,
        joined_at: t(r, "joined_at")?,
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
        declined_at: t_opt(r, "declined_at")?,
        revoked_at: t_opt(r, "revoked_at")?,
        offered_roles: json(r, "offered_roles")?,
        contact_of: match (parse_opt(r, "contact_of")?, r.text_opt("contact_name")?) {
            (Some(c), Some(n)) => Some((c, n)),
            (None, _) => None,
            (Some(_), None) => return Err(corrupt("a client contact's invitation without its community's name")),
        },
    })
}

#[async_trait]
pub trait DirectoryRows: Send {
    async fn member(&mut self, ws: WorkspaceId, user: UserId) -> R<Option<Member>>;
    async fn members(&mut self, ws: WorkspaceId, q: &MemberQuery) -> R<Vec<Member>>;
    async fn insert_member(&mut self, m: &Member) -> R<()>;
    async fn update_member(&mut self, m: &Member) -> R<()>;
    async fn delete_member(&mut self, ws: WorkspaceId, user: UserId) -> R<()>;
    async fn count_owners(&mut self, ws: WorkspaceId) -> R<u64>;
    async fn role(&mut self, ws: WorkspaceId, id: RoleId) -> R<Option<Role>>;
    async fn roles(&mut self, ws: WorkspaceId) -> R<Vec<Role>>;
    async fn insert_role(&mut self, r: &Role) -> R<()>;
    async fn update_role(&mut self, r: &Role) -> R<()>;
    async fn delete_role(&mut self, ws: WorkspaceId, id: RoleId) -> R<()>;
    async fn count_role_uses(&mut self, ws: WorkspaceId, id: RoleId) -> R<u64>;
    /// Communities where the role is held, by an assignment or a live API key.
    async fn communities_using_role(&mut self, ws: WorkspaceId, id: RoleId) -> R<Vec<CommunityId>>;
    async fn assignment(&mut self, ws: WorkspaceId, id: AssignmentId) -> R<Option<RoleAssignment>>;
    async fn assignments(&mut self, ws: WorkspaceId, q: &AssignmentQuery) -> R<Vec<RoleAssignment>>;
    async fn insert_assignment(&mut self, a: &RoleAssignment) -> R<()>;
    async fn delete_assignment(&mut self, ws: WorkspaceId, id: AssignmentId) -> R<()>;
    async fn invitation(&mut self, id: InvitationId) -> R<Option<InvitationRecord>>;
    async fn invitations(&mut self, ws: WorkspaceId, after_id: Option<InvitationId>, limit: u32) -> R<Vec<InvitationRecord>>;
    async fn invitations_for_email(&mut self, email: &Email) -> R<Vec<InvitationRecord>>;
    async fn insert_invitation(&mut self, i: &InvitationRecord) -> R<()>;
    async fn update_invitation(&mut self, i: &InvitationRecord) -> R<()>;
}

/// Implements [`DirectoryRows`] for a store's transaction type (see `impl_sql_tx!`).
macro_rules! impl_directory_rows {
    ($tx:ty) => {
        #[async_trait]
        impl DirectoryRows for $tx {
            async fn member(&mut self, ws: WorkspaceId, user: UserId) -> R<Option<Member>> {
                self.one(q!(&format!("{MEMBER_SELECT} WHERE m.workspace_id = $1 AND m.user_id = $2"), ws.to_string(), user.to_string()), member_row).await
            }
            async fn members(&mut self, ws: WorkspaceId, mq: &MemberQuery) -> R<Vec<Member>> {
                let mut sql = Sql::new(MEMBER_SELECT);
                let w = sql.arg(ws.to_string());
                sql.text += &format!(" WHERE m.workspace_id = {w}");
                if let Some(search) = &mq.search {
                    let p = sql.arg(contains_pattern(search));
                    sql.text += &format!(" AND (lower(m.email) LIKE {p} ESCAPE '\\' OR lower(m.display_name) LIKE {p} ESCAPE '\\')");
                }
                if let Some(role) = mq.role {
                    let p = sql.arg(role.as_str());
                    sql.text += &format!(" AND m.role = {p}");
                }
                if let Some(c) = mq.contact_of {
                    let p = sql.arg(c.to_string());
                    sql.text += &format!(" AND m.contact_of = {p}");
                }
                // The membership's own copy of the email (0007_member_email): the page is read
                // in order from `members_ws_email`, from the cursor on, and stops at its end.
                if let Some(after) = &mq.after_email {
                    let p = sql.arg(after.as_str());
                    sql.text += &format!(" AND m.email > {p}");
                }
                if let Some(within) = &mq.within {
                    let me = sql.arg(within.me.to_string());
                    let list = sql.list(within.communities.iter().map(|c| c.to_string()));
                    // One IN, driven by the communities' assignments (`assignments_community`):
                    // the cost follows the people seen, not the workspace's size.
                    sql.text += &format!(" AND m.user_id IN (SELECT a.user_id FROM assignments a WHERE a.community_id IN ({list}) UNION SELECT {me})");
                }
                let l = sql.arg(mq.limit as i64);
                sql.text += &format!(" ORDER BY m.email LIMIT {l}");
                self.all(Self::built(&sql), member_row).await
            }
            async fn insert_member(&mut self, m: &Member) -> R<()> {
                self.exec(q!(
                    "INSERT INTO members (workspace_id, user_id, role, joined_at, version, contact_of, email, display_name, totp_enabled) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    m.workspace_id.to_string(), m.user_id.to_string(), m.role.as_str(), ms(m.joined_at), m.version, m.contact_of.map(|c| c.to_string()), m.email.as_str(),
                    &m.display_name, m.two_factor_enabled
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
                let mut sql = Sql::new("SELECT * FROM assignments WHERE ");
                let w = sql.arg(ws.to_string());
                match &aq.within {
                    // Their own and their communities' rows, each by its index (an OR of the
                    // two read every assignment of the workspace); the communities are this
                    // workspace's.
                    Some(within) => {
                        let me = sql.arg(within.me.to_string());
                        let list = sql.list(within.communities.iter().map(|c| c.to_string()));
                        sql.text += &format!(
                            "id IN (SELECT id FROM assignments WHERE workspace_id = {w} AND user_id = {me} UNION SELECT id FROM assignments WHERE community_id IN ({list}))"
                        );
                    }
                    None => sql.text += &format!("workspace_id = {w}"),
                }
                if let Some(c) = aq.community_id {
                    let p = sql.arg(c.to_string());
                    sql.text += &format!(" AND community_id = {p}");
                }
                if let Some(u) = aq.user_id {
                    let p = sql.arg(u.to_string());
                    sql.text += &format!(" AND user_id = {p}");
                }
                if let Some(a) = aq.after_id {
                    let p = sql.arg(a.to_string());
                    sql.text += &format!(" AND id > {p}");
                }
                let l = sql.arg(aq.limit as i64);
                sql.text += &format!(" ORDER BY id LIMIT {l}");
                self.all(Self::built(&sql), assignment_row).await
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
                let mut sql = Sql::new("SELECT * FROM invitations WHERE workspace_id = ");
                let w = sql.arg(ws.to_string());
                sql.text += &w;
                if let Some(a) = after_id {
                    let p = sql.arg(a.to_string());
                    sql.text += &format!(" AND id > {p}");
                }
                let l = sql.arg(limit as i64);
                sql.text += &format!(" ORDER BY id LIMIT {l}");
                self.all(Self::built(&sql), invitation_row).await
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
                    "INSERT INTO invitations (id, workspace_id, email, workspace_role, assignments, invited_by, created_at, expires_at, accepted_at, declined_at, revoked_at, offered_roles, contact_of, contact_name) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
                    i.id.to_string(), i.workspace_id.to_string(), i.email.as_str(), i.workspace_role.as_str(), to_json(&i.assignments), i.invited_by.to_string(),
                    ms(i.created_at), ms(i.expires_at), opt_ms(i.accepted_at), opt_ms(i.declined_at), opt_ms(i.revoked_at), to_json(&i.offered_roles),
                    i.contact_of.as_ref().map(|(c, _)| c.to_string()), i.contact_of.as_ref().map(|(_, n)| n.clone())
                )).await?;
                Ok(())
            }
            async fn update_invitation(&mut self, i: &InvitationRecord) -> R<()> {
                self.exec(q!(
                    "UPDATE invitations SET accepted_at = $1, declined_at = $2, revoked_at = $3 WHERE id = $4",
                    opt_ms(i.accepted_at), opt_ms(i.declined_at), opt_ms(i.revoked_at), i.id.to_string()
                )).await?;
                Ok(())
            }
        }
    };
}
