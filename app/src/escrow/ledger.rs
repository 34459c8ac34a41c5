//! Posting to the ledger: a [`Posting`] moves amounts between [`Account`]s under a business key
//! (what it books: a contract event, a charge, a transfer), so booking the same thing twice
//! changes nothing. Postings join the caller's transaction: the contract event and the money it
//! moves commit together or not at all.
//!
//! The database refuses what this module would never write — an unbalanced transaction, an
//! overdrawn escrow, an edited entry — so a bug here fails loudly instead of losing money.

use super::model::{AccountKind, TransactionKind};
use super::repo;
use crate::error::{AppError, ServiceError, violates};
use crate::ids::{ContractId, LedgerTransactionId, OrganisationId, UserId};
use crate::money::{Currency, Money};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

/// An account, named by what it belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Account {
    OrganisationFunding(OrganisationId),
    ContractEscrow(ContractId),
    ContractFrozen(ContractId),
    FreelancerPayable(UserId, ContractId),
    FreelancerPaidOut(UserId, ContractId),
    /// One of [`FEE_SHARDS`] accounts the platform's fee income is spread over (see
    /// [`Account::platform_fees_for`]).
    PlatformFees(u8),
    Refunds(OrganisationId),
    StripeClearing,
}

/// How many accounts the platform's fee income is spread over. Nearly every release books a
/// fee, and postings to one account queue on its row: with one fee account, releases of
/// unrelated contracts waited for each other (1,200 postings/s at 8 workers, against 2,550
/// without the fee leg). A contract always books to the same one.
pub const FEE_SHARDS: u8 = 16;

/// Who an account belongs to, as the columns of `ledger_accounts` say it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Owners {
    pub organisation: Option<Uuid>,
    pub contract: Option<Uuid>,
    pub freelancer: Option<Uuid>,
    /// Which of the platform's fee accounts; 0 for every other account.
    pub shard: i16,
}

impl Account {
    /// The fee account `contract` books to.
    pub fn platform_fees_for(contract: ContractId) -> Self {
        Account::PlatformFees(contract.0.as_bytes()[15] % FEE_SHARDS)
    }

    /// Every fee account, whose sum is the platform's fee income.
    pub fn all_platform_fees() -> impl Iterator<Item = Self> {
        (0..FEE_SHARDS).map(Account::PlatformFees)
    }

    pub fn kind(self) -> AccountKind {
        match self {
            Account::OrganisationFunding(_) => AccountKind::OrganisationFunding,
            Account::ContractEscrow(_) => AccountKind::ContractEscrow,
            Account::ContractFrozen(_) => AccountKind::ContractFrozen,
            Account::FreelancerPayable(..) => AccountKind::FreelancerPayable,
            Account::FreelancerPaidOut(..) => AccountKind::FreelancerPaidOut,
            Account::PlatformFees(_) => AccountKind::PlatformFees,
            Account::Refunds(_) => AccountKind::Refunds,
            Account::StripeClearing => AccountKind::StripeClearing,
        }
    }

    pub(super) fn owners(self) -> Owners {
        match self {
            Account::OrganisationFunding(org) | Account::Refunds(org) => Owners {
                organisation: Some(org.0),
                ..Owners::default()
            },
            Account::ContractEscrow(contract) | Account::ContractFrozen(contract) => Owners {
                contract: Some(contract.0),
                ..Owners::default()
            },
            Account::FreelancerPayable(freelancer, contract)
            | Account::FreelancerPaidOut(freelancer, contract) => Owners {
                contract: Some(contract.0),
                freelancer: Some(freelancer.0),
                ..Owners::default()
            },
            Account::PlatformFees(shard) => Owners {
                shard: i16::from(shard),
                ..Owners::default()
            },
            Account::StripeClearing => Owners::default(),
        }
    }

