//! Paying freelancers through Stripe Connect. A freelancer connects payouts from their profile:
//! an Express account of theirs at Stripe, filled in on Stripe's onboarding form. Each release
//! (a shift's approved hours, a job's week, a hand-over, a cancellation's share, a dispute's
//! decision) becomes one payout, written with the release; the payout job transfers it to the
//! freelancer's account once that account can receive transfers:
//!
//! 1. under the payout's lock, book it as handed to Stripe (payable → Stripe clearing) and mark
//!    it sending, and commit;
//! 2. ask Stripe for the transfer under an idempotency key named after the release's ledger
//!    transaction and the attempt, from the contract's funding charge (`source_transaction`),
//!    grouped by contract (`transfer_group`);
//! 3. record the transfer and book it confirmed (Stripe clearing → paid out).
//!
//! A process killed between 1 and 3 leaves the payout sending; half a minute later the job
//! sends it again under the same key, and Stripe answers with the transfer it made: each
//! payout is one transfer. A refusal (the account can't receive any more) books the money back
//! to payable and waits.
//! Stripe's `account.updated` and `transfer.reversed` events are read again from Stripe before
//! acting, so a replayed or out-of-order delivery changes nothing.

mod repo;

use super::ledger::{self, Account, Posting};
use super::model::{
    Earnings, EarningsContract, EarningsTotals, PayoutSetup, PayoutStatus, TransactionKind,
    pay_within,
};
use crate::error::{AppError, ServiceError};
use crate::hire::components::posting_href;
use crate::hire::notices;
use crate::ids::{ContractId, EscrowPayoutId, LedgerTransactionId, UserId};
use crate::money::{Currency, Money};
use crate::state::AppState;
use payments::{ConnectedAccount, NewTransfer, PaymentsError};
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// How long a refused transfer waits before it is tried again (sooner when Stripe says the
/// account can receive again).
const RETRY_AFTER: chrono::Duration = chrono::Duration::hours(6);

fn setup_of(account: &ConnectedAccount) -> PayoutSetup {
    PayoutSetup {
        details_submitted: account.details_submitted,
        can_receive: account.can_receive,
        currently_due: account.currently_due.clone(),
    }
}

/// Where `user`'s payouts go. An account still being set up is read again from Stripe, so a
/// freelancer back from the onboarding form sees it at once, before Stripe's event arrives.
pub async fn setup(state: &AppState, user: UserId) -> Result<Option<PayoutSetup>> {
    let mut conn = state.db.acquire().await?;
    let Some((account, setup)) = repo::account(&mut conn, user).await? else {
        return Ok(None);
    };
    drop(conn);
    if setup.can_receive {
        return Ok(Some(setup));
    }
    match account_updated(state, &account).await {
        Ok(fresh) => Ok(Some(fresh.unwrap_or(setup))),
        // Stripe unreachable: what we knew last still answers the page.
        Err(ServiceError::Payments(e)) => {
            tracing::warn!(%account, error = %e, "could not read a connected account again");
            Ok(Some(setup))
        }
        Err(other) => Err(other),
    }
}

/// The link to Stripe's onboarding form for `user`, creating their connected account the first
/// time. Stripe sends them back to their profile.
pub async fn start_onboarding(state: &AppState, user: UserId) -> Result<String> {
    let mut conn = state.db.acquire().await?;
    let account = match repo::account(&mut conn, user).await? {
        Some((account, _)) => account,
        None => {
            let Some((email, country)) =
                repo::onboarding_details(&mut conn, &state.vault, user).await?
            else {
                return Err(AppError::invalid(
                    "Save your freelancer profile first: payouts go to the person it describes.",
                )
                .into());
            };
            drop(conn);
            // The key is the freelancer's: two clicks make one account.
            let created = state
                .payments
                .create_connected_account(&format!("payout-account-{user}"), &email, &country)
                .await?;
            let mut conn = state.db.acquire().await?;
            repo::insert_account(&mut conn, user, &created.id).await?
        }
    };
    let link = |path: &str| state.config.link(path);
    Ok(state
        .payments
        .onboarding_link(
            &account,
            &link("/hire/profile?payouts=expired#payouts"),
            &link("/hire/profile?payouts=back#payouts"),
        )
        .await?)
}

