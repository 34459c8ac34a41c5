-- Requests applied once. The freelancer app's offline outbox sends each queued action (hours,
-- a message) with a key it made when the person wrote it, and sends it again until it hears an
-- answer. The key is claimed in the transaction that applies the action, so a retry after a
-- lost answer finds it and is answered as the first was; a refused action claims nothing.
CREATE TABLE applied_requests (
    user_id uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    key uuid NOT NULL,
    -- SHA-256 of what was asked (endpoint and arguments): the same key with other content is
    -- refused, not answered as the first.
    request bytea NOT NULL CHECK (length(request) = 32),
    -- What the first application created, when it created something (a message's id).
    result uuid,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- Housekeeping forgets keys after 30 days; an outbox holds nothing that long.
CREATE INDEX applied_requests_applied_at ON applied_requests (applied_at);
