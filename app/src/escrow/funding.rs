//! Funding and settling contracts: what Hire records as owed becomes money held, released and
//! given back.
//!
//! - **Funding.** When a freelancer accepts a shift or a fixed-price job, the booking is charged
//!   to the organisation's saved card (wage × scheduled hours, or the price, plus the platform
//!   fee) into the contract's escrow. An hourly job is charged week by week as its hours are
//!   approved. A declined charge, or a bank that wants the manager present, leaves the booking
//!   waiting for payment and tells the managers; one still unpaid at its deadline before the
//!   start is released and the freelancer told.
//! - **Settling.** Every contract event is booked once, in order, by [`settle_event`]: approved
//!   hours or work move their pay from escrow to the freelancer's payable and the fee on it to
//!   the platform (charging what the escrow doesn't hold first); a late cancellation by the
//!   organisation releases the policy's share the same way; whatever a closed contract's escrow
//!   still holds goes back to the organisation's card.
//!
//! Stripe is called with no transaction open: a charge is first marked `charging` under an
//! idempotency key of its own (the charge and its attempt), so a crash after Stripe took the
//! money charges again under the same key and Stripe answers with the same payment.

use super::ledger::{self, Account, Posted, Posting};
use super::model::{ChargeStatus, RefundStatus, TransactionKind, fee_for};
use super::payouts;
use super::repo::{self, Charge, NewCharge};
use crate::error::{AppError, ServiceError};
use crate::hire::contracts::model::{ContractEventKind, ContractStatus, pay_for};
use crate::hire::contracts::repo::{LockedContract, NewEvent};
use crate::hire::contracts::service::record_contract_event;
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::hire::time::paid_minutes;
use crate::hire::{contracts, notices, postings};
use crate::ids::{ContractEventId, ContractId, EscrowChargeId, EscrowRefundId, OrganisationId};
use crate::money::Money;
use crate::state::AppState;
use chrono::{DateTime, Utc};
use payments::{IntentStatus, NewIntent, PaymentsError};
use sqlx::PgConnection;

type Result<T> = std::result::Result<T, ServiceError>;

/// What a booking costs the organisation before the fee: a shift's wage for its scheduled
/// hours, a fixed-price job's price; `None` for an hourly job (charged week by week).
pub fn booking_pay(contract: &LockedContract) -> Option<Money> {
    match (contract.kind, contract.pay_basis) {
        (PostingKind::Shift, _) => Some(pay_for(
            paid_minutes(
                contract.starts_at.naive_utc(),
                contract.ends_at.naive_utc(),
                contract.break_minutes,
            ),
            contract.wage,
        )),
        (PostingKind::Job, PayBasis::Fixed) => Some(contract.wage),
        (PostingKind::Job, PayBasis::Hourly) => None,
    }
}

/// When an unpaid booking is released: `lead` before its start, or at the start when it was
/// accepted later than that.
pub fn funding_deadline(
    starts_at: DateTime<Utc>,
    lead: std::time::Duration,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let lead = chrono::Duration::from_std(lead).unwrap_or_else(|_| chrono::Duration::hours(12));
    let deadline = starts_at - lead;
    if deadline > now { deadline } else { starts_at }
}

