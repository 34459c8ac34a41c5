//! `/hire/org/{slug}/billing`: the card saved for the organisation's Hire bookings and the
//! payments made with it (or waiting for the manager to fix them). The
//! card form is Stripe's (`payment.js` mounts it, as at checkout): card details go from the
//! browser to Stripe, and the server records the card once Stripe says it is saved — here, or
//! when Stripe sends the manager back with `?setup_intent=…` after a bank's check. Below, the
//! statement: each contract's money as the ledger books it, also as a CSV download.

use super::api::{FinishCardSetup, RetryCharge, StartCardSetup, load_billing};
use super::model::{Billing, BillingCharge, BillingContract, ChargeStatus, ContractMoney};
use crate::hire::components::{HireNav, HireNavState, slug_param};
use crate::ui::{CardSetupForm, ErrorPage, FormError, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn OrgBillingPage() -> impl IntoView {
    let nav = HireNavState::new();
    let slug = slug_param();
    let query = use_query_map();
    let start = ServerAction::<StartCardSetup>::new();
    let finish = ServerAction::<FinishCardSetup>::new();
    let retry = ServerAction::<RetryCharge>::new();
    // Back from the card form (or a bank's page) with a setup to record: record it, once.
    Effect::new(move |_| {
        let setup = query.with(|q| q.get("setup_intent"));
        if let Some(setup) = setup
            && finish.version().get_untracked() == 0
            && !finish.pending().get_untracked()
        {
            finish.dispatch(FinishCardSetup {
                slug: slug.get_untracked(),
                setup,
            });
        }
    });
    let billing = Resource::new(
        move || (slug.get(), finish.version().get(), retry.version().get()),
        |(slug, _, _)| load_billing(slug),
    );
    view! {
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match billing.await {
                    Ok(billing) => view! { <BillingView billing start finish retry nav/> }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn BillingView(
    billing: Billing,
    start: ServerAction<StartCardSetup>,
    finish: ServerAction<FinishCardSetup>,
    retry: ServerAction<RetryCharge>,
    nav: Option<HireNavState>,
) -> impl IntoView {
    let slug = slug_param();
    let charges = billing.charges.clone();
    let start_error = form_error(start);
    let finish_error = form_error(finish);
    let saving = move || finish.pending().get();
    let saved = move || finish.value().with(|v| matches!(v, Some(Ok(_))));
    let has_card = billing.card.is_some();
    view! {
        <Title text=format!("Billing — {}", billing.organisation)/>
        <header class="page-head">
            <p class="eyebrow">{billing.organisation.clone()}</p>
            <h1>"Billing"</h1>
            <p>"The card saved for your organisation's Hire bookings. Card details go straight to our payment provider, Stripe; Olivine never sees them."</p>
        </header>
        <HireNav nav/>
        <section class="panel" aria-labelledby="card-heading">
            <h2 id="card-heading">"Card"</h2>
            <p role="status" aria-live="polite" data-testid="card-status">
                {move || saving().then_some("Saving your card…")}
                {move || saved().then_some("Card saved.")}
            </p>
            <FormError error=finish_error/>
            {match billing.card {
                Some(card) => view! {
                    <p data-testid="saved-card">
                        <strong>{card.describe()}</strong>
                        <span class="muted">{format!(" · saved {}", card.saved_at.format("%-d %b %Y"))}</span>
                    </p>
                }.into_any(),
                None => view! { <p data-testid="saved-card">"No card saved yet."</p> }.into_any(),
            }}
            {move || match start.value().get() {
                Some(Ok(setup)) => view! {
                    <CardSetupForm setup return_url=format!("/hire/org/{}/billing", slug.get())/>
                }.into_any(),
                _ => view! {
                    <ActionForm action=start attr:class="form">
                        <input type="hidden" name="slug" value=slug.get()/>
                        <FormError error=start_error/>
                        <button type="submit" class="button">
                            {if has_card { "Replace the card" } else { "Add a card" }}
                        </button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
        <Payments charges retry/>
        <Statement contracts=billing.contracts totals=billing.totals/>
    }
}

/// Per contract, where its money went: charged, released to the freelancer, the fee, given
/// back, still held; with totals and the same as a CSV file.
#[component]
fn Statement(contracts: Vec<BillingContract>, totals: Vec<ContractMoney>) -> impl IntoView {
    let slug = slug_param();
    let amounts = |m: ContractMoney| {
        [m.funded, m.released, m.fees, m.refunded, m.held]
            .map(|amount| view! { <td class="num">{amount.to_string()}</td> })
    };
    view! {
        <section class="panel" aria-labelledby="statement-heading">
            <h2 id="statement-heading">"Statement"</h2>
            <p class="muted">"Every booking's money: charged into escrow, released to the freelancer with our fee, given back to your card, and what escrow still holds."</p>
            {if contracts.is_empty() {
                view! { <p data-testid="statement">"Nothing charged for bookings yet."</p> }.into_any()
            } else {
                view! {
                    <p>
                        <a class="button button--quiet" href=move || format!("/hire/org/{}/billing.csv", slug.get()) download="" rel="external" data-testid="statement-csv">
                            "Download as CSV"
                        </a>
                    </p>
                    <div class="table-scroll">
                        <table class="table" data-testid="statement">
                            <thead>
                                <tr>
                                    <th scope="col">"Booking"</th>
                                    <th scope="col" class="num">"Charged"</th>
                                    <th scope="col" class="num">"Released"</th>
                                    <th scope="col" class="num">"Fee"</th>
                                    <th scope="col" class="num">"Refunded"</th>
                                    <th scope="col" class="num">"Held"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {contracts.into_iter().map(|c| view! {
                                    <tr data-contract=c.contract.to_string()>
                                        <td>
                                            <a href=c.href.clone()><strong>{c.title.clone()}</strong></a>
                                            <span class="muted">{format!(" · {}", c.freelancer)}</span>
                                            <br/>
                                            <span class="muted">{format!("{} · {}", c.starts_at.format("%-d %b %Y"), c.status.label())}</span>
                                        </td>
                                        {amounts(c.money)}
                                    </tr>
                                }).collect_view()}
                            </tbody>
                            <tfoot>
                                {totals.into_iter().map(|t| view! {
                                    <tr data-testid="statement-total">
                                        <th scope="row">{format!("Total ({})", t.funded.currency().code())}</th>
                                        {amounts(t)}
                                    </tr>
                                }).collect_view()}
                            </tfoot>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// What was charged for bookings, newest first, and what waits for the manager.
#[component]
fn Payments(charges: Vec<BillingCharge>, retry: ServerAction<RetryCharge>) -> impl IntoView {
    let slug = slug_param();
    let retry_error = form_error(retry);
    let waiting = charges
        .iter()
        .filter(|c| c.status == ChargeStatus::ActionNeeded)
        .count();
    view! {
        <section class="panel" aria-labelledby="payments-heading">
            <h2 id="payments-heading">"Payments for bookings"</h2>
            <p class="muted">"Each booking is paid when the freelancer accepts it (an hourly job: each week, as you approve the hours) and held in escrow until you approve the work; what isn't used goes back to the card."</p>
            {(waiting > 0).then(|| view! {
                <p class="banner banner--warning" role="alert" data-testid="payments-waiting">
                    {if waiting == 1 { "One payment needs you.".to_owned() } else { format!("{waiting} payments need you.") }}
                    " Add or replace the card above (it is charged right away), or try again below."
                </p>
            })}
            <FormError error=retry_error/>
            {if charges.is_empty() {
                view! { <p data-testid="payments">"No bookings paid yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="table" data-testid="payments">
                            <thead>
                                <tr>
                                    <th scope="col">"Booking"</th>
                                    <th scope="col">"For"</th>
                                    <th scope="col" class="num">"Amount"</th>
                                    <th scope="col">"Status"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {charges.into_iter().map(|charge| {
                                    let needs_you = charge.status == ChargeStatus::ActionNeeded;
                                    let what = if charge.booking { "Booking, with the fee" } else { "Approved pay, with the fee" };
                                    view! {
                                        <tr data-status=charge.status.db_name()>
                                            <td>
                                                <strong>{charge.title.clone()}</strong>
                                                <span class="muted">{format!(" · {}", charge.freelancer)}</span>
                                            </td>
                                            <td>{what}<br/><span class="muted">{charge.created_at.format("%-d %b %Y").to_string()}</span></td>
                                            <td class="num">{charge.amount.to_string()}</td>
                                            <td>
                                                <span>{charge.status.label()}</span>
                                                {(charge.refunded.minor() > 0).then(|| view! {
                                                    <span class="muted">{format!(" · {} refunded", charge.refunded)}</span>
                                                })}
                                                {charge.problem.clone().map(|problem| view! { <p class="form-error">{problem}</p> })}
                                                {(needs_you && charge.booking).then(|| charge.deadline.map(|deadline| view! {
                                                    <p class="muted">{format!("Released unless paid by {}", deadline.format("%a %-d %b, %H:%M"))}</p>
                                                })).flatten()}
                                                {needs_you.then(|| view! {
                                                    <ActionForm action=retry attr:class="inline-form">
                                                        <input type="hidden" name="slug" value=slug.get_untracked()/>
                                                        <input type="hidden" name="charge" value=charge.id.to_string()/>
                                                        <button type="submit" class="button button--small">"Try again"</button>
                                                    </ActionForm>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
