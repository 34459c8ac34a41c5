//! The escrow as its people drive it, ten thousand random steps at a time: managers book shifts,
//! hourly and fixed-price jobs (funded from their saved cards when accepted, or week by week as
//! hours are approved), cancel late, record no-shows, end jobs early, approve, adjust and
//! dispute hours and work; freelancers submit and resubmit them; either side escalates a dispute
//! and a finance admin releases, refunds or splits it; the jobs refund what is left and pay
//! freelancers out, and Stripe reverses some payouts. Four workers run their contracts' steps at the same time,
//! and every step is sent twice at once and then once more.
//!
//! After every step, for its contract: each of its transactions sums to zero, each kept balance
//! equals its entries, no escrow, hold or payable account is below zero, what Stripe transferred
//! to the freelancer equals what the ledger paid out and never exceeds what was released, and
//! the repeated sending changed nothing — in the ledger, in the contract's records or at
//! Stripe. At the end every contract's money is where the steps put it, to the cent, and the
//! whole ledger holds.

mod common;

use app::error::ServiceError;
use app::escrow::ledger::Account;
use app::escrow::model::fee_for;
use app::escrow::reconciliation;
use app::escrow::{funding, payouts};
use app::hire::applications::service as applications;
use app::hire::contracts::hours::{self, Decision};
use app::hire::contracts::model::{CANCELLATION_POLICY, HoursInput};
use app::hire::contracts::service as contracts;
use app::hire::disputes::service as disputes;
use app::hire::reference::model::Side;
use app::ids::{
    ContractEventId, ContractId, EscrowChargeId, EscrowPayoutId, EscrowRefundId, OrganisationId,
    UserId,
};
use app::money::{Currency, Money};
use app::state::AppState;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::escrow::{BP, SHIFT_PAY, ledger_holds, onboard, save_card, today, travel};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::BTreeMap;
use std::sync::Arc;
use test_support::hire::{Cast, JobBuilder, ShiftBuilder, hire_day, hours, monday_of, week_of};
use uuid::Uuid;

/// Steps the run takes at least (`PROPERTY_STEPS` overrides it for a quicker local run).
const STEPS: usize = 10_000;
/// Workers stepping their own contracts at the same time.
const WORKERS: u64 = 4;
/// Each generation's shifts are a day after the one before.
const GENERATIONS: i64 = 8;
/// Ticks after its booking that a generation's disputes are escalated and decided: more than
/// the three days a dispute waits for the two sides.
const ESCALATION_TICK: i64 = 5;

/// A finance admin's decision on an escalated dispute.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    Release,
    Refund,
    /// This many of the claim's cents to the freelancer.
    Split(i64),
}

/// What is booked: each pays and is funded its own way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// 09:00–17:30 with a 30-minute break at €16.00 an hour, funded when accepted.
    Shift,
    /// A one-day job at €20.00 an hour, charged as its week's hours are approved.
    Hourly,
    /// A one-day job for €900.00, funded when accepted.
    Fixed,
}

const HOURLY_RATE: i64 = 2000;
const FIXED_PRICE: i64 = 90_000;

impl Kind {
    /// What accepting the booking charges, before the fee.
    fn funded(self) -> i64 {
        match self {
            Kind::Shift => SHIFT_PAY,
            Kind::Hourly => 0,
            Kind::Fixed => FIXED_PRICE,
        }
    }

    /// The pay for `worked` (a shift's end in minutes past midnight, a job's hours).
    fn pay(self, worked: u32) -> i64 {
        match self {
            Kind::Shift => (i64::from(worked - START - BREAK) * 1600 + 30) / 60,
            Kind::Hourly => i64::from(worked) * HOURLY_RATE,
            Kind::Fixed => FIXED_PRICE,
        }
    }

    /// Hours (or a shift's end) worked: from `least` up to `most`.
    fn worked(self, rng: &mut StdRng, least: u32, most: u32) -> u32 {
        match self {
            // On the half hour.
            Kind::Shift => least + 30 * rng.random_range(0..=(most - least) / 30),
            Kind::Hourly => rng.random_range(least..=most),
            Kind::Fixed => 0,
        }
    }
}

