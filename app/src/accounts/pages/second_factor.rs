//! Two-step sign-in on the security page (turning it on with an authenticator app, recovery
//! codes, turning it off), and what a page shows when it needs a second factor first.

use crate::accounts::api::{
    AddPasskey, ConfirmAuthenticator, ConfirmSecondFactor, RemovePasskey, RenewRecoveryCodes,
    StartAuthenticator, TurnOffTwoStep, passkey_registration_options,
};
use crate::accounts::model::{PasskeyInfo, TwoStepStatus, is_same_site_path};
use crate::error::AppError;
use crate::ui::passkey::{self, Ceremony};
use crate::ui::{
    FormError, Notice, PasskeyUse, TextField, UsePasskey, form_error, on_success, urlencode,
};
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
    pub add_passkey: ServerAction<AddPasskey>,
    pub remove_passkey: ServerAction<RemovePasskey>,
}

/// The version of `action` when its last run succeeded, else 0.
fn succeeded<I>(action: ServerAction<I>) -> usize
where
    I: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    I::Output: Clone + Send + Sync + 'static,
{
    if action.value().with(|v| matches!(v, Some(Ok(_)))) {
        action.version().get()
    } else {
        0
    }
}

impl TwoStepActions {
    pub fn new() -> Self {
        TwoStepActions {
            start: ServerAction::new(),
            confirm: ServerAction::new(),
            renew: ServerAction::new(),
            off: ServerAction::new(),
            add_passkey: ServerAction::new(),
            remove_passkey: ServerAction::new(),
        }
    }

    /// Changes whenever two-step sign-in changed: after each action that succeeded. A refused
    /// code changes nothing, and reloading then would draw the form again under the person
    /// typing the next code.
    pub fn version(&self) -> [usize; 5] {
        [
            succeeded(self.confirm),
            succeeded(self.renew),
            succeeded(self.off),
            succeeded(self.add_passkey),
            succeeded(self.remove_passkey),
        ]
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
        add_passkey,
        remove_passkey,
    } = actions;
    // The recovery codes just made, shown once.
    let fresh_codes = move || {
        renew
            .value()
            .get()
            .and_then(Result::ok)
            .or_else(|| confirm.value().get().and_then(Result::ok))
            .or_else(|| add_passkey.value().get().and_then(Result::ok).flatten())
    };
    // Where the person was sent from (an admin page), to go back once it is on.
    let next = use_query_map()
        .with_untracked(|q| q.get("next"))
        .filter(|n| is_same_site_path(n));
    let on = status.is_on();
    let has_passkeys = !status.passkeys.is_empty();
    let app = match status.on_since {
        None => view! { <TurnOn start confirm/> }.into_any(),
        Some(since) => view! {
            <p>{format!("On since {}.", since.format("%-d %B %Y"))}</p>
            {(!status.required || has_passkeys).then(|| view! { <TurnOff off has_passkeys/> })}
        }
        .into_any(),
    };
    view! {
        <section class="panel" aria-labelledby="two-step-heading" data-testid="two-step">
            <h2 id="two-step-heading">"Two-step sign-in"</h2>
            {move || fresh_codes().map(|codes| view! { <RecoveryCodes codes/> })}
            {(status.required && !on).then(|| view! {
                <Notice tone="warning">
                    <p>"The back office needs two-step sign-in. Set it up here to continue."</p>
                </Notice>
            })}
            {if on {
                view! {
                    <p data-testid="two-step-on">
                        <strong>"On"</strong>
                        {format!(" · {} recovery code{} left", status.recovery_codes_left, if status.recovery_codes_left == 1 { "" } else { "s" })}
                    </p>
                    {next.clone().map(|next| view! {
                        <p><a class="button" href=next>"Continue where you were"</a></p>
                    })}
                    <RenewCodes renew/>
                    {status.required.then(|| view! {
                        <p class="muted">"Admins keep two-step sign-in on: the back office needs it."</p>
                    })}
                }.into_any()
            } else {
                view! {
                    <p>"With two-step sign-in, signing in takes your password and a code from an authenticator app on your phone, or a passkey, so a stolen password alone opens nothing."</p>
                }.into_any()
            }}
            <h3>"Authenticator app"</h3>
            {app}
            <h3>"Passkeys"</h3>
            <Passkeys passkeys=status.passkeys add=add_passkey remove=remove_passkey/>
        </section>
    }
}

