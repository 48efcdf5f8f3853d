-- A members page is ordered by email. With the email on the membership (a user's email never
-- changes), a page reads the workspace's members in that order from an index and stops at the
-- page's end, instead of joining and sorting every membership of the workspace: its cost
-- follows the page, not the workspace's size.
ALTER TABLE members ADD COLUMN email TEXT NOT NULL DEFAULT '';
UPDATE members SET email = (SELECT u.email FROM users u WHERE u.id = members.user_id);
CREATE INDEX members_ws_email ON members(workspace_id, email);