/// One thing a person (or a job) does to a contract.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// The freelancer applies, the manager offers, the freelancer accepts; a shift or a
    /// fixed-price job is charged to the organisation's card.
    Fund,
    /// Cancelled 14 hours before a shift starts, 5 before a job's day: late.
    Cancel(Side),
    NoShow,
    /// The manager ends an hourly job before any hours are submitted.
    EndJob,
    /// The freelancer submits a shift's hours (09:00 until this many minutes past midnight,
    /// with a 30-minute break), a job's hours for its day, or a fixed-price job's work.
    Submit(u32),
    Approve,
    /// The manager approves the hours as ending at (a job's: as) this instead.
    Adjust(u32),
    Dispute,
    Escalate(Side),
    Resolve(Outcome),
    /// The refund job gives what the closed contract's escrow still holds back to the card.
    Refund,
    /// The payout job transfers the freelancer's payable.
    PayOut,
    /// Stripe reverses this many cents of a payout.
    Reverse(i64),
}

impl Step {
    fn name(self) -> &'static str {
        match self {
            Step::Fund => "fund",
            Step::Cancel(_) => "cancel late",
            Step::NoShow => "no-show",
            Step::EndJob => "end the job",
            Step::Submit(_) => "submit hours",
            Step::Approve => "approve",
            Step::Adjust(_) => "adjust",
            Step::Dispute => "dispute",
            Step::Escalate(_) => "escalate",
            Step::Resolve(_) => "resolve",
            Step::Refund => "refund",
            Step::PayOut => "pay out",
            Step::Reverse(_) => "reverse",
        }
    }
}

/// How often each kind of step was taken, and how often its second and third sending were
/// refused.
type Tally = BTreeMap<&'static str, (usize, usize)>;

/// A contract's steps, each at the tick (days after its generation's booking day) it is due,
/// and where its money must end up.
#[derive(Debug)]
struct Plan {
    kind: Kind,
    generation: i64,
    /// The shift's or job's day: a day after the generation before's.
    day: NaiveDate,
    organisation: usize,
    freelancer: usize,
    steps: Vec<(i64, Step)>,
    /// Paid to the freelancer in all.
    released: i64,
    /// Of it, reversed by Stripe and payable again.
    reversed: i64,
}

const START: u32 = 9 * 60;
const BREAK: u32 = 30;
const END: u32 = 17 * 60 + 30;

