-- When each workspace's alert volumes were last fetched (they are not in the change feed).
CREATE TABLE alert_volume_state (
    workspace_id TEXT PRIMARY KEY,
    fetched_at INTEGER NOT NULL
);
