-- A members page reads membership rows only, in email order from `members_ws_email`: the
-- person's name and 2FA state are copied onto each of their memberships (as the email is,
-- 0007) and kept equal to the user's by a trigger, instead of a lookup in users per row.
ALTER TABLE members ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN totp_enabled INTEGER NOT NULL DEFAULT 0;
UPDATE members SET
    display_name = (SELECT u.display_name FROM users u WHERE u.id = members.user_id),
    totp_enabled = (SELECT u.totp_enabled FROM users u WHERE u.id = members.user_id);
CREATE TRIGGER users_copied_to_members AFTER UPDATE OF display_name, totp_enabled ON users BEGIN
    UPDATE members SET display_name = NEW.display_name, totp_enabled = NEW.totp_enabled WHERE user_id = NEW.id;
END;