/// Books the contract event `event` if it is its contract's next one and no payment it
/// depends on is on its way. Returns whether it was booked (false: not due, or booked before).
pub async fn settle_event(state: &AppState, event: ContractEventId) -> Result<bool> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(id) = repo::queued_contract(&mut tx, event).await? else {
        return Ok(false);
    };
    let Some(contract) = contracts::repo::lock_contract(&mut tx, id).await? else {
        return Ok(false);
    };
    // Under the contract's lock, one event at a time and in order.
    let Some((first, queued)) = repo::first_queued(&mut tx, id).await? else {
        return Ok(false);
    };
    let waiting = [ChargeStatus::Pending, ChargeStatus::Charging];
    if first != event || repo::has_charges(&mut tx, id, &waiting, true).await? {
        return Ok(false);
    }
    let bp = state.config.hire_fee_basis_points;
    // A dispute ended: what it held goes back to escrow before anything moves on.
    if matches!(
        queued.kind,
        ContractEventKind::DisputeSettled | ContractEventKind::DisputeResolved
    ) {
        unfreeze(&mut tx, id, event, queued.amount.currency()).await?;
    }
    match queued.kind {
        ContractEventKind::Hired => {
            if contract.status == ContractStatus::Active
                && let Some(pay) = booking_pay(&contract)
            {
                let total = pay.minor() + fee_for(pay.minor(), bp);
                let new = NewCharge {
                    id: EscrowChargeId(uuid::Uuid::now_v7()),
                    contract: id,
                    organisation: contract.organisation,
                    amount: Money::new(total, pay.currency()),
                    release: None,
                    deadline: Some(funding_deadline(
                        contract.starts_at,
                        state.config.funding_deadline,
                        now,
                    )),
                };
                repo::insert_charge(&mut tx, &new).await?;
            }
        }
        ContractEventKind::HoursApproved
        | ContractEventKind::WorkApproved
        | ContractEventKind::CancelledByClient
        | ContractEventKind::DisputeResolved
            if queued.amount.minor() > 0 =>
        {
            release(
                &mut tx,
                &contract,
                id,
                (event, queued.kind),
                queued.amount,
                bp,
            )
            .await?;
        }
        ContractEventKind::CancelledByClient
        | ContractEventKind::CancelledByFreelancer
        | ContractEventKind::NoShow
        | ContractEventKind::FundingLapsed
        | ContractEventKind::EndedByClient => repo::cancel_unpaid_booking(&mut tx, id).await?,
        ContractEventKind::Disputed => freeze(&mut tx, id, event, queued.amount, bp).await?,
        // Nothing to release: the hold went back to escrow above.
        ContractEventKind::HoursApproved
        | ContractEventKind::WorkApproved
        | ContractEventKind::DisputeSettled
        | ContractEventKind::DisputeResolved => {}
    }
    repo::dequeue(&mut tx, event).await?;
    refund_if_closed(&mut tx, &contract, id).await?;
    tx.commit().await?;
    Ok(true)
}

/// The ledger transaction that moves `pay` to the freelancer and `fee` to the platform out of
/// the contract's escrow, booking the event that made it owed.
fn release_posting(
    contract: &LockedContract,
    id: ContractId,
    event: ContractEventId,
    kind: ContractEventKind,
    pay: i64,
    fee: i64,
) -> Posting {
    let kind = match kind {
        ContractEventKind::CancelledByClient => TransactionKind::Cancellation,
        ContractEventKind::DisputeResolved => TransactionKind::DisputeResolution,
        ContractEventKind::Disputed | ContractEventKind::DisputeSettled => TransactionKind::Freeze,
        ContractEventKind::Hired
        | ContractEventKind::CancelledByFreelancer
        | ContractEventKind::NoShow
        | ContractEventKind::HoursApproved
        | ContractEventKind::WorkApproved
        | ContractEventKind::FundingLapsed
        | ContractEventKind::EndedByClient => TransactionKind::Release,
    };
    let escrow = Account::ContractEscrow(id);
    Posting::new(
        kind,
        format!("contract-event:{event}"),
        contract.wage.currency(),
    )
    .for_contract(id)
    .moving(
        pay,
        escrow,
        Account::FreelancerPayable(contract.freelancer, id),
    )
    .moving(fee, escrow, Account::platform_fees_for(id))
}

/// Books a release and, with it, the payout that will transfer its pay to the freelancer.
async fn post_release(
    conn: &mut PgConnection,
    contract: &LockedContract,
    id: ContractId,
    (event, kind): (ContractEventId, ContractEventKind),
    pay: i64,
    fee: i64,
) -> Result<()> {
    let posting = release_posting(contract, id, event, kind, pay, fee);
    if let Posted::New(release) = ledger::post(conn, &posting).await? {
        let pay = Money::new(pay, posting.currency());
        payouts::payout_released(conn, release, id, contract.freelancer, pay).await?;
    }
    Ok(())
}

