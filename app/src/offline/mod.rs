//! The freelancer app without a connection: what waits on this device to be sent, what the
//! server refused when it arrived, and whether the device is offline; and the form that keeps
//! its request on the device when there is no connection.
//!
//! The outbox itself (IndexedDB, sending, retrying) is `public/outbox.js`, shared with the
//! service worker (`public/sw.js`, which keeps the freelancer's pages readable offline). Each
//! request carries an idempotency key made when the person acted, which the server applies
//! once (`crate::idempotency`), so a retry after a lost answer changes nothing.

use crate::accounts::pages::ViewerState;
use crate::error::AppError;
use leptos::prelude::*;
use serde::Deserialize;

/// An action in this device's outbox: waiting to be sent, or refused when it arrived.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Queued {
    pub key: String,
    pub label: String,
    /// When the person acted, in milliseconds since the epoch.
    pub at: f64,
    pub state: QueuedState,
    /// The server's answer to a refused action (an `AppError` as JSON).
    #[serde(default)]
    pub answer: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum QueuedState {
    Waiting,
    Refused,
}

impl Queued {
    /// Why the server refused it, in the server's words.
    pub fn reason(&self) -> String {
        refusal(self.answer.as_deref().unwrap_or_default()).detail()
    }

    fn time(&self) -> String {
        chrono::DateTime::from_timestamp_millis(self.at as i64)
            .map(|at| at.format("%-d %b %H:%M UTC").to_string())
            .unwrap_or_default()
    }
}

/// A server function's error answer; anything else reads as the generic failure.
fn refusal(answer: &str) -> AppError {
    serde_json::from_str(answer).unwrap_or(AppError::Internal)
}

/// This tab's view of the outbox, shared by the bar and the forms.
#[derive(Clone, Copy)]
pub struct Outbox {
    /// The signed-in person's id: the outbox shows and sends only their part (in the browser).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    user: RwSignal<Option<String>>,
    online: RwSignal<bool>,
    items: RwSignal<Vec<Queued>>,
    /// Bumped whenever something from this device reached the server: pages that show it load
    /// again.
    pub delivered: RwSignal<u32>,
}

impl Outbox {
    fn new() -> Self {
        Outbox {
            user: RwSignal::new(None),
            online: RwSignal::new(true),
            items: RwSignal::new(Vec::new()),
            delivered: RwSignal::new(0),
        }
    }

    pub fn provide(viewer: ViewerState) -> Self {
        let outbox = Outbox::new();
        provide_context(outbox);
        #[cfg(feature = "hydrate")]
        browser::watch(outbox, viewer);
        #[cfg(not(feature = "hydrate"))]
        let _ = viewer;
        outbox
    }

    /// The outbox of the page open now (a fresh one where none was provided).
    pub fn here() -> Self {
        use_context::<Outbox>().unwrap_or_else(Outbox::new)
    }

    /// Whatever reads this loads again after something from this device was delivered.
    pub fn deliveries(&self) -> u32 {
        self.delivered.get()
    }
}

