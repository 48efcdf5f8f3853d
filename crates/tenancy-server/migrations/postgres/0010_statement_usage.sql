-- Usage counters that follow a statement's rows at once (issue 16, mssp-xl).
--
-- The counters of 0008 were bumped by a row trigger, once per membership, community or API
-- key. Every bump of a workspace's one counter row leaves a version of it that the rest of the
-- transaction cannot discard, and the next bump walks past all of them: in one transaction
-- that writes many rows (the seeder writes 100,000 memberships and 20,000 communities and
-- keys), the cost grows with the square of the rows (40,000 bumps took 46 s; mssp-xl's
-- 120,000 would take minutes). Inserts and deletes now count their rows once per statement,
-- from the statement's transition table: a request's single-row write bumps the counter once
-- as before, a statement of a thousand rows once instead of a thousand times. An update (a
-- member's role, a key's revocation: one row at a time) keeps its row trigger.

DROP TRIGGER members_usage ON members;
DROP TRIGGER communities_usage ON communities;
DROP TRIGGER api_keys_usage ON api_keys;

-- The rows a statement inserted (counted up) or deleted (counted down), per workspace.
CREATE FUNCTION tenancy_usage_members_rows() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE sign BIGINT := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    UPDATE workspace_usage u SET members = u.members + sign * d.members, client_contacts = u.client_contacts + sign * d.clients
    FROM (SELECT workspace_id, COUNT(*) FILTER (WHERE role <> 'client') AS members, COUNT(*) FILTER (WHERE role = 'client') AS clients
          FROM usage_rows GROUP BY workspace_id) d
    WHERE u.workspace_id = d.workspace_id;
    RETURN NULL;
END $$;
CREATE TRIGGER members_usage_insert AFTER INSERT ON members REFERENCING NEW TABLE AS usage_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenancy_usage_members_rows();
CREATE TRIGGER members_usage_delete AFTER DELETE ON members REFERENCING OLD TABLE AS usage_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenancy_usage_members_rows();
-- tenancy_usage_members (0008) counts an update's old row down and its new row up.
CREATE TRIGGER members_usage_role AFTER UPDATE OF role ON members FOR EACH ROW EXECUTE FUNCTION tenancy_usage_members();

CREATE FUNCTION tenancy_usage_communities_rows() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE sign BIGINT := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    UPDATE workspace_usage u SET communities = u.communities + sign * d.n
    FROM (SELECT workspace_id, COUNT(*) AS n FROM usage_rows GROUP BY workspace_id) d
    WHERE u.workspace_id = d.workspace_id;
    RETURN NULL;
END $$;
CREATE TRIGGER communities_usage_insert AFTER INSERT ON communities REFERENCING NEW TABLE AS usage_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenancy_usage_communities_rows();
CREATE TRIGGER communities_usage_delete AFTER DELETE ON communities REFERENCING OLD TABLE AS usage_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenancy_usage_communities_rows();

-- Live (not revoked) keys only, as before.
CREATE FUNCTION tenancy_usage_api_keys_rows() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE sign BIGINT := CASE TG_OP WHEN 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    UPDATE workspace_usage u SET api_keys = u.api_keys + sign * d.n
    FROM (SELECT workspace_id, COUNT(*) AS n FROM usage_rows WHERE revoked_at IS NULL GROUP BY workspace_id) d
    WHERE u.workspace_id = d.workspace_id;
    RETURN NULL;
END $$;
CREATE TRIGGER api_keys_usage_insert AFTER INSERT ON api_keys REFERENCING NEW TABLE AS usage_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenancy_usage_api_keys_rows();
CREATE TRIGGER api_keys_usage_delete AFTER DELETE ON api_keys REFERENCING OLD TABLE AS usage_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tenancy_usage_api_keys_rows();
-- tenancy_usage_api_keys (0008) counts a revocation (or its undoing) down (or up).
CREATE TRIGGER api_keys_usage_revoked AFTER UPDATE OF revoked_at ON api_keys FOR EACH ROW EXECUTE FUNCTION tenancy_usage_api_keys();
