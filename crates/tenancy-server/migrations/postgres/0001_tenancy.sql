-- Tenantry reference tenancy store (PostgreSQL).
--
-- The same shape as the SQLite schema: ids are UUID text, times Unix milliseconds, lists and
-- snapshots JSON text. One set of queries and row decoders then serves both stores
-- (src/store/sql.rs), and the conformance suite checks one behaviour, not two. Text that is
-- sorted or paged on is COLLATE "C", so that order is byte order, as on SQLite.
--
-- Roles (created beforehand by whoever runs the cluster; see README):
--   the owner (runs this migration, owns the tables) — subject to row-level security too (FORCE);
--   tenancy_app  — the server's requests: LOGIN, not superuser, no BYPASSRLS;
--   tenancy_jobs — instance-level work: the purge job, platform-admin views and actions over all
--                  workspaces, API-key introspection. No BYPASSRLS either: it sees every
--                  workspace through its own policies, and its grants stop it from writing
--                  tenant data beyond what those jobs do.

CREATE TABLE users (
    id TEXT COLLATE "C" PRIMARY KEY,
    email TEXT COLLATE "C" NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret TEXT,
    totp_enabled BOOLEAN NOT NULL DEFAULT false,
    platform_admin BOOLEAN NOT NULL DEFAULT false,
    free_limit_lifted BOOLEAN NOT NULL DEFAULT false,
    created_at BIGINT NOT NULL
);

