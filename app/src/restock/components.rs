//! The product page's "Tell me when it's back", under the buy box while the chosen variant is
//! sold out.

use super::api::{AskForStock, WithdrawStockRequest, stock_request};
use crate::accounts::pages::ViewerState;
use crate::catalog::model::VariantOffer;
use crate::catalog::pages::ProductResource;
use crate::error::AppError;
use crate::ids::VariantId;
use crate::ui::{FormError, form_error, urlencode};
use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};

/// Whether the signed-in person asked about the page's variant, and the forms that change it.
/// Created with the product page, not inside its Suspense (see `product_resource`).
#[derive(Clone, Copy)]
pub struct BackInStockState {
    ask: ServerAction<AskForStock>,
    withdraw: ServerAction<WithdrawStockRequest>,
    asked: Resource<Result<bool, AppError>>,
}

impl BackInStockState {
    pub fn new(product: ProductResource) -> Self {
        let ask = ServerAction::<AskForStock>::new();
        let withdraw = ServerAction::<WithdrawStockRequest>::new();
        let params = use_params_map();
        let query = use_query_map();
        let asked = Resource::new(
            move || {
                (
                    params.read().get("slug"),
                    query.read().get("variant"),
                    ask.version().get() + withdraw.version().get(),
                )
            },
            move |(_, sku, _)| async move {
                let sold_out = product
                    .await
                    .ok()
                    .and_then(|product| variant_to_ask(product.pick_variant(sku.as_deref())));
                match sold_out {
                    Some(variant) => stock_request(variant).await,
                    None => Ok(false),
                }
            },
        );
        BackInStockState {
            ask,
            withdraw,
            asked,
        }
    }
}

/// The variant, if it is sold out: only a sold-out variant has anything to ask.
fn variant_to_ask(variant: Option<&VariantOffer>) -> Option<VariantId> {
    variant.filter(|v| !v.stock.is_available()).map(|v| v.id)
}

#[component]
pub fn BackInStock(state: BackInStockState, selected: Memo<Option<VariantOffer>>) -> impl IntoView {
    let BackInStockState {
        ask,
        withdraw,
        asked,
    } = state;
    let viewer = use_context::<ViewerState>();
    let location = leptos_router::hooks::use_location();
    let sold_out = Memo::new(move |_| selected.with(|v| variant_to_ask(v.as_ref())));
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
