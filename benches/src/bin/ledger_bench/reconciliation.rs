//! The reconciliation half of the ledger bench: the releases the throughput runs booked are
//! made real at Stripe (the emulator) — each contract paid for by a card charge, each release
//! paid out as a transfer through `escrow::payouts::pay_out`, some of every charge refunded
//! through `escrow::funding::refund` — until the ledger holds at least
//! [`TRANSACTIONS`] transactions; then `escrow::reconciliation::reconcile` compares all of it
//! with Stripe, three times, and must find nothing.

use super::{Bench, Booked, PAY};
use anyhow::{Context, Result, ensure};
use app::escrow::ledger::{self, Account, Posting};
use app::escrow::model::{TransactionKind, fee_for};
use app::escrow::reconciliation::{self, Run, model::Trigger};
use app::escrow::{funding, payouts};
use app::ids::{EscrowChargeId, EscrowRefundId};
use app::money::Currency;
use payments::NewIntent;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Instant;

/// How many ledger transactions the reconciliation is measured over (issue #24).
const TRANSACTIONS: i64 = 100_000;
/// Each contract's card charge: room for every payout of its releases.
const CHARGE: i64 = 10_000_000;
/// Given back from each charge.
const REFUND: i64 = 10_000;
const PAYOUT_WORKERS: usize = 8;

pub async fn measure(bench: &Bench, booked: &[Booked]) -> Result<Value> {
    let state = &bench.state;
    let began = Instant::now();
    let charges = charge_cards(bench, booked).await?;
    connect_payouts(bench).await?;
    top_up_releases(bench, booked).await?;
    let payouts = write_payouts(state).await?;
    let paid = pay_out_all(state).await?;
    ensure!(paid == payouts, "{paid} of {payouts} payouts paid");
    refund_some(bench, &charges).await?;
    let mut conn = state.db.acquire().await?;
    let transactions: i64 = sqlx::query_scalar("SELECT count(*) FROM ledger_transactions")
        .fetch_one(&mut *conn)
        .await?;
    ensure!(
        transactions >= TRANSACTIONS,
        "only {transactions} transactions"
    );
    drop(conn);
    println!(
        "\nreconciliation: {transactions} ledger transactions; {} charges, {payouts} transfers, {} refunds at Stripe (set up in {:.0} s)",
        charges.len(),
        charges.len(),
        began.elapsed().as_secs_f64()
    );

    let mut seconds = Vec::new();
    for _ in 0..3 {
        let run = Run::usual(Trigger::Command, None);
        let started = Instant::now();
        let done = reconciliation::reconcile(state, run).await?;
        let took = started.elapsed().as_secs_f64();
        ensure!(
            done.differences.is_empty(),
            "the reconciliation found differences: {:?}",
            done.differences.iter().take(5).collect::<Vec<_>>()
        );
        ensure!(
            usize::try_from(done.transfers)? == payouts
                && usize::try_from(done.charges)? == charges.len()
                && usize::try_from(done.refunds)? == charges.len(),
            "compared {} charges, {} refunds, {} transfers",
            done.charges,
            done.refunds,
            done.transfers
        );
        println!(
            "  reconciled in {took:.2} s: {} charges, {} refunds, {} transfers, {} transactions checked, no differences",
            done.charges, done.refunds, done.transfers, done.transactions
        );
        seconds.push(took);
    }
    let worst = seconds.iter().copied().fold(0.0, f64::max);
    Ok(json!({
        "transactions": transactions,
        "charges": charges.len(),
        "refunds": charges.len(),
        "transfers": payouts,
        "runs_s": seconds,
        "worst_s": worst,
    }))
}

/// Each contract's escrow paid by a card charge at Stripe, booked as `funding::charge` books
/// it: the charge recorded funded, its payment moved into the contract's escrow.
async fn charge_cards(
    bench: &Bench,
    booked: &[Booked],
) -> Result<Vec<(EscrowChargeId, uuid::Uuid)>> {
    let state = &bench.state;
    let mut charges = Vec::with_capacity(booked.len());
    for b in booked {
        let id = EscrowChargeId(uuid::Uuid::now_v7());
        let (charge_id, contract_id) = (id.to_string(), b.contract.to_string());
        let metadata = [
            ("escrow_charge", charge_id.as_str()),
            ("contract", contract_id.as_str()),
        ];
        let key = format!("bench-charge-{id}");
        let intent = state
            .payments
            .create_intent(&NewIntent {
                idempotency_key: &key,
                amount_minor: CHARGE,
                currency: "EUR",
                description: "Olivine Hire booking",
                receipt_email: None,
                metadata: &metadata,
                manual_capture: false,
                customer: None,
                transfer_group: None,
            })
            .await?;
        let intent = state
            .payments
            .confirm_intent(&intent.id, "pm_card_visa")
            .await?;
        let stripe_charge = intent.charge.context("a paid intent names its charge")?;
        let mut tx = state.db.begin().await?;
        sqlx::query(
            "INSERT INTO escrow_charges (charge_id, contract_id, organisation_id, amount_minor,
                                         currency, status, payment_intent, stripe_charge, funded_at)
             VALUES ($1, $2, $3, $4, 'EUR', 'funded', $5, $6, now())",
        )
        .bind(id.0)
        .bind(b.contract.0)
        .bind(bench.organisation.0)
        .bind(CHARGE)
        .bind(&intent.id)
        .bind(&stripe_charge)
        .execute(&mut *tx)
        .await?;
        let funding = Posting::new(
            TransactionKind::Funding,
            format!("escrow-charge:{id}"),
            Currency::Eur,
        )
        .for_contract(b.contract)
        .moving(
            CHARGE,
            Account::OrganisationFunding(bench.organisation),
            Account::ContractEscrow(b.contract),
        );
        ledger::post(&mut tx, &funding).await?;
        tx.commit().await?;
        charges.push((id, b.contract.0));
    }
    Ok(charges)
}

