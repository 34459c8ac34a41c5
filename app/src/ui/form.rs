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

/// Decode a query-string value: `+` is a space, `%XX` a byte; invalid escapes stay as they are.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Shows a form's overall error (if any) in a live region; when the action wants a second
/// factor given again, the place to give it.
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    let step_up =
        move || error.with(|e| matches!(e, Some(AppError::SecondFactorRequired { setup: false })));
    view! {
        <p class="form-error" role="alert" aria-live="polite">
            {move || error.get().map(|e| e.to_string())}
        </p>
        <Show when=step_up>
            <super::StepUp/>
        </Show>
    }
}

/// The message for one field from a form's latest error.
pub fn field_error(
    error: Signal<Option<AppError>>,
    field: impl Into<String>,
) -> Signal<Option<String>> {
    let field: String = field.into();
    Signal::derive(move || {
        error.with(|e| {
            e.as_ref()
                .and_then(|e| e.field_message(&field))
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

/// A field's control and the ids that tie it to its label, hint and error.
#[derive(Clone)]
struct FieldWiring {
    id: String,
    invalid: Signal<bool>,
    described_by: Signal<String>,
}

/// The frame every field shares: label, optional hint, the control, the error under it.
fn labelled_field(
    label: &'static str,
    name: &'static str,
    id: Option<String>,
    hint: Option<&'static str>,
    error: Signal<Option<AppError>>,
    control: impl FnOnce(FieldWiring) -> AnyView,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| format!("field-{name}"));
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let message = field_error(error, name);
    let invalid = Signal::derive(move || message.with(Option::is_some));
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        Signal::derive(move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if invalid.get() {
                ids.push(error_id.clone());
            }
            ids.join(" ")
        })
    };
    let control = control(FieldWiring {
        id: id.clone(),
        invalid,
        described_by,
    });
    view! {
        <div class="field" class:field--invalid=move || invalid.get()>
            <label for=id>{label}</label>
            {hint.map(|h| view! { <p class="field__hint" id=hint_id>{h}</p> })}
            {control}
            <p class="field__error" id=error_id>{move || message.get()}</p>
        </div>
    }
}

fn aria_invalid(invalid: Signal<bool>) -> impl Fn() -> &'static str + Send + Sync + 'static {
    move || if invalid.get() { "true" } else { "false" }
}

/// Run `then` with the output each time `action` succeeds.
pub fn on_success<I>(action: ServerAction<I>, then: impl Fn(&I::Output) + 'static)
where
    I: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    I::Output: Clone + Send + Sync + 'static,
{
    let seen = StoredValue::new(0_usize);
    Effect::new(move |_| {
        let version = action.version().get();
        if version == seen.get_value() {
            return;
        }
        seen.set_value(version);
        action.value().with_untracked(|value| {
            if let Some(Ok(output)) = value {
                then(output);
            }
        });
    });
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
    /// The element id, when a page has the same form more than once; `field-{name}` otherwise.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    labelled_field(label, name, id, hint, error, move |wiring| {
        let FieldWiring {
            id,
            invalid,
            described_by,
        } = wiring;
        view! {
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                value=value
                required=required
                aria-invalid=aria_invalid(invalid)
                aria-describedby=move || described_by.get()
            />
        }
        .into_any()
    })
}

/// A success or information banner.
#[component]
pub fn Notice(#[prop(default = "info")] tone: &'static str, children: Children) -> impl IntoView {
    view! { <div class=format!("banner banner--{tone}") role="status">{children()}</div> }
}

/// A labelled multi-line field with its hint and error, like [`TextField`].
#[component]
pub fn TextArea(
    label: &'static str,
    name: &'static str,
    #[prop(optional, into)] value: String,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = 4)] rows: u32,
    error: Signal<Option<AppError>>,
    /// The element id, when a page has the same form more than once; `field-{name}` otherwise.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView {
    labelled_field(label, name, id, hint, error, move |wiring| {
        let FieldWiring {
            id,
            invalid,
            described_by,
        } = wiring;
        view! {
            <textarea
                id=id
                name=name
                rows=rows
                aria-invalid=aria_invalid(invalid)
                aria-describedby=move || described_by.get()
            >{value}</textarea>
        }
        .into_any()
    })
}

/// Forms with changes not yet saved, by key. A form marks itself on input and is cleared when
/// its save succeeds; while any is marked, leaving the page asks first.
#[derive(Clone, Copy, Debug)]
pub struct UnsavedChanges(RwSignal<std::collections::BTreeSet<String>>);

impl UnsavedChanges {
    pub fn new() -> Self {
        UnsavedChanges(RwSignal::new(std::collections::BTreeSet::new()))
    }

    pub fn mark(self, key: &str) {
        if !self.0.with_untracked(|keys| keys.contains(key)) {
            self.0.update(|keys| {
                keys.insert(key.to_owned());
            });
        }
    }

    pub fn clear(self, key: &str) {
        if self.0.with_untracked(|keys| keys.contains(key)) {
            self.0.update(|keys| {
                keys.remove(key);
            });
        }
    }

    pub fn is_dirty(self, key: &str) -> bool {
        self.0.with(|keys| keys.contains(key))
    }

    pub fn any(self) -> bool {
        self.0.with(|keys| !keys.is_empty())
    }
}

impl Default for UnsavedChanges {
    fn default() -> Self {
        Self::new()
    }
}

const LEAVE_QUESTION: &str = "You have changes that are not saved. Leave this page and lose them?";

/// While `unsaved` has any form marked, closing or reloading the tab asks the browser's own
/// question, and following a link on the page asks ours (links are caught on the way down,
/// before the router sees them).
#[component]
pub fn UnsavedChangesGuard(unsaved: UnsavedChanges) -> impl IntoView {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    Effect::new(move |_| {
        let Some(window) = web_sys::window() else {
            return;
        };
        let before_unload = window_event_listener(leptos::ev::beforeunload, move |event| {
            if unsaved.0.with_untracked(|keys| !keys.is_empty()) {
                event.prevent_default();
                event.set_return_value(LEAVE_QUESTION);
            }
        });
        let on_click =
            Closure::<dyn FnMut(web_sys::MouseEvent)>::new(move |event: web_sys::MouseEvent| {
                if unsaved.0.with_untracked(|keys| keys.is_empty()) {
                    return;
                }
                let link = event
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|e| e.closest("a[href]").ok().flatten());
                if link.is_none() {
                    return;
                }
                let leave = web_sys::window()
                    .and_then(|w| w.confirm_with_message(LEAVE_QUESTION).ok())
                    .unwrap_or(true);
                if leave {
                    unsaved.0.set(std::collections::BTreeSet::new());
                } else {
                    event.prevent_default();
                    event.stop_propagation();
                }
            });
        let document = window.document();
        if let Some(document) = &document {
            let _ = document.add_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        }
        let listener = send_wrapper::SendWrapper::new((document, on_click));
        on_cleanup(move || {
            before_unload.remove();
            let (document, on_click) = listener.take();
            if let Some(document) = document {
                let _ = document.remove_event_listener_with_callback_and_bool(
                    "click",
                    on_click.as_ref().unchecked_ref(),
                    true,
                );
            }
        });
    });
}
