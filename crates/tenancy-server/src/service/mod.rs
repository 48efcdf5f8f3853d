//! The tenancy rules applied to storage, written once against `store::Tx`. Every mutation runs
//! in one write transaction that checks, writes, records one audit entry and its change-feed
//! entries, and commits — or writes nothing.

mod access;
mod admin;
mod directory;
mod feed;
mod invitations;
mod keys;
mod sign_in;
mod workspaces;

pub use access::WorkspaceRef;
pub use directory::{AssignmentFilter, MemberFilter};
pub use keys::DayRange;
pub use feed::FeedPage;

use crate::error::{ApiError, ApiResult, ProblemKind};
use crate::store::{AuditRecord, NewChange, Store, Tx, UserRecord};
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::Arc;
use tenancy::audit::AuditAction;
use tenancy::wire::{ChangeOp, EntityKind, MemberKey, Page};
use tenancy::{CommunityId, Data, Sight, UserId, WorkspaceId};
use uuid::Uuid;

/// The service the HTTP layer calls.
#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
}

/// Who is calling, and for which request.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub user: UserRecord,
    /// The session family of the access token, for sign-out.
    pub session_family: Option<Uuid>,
    pub request_id: String,
    pub now: DateTime<Utc>,
    /// The read transaction the caller was authenticated in, kept open for the request's own
    /// reads (see [`Service::authenticate`]): one transaction, one snapshot and one pooled
    /// connection per signed-in read, instead of one for the token and another for the data.
    pub(crate) pending: Pending,
}

/// A transaction handed from authentication to the request's first read (taken at most once).
#[derive(Clone, Default)]
pub(crate) struct Pending(Arc<std::sync::Mutex<Option<Box<dyn Tx>>>>);

impl Pending {
    fn new(tx: Box<dyn Tx>) -> Self {
        Pending(Arc::new(std::sync::Mutex::new(Some(tx))))
    }
    fn take(&self) -> Option<Box<dyn Tx>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

impl std::fmt::Debug for Pending {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pending")
    }
}

impl Ctx {
    /// Ends the transaction the caller was authenticated in, if it is still open: before a
    /// request opens a transaction of another kind (a write, an instance-level read), so that it
    /// never holds two pooled connections at once.
    pub(crate) fn release(&self) {
        drop(self.pending.take());
    }
}

impl Service {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }

    /// A read transaction for a signed-in caller: the one they were authenticated in (which
    /// acts for them already), or a new one.
    async fn read(&self, ctx: &Ctx) -> ApiResult<Box<dyn Tx>> {
        if let Some(tx) = ctx.pending.take() {
            return Ok(tx);
        }
        Ok(self.store.begin(false, Some(ctx.user.id)).await?)
    }

    /// A read transaction before anyone is signed in (token checks, sign-in).
    async fn read_anonymous(&self) -> ApiResult<Box<dyn Tx>> {
        Ok(self.store.begin(false, None).await?)
    }

    /// Whether this process can reach its database: a load balancer's health check
    /// (`GET /v1/health`). A process whose database does not answer is taken out of rotation.
    pub async fn health(&self) -> ApiResult<()> {
        self.read_anonymous().await?.commit().await?;
        Ok(())
    }

    /// A read transaction across workspaces, for platform admins.
    async fn read_instance(&self) -> ApiResult<Box<dyn Tx>> {
        Ok(self.store.begin_instance(false).await?)
    }

    async fn write(&self, request_id: &str, actor: Option<UserId>, now: DateTime<Utc>) -> ApiResult<Unit> {
        Ok(Unit::detached(self.store.begin(true, actor).await?, request_id, actor, now))
    }

    /// A mutation across workspaces: the purge, platform-admin actions.
    async fn write_instance(&self, request_id: &str, actor: Option<UserId>, now: DateTime<Utc>) -> ApiResult<Unit> {
        Ok(Unit::detached(self.store.begin_instance(true).await?, request_id, actor, now))
    }

    async fn unit(&self, ctx: &Ctx) -> ApiResult<Unit> {
        ctx.release();
        let mut unit = self.write(&ctx.request_id, Some(ctx.user.id), ctx.now).await?;
        // The caller's name is at hand: their audit entry need not look it up.
        unit.known.insert(ctx.user.id.to_string(), tenancy::audit_words::person(&ctx.user.display_name, ctx.user.email.as_str()));
        Ok(unit)
    }
}

