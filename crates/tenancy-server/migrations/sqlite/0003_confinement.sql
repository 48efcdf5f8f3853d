-- Confinement between the communities of a workspace: each change and audit entry says which
-- community it belongs to, so a member's feed and audit log read only their communities'
-- rows (by index); alert volumes are recorded per intake, for restricted roles; communities
-- carry their client-portal settings.
ALTER TABLE changes ADD COLUMN community_id TEXT;
UPDATE changes SET community_id = entity_id WHERE kind = 'community';
UPDATE changes SET community_id = json_extract(data, '$.community_id') WHERE kind IN ('assignment', 'intake', 'api_key') AND data IS NOT NULL;
CREATE INDEX changes_community ON changes(community_id, seq);
CREATE INDEX changes_ws_kind ON changes(workspace_id, kind, seq);
-- A person's own changes, and the memberships of the people of a community (looked up person
-- by person from the community's assignments, never by scanning the workspace's).
DROP INDEX changes_subject;
CREATE INDEX changes_subject ON changes(subject_user_id, kind, workspace_id, seq);
CREATE INDEX assignments_community ON assignments(community_id, user_id);

ALTER TABLE audit_log ADD COLUMN community_id TEXT;
CREATE INDEX audit_community ON audit_log(community_id, id);

ALTER TABLE communities ADD COLUMN portal_enabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE communities ADD COLUMN portal_show_team INTEGER NOT NULL DEFAULT 0;

-- Per intake; `alert_volumes` keeps each community's daily total (what whole-community readers
-- are sent, without summing intakes per request).
CREATE TABLE intake_volumes (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    intake_id TEXT NOT NULL REFERENCES intakes(id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    alerts INTEGER NOT NULL,
    PRIMARY KEY (community_id, intake_id, day)
);