/// A dispute holds the disputed `pay` and the fee on it, as far as the escrow holds them
/// (an hourly job's week isn't charged before approval, so its escrow may hold nothing): they
/// can't be released or refunded until the dispute ends.
async fn freeze(
    conn: &mut PgConnection,
    id: ContractId,
    event: ContractEventId,
    pay: Money,
    bp: u32,
) -> Result<()> {
    let currency = pay.currency();
    let held = ledger::balance(conn, Account::ContractEscrow(id), currency)
        .await?
        .minor();
    let hold = (pay.minor() + fee_for(pay.minor(), bp)).min(held);
    if hold > 0 {
        let posting = Posting::new(
            TransactionKind::Freeze,
            format!("contract-event:{event}"),
            currency,
        )
        .for_contract(id)
        .moving(
            hold,
            Account::ContractEscrow(id),
            Account::ContractFrozen(id),
        );
        ledger::post(conn, &posting).await?;
    }
    Ok(())
}

/// A dispute ended (`closing`: settled between the sides, or decided): what its opening froze
/// goes back to escrow, from where approval or the decision releases it and the close refunds
/// the rest.
async fn unfreeze(
    conn: &mut PgConnection,
    id: ContractId,
    closing: ContractEventId,
    currency: crate::money::Currency,
) -> Result<()> {
    let Some(opened) = crate::hire::disputes::repo::opened_by_closing(conn, closing).await? else {
        return Err(ServiceError::Internal(
            "letting go of a dispute's hold",
            format!("contract event {closing} ends no dispute").into(),
        ));
    };
    let frozen = Account::ContractFrozen(id);
    let held =
        ledger::moved_into(conn, &format!("contract-event:{opened}"), frozen, currency).await?;
    if held > 0 {
        let posting = Posting::new(
            TransactionKind::DisputeResolution,
            format!("contract-event:{closing}:hold"),
            currency,
        )
        .for_contract(id)
        .moving(held, frozen, Account::ContractEscrow(id));
        ledger::post(conn, &posting).await?;
    }
    Ok(())
}

/// Releases `pay` (and the fee on it) for `event` from escrow, or — when the escrow doesn't
/// hold it all — charges the difference first; the charge releases it once paid. An unpaid
/// booking is then replaced by that charge.
async fn release(
    conn: &mut PgConnection,
    contract: &LockedContract,
    id: ContractId,
    (event, kind): (ContractEventId, ContractEventKind),
    pay: Money,
    bp: u32,
) -> Result<()> {
    let fee = fee_for(pay.minor(), bp);
    let need = pay.minor() + fee;
    let currency = pay.currency();
    let held = ledger::balance(conn, Account::ContractEscrow(id), currency)
        .await?
        .minor();
    if held >= need {
        post_release(conn, contract, id, (event, kind), pay.minor(), fee).await?;
        return Ok(());
    }
    repo::cancel_unpaid_booking(conn, id).await?;
    let new = NewCharge {
        id: EscrowChargeId(uuid::Uuid::now_v7()),
        contract: id,
        organisation: contract.organisation,
        amount: Money::new(need - held, currency),
        release: Some((event, pay.minor(), fee)),
        deadline: None,
    };
    repo::insert_charge(conn, &new).await?;
    Ok(())
}

/// When the contract is over and nothing about it waits (no event to book, no payment on its
/// way or waiting for the manager), what its escrow still holds goes back to the
/// organisation's card: one refund per charge it came from, oldest first. Booked as handed to
/// Stripe; the refund job confirms each.
async fn refund_if_closed(
    conn: &mut PgConnection,
    contract: &LockedContract,
    id: ContractId,
) -> Result<()> {
    if contract.status == ContractStatus::Active
        || repo::has_queued(conn, id).await?
        || repo::has_charges(
            conn,
            id,
            &[
                ChargeStatus::Pending,
                ChargeStatus::Charging,
                ChargeStatus::ActionNeeded,
            ],
            false,
        )
        .await?
    {
        return Ok(());
    }
    let currency = contract.wage.currency();
    let mut left = ledger::balance(conn, Account::ContractEscrow(id), currency)
        .await?
        .minor();
    for (charge, refundable) in repo::refundable_charges(conn, id).await? {
        if left == 0 {
            break;
        }
        let amount = left.min(refundable);
        if amount <= 0 {
            continue;
        }
        let refund = EscrowRefundId(uuid::Uuid::now_v7());
        repo::insert_refund(conn, refund, charge, id, Money::new(amount, currency)).await?;
        let posting = Posting::new(
            TransactionKind::Refund,
            format!("escrow-refund:{refund}"),
            currency,
        )
        .for_contract(id)
        .moving(amount, Account::ContractEscrow(id), Account::StripeClearing);
        ledger::post(conn, &posting).await?;
        left -= amount;
    }
    if left > 0 {
        return Err(ServiceError::Internal(
            "refunding a closed contract's escrow",
            format!("contract {id} holds {left} more than its charges can give back").into(),
        ));
    }
    Ok(())
}

