//! "Confirm it's you": a code from the authenticator app or a passkey, asked where a form's
//! action was refused for want of a recent second factor. Once it is taken the form around it is
//! submitted again, with what the person had typed; shown outside a form (a page's shared
//! error line), it says to try again.

use super::{PasskeyUse, UsePasskey};
use crate::accounts::api::confirm_second_factor;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn StepUp() -> impl IntoView {
    let code = RwSignal::new(String::new());
    let confirm = Action::new(|code: &String| confirm_second_factor(code.clone()));
    let here = NodeRef::<leptos::html::Div>::new();
    let try_again = RwSignal::new(false);
    let resubmit = move || {
        let form = here
            .get_untracked()
            .and_then(|div| div.closest("form").ok().flatten())
            .and_then(|form| form.dyn_into::<web_sys::HtmlFormElement>().ok());
        match form {
            // The submit event runs the form's own action again.
            Some(form) => {
                let _ = form.request_submit();
            }
            None => try_again.set(true),
        }
    };
    Effect::new(move |_| {
        if matches!(confirm.value().get(), Some(Ok(()))) {
            resubmit();
        }
    });
    let problem = move || {
        confirm
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.detail())
    };
    let send = move || {
        if !confirm.pending().get_untracked() {
            confirm.dispatch(code.get_untracked());
        }
    };
    view! {
        // No <form>: this sits inside the refused one, and its code is not one of that form's
        // fields (the input has no name).
        <div class="step-up" node_ref=here data-testid="step-up">
            <label for="step-up-code">"Code from your authenticator app (or a recovery code)"</label>
            <input
                id="step-up-code"
                type="text"
                inputmode="numeric"
                autocomplete="one-time-code"
                aria-describedby="step-up-error"
                bind:value=code
                // Enter confirms the code instead of submitting the form around it.
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        send();
                    }
                }
            />
            <button type="button" class="button" disabled=move || confirm.pending().get() on:click=move |_| send()>
                "Confirm and continue"
            </button>
            <p class="field__error" id="step-up-error" role="alert">{problem}</p>
            <UsePasskey purpose=PasskeyUse::Confirm label="Use a passkey instead"
                confirmed=Callback::new(move |()| resubmit())/>
            <Show when=move || try_again.get()>
                <p role="status">"Confirmed. Now try again."</p>
            </Show>
        </div>
    }
}
