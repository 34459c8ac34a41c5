//! The Content-Security-Policy of every page: scripts only from this site, carrying this
//! response's nonce (Leptos puts it on its hydration and streaming scripts), or from Stripe.js's
//! origin where the payment form loads it. No inline script runs without the nonce.

use leptos::nonce::use_nonce;
use leptos::prelude::use_context;

/// Stripe's own origins, when the site talks to Stripe itself.
const STRIPE_SCRIPT: &str = "https://js.stripe.com";
const STRIPE_FRAMES: &str = "https://js.stripe.com https://hooks.stripe.com";
const STRIPE_API: &str = "https://api.stripe.com";

/// The policy for a page rendered with `nonce`. `stripe_js` is the Stripe.js URL the payment
/// form loads (Stripe's, or locally the emulator's stand-in, which also serves its API and
/// challenge frames from that origin). `dev` lets the live-reload socket connect.
pub fn page_policy(nonce: &str, stripe_js: &str, dev: bool) -> String {
    let (script, frames, api) = match origin(stripe_js) {
        Some(origin) if origin != STRIPE_SCRIPT => (origin, origin, origin),
        _ => (STRIPE_SCRIPT, STRIPE_FRAMES, STRIPE_API),
    };
    let reload = if dev { " ws: wss:" } else { "" };
    format!(
        "default-src 'self'; \
         script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval' {script}; \
         style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; \
         font-src 'self'; \
         connect-src 'self' {api}{reload}; \
         frame-src {frames}; \
         frame-ancestors 'none'; \
         base-uri 'none'; \
         object-src 'none'"
    )
}

/// `scheme://host[:port]` of a URL.
fn origin(url: &str) -> Option<&str> {
    let after_scheme = url.find("://")? + 3;
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |i| after_scheme + i);
    Some(&url[..end])
}

/// Where a page leaves its policy for the server's header middleware, which puts it on the
/// response (`server/src/headers.rs` adds one to every request's extensions).
///
/// Not through Leptos's `ResponseOptions`: a header inserted there while the shell renders was
/// missing from about one page response in fifty under concurrent load (reproduced with three
/// browsers signing in and opening a page; the render that inserted it and the HTML with its
/// nonce were the same request's), which left that page with the deny-all policy and no
/// scripts. The slot travels with the request itself.
#[derive(Clone, Debug, Default)]
pub struct PagePolicy(std::sync::Arc<std::sync::OnceLock<String>>);

impl PagePolicy {
    /// The policy the page rendered for this request, if it was a page.
    pub fn get(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// Record the page policy for the response being rendered (called from the shell).
pub fn set_page_policy() {
    let Some(nonce) = use_nonce() else {
        return;
    };
    let Some(slot) = use_context::<http::request::Parts>()
        .and_then(|request| request.extensions.get::<PagePolicy>().cloned())
    else {
        return;
    };
    // Without the state (an error page) the page loads no payment form: Stripe's own origins.
    let (stripe_js, dev) = use_context::<crate::state::AppState>().map_or_else(
        || (String::new(), false),
        |state| (state.payments.stripe_js().to_owned(), state.config.dev_mode),
    );
    // One shell per request: a second policy could only come from a second render of it.
    let _ = slot.0.set(page_policy(&nonce, &stripe_js, dev));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_need_the_nonce_and_stripe_is_the_only_other_origin() {
        let policy = page_policy("abc123", "https://js.stripe.com/v3/", false);
        assert!(policy.contains(
            "script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval' https://js.stripe.com;"
        ));
        assert!(policy.contains("frame-src https://js.stripe.com https://hooks.stripe.com;"));
        assert!(policy.contains("connect-src 'self' https://api.stripe.com;"));
        assert!(policy.contains("frame-ancestors 'none'"));
        let script_src = policy
            .split(';')
            .find(|d| d.contains("script-src"))
            .unwrap();
        // WebAssembly may compile; JavaScript may not be made from strings or run inline.
        for refused in ["'unsafe-inline'", "'unsafe-eval'", "'strict-dynamic'", "*"] {
            assert!(
                !script_src
                    .split_whitespace()
                    .any(|source| source == refused),
                "{script_src}"
            );
        }
    }

    #[test]
    fn the_local_emulator_serves_script_frames_and_api_from_one_origin() {
        let policy = page_policy("n", "http://127.0.0.1:12111/v3/", true);
        assert!(policy.contains("'wasm-unsafe-eval' http://127.0.0.1:12111;"));
        assert!(policy.contains("frame-src http://127.0.0.1:12111;"));
        assert!(policy.contains("connect-src 'self' http://127.0.0.1:12111 ws: wss:;"));
    }
}