/// One mutation: a write transaction plus its audit entry and change-feed entries.
pub struct Unit {
    pub tx: Box<dyn Tx>,
    request_id: String,
    actor: Option<UserId>,
    now: DateTime<Utc>,
    audited: bool,
    /// The communities the mutation's changes are in: its audit entry concerns the community
    /// when there is one (and is seen by whoever may read that community's audit entries).
    communities: std::collections::BTreeSet<CommunityId>,
    /// Holders whose membership went into the feed with a community (see [`Unit::introduce`]).
    introduced: std::collections::HashSet<(UserId, CommunityId)>,
    /// Users whose membership change the unit records anyway.
    members_in_feed: std::collections::HashSet<UserId>,
    /// Names at hand (the caller's, those of the entities the unit wrote to the feed), for its
    /// audit entry's names: only those of ids the entry refers to go into it.
    known: std::collections::BTreeMap<String, String>,
}

impl Unit {
    /// A unit over a transaction opened elsewhere (the seeder).
    pub fn detached(tx: Box<dyn Tx>, request_id: &str, actor: Option<UserId>, now: DateTime<Utc>) -> Self {
        Unit {
            tx,
            request_id: request_id.to_owned(),
            actor,
            now,
            audited: false,
            communities: Default::default(),
            introduced: Default::default(),
            members_in_feed: Default::default(),
            known: Default::default(),
        }
    }

    /// Records an entity change in the feed. `subject` is the user a membership or role
    /// assignment is about (who sees it whatever else they see); `community` the community
    /// the entity belongs to (whose readers see it).
    pub async fn change<T: Serialize>(
        &mut self,
        ws: Option<WorkspaceId>,
        kind: EntityKind,
        id: impl ToString,
        data: Option<&T>,
        subject: Option<UserId>,
        community: Option<CommunityId>,
    ) -> ApiResult<()> {
        let data = data.map(|d| serde_json::to_value(d).expect("serialisable"));
        if let Some(d) = &data {
            tenancy::audit_words::names_in(d, &mut self.known);
        }
        let op = if data.is_some() { ChangeOp::Upsert } else { ChangeOp::Delete };
        match (ws, kind, op, subject, community) {
            (Some(w), EntityKind::Assignment, ChangeOp::Upsert, Some(holder), Some(c)) => self.introduce(w, holder, c).await?,
            // Their membership is in the feed already: whoever sees them, sees it.
            (_, EntityKind::Member, _, Some(user), _) => {
                self.members_in_feed.insert(user);
            }
            _ => {}
        }
        self.communities.extend(community);
        self.tx
            .insert_change(&NewChange {
                workspace_id: ws,
                community_id: community,
                subject_user_id: subject,
                kind,
                entity_id: id.to_string(),
                op,
                data,
                at: self.now,
            })
            .await?;
        Ok(())
    }

    /// The one audit entry of this mutation; `target_id` is the id of what the action acts on
    /// (its [`AuditAction::target`]).
    pub async fn audit<B: Serialize, A: Serialize>(
        &mut self,
        ws: Option<WorkspaceId>,
        action: AuditAction,
        target_id: impl ToString,
        before: Option<&B>,
        after: Option<&A>,
    ) -> ApiResult<()> {
        debug_assert!(!self.audited, "one audit entry per mutation");
        self.audited = true;
        let mut record = AuditRecord {
            workspace_id: ws,
            community_id: self.audited_community(action),
            actor_id: self.actor,
            action,
            target_id: target_id.to_string(),
            before: before.map(|b| serde_json::to_value(b).expect("serialisable")),
            after: after.map(|a| serde_json::to_value(a).expect("serialisable")),
            at: self.now,
            request_id: self.request_id.clone(),
            names: Default::default(),
        };
        record.names = audit_names(&mut *self.tx, &record, &self.known).await?;
        self.tx.insert_audit(&record).await?;
        Ok(())
    }

    /// The community an entry is about: the one community all the mutation's changes are in,
    /// for actions on what lives in communities (not on the workspace or its roles).
    /// A role in a community makes its holder one of the people that community's readers see:
    /// their membership goes into the feed with the community, once per unit, so a confined
    /// reader who never received it (it is older than their cursor) gets it with the role.
    async fn introduce(&mut self, ws: WorkspaceId, holder: UserId, c: CommunityId) -> ApiResult<()> {
        if self.members_in_feed.contains(&holder) || !self.introduced.insert((holder, c)) {
            return Ok(());
        }
        let Some(m) = self.tx.member(ws, holder).await? else { return Ok(()) };
        let change = NewChange {
            workspace_id: Some(ws),
            community_id: Some(c),
            subject_user_id: Some(holder),
            kind: EntityKind::Member,
            entity_id: MemberKey::of(&m).to_string(),
            op: ChangeOp::Upsert,
            data: Some(serde_json::to_value(&m).expect("serialisable")),
            at: self.now,
        };
        self.tx.insert_change(&change).await?;
        Ok(())
    }

