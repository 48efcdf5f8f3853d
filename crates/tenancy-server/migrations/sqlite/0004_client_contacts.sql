-- Client contacts: a membership of their own kind (role 'client'), bound to one community
-- (`contact_of`), read-only through that community's client portal. The role CHECK widens, so
-- SQLite rebuilds the table (nothing references it).
CREATE TABLE members_new (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'client')),
    joined_at INTEGER NOT NULL,
    version INTEGER NOT NULL,
    contact_of TEXT REFERENCES communities(id) ON DELETE CASCADE,
    CHECK ((role = 'client') = (contact_of IS NOT NULL)),
    PRIMARY KEY (workspace_id, user_id)
);
INSERT INTO members_new (workspace_id, user_id, role, joined_at, version)
    SELECT workspace_id, user_id, role, joined_at, version FROM members;
DROP TABLE members;
ALTER TABLE members_new RENAME TO members;
CREATE INDEX members_user ON members(user_id);
CREATE INDEX members_contact ON members(contact_of) WHERE contact_of IS NOT NULL;

-- An invitation of a client contact names their community (and keeps its name as it was when
-- sent, for the invitee, who may not read the workspace's communities yet).
ALTER TABLE invitations ADD COLUMN contact_of TEXT REFERENCES communities(id) ON DELETE CASCADE;
ALTER TABLE invitations ADD COLUMN contact_name TEXT;
