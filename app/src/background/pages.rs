//! `/admin/jobs`: what the background jobs did, and the items they gave up on.

use super::api::{RetryJobItem, load_jobs};
use super::model::{DeadItem, JobStatus};
use crate::ui::{ErrorPage, FormError, Notice, form_error};
use leptos::prelude::*;
use leptos::server::ServerAction;
use leptos_meta::Title;

fn when(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%-d %b %Y, %H:%M:%S UTC").to_string()
}

#[component]
pub fn JobsPage() -> impl IntoView {
    let retry = ServerAction::<RetryJobItem>::new();
    let overview = Resource::new(move || retry.version().get(), |_| load_jobs());
    let error = form_error(retry);
    let retried = move || retry.value().with(|v| matches!(v, Some(Ok(()))));
    view! {
        <Title text="Background jobs — Back office — Olivine"/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Background jobs"</h1>
            <p class="muted">"Each job works through what is due: mail to send, images to encode, orders past their hold, hours to approve. A failed item is tried again later; after repeated failures it is parked here until someone retries it."</p>
            {move || retried().then(|| view! { <Notice tone="success"><p>"Sent back to its queue: the job tries it on its next run."</p></Notice> })}
            <FormError error/>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! {
                            <JobTable jobs=o.jobs/>
                            <h2>"Parked items"</h2>
                            <DeadItems items=o.dead retry/>
                        }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn JobTable(jobs: Vec<JobStatus>) -> impl IntoView {
    if jobs.is_empty() {
        return view! { <p data-testid="jobs-empty">"No job has run yet."</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="jobs">
            <thead>
                <tr>
                    <th scope="col">"Job"</th>
                    <th scope="col">"Last run"</th>
                    <th scope="col">"Due at last run"</th>
                    <th scope="col">"Done"</th>
                    <th scope="col">"Failed"</th>
                    <th scope="col">"Waiting to retry"</th>
                    <th scope="col">"Parked"</th>
                    <th scope="col">"Panics"</th>
                </tr>
            </thead>
            <tbody>
                {jobs.into_iter().map(|job| {
                    let name = job.name.clone();
                    view! {
                    <tr data-job=name>
                        <th scope="row">{job.name}</th>
                        <td>
                            {job.last_finished_at.map_or_else(|| "not yet".to_owned(), when)}
                            {job.last_error.map(|e| view! { <br/><span class="field-error">{e}</span> })}
                        </td>
                        <td>{job.last_due}</td>
                        <td>{job.items_done}</td>
                        <td>{job.items_failed}</td>
                        <td>{job.retrying}</td>
                        <td data-testid="parked">{job.dead}</td>
                        <td>
                            {job.panics}
                            {job.last_panic.map(|p| view! {
                                <br/>
                                <span class="muted">
                                    {format!("last: {p}{}", job.last_panic_at.map(|at| format!(" ({})", when(at))).unwrap_or_default())}
                                </span>
                            })}
                        </td>
                    </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn DeadItems(items: Vec<DeadItem>, retry: ServerAction<RetryJobItem>) -> impl IntoView {
    if items.is_empty() {
        return view! { <p data-testid="dead-empty">"Nothing is parked."</p> }.into_any();
    }
    view! {
        <ul class="list" role="list" data-testid="dead-items">
            {items.into_iter().map(|dead| view! {
                <li class="list__row">
                    <span><strong>{dead.job.clone()}</strong>" "{dead.item.clone()}</span>
                    <span class="muted">{format!("{} attempts, parked {}", dead.attempts, when(dead.dead_at))}</span>
                    <span class="field-error">{dead.last_error}</span>
                    <ActionForm action=retry attr:class="inline-form">
                        <input type="hidden" name="job" value=dead.job/>
                        <input type="hidden" name="item" value=dead.item/>
                        <button type="submit" class="button button--small">"Retry"</button>
                    </ActionForm>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}