/// Both freelancers onboard on Stripe's form (the emulator's page), as in the browser.
async fn connect_payouts(bench: &Bench) -> Result<()> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    for freelancer in bench.freelancers {
        let link = payouts::start_onboarding(&bench.state, freelancer).await?;
        let done = client.post(&link).send().await?;
        ensure!(
            done.status().is_redirection(),
            "onboarding: {}",
            done.status()
        );
        let setup = payouts::setup(&bench.state, freelancer).await?;
        ensure!(
            setup.is_some_and(|s| s.can_receive),
            "a freelancer could not receive payouts after onboarding"
        );
    }
    Ok(())
}

/// More releases, as the throughput runs book them, until releases and their payouts will
/// make [`TRANSACTIONS`].
async fn top_up_releases(bench: &Bench, booked: &[Booked]) -> Result<()> {
    let db = &bench.state.db;
    let count =
        |sql: &'static str| async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(db).await };
    let transactions = count("SELECT count(*) FROM ledger_transactions").await?;
    let releases = count("SELECT count(*) FROM ledger_transactions WHERE kind = 'release'").await?;
    // Each release gets a payout (handed over, then confirmed); each charge a refund (sent,
    // then confirmed).
    let planned = transactions + 2 * releases + 2 * i64::try_from(booked.len())?;
    let missing = ((TRANSACTIONS - planned).max(0) + 2) / 3;
    for n in 0..missing {
        let b = &booked[usize::try_from(n)? % booked.len()];
        let posting = Posting::new(
            TransactionKind::Release,
            format!("bench-top-up:{n}"),
            Currency::Eur,
        )
        .for_contract(b.contract)
        .moving(
            PAY,
            Account::ContractEscrow(b.contract),
            Account::FreelancerPayable(b.freelancer, b.contract),
        )
        .moving(
            fee_for(PAY, super::BASIS_POINTS),
            Account::ContractEscrow(b.contract),
            Account::platform_fees_for(b.contract),
        );
        let mut tx = db.begin().await?;
        ledger::post(&mut tx, &posting).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// A payout for every release, as `funding::post_release` writes one with each.
async fn write_payouts(state: &app::state::AppState) -> Result<usize> {
    let written = sqlx::query(
        "INSERT INTO escrow_payouts (payout_id, release_transaction, contract_id, freelancer_id,
                                     amount_minor, currency)
         SELECT gen_random_uuid(), t.transaction_id, t.contract_id, a.freelancer_id,
                e.amount_minor, e.currency
           FROM ledger_transactions t
           JOIN ledger_entries e ON e.transaction_id = t.transaction_id
           JOIN ledger_accounts a ON a.account_id = e.account_id AND a.kind = 'freelancer_payable'
          WHERE t.kind = 'release'",
    )
    .execute(&state.db)
    .await?
    .rows_affected();
    Ok(usize::try_from(written)?)
}

/// The payout job's work, by [`PAYOUT_WORKERS`] at once: how many went out.
async fn pay_out_all(state: &app::state::AppState) -> Result<usize> {
    let due = Arc::new(payouts::due(state, i64::MAX, &[]).await?);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..PAYOUT_WORKERS {
        let (state, due) = (state.clone(), Arc::clone(&due));
        tasks.push(tokio::spawn(async move {
            for id in due.iter().skip(worker).step_by(PAYOUT_WORKERS) {
                payouts::pay_out(&state, *id).await?;
            }
            anyhow::Ok(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let paid: i64 = sqlx::query_scalar("SELECT count(*) FROM escrow_payouts WHERE status = 'paid'")
        .fetch_one(&state.db)
        .await?;
    println!(
        "  {paid} payouts transferred in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(usize::try_from(paid)?)
}

/// Some of each charge given back, as a closing contract's leftover is: booked as sent, then
/// refunded through Stripe and booked as confirmed by `funding::refund`.
async fn refund_some(bench: &Bench, charges: &[(EscrowChargeId, uuid::Uuid)]) -> Result<()> {
    let state = &bench.state;
    for (charge, contract) in charges {
        let id = EscrowRefundId(uuid::Uuid::now_v7());
        let mut tx = state.db.begin().await?;
        sqlx::query(
            "INSERT INTO escrow_refunds (refund_id, charge_id, contract_id, amount_minor, currency)
             VALUES ($1, $2, $3, $4, 'EUR')",
        )
        .bind(id.0)
        .bind(charge.0)
        .bind(contract)
        .bind(REFUND)
        .execute(&mut *tx)
        .await?;
        let sent = Posting::new(
            TransactionKind::Refund,
            format!("escrow-refund:{id}"),
            Currency::Eur,
        )
        .for_contract(app::ids::ContractId(*contract))
        .moving(
            REFUND,
            Account::ContractEscrow(app::ids::ContractId(*contract)),
            Account::StripeClearing,
        );
        ledger::post(&mut tx, &sent).await?;
        tx.commit().await?;
        funding::refund(state, id).await?;
    }
    Ok(())
}