CREATE TABLE refresh_tokens (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    family_id TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens(user_id);

CREATE TABLE access_tokens (
    token_hash TEXT COLLATE "C" PRIMARY KEY,
    family_id TEXT COLLATE "C" NOT NULL,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX access_tokens_family ON access_tokens(family_id);
CREATE INDEX access_tokens_user ON access_tokens(user_id);

CREATE TABLE workspaces (
    id TEXT COLLATE "C" PRIMARY KEY,
    slug TEXT COLLATE "C" NOT NULL UNIQUE,
    name TEXT NOT NULL,
    plan TEXT NOT NULL,
    security TEXT NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    deleted_at BIGINT,
    version BIGINT NOT NULL
);

CREATE TABLE members (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    joined_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX members_user ON members(user_id);

CREATE TABLE communities (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    slug TEXT COLLATE "C" NOT NULL,
    name TEXT NOT NULL,
    timezone TEXT NOT NULL,
    contact_email TEXT,
    region TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (workspace_id, slug)
);

CREATE TABLE roles (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    builtin TEXT,
    description TEXT NOT NULL,
    permissions TEXT NOT NULL,
    intake_scope TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    version BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE assignments (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    community_id TEXT COLLATE "C" NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role_id TEXT COLLATE "C" NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
    assignment_type TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (community_id, user_id, role_id)
);
CREATE INDEX assignments_ws_user ON assignments(workspace_id, user_id);
CREATE INDEX assignments_role ON assignments(role_id);

CREATE TABLE invitations (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email TEXT COLLATE "C" NOT NULL,
    workspace_role TEXT NOT NULL,
    assignments TEXT NOT NULL,
    invited_by TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX invitations_ws ON invitations(workspace_id);
CREATE INDEX invitations_email ON invitations(email);

CREATE TABLE intakes (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    community_id TEXT COLLATE "C" NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    name TEXT COLLATE "C" NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX intakes_community ON intakes(community_id);

CREATE TABLE api_keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    community_id TEXT COLLATE "C" NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    prefix TEXT COLLATE "C" NOT NULL UNIQUE,
    secret_hash TEXT NOT NULL,
    role_ids TEXT NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_keys_community ON api_keys(community_id);

CREATE TABLE alert_volumes (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    community_id TEXT COLLATE "C" NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    day TEXT COLLATE "C" NOT NULL,
    alerts BIGINT NOT NULL,
    PRIMARY KEY (community_id, day)
);

CREATE TABLE audit_log (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    workspace_id TEXT COLLATE "C",
    actor_id TEXT COLLATE "C",
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    before TEXT,
    after TEXT,
    at BIGINT NOT NULL,
    request_id TEXT NOT NULL
);
CREATE INDEX audit_ws ON audit_log(workspace_id, id);

-- The change feed. Sequence numbers come from feed_head, not a SEQUENCE: a sequence hands out
-- numbers at insert time, so a transaction that commits later could publish a smaller number
-- than one a reader already passed. Bumping the one feed_head row locks it until commit, so
-- numbers are gapless and visible in commit order, as with SQLite's single writer.
CREATE TABLE changes (
    seq BIGINT PRIMARY KEY,
    workspace_id TEXT COLLATE "C",
    subject_user_id TEXT COLLATE "C",
    kind TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op TEXT NOT NULL,
    data TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX changes_ws ON changes(workspace_id, seq);
CREATE INDEX changes_subject ON changes(subject_user_id, seq);

CREATE TABLE feed_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq BIGINT NOT NULL
);
INSERT INTO feed_head (id, seq) VALUES (1, 0);

CREATE FUNCTION tenancy_next_seq() RETURNS BIGINT LANGUAGE sql VOLATILE AS
    $$ UPDATE feed_head SET seq = seq + 1 WHERE id = 1 RETURNING seq $$;

-- The oldest `since` the feed still answers; raised when old changes are pruned.
CREATE TABLE feed_floor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    floor BIGINT NOT NULL
);
INSERT INTO feed_floor (id, floor) VALUES (1, 0);

-- ---------- row-level security ----------
--
-- Each request's transaction sets, with set_config(…, true) so that nothing outlives it on a
-- pooled connection:
--   tenancy.user_id      — the signed-in caller (or, for a user-level change such as a 2FA reset,
--                          the user it concerns);
--   tenancy.workspace_id — the workspace the request works in, once the service has checked
--                          the caller belongs there (or is accepting an invitation to it, or is
--                          creating it).
-- A tenant-owned row is visible when it belongs to that workspace, or to a workspace the user is
-- a member of. The second clause is what cross-workspace reads by nature need (/v1/me, the
-- workspace list, the change feed and snapshots, the free-workspace allowance): a user sees
-- their own workspaces, never another tenant's. Doing those through the jobs role instead would
-- hand every such request a role that sees all tenants. Membership rows themselves are visible
-- in the request's workspace or when they are the user's own, which keeps the members policy
-- free of a reference to itself.
-- Invitations addressed to the user's email (and the workspaces they invite to) are readable
-- too: an invitee lists and accepts them before being a member.
-- The queries keep their explicit workspace predicates; these policies are the second wall.

CREATE FUNCTION tenancy_workspace() RETURNS TEXT LANGUAGE sql STABLE AS
    $$ SELECT NULLIF(current_setting('tenancy.workspace_id', true), '') $$;
CREATE FUNCTION tenancy_user() RETURNS TEXT LANGUAGE sql STABLE AS
    $$ SELECT NULLIF(current_setting('tenancy.user_id', true), '') $$;
CREATE FUNCTION tenancy_user_email() RETURNS TEXT LANGUAGE sql STABLE AS
    $$ SELECT email FROM users WHERE id = tenancy_user() $$;
CREATE FUNCTION tenancy_visible(ws TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS
    $$ SELECT ws = tenancy_workspace() OR ws IN (SELECT m.workspace_id FROM members m WHERE m.user_id = tenancy_user()) $$;

DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['workspaces', 'members', 'communities', 'roles', 'assignments', 'invitations',
                             'intakes', 'api_keys', 'alert_volumes', 'audit_log', 'changes'] LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        -- The jobs role works across workspaces; its grants (below) bound what it may do.
        EXECUTE format('CREATE POLICY jobs_all ON %I TO tenancy_jobs USING (true) WITH CHECK (true)', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['communities', 'roles', 'assignments', 'invitations', 'intakes', 'api_keys', 'alert_volumes'] LOOP
        EXECUTE format('CREATE POLICY app_tenant ON %I TO tenancy_app USING (tenancy_visible(workspace_id)) WITH CHECK (tenancy_visible(workspace_id))', t);
    END LOOP;
END $$;

CREATE POLICY app_tenant ON workspaces TO tenancy_app
    USING (tenancy_visible(id)) WITH CHECK (id = tenancy_workspace());
CREATE POLICY app_invited ON workspaces FOR SELECT TO tenancy_app
    USING (id IN (SELECT i.workspace_id FROM invitations i WHERE i.email = tenancy_user_email()));

-- Memberships are written only inside the request's workspace.
CREATE POLICY app_tenant ON members TO tenancy_app
    USING (workspace_id = tenancy_workspace() OR user_id = tenancy_user())
    WITH CHECK (workspace_id = tenancy_workspace());

CREATE POLICY app_invited ON invitations FOR SELECT TO tenancy_app
    USING (email = tenancy_user_email());

-- Instance-level entries (sign-ins, registrations) have no workspace: the app appends them,
-- only the jobs role (platform admins' instance audit) reads them.
CREATE POLICY app_tenant ON audit_log TO tenancy_app
    USING (tenancy_visible(workspace_id)) WITH CHECK (workspace_id IS NULL OR tenancy_visible(workspace_id));

-- A change about a user (their membership) reaches them even outside the workspace.
CREATE POLICY app_tenant ON changes TO tenancy_app
    USING (tenancy_visible(workspace_id) OR subject_user_id = tenancy_user())
    WITH CHECK (workspace_id IS NULL OR tenancy_visible(workspace_id));

-- ---------- grants ----------

GRANT SELECT, INSERT, UPDATE, DELETE ON users, refresh_tokens, access_tokens, workspaces, members,
    communities, roles, assignments, invitations, intakes, api_keys, alert_volumes TO tenancy_app;
-- The audit log and the feed are append-only for requests; only the purge deletes from them.
GRANT SELECT, INSERT ON audit_log, changes TO tenancy_app;
GRANT SELECT, UPDATE ON feed_head TO tenancy_app;
GRANT SELECT ON feed_floor TO tenancy_app;

GRANT SELECT ON users, workspaces, members, communities, roles, assignments, invitations, intakes,
    api_keys, alert_volumes, audit_log, changes, feed_head, feed_floor TO tenancy_jobs;
-- The purge removes a workspace and everything in it, its feed and audit entries included.
GRANT DELETE ON workspaces, members, communities, roles, assignments, invitations, intakes,
    api_keys, alert_volumes, audit_log, changes TO tenancy_jobs;
-- Platform admins restore workspaces and change plans; introspection records a key's last use.
GRANT UPDATE ON workspaces TO tenancy_jobs;
GRANT UPDATE (name, last_used_at, revoked_at) ON api_keys TO tenancy_jobs;
GRANT INSERT ON audit_log, changes TO tenancy_jobs;
GRANT UPDATE ON feed_head TO tenancy_jobs;
