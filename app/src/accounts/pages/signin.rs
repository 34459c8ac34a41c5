//! Sign in, sign up, confirm an email address, reset a password.

use super::refresh_viewer_on_success;
use crate::accounts::api::{
    CompleteSecondFactor, RequestPasswordReset, ResetPassword, SignIn, SignInWithLink, SignUp,
    StartOidc, VerifyEmail, check_reset_link, load_providers,
};
use crate::accounts::model::{PASSWORD_MIN_CHARS, ProviderInfo};
use crate::ui::{ErrorPage, FormError, Notice, PasskeyUse, TextField, UsePasskey, form_error};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PASSWORD_HINT: &str = "At least 12 characters. A short sentence is easy to remember.";

fn query(name: &'static str) -> Memo<Option<String>> {
    let map = use_query_map();
    Memo::new(move |_| map.with(|m| m.get(name)).filter(|v| !v.is_empty()))
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let next = query("next");
    // Set by the OpenID callback when a provider sign-in did not complete.
    let oidc = query("oidc");
    let oidc_message = move || {
        oidc.get().map(|outcome| {
            if outcome == "cancelled" {
                "Signing in with your provider was cancelled. Try again, or use your email and password."
            } else if outcome == "existing" {
                "An Olivine account already uses the email address your provider gave us. Sign in \
                 to that account below (or reset its password), then link your provider from \
                 your account page."
            } else {
                "Signing in with your provider didn't complete. If your provider account has no \
                 verified email address, or is linked to another Olivine account, use your email \
                 and password instead."
            }
        })
    };
    let action = ServerAction::<SignIn>::new();
    refresh_viewer_on_success(action);
    let error = form_error(action);
    let pending = action.pending();
    view! {
        <Title text="Sign in — Olivine"/>
        <section class="auth">
            <h1>"Sign in"</h1>
            {move || oidc_message().map(|text| view! { <Notice tone="warning"><p>{text}</p></Notice> })}
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
                <TextField label="Email" name="email" kind="email" autocomplete="username" error/>
                <TextField label="Password" name="password" kind="password" autocomplete="current-password" error/>
                <FormError error/>
                <button type="submit" class="button button--wide" disabled=pending>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p class="auth__or">"or, with the email address above"</p>
                <UsePasskey purpose=PasskeyUse::SignIn label="Use a passkey" next/>
            </ActionForm>
            <p class="auth__aside"><a href="/reset-password">"Forgot your password?"</a></p>
            <ProviderButtons next=next/>
            <p class="auth__switch">"New to Olivine? " <a href="/signup">"Create an account"</a></p>
        </section>
    }
}

/// The second step of a sign-in, for a person with two-step sign-in.
#[component]
pub fn SecondFactorPage() -> impl IntoView {
    let next = query("next");
    let action = ServerAction::<CompleteSecondFactor>::new();
    refresh_viewer_on_success(action);
    let error = form_error(action);
    let pending = action.pending();
    view! {
        <Title text="Enter your sign-in code — Olivine"/>
        <section class="auth">
            <h1>"Enter your sign-in code"</h1>
            <p>"Open the authenticator app on your phone and enter the six-digit code it shows for Olivine, or use your passkey."</p>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
                <TextField label="Code" name="code" autocomplete="one-time-code"
                    hint="Lost your phone? Enter one of your recovery codes instead." error/>
                <FormError error/>
                <button type="submit" class="button button--wide" disabled=pending>
                    {move || if pending.get() { "Checking…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="auth__or">"or"</p>
            <UsePasskey purpose=PasskeyUse::SecondStep label="Use a passkey instead" next/>
            <p class="auth__aside"><a href="/signin">"Start again"</a></p>
        </section>
    }
}

/// "Continue with …" for each configured OpenID provider.
#[component]
fn ProviderButtons(next: Memo<Option<String>>) -> impl IntoView {
    let providers = Resource::new(|| (), |()| load_providers());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list: Vec<ProviderInfo> = providers.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <div class="auth__providers">
                        <p class="auth__or">"or"</p>
                        {list.into_iter().map(|p| view! { <ProviderButton provider=p next=next/> }).collect_view()}
                    </div>
                })
            })}
        </Suspense>
    }
}