/// Charges one charge to the organisation's saved card (the funding job's item). A decline, or
/// a bank that wants the manager present, leaves it waiting for them and tells them; Stripe
/// out of reach is an error, tried again under the same key.
pub async fn charge(state: &AppState, id: EscrowChargeId) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(charge) = repo::lock_charge(&mut tx, id).await? else {
        return Ok(());
    };
    if !matches!(
        charge.status,
        ChargeStatus::Pending | ChargeStatus::Charging
    ) {
        return Ok(());
    }
    let Some((customer, method)) = repo::chargeable_card(&mut tx, charge.organisation).await?
    else {
        needs_action(
            &mut tx,
            id,
            &charge,
            "no card is saved for Hire bookings.",
            None,
        )
        .await?;
        tx.commit().await?;
        return Ok(());
    };
    repo::set_charge_status(&mut tx, id, ChargeStatus::Charging, None, None).await?;
    tx.commit().await?;

    let answer = match &charge.payment_intent {
        // Stripe made the payment before and answered "processing": ask again.
        Some(intent) => state.payments.retrieve_intent(intent).await,
        None => {
            let key = format!("escrow-charge-{id}-{}", charge.attempt);
            let group = format!("contract-{}", charge.contract);
            let (charge_id, contract_id) = (id.to_string(), charge.contract.to_string());
            let metadata = [
                ("escrow_charge", charge_id.as_str()),
                ("contract", contract_id.as_str()),
            ];
            let new = NewIntent {
                idempotency_key: &key,
                amount_minor: charge.amount.minor(),
                currency: charge.amount.currency().code(),
                description: "Olivine Hire booking",
                receipt_email: None,
                metadata: &metadata,
                manual_capture: false,
                customer: Some(&customer),
                transfer_group: Some(&group),
            };
            state.payments.charge_saved_card(&new, &method).await
        }
    };
    let intent = match answer {
        Ok(intent) => intent,
        Err(PaymentsError::Refused {
            code, message: why, ..
        }) => {
            let problem = problem_text(code.as_deref(), &why);
            return waiting_for_manager(state, id, &problem, None).await;
        }
        Err(other) => return Err(other.into()),
    };
    match intent.status {
        IntentStatus::Succeeded => {
            let Some(paid_with) = intent.charge.as_deref() else {
                return Err(ServiceError::Internal(
                    "funding a booking",
                    "a succeeded payment named no charge".into(),
                ));
            };
            funded(state, id, &intent.id, paid_with).await
        }
        IntentStatus::Processing | IntentStatus::RequiresCapture => {
            let mut tx = state.db.begin().await?;
            repo::set_charge_status(&mut tx, id, ChargeStatus::Charging, None, Some(&intent.id))
                .await?;
            tx.commit().await?;
            Err(ServiceError::Internal(
                "funding a booking",
                "Stripe is still processing the payment".into(),
            ))
        }
        IntentStatus::RequiresAction
        | IntentStatus::RequiresPaymentMethod
        | IntentStatus::RequiresConfirmation
        | IntentStatus::Canceled => {
            let problem = match intent.last_error {
                Some(error) => problem_text(error.code.as_deref(), &error.message),
                None => problem_text(Some("authentication_required"), ""),
            };
            waiting_for_manager(state, id, &problem, Some(&intent.id)).await
        }
    }
}

/// Why a charge failed, in words a manager acts on.
fn problem_text(code: Option<&str>, stripe_says: &str) -> String {
    let text = match code {
        Some("authentication_required") => {
            "your bank wants you to confirm payments with this card. Save it again on the billing page (your bank will ask you to confirm once), and the booking is charged.".to_owned()
        }
        _ if stripe_says.trim().is_empty() => "the card was declined.".to_owned(),
        _ => {
            let mut text = stripe_says.trim().to_owned();
            if let Some(first) = text.get_mut(..1) {
                first.make_ascii_lowercase();
            }
            text
        }
    };
    text.chars().take(480).collect()
}

