-- Confinement between the communities of a workspace: each change and audit entry says which
-- community it belongs to, so a member's feed and audit log read only their communities'
-- rows (by index); alert volumes are recorded per intake, for restricted roles; communities
-- carry their client-portal settings. Row-level security confines every community-scoped
-- table to what the request's caller may read (the context the service sets from the rule).
ALTER TABLE changes ADD COLUMN community_id TEXT COLLATE "C";
UPDATE changes SET community_id = entity_id WHERE kind = 'community';
UPDATE changes SET community_id = data::json->>'community_id' WHERE kind IN ('assignment', 'intake', 'api_key') AND data IS NOT NULL;
CREATE INDEX changes_community ON changes(community_id, seq);
CREATE INDEX changes_ws_kind ON changes(workspace_id, kind, seq);
-- A person's own changes, and the memberships of the people of a community (looked up person
-- by person from the community's assignments, never by scanning the workspace's).
DROP INDEX changes_subject;
CREATE INDEX changes_subject ON changes(subject_user_id, kind, workspace_id, seq);
CREATE INDEX assignments_community ON assignments(community_id, user_id);

ALTER TABLE audit_log ADD COLUMN community_id TEXT COLLATE "C";
CREATE INDEX audit_community ON audit_log(community_id, id);

ALTER TABLE communities ADD COLUMN portal_enabled BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE communities ADD COLUMN portal_show_team BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE intake_volumes (
    workspace_id TEXT COLLATE "C" NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    community_id TEXT COLLATE "C" NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    intake_id TEXT COLLATE "C" NOT NULL REFERENCES intakes(id) ON DELETE CASCADE,
    day TEXT COLLATE "C" NOT NULL,
    alerts BIGINT NOT NULL,
    PRIMARY KEY (community_id, intake_id, day)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON intake_volumes TO tenancy_app;
GRANT SELECT, DELETE ON intake_volumes TO tenancy_jobs;
ALTER TABLE intake_volumes ENABLE ROW LEVEL SECURITY;
ALTER TABLE intake_volumes FORCE ROW LEVEL SECURITY;
CREATE POLICY jobs_all ON intake_volumes TO tenancy_jobs USING (true) WITH CHECK (true);

-- ---------- row-level security between communities ----------
--
-- Besides tenancy.user_id and tenancy.workspace_id, a request's transaction carries what its
-- caller may see (set with set_config(…, true) from the domain's Sight, for every workspace
-- the request reads):
--   tenancy.whole        — workspaces they see whole (owners and admins), comma-separated;
--   tenancy.sees         — communities they hold a role in, in the other workspaces;
--   tenancy.reads_<data> — of those, the communities where they may read <data> (members,
--                          invitations, api_keys, intakes, alerts, audit).
-- Unset, they name nothing: a community-scoped row is then visible only when it is the
-- caller's own (their role assignment). The queries keep their own predicates; these
-- policies are the second wall, and writes stay checked by workspace as before.
CREATE FUNCTION tenancy_list(key TEXT) RETURNS TEXT[] LANGUAGE sql STABLE AS
    $$ SELECT string_to_array(NULLIF(current_setting(key, true), ''), ',') $$;
CREATE FUNCTION tenancy_whole(ws TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS
    $$ SELECT COALESCE(ws = ANY(tenancy_list('tenancy.whole')), false) $$;
CREATE FUNCTION tenancy_reads(ws TEXT, community TEXT, data TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS
    $$ SELECT tenancy_whole(ws) OR COALESCE(community = ANY(tenancy_list('tenancy.reads_' || data)), false) $$;
CREATE FUNCTION tenancy_sees(ws TEXT, community TEXT) RETURNS BOOLEAN LANGUAGE sql STABLE AS
    $$ SELECT tenancy_whole(ws) OR COALESCE(community = ANY(tenancy_list('tenancy.sees')), false) $$;

-- Each community-scoped table: one policy for reads (confined), the workspace policy for writes.
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['communities', 'assignments', 'invitations', 'intakes', 'api_keys', 'alert_volumes'] LOOP
        EXECUTE format('DROP POLICY app_tenant ON %I', t);
    END LOOP;
    FOREACH t IN ARRAY ARRAY['communities', 'assignments', 'invitations', 'intakes', 'api_keys', 'alert_volumes', 'intake_volumes'] LOOP
        EXECUTE format('CREATE POLICY app_insert ON %I FOR INSERT TO tenancy_app WITH CHECK (tenancy_visible(workspace_id))', t);
        EXECUTE format('CREATE POLICY app_update ON %I FOR UPDATE TO tenancy_app USING (tenancy_visible(workspace_id)) WITH CHECK (tenancy_visible(workspace_id))', t);
        EXECUTE format('CREATE POLICY app_delete ON %I FOR DELETE TO tenancy_app USING (tenancy_visible(workspace_id))', t);
    END LOOP;
END $$;

CREATE POLICY app_read ON communities FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND tenancy_sees(workspace_id, id));
CREATE POLICY app_read ON assignments FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND (user_id = tenancy_user() OR tenancy_reads(workspace_id, community_id, 'members')));
CREATE POLICY app_read ON intakes FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND tenancy_reads(workspace_id, community_id, 'intakes'));
CREATE POLICY app_read ON api_keys FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND tenancy_reads(workspace_id, community_id, 'api_keys'));
CREATE POLICY app_read ON alert_volumes FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND tenancy_reads(workspace_id, community_id, 'alerts'));
CREATE POLICY app_read ON intake_volumes FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND tenancy_reads(workspace_id, community_id, 'alerts'));
-- An invitation is seen whole by the workspace's admins, and by those who may read the
-- invitations of a community it offers a role in (its invitee sees it by app_invited).
CREATE POLICY app_read ON invitations FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND (tenancy_whole(workspace_id) OR EXISTS (
        SELECT 1 FROM json_array_elements(assignments::json) a WHERE tenancy_reads(workspace_id, a->>'community_id', 'invitations'))));