/// The person's passkeys, each with a way to remove it, and the form that adds one.
#[component]
fn Passkeys(
    passkeys: Vec<PasskeyInfo>,
    add: ServerAction<AddPasskey>,
    remove: ServerAction<RemovePasskey>,
) -> impl IntoView {
    let remove_error = form_error(remove);
    let add_error = form_error(add);
    // A refusal before the server's answer: the options, or the browser's passkey.
    let early = RwSignal::new(None::<AppError>);
    let error = Signal::derive(move || early.get().or_else(|| add_error.get()));
    let name = RwSignal::new("Passkey".to_owned());
    let pending = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if pending.get_untracked() || add.pending().get_untracked() {
            return;
        }
        pending.set(true);
        early.set(None);
        leptos::task::spawn_local(async move {
            let answer = match passkey_registration_options().await {
                Ok(options) => passkey::run(Ceremony::Create, &options)
                    .await
                    .map_err(AppError::invalid),
                Err(error) => Err(error),
            };
            pending.set(false);
            match answer {
                Ok(answer) => {
                    add.dispatch(AddPasskey {
                        name: name.get_untracked(),
                        answer,
                    });
                }
                Err(error) => early.set(Some(error)),
            }
        });
    };
    let busy = move || pending.get() || add.pending().get();
    view! {
        <p>"A passkey signs you in with your device's fingerprint, face or PIN instead of a code, and works as your second step after a password too."</p>
        {(!passkeys.is_empty()).then(|| view! {
            <ul class="passkeys" role="list" data-testid="passkeys">
                {passkeys.into_iter().map(|key| view! {
                    <li>
                        <strong>{key.name.clone()}</strong>
                        <span class="muted">{format!(
                            " · added {}{}",
                            key.created_at.format("%-d %B %Y"),
                            key.last_used_at.map(|at| format!(", last used {}", at.format("%-d %B %Y"))).unwrap_or_default(),
                        )}</span>
                        <ActionForm action=remove attr:class="inline-form">
                            <input type="hidden" name="passkey" value=key.id.to_string()/>
                            <button type="submit" class="button button--quiet"
                                aria-label=format!("Remove the passkey {}", key.name)>"Remove"</button>
                        </ActionForm>
                    </li>
                }).collect_view()}
            </ul>
            <FormError error=remove_error/>
        })}
        <form class="form form--narrow" on:submit=submit novalidate>
            <label for="passkey-name">"Name for the new passkey"</label>
            <input id="passkey-name" type="text" maxlength="60" bind:value=name/>
            <FormError error/>
            <button type="submit" class="button" disabled=busy>
                {move || if busy() { "Waiting for your device…" } else { "Add a passkey" }}
            </button>
        </form>
    }
}

#[component]
fn TurnOn(
    start: ServerAction<StartAuthenticator>,
    confirm: ServerAction<ConfirmAuthenticator>,
) -> impl IntoView {
    let start_error = form_error(start);
    let confirm_error = form_error(confirm);
    let setup = move || start.value().get().and_then(Result::ok);
    view! {
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
fn TurnOff(off: ServerAction<TurnOffTwoStep>, has_passkeys: bool) -> impl IntoView {
    let error = form_error(off);
    view! {
        <ActionForm action=off attr:class="inline-form">
            <button type="submit" class="button button--quiet">
                {if has_passkeys { "Remove the authenticator app" } else { "Turn off two-step sign-in" }}
            </button>
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
            <p>"This page needs your passkey or a code from your authenticator app on this device."</p>
            <ActionForm action=action attr:class="form form--narrow" attr:novalidate=true>
                <TextField label="Code from your authenticator app (or a recovery code)" name="code" autocomplete="one-time-code" error/>
                <FormError error/>
                <button type="submit" class="button">"Confirm"</button>
            </ActionForm>
            <UsePasskey purpose=PasskeyUse::Confirm label="Use a passkey"
                confirmed=Callback::new(|()| { let _ = window().location().reload(); })/>
        </section>
    }
    .into_any()
}
