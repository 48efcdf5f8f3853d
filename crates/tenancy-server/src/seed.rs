//! Deterministic data sets: `demo` (three workspaces, ~40 communities, ~300 users, with the audit
//! trail of the admin work that made them),
//! `mssp-large` (one MSSP with 1,000 communities, 20,000 users, 200,000 role assignments) and
//! `mssp-xl` (the same MSSP at ten times the size: 10,000 communities, 100,000 users,
//! 1,000,000 role assignments).
//!
//! Everything goes through the `Tx` trait, so any store can be seeded, and every row gets its
//! change-feed entry, so a client following the feed from 0 sees the whole data set. The same
//! seed number on the same day gives the same data (times are anchored to today, 00:00 UTC, so
//! that the 90 days of alert volumes end today).
//!
//! The rows are made one by one, in one order, from one random generator; they are written in
//! bulk (a thousand or so rows to a statement, table by table, see [`Writes`]), all in one
//! transaction. Row by row gives the same database, and is kept to check that it does.

use tenancy::audit::AuditAction;
use crate::service::Unit;
use crate::store::{AuditRecord, IntakeVolume, InvitationRecord, NewChange, Store, Tx, UserRecord};
use argon2::password_hash::{PasswordHasher, SaltString};
use base64::Engine;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::{HashMap, HashSet};
use std::fmt;
use tenancy::wire::*;
use tenancy::*;

/// Every seeded user signs in with this password.
pub const DEMO_PASSWORD: &str = "tenantry-demo";
/// Owner of the MSSP workspaces, admin of the customer workspace.
pub const DEMO_EMAIL: &str = "demo@tenantry.example";
/// A platform admin (restores deleted workspaces, provisions enterprise plans).
pub const PLATFORM_ADMIN_EMAIL: &str = "platform@tenantry.example";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Profile {
    Demo,
    MsspLarge,
    MsspXl,
    /// mssp-large at a fiftieth of its size (20 communities, 400 users, 4,000 role
    /// assignments), for the tests that compare the two ways of writing a seed.
    #[doc(hidden)]
    #[value(skip)]
    MsspSmall,
}

/// The size of an MSSP profile: its communities, its people (besides the demo owner), the role
/// assignments shared out among them, its pending invitations.
struct Shape {
    communities: usize,
    people: usize,
    assignments: usize,
    invitations: usize,
}

impl Profile {
    fn shape(self) -> Option<Shape> {
        Some(match self {
            Profile::Demo => return None,
            Profile::MsspLarge => Shape { communities: 1_000, people: 19_999, assignments: 200_000, invitations: 50 },
            Profile::MsspXl => Shape { communities: 10_000, people: 99_999, assignments: 1_000_000, invitations: 500 },
            Profile::MsspSmall => Shape { communities: 20, people: 399, assignments: 4_000, invitations: 5 },
        })
    }
}

/// How the seeder writes its rows (the same rows either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Writes {
    /// Many rows to a statement, table by table ([`crate::store::BulkRows`]); what [`run`] does.
    Bulk,
    /// Each row by its own insert, as the service writes them: slow (mssp-large took 36 minutes
    /// on PostgreSQL), kept to check that bulk writes give the same database.
    RowByRow,
}

/// Past this many rows waiting, the seeder writes them (bounding its memory at any size).
const FLUSH_AT: usize = 20_000;

/// A row made and not yet written: rows are written in bulk, parents first (see [`Pending`]).
enum Row {
    User(UserRecord),
    Community(Community),
    Intake(Intake),
    ApiKey(ApiKey, String),
    Member(Member),
    Assignment(RoleAssignment),
    Volumes(WorkspaceId, Vec<IntakeVolume>),
    Change(NewChange),
}

/// The rows waiting to be written in bulk, each table's in the order they were made. Workspaces,
/// roles and invitations (a few per workspace) are written as they are made; the rest waits
/// until many have, or a new workspace begins (on PostgreSQL a write is checked against the
/// workspace the transaction is in), or the seed ends.
#[derive(Default)]
struct Pending {
    users: Vec<UserRecord>,
    communities: Vec<Community>,
    intakes: Vec<Intake>,
    api_keys: Vec<(ApiKey, String)>,
    members: Vec<Member>,
    assignments: Vec<RoleAssignment>,
    volumes: Vec<IntakeVolume>,
    volumes_of: Option<WorkspaceId>,
    changes: Vec<NewChange>,
    len: usize,
}

