//! Request guards in front of every route: the client's address, and cross-site request
//! refusal (CSRF).
//!
//! CSRF: a state-changing request (anything but GET/HEAD/OPTIONS) from a browser must come
//! from our own origin. Browsers say where a request comes from in `Sec-Fetch-Site` (and
//! `Origin`), which a cross-site page cannot forge; requests carrying neither are not from a
//! browser, so they carry no ambient cookies to abuse. This is OWASP's "verifying origin with
//! standard headers" defence, and it covers server functions and plain HTML forms alike. The
//! one exception is one-click unsubscribe, which no cookie authorizes.
//! Session cookies are also `SameSite=Lax`.

use app::accounts::session::ClientIp;
use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::{IpAddr, SocketAddr};

/// Put the client's address on the request for rate limits, audit entries and the sessions list.
pub async fn client_ip(trust_proxy: bool, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded = trust_proxy.then(|| forwarded_for(req.headers())).flatten();
    req.extensions_mut().insert(ClientIp(forwarded.or(peer)));
    next.run(req).await
}

/// The nearest client address a trusted proxy appended (the last X-Forwarded-For entry).
fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|part| part.trim().parse().ok())
        .next_back()
}

pub async fn same_origin_writes(req: Request, next: Next) -> Response {
    // One-click unsubscribe: the token in the address is its authority, not a cookie.
    let token_only = req.uri().path() == super::unsubscribe::PATH;
    if is_safe(req.method()) || token_only || comes_from_this_site(req.headers()) {
        next.run(req).await
    } else {
        tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
        (
            StatusCode::FORBIDDEN,
            "This request came from another website, so it was refused. If you were using \
             Olivine, reload the page and try again.",
        )
            .into_response()
    }
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn comes_from_this_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        // "none": typed into the address bar or opened from a bookmark.
        return site == "same-origin" || site == "none";
    }
    match headers.get(header::ORIGIN) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            let origin = origin.to_str().unwrap_or("");
            host.is_some_and(|host| {
                origin == format!("http://{host}") || origin == format!("https://{host}")
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn browsers_must_say_same_origin() {
        assert!(comes_from_this_site(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(!comes_from_this_site(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!comes_from_this_site(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
        assert!(comes_from_this_site(&headers(&[
            ("origin", "http://shop.example"),
            ("host", "shop.example")
        ])));
        assert!(!comes_from_this_site(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "shop.example")
        ])));
        assert!(!comes_from_this_site(&headers(&[
            ("origin", "null"),
            ("host", "shop.example")
        ])));
        // No browser headers at all: not a browser, no ambient cookies.
        assert!(comes_from_this_site(&headers(&[])));
    }

    #[test]
    fn the_last_forwarded_address_is_the_proxys_view() {
        let h = headers(&[("x-forwarded-for", "203.0.113.7, 198.51.100.2")]);
        assert_eq!(forwarded_for(&h), Some("198.51.100.2".parse().unwrap()));
        assert_eq!(forwarded_for(&headers(&[])), None);
    }
}