fn clock(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn side(rng: &mut StdRng) -> Side {
    if rng.random_bool(0.5) {
        Side::Organisation
    } else {
        Side::Freelancer
    }
}

impl Plan {
    fn random(rng: &mut StdRng, generation: i64, first_day: NaiveDate) -> Plan {
        let kind = match rng.random_range(0..10) {
            0..6 => Kind::Shift,
            6..8 => Kind::Hourly,
            _ => Kind::Fixed,
        };
        // A shift's end, or a job's hours, from the least to the most worked.
        let (least, most) = match kind {
            Kind::Shift => (11 * 60, END),
            Kind::Hourly | Kind::Fixed => (1, 10),
        };
        let mut steps = vec![(0, Step::Fund)];
        let mut released = 0;
        let mut tick = 1;
        let roll = rng.random_range(0..100);
        if roll < 15 {
            let side = side(rng);
            steps.push((0, Step::Cancel(side)));
            tick = 0;
            // Only a shift owes its freelancer a share when the organisation cancels late.
            if side == Side::Organisation && kind == Kind::Shift {
                released = CANCELLATION_POLICY
                    .owed_by_client(Money::new(SHIFT_PAY, Currency::Eur))
                    .minor();
            }
        } else if roll < 23 && kind != Kind::Fixed {
            let step = if kind == Kind::Shift {
                Step::NoShow
            } else {
                Step::EndJob
            };
            steps.push((1, step));
        } else {
            let worked = kind.worked(rng, least + 60 * u32::from(kind == Kind::Shift), most);
            steps.push((1, Step::Submit(worked)));
            released = kind.pay(worked);
            match rng.random_range(0..100) {
                45..65 if kind != Kind::Fixed => {
                    let adjusted = kind.worked(rng, least, worked);
                    steps.push((1, Step::Adjust(adjusted)));
                    released = kind.pay(adjusted);
                }
                65.. => {
                    steps.push((1, Step::Dispute));
                    if rng.random_bool(0.4) {
                        let corrected = kind.worked(rng, least, worked);
                        steps.push((1, Step::Submit(corrected)));
                        steps.push((1, Step::Approve));
                        released = kind.pay(corrected);
                    } else {
                        tick = ESCALATION_TICK;
                        steps.push((tick, Step::Escalate(side(rng))));
                        let outcome = match rng.random_range(0..3) {
                            0 => Outcome::Release,
                            1 => Outcome::Refund,
                            _ => Outcome::Split(rng.random_range(1..released)),
                        };
                        released = match outcome {
                            Outcome::Release => released,
                            Outcome::Refund => 0,
                            Outcome::Split(part) => part,
                        };
                        steps.push((tick, Step::Resolve(outcome)));
                    }
                }
                _ => steps.push((1, Step::Approve)),
            }
        }
        // The jobs run now or a tick or two later.
        let mut later = |rng: &mut StdRng| {
            tick += rng.random_range(0..=2);
            tick
        };
        if released < kind.funded() {
            steps.push((later(rng), Step::Refund));
        }
        let mut reversed = 0;
        if released > 0 {
            steps.push((later(rng), Step::PayOut));
            if rng.random_bool(0.3) {
                reversed = rng.random_range(1..=released);
                steps.push((later(rng), Step::Reverse(reversed)));
            }
        }
        Plan {
            kind,
            generation,
            day: first_day + Duration::days(generation),
            organisation: rng.random_range(0..2),
            freelancer: rng.random_range(0..2),
            steps,
            released,
            reversed,
        }
    }

    fn due(&self, step: usize) -> i64 {
        self.generation + self.steps[step].0
    }
}

/// Who the steps act as.
struct People {
    /// Harbour with Hana, Meadow with Mia: both have saved a card.
    organisations: [(OrganisationId, UserId); 2],
    /// Fay and Finn: both onboarded for payouts.
    freelancers: [UserId; 2],
    admin: UserId,
}

/// A plan being carried out.
struct Contract {
    plan: Plan,
    next: usize,
    id: Option<ContractId>,
}

impl Contract {
    fn organisation(&self, people: &People) -> (OrganisationId, UserId) {
        people.organisations[self.plan.organisation]
    }

    fn freelancer(&self, people: &People) -> UserId {
        people.freelancers[self.plan.freelancer]
    }

    fn id(&self) -> ContractId {
        self.id.expect("a booked contract")
    }
}

/// Everything a step may change about one contract.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    /// (account, kept balance, sum of its entries).
    accounts: Vec<(&'static str, i64, i64)>,
    transactions: i64,
    unbalanced: i64,
    /// Entries on the contract's accounts booked by a transaction that doesn't name it.
    unnamed: i64,
    records: Vec<Option<String>>,
    /// What Stripe holds of each of its charges, and its transfers (how many, net amount).
    charges_left: Vec<Option<i64>>,
    transfers: (usize, i64),
}

impl Snapshot {
    fn balance(&self, account: &str) -> i64 {
        self.accounts
            .iter()
            .find(|a| a.0 == account)
            .map_or(0, |a| a.2)
    }

    /// The step left the contract's money sound.
    fn assert_holds(&self, what: &str) {
        assert_eq!(self.unbalanced, 0, "{what}: unbalanced transactions");
        assert_eq!(
            self.unnamed, 0,
            "{what}: postings that don't name the contract"
        );
        for (account, kept, summed) in &self.accounts {
            assert_eq!(kept, summed, "{what}: {account}'s kept balance drifted");
            assert!(*summed >= 0, "{what}: {account} is below zero: {self:?}");
        }
        let (released, paid_out) = (
            self.balance("payable") + self.balance("paid out"),
            self.balance("paid out"),
        );
        assert_eq!(
            self.transfers.1, paid_out,
            "{what}: Stripe transferred what the ledger paid out"
        );
        assert!(
            self.transfers.1 <= released,
            "{what}: transferred more than released: {self:?}"
        );
    }
}

async fn snapshot(app: &common::App, contract: ContractId, freelancer: UserId) -> Snapshot {
    let db = &app.db;
    let accounts = [
        ("escrow", Account::ContractEscrow(contract)),
        ("frozen", Account::ContractFrozen(contract)),
        ("payable", Account::FreelancerPayable(freelancer, contract)),
        ("paid out", Account::FreelancerPaidOut(freelancer, contract)),
    ];
    let ids: Vec<Uuid> = accounts.iter().map(|a| a.1.id(Currency::Eur)).collect();
    let kept: Vec<(Uuid, i64, i64)> = sqlx::query_as(
        "SELECT a.account_id, a.balance_minor,
                COALESCE((SELECT sum(e.amount_minor) FROM ledger_entries e
                           WHERE e.account_id = a.account_id), 0)::bigint
           FROM ledger_accounts a WHERE a.account_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(db)
    .await
    .expect("accounts");
    let accounts = accounts
        .iter()
        .filter_map(|(name, account)| {
            let id = account.id(Currency::Eur);
            kept.iter().find(|k| k.0 == id).map(|k| (*name, k.1, k.2))
        })
        .collect();
    let (transactions, unbalanced, unnamed): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM ledger_transactions WHERE contract_id = $1),
                (SELECT count(*) FROM (
                    SELECT e.transaction_id FROM ledger_entries e
                      JOIN ledger_transactions t USING (transaction_id)
                     WHERE t.contract_id = $1
                     GROUP BY e.transaction_id, e.currency
                    HAVING sum(e.amount_minor) <> 0) u),
                (SELECT count(*) FROM ledger_entries e
                   JOIN ledger_transactions t USING (transaction_id)
                  WHERE e.account_id = ANY($2) AND t.contract_id IS DISTINCT FROM $1)",
    )
    .bind(contract.0)
    .bind(&ids)
    .fetch_one(db)
    .await
    .expect("transactions");
    let records: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT ARRAY[(SELECT status::text FROM contracts WHERE contract_id = $1),
                (SELECT string_agg(kind::text || ' ' || amount_minor, ', '
                                   ORDER BY recorded_at, event_id)
                   FROM contract_events WHERE contract_id = $1),
                (SELECT string_agg(status::text || ' ' || amount_minor, ', ' ORDER BY charge_id)
                   FROM escrow_charges WHERE contract_id = $1),
                (SELECT string_agg(status::text || ' ' || amount_minor, ', ' ORDER BY refund_id)
                   FROM escrow_refunds WHERE contract_id = $1),
                (SELECT string_agg(status::text || ' ' || amount_minor || ' ' || reversed_minor
                                   || ' ' || attempt, ', ' ORDER BY payout_id)
                   FROM escrow_payouts WHERE contract_id = $1),
                (SELECT string_agg(status::text || ' ' || claimed_minor, ', ' ORDER BY dispute_id)
                   FROM disputes WHERE contract_id = $1),
                (SELECT string_agg(stripe_charge, ' ' ORDER BY charge_id)
                   FROM escrow_charges WHERE contract_id = $1)]",
    )
    .bind(contract.0)
    .fetch_one(db)
    .await
    .expect("records");
    let charges_left = records[6]
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .map(|charge| app.stripe.charge_left(charge))
        .collect();
    Snapshot {
        accounts,
        transactions,
        unbalanced,
        unnamed,
        records,
        charges_left,
        transfers: app.stripe.transfer_group(&format!("contract-{contract}")),
    }
}

