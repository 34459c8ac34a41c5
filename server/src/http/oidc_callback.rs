//! `/auth/oidc/{provider}/callback`: where an OpenID provider sends the browser back.

use app::accounts::oidc_flow;
use app::accounts::session::{AuthSession, ClientIp, RequestMeta};
use app::error::AppError;
use app::state::AppState;
use axum::Extension;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Redirect;
use serde::Deserialize;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

pub async fn callback(
    State(state): State<AppState>,
    Path(provider): Path<String>,
    Query(answer): Query<Callback>,
    session: Session,
    client: Option<Extension<ClientIp>>,
    headers: HeaderMap,
) -> Redirect {
    let meta = RequestMeta::new(client.and_then(|Extension(ClientIp(ip))| ip), &headers);
    let session = AuthSession::new(session);
    let (Some(code), Some(returned_state), None) = (answer.code, answer.state, answer.error) else {
        // The person cancelled at the provider, or it refused; forget the attempt.
        let _ = session.take_pending_oidc().await;
        return Redirect::to("/signin?oidc=cancelled");
    };
    match oidc_flow::finish(&state, &session, &meta, &provider, &code, &returned_state).await {
        Ok(next) => Redirect::to(&next),
        Err(error) => {
            let shown = AppError::from(error);
            tracing::info!(%provider, error = %shown, "OpenID callback refused");
            Redirect::to("/signin?oidc=failed")
        }
    }
}