async fn waiting_for_manager(
    state: &AppState,
    id: EscrowChargeId,
    problem: &str,
    intent: Option<&str>,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    let Some(charge) = repo::lock_charge(&mut tx, id).await? else {
        return Ok(());
    };
    if charge.status != ChargeStatus::Charging {
        return Ok(());
    }
    needs_action(&mut tx, id, &charge, problem, intent).await?;
    tx.commit().await?;
    Ok(())
}

async fn needs_action(
    conn: &mut PgConnection,
    id: EscrowChargeId,
    charge: &Charge,
    problem: &str,
    intent: Option<&str>,
) -> Result<()> {
    let mut text = problem.to_owned();
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    repo::set_charge_status(conn, id, ChargeStatus::ActionNeeded, Some(&text), intent).await?;
    let deadline = charge
        .release
        .is_none()
        .then_some(charge.deadline_local)
        .flatten();
    notices::funding_needed(conn, charge.contract, &text, deadline).await?;
    Ok(())
}

/// Records a paid charge: the money enters the contract's escrow, the approved pay it was for
/// is released, the freelancer hears that the booking is funded, and a contract that closed in
/// the meantime gives back what is left.
async fn funded(state: &AppState, id: EscrowChargeId, intent: &str, paid_with: &str) -> Result<()> {
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(contract_id) = repo::lock_charge(&mut tx, id).await?.map(|c| c.contract) else {
        return Ok(());
    };
    tx.rollback().await?;
    // The contract's lock first, as the settlement takes them.
    let mut tx = state.db.begin().await?;
    let Some(contract) = contracts::repo::lock_contract(&mut tx, contract_id).await? else {
        return Ok(());
    };
    let Some(charge) = repo::lock_charge(&mut tx, id).await? else {
        return Ok(());
    };
    if charge.status != ChargeStatus::Charging {
        return Ok(());
    }
    repo::set_funded(&mut tx, id, intent, paid_with, now).await?;
    let amount = charge.amount;
    let funding = Posting::new(
        TransactionKind::Funding,
        format!("escrow-charge:{id}"),
        amount.currency(),
    )
    .for_contract(contract_id)
    .memo(paid_with)
    .moving(
        amount.minor(),
        Account::OrganisationFunding(charge.organisation),
        Account::ContractEscrow(contract_id),
    );
    ledger::post(&mut tx, &funding).await?;
    match charge.release {
        Some((event, pay, fee)) => {
            let kind = repo::event_kind(&mut tx, event).await?;
            post_release(&mut tx, &contract, contract_id, (event, kind), pay, fee).await?;
        }
        None => {
            if contract.status == ContractStatus::Active
                && let Some(pay) = booking_pay(&contract)
            {
                notices::booking_funded(&mut tx, contract_id, pay).await?;
            }
        }
    }
    refund_if_closed(&mut tx, &contract, contract_id).await?;
    tx.commit().await?;
    Ok(())
}

/// A manager asks to charge a payment that waits for them again (after topping up the card,
/// say). Saving a new card does this for every one of them.
pub async fn retry_charge(
    state: &AppState,
    organisation: OrganisationId,
    id: EscrowChargeId,
) -> Result<()> {
    let mut tx = state.db.begin().await?;
    if repo::retry_charges(&mut tx, organisation, Some(id)).await? == 0 {
        return Err(AppError::invalid(
            "That payment isn't waiting for you any more. Reload the page to see where it is.",
        )
        .into());
    }
    tx.commit().await?;
    Ok(())
}

