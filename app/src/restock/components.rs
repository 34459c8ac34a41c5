//! The product page's "Tell me when it's back", under the buy box while the chosen variant is
//! sold out.

use super::api::{AskForStock, WithdrawStockRequest, stock_request};
use crate::accounts::pages::ViewerState;
use crate::catalog::model::VariantOffer;
use crate::ui::{FormError, form_error, urlencode};
use leptos::prelude::*;

#[component]
pub fn BackInStock(selected: Memo<Option<VariantOffer>>) -> impl IntoView {
    let ask = ServerAction::<AskForStock>::new();
    let withdraw = ServerAction::<WithdrawStockRequest>::new();
    let viewer = use_context::<ViewerState>();
    let location = leptos_router::hooks::use_location();
    // Only a sold-out variant has anything to ask.
    let sold_out = Memo::new(move |_| {
        selected.with(|v| v.as_ref().filter(|v| !v.stock.is_available()).map(|v| v.id))
    });
    let asked = Resource::new(
        move || {
            (
                sold_out.get(),
                ask.version().get() + withdraw.version().get(),
            )
        },
        |(variant, _)| async move {
            match variant {
                Some(variant) => stock_request(variant).await,
                None => Ok(false),
            }
        },
    );
    let error =
        Signal::derive(move || form_error(ask).get().or_else(|| form_error(withdraw).get()));
    view! {
        <Transition fallback=|| ()>
            {move || {
                let variant = sold_out.get();
                Suspend::new(async move {
                    let variant = variant?;
                    let signed_in = match viewer {
                        Some(viewer) => viewer.viewer.await.ok().flatten().is_some(),
                        None => false,
                    };
                    let id = variant.to_string();
                    let view = if !signed_in {
                        let next = urlencode(&location.pathname.get_untracked());
                        view! {
                            <p class="back-in-stock" data-testid="back-in-stock">
                                "Sold out for now. "
                                <a href=format!("/signin?next={next}")>"Sign in"</a>
                                " and we'll tell you when it's back."
                            </p>
                        }.into_any()
                    } else if asked.await.unwrap_or(false) {
                        view! {
                            <div class="back-in-stock" data-testid="back-in-stock">
                                <p role="status">"We'll tell you when it's back: in your notifications, and by email if your settings say so."</p>
                                <ActionForm action=withdraw attr:class="inline-form">
                                    <input type="hidden" name="variant" value=id/>
                                    <button type="submit" class="link-button">"Don't tell me"</button>
                                </ActionForm>
                                <FormError error/>
                            </div>
                        }.into_any()
                    } else {
                        view! {
                            <div class="back-in-stock" data-testid="back-in-stock">
                                <ActionForm action=ask attr:class="inline-form">
                                    <input type="hidden" name="variant" value=id/>
                                    <button type="submit" class="button button--quiet">"Tell me when it's back"</button>
                                </ActionForm>
                                <FormError error/>
                            </div>
                        }.into_any()
                    };
                    Some(view)
                })
            }}
        </Transition>
    }
}
