-- The platform's fee income over several accounts: nearly every release books a fee, and
-- postings to one account queue on its row, so releases of unrelated contracts waited for each
-- other there. Each contract books its fees to one of 16 shards; the platform's income is
-- their sum. Shard 0 is the account that held every fee before.

ALTER TABLE ledger_accounts ADD COLUMN shard smallint NOT NULL DEFAULT 0;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_sharded
    CHECK (shard = 0 OR (kind = 'platform_fees' AND shard BETWEEN 1 AND 15));

-- An account's name now includes its shard.
ALTER TABLE ledger_accounts
    DROP CONSTRAINT ledger_accounts_kind_organisation_id_contract_id_freelancer_key;
ALTER TABLE ledger_accounts ADD CONSTRAINT ledger_accounts_name
    UNIQUE NULLS NOT DISTINCT (kind, organisation_id, contract_id, freelancer_id, currency, shard);
