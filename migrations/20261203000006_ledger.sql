-- Hire's money: one double-entry ledger whose balance the database itself enforces.
--
-- Every movement of money is a `ledger_transactions` row with two or more `ledger_entries`
-- that sum to zero per currency. An entry's amount is what enters its account (negative: what
-- leaves it), so an account's balance is the sum of its entries and money always comes from
-- somewhere. Only an organisation's funding account goes below zero (it is where the money an
-- organisation paid in comes from); every other account holds what it received and can never
-- hand out more.
--
-- The application posts through `escrow::ledger`; these rules hold for anyone who writes SQL.

CREATE TYPE ledger_account_kind AS ENUM (
    -- Per organisation: what it paid in, as a negative balance.
    'organisation_funding',
    -- Per contract: held for work not yet approved.
    'contract_escrow',
    -- Per contract: held while a week or a hand-over is disputed.
    'contract_frozen',
    -- Per freelancer and contract: released to the freelancer, not yet transferred.
    'freelancer_payable',
    -- Per freelancer and contract: transferred to their connected account.
    'freelancer_paid_out',
    -- The platform's fee income.
    'platform_fees',
    -- Per organisation: returned to its card.
    'refunds',
    -- Handed to Stripe (a transfer, a refund) and not yet confirmed by it.
    'stripe_clearing'
);

CREATE TABLE ledger_accounts (
    -- A UUIDv5 of the kind, owners and currency, so the application names an account without
    -- looking it up; the unique constraint below makes that name one row.
    account_id      uuid PRIMARY KEY,
    kind            ledger_account_kind NOT NULL,
    organisation_id uuid REFERENCES organisations ON DELETE RESTRICT,
    contract_id     uuid REFERENCES contracts ON DELETE RESTRICT,
    freelancer_id   uuid REFERENCES users ON DELETE RESTRICT,
    currency        char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    -- The sum of the account's entries, kept by the trigger below in the transaction that
    -- posts them. Only the trigger changes it.
    balance_minor   bigint NOT NULL DEFAULT 0,
    opened_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT ledger_accounts_owner CHECK (CASE kind
        WHEN 'organisation_funding' THEN organisation_id IS NOT NULL AND contract_id IS NULL AND freelancer_id IS NULL
        WHEN 'refunds' THEN organisation_id IS NOT NULL AND contract_id IS NULL AND freelancer_id IS NULL
        WHEN 'contract_escrow' THEN contract_id IS NOT NULL AND organisation_id IS NULL AND freelancer_id IS NULL
        WHEN 'contract_frozen' THEN contract_id IS NOT NULL AND organisation_id IS NULL AND freelancer_id IS NULL
        WHEN 'freelancer_payable' THEN freelancer_id IS NOT NULL AND contract_id IS NOT NULL AND organisation_id IS NULL
        WHEN 'freelancer_paid_out' THEN freelancer_id IS NOT NULL AND contract_id IS NOT NULL AND organisation_id IS NULL
        ELSE organisation_id IS NULL AND contract_id IS NULL AND freelancer_id IS NULL
    END),
    -- The guard that keeps escrow, payables and Stripe clearing from going below zero, checked
    -- on the row the posting updates, as stock is.
    CONSTRAINT ledger_accounts_not_overdrawn CHECK (kind = 'organisation_funding' OR balance_minor >= 0),
    UNIQUE NULLS NOT DISTINCT (kind, organisation_id, contract_id, freelancer_id, currency),
    -- Entries name their account with its currency, so an entry can't be in another one.
    UNIQUE (account_id, currency)
);
CREATE INDEX ledger_accounts_contract ON ledger_accounts (contract_id) WHERE contract_id IS NOT NULL;
CREATE INDEX ledger_accounts_freelancer ON ledger_accounts (freelancer_id) WHERE freelancer_id IS NOT NULL;
CREATE INDEX ledger_accounts_organisation ON ledger_accounts (organisation_id) WHERE organisation_id IS NOT NULL;

CREATE TYPE ledger_transaction_kind AS ENUM (
    -- A charge on the organisation's card lands in the contract's escrow (and the fee).
    'funding',
    -- Approved hours or work move from escrow to the freelancer's payable.
    'release',
    -- A late cancellation or a no-show: the freelancer's share released, the rest to refund.
    'cancellation',
    -- A dispute holds its amount (escrow to frozen), and its resolution moves it on.
    'freeze',
    'dispute_resolution',
    -- Money handed to Stripe: a refund to the organisation's card, a transfer to the
    -- freelancer; and Stripe's confirmation of each.
    'refund',
    'refund_confirmed',
    'payout',
    'payout_confirmed',
    -- A transfer Stripe reversed: the money is payable again.
    'payout_reversed'
);