#[component]
fn ProviderButton(provider: ProviderInfo, next: Memo<Option<String>>) -> impl IntoView {
    let action = ServerAction::<StartOidc>::new();
    let error = form_error(action);
    view! {
        <ActionForm action=action attr:class="form form--inline">
            <input type="hidden" name="provider" value=provider.id.clone()/>
            <input type="hidden" name="next" value=move || next.get().unwrap_or_default()/>
            <button type="submit" class="button button--quiet button--wide">
                {format!("Continue with {}", provider.name)}
            </button>
            <FormError error/>
        </ActionForm>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    let action = ServerAction::<SignUp>::new();
    let error = form_error(action);
    let pending = action.pending();
    let sent = move || action.value().get().and_then(Result::ok);
    view! {
        <Title text="Create an account — Olivine"/>
        <section class="auth">
            <Show
                when=move || sent().is_some()
                fallback=move || view! {
                    <h1>"Create your account"</h1>
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <TextField label="Your name" name="display_name" autocomplete="name" error/>
                        <TextField label="Email" name="email" kind="email" autocomplete="email" error/>
                        <TextField label="Password" name="password" kind="password" autocomplete="new-password" hint=PASSWORD_HINT error/>
                        <FormError error/>
                        <button type="submit" class="button button--wide" disabled=pending>"Create account"</button>
                    </ActionForm>
                    <p class="auth__switch">"Already have an account? " <a href="/signin">"Sign in"</a></p>
                }
            >
                <h1>"Check your inbox"</h1>
                <Notice tone="success">
                    <p>{move || format!("We've sent a link to {}. Open it to finish creating your account.", sent().unwrap_or_default())}</p>
                </Notice>
                <p>"The link works once, for 24 hours. Nothing arrived? Check your spam folder, or sign up again."</p>
            </Show>
        </section>
    }
}

#[component]
pub fn VerifyEmailPage() -> impl IntoView {
    let token = query("token");
    let action = ServerAction::<VerifyEmail>::new();
    refresh_viewer_on_success(action);
    let error = form_error(action);
    view! {
        <Title text="Confirm your email — Olivine"/>
        <section class="auth">
            <h1>"Confirm your email address"</h1>
            <p>"One click and you're in."</p>
            // A button, not the link itself: mail scanners that follow links must not use it up.
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="token" value=move || token.get().unwrap_or_default()/>
                <FormError error/>
                <button type="submit" class="button button--wide">"Confirm and sign in"</button>
            </ActionForm>
        </section>
    }
}

/// `/signin/link?token=…`: the one-time sign-in link mailed to a locked account's owner.
#[component]
pub fn SignInLinkPage() -> impl IntoView {
    let token = query("token");
    let action = ServerAction::<SignInWithLink>::new();
    refresh_viewer_on_success(action);
    let error = form_error(action);
    view! {
        <Title text="Sign in with your link — Olivine"/>
        <section class="auth">
            <h1>"Sign in with your one-time link"</h1>
            <p>"This device will be remembered, so your password works here again."</p>
            // A button, not the link itself: mail scanners that follow links must not use it up.
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="token" value=move || token.get().unwrap_or_default()/>
                <FormError error/>
                <button type="submit" class="button button--wide">"Sign in"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = query("token");
    view! {
        <Title text="Reset your password — Olivine"/>
        <section class="auth">
            {move || match token.get() {
                Some(token) => view! { <ChooseNewPassword token/> }.into_any(),
                None => view! { <RequestReset/> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn RequestReset() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = form_error(action);
    let sent = move || action.value().get().and_then(Result::ok);
    view! {
        <h1>"Reset your password"</h1>
        <Show
            when=move || sent().is_some()
            fallback=move || view! {
                <p>"Enter your account's email address and we'll send you a link to choose a new password."</p>
                <ActionForm action=action attr:class="form" attr:novalidate=true>
                    <TextField label="Email" name="email" kind="email" autocomplete="username" error/>
                    <FormError error/>
                    <button type="submit" class="button button--wide">"Send the link"</button>
                </ActionForm>
            }
        >
            <Notice tone="success">
                <p>{move || format!("If {} has an Olivine account, a reset link is on its way. It works for an hour.", sent().unwrap_or_default())}</p>
            </Notice>
        </Show>
        <p class="auth__switch"><a href="/signin">"Back to sign in"</a></p>
    }
}

#[component]
fn ChooseNewPassword(token: String) -> impl IntoView {
    let check = {
        let token = token.clone();
        Resource::new(move || token.clone(), check_reset_link)
    };
    let action = ServerAction::<ResetPassword>::new();
    refresh_viewer_on_success(action);
    let error = form_error(action);
    view! {
        <h1>"Choose a new password"</h1>
        <Suspense fallback=|| view! { <p aria-busy="true">"Checking your link…"</p> }>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    match check.await {
                        Ok(true) => view! {
                            <ActionForm action=action attr:class="form" attr:novalidate=true>
                                <input type="hidden" name="token" value=token/>
                                <TextField label="New password" name="password" kind="password" autocomplete="new-password" hint=PASSWORD_HINT error/>
                                <FormError error/>
                                <button type="submit" class="button button--wide">"Save and sign in"</button>
                            </ActionForm>
                            <p class="field__hint">{format!("Signing in elsewhere? Every device will be signed out. Minimum {PASSWORD_MIN_CHARS} characters.")}</p>
                        }.into_any(),
                        Ok(false) => view! {
                            <Notice tone="warning">
                                <p>"This link has expired or was already used."</p>
                            </Notice>
                            <p><a class="button" href="/reset-password">"Send me a new link"</a></p>
                        }.into_any(),
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