    /// The account's id in `currency`: derived from its name, so every node names the same row
    /// without looking it up.
    pub fn id(self, currency: Currency) -> Uuid {
        let owners = self.owners();
        let mut name = Sha256::new();
        name.update(b"olivine ledger account\0");
        name.update(self.kind().db_name());
        for owner in [owners.organisation, owners.contract, owners.freelancer] {
            name.update([0]);
            name.update(owner.map(|id| *id.as_bytes()).unwrap_or_default());
        }
        name.update([0]);
        name.update(currency.code());
        // Shard 0 is named as the single fee account was before the shards.
        if owners.shard != 0 {
            name.update(owners.shard.to_be_bytes());
        }
        let digest = name.finalize();
        let mut bytes = [0; 16];
        bytes.copy_from_slice(&digest[..16]);
        uuid::Builder::from_custom_bytes(bytes).into_uuid()
    }
}

/// One ledger transaction to be booked: amounts moved between accounts in one currency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Posting {
    key: String,
    kind: TransactionKind,
    contract: Option<ContractId>,
    currency: Currency,
    memo: String,
    /// What enters each account (negative: what leaves it); sums to zero by construction.
    legs: Vec<(Account, i64)>,
}

impl Posting {
    /// A transaction of `kind` booking the business fact named `key` (unique across the
    /// ledger, such as `contract-event:{id}`).
    pub fn new(kind: TransactionKind, key: impl Into<String>, currency: Currency) -> Self {
        Self {
            key: key.into(),
            kind,
            contract: None,
            currency,
            memo: String::new(),
            legs: Vec::new(),
        }
    }

    pub fn for_contract(mut self, contract: ContractId) -> Self {
        self.contract = Some(contract);
        self
    }

    pub fn memo(mut self, memo: impl Into<String>) -> Self {
        self.memo = memo.into();
        self
    }

    /// Moves `amount` minor units from one account to another; nothing when it is zero (a
    /// split whose one side gets nothing).
    pub fn moving(mut self, amount: i64, from: Account, to: Account) -> Self {
        if amount != 0 {
            self.legs.push((from, -amount));
            self.legs.push((to, amount));
        }
        self
    }

    pub fn key(&self) -> &str {
        &self.key
    }

    pub fn kind(&self) -> TransactionKind {
        self.kind
    }

    pub fn contract(&self) -> Option<ContractId> {
        self.contract
    }

    pub fn currency(&self) -> Currency {
        self.currency
    }

    pub fn memo_text(&self) -> &str {
        &self.memo
    }

    /// What enters each account, as (account, minor units).
    pub fn legs(&self) -> &[(Account, i64)] {
        &self.legs
    }

    fn check(&self) -> Result<(), LedgerError> {
        if self.key.is_empty() || self.key.len() > 200 {
            return Err(LedgerError::Invalid("a business key has 1 to 200 bytes"));
        }
        // Legs come in pairs from `moving`: the second of each pair is what moved.
        if self.legs.chunks(2).any(|pair| pair[1].1 < 0) {
            return Err(LedgerError::Invalid("an amount moved must not be negative"));
        }
        Ok(())
    }

    /// SHA-256 of what the transaction books, independent of the order of its legs.
    pub(super) fn fingerprint(&self) -> Vec<u8> {
        let mut legs: Vec<(Uuid, i64)> = self
            .legs
            .iter()
            .map(|&(account, amount)| (account.id(self.currency), amount))
            .collect();
        legs.sort_unstable();
        let mut hash = Sha256::new();
        hash.update(self.kind.db_name());
        hash.update([0]);
        hash.update(self.contract.map(|c| *c.0.as_bytes()).unwrap_or_default());
        hash.update(self.currency.code());
        for (account, amount) in legs {
            hash.update(account.as_bytes());
            hash.update(amount.to_be_bytes());
        }
        hash.finalize().to_vec()
    }
}