-- A member is seen by the workspace's admins, by themself, and by those who may read the
-- people of a community the member holds a role in.
DROP POLICY app_tenant ON members;
CREATE POLICY app_read ON members FOR SELECT TO tenancy_app
    USING (user_id = tenancy_user() OR workspace_id = tenancy_workspace() AND tenancy_whole(workspace_id)
           OR tenancy_visible(workspace_id) AND (tenancy_whole(workspace_id) OR user_id IN (
               SELECT a.user_id FROM assignments a WHERE a.workspace_id = members.workspace_id AND tenancy_reads(a.workspace_id, a.community_id, 'members'))));
CREATE POLICY app_insert ON members FOR INSERT TO tenancy_app WITH CHECK (workspace_id = tenancy_workspace());
CREATE POLICY app_update ON members FOR UPDATE TO tenancy_app USING (workspace_id = tenancy_workspace()) WITH CHECK (workspace_id = tenancy_workspace());
CREATE POLICY app_delete ON members FOR DELETE TO tenancy_app USING (workspace_id = tenancy_workspace());

-- Audit entries: the workspace's admins see them all; a community's are seen by who may read
-- its audit entries.
DROP POLICY app_tenant ON audit_log;
CREATE POLICY app_read ON audit_log FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND (tenancy_whole(workspace_id) OR tenancy_reads(workspace_id, community_id, 'audit')));
CREATE POLICY app_insert ON audit_log FOR INSERT TO tenancy_app
    WITH CHECK (workspace_id IS NULL OR tenancy_visible(workspace_id));

-- Changes: the caller's own (memberships and role assignments) reach them anywhere; in a
-- workspace they see whole, everything; otherwise the workspace itself and its roles, and
-- each community-bound change by what may be read in its community. Members and invitations
-- are narrowed further by the service (who holds roles where; which roles an invitation offers).
DROP POLICY app_tenant ON changes;
CREATE POLICY app_read ON changes FOR SELECT TO tenancy_app
    USING (subject_user_id = tenancy_user() OR tenancy_visible(workspace_id) AND (
        tenancy_whole(workspace_id)
        OR kind IN ('workspace', 'role')
        OR kind = 'community' AND tenancy_sees(workspace_id, community_id)
        OR kind = 'assignment' AND tenancy_reads(workspace_id, community_id, 'members')
        OR kind = 'intake' AND tenancy_reads(workspace_id, community_id, 'intakes')
        OR kind = 'api_key' AND tenancy_reads(workspace_id, community_id, 'api_keys')
        OR kind = 'member' AND (community_id IS NULL AND tenancy_list('tenancy.reads_members') IS NOT NULL OR tenancy_reads(workspace_id, community_id, 'members'))
        OR kind = 'invitation' AND (community_id IS NULL AND tenancy_list('tenancy.reads_invitations') IS NOT NULL OR tenancy_reads(workspace_id, community_id, 'invitations'))));
CREATE POLICY app_insert ON changes FOR INSERT TO tenancy_app
    WITH CHECK (workspace_id IS NULL OR tenancy_visible(workspace_id));