async fn ids(db: &PgPool, query: &str, contract: ContractId) -> Vec<Uuid> {
    sqlx::query_scalar(query)
        .bind(contract.0)
        .fetch_all(db)
        .await
        .expect("ids")
}

/// Works each of `items` in turn, as a job does; stops at the first failure.
async fn each<F, W>(items: Vec<Uuid>, work: W) -> Result<(), ServiceError>
where
    W: Fn(Uuid) -> F,
    F: Future<Output = Result<(), ServiceError>>,
{
    for item in items {
        work(item).await?;
    }
    Ok(())
}

/// Runs the funding job over the contract until it rests: its events booked in order and its
/// charges made.
async fn book(state: &AppState, contract: ContractId) {
    loop {
        let mut worked = false;
        let queued = ids(
            &state.db,
            "SELECT event_id FROM escrow_event_queue WHERE contract_id = $1
              ORDER BY recorded_at, event_id",
            contract,
        )
        .await;
        for event in queued {
            worked |= funding::settle_event(state, ContractEventId(event))
                .await
                .expect("settle");
        }
        let charges = ids(
            &state.db,
            "SELECT charge_id FROM escrow_charges WHERE contract_id = $1 AND status = 'pending'",
            contract,
        )
        .await;
        for charge in charges {
            funding::charge(state, EscrowChargeId(charge))
                .await
                .expect("charge");
            worked = true;
        }
        if !worked {
            return;
        }
    }
}

