//! Steps other domains hook into accounts' events, so that accounts imports none of them.

use super::session::AuthSession;
use crate::error::ServiceError;
use crate::ids::UserId;

/// Something another domain does when a browser signs in, such as the Shop bringing along the
/// cart and orders of the guest the browser was. The app lists them (`app::AFTER_SIGN_IN`) and
/// the server hands that list to the app state; accounts knows none of those domains.
#[derive(Clone, Copy)]
pub struct AfterSignIn<S> {
    /// For the log, when the step fails.
    pub name: &'static str,
    pub run: for<'a> fn(&'a S, &'a AuthSession, UserId) -> BoxFuture<'a, Result<(), ServiceError>>,
}

impl<S> std::fmt::Debug for AfterSignIn<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
