//! Form pieces: labelled fields with their own error, a form-level error, query encoding.

use crate::error::AppError;
use leptos::prelude::*;

/// Percent-encode a value for a query string (RFC 3986 unreserved characters pass through).
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char);
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Shows a form's overall error (if any) in a live region.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <p class="form-error" role="alert" aria-live="polite">
            {move || error.get().map(|e| e.to_string())}
        </p>
    }
}

/// The message for one field from a form's latest error.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || {
        error.with(|e| {
            e.as_ref()
                .and_then(|e| e.field_message(field))
                .map(str::to_owned)
        })
    })
}

/// The latest error of a server action, for forms.
pub fn form_error<I>(action: ServerAction<I>) -> Signal<Option<AppError>>
where
    I: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    I::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || {
        action
            .value()
            .with(|v| v.as_ref().and_then(|r| r.as_ref().err().cloned()))
    })
}

/// A labelled input with its hint and its error, wired for screen readers.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = true)] required: bool,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = field_error(error, name);
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message.with(Option::is_some) {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div class="field" class:field--invalid=move || message.with(Option::is_some)>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id.clone()>{h}</p> })}
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=move || if message.with(Option::is_some) { "true" } else { "false" }
                aria-describedby=described_by
            />
            <p class="field__error" id=error_id>{move || message.get()}</p>
        </div>
    }
}

/// A success or information banner.
#[component]
pub fn Notice(#[prop(default = "info")] tone: &'static str, children: Children) -> impl IntoView {
    view! { <div class=format!("banner banner--{tone}") role="status">{children()}</div> }
}