/// A step's answer: done, or refused as a person would be told (a repeat of something done).
/// Anything else fails the run.
fn done(result: Result<(), ServiceError>, what: &str) -> bool {
    match result {
        Ok(()) => true,
        Err(ServiceError::Refused(_)) => false,
        Err(other) => panic!("{what}: {other:?}"),
    }
}

const DISPUTED: &str = "Nobody saw them after lunch";

/// A shift's hours from 09:00 to `until` (minutes past midnight) on `day`, with a 30-minute
/// break, as the freelancer types them.
fn shift_hours(day: NaiveDate, until: u32) -> HoursInput {
    hours(day, "09:00", &clock(until), "30")
}

/// The manager's answer `step` (approve, adjust to `adjusted`, dispute) to submitted hours.
fn decision<H>(step: Step, adjusted: Option<&H>) -> Decision<'_, H> {
    match (step, adjusted) {
        (Step::Dispute, _) => Decision::Dispute { reason: DISPUTED },
        (Step::Adjust(_), Some(hours)) => Decision::Adjust {
            hours,
            reason: "Left early",
        },
        _ => Decision::Approve,
    }
}

/// Sends `step` for `contract` once.
async fn act(
    app: &common::App,
    people: &People,
    contract: &Contract,
    step: Step,
    key: &str,
) -> Result<(), ServiceError> {
    let state = &app.state;
    let id = contract.id();
    let (organisation, manager) = contract.organisation(people);
    let freelancer = contract.freelancer(people);
    let day = contract.plan.day;
    let newest_dispute = || async {
        let newest = ids(
            &state.db,
            "SELECT dispute_id FROM disputes WHERE contract_id = $1
              ORDER BY opened_at DESC LIMIT 1",
            id,
        )
        .await;
        newest
            .first()
            .copied()
            .map(app::ids::DisputeId)
            .expect("a dispute")
    };
    match step {
        Step::Fund => unreachable!("a contract is booked once"),
        Step::Cancel(side) => {
            let owner = match side {
                Side::Organisation => organisation.0,
                Side::Freelancer => freelancer.0,
            };
            let by = if side == Side::Organisation {
                manager
            } else {
                freelancer
            };
            contracts::cancel_contract(state, side, owner, by, id, "Plans changed").await
        }
        Step::NoShow => contracts::record_no_show(state, organisation, manager, id).await,
        Step::EndJob => contracts::end_job(state, organisation, manager, id, "Done early").await,
        Step::Submit(worked) => match contract.plan.kind {
            Kind::Shift => {
                let worked = shift_hours(day, worked);
                hours::submit_hours(state, freelancer, id, &worked).await
            }
            Kind::Hourly => {
                let week = week_of(day, &worked.to_string());
                hours::submit_week(state, freelancer, id, &week).await
            }
            Kind::Fixed => hours::submit_delivery(state, freelancer, id, "Fitted").await,
        },
        Step::Approve | Step::Adjust(_) | Step::Dispute => {
            let adjusted = if let Step::Adjust(worked) = step {
                Some(worked)
            } else {
                None
            };
            match contract.plan.kind {
                Kind::Shift => {
                    let adjusted = adjusted.map(|worked| shift_hours(day, worked));
                    let decision = decision(step, adjusted.as_ref());
                    hours::answer_hours(state, organisation, manager, id, decision).await
                }
                Kind::Hourly => {
                    let adjusted = adjusted.map(|worked| week_of(day, &worked.to_string()));
                    let decision = decision(step, adjusted.as_ref());
                    hours::answer_week(state, organisation, manager, id, monday_of(day), decision)
                        .await
                }
                Kind::Fixed => {
                    let disputed = matches!(step, Step::Dispute).then_some(DISPUTED);
                    hours::answer_delivery(state, organisation, manager, id, disputed).await
                }
            }
        }
        Step::Escalate(side) => {
            let (owner, by) = match side {
                Side::Organisation => (organisation.0, manager),
                Side::Freelancer => (freelancer.0, freelancer),
            };
            let dispute = newest_dispute().await;
            disputes::escalate(state, side, owner, by, dispute, "Please decide").await
        }
        Step::Resolve(outcome) => {
            let dispute = newest_dispute().await;
            let (outcome, amount) = match outcome {
                Outcome::Release => ("release", String::new()),
                Outcome::Refund => ("refund", String::new()),
                Outcome::Split(part) => ("split", format!("{}.{:02}", part / 100, part % 100)),
            };
            disputes::resolve(state, people.admin, dispute, outcome, &amount, "Decided").await
        }
        Step::Refund => {
            let pending = "SELECT refund_id FROM escrow_refunds
                            WHERE contract_id = $1 AND status = 'pending'";
            let work = |refund| funding::refund(state, EscrowRefundId(refund));
            each(ids(&state.db, pending, id).await, work).await
        }
        Step::PayOut => {
            let pending = "SELECT payout_id FROM escrow_payouts
                            WHERE contract_id = $1 AND status = 'pending'";
            let work = |payout| payouts::pay_out(state, EscrowPayoutId(payout));
            each(ids(&state.db, pending, id).await, work).await
        }
        Step::Reverse(amount) => {
            let transfer: String = sqlx::query_scalar(
                "SELECT stripe_transfer FROM escrow_payouts
                  WHERE contract_id = $1 AND status = 'paid'",
            )
            .bind(id.0)
            .fetch_one(&state.db)
            .await
            .expect("a paid payout");
            state
                .payments
                .reverse_transfer(&transfer, Some(amount), key)
                .await?;
            // What Stripe's transfer.reversed webhook does.
            payouts::transfer_changed(state, &transfer).await
        }
    }
}

