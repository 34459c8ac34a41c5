//! `/account/loyalty`: the points a customer can spend, those waiting for a delivery's return
//! window, when they expire, how to earn and spend them, and the history. The back office
//! shows a customer the same parts.

use super::api::my_points;
use super::model::{
    Balance, EarnRule, LoyaltyAccount, LoyaltyEntry, PER_PAGE, POINTS_PER_EURO, Settlement,
};
use crate::dates::long_date;
use crate::money::{Currency, Money};
use crate::orders::components::when;
use crate::ui::{ErrorPage, Pagination, count_of, page_count};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoyaltyPage() -> impl IntoView {
    let query = use_query_map();
    let page = Memo::new(move |_| {
        query.with(|q| q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1_i64))
    });
    let account = Resource::new(move || page.get(), my_points);
    view! {
        <Title text="Your points — Olivine"/>
        <section class="loyalty">
            <p class="eyebrow"><a href="/account">"Your account"</a></p>
            <h1>"Loyalty points"</h1>
            <Transition fallback=|| view! { <div class="orders__loading" aria-busy="true"></div> }>
                {move || Suspend::new(async move {
                    match account.await {
                        Ok(account) => view! {
                            <PointsSummary balance=account.balance/>
                            <EarnAndSpend rules=account.rules.clone()/>
                            <PointsHistory account admin=false href=|n| format!("/account/loyalty?page={n}")/>
                        }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// The balance in points and euros, what is pending and when the points expire.
#[component]
pub fn PointsSummary(balance: Balance) -> impl IntoView {
    let worth = Money::new(balance.worth_minor(), Currency::Eur);
    view! {
        <div class="loyalty__balance" data-testid="points-balance">
            <p class="loyalty__available">
                <strong>{count_of(balance.available, "point")}</strong>
                {format!(" to spend, worth {worth} at checkout")}
            </p>
            {(balance.pending != 0).then(|| view! {
                <p class="muted" data-testid="points-pending">
                    {format!(
                        "{} pending: an order's points count 14 days after it is delivered, once its return window has closed.",
                        count_of(balance.pending, "point"),
                    )}
                </p>
            })}
            {balance.expires_on().map(|day| view! {
                <p class="muted">
                    {format!("They expire on {} unless you earn or spend points before then.", long_date(day))}
                </p>
            })}
        </div>
    }
}

/// How points are earned (the rules as they stand) and spent.
#[component]
fn EarnAndSpend(rules: Vec<EarnRule>) -> impl IntoView {
    view! {
        <div class="loyalty__rules">
            <h2>"How you earn"</h2>
            <ul data-testid="earn-rules">
                {rules.into_iter().filter(|r| r.points > 0).map(|rule| view! { <li>{rule.describe()}</li> }).collect_view()}
            </ul>
            <h2>"How you spend"</h2>
            <p>{format!(
                "At checkout, every {POINTS_PER_EURO} points take €1 off, up to half of the order. Points expire after a year in which you neither earn nor spend any."
            )}</p>
        </div>
    }
}

/// One page of the history, newest first; orders link to the customer's or, for `admin`, the
/// back office's order page.
#[component]
pub fn PointsHistory(
    account: LoyaltyAccount,
    admin: bool,
    href: impl Fn(u32) -> String + 'static,
) -> impl IntoView {
    let total_pages = page_count(account.total, u32::try_from(PER_PAGE).unwrap_or(20));
    let current = u32::try_from(account.page).unwrap_or(1);
    view! {
        <h2>"History"</h2>
        {if account.entries.is_empty() {
            view! { <p class="muted">"No points yet: your first order earns some."</p> }.into_any()
        } else {
            view! {
                <table class="table loyalty__history" data-testid="points-history">
                    <thead>
                        <tr><th scope="col">"When"</th><th scope="col">"What"</th><th scope="col" class="num">"Points"</th><th scope="col">"Counts"</th></tr>
                    </thead>
                    <tbody>
                        {account.entries.into_iter().map(|entry| view! { <EntryRow entry admin/> }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <Pagination page=current total_pages href/>
    }
}

#[component]
fn EntryRow(entry: LoyaltyEntry, admin: bool) -> impl IntoView {
    let what = entry.describe();
    let points = if entry.points > 0 {
        format!("+{}", entry.points)
    } else {
        entry.points.to_string()
    };
    let counts = match entry.settlement {
        Settlement::Available => "Now".to_owned(),
        Settlement::AwaitingDelivery => "14 days after delivery".to_owned(),
        Settlement::Until(day) => format!("From {}", long_date(day)),
    };
    let base = if admin { "/admin/orders" } else { "/orders" };
    let link = entry.order.as_ref().map(|(id, _)| format!("{base}/{id}"));
    view! {
        <tr data-testid="points-entry">
            <td><time datetime=entry.at.to_rfc3339()>{when(entry.at)}</time></td>
            <td>{match link {
                Some(href) => view! { <a href=href>{what}</a> }.into_any(),
                None => what.into_any(),
            }}</td>
            <td class="num">{points}</td>
            <td>{counts}</td>
        </tr>
    }
}
