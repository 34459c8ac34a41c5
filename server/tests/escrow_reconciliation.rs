//! Reconciling the escrow ledger with Stripe: a booking charged, released, partly refunded and
//! paid out reconciles clean; a refund made in Stripe's dashboard and a reversal whose event
//! never arrived are reported, each once, until the ledger books them; Stripe objects younger
//! than the grace period wait; money held in escrow past 80 days is flagged.

mod common;

use app::escrow::model::fee_for;
use app::escrow::payouts;
use app::escrow::reconciliation::model::{DifferenceKind, StripeObject, Trigger};
use app::escrow::reconciliation::{self, Run};
use app::money::{Currency, Money};
use app::state::AppState;
use chrono::{Duration, Utc};
use common::escrow::{
    BP, SHIFT_PAY, harbour_paying, ledger_holds, onboard, run_jobs, run_payouts, today, travel,
    worked_shift,
};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::hire_day;

async fn found(
    state: &AppState,
    run: Run,
) -> Vec<(DifferenceKind, StripeObject, Option<i64>, Option<i64>)> {
    reconciliation::reconcile(state, run)
        .await
        .expect("reconcile")
        .differences
        .into_iter()
        .map(|d| {
            (
                d.kind,
                d.object,
                d.booked.map(Money::minor),
                d.at_stripe.map(Money::minor),
            )
        })
        .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn differences_with_stripe_are_reported_until_booked_and_long_holds_flagged(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, c) = harbour_paying(options).await;
    let (state, db) = (&app.state, &app.db);

    // Six of eight hours worked: charged, released, the rest refunded, and Fay paid out.
    let contract = worked_shift(&app, &c, hire_day(3), "15:30").await;
    let link = payouts::start_onboarding(state, c.fay).await.expect("link");
    onboard(&link).await;
    app.deliver_events().await;
    assert_eq!(run_payouts(state).await, 1);
    ledger_holds(db).await;
    let done = reconciliation::reconcile(state, today())
        .await
        .expect("reconcile");
    assert_eq!(
        (
            done.charges,
            done.refunds,
            done.transfers,
            done.differences.len()
        ),
        (1, 1, 1, 0),
        "{:?}",
        done.differences
    );
    assert!(done.transactions >= 6, "{}", done.transactions);
    assert_eq!(done.trigger, Trigger::Command);

    // Someone refunds €5 in Stripe's dashboard, and Stripe reverses €7 of the transfer; the
    // reversal's event never reaches us.
    let intent: String =
        sqlx::query_scalar("SELECT payment_intent FROM escrow_charges WHERE contract_id = $1")
            .bind(contract.0)
            .fetch_one(db)
            .await
            .expect("intent");
    let transfer: String =
        sqlx::query_scalar("SELECT stripe_transfer FROM escrow_payouts WHERE contract_id = $1")
            .bind(contract.0)
            .fetch_one(db)
            .await
            .expect("transfer");
    let dashboard = state
        .payments
        .refund(&intent, 500, "dashboard-refund")
        .await
        .expect("refund");
    state
        .payments
        .reverse_transfer(&transfer, Some(700), "dashboard-reversal")
        .await
        .expect("reverse");
    let expected = vec![
        (
            DifferenceKind::NotBooked,
            StripeObject::Refund,
            None,
            Some(500),
        ),
        (
            DifferenceKind::Reversed,
            StripeObject::Transfer,
            Some(0),
            Some(700),
        ),
    ];
    assert_eq!(found(state, today()).await, expected);
    // Stripe objects younger than the grace period may still be booked: not reported yet.
    let earlier = Run {
        settled_before: Utc::now() - Duration::minutes(15),
        ..today()
    };
    assert_eq!(
        found(state, earlier).await,
        vec![(
            DifferenceKind::Reversed,
            StripeObject::Transfer,
            Some(0),
            Some(700)
        )]
    );
    // The back office shows the latest run, in words.
    let page = reconciliation::page(state).await.expect("page");
    let latest = page.latest.expect("a run");
    assert_eq!(latest.differences.len(), 1);
    assert!(
        latest.differences[0].detail.contains("reversed"),
        "{:?}",
        latest.differences
    );
    assert_eq!(latest.differences[0].reference, transfer);

    // The reversal's event arrives and is booked: only the dashboard refund is left.
    app.deliver_events().await;
    let left = reconciliation::reconcile(state, today())
        .await
        .expect("reconcile");
    assert_eq!(left.differences.len(), 1, "{:?}", left.differences);
    let refund = &left.differences[0];
    assert_eq!(
        (refund.kind, refund.reference.as_str(), refund.at_stripe),
        (
            DifferenceKind::NotBooked,
            dashboard.id.as_str(),
            Some(Money::new(500, Currency::Eur))
        )
    );
    assert!(refund.detail.contains(&intent), "{}", refund.detail);
    ledger_holds(db).await;

    // A second booking, paid when Fay accepts and never worked: 81 days later it is flagged.
    let shift = c.open_shift(state, hire_day(5), 1).await;
    let held = c.hire(state, c.fay, shift).await;
    run_jobs(state).await;
    assert!(
        reconciliation::page(state)
            .await
            .expect("page")
            .held_too_long
            .is_empty()
    );
    // (The clock moves in whole seconds: an hour more keeps it past 81 days.)
    travel(
        state,
        state.clock.now() + Duration::days(81) + Duration::hours(1),
    );
    let flagged = reconciliation::page(state)
        .await
        .expect("page")
        .held_too_long;
    assert_eq!(flagged.len(), 1, "{flagged:?}");
    assert_eq!(flagged[0].contract, held);
    assert_eq!(flagged[0].held.minor(), SHIFT_PAY + fee_for(SHIFT_PAY, BP));
    assert!(flagged[0].days >= 81, "{}", flagged[0].days);
}
