-- Requests whose cost does not grow with the workspace (issue 16).
--
-- Role assignments are read in id order in three shapes, each served by an index that gives
-- both its equalities and its order (no sort of the workspace's assignments):
--   the whole workspace's page       workspace_id = ? ORDER BY id
--   a person's (every request's permissions, the members table's roles)
--                                    workspace_id = ? AND user_id = ? ORDER BY id
--   a community's                    workspace_id = ? AND community_id = ? ORDER BY id
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
    workspace_id TEXT COLLATE "C" PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    members BIGINT NOT NULL DEFAULT 0,
    client_contacts BIGINT NOT NULL DEFAULT 0,
    communities BIGINT NOT NULL DEFAULT 0,
    api_keys BIGINT NOT NULL DEFAULT 0
);

-- The backfill reads every workspace's rows: row-level security is lifted for it only.
ALTER TABLE workspaces NO FORCE ROW LEVEL SECURITY;
ALTER TABLE members NO FORCE ROW LEVEL SECURITY;
ALTER TABLE communities NO FORCE ROW LEVEL SECURITY;
ALTER TABLE api_keys NO FORCE ROW LEVEL SECURITY;
INSERT INTO workspace_usage (workspace_id, members, client_contacts, communities, api_keys)
SELECT w.id,
       (SELECT COUNT(*) FROM members m WHERE m.workspace_id = w.id AND m.role <> 'client'),
       (SELECT COUNT(*) FROM members m WHERE m.workspace_id = w.id AND m.role = 'client'),
       (SELECT COUNT(*) FROM communities c WHERE c.workspace_id = w.id),
       (SELECT COUNT(*) FROM api_keys k WHERE k.workspace_id = w.id AND k.revoked_at IS NULL)
FROM workspaces w;
ALTER TABLE workspaces FORCE ROW LEVEL SECURITY;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
ALTER TABLE communities FORCE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;

-- Requests read the counters of the workspaces they see; only the triggers write them. The
-- trigger functions run as the tables' owner (SECURITY DEFINER), whose own policy here lets a
-- counter follow every write whoever makes it — a request, the purge, a cascade.
ALTER TABLE workspace_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE workspace_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY app_tenant ON workspace_usage FOR SELECT TO tenancy_app USING (tenancy_visible(workspace_id));
CREATE POLICY jobs_all ON workspace_usage FOR SELECT TO tenancy_jobs USING (true);
CREATE POLICY owner_counts ON workspace_usage TO tenancy_owner USING (true) WITH CHECK (true);
GRANT SELECT ON workspace_usage TO tenancy_app, tenancy_jobs;

CREATE FUNCTION tenancy_usage_workspace() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    INSERT INTO workspace_usage (workspace_id) VALUES (NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER workspace_usage_new AFTER INSERT ON workspaces FOR EACH ROW EXECUTE FUNCTION tenancy_usage_workspace();

CREATE FUNCTION tenancy_usage_members() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE workspace_usage SET members = members + (NEW.role <> 'client')::int, client_contacts = client_contacts + (NEW.role = 'client')::int
        WHERE workspace_id = NEW.workspace_id;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE workspace_usage SET members = members - (OLD.role <> 'client')::int, client_contacts = client_contacts - (OLD.role = 'client')::int
        WHERE workspace_id = OLD.workspace_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER members_usage AFTER INSERT OR DELETE OR UPDATE OF role ON members FOR EACH ROW EXECUTE FUNCTION tenancy_usage_members();

CREATE FUNCTION tenancy_usage_communities() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE workspace_usage SET communities = communities + 1 WHERE workspace_id = NEW.workspace_id;
    ELSE
        UPDATE workspace_usage SET communities = communities - 1 WHERE workspace_id = OLD.workspace_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER communities_usage AFTER INSERT OR DELETE ON communities FOR EACH ROW EXECUTE FUNCTION tenancy_usage_communities();

CREATE FUNCTION tenancy_usage_api_keys() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE workspace_usage SET api_keys = api_keys + (NEW.revoked_at IS NULL)::int WHERE workspace_id = NEW.workspace_id;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE workspace_usage SET api_keys = api_keys - (OLD.revoked_at IS NULL)::int WHERE workspace_id = OLD.workspace_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER api_keys_usage AFTER INSERT OR DELETE OR UPDATE OF revoked_at ON api_keys FOR EACH ROW EXECUTE FUNCTION tenancy_usage_api_keys();

CREATE INDEX invitations_pending ON invitations(workspace_id, expires_at)
    WHERE accepted_at IS NULL AND declined_at IS NULL AND revoked_at IS NULL;
