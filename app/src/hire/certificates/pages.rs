//! Certificates: the freelancer's panel to upload them, their badges, and the support admins'
//! verification queue.

use crate::error::AppError;
use crate::hire::certificates::api::{ReviewCertificate, load_verification_queue};
use crate::hire::certificates::model::{
    Certificate, CertificateStatus, MAX_CERTIFICATE_BYTES, MyCertificates, VerificationItem,
};
use crate::hire::reference::model::CertificateType;
use crate::ui::{ErrorPage, FormError, Notice, TextField, form_error, upload_refusal};
use leptos::either::Either;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::wasm_bindgen::closure::Closure;
use leptos_meta::Title;

/// Where the upload form posts (an Axum route, not a server function: the file streams in).
pub const UPLOAD_URL: &str = "/hire/certificates";

pub fn document_href(certificate: &Certificate) -> String {
    format!("/hire/certificates/{}/document", certificate.id)
}

/// The freelancer's certificates with their review state, and the form to add one (`types`:
/// the reference list); each accepted upload bumps `uploaded`, which reloads the page's data.
#[component]
pub fn CertificatesPanel(
    mine: MyCertificates,
    types: Vec<CertificateType>,
    uploaded: RwSignal<usize>,
) -> impl IntoView {
    let MyCertificates {
        certificates,
        today,
    } = mine;
    let expiring: Vec<String> = types
        .iter()
        .filter(|t| t.expires)
        .map(|t| t.id.clone())
        .collect();
    let chosen = RwSignal::new(String::new());
    let needs_date = move || chosen.with(|id| expiring.contains(id));
    let sending = RwSignal::new(false);
    let refusal = RwSignal::new(None::<String>);
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        let Some(form) = form_ref.get_untracked() else {
            return;
        };
        refusal.set(None);
        sending.set(true);
        if let Err(message) = send(&form, uploaded, sending, refusal) {
            refusal.set(Some(message));
            sending.set(false);
        }
    };
    view! {
        <section class="panel" id="certificates" aria-labelledby="certificates-heading">
            <h2 id="certificates-heading">"Certificates"</h2>
            <p class="muted">"Some shifts ask for a certificate. Upload a scan or photo; our team checks it, usually within a working day, and then it shows as verified on your profile."</p>
            {certificates.is_empty().then(|| view! { <p>"No certificates yet."</p> })}
            <ul class="list" role="list" data-testid="my-certificates">
                {certificates.into_iter().map(|c| {
                    let state = c.state_label(today);
                    let tone = match c.status {
                        CertificateStatus::Verified if c.valid_on(today) => "tag tag--success",
                        CertificateStatus::Verified | CertificateStatus::Rejected => "tag tag--danger",
                        CertificateStatus::Pending => "tag",
                    };
                    view! {
                        <li class="list__row" data-status=c.status.db_name()>
                            <span>{c.name.clone()}</span>
                            <span class=tone>{state}</span>
                            <span>{match c.document_deleted_on {
                                None => Either::Left(view! { <a href=document_href(&c) target="_blank" rel="noopener">{c.file_name.clone()}</a> }),
                                Some(day) => Either::Right(view! {
                                    <span class="muted">{format!("{} (deleted on {}, after the certificate expired)", c.file_name, day.format("%-d %b %Y"))}</span>
                                }),
                            }}</span>
                            <span class="muted">{format!("uploaded {}", c.uploaded_on.format("%-d %b %Y"))}</span>
                            {c.rejection_reason.clone().map(|r| view! { <span class="muted">{format!("“{r}”")}</span> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <form node_ref=form_ref class="form form--compact" method="post" action=UPLOAD_URL
                enctype="multipart/form-data" novalidate on:submit=on_submit>
                <h3>"Add a certificate"</h3>
                <div class="field">
                    <label for="certificate-type">"Certificate"</label>
                    <select id="certificate-type" name="certificate_type" required
                        on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">"Choose"</option>
                        {types.into_iter().map(|t| view! { <option value=t.id>{t.name}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field" class:visually-hidden=move || !needs_date()>
                    <label for="certificate-expires">"Valid until"</label>
                    <input id="certificate-expires" type="date" name="expires_on"/>
                    <p class="field__hint">"As printed on the certificate."</p>
                </div>
                <div class="field">
                    <label for="certificate-file">"Document"</label>
                    <input id="certificate-file" type="file" name="file" required
                        accept="application/pdf,image/jpeg,image/png"/>
                    <p class="field__hint">{format!("A PDF, JPEG or PNG of at most {} MB.", MAX_CERTIFICATE_BYTES / (1024 * 1024))}</p>
                </div>
                {move || refusal.get().map(|message| view! {
                    <p class="form-error" role="alert" data-testid="certificate-error">{message}</p>
                })}
                <button type="submit" class="button button--quiet" disabled=move || sending.get()>
                    {move || if sending.get() { "Uploading…" } else { "Upload for review" }}
                </button>
            </form>
        </section>
    }
}

/// Send the form's fields and file; on an answer, reload the list or show why not.
pub fn send(
    form: &web_sys::HtmlFormElement,
    uploaded: RwSignal<usize>,
    sending: RwSignal<bool>,
    refusal: RwSignal<Option<String>>,
) -> Result<(), String> {
    let couldnt = |_| "The browser could not send this file.".to_owned();
    let data = web_sys::FormData::new_with_form(form).map_err(couldnt)?;
    let xhr = web_sys::XmlHttpRequest::new().map_err(couldnt)?;
    xhr.open("POST", UPLOAD_URL).map_err(couldnt)?;
    xhr.set_request_header("Accept", "application/json")
        .map_err(couldnt)?;
    let (answered, to_reset) = (xhr.clone(), form.clone());
    let on_done = Closure::once(move || {
        let status = answered.status().unwrap_or(0);
        sending.set(false);
        if status == 200 {
            to_reset.reset();
            uploaded.update(|n| *n += 1);
        } else {
            let body = answered.response_text().ok().flatten().unwrap_or_default();
            refusal.set(Some(upload_refusal(status, &body, || {
                format!(
                    "The file is larger than the {} MB limit.",
                    MAX_CERTIFICATE_BYTES / (1024 * 1024)
                )
            })));
        }
    });
    xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&data)).map_err(couldnt)?;
    // Called once when the request ends; then the page no longer needs it.
    on_done.forget();
    Ok(())
}

/// Verified certificates valid today, as managers see them.
#[component]
pub fn CertificateBadges(certificates: Vec<Certificate>) -> impl IntoView {
    view! {
        <h2>"Certificates"</h2>
        {certificates.is_empty().then(|| view! { <p class="muted">"No verified certificates."</p> })}
        <ul class="chips" role="list" data-testid="certificates">
            {certificates.into_iter().map(|c| view! {
                <li class="chip chip--static">
                    {format!("✓ {}", c.name)}
                    {c.expires_on.map(|d| format!(" · until {}", d.format("%-d %b %Y")))}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// `/admin/verification`: certificates waiting for a support admin, oldest first.
#[component]
pub fn VerificationPage() -> impl IntoView {
    let review = ServerAction::<ReviewCertificate>::new();
    let queue = Resource::new(
        move || review.version().get(),
        |_| load_verification_queue(),
    );
    let error = form_error(review);
    let reviewed = move || review.value().with(|v| matches!(v, Some(Ok(()))));
    view! {
        <Title text="Certificate verification — Olivine"/>
        <section class="admin">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>"Certificate verification"</h1>
            <p class="muted">"Open each document and compare it with what the freelancer entered. Verify with the expiry date the document shows, or reject with a reason they can act on."</p>
            {move || reviewed().then(|| view! { <Notice tone="success"><p>"Saved. The freelancer sees the result on their profile."</p></Notice> })}
            <FormError error/>
            <Transition fallback=|| view! { <p aria-busy="true">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match queue.await {
                        Ok(q) if q.items.is_empty() => view! { <p data-testid="queue-empty">"Nothing waits for review."</p> }.into_any(),
                        Ok(q) => view! {
                            <p data-testid="queue-total">{format!("{} waiting{}", q.total, if q.total > 100 { " (the oldest 100 shown)" } else { "" })}</p>
                            <ul class="list" role="list" data-testid="verification-queue">
                                {q.items.into_iter().map(|item| view! { <QueueRow item review error/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn QueueRow(
    item: VerificationItem,
    review: ServerAction<ReviewCertificate>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let c = item.certificate;
    let id = c.id.to_string();
    let expires = c
        .expires_on
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let reason_id = format!("reject-reason-{id}");
    let (verify_id, reject_id, expires_id) = (id.clone(), id.clone(), format!("expires-{id}"));
    view! {
        <li class="subpanel verification" data-certificate=id>
            <h2 class="h3">{format!("{} — {}", c.name, item.freelancer)}</h2>
            <p>
                <a href=format!("/hire/freelancers/{}", item.freelancer_id)>{item.email.clone()}</a>
                {format!(" · uploaded {} · ", c.uploaded_on.format("%-d %b %Y"))}
                <a href=document_href(&c) target="_blank" rel="noopener">{format!("Open {}", c.file_name)}</a>
            </p>
            <ActionForm action=review attr:class="inline-form" attr:novalidate=true>
                <input type="hidden" name="certificate" value=verify_id/>
                <input type="hidden" name="decision" value="verify"/>
                <input type="hidden" name="reason" value=""/>
                {if item.type_expires {
                    view! {
                        <TextField label="Valid until" name="expires_on" kind="date" value=expires
                            id=expires_id error/>
                    }.into_any()
                } else {
                    view! { <input type="hidden" name="expires_on" value=""/> }.into_any()
                }}
                <button type="submit" class="button button--small">"Verify"</button>
            </ActionForm>
            <ActionForm action=review attr:class="inline-form">
                <input type="hidden" name="certificate" value=reject_id/>
                <input type="hidden" name="decision" value="reject"/>
                <input type="hidden" name="expires_on" value=""/>
                <label for=reason_id.clone() class="visually-hidden">"Why it is rejected"</label>
                <input id=reason_id type="text" name="reason" placeholder="Why, for the freelancer" required/>
                <button type="submit" class="link-button link-button--danger">"Reject"</button>
            </ActionForm>
        </li>
    }
}