impl Pending {
    /// Writes every waiting row: each table's after those its rows refer to, the change feed
    /// last and in the order its entries were made (so their numbers are those row-by-row
    /// writes give).
    async fn flush(&mut self, tx: &mut dyn Tx) -> anyhow::Result<()> {
        tx.insert_users(&std::mem::take(&mut self.users)).await?;
        tx.insert_communities(&std::mem::take(&mut self.communities)).await?;
        tx.insert_intakes(&std::mem::take(&mut self.intakes)).await?;
        tx.insert_api_keys(&std::mem::take(&mut self.api_keys)).await?;
        tx.insert_members(&std::mem::take(&mut self.members)).await?;
        tx.insert_assignments(&std::mem::take(&mut self.assignments)).await?;
        if let Some(ws) = self.volumes_of.take() {
            tx.insert_intake_volumes(ws, &std::mem::take(&mut self.volumes)).await?;
        }
        tx.insert_changes(&std::mem::take(&mut self.changes)).await?;
        self.len = 0;
        Ok(())
    }
}

pub struct SeedReport {
    pub users: usize,
    pub workspaces: usize,
    pub communities: usize,
    pub assignments: usize,
    pub invitations: usize,
    pub api_keys: usize,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Seeded {} users, {} workspaces, {} communities, {} role assignments, {} pending invitations, {} API keys.",
            self.users, self.workspaces, self.communities, self.assignments, self.invitations, self.api_keys
        )?;
        writeln!(f, "Sign in as {DEMO_EMAIL} / {DEMO_PASSWORD} (workspace owner)")?;
        writeln!(f, "       or {PLATFORM_ADMIN_EMAIL} / {DEMO_PASSWORD} (platform admin)")?;
        write!(f, "Every seeded user has the password {DEMO_PASSWORD}.")
    }
}

const FIRST: &[&str] = &[
    "Ana", "Bruno", "Chloé", "Dmitri", "Elif", "Farah", "Gustav", "Hana", "Ivan", "Jonas", "Kenji", "Lena", "Mateo", "Nadia", "Omar",
    "Priya", "Quentin", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoé", "Amara", "Bjorn", "Carmen", "Diego",
    "Esther", "Felix", "Greta", "Hugo", "Ines", "Jakub", "Kira", "Luca", "Maya", "Nils", "Olga", "Pablo", "Rania", "Samir", "Tomas",
    "Valentina", "William", "Yara", "Aiko", "Colm",
];
const LAST: &[&str] = &[
    "Almeida", "Brennan", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Haddad", "Ivanova", "Jansen", "Kowalski", "Lindqvist",
    "Moreau", "Nakamura", "Okafor", "Petrov", "Quinn", "Rossi", "Schmidt", "Tanaka", "Ulrich", "Varga", "Weber", "Xu", "Yilmaz",
    "Zimmermann", "Andersen", "Bianchi", "Costa", "Delacroix", "Novak", "Oliveira", "Park", "Reyes", "Silva", "Torres", "Van Dijk",
    "Walsh", "Young", "Zhang",
];
const CLIENTS: &[&str] = &[
    "Acme Corp", "Globex Retail", "Initech", "Umbrella Health", "Hooli", "Stark Logistics", "Wayne Finance", "Wonka Foods", "Cyberdyne",
    "Soylent", "Tyrell Labs", "Massive Dynamic", "Vandelay Imports", "Pied Piper", "Aperture Science", "Black Mesa", "Oscorp", "Gringotts",
    "Monarch Solutions", "Nakatomi Trading", "Oceanic Air", "Dunder Mifflin", "Sterling Cooper", "Bluth Company", "Prestige Worldwide",
    "Rekall", "Virtucon", "Zorg Industries", "Duff Brewery", "Krusty Holdings", "Paper Street", "Los Pollos", "Gekko Partners", "Vought",
    "Wernham Hogg", "Ollivanders", "Blue Sun", "Weyland Mining", "InGen", "Omni Consumer",
];
const TIMEZONES: &[&str] = &["Europe/Paris", "Europe/London", "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles", "Asia/Singapore", "Australia/Sydney", "UTC"];
/// The kinds a seeded community's intakes are drawn from (in this order, as seeds always were).
const INTAKE_KINDS: [IntakeKind; 5] = [IntakeKind::Edr, IntakeKind::Firewall, IntakeKind::CloudAudit, IntakeKind::IdentityProvider, IntakeKind::EmailGateway];

struct Seeder {
    rng: ChaCha8Rng,
    /// The rows waiting to be written, when writing in bulk (`None`: each is written as made).
    pending: Option<Pending>,
    ids: u64,
    base: DateTime<Utc>,
    password_hash: String,
    report: SeedReport,
    /// When each member joined (an assignment comes after both its member and its community).
    joined: HashMap<(WorkspaceId, UserId), DateTime<Utc>>,
    /// Each workspace's owner and admins, who did the demo's admin work, with when they took charge.
    admins: HashMap<WorkspaceId, Vec<(UserId, DateTime<Utc>)>>,
    /// The audit trail of that work, written in time order at the end; `None` when not kept
    /// (mssp-large: benchmarks read the feed, not the audit log).
    audit: Option<Vec<AuditRecord>>,
}

