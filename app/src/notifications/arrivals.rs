//! What arrives live in this browser tab: the newest notifications, shown as toasts, and a
//! signal pages follow to load again when a notification names them (its link is the page).

use super::model::Notification;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[derive(Clone, Copy)]
pub struct Arrivals {
    latest: RwSignal<Vec<Notification>>,
}

impl Arrivals {
    pub fn provide() -> Self {
        let arrivals = Arrivals {
            latest: RwSignal::new(Vec::new()),
        };
        provide_context(arrivals);
        arrivals
    }

    pub fn arrived(&self, notifications: Vec<Notification>) {
        self.latest.set(notifications);
    }

    pub fn dismiss(&self) {
        self.latest.set(Vec::new());
    }
}

/// Changes each time notifications arrive that link to the page open now: a tracked read for
/// its resources, so an applicant list, a thread or an order loads again without a reload.
pub fn changes_here() -> Memo<u32> {
    let arrivals = use_context::<Arrivals>();
    let path = use_location().pathname;
    Memo::new(move |before: Option<&u32>| {
        let before = before.copied().unwrap_or(0);
        let here = arrivals.is_some_and(|a| {
            let path = path.get();
            a.latest
                .with(|latest| latest.iter().any(|n| n.link == path))
        });
        if here { before + 1 } else { before }
    })
}

/// The newest arrivals, announced politely, each a link to where it is acted on.
#[component]
pub fn Toasts() -> impl IntoView {
    let Some(arrivals) = use_context::<Arrivals>() else {
        return ().into_any();
    };
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            {move || {
                arrivals
                    .latest
                    .get()
                    .into_iter()
                    .map(|n| view! {
                        <p class="toast">
                            <a href=n.link on:click=move |_| arrivals.dismiss()>
                                <strong>{n.title}</strong>" "{n.body}
                            </a>
                        </p>
                    })
                    .collect_view()
            }}
            {move || (!arrivals.latest.with(Vec::is_empty)).then(|| view! {
                <button type="button" class="link-button toast__close" on:click=move |_| arrivals.dismiss()>
                    "Dismiss"
                </button>
            })}
        </div>
    }
    .into_any()
}
