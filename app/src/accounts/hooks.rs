//! Steps other domains hook into accounts' events, so that accounts imports none of them.

use super::session::AuthSession;
use crate::error::ServiceError;
use crate::ids::UserId;
use sqlx::PgConnection;

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

/// A step another domain takes inside the transaction of a change it does not own (an order
/// paid or refunded, a review published), so the owner imports none of those domains. The app
/// lists the steps; the server hands the lists to the app state (`S`), which each step is
/// given with the event.
pub struct InTransaction<S: 'static, E: 'static> {
    /// For the log, when the step fails.
    pub name: &'static str,
    pub run:
        for<'a> fn(&'a S, &'a mut PgConnection, &'a E) -> BoxFuture<'a, Result<(), ServiceError>>,
}

impl<S, E> InTransaction<S, E> {
    /// Run `steps` in order on the change's connection; the first failure undoes the change.
    pub async fn run_all(
        steps: &[Self],
        state: &S,
        conn: &mut PgConnection,
        event: &E,
    ) -> Result<(), ServiceError> {
        for step in steps {
            (step.run)(state, conn, event).await?;
        }
        Ok(())
    }
}

impl<S, E> Clone for InTransaction<S, E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<S, E> Copy for InTransaction<S, E> {}

impl<S, E> std::fmt::Debug for InTransaction<S, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;
