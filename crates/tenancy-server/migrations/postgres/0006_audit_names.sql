-- Each audit entry keeps the names of the ids it refers to (its actor, its target, the ids in
-- its before/after) as they were when it was written: a JSON object, id to name. Older
-- entries have none (NULL), and are named from what the reader knows.
ALTER TABLE audit_log ADD COLUMN names TEXT;
