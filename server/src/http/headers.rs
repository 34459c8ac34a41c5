//! Browser security headers on every response. A page leaves its Content-Security-Policy (with
//! the response's nonce, `app::csp`) in the request's [`app::csp::PagePolicy`]; everything else
//! gets one that allows nothing.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// For responses that are not pages (JSON, files, errors): nothing to run, nothing to frame.
const NOTHING_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// The service worker's script: its policy binds the worker, which fetches this site's pages
/// and files (and nothing else).
const WORKER_SCRIPT: &str = "/sw.js";
const WORKER_POLICY: &str =
    "default-src 'none'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";
const PERMISSIONS: &str = "camera=(), microphone=(), geolocation=(), usb=(), serial=(), \
                           bluetooth=(), magnetometer=(), gyroscope=(), accelerometer=()";
const HSTS: &str = "max-age=63072000; includeSubDomains";
const SESSION_COOKIE: &str = "olivine_session=";

pub async fn security_headers(production: bool, mut req: Request, next: Next) -> Response {
    let carries_session = has_session_cookie(req.headers());
    let page_policy = app::csp::PagePolicy::default();
    req.extensions_mut().insert(page_policy.clone());
    let worker = req.uri().path() == WORKER_SCRIPT;
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    match page_policy
        .get()
        .and_then(|p| HeaderValue::from_str(p).ok())
    {
        _ if worker => {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(WORKER_POLICY),
            );
        }
        Some(policy) => {
            headers.insert(header::CONTENT_SECURITY_POLICY, policy);
        }
        None => {
            headers
                .entry(header::CONTENT_SECURITY_POLICY)
                .or_insert(HeaderValue::from_static(NOTHING_POLICY));
        }
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert("permissions-policy", HeaderValue::from_static(PERMISSIONS));
    // Payment providers may open a window of their own (bank authentication) and need to talk
    // back to it.
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin-allow-popups"),
    );
    if production {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    // A response to (or starting) a session may show personal data: no shared cache, no
    // back/forward copy. Responses that chose their own caching (media, assets) keep it.
    let personal = carries_session || has_session_cookie_set(headers);
    if personal && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

fn has_session_cookie(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|pair| pair.trim_start().starts_with(SESSION_COOKIE))
}

fn has_session_cookie_set(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with(SESSION_COOKIE))
}
