-- Filters and aggregates by community role across a workspace; covering (community last), so
-- "who holds role R in these communities" never reads the table.
CREATE INDEX assignments_role_user ON assignments(workspace_id, role_id, user_id, community_id);