/// Says when the device is offline, what waits to be sent, and what the server refused.
#[component]
pub fn OutboxBar() -> impl IntoView {
    let outbox = Outbox::here();
    let in_state = move |state: QueuedState| {
        Memo::new(move |_| {
            outbox.items.with(|items| {
                items
                    .iter()
                    .filter(|i| i.state == state)
                    .cloned()
                    .collect::<Vec<_>>()
            })
        })
    };
    let waiting = in_state(QueuedState::Waiting);
    let refused = in_state(QueuedState::Refused);
    view! {
        <div class="outbox" role="status" aria-live="polite" data-testid="outbox">
            {move || (!outbox.online.get()).then(|| view! {
                <p class="outbox__offline" data-testid="offline">
                    <strong>"You're offline."</strong>
                    " Your shifts stay readable; hours and messages you send wait on this device and go out when you're back online."
                </p>
            })}
            {move || (!waiting.with(Vec::is_empty)).then(|| view! {
                <div class="outbox__list" data-testid="outbox-waiting">
                    <h2>"Waiting to be sent"</h2>
                    <ul role="list">
                        {waiting.get().into_iter().map(|item| view! {
                            <li>{item.label.clone()}<span class="muted">{format!(" · written {}", item.time())}</span></li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {move || (!refused.with(Vec::is_empty)).then(|| view! {
                <div class="outbox__list outbox__list--refused" role="alert" data-testid="outbox-refused">
                    <h2>"Not sent: refused when it arrived"</h2>
                    <ul role="list">
                        {refused.get().into_iter().map(|item| {
                            let key = item.key.clone();
                            view! {
                                <li>
                                    <strong>{item.label.clone()}</strong>
                                    {format!(" (written {}): {}", item.time(), item.reason())}" "
                                    <button type="button" class="link-button" on:click=move |_| dismiss(outbox, key.clone())>
                                        "Dismiss"
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </div>
            })}
        </div>
    }
}

fn dismiss(outbox: Outbox, key: String) {
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        let _ = browser::js::dismiss(&key).await;
        browser::refresh(outbox).await;
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (outbox, key);
}

/// A form whose request goes through the outbox: sent at once when there is a connection, kept
/// on the device when there is none. Without JavaScript it is a plain form post to `endpoint`.
///
/// `label` names the action in the outbox; `quote` names a field whose text is quoted in it.
#[component]
pub fn QueuedForm(
    endpoint: &'static str,
    label: String,
    #[prop(optional)] quote: Option<&'static str>,
    error: RwSignal<Option<AppError>>,
    children: Children,
) -> impl IntoView {
    let outbox = Outbox::here();
    let kept = RwSignal::new(false);
    let sending = RwSignal::new(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        #[cfg(feature = "hydrate")]
        {
            ev.prevent_default();
            if sending.get_untracked() {
                return;
            }
            let Some(form) = ev
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlFormElement>(t).ok())
            else {
                return;
            };
            let sent = Sent {
                outbox,
                form,
                error,
                kept,
                sending,
            };
            sent.send(endpoint, label.clone(), quote);
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, &label, quote, outbox, error);
    };
    view! {
        <form method="post" action=endpoint class="form form--compact" novalidate=true
            aria-busy=move || sending.get().to_string() on:submit=on_submit>
            {children()}
            {move || kept.get().then(|| view! {
                <p class="form-note" data-testid="kept">
                    "Saved on this device: it goes out as soon as you're back online."
                </p>
            })}
        </form>
    }
}

#[cfg(feature = "hydrate")]
struct Sent {
    outbox: Outbox,
    form: web_sys::HtmlFormElement,
    error: RwSignal<Option<AppError>>,
    kept: RwSignal<bool>,
    sending: RwSignal<bool>,
}

#[cfg(feature = "hydrate")]
impl Sent {
    fn send(self, endpoint: &'static str, label: String, quote: Option<&'static str>) {
        let Ok(data) = web_sys::FormData::new_with_form(&self.form) else {
            return;
        };
        let Ok(fields) = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data) else {
            return;
        };
        let label = match quote.and_then(|name| data.get(name).as_string()) {
            Some(text) if !text.trim().is_empty() => format!("{label}: “{}”", snippet(&text)),
            _ => label,
        };
        let Some(user) = self.outbox.user.get_untracked() else {
            self.error.set(Some(AppError::Unauthorized));
            return;
        };
        self.sending.set(true);
        leptos::task::spawn_local(async move {
            let answer =
                browser::js::submit(endpoint, &String::from(fields.to_string()), &label, &user)
                    .await
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
            self.sending.set(false);
            match serde_json::from_str::<browser::Submitted>(&answer) {
                Ok(browser::Submitted::Sent) => {
                    self.error.set(None);
                    self.kept.set(false);
                    self.form.reset();
                    self.outbox.delivered.update(|n| *n += 1);
                }
                Ok(browser::Submitted::Kept) => {
                    self.error.set(None);
                    self.kept.set(true);
                    self.form.reset();
                    browser::refresh(self.outbox).await;
                }
                Ok(browser::Submitted::Answered { answer }) => {
                    self.error.set(Some(refusal(&answer)));
                }
                Err(_) => self.error.set(Some(AppError::Unreachable)),
            }
        });
    }
}

/// The first words of a quoted text.
#[cfg(feature = "hydrate")]
fn snippet(text: &str) -> String {
    const CHARS: usize = 40;
    let text = text.trim();
    if text.chars().count() <= CHARS {
        text.to_owned()
    } else {
        format!(
            "{}…",
            text.chars().take(CHARS).collect::<String>().trim_end()
        )
    }
}

/// Ask the service worker to keep these pages readable offline (fetched now, kept until sign-out).
pub fn keep_offline(paths: Vec<String>) {
    #[cfg(feature = "hydrate")]
    if let Ok(paths) = serde_json::to_string(&paths) {
        let _ = browser::js::keep(&paths);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = paths;
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Outbox, Queued};
    use crate::accounts::pages::ViewerState;
    use leptos::prelude::*;
    use serde::Deserialize;
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;

    pub mod js {
        use wasm_bindgen::prelude::*;

        // `public/outbox.js`.
        #[wasm_bindgen]
        extern "C" {
            #[wasm_bindgen(js_namespace = OlivineOutbox, catch)]
            pub async fn submit(
                endpoint: &str,
                fields: &str,
                label: &str,
                user: &str,
            ) -> Result<JsValue, JsValue>;
            #[wasm_bindgen(js_namespace = OlivineOutbox, catch)]
            pub async fn list(user: &str) -> Result<JsValue, JsValue>;
            #[wasm_bindgen(js_namespace = OlivineOutbox, catch)]
            pub async fn flush(user: &str) -> Result<JsValue, JsValue>;
            #[wasm_bindgen(js_namespace = OlivineOutbox, catch)]
            pub async fn dismiss(key: &str) -> Result<JsValue, JsValue>;
            #[wasm_bindgen(js_namespace = OlivineOutbox, catch)]
            pub fn keep(paths: &str) -> Result<(), JsValue>;
        }
    }

    /// What `OlivineOutbox.submit` did with a form's request.
    #[derive(Deserialize)]
    #[serde(tag = "outcome", rename_all = "lowercase")]
    pub enum Submitted {
        Sent,
        Kept,
        Answered { answer: String },
    }

    /// Follow the connection and the outbox: send what waits when the connection returns (and
    /// once now), and show what is in it.
    pub fn watch(outbox: Outbox, viewer: ViewerState) {
        // Who is signed in decides whose part of the outbox this tab shows and sends.
        Effect::new(move |_| {
            let user = viewer
                .viewer
                .get()
                .and_then(Result::ok)
                .flatten()
                .map(|v| v.user_id.to_string());
            outbox.user.set(user);
            leptos::task::spawn_local(deliver(outbox));
        });
        Effect::new(move |_| {
            let Some(window) = web_sys::window() else {
                return;
            };
            outbox.online.set(window.navigator().on_line());
            for (event, online) in [("online", true), ("offline", false)] {
                let handler = Closure::<dyn Fn()>::new(move || {
                    outbox.online.set(online);
                    if online {
                        leptos::task::spawn_local(deliver(outbox));
                    }
                });
                let _ = window
                    .add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
                handler.forget();
            }
            // Another tab (or this one) changed the outbox.
            let changed = Closure::<dyn Fn()>::new(move || {
                leptos::task::spawn_local(refresh(outbox));
            });
            let _ = window.add_event_listener_with_callback(
                "olivine-outbox",
                changed.as_ref().unchecked_ref(),
            );
            changed.forget();
        });
    }

    /// Send what waits; pages that show it load again when anything arrived.
    async fn deliver(outbox: Outbox) {
        if let Some(user) = outbox.user.get_untracked() {
            let delivered = js::flush(&user).await.ok().and_then(|n| n.as_f64());
            if delivered.is_some_and(|n| n > 0.0) {
                outbox.delivered.update(|n| *n += 1);
            }
        }
        refresh(outbox).await;
    }

    /// Read the signed-in person's part of the outbox.
    pub async fn refresh(outbox: Outbox) {
        let Some(user) = outbox.user.get_untracked() else {
            outbox.items.set(Vec::new());
            return;
        };
        let items = js::list(&user)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .and_then(|json| serde_json::from_str::<Vec<Queued>>(&json).ok())
            .unwrap_or_default();
        outbox.items.set(items);
    }
}
