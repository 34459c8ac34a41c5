-- Managers invite freelancers to apply to a shift. An invitation is an application the
-- organisation started: the freelancer applies from it (it becomes "applied") or declines
-- it, so the thread, the isolation rules and the one-application-per-shift rule carry over.
ALTER TYPE application_status ADD VALUE 'invited' BEFORE 'applied';

-- Who invited, for invitations; NULL for applications the freelancer started.
ALTER TABLE applications ADD COLUMN invited_by uuid REFERENCES users ON DELETE SET NULL;
