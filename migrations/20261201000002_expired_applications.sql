-- Applications nobody answered in time: an offer the freelancer left unanswered past the
-- offer window (its seat is given back), and invitations, applications and offers still open
-- when the shift starts. Set by the Hire upkeep job; final, without a reason.
ALTER TYPE application_status ADD VALUE 'expired';

CREATE INDEX applications_offered ON applications (offered_at) WHERE status = 'offered';
