//! The browser's half of a passkey ceremony: the server's options (JSON) handed to
//! `navigator.credentials`, and the passkey's answer back as JSON; and the "Use a passkey"
//! button that signs in or confirms with one.

use crate::accounts::api::{
    confirm_with_passkey, passkey_confirm_options, passkey_second_step_options,
    passkey_sign_in_options, second_step_with_passkey, sign_in_with_passkey,
};
use crate::error::AppError;
use js_sys::{Function, JSON, Object, Promise, Reflect};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Which call of the browser's API a ceremony makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ceremony {
    /// A new passkey (`navigator.credentials.create`).
    Create,
    /// A passkey signs a challenge (`navigator.credentials.get`).
    Get,
}

fn get(target: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    Reflect::get(target, &JsValue::from_str(name))
}

fn method(target: &JsValue, name: &str) -> Result<Function, JsValue> {
    get(target, name)?.dyn_into::<Function>()
}

/// Run the ceremony of `options` (the server's JSON) in this browser; the passkey's answer as
/// JSON, or what to tell the person.
pub async fn run(ceremony: Ceremony, options: &str) -> Result<String, String> {
    let unsupported = |_| "This browser can't use passkeys.".to_owned();
    let global = js_sys::global();
    let api = get(&global, "PublicKeyCredential").map_err(unsupported)?;
    if api.is_undefined() {
        return Err(unsupported(JsValue::UNDEFINED));
    }
    let (parse, call) = match ceremony {
        Ceremony::Create => ("parseCreationOptionsFromJSON", "create"),
        Ceremony::Get => ("parseRequestOptionsFromJSON", "get"),
    };
    let request = (|| {
        let options = JSON::parse(options)?;
        let public_key = method(&api, parse)?.call1(&api, &get(&options, "publicKey")?)?;
        let request = Object::new();
        Reflect::set(&request, &JsValue::from_str("publicKey"), &public_key)?;
        let credentials = get(&get(&global, "navigator")?, "credentials")?;
        method(&credentials, call)?
            .call1(&credentials, &request)?
            .dyn_into::<Promise>()
    })()
    .map_err(unsupported)?;
    let credential = JsFuture::from(request)
        .await
        .map_err(|error| refused(ceremony, &error))?;
    let answer = method(&credential, "toJSON")
        .and_then(|to_json| to_json.call0(&credential))
        .and_then(|json| JSON::stringify(&json))
        .map_err(unsupported)?;
    Ok(String::from(answer))
}

/// What to tell the person when the browser refused (the DOMException's name says why).
fn refused(ceremony: Ceremony, error: &JsValue) -> String {
    let name = get(error, "name")
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match (name.as_str(), ceremony) {
        ("InvalidStateError", Ceremony::Create) => {
            "This device already holds a passkey for your account.".to_owned()
        }
        ("NotAllowedError", Ceremony::Create) => {
            "No passkey was made: it was cancelled or timed out.".to_owned()
        }
        ("NotAllowedError", Ceremony::Get) => {
            "No passkey was used: it was cancelled, or this device has none for this account."
                .to_owned()
        }
        ("SecurityError", _) => "Passkeys work only at the site's own address (on your own \
                                 computer: localhost, not 127.0.0.1)."
            .to_owned(),
        _ => "Your browser couldn't use a passkey. Please try again.".to_owned(),
    }
}

/// What a "Use a passkey" button does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasskeyUse {
    /// Sign in with the email address in the form around the button.
    SignIn,
    /// The second step of the sign-in waiting in this browser.
    SecondStep,
    /// Confirm a sensitive action on a signed-in device.
    Confirm,
}

/// A passkey ceremony from options to answer, as one step that can fail with a message.
async fn use_passkey(
    purpose: PasskeyUse,
    email: String,
    next: Option<String>,
) -> Result<Option<String>, String> {
    let said = |e: AppError| e.detail();
    let options = match purpose {
        PasskeyUse::SignIn => passkey_sign_in_options(email).await,
        PasskeyUse::SecondStep => passkey_second_step_options().await,
        PasskeyUse::Confirm => passkey_confirm_options().await,
    }
    .map_err(said)?;
    let answer = run(Ceremony::Get, &options).await?;
    match purpose {
        PasskeyUse::SignIn => sign_in_with_passkey(answer, next).await.map(Some),
        PasskeyUse::SecondStep => second_step_with_passkey(answer, next).await.map(Some),
        PasskeyUse::Confirm => confirm_with_passkey(answer).await.map(|()| None),
    }
    .map_err(said)
}

/// The value of the form field `name` in the form around `node`.
fn field_of_form_around(node: &web_sys::Element, name: &str) -> Option<String> {
    let form = node.closest("form").ok().flatten()?;
    get(&get(&form, name).ok()?, "value").ok()?.as_string()
}

/// "Use a passkey": signs in (then goes to `next`, or where the server says) or confirms (then
/// runs `confirmed`).
#[component]
pub fn UsePasskey(
    purpose: PasskeyUse,
    label: &'static str,
    #[prop(optional, into)] next: Option<Signal<Option<String>>>,
    #[prop(optional)] confirmed: Option<Callback<()>>,
) -> impl IntoView {
    let pending = RwSignal::new(false);
    let problem = RwSignal::new(None::<String>);
    let here = NodeRef::<leptos::html::Button>::new();
    let start = move |_| {
        if pending.get_untracked() {
            return;
        }
        let email = here
            .get_untracked()
            .and_then(|button| field_of_form_around(&button, "email"))
            .unwrap_or_default();
        let next = next.and_then(|n| n.get_untracked());
        pending.set(true);
        problem.set(None);
        leptos::task::spawn_local(async move {
            let outcome = use_passkey(purpose, email, next).await;
            pending.set(false);
            match outcome {
                Ok(Some(destination)) => {
                    // A whole new page: the header learns who is signed in.
                    let _ = window().location().set_href(&destination);
                }
                Ok(None) => {
                    if let Some(confirmed) = confirmed {
                        confirmed.run(());
                    }
                }
                Err(message) => problem.set(Some(message)),
            }
        });
    };
    view! {
        <div class="use-passkey">
            <button type="button" class="button button--quiet button--wide" node_ref=here
                disabled=move || pending.get() on:click=start>
                {move || if pending.get() { "Waiting for your passkey…" } else { label }}
            </button>
            <p class="field__error" role="alert">{move || problem.get()}</p>
        </div>
    }
}
