-- Role assignments by number. A large MSSP mirror holds 200,000 assignments; with five UUID
-- texts per row and three or four more per index entry, a full sync spent most of its SQLite
-- time writing 160 MB. The ids an assignment refers to (workspace, community, user, role) are
-- numbered once in `keys`; the rows and their indexes hold the numbers.
-- Counts kept beside them answer the aggregates without reading every assignment.
-- The cache is a mirror: the old rows go, and the next sync starts again from the beginning.

CREATE TABLE keys (
    k INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE
);

DROP TABLE assignments;
CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    ws INTEGER NOT NULL,
    community INTEGER NOT NULL,
    user INTEGER NOT NULL,
    role INTEGER NOT NULL,
    assignment_type TEXT NOT NULL
);
-- "Who holds role R in these communities" (filters, a few communities' aggregates).
CREATE INDEX assignments_community ON assignments(community, role, user);
-- A member's roles (their detail, a page's rows).
CREATE INDEX assignments_user ON assignments(ws, user, community);

-- Members with a role and their 2FA, counted from the index alone.
CREATE INDEX members_two_factor ON members(workspace_id, user_id, two_factor);

-- People per (community, role): the aggregate's matrix.
CREATE TABLE role_counts (
    community INTEGER NOT NULL,
    role INTEGER NOT NULL,
    ws INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (community, role)
) WITHOUT ROWID;
CREATE INDEX role_counts_ws ON role_counts(ws, community);
-- In how many communities of a workspace a user holds a role: one row per holder of a role.
CREATE TABLE role_holders (
    ws INTEGER NOT NULL,
    role INTEGER NOT NULL,
    user INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (ws, role, user)
) WITHOUT ROWID;
-- How many role assignments a user has in a workspace: one row per user with a role.
CREATE TABLE user_holdings (
    ws INTEGER NOT NULL,
    user INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (ws, user)
) WITHOUT ROWID;

-- Rows written are counted by the cache as it writes them (summed per batch); rows deleted or
-- replaced, by any statement, are taken off here (through one INSTEAD OF trigger, so the
-- uncounting is written once).
CREATE VIEW assignments_uncounted AS SELECT 0 AS ws, 0 AS community, 0 AS user, 0 AS role WHERE 0;
CREATE TRIGGER assignments_uncount INSTEAD OF INSERT ON assignments_uncounted BEGIN
    UPDATE role_counts SET n = n - 1 WHERE community = NEW.community AND role = NEW.role;
    DELETE FROM role_counts WHERE community = NEW.community AND role = NEW.role AND n <= 0;
    UPDATE role_holders SET n = n - 1 WHERE ws = NEW.ws AND role = NEW.role AND user = NEW.user;
    DELETE FROM role_holders WHERE ws = NEW.ws AND role = NEW.role AND user = NEW.user AND n <= 0;
    UPDATE user_holdings SET n = n - 1 WHERE ws = NEW.ws AND user = NEW.user;
    DELETE FROM user_holdings WHERE ws = NEW.ws AND user = NEW.user AND n <= 0;
END;
CREATE TRIGGER assignments_deleted AFTER DELETE ON assignments BEGIN
    INSERT INTO assignments_uncounted VALUES (OLD.ws, OLD.community, OLD.user, OLD.role);
END;
CREATE TRIGGER assignments_replaced AFTER UPDATE ON assignments BEGIN
    INSERT INTO assignments_uncounted VALUES (OLD.ws, OLD.community, OLD.user, OLD.role);
END;

-- Which workspace's download each community's alert volumes came with, and each workspace's
-- daily sums: the aggregate over most of a workspace's communities subtracts the few left out.
CREATE TABLE alert_volume_communities (
    community_id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL
);
CREATE INDEX alert_volume_communities_ws ON alert_volume_communities(workspace_id);
CREATE TABLE alert_volume_totals (
    workspace_id TEXT NOT NULL,
    day TEXT NOT NULL,
    alerts INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, day)
) WITHOUT ROWID;

-- Start over.
DELETE FROM alert_volumes;
DELETE FROM alert_volume_state;
DELETE FROM workspaces;
DELETE FROM communities;
DELETE FROM members;
DELETE FROM roles;
DELETE FROM invitations;
DELETE FROM invitation_assignments;
DELETE FROM api_keys;
DELETE FROM intakes;
UPDATE sync_state SET cursor = 0, last_sync_at = NULL;
