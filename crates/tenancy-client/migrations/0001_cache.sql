-- The console's local mirror of what one account may see on one server.
-- Entities keep their full JSON in `data`; the columns beside it are what views filter on.

CREATE TABLE sync_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    cursor INTEGER NOT NULL DEFAULT 0,
    last_sync_at INTEGER,
    user_json TEXT
);
INSERT INTO sync_state (id, cursor) VALUES (1, 0);

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    plan TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    data TEXT NOT NULL
);

CREATE TABLE communities (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    slug TEXT NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX communities_ws ON communities(workspace_id, name);

CREATE TABLE members (
    workspace_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    two_factor INTEGER NOT NULL,
    role TEXT NOT NULL,
    joined_at INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX members_email ON members(workspace_id, email);

CREATE TABLE roles (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX roles_ws ON roles(workspace_id);

CREATE TABLE assignments (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    assignment_type TEXT NOT NULL
);
CREATE INDEX assignments_user ON assignments(workspace_id, user_id);
CREATE INDEX assignments_community ON assignments(community_id, role_id, user_id);

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    email TEXT NOT NULL,
    status TEXT NOT NULL,
    workspace_role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX invitations_ws ON invitations(workspace_id, status);

-- The community roles an invitation will give, for per-community filters and totals.
CREATE TABLE invitation_assignments (
    invitation_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    role_id TEXT NOT NULL,
    assignment_type TEXT NOT NULL
);
CREATE INDEX invitation_assignments_inv ON invitation_assignments(invitation_id);
CREATE INDEX invitation_assignments_c ON invitation_assignments(community_id);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    revoked INTEGER NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX api_keys_c ON api_keys(community_id);

CREATE TABLE intakes (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    community_id TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX intakes_c ON intakes(community_id);

CREATE TABLE alert_volumes (
    community_id TEXT NOT NULL,
    day TEXT NOT NULL,
    alerts INTEGER NOT NULL,
    PRIMARY KEY (community_id, day)
);
