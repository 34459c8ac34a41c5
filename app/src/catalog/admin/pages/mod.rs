//! The catalog back office's pages: products, stock alerts, and the editor with its photos.

pub mod editor;
pub mod inventory;
mod photos;
pub mod products;

use crate::catalog::admin::api::load_product_editor;
use crate::catalog::admin::model::ProductEditor;
use crate::ids::ProductId;
use crate::ui::UnsavedChanges;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The catalog back office's heading and its tabs.
#[component]
fn BackOfficeHead(title: &'static str) -> impl IntoView {
    view! {
        <Title text=format!("{title} — Back office — Olivine")/>
        <header class="page-head">
            <p class="eyebrow"><a href="/admin">"Back office"</a></p>
            <h1>{title}</h1>
        </header>
        <nav class="tabs tabs--spaced" aria-label="Catalog">
            <A href="/admin/products">"Products"</A>
            <A href="/admin/inventory">"Stock alerts"</A>
        </nav>
    }
}

/// The editor's shared state: the product as last loaded, and which forms have unsaved input.
#[derive(Clone, Copy)]
pub struct Editor {
    pub id: ProductId,
    pub data: RwSignal<ProductEditor>,
    pub unsaved: UnsavedChanges,
}

impl Editor {
    /// Load the product again after a save; the parts that changed redraw.
    pub fn refresh(self) {
        leptos::task::spawn_local(async move {
            if let Ok(fresh) = load_product_editor(self.id).await {
                self.data.set(fresh);
            }
        });
    }

    /// The form `key` saved: its input is no longer unsaved, and the page catches up.
    pub fn saved(self, key: &str) {
        self.unsaved.clear(key);
        self.refresh();
    }
}
