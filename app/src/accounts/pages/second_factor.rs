//! Two-step sign-in on the security page (turning it on with an authenticator app, recovery
//! codes, turning it off), and what a page shows when it needs a second factor first.

use crate::accounts::api::{
    ConfirmAuthenticator, ConfirmSecondFactor, RenewRecoveryCodes, StartAuthenticator,
    TurnOffTwoStep,
};
use crate::accounts::model::{TwoStepStatus, is_same_site_path};
use crate::ui::{FormError, Notice, TextField, form_error, on_success, urlencode};
use leptos::prelude::*;
use leptos_router::hooks::{use_location, use_query_map};

/// The actions of the two-step section, created with the security page (its status resource
/// refetches after them).
#[derive(Clone, Copy)]
pub struct TwoStepActions {
    pub start: ServerAction<StartAuthenticator>,
    pub confirm: ServerAction<ConfirmAuthenticator>,
    pub renew: ServerAction<RenewRecoveryCodes>,
    pub off: ServerAction<TurnOffTwoStep>,
}

impl TwoStepActions {
    pub fn new() -> Self {
        TwoStepActions {
            start: ServerAction::new(),
            confirm: ServerAction::new(),
            renew: ServerAction::new(),
            off: ServerAction::new(),
        }
    }

    /// Changes whenever two-step sign-in changed: after each action that succeeded. A refused
    /// code changes nothing, and reloading then would draw the form again under the person
    /// typing the next code.
    pub fn version(&self) -> (usize, usize, usize) {
        let succeeded = |ok: bool, version: usize| if ok { version } else { 0 };
        (
            succeeded(
                self.confirm.value().with(|v| matches!(v, Some(Ok(_)))),
                self.confirm.version().get(),
            ),
            succeeded(
                self.renew.value().with(|v| matches!(v, Some(Ok(_)))),
                self.renew.version().get(),
            ),
            succeeded(
                self.off.value().with(|v| matches!(v, Some(Ok(_)))),
                self.off.version().get(),
            ),
        )
    }
}

impl Default for TwoStepActions {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn TwoStepSection(status: TwoStepStatus, actions: TwoStepActions) -> impl IntoView {
    let TwoStepActions {
        start,
        confirm,
        renew,
        off,
    } = actions;
    // The recovery codes just made, shown once.
    let fresh_codes = move || {
        renew
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| confirm.value().get().and_then(Result::ok))
    };
    // Where the person was sent from (an admin page), to go back once it is on.
    let next = use_query_map()
        .with_untracked(|q| q.get("next"))
        .filter(|n| is_same_site_path(n));
    let body = match status.on_since {
        None => view! { <TurnOn required=status.required start confirm/> }.into_any(),
        Some(since) => view! {
            <p data-testid="two-step-on">
                <strong>"On"</strong>
                {format!(" since {} · {} recovery code{} left", since.format("%-d %B %Y"), status.recovery_codes_left, if status.recovery_codes_left == 1 { "" } else { "s" })}
            </p>
            {next.clone().map(|next| view! {
                <p><a class="button" href=next>"Continue where you were"</a></p>
            })}
            <RenewCodes renew/>
            {(!status.required).then(|| view! { <TurnOff off/> })}
            {status.required.then(|| view! {
                <p class="muted">"Admins keep two-step sign-in on: the back office needs it."</p>
            })}
        }
        .into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="two-step-heading" data-testid="two-step">
            <h2 id="two-step-heading">"Two-step sign-in"</h2>
            {move || fresh_codes().map(|codes| view! { <RecoveryCodes codes/> })}
            {body}
        </section>
    }
}

