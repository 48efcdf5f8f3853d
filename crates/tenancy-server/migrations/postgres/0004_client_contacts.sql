-- Client contacts: a membership of their own kind (role 'client'), bound to one community
-- (`contact_of`), read-only through that community's client portal.
ALTER TABLE members DROP CONSTRAINT members_role_check;
ALTER TABLE members ADD COLUMN contact_of TEXT COLLATE "C" REFERENCES communities(id) ON DELETE CASCADE;
ALTER TABLE members ADD CONSTRAINT members_role_check CHECK (role IN ('owner', 'admin', 'member', 'client'));
ALTER TABLE members ADD CONSTRAINT members_contact_check CHECK ((role = 'client') = (contact_of IS NOT NULL));
CREATE INDEX members_contact ON members(contact_of) WHERE contact_of IS NOT NULL;

-- An invitation of a client contact names their community (and keeps its name as it was when
-- sent, for the invitee, who may not read the workspace's communities yet).
ALTER TABLE invitations ADD COLUMN contact_of TEXT COLLATE "C" REFERENCES communities(id) ON DELETE CASCADE;
ALTER TABLE invitations ADD COLUMN contact_name TEXT;

-- A client contact reads their community's row while its portal is enabled (before the
-- request's sight is known: the portal's switches are what make it).
DROP POLICY app_read ON communities;
CREATE POLICY app_read ON communities FOR SELECT TO tenancy_app
    USING (tenancy_visible(workspace_id) AND (tenancy_sees(workspace_id, id)
        OR portal_enabled AND id IN (SELECT m.contact_of FROM members m WHERE m.user_id = tenancy_user() AND m.workspace_id = communities.workspace_id)));