fn name(s: &str) -> Name {
    Name::parse(s).expect("seed names are valid")
}

fn slug(s: &str) -> Slug {
    Slug::parse(&Slug::suggest(s)).expect("seed slugs are valid")
}

impl Seeder {
    fn new(seed: u64, keep_audit: bool, writes: Writes) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let salt_bytes: [u8; 16] = rng.gen();
        let salt = SaltString::encode_b64(&salt_bytes).expect("16-byte salt");
        // One hash for all seeded users: hashing 20,000 passwords would take minutes.
        let password_hash = argon2::Argon2::default().hash_password(DEMO_PASSWORD.as_bytes(), &salt).expect("argon2").to_string();
        let base = Utc::now().date_naive().and_time(NaiveTime::MIN).and_utc();
        let report = SeedReport { users: 0, workspaces: 0, communities: 0, assignments: 0, invitations: 0, api_keys: 0 };
        let pending = (writes == Writes::Bulk).then(Pending::default);
        Self { rng, pending, ids: 0, base, password_hash, report, joined: HashMap::new(), admins: HashMap::new(), audit: keep_audit.then(Vec::new) }
    }

    /// Writes `row`, or keeps it for the next bulk write.
    async fn put(&mut self, tx: &mut dyn Tx, row: Row) -> anyhow::Result<()> {
        let Some(p) = self.pending.as_mut() else {
            match row {
                Row::User(u) => tx.insert_user(&u).await?,
                Row::Community(c) => tx.insert_community(&c).await?,
                Row::Intake(i) => tx.insert_intake(&i).await?,
                Row::ApiKey(k, hash) => tx.insert_api_key(&k, &hash).await?,
                Row::Member(m) => tx.insert_member(&m).await?,
                Row::Assignment(a) => tx.insert_assignment(&a).await?,
                Row::Volumes(ws, v) => tx.insert_intake_volumes(ws, &v).await?,
                Row::Change(c) => {
                    tx.insert_change(&c).await?;
                }
            }
            return Ok(());
        };
        match row {
            Row::User(u) => p.users.push(u),
            Row::Community(c) => p.communities.push(c),
            Row::Intake(i) => p.intakes.push(i),
            Row::ApiKey(k, hash) => p.api_keys.push((k, hash)),
            Row::Member(m) => p.members.push(m),
            Row::Assignment(a) => p.assignments.push(a),
            Row::Volumes(ws, v) => {
                assert!(p.volumes_of.is_none_or(|w| w == ws), "one workspace's volumes at a time");
                p.volumes_of = Some(ws);
                p.len += v.len();
                p.volumes.extend(v);
            }
            Row::Change(c) => p.changes.push(c),
        }
        p.len += 1;
        if p.len >= FLUSH_AT {
            p.flush(tx).await?;
        }
        Ok(())
    }

    /// Writes the rows waiting to be written, if any.
    async fn flush(&mut self, tx: &mut dyn Tx) -> anyhow::Result<()> {
        match self.pending.as_mut() {
            Some(p) => p.flush(tx).await,
            None => Ok(()),
        }
    }

    /// A random time after `t` and before today.
    fn since(&mut self, t: DateTime<Utc>) -> DateTime<Utc> {
        let span = (self.base - t).num_minutes().max(2);
        t + Duration::minutes(self.rng.gen_range(1..span))
    }

    /// Remembers an admin action for the audit log, as the service would have recorded it.
    /// `community`: the one community the entry is about, as the service records it.
    #[allow(clippy::too_many_arguments)]
    fn log<T: serde::Serialize>(&mut self, ws: WorkspaceId, community: Option<CommunityId>, actor: UserId, action: AuditAction, target: impl ToString, before: Option<&T>, after: Option<&T>, at: DateTime<Utc>) {
        let Some(audit) = self.audit.as_mut() else { return };
        let json = |v: Option<&T>| v.map(|v| serde_json::to_value(v).expect("serialisable"));
        audit.push(AuditRecord {
            workspace_id: Some(ws),
            community_id: community,
            actor_id: Some(actor),
            action,
            target_id: target.to_string(),
            before: json(before),
            after: json(after),
            at,
            request_id: format!("seed-{}", audit.len() + 1),
            names: Default::default(),
        });
    }

    /// One of the workspace's admins already in charge at `at` (its creator is, from the start).
    fn some_admin(&mut self, ws: WorkspaceId, at: DateTime<Utc>) -> UserId {
        let ready: Vec<UserId> = self.admins[&ws].iter().filter(|(_, since)| *since <= at).map(|(u, _)| *u).collect();
        ready[self.rng.gen_range(0..ready.len())]
    }

    /// A time-ordered (v7) id, as the server mints them: a fixed start and one millisecond per
    /// id, random bits from the seeded generator, so the same seed gives the same ids.
    fn next_id<T: From<uuid::Uuid>>(&mut self) -> T {
        self.ids += 1;
        T::from(uuid::Builder::from_unix_timestamp_millis(1_700_000_000_000 + self.ids, &self.rng.gen()).into_uuid())
    }

    fn ago(&mut self, max_days: i64) -> DateTime<Utc> {
        self.base - Duration::minutes(self.rng.gen_range(60..max_days.max(2) * 24 * 60))
    }

    #[allow(clippy::too_many_arguments)]
    async fn change<T: serde::Serialize>(&mut self, tx: &mut dyn Tx, ws: WorkspaceId, kind: EntityKind, eid: String, data: &T, subject: Option<UserId>, community: Option<CommunityId>) -> anyhow::Result<()> {
        let change = NewChange {
            workspace_id: Some(ws),
            community_id: community,
            subject_user_id: subject,
            kind,
            entity_id: eid,
            op: ChangeOp::Upsert,
            data: Some(serde_json::to_value(data)?),
            at: self.base,
        };
        self.put(tx, Row::Change(change)).await
    }

    async fn user(&mut self, tx: &mut dyn Tx, email: &str, display: &str, two_factor: bool, platform_admin: bool) -> anyhow::Result<UserRecord> {
        let secret: [u8; 20] = self.rng.gen();
        let u = UserRecord {
            id: self.next_id(),
            email: Email::parse(email)?,
            display_name: display.to_owned(),
            password_hash: self.password_hash.clone(),
            totp_secret: two_factor.then(|| base32(&secret)),
            totp_enabled: two_factor,
            platform_admin,
            free_limit_lifted: platform_admin,
            created_at: self.ago(700),
        };
        self.put(tx, Row::User(u.clone())).await?;
        self.report.users += 1;
        Ok(u)
    }

    async fn people(&mut self, tx: &mut dyn Tx, n: usize, domain: &str) -> anyhow::Result<Vec<UserRecord>> {
        let mut out = Vec::with_capacity(n);
        let mut emails = HashSet::with_capacity(n);
        for i in 0..n {
            let f = FIRST[self.rng.gen_range(0..FIRST.len())];
            let l = LAST[self.rng.gen_range(0..LAST.len())];
            let local = format!("{}.{}{}", ascii(f), ascii(l), if i >= FIRST.len() * LAST.len() / 4 { format!("{i}") } else { String::new() });
            let email = format!("{}@{domain}", local.to_lowercase().replace(' ', ""));
            let email = if emails.contains(&email) { format!("{}{}@{domain}", local.to_lowercase().replace(' ', ""), i) } else { email };
            let two_factor = self.rng.gen_bool(0.7);
            let u = self.user(tx, &email, &format!("{f} {l}"), two_factor, false).await?;
            emails.insert(u.email.as_str().to_owned());
            out.push(u);
        }
        Ok(out)
    }

    async fn workspace(&mut self, tx: &mut dyn Tx, display: &str, slug_s: &str, plan: Plan, owner: &UserRecord) -> anyhow::Result<(Workspace, Vec<Role>)> {
        let ws = Workspace {
            id: self.next_id(),
            slug: Slug::parse(slug_s)?,
            name: name(display),
            plan,
            limits: plan.limits(),
            security: SecurityPolicy::default(),
            created_at: self.ago(700),
            deleted_at: None,
            version: 1,
        };
        // What waits is written in the workspace before (which a new one takes the place of).
        self.flush(tx).await?;
        tx.insert_workspace(&ws, owner.id).await?;
        self.change(tx, ws.id, EntityKind::Workspace, ws.id.to_string(), &ws, None, None).await?;
        self.admins.insert(ws.id, vec![(owner.id, ws.created_at)]);
        self.log(ws.id, None, owner.id, AuditAction::WorkspaceCreate, ws.id, None, Some(&ws), ws.created_at);
        let mut roles = Vec::new();
        for b in BuiltinRole::ALL {
            let r = Role {
                id: self.next_id(),
                workspace_id: ws.id,
                name: name(b.name()),
                kind: RoleKind::Builtin,
                builtin: Some(b),
                description: b.description().into(),
                permissions: b.permissions().to_vec(),
                intake_scope: vec![],
                created_at: ws.created_at,
                version: 1,
            };
            tx.insert_role(&r).await?;
            self.change(tx, ws.id, EntityKind::Role, r.id.to_string(), &r, None, None).await?;
            roles.push(r);
        }
        use Permission::*;
        let custom = Role {
            id: self.next_id(),
            workspace_id: ws.id,
            name: name("Alert triage"),
            kind: RoleKind::Custom,
            builtin: None,
            description: "Analyst-level alert work without changing detection rules".into(),
            permissions: vec![AlertsRead, AlertsComment, AlertsManage, IntakesRead, PlaybooksRead, PlaybooksRun],
            intake_scope: vec![],
            created_at: self.since(ws.created_at),
            version: 1,
        };
        tx.insert_role(&custom).await?;
        self.change(tx, ws.id, EntityKind::Role, custom.id.to_string(), &custom, None, None).await?;
        self.log(ws.id, None, owner.id, AuditAction::RoleCreate, custom.id, None, Some(&custom), custom.created_at);
        roles.push(custom);
        self.report.workspaces += 1;
        Ok((ws, roles))
    }

    async fn member(&mut self, tx: &mut dyn Tx, ws: &Workspace, u: &UserRecord, role: WorkspaceRole) -> anyhow::Result<()> {
        let m = Member {
            workspace_id: ws.id,
            user_id: u.id,
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            two_factor_enabled: u.totp_enabled,
            role,
            contact_of: None,
            joined_at: if role == WorkspaceRole::Owner && self.admins[&ws.id][0].0 == u.id { ws.created_at } else { self.since(ws.created_at) },
            version: 1,
        };
        self.put(tx, Row::Member(m.clone())).await?;
        self.joined.insert((ws.id, u.id), m.joined_at);
        if role != WorkspaceRole::Member && !self.admins[&ws.id].iter().any(|(a, _)| *a == u.id) {
            // Promoted some time after joining, by someone already in charge.
            let at = self.since(m.joined_at);
            let by = self.some_admin(ws.id, at);
            let was = Member { role: WorkspaceRole::Member, ..m.clone() };
            self.log(ws.id, None, by, AuditAction::MemberRoleChange, u.id, Some(&was), Some(&m), at);
            self.admins.get_mut(&ws.id).expect("workspace seeded").push((u.id, at));
        }
        self.change(tx, ws.id, EntityKind::Member, MemberKey::of(&m).to_string(), &m, Some(u.id), None).await
    }

    async fn community(&mut self, tx: &mut dyn Tx, ws: &Workspace, display: &str, creator: &UserRecord) -> anyhow::Result<(Community, Vec<Intake>)> {
        let tz = TIMEZONES[self.rng.gen_range(0..TIMEZONES.len())];
        let id = self.next_id();
        let timezone = Timezone::parse(tz)?;
        let contact_email = Some(Email::parse(&format!("soc@{}.example", Slug::suggest(display)))?);
        let region = Region::ALL[self.rng.gen_range(0..Region::ALL.len())];
        let c = Community {
            id,
            workspace_id: ws.id,
            slug: slug(display),
            name: name(display),
            settings: Some(CommunitySettings { timezone, contact_email, region, portal: Portal::default() }),
            created_at: self.since(ws.created_at),
            version: 1,
        };
        self.put(tx, Row::Community(c.clone())).await?;
        self.change(tx, ws.id, EntityKind::Community, c.id.to_string(), &c, None, Some(c.id)).await?;
        self.log(ws.id, Some(c.id), creator.id, AuditAction::CommunityCreate, c.id, None, Some(&c), c.created_at);
        let mut intakes = Vec::new();
        let n = self.rng.gen_range(2..=4);
        let mut kinds = INTAKE_KINDS.to_vec();
        kinds.shuffle(&mut self.rng);
        for kind in kinds.into_iter().take(n) {
            let i = Intake { id: self.next_id(), workspace_id: ws.id, community_id: c.id, name: name(&format!("{} — {display}", kind.label())), kind, created_at: c.created_at };
            self.put(tx, Row::Intake(i.clone())).await?;
            self.change(tx, ws.id, EntityKind::Intake, i.id.to_string(), &i, None, Some(i.community_id)).await?;
            intakes.push(i);
        }
        // 90 days of alert volumes with a weekly rhythm and a per-client scale, recorded per
        // intake: each intake's share of the day comes from a generator of the community's own
        // (so the rest of the seed is what it always was).
        let scale = self.rng.gen_range(20.0..900.0f64);
        let today = self.base.date_naive();
        let mut shares = ChaCha8Rng::seed_from_u64(c.id.as_uuid().as_u128() as u64);
        let weights: Vec<f64> = intakes.iter().map(|_| shares.gen_range(0.2..1.0)).collect();
        let sum: f64 = weights.iter().sum();
        let mut vols = Vec::with_capacity(90 * intakes.len());
        for d in 0..90 {
            let day = today - Duration::days(89 - d);
            let weekday = chrono::Datelike::weekday(&day).num_days_from_monday();
            let weekly = if weekday >= 5 { 0.55 } else { 1.0 };
            let noise = self.rng.gen_range(0.7..1.3);
            let spike = if self.rng.gen_bool(0.03) { 3.0 } else { 1.0 };
            let total = (scale * weekly * noise * spike) as u32;
            let mut left = total;
            for (k, i) in intakes.iter().enumerate() {
                let alerts = if k + 1 == intakes.len() { left } else { ((total as f64) * weights[k] / sum) as u32 };
                left -= alerts;
                vols.push(IntakeVolume { community_id: c.id, intake_id: i.id, day, alerts });
            }
        }
        self.put(tx, Row::Volumes(ws.id, vols)).await?;
        // One API key per community; its secret is thrown away, only the hash is stored.
        let secret: [u8; 24] = self.rng.gen();
        let prefix = format!("tnt_{}", &base32(&secret)[..8].to_lowercase());
        let key = ApiKey {
            id: self.next_id(),
            workspace_id: ws.id,
            community_id: c.id,
            name: name("SIEM forwarder"),
            prefix: prefix.clone(),
            role_ids: vec![],
            created_by: creator.id,
            created_at: c.created_at,
            expires_at: None,
            last_used_at: Some(self.ago(3)),
            revoked_at: None,
        };
        let full = format!("{prefix}_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret));
        self.put(tx, Row::ApiKey(key.clone(), crate::credentials::token_hash(&full))).await?;
        self.change(tx, ws.id, EntityKind::ApiKey, key.id.to_string(), &key, None, Some(key.community_id)).await?;
        self.log(ws.id, Some(key.community_id), creator.id, AuditAction::ApiKeyCreate, key.id, None, Some(&key), key.created_at);
        self.report.api_keys += 1;
        self.report.communities += 1;
        Ok((c, intakes))
    }

    async fn assign(&mut self, tx: &mut dyn Tx, ws: &Workspace, u: &UserRecord, c: &Community, role: &Role) -> anyhow::Result<()> {
        let t = match self.rng.gen_range(0..10) {
            0..=5 => AssignmentType::Dedicated,
            6..=8 => AssignmentType::Pool,
            _ => AssignmentType::Escalation,
        };
        let after = self.joined[&(ws.id, u.id)].max(c.created_at);
        let a = RoleAssignment { id: self.next_id(), workspace_id: ws.id, community_id: c.id, user_id: u.id, role_id: role.id, assignment_type: t, created_at: self.since(after) };
        self.put(tx, Row::Assignment(a.clone())).await?;
        self.change(tx, ws.id, EntityKind::Assignment, a.id.to_string(), &a, Some(u.id), Some(a.community_id)).await?;
        if self.audit.is_some() {
            let by = self.some_admin(ws.id, a.created_at);
            self.log(ws.id, Some(a.community_id), by, AuditAction::MemberAssignRoles, u.id, None, Some(&vec![a.clone()]), a.created_at);
        }
        self.report.assignments += 1;
        Ok(())
    }

    /// Random distinct (community, role) pairs for one member.
    async fn assign_some(&mut self, tx: &mut dyn Tx, ws: &Workspace, u: &UserRecord, communities: &[Community], roles: &[Role], n: usize) -> anyhow::Result<()> {
        let mut taken = std::collections::HashSet::new();
        for _ in 0..n {
            let c = &communities[self.rng.gen_range(0..communities.len())];
            let r = &roles[weighted_role(&mut self.rng, roles.len())];
            if taken.insert((c.id, r.id)) {
                self.assign(tx, ws, u, c, r).await?;
            }
        }
        Ok(())
    }

    async fn invitations(&mut self, tx: &mut dyn Tx, ws: &Workspace, inviter: &UserRecord, communities: &[Community], roles: &[Role], n: usize, domain: &str) -> anyhow::Result<()> {
        for i in 0..n {
            let f = ascii(FIRST[self.rng.gen_range(0..FIRST.len())]).to_lowercase();
            let created = self.base - Duration::hours(self.rng.gen_range(1..72));
            let c = &communities[self.rng.gen_range(0..communities.len())];
            let id = self.next_id();
            let role = &roles[self.rng.gen_range(0..2)];
            let inv = InvitationRecord {
                id,
                workspace_id: ws.id,
                email: Email::parse(&format!("{f}.invitee{i}@{domain}"))?,
                workspace_role: WorkspaceRole::Member,
                assignments: vec![AssignmentSpec { community_id: c.id, role_id: role.id, assignment_type: AssignmentType::Dedicated }],
                invited_by: inviter.id,
                created_at: created,
                expires_at: created + Duration::days(7),
                accepted_at: None,
                declined_at: None,
                revoked_at: None,
                offered_roles: vec![OfferedRole { community: c.name.to_string(), role: role.name.to_string(), assignment_type: AssignmentType::Dedicated }],
                contact_of: None,
            };
            tx.insert_invitation(&inv).await?;
            let public = inv.public(self.base);
            self.change(tx, ws.id, EntityKind::Invitation, inv.id.to_string(), &public, None, Some(c.id)).await?;
            self.log(ws.id, Some(c.id), inviter.id, AuditAction::InvitationCreate, inv.id, None, Some(&public), created);
            self.report.invitations += 1;
        }
        Ok(())
    }

    async fn restricted_role(&mut self, tx: &mut dyn Tx, ws: &Workspace, intake: &Intake) -> anyhow::Result<Role> {
        use Permission::*;
        let r = Role {
            id: self.next_id(),
            workspace_id: ws.id,
            name: name(&format!("{} only", intake.name.as_str().split(" — ").next().unwrap_or("EDR"))),
            kind: RoleKind::Restricted,
            builtin: None,
            description: "Sees events and alerts from one intake only".into(),
            permissions: vec![AlertsRead, AlertsComment, AlertsManage, IntakesRead],
            intake_scope: vec![intake.id],
            created_at: self.since(intake.created_at),
            version: 1,
        };
        tx.insert_role(&r).await?;
        self.change(tx, ws.id, EntityKind::Role, r.id.to_string(), &r, None, None).await?;
        let by = self.admins[&ws.id][0].0;
        self.log(ws.id, None, by, AuditAction::RoleCreate, r.id, None, Some(&r), r.created_at);
        Ok(r)
    }
}