/// Books the contract: a posting of its own, applied for, offered and accepted, and funded.
async fn fund(app: &common::App, people: &People, contract: &mut Contract) {
    let state = &app.state;
    let (organisation, manager) = contract.organisation(people);
    let freelancer = contract.freelancer(people);
    let day = contract.plan.day;
    let posting = match contract.plan.kind {
        Kind::Shift => {
            ShiftBuilder::on(day)
                .open(state, organisation, manager)
                .await
        }
        Kind::Hourly => {
            JobBuilder::from(day, day)
                .open(state, organisation, manager)
                .await
        }
        Kind::Fixed => {
            JobBuilder::from(day, day)
                .pays("fixed", "900")
                .open(state, organisation, manager)
                .await
        }
    };
    let application = applications::apply(state, freelancer, posting, "", "")
        .await
        .expect("apply");
    applications::offer(state, organisation, manager, application)
        .await
        .expect("offer");
    let id = applications::accept_offer(state, freelancer, application)
        .await
        .expect("accept");
    contract.id = Some(id);
    book(state, id).await;
    // Accepting again is refused and books nothing more.
    let again = applications::accept_offer(state, freelancer, application).await;
    assert!(matches!(again, Err(ServiceError::Refused(_))), "{again:?}");
}

/// Takes the contract's next step: sends it twice at once, runs the funding job, checks the
/// contract, sends it once more and sees nothing change.
async fn take_step(app: &common::App, people: &People, contract: &mut Contract, tally: &mut Tally) {
    let state = &app.state;
    let (tick, step) = contract.plan.steps[contract.next];
    let what = format!(
        "step {} ({step:?} at tick {tick}) of {:?}",
        contract.next, contract.plan
    );
    let counted = tally.entry(step.name()).or_default();
    counted.0 += 1;
    if let Step::Fund = step {
        fund(app, people, contract).await;
        counted.1 += 1;
    } else {
        let id = contract.id();
        let key = format!("property-{id}-{}", contract.next);
        let (first, second) = tokio::join!(
            act(app, people, contract, step, &key),
            act(app, people, contract, step, &key)
        );
        let (first, second) = (done(first, &what), done(second, &what));
        assert!(first || second, "{what}: refused both times");
        counted.1 += usize::from(!(first && second));
        book(state, id).await;
    }
    let id = contract.id();
    let freelancer = contract.freelancer(people);
    let after = snapshot(app, id, freelancer).await;
    after.assert_holds(&what);
    if !matches!(step, Step::Fund) {
        let key = format!("property-{id}-{}", contract.next);
        let third = done(act(app, people, contract, step, &key).await, &what);
        tally.entry(step.name()).or_default().1 += usize::from(!third);
        book(state, id).await;
        assert_eq!(
            snapshot(app, id, freelancer).await,
            after,
            "{what}: sending it again changed something"
        );
    }
    contract.next += 1;
}

