-- A members page is ordered by email. With the email on the membership (a user's email never
-- changes), a page reads the workspace's members in that order from an index and stops at the
-- page's end, instead of joining and sorting every membership of the workspace: its cost
-- follows the page, not the workspace's size.
ALTER TABLE members ADD COLUMN email TEXT COLLATE "C" NOT NULL DEFAULT '';
-- The owner running this is subject to row-level security too (FORCE, no policy of its own):
-- the backfill reads and writes every membership, so it is lifted for this statement only.
ALTER TABLE members NO FORCE ROW LEVEL SECURITY;
UPDATE members m SET email = u.email FROM users u WHERE u.id = m.user_id;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
ALTER TABLE members ALTER COLUMN email DROP DEFAULT;
CREATE INDEX members_ws_email ON members(workspace_id, email);
