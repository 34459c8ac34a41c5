//! The freelancer's side of the money: `/hire/work/earnings` (what is held, released, on its
//! way and paid, per contract and release) and the payouts panel on `/hire/profile`, where they
//! connect payouts through Stripe's onboarding form.

use super::api::{ConnectPayouts, load_earnings};
use super::model::{Earnings, EarningsContract, PayoutLine, PayoutSetup, PayoutStatus};
use crate::error::AppError;
use crate::hire::components::{HireNav, HireNavState};
use crate::ui::{ErrorPage, FormError, Notice, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn EarningsPage() -> impl IntoView {
    let nav = HireNavState::new();
    let earnings = Resource::new(|| (), |()| load_earnings());
    view! {
        <Title text="Your earnings — Olivine"/>
        <header class="page-head">
            <p class="eyebrow">"Hire"</p>
            <h1>"Your earnings"</h1>
            <p class="muted">"What organisations have paid for your work: held in escrow until they approve it, then released to you and paid out to your bank through Stripe."</p>
        </header>
        <HireNav nav/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match earnings.await {
                    Ok(earnings) => view! { <EarningsView earnings/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EarningsView(earnings: Earnings) -> impl IntoView {
    let Earnings {
        setup,
        totals,
        contracts,
    } = earnings;
    let receiving = setup.as_ref().is_some_and(|s| s.can_receive);
    view! {
        {(!receiving).then(|| view! {
            <p class="banner banner--warning" role="status" data-testid="payouts-not-set-up">
                "Payouts aren't set up yet: released pay waits here until they are. "
                <a href="/hire/profile#payouts">"Set up payouts"</a>
            </p>
        })}
        <section class="panel" aria-labelledby="totals-heading">
            <h2 id="totals-heading">"In total"</h2>
            {if totals.is_empty() {
                view! { <p data-testid="earnings-totals">"Nothing yet: pay for your bookings shows here once they are funded."</p> }.into_any()
            } else {
                view! {
                    <dl class="stats" data-testid="earnings-totals">
                        {totals.into_iter().map(|t| view! {
                            <div><dt>"Held in escrow"</dt><dd data-testid="total-held">{t.held.to_string()}</dd></div>
                            <div><dt>"Released, to be paid out"</dt><dd data-testid="total-payable">{t.payable.to_string()}</dd></div>
                            <div><dt>"On its way"</dt><dd data-testid="total-on-the-way">{t.on_the_way.to_string()}</dd></div>
                            <div><dt>"Paid out"</dt><dd data-testid="total-paid">{t.paid.to_string()}</dd></div>
                        }).collect_view()}
                    </dl>
                }.into_any()
            }}
        </section>
        {contracts.into_iter().map(|contract| view! { <ContractEarnings contract/> }).collect_view()}
    }
}

#[component]
fn ContractEarnings(contract: EarningsContract) -> impl IntoView {
    let EarningsContract {
        title,
        organisation,
        href,
        held,
        payouts,
    } = contract;
    view! {
        <section class="panel" data-testid="earnings-contract">
            <h2><a href=href>{title}</a></h2>
            <p class="muted">
                {organisation}
                {(held.minor() > 0).then(|| format!(" · {held} held in escrow for you"))}
            </p>
            {if payouts.is_empty() {
                view! { <p>"Nothing released yet: pay is released when the work is approved."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">"Released"</th>
                                    <th scope="col">"For"</th>
                                    <th scope="col" class="num">"Amount"</th>
                                    <th scope="col">"Payout"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {payouts.into_iter().map(|line| view! { <PayoutRow line/> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn PayoutRow(line: PayoutLine) -> impl IntoView {
    let status = match (line.status, line.paid_at) {
        (PayoutStatus::Paid, Some(at)) => format!("Paid out {}", at.format("%-d %b %Y")),
        (status, _) => status.label().to_owned(),
    };
    view! {
        <tr data-testid="payout" data-status=line.status.db_name()>
            <td>{line.released_at.format("%-d %b %Y").to_string()}</td>
            <td>{line.what.label()}</td>
            <td class="num">{line.amount.to_string()}</td>
            <td>
                {status}
                {(line.reversed.minor() > 0).then(|| view! {
                    <p class="form-error">{format!("{} was taken back by Stripe and is to be paid out again.", line.reversed)}</p>
                })}
                {line.problem.map(|problem| view! { <p class="form-error">{format!("Stripe refused the last try: {problem}")}</p> })}
            </td>
        </tr>
    }
}

/// `/hire/profile`'s payouts panel: connect payouts, finish onboarding, or see that they are
/// set up. The page creates `setup` (`load_payout_setup`), outside its Suspense.
#[component]
pub fn PayoutsPanel(setup: Resource<Result<Option<PayoutSetup>, AppError>>) -> impl IntoView {
    let query = use_query_map();
    let connect = ServerAction::<ConnectPayouts>::new();
    let error = form_error(connect);
    let expired = move || query.with(|q| q.get("payouts").as_deref() == Some("expired"));
    view! {
        <section class="panel" id="payouts" aria-labelledby="payouts-heading">
            <h2 id="payouts-heading">"Payouts"</h2>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match setup.await {
                        Ok(setup) => view! { <PayoutsState setup connect error expired/> }.into_any(),
                        // The rest of the profile works without it: said in the panel, not
                        // as the page's error (nor its status).
                        Err(error) => view! {
                            <Notice tone="warning">
                                <p>{format!("Your payout settings can't be shown just now. {error}")}</p>
                                <p><a href="">"Reload to try again"</a></p>
                            </Notice>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn PayoutsState(
    setup: Option<PayoutSetup>,
    connect: ServerAction<ConnectPayouts>,
    error: Signal<Option<AppError>>,
    expired: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let (status, button) = match &setup {
        None => (
            "Olivine pays you through Stripe. Stripe asks once for who you are and where your bank account is; Olivine never sees those details.".to_owned(),
            Some("Set up payouts"),
        ),
        Some(s) if s.can_receive => (
            "Payouts are set up: released pay goes to your bank account through Stripe.".to_owned(),
            None,
        ),
        Some(s) if s.currently_due.is_empty() => (
            "Stripe is checking your details; payouts start once it has.".to_owned(),
            None,
        ),
        Some(s) if s.details_submitted => (
            format!("Stripe needs more from you before it can pay you out: {}. Released pay waits until then.", s.due_in_words()),
            Some("Finish onboarding"),
        ),
        Some(_) => (
            "You started setting up payouts but didn't finish Stripe's form.".to_owned(),
            Some("Finish onboarding"),
        ),
    };
    let ready = setup.as_ref().is_some_and(|s| s.can_receive);
    view! {
        <p data-testid="payouts-status" data-ready=ready.to_string()>{status}</p>
        {move || expired().then(|| view! {
            <p class="muted">"That link to Stripe's form had expired; here is a fresh one."</p>
        })}
        {button.map(|label| view! {
            <ActionForm action=connect attr:class="form">
                <FormError error/>
                <button type="submit" class="button">{label}</button>
            </ActionForm>
        })}
        <p><a href="/hire/work/earnings">"Your earnings"</a></p>
    }
}
