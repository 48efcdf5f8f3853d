-- A members page reads membership rows only, in email order from `members_ws_email`: the
-- person's name and 2FA state are copied onto each of their memberships (as the email is,
-- 0007) and kept equal to the user's by a trigger, instead of a lookup in users per row. The
-- copy is the owner's to write (its own policy on members, used by the trigger only): a
-- request may change a person who is in workspaces outside its context.
ALTER TABLE members ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE members ADD COLUMN totp_enabled BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE members NO FORCE ROW LEVEL SECURITY;
UPDATE members m SET display_name = u.display_name, totp_enabled = u.totp_enabled FROM users u WHERE u.id = m.user_id;
ALTER TABLE members FORCE ROW LEVEL SECURITY;
CREATE POLICY owner_copies ON members TO tenancy_owner USING (true) WITH CHECK (true);
CREATE FUNCTION tenancy_copy_user() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
BEGIN
    UPDATE members SET display_name = NEW.display_name, totp_enabled = NEW.totp_enabled WHERE user_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER users_copied_to_members AFTER UPDATE OF display_name, totp_enabled ON users FOR EACH ROW
    WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name OR OLD.totp_enabled IS DISTINCT FROM NEW.totp_enabled)
    EXECUTE FUNCTION tenancy_copy_user();
