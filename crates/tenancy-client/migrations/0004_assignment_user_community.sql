-- "Does this member hold a role in one of these communities?" answered from the index alone.
DROP INDEX assignments_user;
CREATE INDEX assignments_user ON assignments(workspace_id, user_id, community_id);