/// Reads connected account `account` from Stripe and records what it says (an
/// `account.updated` event, or a freelancer back from the form). `None`: not one of ours.
pub async fn account_updated(state: &AppState, account: &str) -> Result<Option<PayoutSetup>> {
    let fresh = state.payments.connected_account(account).await?;
    let setup = setup_of(&fresh);
    let mut conn = state.db.acquire().await?;
    let Some(user) = repo::update_account(&mut conn, account, &setup).await? else {
        return Ok(None);
    };
    if setup.can_receive {
        repo::retry_now(&mut conn, user).await?;
    }
    Ok(Some(setup))
}

/// Books a release's payout in the release's transaction: `pay` moved to `freelancer`'s
/// payable on `contract` by ledger transaction `release`.
pub async fn payout_released(
    conn: &mut PgConnection,
    release: LedgerTransactionId,
    contract: ContractId,
    freelancer: UserId,
    pay: Money,
) -> std::result::Result<(), sqlx::Error> {
    if pay.minor() <= 0 {
        return Ok(());
    }
    repo::insert_payout(conn, release, contract, freelancer, pay).await
}

/// Payouts for the payout job to send.
pub async fn due(state: &AppState, limit: i64, resting: &[String]) -> Result<Vec<EscrowPayoutId>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::due(&mut conn, state.clock.now(), limit, resting).await?)
}

/// Sends payout `id` to the freelancer's connected account, once (see the module's steps).
pub async fn pay_out(state: &AppState, id: EscrowPayoutId) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(payout) = repo::lock(&mut tx, id).await? else {
        return Ok(());
    };
    let Some((destination, can_receive)) = payout.destination.clone() else {
        return Ok(());
    };
    let currency = payout.amount.currency();
    let source = match payout.status {
        PayoutStatus::Paid => return Ok(()),
        PayoutStatus::Pending if !can_receive => return Ok(()),
        PayoutStatus::Pending => {
            let source = repo::source_charge(&mut tx, payout.contract, payout.amount).await?;
            let handed = Posting::new(
                TransactionKind::Payout,
                format!("escrow-payout:{id}:{}", payout.attempt),
                currency,
            )
            .for_contract(payout.contract)
            .moving(
                payout.amount.minor(),
                Account::FreelancerPayable(payout.freelancer, payout.contract),
                Account::StripeClearing,
            );
            ledger::post(&mut tx, &handed).await?;
            repo::set_sending(&mut tx, id, source.as_deref()).await?;
            source
        }
        // Left sending by a run that stopped: the same key again.
        PayoutStatus::Sending => payout.source_charge.clone(),
    };
    tx.commit().await?;

    let key = format!("escrow-payout-{}-{}", payout.release, payout.attempt);
    let group = format!("contract-{}", payout.contract);
    let payout_id = id.to_string();
    let answer = state
        .payments
        .transfer(&NewTransfer {
            idempotency_key: &key,
            amount_minor: payout.amount.minor(),
            currency: currency.code(),
            destination: &destination,
            transfer_group: Some(&group),
            source_charge: source.as_deref(),
            metadata: &[("payout", &payout_id)],
        })
        .await;

    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(locked) = repo::lock(&mut tx, id).await? else {
        return Ok(());
    };
    if locked.status != PayoutStatus::Sending || locked.attempt != payout.attempt {
        return Ok(());
    }
    match answer {
        Ok(transfer) => {
            repo::set_paid(&mut tx, id, &transfer.id, now).await?;
            let confirmed = Posting::new(
                TransactionKind::PayoutConfirmed,
                format!("escrow-payout-paid:{id}"),
                currency,
            )
            .for_contract(payout.contract)
            .memo(transfer.id.clone())
            .moving(
                payout.amount.minor(),
                Account::StripeClearing,
                Account::FreelancerPaidOut(payout.freelancer, payout.contract),
            );
            ledger::post(&mut tx, &confirmed).await?;
            notices::payout_sent(&mut tx, payout.contract, payout.amount).await?;
        }
        Err(PaymentsError::Refused { message, .. }) => {
            tracing::warn!(payout = %id, %message, "Stripe refused a payout; it waits");
            let back = Posting::new(
                TransactionKind::PayoutReversed,
                format!("escrow-payout-refused:{id}:{}", payout.attempt),
                currency,
            )
            .for_contract(payout.contract)
            .memo(message.clone())
            .moving(
                payout.amount.minor(),
                Account::StripeClearing,
                Account::FreelancerPayable(payout.freelancer, payout.contract),
            );
            ledger::post(&mut tx, &back).await?;
            repo::set_refused(&mut tx, id, &message, now + RETRY_AFTER).await?;
            tx.commit().await?;
            // Most refusals mean the account can't receive any more: read it again, so the
            // payout waits for the freelancer instead of the clock.
            // The refusal is booked either way; failing to read the account only delays it.
            if let Err(e) = account_updated(state, &destination).await {
                tracing::warn!(payout = %id, error = %e, "could not read the refusing account again");
            }
            return Ok(());
        }
        // Stripe unreachable: still sending; the job sends it again under the same key.
        Err(other) => return Err(other.into()),
    }
    tx.commit().await?;
    Ok(())
}

