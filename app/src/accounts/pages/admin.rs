//! The back office's front door and its users list with role editing.

use crate::accounts::api::{SetUserRole, load_admin_overview, load_admin_users};
use crate::accounts::model::{AdminUserRow, Role};
use crate::ui::{ErrorPage, FormError, Pagination, count_of, form_error, use_list_query};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AdminHomePage() -> impl IntoView {
    let overview = Resource::new(|| (), |()| load_admin_overview());
    view! {
        <Title text="Back office — Olivine"/>
        <header class="page-head">
            <p class="eyebrow">"Back office"</p>
            <h1>"Overview"</h1>
        </header>
        <Suspense fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <dl class="stats">
                            <div><dt>"Accounts"</dt><dd>{o.users}</dd></div>
                            <div><dt>"Organisations"</dt><dd>{o.organisations}</dd></div>
                            <div><dt>"Sign-ins, last 24 h"</dt><dd>{o.sign_ins_24h}</dd></div>
                            <div><dt>"Failed sign-ins, last 24 h"</dt><dd>{o.failed_sign_ins_24h}</dd></div>
                        </dl>
                        <nav class="panel" aria-label="Back office">
                            <h2>"Sections"</h2>
                            <ul class="list" role="list">
                                {o.can_manage_catalog.then(|| view! {
                                    <li class="list__row"><a href="/admin/products">"Products"</a><span class="muted">"Search the catalog by name, slug or SKU"</span></li>
                                    <li class="list__row"><a href="/admin/inventory">"Stock alerts"</a><span class="muted">"Low stock and lots near expiry"</span></li>
                                })}
                                {o.can_manage_finance.then(|| view! {
                                    <li class="list__row"><a href="/admin/disputes">"Disputes"</a><span class="muted">"Hire disputes waiting for Olivine's decision"</span></li>
                                    <li class="list__row"><a href="/admin/finance/reconciliation">"Reconciliation"</a><span class="muted">"The escrow ledger against Stripe, and money held too long"</span></li>
                                })}
                                {o.can_manage_users.then(|| view! {
                                    <li class="list__row"><a href="/admin/orders">"Orders"</a><span class="muted">"Fulfil, refund and cancel"</span></li>
                                    <li class="list__row"><a href="/admin/subscriptions">"Subscriptions"</a><span class="muted">"Deliveries due, stock they need, payments to retry"</span></li>
                                    <li class="list__row"><a href="/admin/reviews">"Reviews"</a><span class="muted">"Moderation: reviews with links wait here"</span></li>
                                    <li class="list__row"><a href="/admin/loyalty">"Loyalty points"</a><span class="muted">"A customer's points, and adjustments with a reason"</span></li>
                                    <li class="list__row"><a href="/admin/users">"Users and roles"</a></li>
                                    <li class="list__row"><a href="/admin/audit">"Audit trail"</a><span class="muted">"Who did what, from where; the chain's verification; CSV"</span></li>
                                    <li class="list__row"><a href="/admin/privacy">"Privacy requests"</a><span class="muted">"Erasures asked for, against their 30-day deadline"</span></li>
                                    <li class="list__row"><a href="/admin/verification">"Certificate verification"</a><span class="muted">"Freelancers' certificates waiting for review"</span></li>
                                    <li class="list__row"><a href="/admin/jobs">"Background jobs"</a><span class="muted">"Runs, failures and parked items"</span></li>
                                })}
                            </ul>
                        </nav>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let (search, page) = use_list_query();
    let set_role = ServerAction::<SetUserRole>::new();
    let users = Resource::new(
        move || (search.get(), page.get(), set_role.version().get()),
        |(q, page, _)| load_admin_users(q, page),
    );
    let error = form_error(set_role);
    view! {
        <Title text="Users — Back office — Olivine"/>
        <header class="page-head">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Users"</h1>
        </header>
        <form method="get" action="/admin/users" class="search-row" role="search">
            <label for="user-search" class="visually-hidden">"Search by name or email"</label>
            <input id="user-search" name="q" type="search" placeholder="Name or email" value=move || search.get()/>
            <button type="submit" class="button">"Search"</button>
        </form>
        <FormError error/>
        <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(list) => {
                        let q = list.query.clone();
                        if list.rows.is_empty() {
                            return view! {
                                <p class="notice" data-testid="no-users">
                                    {format!("No accounts match “{q}”. Search by part of a name or an email address.")}
                                </p>
                                <p><a class="button button--quiet" href="/admin/users">"Show all accounts"</a></p>
                            }.into_any();
                        }
                        view! {
                            <p class="muted">{count_of(list.total, "account")}</p>
                            <table class="table" data-testid="users">
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Email"</th>
                                    <th scope="col">"Organisations"</th><th scope="col">"Roles"</th>
                                </tr></thead>
                                <tbody>
                                    {list.rows.into_iter().map(|row| view! { <UserRow row set_role/> }).collect_view()}
                                </tbody>
                            </table>
                            <Pagination page=list.page total_pages=list.total_pages href=move |p| format!("/admin/users?q={}&page={p}", crate::ui::urlencode(&q))/>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorPage error/> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn UserRow(row: AdminUserRow, set_role: ServerAction<SetUserRole>) -> impl IntoView {
    let user_id = row.user_id.to_string();
    let email = row.email.clone();
    view! {
        <tr data-email=email>
            <td>{row.display_name}</td>
            <td>{row.email}</td>
            <td>{row.organisations.join(", ")}</td>
            <td class="role-toggles">
                {Role::ALL.iter().map(|&role| {
                    let held = row.roles.contains(&role);
                    let user_id = user_id.clone();
                    view! {
                        <ActionForm action=set_role attr:class="inline-form">
                            <input type="hidden" name="user_id" value=user_id/>
                            <input type="hidden" name="role" value=format!("{role:?}")/>
                            <input type="hidden" name="held" value=if held { "false" } else { "true" }/>
                            <button
                                type="submit"
                                class=if held { "chip chip--on" } else { "chip" }
                                aria-pressed=if held { "true" } else { "false" }
                                title=if held { format!("Remove {}", role.label()) } else { format!("Grant {}", role.label()) }
                            >
                                {role.label()}
                            </button>
                        </ActionForm>
                    }
                }).collect_view()}
            </td>
        </tr>
    }
}
