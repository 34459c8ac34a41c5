//! The HTTP edge: what the router mounts beside the Leptos app (static assets, uploads, media
//! renditions, the Stripe webhook, OpenID callbacks, one-click unsubscribe, the billing and audit CSV files, data downloads) and the middleware around everything
//! (security headers, same-origin writes, the client's address, the session store).

pub mod assets;
pub mod audit_export;
pub mod billing_export;
pub mod certificate_files;
mod csv_file;
pub mod data_export;
pub mod guard;
pub mod headers;
pub mod live;
pub mod media_files;
mod multipart;
pub mod oidc_callback;
pub mod photo_upload;
pub mod session_store;
pub mod stripe_webhook;
pub mod unsubscribe;
