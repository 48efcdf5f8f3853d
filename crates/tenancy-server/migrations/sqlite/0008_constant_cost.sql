-- Requests whose cost does not grow with the workspace (issue 16).
--
-- Role assignments are read in id order in three shapes, each now served by an index that
-- gives both its equalities and its order (no sort of the workspace's assignments):
--   the whole workspace's page       workspace_id = ? ORDER BY id
--   a person's (every request's permissions, the members table's roles)
--                                    workspace_id = ? AND user_id = ? ORDER BY id
--   a community's                    workspace_id = ? AND community_id = ? ORDER BY id
-- With two equalities and the order in one index, the planner prefers it to an index with one
-- equality and the order (it does without statistics, too: nothing here needs ANALYZE).
CREATE INDEX assignments_ws_id ON assignments(workspace_id, id);
DROP INDEX assignments_ws_user;
CREATE INDEX assignments_ws_user ON assignments(workspace_id, user_id, id);
CREATE INDEX assignments_ws_community ON assignments(workspace_id, community_id, id);
-- A community's API keys, a page in id order.
DROP INDEX api_keys_community;
CREATE INDEX api_keys_community ON api_keys(community_id, id);

-- What a plan counts, kept as counters by triggers in the transaction of each write (cascades
-- included), instead of counting the workspace's members, communities and keys on every read.
-- Pending invitations stay counted, from an index of pending ones only: they are few.
CREATE TABLE workspace_usage (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    members INTEGER NOT NULL DEFAULT 0,
    client_contacts INTEGER NOT NULL DEFAULT 0,
    communities INTEGER NOT NULL DEFAULT 0,
    api_keys INTEGER NOT NULL DEFAULT 0
);
INSERT INTO workspace_usage (workspace_id, members, client_contacts, communities, api_keys)
SELECT w.id,
       (SELECT COUNT(*) FROM members m WHERE m.workspace_id = w.id AND m.role <> 'client'),
       (SELECT COUNT(*) FROM members m WHERE m.workspace_id = w.id AND m.role = 'client'),
       (SELECT COUNT(*) FROM communities c WHERE c.workspace_id = w.id),
       (SELECT COUNT(*) FROM api_keys k WHERE k.workspace_id = w.id AND k.revoked_at IS NULL)
FROM workspaces w;

CREATE TRIGGER workspace_usage_new AFTER INSERT ON workspaces BEGIN
    INSERT INTO workspace_usage (workspace_id) VALUES (NEW.id);
END;

CREATE TRIGGER members_usage_in AFTER INSERT ON members BEGIN
    UPDATE workspace_usage SET members = members + (NEW.role <> 'client'), client_contacts = client_contacts + (NEW.role = 'client')
    WHERE workspace_id = NEW.workspace_id;
END;
CREATE TRIGGER members_usage_out AFTER DELETE ON members BEGIN
    UPDATE workspace_usage SET members = members - (OLD.role <> 'client'), client_contacts = client_contacts - (OLD.role = 'client')
    WHERE workspace_id = OLD.workspace_id;
END;
CREATE TRIGGER members_usage_role AFTER UPDATE OF role ON members BEGIN
    UPDATE workspace_usage
    SET members = members - (OLD.role <> 'client') + (NEW.role <> 'client'),
        client_contacts = client_contacts - (OLD.role = 'client') + (NEW.role = 'client')
    WHERE workspace_id = NEW.workspace_id;
END;

CREATE TRIGGER communities_usage_in AFTER INSERT ON communities BEGIN
    UPDATE workspace_usage SET communities = communities + 1 WHERE workspace_id = NEW.workspace_id;
END;
CREATE TRIGGER communities_usage_out AFTER DELETE ON communities BEGIN
    UPDATE workspace_usage SET communities = communities - 1 WHERE workspace_id = OLD.workspace_id;
END;

CREATE TRIGGER api_keys_usage_in AFTER INSERT ON api_keys BEGIN
    UPDATE workspace_usage SET api_keys = api_keys + (NEW.revoked_at IS NULL) WHERE workspace_id = NEW.workspace_id;
END;
CREATE TRIGGER api_keys_usage_out AFTER DELETE ON api_keys BEGIN
    UPDATE workspace_usage SET api_keys = api_keys - (OLD.revoked_at IS NULL) WHERE workspace_id = OLD.workspace_id;
END;
CREATE TRIGGER api_keys_usage_revoke AFTER UPDATE OF revoked_at ON api_keys BEGIN
    UPDATE workspace_usage SET api_keys = api_keys - (OLD.revoked_at IS NULL) + (NEW.revoked_at IS NULL) WHERE workspace_id = NEW.workspace_id;
END;

CREATE INDEX invitations_pending ON invitations(workspace_id, expires_at)
    WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL;
