//! The browser entry point: hydrate the server-rendered page, nothing else.

// Leptos view types nest deeply; computing their layout needs more than the default 128.
#![recursion_limit = "512"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
