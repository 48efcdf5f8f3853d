-- A first sync loads the assignments without their two indexes and builds them once at the end
-- (200,000 rows updating two indexes in random order, batch after batch, cost more than a
-- third of the sync). Set while a sync runs that way; an interrupted one builds them when the
-- cache is next opened.
ALTER TABLE sync_state ADD COLUMN indexes_deferred INTEGER NOT NULL DEFAULT 0;