/// What posting did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Posted {
    /// Booked now, as this transaction.
    New(LedgerTransactionId),
    /// Booked before under the same key, with the same entries: nothing changed.
    Replayed(LedgerTransactionId),
    /// Every amount was zero: nothing to book.
    Nothing,
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// An escrow, frozen, payable or clearing account would go below zero.
    #[error("an account would go below zero")]
    Overdrawn,
    #[error("ledger key {0:?} was booked before with other entries")]
    KeyReused(String),
    #[error("invalid posting: {0}")]
    Invalid(&'static str),
    #[error("database error")]
    Database(#[source] sqlx::Error),
}

impl From<sqlx::Error> for LedgerError {
    fn from(error: sqlx::Error) -> Self {
        if violates(&error, repo::NOT_OVERDRAWN) {
            LedgerError::Overdrawn
        } else {
            LedgerError::Database(error)
        }
    }
}

impl From<LedgerError> for ServiceError {
    fn from(error: LedgerError) -> Self {
        match error {
            LedgerError::Overdrawn => ServiceError::Refused(AppError::invalid(
                "There isn't enough money held for that. Reload the page to see what is left.",
            )),
            LedgerError::Database(error) => ServiceError::Database(error),
            other @ (LedgerError::KeyReused(_) | LedgerError::Invalid(_)) => {
                ServiceError::Internal("posting to the ledger", Box::new(other))
            }
        }
    }
}

/// Books `posting` on the caller's transaction. An overdrawn account fails the posting and
/// leaves the transaction aborted: the caller rolls back, so nothing of the change survives.
pub async fn post(conn: &mut PgConnection, posting: &Posting) -> Result<Posted, LedgerError> {
    posting.check()?;
    if posting.legs.is_empty() {
        return Ok(Posted::Nothing);
    }
    let id = LedgerTransactionId(Uuid::new_v4());
    let fingerprint = posting.fingerprint();
    if repo::insert_transaction(conn, id, posting, &fingerprint).await? {
        return Ok(Posted::New(id));
    }
    let (first, first_fingerprint) = repo::transaction_by_key(conn, &posting.key).await?;
    if first_fingerprint != fingerprint {
        return Err(LedgerError::KeyReused(posting.key.clone()));
    }
    Ok(Posted::Replayed(first))
}

/// An account's balance: what it holds now (for an organisation's funding account, minus what
/// the organisation paid in). Zero for an account nothing was ever booked to.
pub async fn balance(
    conn: &mut PgConnection,
    account: Account,
    currency: Currency,
) -> Result<Money, sqlx::Error> {
    balance_of(conn, [account], currency).await
}

/// What the platform earned in fees in `currency`, over all its fee accounts.
pub async fn platform_fee_income(
    conn: &mut PgConnection,
    currency: Currency,
) -> Result<Money, sqlx::Error> {
    balance_of(conn, Account::all_platform_fees(), currency).await
}

async fn balance_of(
    conn: &mut PgConnection,
    accounts: impl IntoIterator<Item = Account>,
    currency: Currency,
) -> Result<Money, sqlx::Error> {
    let ids: Vec<Uuid> = accounts.into_iter().map(|a| a.id(currency)).collect();
    Ok(Money::new(repo::balance(conn, &ids).await?, currency))
}

/// What the transaction booked under `key` moved into `account`, in minor units of
/// `currency`; zero when nothing was booked under it.
pub async fn moved_into(
    conn: &mut PgConnection,
    key: &str,
    account: Account,
    currency: Currency,
) -> Result<i64, sqlx::Error> {
    repo::moved_into(conn, key, account.id(currency)).await
}

/// What a check of the whole ledger found wrong; empty when it holds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Findings {
    /// Transactions whose entries don't sum to zero in some currency.
    pub unbalanced: Vec<LedgerTransactionId>,
    /// Accounts whose kept balance differs from the sum of their entries: (account, kept, sum).
    pub drifted: Vec<(Uuid, i64, i64)>,
    /// Accounts that may not go below zero and did.
    pub overdrawn: Vec<Uuid>,
}

impl Findings {
    pub fn is_empty(&self) -> bool {
        self.unbalanced.is_empty() && self.drifted.is_empty() && self.overdrawn.is_empty()
    }
}