CREATE TABLE ledger_transactions (
    transaction_id uuid PRIMARY KEY,
    -- What the transaction books (a contract event, a charge, a transfer): posting the same
    -- thing twice finds this key and changes nothing.
    business_key   text NOT NULL UNIQUE CHECK (length(business_key) BETWEEN 1 AND 200),
    kind           ledger_transaction_kind NOT NULL,
    contract_id    uuid REFERENCES contracts ON DELETE RESTRICT,
    -- SHA-256 of the entries, so the same key posted with other entries is refused.
    fingerprint    bytea NOT NULL CHECK (length(fingerprint) = 32),
    -- How many entries it books: an entry added to it later breaks the count and is refused.
    entry_count    integer NOT NULL CHECK (entry_count >= 2),
    memo           text NOT NULL DEFAULT '' CHECK (length(memo) <= 500),
    posted_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_transactions_contract ON ledger_transactions (contract_id, posted_at)
    WHERE contract_id IS NOT NULL;

CREATE TABLE ledger_entries (
    entry_id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id uuid NOT NULL REFERENCES ledger_transactions ON DELETE RESTRICT,
    account_id     uuid NOT NULL,
    currency       char(3) NOT NULL,
    amount_minor   bigint NOT NULL CHECK (amount_minor <> 0),
    FOREIGN KEY (account_id, currency) REFERENCES ledger_accounts (account_id, currency)
        ON DELETE RESTRICT
);
CREATE INDEX ledger_entries_transaction ON ledger_entries (transaction_id);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, entry_id);

-- Running balances: one UPDATE per account per statement, in account order so two postings
-- that share accounts queue instead of deadlocking. An account whose balance would leave its
-- allowed range fails `ledger_accounts_not_overdrawn` and the whole posting with it.
CREATE FUNCTION ledger_entries_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM ledger_accounts
     WHERE account_id IN (SELECT account_id FROM added)
     ORDER BY account_id
       FOR NO KEY UPDATE;
    UPDATE ledger_accounts a
       SET balance_minor = a.balance_minor + moved.amount
      FROM (SELECT account_id, sum(amount_minor) AS amount FROM added GROUP BY account_id) moved
     WHERE a.account_id = moved.account_id;
    RETURN NULL;
END $$;
CREATE TRIGGER ledger_entries_apply AFTER INSERT ON ledger_entries
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_apply();

-- Balanced at commit: every transaction has the entries it declares and they sum to zero per
-- currency. Deferred, so a posting may insert its entries in any order; checked again for an
-- entry added later to a transaction posted before, which the count refuses.
CREATE FUNCTION ledger_transaction_balanced(transaction uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    declared integer;
    entries  integer;
    off_by   bigint;
BEGIN
    SELECT entry_count INTO declared FROM ledger_transactions WHERE transaction_id = transaction;
    SELECT count(*) INTO entries FROM ledger_entries WHERE transaction_id = transaction;
    IF entries <> declared THEN
        RAISE EXCEPTION 'ledger transaction % declares % entries and has %', transaction, declared, entries
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transactions_balanced';
    END IF;
    SELECT sum(amount_minor) INTO off_by FROM ledger_entries
     WHERE transaction_id = transaction
     GROUP BY currency HAVING sum(amount_minor) <> 0
     LIMIT 1;
    IF off_by IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transaction % does not balance: off by % minor units', transaction, off_by
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transactions_balanced';
    END IF;
END $$;

CREATE FUNCTION ledger_transactions_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ledger_transaction_balanced(NEW.transaction_id);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_transactions_balanced AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_transactions_check_balanced();

-- An entry added to a transaction posted in an earlier database transaction: its own
-- transaction's check ran long ago, so this one checks again. Entries posted together with
-- their transaction are covered by the check above (one written inside a savepoint carries
-- the savepoint's xid and is simply checked twice).
CREATE FUNCTION ledger_entries_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_transactions t
                    WHERE t.transaction_id = NEW.transaction_id
                      AND t.xmin = xid(pg_current_xact_id())) THEN
        PERFORM ledger_transaction_balanced(NEW.transaction_id);
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_check_balanced();

-- Append-only: corrections are new transactions.
CREATE FUNCTION ledger_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%: %', TG_TABLE_NAME, TG_ARGV[0] USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse('append-only; book a correcting transaction instead');
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse('append-only; book a correcting transaction instead');
CREATE TRIGGER ledger_transactions_append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse('append-only; book a correcting transaction instead');
CREATE TRIGGER ledger_transactions_no_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse('append-only; book a correcting transaction instead');
-- Accounts are never removed, and only the balance trigger changes one.
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse('accounts are never removed');
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse('accounts are never removed');
CREATE TRIGGER ledger_accounts_update_by_postings BEFORE UPDATE ON ledger_accounts
    FOR EACH ROW WHEN (pg_trigger_depth() = 0)
    EXECUTE FUNCTION ledger_refuse('a balance changes only by posting entries');