    fn audited_community(&self, action: AuditAction) -> Option<CommunityId> {
        use tenancy::audit::AuditTarget::*;
        let about_communities = matches!(action.target(), Community | Member | Assignment | Invitation | ApiKey | Intake);
        (about_communities && self.communities.len() == 1).then(|| *self.communities.first().expect("one"))
    }

    pub async fn commit(self) -> ApiResult<()> {
        assert!(self.audited, "a mutation must write its audit entry");
        Ok(self.tx.commit().await?)
    }
}

/// The names an audit entry keeps, as they are in its transaction: of the ids it refers to
/// ([`tenancy::audit_words::referenced_ids`]) only, from the entities in its before/after, then from
/// `known`, then the rest in one query. A reader of the entry learns no name of anything the
/// entry is not about.
pub(crate) async fn audit_names(tx: &mut dyn Tx, r: &AuditRecord, known: &std::collections::BTreeMap<String, String>) -> ApiResult<std::collections::BTreeMap<String, String>> {
    let actor = r.actor_id.map(|u| u.to_string());
    let community = r.community_id.map(|c| c.to_string());
    let ids = tenancy::audit_words::referenced_ids(actor.as_deref(), r.action, &r.target_id, r.before.as_ref(), r.after.as_ref(), community.as_deref());
    let mut own = std::collections::BTreeMap::new();
    for v in [&r.before, &r.after].into_iter().flatten() {
        tenancy::audit_words::names_in(v, &mut own);
    }
    let mut names = std::collections::BTreeMap::new();
    let mut missing = Vec::new();
    for id in ids {
        match own.get(&id).or_else(|| known.get(&id)) {
            Some(n) => {
                names.insert(id, n.clone());
            }
            None => missing.push(id),
        }
    }
    names.extend(tx.audit_names(r.workspace_id, &missing).await?);
    Ok(names)
}

/// The current time at the store's precision (milliseconds). An entity returned by a write must
/// be the entity later reads and the change feed give, timestamps included.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// `Option<()>` placeholder for audit entries without a before or after.
pub(crate) const NONE: Option<&()> = None;

// ---------- paging ----------

pub const DEFAULT_LIMIT: u32 = 100;
pub const MAX_LIMIT: u32 = 1000;

/// `?cursor=&limit=` as given by the client.
#[derive(Clone, Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1–1000; default 100.
    pub limit: Option<u32>,
}

impl PageParams {
    pub fn limit(&self) -> ApiResult<u32> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(l) if (1..=MAX_LIMIT).contains(&l) => Ok(l),
            Some(l) => Err(ApiError::validation(format!("limit {l} is out of range; ask for 1 to {MAX_LIMIT} items per page."))),
        }
    }
    /// The decoded key after which this page starts.
    pub fn after(&self) -> ApiResult<Option<String>> {
        self.cursor.as_deref().map(decode_cursor).transpose()
    }
}

pub fn encode_cursor(key: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.as_bytes())
}

fn decode_cursor(c: &str) -> ApiResult<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::new(ProblemKind::InvalidCursor, "The cursor was not issued by this server; pass next_cursor back exactly, or omit it to start from the first page."))
}

/// Builds a page from `limit + 1` fetched rows ordered by `key`.
pub fn page<T>(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Page<T> {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| encode_cursor(&key(r))) } else { None };
    Page { items: rows, next_cursor }
}

/// Pages a small list already in memory and sorted by `key`.
pub fn page_in_memory<T>(rows: Vec<T>, p: &PageParams, key: impl Fn(&T) -> String) -> ApiResult<Page<T>> {
    let limit = p.limit()?;
    let after = p.after()?;
    let rows: Vec<T> = rows.into_iter().filter(|r| after.as_ref().is_none_or(|a| key(r) > *a)).take(limit as usize + 1).collect();
    Ok(page(rows, limit, key))
}

/// `If-Match` handling: the client's version must be the current one.
pub fn check_version(what: &str, expected: Option<i64>, current: i64) -> ApiResult<()> {
    match expected {
        Some(v) if v != current => Err(ApiError::new(
            ProblemKind::PreconditionFailed,
            format!("The {what} changed since you read it (your version {v}, now {current}). Reload it and apply your change again."),
        )),
        _ => Ok(()),
    }
}
