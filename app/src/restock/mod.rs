//! Back in stock: a signed-in shopper asks to be told when a sold-out variant can be bought
//! again (on its product page); the `back-in-stock` job tells everyone who asked once it is
//! sellable again (a notification, mailed after their settings), and the request is done.

pub mod api;
pub mod components;
#[cfg(feature = "ssr")]
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod repo;
#[cfg(feature = "ssr")]
pub mod service;