/// Guests and Analysts are common, Admins rare, custom roles in between.
fn weighted_role(rng: &mut ChaCha8Rng, n: usize) -> usize {
    match rng.gen_range(0..100) {
        0..=34 => 0,
        35..=79 => 1.min(n - 1),
        80..=87 => 2.min(n - 1),
        _ => rng.gen_range(0..n),
    }
}

fn ascii(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'é' | 'è' => 'e',
            'í' => 'i',
            'ó' => 'o',
            'á' => 'a',
            c => c,
        })
        .filter(|c| c.is_ascii_alphanumeric())
        .collect()
}

fn base32(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buf, mut bits) = (0u32, 0);
    for &b in bytes {
        buf = (buf << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(A[((buf >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(A[((buf << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Seeds `store` with `profile`. Refuses a database that already holds users.
pub async fn run(store: &dyn Store, profile: Profile, seed: u64) -> anyhow::Result<SeedReport> {
    run_with(store, profile, seed, Writes::Bulk).await
}

/// [`run`], writing the rows as `writes` says (the same rows either way).
pub async fn run_with(store: &dyn Store, profile: Profile, seed: u64, writes: Writes) -> anyhow::Result<SeedReport> {
    let mut tx = store.begin(true, None).await?;
    if tx.user_by_email(DEMO_EMAIL).await?.is_some() {
        anyhow::bail!("this database is already seeded ({DEMO_EMAIL} exists); seed a fresh database file");
    }
    let mut s = Seeder::new(seed, profile == Profile::Demo, writes);
    let demo = s.user(&mut *tx, DEMO_EMAIL, "Demo Owner", false, false).await?;
    let platform = s.user(&mut *tx, PLATFORM_ADMIN_EMAIL, "Platform Admin", false, true).await?;
    let _ = platform;
    match profile.shape() {
        None => seed_demo(&mut s, &mut *tx, &demo).await?,
        Some(shape) => seed_mssp(&mut s, &mut *tx, &demo, &shape).await?,
    }
    s.flush(&mut *tx).await?;
    // The admin work that built the data set, oldest first (the log reads newest first by id).
    let mut audit = s.audit.take().unwrap_or_default();
    audit.sort_by_key(|a| a.at);
    let mut inside = None;
    for a in &audit {
        // On PostgreSQL the app role appends a workspace's entries only from inside it (RLS).
        if a.workspace_id != inside {
            if let Some(ws) = a.workspace_id {
                tx.enter_workspace(ws).await?;
            }
            inside = a.workspace_id;
        }
        // Named as the service names its entries (the seed's names do not change later).
        let mut a = a.clone();
        a.names = crate::service::audit_names(&mut *tx, &a, &Default::default()).await.map_err(|e| anyhow::anyhow!("{e:?}"))?;
        tx.insert_audit(&a).await?;
    }
    let mut unit = Unit::detached(tx, "seed", Some(demo.id), s.base);
    unit.audit(None, AuditAction::InstanceSeed, format!("{profile:?}"), None::<&()>, Some(&serde_json::json!({"seed": seed}))).await?;
    unit.commit().await?;
    Ok(s.report)
}

async fn seed_demo(s: &mut Seeder, tx: &mut dyn Tx, demo: &UserRecord) -> anyhow::Result<()> {
    let staff = s.people(tx, 230, "northwind-mssp.example").await?;
    let globex_staff = s.people(tx, 40, "globex.example").await?;
    let sentinel_only = s.people(tx, 28, "sentinel-shield.example").await?;

    // A direct customer in single-tenant mode.
    let (globex, groles) = s.workspace(tx, "Globex Corporation", "globex", Plan::Pro, &globex_staff[0]).await?;
    s.member(tx, &globex, &globex_staff[0], WorkspaceRole::Owner).await?;
    s.member(tx, &globex, demo, WorkspaceRole::Admin).await?;
    let (gc, gintakes) = s.community(tx, &globex, "Globex Corporation", &globex_staff[0]).await?;
    let gcs = vec![gc];
    let r = s.restricted_role(tx, &globex, &gintakes[0]).await?;
    let mut groles = groles;
    groles.push(r);
    for (i, u) in globex_staff.iter().enumerate().skip(1) {
        s.member(tx, &globex, u, if i < 3 { WorkspaceRole::Admin } else { WorkspaceRole::Member }).await?;
        s.assign_some(tx, &globex, u, &gcs, &groles, 2).await?;
    }
    s.invitations(tx, &globex, &globex_staff[0], &gcs, &groles, 4, "globex.example").await?;

    // Two MSSPs in multi-tenant mode; some analysts work for both.
    for (display, slug, plan, n_comm, people, extra) in [
        ("Northwind Security", "northwind-mssp", Plan::Enterprise, 25usize, &staff[..150], &sentinel_only[..0]),
        ("Sentinel Shield MSSP", "sentinel-shield", Plan::Pro, 14usize, &staff[120..], &sentinel_only[..]),
    ] {
        let (ws, mut roles) = s.workspace(tx, display, slug, plan, demo).await?;
        s.member(tx, &ws, demo, WorkspaceRole::Owner).await?;
        let mut communities = Vec::new();
        let offset = if slug == "northwind-mssp" { 0 } else { 25 };
        let mut first_intake = None;
        for c in &CLIENTS[offset..offset + n_comm] {
            let (c, intakes) = s.community(tx, &ws, c, demo).await?;
            first_intake.get_or_insert(intakes[0].clone());
            communities.push(c);
        }
        let r = s.restricted_role(tx, &ws, first_intake.as_ref().expect("intakes")).await?;
        roles.push(r);
        for (i, u) in people.iter().chain(extra.iter()).enumerate() {
            let role = match i {
                0 => WorkspaceRole::Owner,
                1..=5 => WorkspaceRole::Admin,
                _ => WorkspaceRole::Member,
            };
            s.member(tx, &ws, u, role).await?;
            let n = s.rng.gen_range(1..=5);
            s.assign_some(tx, &ws, u, &communities, &roles, n).await?;
        }
        s.invitations(tx, &ws, demo, &communities, &roles, 8, &format!("{slug}.example")).await?;
    }
    Ok(())
}

/// One MSSP workspace of `shape`'s size (mssp-large, mssp-xl): its communities, then its
/// people, each with an equal share of the role assignments.
async fn seed_mssp(s: &mut Seeder, tx: &mut dyn Tx, demo: &UserRecord, shape: &Shape) -> anyhow::Result<()> {
    let (ws, mut roles) = s.workspace(tx, "Titan MSSP", "titan-mssp", Plan::Enterprise, demo).await?;
    s.member(tx, &ws, demo, WorkspaceRole::Owner).await?;
    let mut communities = Vec::with_capacity(shape.communities);
    let mut first_intake = None;
    for i in 0..shape.communities {
        let display = format!("{} {}", CLIENTS[i % CLIENTS.len()], i / CLIENTS.len() + 1);
        let (c, intakes) = s.community(tx, &ws, &display, demo).await?;
        first_intake.get_or_insert(intakes[0].clone());
        communities.push(c);
    }
    let r = s.restricted_role(tx, &ws, first_intake.as_ref().expect("intakes")).await?;
    roles.push(r);
    let people = s.people(tx, shape.people, "titan-mssp.example").await?;
    let mut remaining = shape.assignments;
    for (i, u) in people.iter().enumerate() {
        let role = match i {
            0..=2 => WorkspaceRole::Owner,
            3..=30 => WorkspaceRole::Admin,
            _ => WorkspaceRole::Member,
        };
        s.member(tx, &ws, u, role).await?;
        let left_people = people.len() - i;
        let n = remaining / left_people;
        let before = s.report.assignments;
        // Exactly n distinct pairs: walk communities from a random start.
        let start = s.rng.gen_range(0..communities.len());
        for k in 0..n {
            let c = &communities[(start + k * 7) % communities.len()];
            let r = &roles[weighted_role(&mut s.rng, roles.len())];
            s.assign(tx, &ws, u, c, r).await?;
        }
        remaining -= s.report.assignments - before;
    }
    s.invitations(tx, &ws, demo, &communities, &roles, shape.invitations, "titan-mssp.example").await?;
    Ok(())
}
