-- Outgoing email, written in the same transaction as the change that causes it.
-- A relay worker delivers it (SMTP when configured, else the local dev mailbox).

CREATE TABLE email_outbox (
    email_id        uuid PRIMARY KEY,
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body_text       text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    transport       text CHECK (transport IN ('smtp', 'mailbox')),
    last_error      text
);
CREATE INDEX email_outbox_due ON email_outbox (next_attempt_at) WHERE sent_at IS NULL;
