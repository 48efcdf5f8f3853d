-- An invitation can be declined by its invitee, and keeps the community roles it offers by name
-- (the invitee is not a member yet and may not read the workspace's communities and roles).
ALTER TABLE invitations ADD COLUMN declined_at BIGINT;
ALTER TABLE invitations ADD COLUMN offered_roles TEXT NOT NULL DEFAULT '[]';

