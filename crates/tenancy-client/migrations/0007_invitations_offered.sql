-- The invitations addressed to the signed-in user (from /v1/me), as offered: they belong to no
-- workspace the cache mirrors yet, so they are kept whole, replaced at every sync.
ALTER TABLE sync_state ADD COLUMN invitations_offered TEXT NOT NULL DEFAULT '[]';

-- The slug check as one types a new community's slug.
CREATE INDEX communities_slug ON communities(workspace_id, slug);