/// Reads transfer `transfer` from Stripe and books what was reversed of it since last time
/// (paid out → payable again). Errors while the transfer's payout hasn't recorded it yet, so
/// the event is tried again after the payout job has.
pub async fn transfer_changed(state: &AppState, transfer: &str) -> Result<()> {
    let fresh = state.payments.retrieve_transfer(transfer).await?;
    let mut tx = state.db.begin().await?;
    let Some((id, contract, freelancer, amount, reversed)) =
        repo::lock_by_transfer(&mut tx, transfer).await?
    else {
        return Err(ServiceError::Internal(
            "booking a transfer's reversal",
            format!("transfer {transfer} is not recorded by any payout yet").into(),
        ));
    };
    let now_reversed = fresh.amount_reversed.clamp(0, amount.minor());
    if now_reversed <= reversed {
        return Ok(());
    }
    let reversal = Posting::new(
        TransactionKind::PayoutReversed,
        format!("transfer-reversed:{transfer}:{now_reversed}"),
        amount.currency(),
    )
    .for_contract(contract)
    .memo(transfer)
    .moving(
        now_reversed - reversed,
        Account::FreelancerPaidOut(freelancer, contract),
        Account::FreelancerPayable(freelancer, contract),
    );
    ledger::post(&mut tx, &reversal).await?;
    repo::set_reversed(&mut tx, id, now_reversed).await?;
    tx.commit().await?;
    tracing::warn!(payout = %id, transfer, reversed = now_reversed, "a payout was reversed in Stripe");
    Ok(())
}

/// `/hire/work/earnings` for `user`.
pub async fn earnings(state: &AppState, user: UserId) -> Result<Earnings> {
    let setup = setup(state, user).await?;
    let mut conn = state.db.acquire().await?;
    let bp = state.config.hire_fee_basis_points;
    let contracts = repo::contracts_with_money(&mut conn, user).await?;
    let mut payouts = repo::payouts_of(&mut conn, user).await?;
    let mut totals: Vec<EarningsTotals> = Vec::new();
    let mut shown = Vec::with_capacity(contracts.len());
    for c in contracts {
        let currency = Currency::parse(&c.currency)
            .map_err(|e| ServiceError::Internal("reading earnings", Box::new(e)))?;
        let held = Money::new(pay_within(c.held, bp), currency);
        let mine: Vec<_> = payouts
            .extract_if(.., |(contract, _)| *contract == c.contract)
            .map(|(_, line)| line)
            .collect();
        let on_the_way = mine
            .iter()
            .filter(|p| p.status == PayoutStatus::Sending)
            .map(|p| p.amount.minor())
            .sum::<i64>();
        let total = match totals.iter_mut().find(|t| t.paid.currency() == currency) {
            Some(total) => total,
            None => {
                let zero = Money::new(0, currency);
                totals.push(EarningsTotals {
                    held: zero,
                    payable: zero,
                    on_the_way: zero,
                    paid: zero,
                });
                totals.last_mut().ok_or(ServiceError::Internal(
                    "reading earnings",
                    "no totals".into(),
                ))?
            }
        };
        let add = |sum: &mut Money, minor: i64| *sum = Money::new(sum.minor() + minor, currency);
        add(&mut total.held, held.minor());
        add(&mut total.payable, c.payable);
        add(&mut total.on_the_way, on_the_way);
        add(&mut total.paid, c.paid);
        shown.push(EarningsContract {
            title: c.title,
            organisation: c.organisation,
            href: posting_href(c.kind, crate::ids::PostingId(c.posting)),
            held,
            payouts: mine,
        });
    }
    Ok(Earnings {
        setup,
        totals,
        contracts: shown,
    })
}