/// Where the contract's money ended: all of it, to the cent, where the plan put it. How many
/// charges it made.
async fn assert_settled(app: &common::App, people: &People, contract: &Contract) -> usize {
    let (id, plan) = (contract.id(), &contract.plan);
    let end = snapshot(app, id, contract.freelancer(people)).await;
    let what = format!("{id}: {plan:?} → {end:?}");
    assert_eq!(end.balance("escrow"), 0, "{what}");
    assert_eq!(end.balance("frozen"), 0, "{what}");
    assert_eq!(end.balance("payable"), plan.reversed, "{what}");
    assert_eq!(
        end.balance("paid out"),
        plan.released - plan.reversed,
        "{what}"
    );
    assert_eq!(end.transfers.1, plan.released - plan.reversed, "{what}");
    // The organisation paid the released pay and the fee on it; the card got the rest back.
    let charged: i64 = end.charges_left.iter().map(|c| c.expect("at Stripe")).sum();
    assert_eq!(
        charged,
        plan.released + fee_for(plan.released, BP),
        "{what}"
    );
    let status = end.records[0].as_deref().unwrap_or_default();
    assert!(
        ["completed", "cancelled", "no_show"].contains(&status),
        "{what}"
    );
    end.charges_left.len()
}

#[sqlx::test(migrations = "../migrations")]
async fn ten_thousand_random_steps_from_concurrent_workers_keep_the_money_right(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let pool = PgPoolOptions::new()
        .max_connections(12)
        .acquire_timeout(std::time::Duration::from_secs(60))
        .connect_with(options)
        .await
        .expect("pool");
    let app = Arc::new(common::app(pool).await);
    let state = &app.state;
    let c = Cast::of(state).await;
    save_card(&app, c.harbour, c.hana, "pm_card_visa").await;
    save_card(&app, c.meadow, c.mia, "pm_card_visa").await;
    for freelancer in [c.fay, c.finn] {
        let link = payouts::start_onboarding(state, freelancer)
            .await
            .expect("link");
        onboard(&link).await;
    }
    app.deliver_events().await;
    let people = Arc::new(People {
        organisations: [(c.harbour, c.hana), (c.meadow, c.mia)],
        freelancers: [c.fay, c.finn],
        admin: common::user(&app.db, "admin@olivine.test").await,
    });

    let steps = std::env::var("PROPERTY_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(STEPS);
    // PROPERTY_SEED plans the same steps again (their interleaving is the scheduler's).
    let seed: u64 = std::env::var("PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(rand::random);
    println!("PROPERTY_SEED={seed}");
    // Taken once: the run may pass midnight.
    let first_day = hire_day(3);
    let mut rng = StdRng::seed_from_u64(seed);
    let mut workers: Vec<Vec<Contract>> = (0..WORKERS).map(|_| Vec::new()).collect();
    let (mut planned, mut count) = (0, 0);
    while planned < steps {
        let plan = Plan::random(&mut rng, count % GENERATIONS, first_day);
        planned += plan.steps.len();
        workers[count as usize % WORKERS as usize].push(Contract {
            plan,
            next: 0,
            id: None,
        });
        count += 1;
    }
    let last_tick = workers
        .iter()
        .flatten()
        .map(|c| c.plan.due(c.plan.steps.len() - 1))
        .max()
        .expect("contracts");

    // Tick t: 14 hours before generation t's shifts start, 10 hours after generation t-1's.
    // Stripe's emulator keeps no clock of ours, so travelling is safe for it.
    let first_start: DateTime<Utc> = {
        let probe = ShiftBuilder::on(first_day)
            .draft(state, c.harbour, c.hana)
            .await;
        sqlx::query_scalar("SELECT starts_at FROM postings WHERE posting_id = $1")
            .bind(probe.0)
            .fetch_one(&app.db)
            .await
            .expect("shift")
    };
    let mut tally = Tally::new();
    for tick in 0..=last_tick {
        travel(
            state,
            first_start + Duration::days(tick) - Duration::hours(14),
        );
        let mut running = Vec::new();
        for (n, mut mine) in std::mem::take(&mut workers).into_iter().enumerate() {
            let (app, people) = (app.clone(), people.clone());
            let mut rng = StdRng::seed_from_u64(seed ^ (n as u64 + 1) ^ (tick as u64) << 8);
            running.push(tokio::spawn(async move {
                let mut tally = Tally::new();
                loop {
                    let ready: Vec<usize> = (0..mine.len())
                        .filter(|&i| {
                            let c = &mine[i];
                            c.next < c.plan.steps.len() && c.plan.due(c.next) <= tick
                        })
                        .collect();
                    if ready.is_empty() {
                        return (mine, tally);
                    }
                    let pick = ready[rng.random_range(0..ready.len())];
                    take_step(&app, &people, &mut mine[pick], &mut tally).await;
                }
            }));
        }
        for worker in running {
            let (mine, counted) = worker.await.expect("a worker");
            workers.push(mine);
            for (step, (taken, refused)) in counted {
                let total = tally.entry(step).or_default();
                total.0 += taken;
                total.1 += refused;
            }
        }
        ledger_holds(&app.db).await;
    }

    println!("steps taken (repeats refused): {tally:?}");
    assert!(tally.values().map(|t| t.0).sum::<usize>() >= steps);
    let mut charges = 0;
    for contract in workers.iter().flatten() {
        assert_eq!(contract.next, contract.plan.steps.len());
        charges += assert_settled(&app, &people, contract).await;
    }
    ledger_holds(&app.db).await;
    // Stripe agrees with the ledger on every charge, refund, transfer and reversal.
    let reconciled = reconciliation::reconcile(state, today())
        .await
        .expect("reconcile");
    assert!(
        reconciled.differences.is_empty(),
        "{:?}",
        reconciled.differences
    );
    assert_eq!(reconciled.charges as usize, charges);
}