/// Checks every transaction and every account against its entries.
pub async fn check(conn: &mut PgConnection) -> Result<Findings, sqlx::Error> {
    Ok(Findings {
        unbalanced: repo::unbalanced_transactions(conn).await?,
        drifted: repo::drifted_accounts(conn).await?,
        overdrawn: repo::overdrawn_accounts(conn).await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract() -> ContractId {
        ContractId(Uuid::from_u128(7))
    }

    #[test]
    fn an_account_is_named_by_kind_owners_and_currency() {
        let escrow = Account::ContractEscrow(contract());
        assert_eq!(escrow.id(Currency::Eur), escrow.id(Currency::Eur));
        assert_ne!(escrow.id(Currency::Eur), escrow.id(Currency::Gbp));
        assert_ne!(
            escrow.id(Currency::Eur),
            Account::ContractFrozen(contract()).id(Currency::Eur)
        );
        let fay = UserId(Uuid::from_u128(1));
        assert_ne!(
            Account::FreelancerPayable(fay, contract()).id(Currency::Eur),
            Account::FreelancerPaidOut(fay, contract()).id(Currency::Eur)
        );
    }

    #[test]
    fn moving_books_both_sides_and_skips_nothing_moved() {
        let org = OrganisationId(Uuid::from_u128(2));
        let posting = Posting::new(TransactionKind::Funding, "charge:ch_1", Currency::Eur)
            .moving(
                10_000,
                Account::OrganisationFunding(org),
                Account::ContractEscrow(contract()),
            )
            .moving(
                0,
                Account::OrganisationFunding(org),
                Account::PlatformFees(0),
            );
        assert_eq!(
            posting.legs(),
            &[
                (Account::OrganisationFunding(org), -10_000),
                (Account::ContractEscrow(contract()), 10_000)
            ]
        );
        assert_eq!(posting.legs().iter().map(|l| l.1).sum::<i64>(), 0);
    }

    #[test]
    fn the_fingerprint_ignores_leg_order_but_not_amounts() {
        let org = OrganisationId(Uuid::from_u128(2));
        let funding = Account::OrganisationFunding(org);
        let escrow = Account::ContractEscrow(contract());
        let a = Posting::new(TransactionKind::Funding, "k", Currency::Eur)
            .moving(100, funding, escrow)
            .moving(5, funding, Account::PlatformFees(0));
        let b = Posting::new(TransactionKind::Funding, "k", Currency::Eur)
            .moving(5, funding, Account::PlatformFees(0))
            .moving(100, funding, escrow);
        let c = Posting::new(TransactionKind::Funding, "k", Currency::Eur)
            .moving(101, funding, escrow)
            .moving(5, funding, Account::PlatformFees(0));
        assert_eq!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), c.fingerprint());
    }

    #[test]
    fn fees_spread_over_their_shards_and_shard_zero_keeps_the_old_name() {
        let shards: std::collections::HashSet<Uuid> = Account::all_platform_fees()
            .map(|a| a.id(Currency::Eur))
            .collect();
        assert_eq!(shards.len(), usize::from(FEE_SHARDS));
        let mut name = Sha256::new();
        name.update(b"olivine ledger account\0");
        name.update(b"platform_fees");
        for _ in 0..3 {
            name.update([0]);
            name.update([0u8; 16]);
        }
        name.update([0]);
        name.update(b"EUR");
        let mut before = [0; 16];
        before.copy_from_slice(&name.finalize()[..16]);
        assert_eq!(
            Account::PlatformFees(0).id(Currency::Eur),
            uuid::Builder::from_custom_bytes(before).into_uuid()
        );
        let used: std::collections::HashSet<Account> = (0..64u128)
            .map(|n| Account::platform_fees_for(ContractId(Uuid::from_u128(n))))
            .collect();
        assert_eq!(used.len(), usize::from(FEE_SHARDS));
        assert_eq!(
            Account::platform_fees_for(contract()),
            Account::platform_fees_for(contract())
        );
    }

    #[test]
    fn a_negative_amount_is_refused_before_the_database() {
        let posting = Posting::new(TransactionKind::Release, "k", Currency::Eur).moving(
            -5,
            Account::ContractEscrow(contract()),
            Account::PlatformFees(0),
        );
        assert!(matches!(posting.check(), Err(LedgerError::Invalid(_))));
    }
}