#[component]
fn TurnOn(
    required: bool,
    start: ServerAction<StartAuthenticator>,
    confirm: ServerAction<ConfirmAuthenticator>,
) -> impl IntoView {
    let start_error = form_error(start);
    let confirm_error = form_error(confirm);
    let setup = move || start.value().get().and_then(Result::ok);
    view! {
        {required.then(|| view! {
            <Notice tone="warning">
                <p>"The back office needs two-step sign-in. Set it up here to continue."</p>
            </Notice>
        })}
        <p>"With two-step sign-in, signing in takes your password and a code from an authenticator app on your phone, so a stolen password alone opens nothing."</p>
        {move || match setup() {
            None => view! {
                <ActionForm action=start attr:class="inline-form">
                    <button type="submit" class="button">"Set up an authenticator app"</button>
                    <FormError error=start_error/>
                </ActionForm>
            }.into_any(),
            Some(setup) => view! {
                <ol class="steps">
                    <li>
                        "Scan this code with your authenticator app (any app for “TOTP” codes will do)."
                        <div class="qr" inner_html=setup.qr_svg></div>
                        "Can't scan it? Enter this key instead: "
                        <code data-testid="authenticator-secret">{setup.secret}</code>
                    </li>
                    <li>
                        "Enter the six-digit code the app shows."
                        <ActionForm action=confirm attr:class="form form--narrow" attr:novalidate=true>
                            <TextField label="Code from the app" name="code" autocomplete="one-time-code" error=confirm_error/>
                            <FormError error=confirm_error/>
                            <button type="submit" class="button">"Turn on two-step sign-in"</button>
                        </ActionForm>
                    </li>
                </ol>
            }.into_any(),
        }}
    }
}

/// The ten codes, shown once, to keep somewhere safe.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <Notice tone="success">
            <p><strong>"Save your recovery codes now."</strong>" Each one signs you in once if you lose your phone. We won't show them again."</p>
            <ul class="recovery-codes" role="list" data-testid="recovery-codes">
                {codes.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
            </ul>
        </Notice>
    }
}

#[component]
fn RenewCodes(renew: ServerAction<RenewRecoveryCodes>) -> impl IntoView {
    let error = form_error(renew);
    view! {
        <ActionForm action=renew attr:class="inline-form">
            <button type="submit" class="button button--quiet">"Make new recovery codes"</button>
            <FormError error/>
        </ActionForm>
    }
}

#[component]
fn TurnOff(off: ServerAction<TurnOffTwoStep>) -> impl IntoView {
    let error = form_error(off);
    view! {
        <ActionForm action=off attr:class="inline-form">
            <button type="submit" class="button button--quiet">"Turn off two-step sign-in"</button>
            <FormError error/>
        </ActionForm>
    }
}

/// A page refused for want of a second factor: sent to set one up (`setup`), or asked for a
/// code, after which the page loads again.
#[component]
pub fn SecondFactorNeeded(setup: bool) -> impl IntoView {
    let location = use_location();
    let here = format!(
        "{}{}",
        location.pathname.get_untracked(),
        location.search.get_untracked()
    );
    if setup {
        let to = format!("/account/security?next={}", urlencode(&here));
        return view! {
            <leptos_router::components::Redirect path=to.clone()/>
            <section class="notice" role="alert">
                <p class="eyebrow">"Two-step sign-in"</p>
                <h1>"Set up two-step sign-in to continue"</h1>
                <p>"The back office needs a code from an authenticator app at every sign-in."</p>
                <p class="notice__actions"><a class="button" href=to>"Set it up"</a></p>
            </section>
        }
        .into_any();
    }
    let action = ServerAction::<ConfirmSecondFactor>::new();
    let error = form_error(action);
    on_success(action, |_| {
        // The page's data loads again, now with the second factor given.
        let _ = window().location().reload();
    });
    view! {
        <leptos_meta::Title text="Confirm it's you — Olivine"/>
        <section class="notice" role="alert">
            <p class="eyebrow">"Two-step sign-in"</p>
            <h1>"Confirm it's you"</h1>
            <p>"This page needs a code from your authenticator app on this device."</p>
            <ActionForm action=action attr:class="form form--narrow" attr:novalidate=true>
                <TextField label="Code from your authenticator app (or a recovery code)" name="code" autocomplete="one-time-code" error/>
                <FormError error/>
                <button type="submit" class="button">"Confirm"</button>
            </ActionForm>
        </section>
    }
    .into_any()
}
