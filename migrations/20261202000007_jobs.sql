-- One runner for every background job (server/src/jobs/).
--
-- `jobs`: one row per job name, what its last passes did, for /admin/jobs.
CREATE TABLE jobs (
    name            text PRIMARY KEY,
    last_started_at timestamptz,
    last_finished_at timestamptz,
    -- Items the last pass found due (at most one batch) and how it ended.
    last_due        integer NOT NULL DEFAULT 0,
    last_error      text,
    runs            bigint NOT NULL DEFAULT 0,
    items_done      bigint NOT NULL DEFAULT 0,
    items_failed    bigint NOT NULL DEFAULT 0,
    panics          bigint NOT NULL DEFAULT 0,
    last_panic      text,
    last_panic_at   timestamptz
);

-- `job_items`: an item a job is working on right now (a lease, so two nodes never take the
-- same item), one that failed and waits to be tried again, or one parked as dead after too many
-- failures until a support admin retries it. An item that succeeds leaves no row.
CREATE TABLE job_items (
    job          text NOT NULL,
    item         text NOT NULL,
    attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    leased_until timestamptz,
    -- Who holds the lease: only that runner records the item's outcome.
    lease_id     uuid,
    retry_at     timestamptz,
    last_error   text,
    failed_at    timestamptz,
    dead_at      timestamptz,
    PRIMARY KEY (job, item)
);

CREATE INDEX job_items_dead ON job_items (job, dead_at) WHERE dead_at IS NOT NULL;
