//! `/admin/finance/reconciliation` (finance admins): the latest comparison of the escrow
//! ledger with Stripe, every difference it found, and contracts holding money too long.

use super::api::{ReconcileNow, admin_reconciliation};
use super::model::{HELD_TOO_LONG_DAYS, HeldTooLong, Reconciliation, ReconciliationPage};
use crate::orders::components::when;
use crate::ui::{ErrorPage, FormError, form_error};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminReconciliationPage() -> impl IntoView {
    let run = ServerAction::<ReconcileNow>::new();
    let page = Resource::new(move || run.version().get(), |_| admin_reconciliation());
    let run_error = form_error(run);
    view! {
        <Title text="Reconciliation — Olivine back office"/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Reconciliation"</h1>
            <p class="muted">"Once a day the escrow ledger is compared with Stripe: every payment into escrow, refund and payout transfer of the last 100 days, both ways, and the ledger's own balance."</p>
            <ActionForm action=run attr:class="inline-form">
                <FormError error=run_error/>
                <button type="submit" class="button" disabled=move || run.pending().get()>
                    {move || if run.pending().get() { "Reconciling…" } else { "Reconcile now" }}
                </button>
            </ActionForm>
            <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(ReconciliationPage { latest, held_too_long }) => view! {
                            {match latest {
                                Some(latest) => view! { <Latest run=latest/> }.into_any(),
                                None => view! { <p data-testid="reconciliation">"Not reconciled yet."</p> }.into_any(),
                            }}
                            <HeldTooLongList held=held_too_long/>
                        }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Latest(run: Reconciliation) -> impl IntoView {
    let took = (run.finished_at - run.started_at).num_milliseconds();
    let clean = run.differences.is_empty();
    view! {
        <section class="panel" aria-labelledby="latest-heading" data-testid="reconciliation" data-clean=clean.to_string()>
            <h2 id="latest-heading">"Latest run"</h2>
            <p>
                {format!("{} · by {}", when(run.started_at), run.started_by.clone().unwrap_or_else(|| run.trigger.label().to_owned()))}
                <span class="muted">{format!(" · {:.1} s", took as f64 / 1000.0)}</span>
            </p>
            <p class="muted">{format!(
                "Since {}: {} payments into escrow, {} refunds and {} transfers compared; {} ledger transactions checked.",
                when(run.since), run.charges, run.refunds, run.transfers, run.transactions
            )}</p>
            {if clean {
                view! { <p class="banner" role="status">"The ledger and Stripe agree."</p> }.into_any()
            } else {
                let count = run.differences.len();
                view! {
                    <p class="banner banner--warning" role="alert">
                        {if count == 1 { "One difference.".to_owned() } else { format!("{count} differences.") }}
                    </p>
                    <table class="admin-table" data-testid="differences">
                        <thead><tr>
                            <th scope="col">"What"</th>
                            <th scope="col">"Object"</th>
                            <th scope="col" class="num">"Ledger"</th>
                            <th scope="col" class="num">"Stripe"</th>
                            <th scope="col">"Detail"</th>
                        </tr></thead>
                        <tbody>
                            {run.differences.into_iter().map(|d| {
                                let amount = |m: Option<crate::money::Money>| m.map_or_else(|| "—".to_owned(), |m| m.to_string());
                                view! {
                                    <tr data-kind=d.kind.db_name()>
                                        <td>{d.kind.label()}</td>
                                        <td>{d.object.label()}<br/><code>{d.reference.clone()}</code></td>
                                        <td class="num">{amount(d.booked)}</td>
                                        <td class="num">{amount(d.at_stripe)}</td>
                                        <td>{d.detail.clone()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn HeldTooLongList(held: Vec<HeldTooLong>) -> impl IntoView {
    view! {
        <section class="panel" aria-labelledby="held-heading">
            <h2 id="held-heading">{format!("Held longer than {HELD_TOO_LONG_DAYS} days")}</h2>
            <p class="muted">"Stripe keeps funds for manual payouts at most 90 days: these contracts' escrow still holds money charged longer ago."</p>
            {if held.is_empty() {
                view! { <p data-testid="held-too-long">"None."</p> }.into_any()
            } else {
                view! {
                    <table class="admin-table" data-testid="held-too-long">
                        <thead><tr>
                            <th scope="col">"Booking"</th>
                            <th scope="col">"Organisation"</th>
                            <th scope="col" class="num">"Held"</th>
                            <th scope="col">"Charged"</th>
                        </tr></thead>
                        <tbody>
                            {held.into_iter().map(|h| view! {
                                <tr data-contract=h.contract.to_string()>
                                    <td>{h.title}</td>
                                    <td>{h.organisation}</td>
                                    <td class="num">{h.held.to_string()}</td>
                                    <td>{format!("{} ({} days ago)", when(h.funded_at), h.days)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}
