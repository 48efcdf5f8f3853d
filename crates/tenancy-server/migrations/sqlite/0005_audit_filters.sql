-- The audit log is searched over its whole history by actor, action and target: each filter
-- reads its own index range within the workspace, newest first.
CREATE INDEX audit_actor ON audit_log(workspace_id, actor_id, id);
CREATE INDEX audit_action ON audit_log(workspace_id, action, id);
CREATE INDEX audit_target ON audit_log(workspace_id, target_id, id);
