-- Mail at rest (20261216000004_sealed_invitations.sql sealed the last fields of people's rows).
--
-- A queued message (recipient, subject, text, unsubscribe address) is one sealed value,
-- `message_sealed`, bound to `email:<id>`, sealed with the data key of whom it is for:
-- `sealed_for` is a person, a guest order or an invitation (see `sealed_by`). Deleting that
-- key leaves the message unreadable in every copy. `recipient_lookup` (the address's HMAC under
-- the lookup key) finds a person's mail for their download and erasure.
--
-- Once a message is handed to an SMTP server the outbox forgets it (the sealed value goes;
-- the lookup, times and transport stay); the local dev mailbox keeps it sealed, to show.
-- Messages an older version queued are read in the clear until sent, then forgotten the same
-- way; the server (`olivine migrate`, `olivine serve`) gives them their lookup hash and empties
-- the clear columns of those already sent. A later migration drops them.

ALTER TABLE email_outbox
    ALTER COLUMN recipient DROP NOT NULL,
    ALTER COLUMN subject DROP NOT NULL,
    ALTER COLUMN body_text DROP NOT NULL,
    ADD COLUMN sealed_for uuid,
    ADD COLUMN message_sealed bytea,
    ADD COLUMN recipient_lookup bytea,
    ADD CONSTRAINT email_outbox_sealed_for CHECK ((message_sealed IS NULL) OR (sealed_for IS NOT NULL));

CREATE INDEX email_outbox_recipient_lookup ON email_outbox (recipient_lookup);
CREATE INDEX email_outbox_sealed_for ON email_outbox (sealed_for) WHERE message_sealed IS NOT NULL;
CREATE INDEX email_outbox_in_clear ON email_outbox (email_id) WHERE recipient IS NOT NULL;
