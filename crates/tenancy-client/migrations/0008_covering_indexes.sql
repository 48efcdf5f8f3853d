-- Covering indexes for the members table and the aggregate (issue 16). Existing caches upgrade
-- in place: the indexes are rebuilt from the rows they hold, and nothing needs a new sync.

-- A member's row of the members table (filters by person, 2FA and role, the text search, the
-- page's columns and the aggregate's 2FA counts) read from the index alone, never from the
-- table, whose rows carry each member's whole JSON. This replaces `members_two_factor`, of
-- which it is an extension.
DROP INDEX IF EXISTS members_two_factor;
CREATE INDEX members_cover ON members(workspace_id, user_id, two_factor, role, joined_at, email, display_name);

-- "Who holds role R in these communities of this workspace": with the workspace in the index,
-- the members table's filter no longer reads each assignment's row to check it. (A first sync
-- builds this index at its end: see `ASSIGNMENT_INDEXES`; while one is cut off, the index is
-- absent, and opening the cache builds it.)
DROP INDEX IF EXISTS assignments_community;
CREATE INDEX assignments_community ON assignments(community, role, user, ws);

-- Each holder's 2FA beside their count of roles (NULL while the cache holds no membership of
-- theirs), so the aggregate over most of a workspace counts its people and their 2FA from
-- `user_holdings` alone: joining 20,000 holders to their members' rows by id was half of it.
-- Kept by triggers: a holder's first role reads their membership; a membership written (by
-- INSERT OR REPLACE, whose insert comes after the row it replaces) or deleted sets it.
ALTER TABLE user_holdings ADD COLUMN two_factor INTEGER;
UPDATE user_holdings SET two_factor = (
    SELECT m.two_factor FROM members m
    WHERE m.workspace_id = (SELECT id FROM keys WHERE k = user_holdings.ws) AND m.user_id = (SELECT id FROM keys WHERE k = user_holdings.user)
);
CREATE TRIGGER user_holdings_two_factor AFTER INSERT ON user_holdings BEGIN
    UPDATE user_holdings SET two_factor = (
        SELECT m.two_factor FROM members m
        WHERE m.workspace_id = (SELECT id FROM keys WHERE k = NEW.ws) AND m.user_id = (SELECT id FROM keys WHERE k = NEW.user)
    ) WHERE ws = NEW.ws AND user = NEW.user;
END;
CREATE TRIGGER members_two_factor_written AFTER INSERT ON members BEGIN
    UPDATE user_holdings SET two_factor = NEW.two_factor
    WHERE ws = (SELECT k FROM keys WHERE id = NEW.workspace_id) AND user = (SELECT k FROM keys WHERE id = NEW.user_id);
END;
CREATE TRIGGER members_two_factor_changed AFTER UPDATE OF two_factor ON members BEGIN
    UPDATE user_holdings SET two_factor = NEW.two_factor
    WHERE ws = (SELECT k FROM keys WHERE id = NEW.workspace_id) AND user = (SELECT k FROM keys WHERE id = NEW.user_id);
END;
CREATE TRIGGER members_two_factor_deleted AFTER DELETE ON members BEGIN
    UPDATE user_holdings SET two_factor = NULL
    WHERE ws = (SELECT k FROM keys WHERE id = OLD.workspace_id) AND user = (SELECT k FROM keys WHERE id = OLD.user_id);
END;