/// Releases bookings still unpaid at their deadline: the contract is cancelled, its place
/// opens again, and both sides are told. Returns how many.
pub async fn lapse_unfunded(state: &AppState) -> Result<usize> {
    let now = state.clock.now();
    let mut conn = state.db.acquire().await?;
    let due = repo::lapsed_bookings(&mut conn, now, 50).await?;
    drop(conn);
    let mut lapsed = 0;
    for (charge_id, contract_id) in due {
        let mut tx = state.db.begin().await?;
        let Some(contract) = contracts::repo::lock_contract(&mut tx, contract_id).await? else {
            continue;
        };
        let Some(charge) = repo::lock_charge(&mut tx, charge_id).await? else {
            continue;
        };
        let past_deadline = charge.deadline.is_some_and(|d| d <= now);
        if contract.status != ContractStatus::Active
            || charge.status != ChargeStatus::ActionNeeded
            || !past_deadline
            || repo::work_handed_in(&mut tx, contract_id).await?
        {
            continue;
        }
        contracts::repo::set_contract_status(
            &mut tx,
            contract_id,
            ContractStatus::Active,
            ContractStatus::Cancelled,
        )
        .await?;
        record_contract_event(
            &mut tx,
            NewEvent {
                contract: contract_id,
                kind: ContractEventKind::FundingLapsed,
                late: false,
                amount: Money::zero(contract.wage.currency()),
                reason: "Not paid by the deadline.",
                by: None,
                at: now,
            },
        )
        .await?;
        postings::repo::free_seat(&mut tx, contract.posting, now).await?;
        repo::set_charge_status(
            &mut tx,
            charge_id,
            ChargeStatus::Cancelled,
            Some("Not paid by the deadline: the booking was released."),
            None,
        )
        .await?;
        notices::funding_lapsed(&mut tx, contract_id).await?;
        tx.commit().await?;
        lapsed += 1;
    }
    Ok(lapsed)
}

/// Gives one refund back to the organisation's card (the refund job's item) and books it as
/// confirmed; a refund Stripe refuses is marked failed for finance to look at.
pub async fn refund(state: &AppState, id: EscrowRefundId) -> Result<()> {
    let mut conn = state.db.acquire().await?;
    let Some(refund) = repo::lock_refund(&mut conn, id).await? else {
        return Ok(());
    };
    drop(conn);
    if refund.status != RefundStatus::Pending {
        return Ok(());
    }
    let answer = state
        .payments
        .refund(
            &refund.payment_intent,
            refund.amount.minor(),
            &format!("escrow-refund-{id}"),
        )
        .await;
    let (status, stripe_refund, problem) = match answer {
        Ok(done) if !matches!(done.status.as_str(), "failed" | "canceled") => {
            (RefundStatus::Refunded, Some(done.id), None)
        }
        Ok(done) => (
            RefundStatus::Failed,
            Some(done.id),
            Some(format!("Stripe reports the refund {}.", done.status)),
        ),
        Err(PaymentsError::Refused { message, .. }) => (RefundStatus::Failed, None, Some(message)),
        Err(other) => return Err(other.into()),
    };
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let Some(locked) = repo::lock_refund(&mut tx, id).await? else {
        return Ok(());
    };
    if locked.status != RefundStatus::Pending {
        return Ok(());
    }
    repo::set_refund_status(
        &mut tx,
        id,
        status,
        stripe_refund.as_deref(),
        problem.as_deref(),
        now,
    )
    .await?;
    if status == RefundStatus::Refunded {
        let posting = Posting::new(
            TransactionKind::RefundConfirmed,
            format!("escrow-refund-confirmed:{id}"),
            refund.amount.currency(),
        )
        .for_contract(refund.contract)
        .memo(stripe_refund.unwrap_or_default())
        .moving(
            refund.amount.minor(),
            Account::StripeClearing,
            Account::Refunds(refund.organisation),
        );
        ledger::post(&mut tx, &posting).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Contract events waiting to be booked (the settlement job's items).
pub async fn events_due(
    state: &AppState,
    limit: i64,
    resting: &[String],
) -> Result<Vec<ContractEventId>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::events_due(&mut conn, limit, resting).await?)
}

/// Charges for the funding job to make.
pub async fn charges_due(
    state: &AppState,
    limit: i64,
    resting: &[String],
) -> Result<Vec<EscrowChargeId>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::charges_due(&mut conn, limit, resting).await?)
}

/// Refunds for the refund job to send.
pub async fn refunds_due(
    state: &AppState,
    limit: i64,
    resting: &[String],
) -> Result<Vec<EscrowRefundId>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::refunds_due(&mut conn, limit, resting).await?)
}
