-- Disputes: hours or handed-over work an organisation disputes hold their pay in the contract's
-- frozen account until the two sides settle (the freelancer submits again) or, after a few
-- days, either side asks Olivine to decide and a finance admin releases, refunds or splits it.
--
-- Each step is a contract event, so the escrow's settlement job books it in order with the
-- rest: `disputed` (escrow → frozen, the claim and its fee, as far as the escrow holds them),
-- `dispute_settled` (frozen → escrow; the resubmitted hours are answered as usual) and
-- `dispute_resolved` (frozen → escrow, then the amount Olivine decided is released like
-- approved hours; what is left goes back to the organisation when the contract closes).

ALTER TYPE contract_event_kind ADD VALUE 'disputed';
ALTER TYPE contract_event_kind ADD VALUE 'dispute_settled';
ALTER TYPE contract_event_kind ADD VALUE 'dispute_resolved';
-- Hours or work whose dispute Olivine decided: settled, paid as the resolution says.
ALTER TYPE timesheet_status ADD VALUE 'resolved';
ALTER TYPE notification_kind ADD VALUE 'dispute_escalated';
ALTER TYPE notification_kind ADD VALUE 'dispute_resolved';

CREATE TYPE dispute_status AS ENUM (
    -- Disputed by the organisation; the freelancer may submit again.
    'open',
    -- The freelancer submitted again: the hold went back to escrow.
    'settled',
    -- Either side asked Olivine to decide; waits for a finance admin.
    'escalated',
    -- Decided by a finance admin.
    'resolved'
);

CREATE TABLE disputes (
    dispute_id      uuid PRIMARY KEY,
    contract_id     uuid NOT NULL REFERENCES contracts ON DELETE RESTRICT,
    -- An hourly job's week (its Monday); NULL for a shift's hours or a fixed-price job's work.
    week            date,
    status          dispute_status NOT NULL DEFAULT 'open',
    -- The pay the freelancer claimed, as disputed.
    claimed_minor   bigint NOT NULL CHECK (claimed_minor > 0),
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    reason          text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    opened_by       uuid REFERENCES users ON DELETE SET NULL,
    opened_at       timestamptz NOT NULL,
    -- The `disputed` event whose booking froze the amount.
    opened_event    uuid NOT NULL UNIQUE REFERENCES contract_events ON DELETE RESTRICT,
    escalated_by    uuid REFERENCES users ON DELETE SET NULL,
    escalated_at    timestamptz,
    escalation_note text CHECK (length(escalation_note) BETWEEN 1 AND 2000),
    resolved_by     uuid REFERENCES users ON DELETE SET NULL,
    resolved_at     timestamptz,
    -- What Olivine released to the freelancer; the rest of the claim is not paid.
    released_minor  bigint CHECK (released_minor >= 0 AND released_minor <= claimed_minor),
    resolution_note text CHECK (length(resolution_note) BETWEEN 1 AND 500),
    -- The `dispute_settled` or `dispute_resolved` event that ended it.
    closed_event    uuid UNIQUE REFERENCES contract_events ON DELETE RESTRICT,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status IN ('escalated', 'resolved')) = (escalated_at IS NOT NULL)
           OR (status = 'settled')),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND released_minor IS NOT NULL
                                    AND resolution_note IS NOT NULL)),
    CHECK ((status IN ('settled', 'resolved')) = (closed_event IS NOT NULL))
);
SELECT manage_updated_at('disputes');
-- At most one dispute waits per shift, job week or hand-over.
CREATE UNIQUE INDEX disputes_waiting ON disputes (contract_id, week) NULLS NOT DISTINCT
    WHERE status IN ('open', 'escalated');
CREATE INDEX disputes_contract ON disputes (contract_id, opened_at);
CREATE INDEX disputes_for_admin ON disputes (status, escalated_at);
