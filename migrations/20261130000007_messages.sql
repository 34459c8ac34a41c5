-- Message threads between a freelancer and an organisation's managers: one per application
-- (a contract grows from exactly one). Each side keeps one read mark per thread; unread is
-- what the other side wrote after it.

CREATE TABLE messages (
    message_id     uuid PRIMARY KEY,
    application_id uuid NOT NULL REFERENCES applications ON DELETE CASCADE,
    by_side        hire_side NOT NULL,
    sent_by        uuid REFERENCES users ON DELETE SET NULL,
    body           text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 4000),
    sent_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX messages_thread ON messages (application_id, sent_at);

CREATE TABLE message_reads (
    application_id uuid NOT NULL REFERENCES applications ON DELETE CASCADE,
    side           hire_side NOT NULL,
    read_at        timestamptz NOT NULL,
    PRIMARY KEY (application_id, side)
);
