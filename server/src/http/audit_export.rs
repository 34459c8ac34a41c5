//! `GET /admin/audit.csv?person=…&action=…`: the audit entries `/admin/audit` shows for the
//! same filters, all of them, as a spreadsheet; support admins only, never cached.

use super::csv_file;
use app::accounts::authz::{Need, principal_of};
use app::accounts::model::Role;
use app::accounts::session::AuthSession;
use app::audit::model::AuditQuery;
use app::error::AppError;
use app::state::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use tower_sessions::Session;

pub const PATH: &str = "/admin/audit.csv";

pub async fn download(
    State(state): State<AppState>,
    Query(query): Query<AuditQuery>,
    session: Session,
) -> Response {
    let csv = export(&state, &AuthSession::new(session), &query).await;
    csv_file::respond(csv, "olivine-audit", state.clock.now())
}

async fn export(
    state: &AppState,
    session: &AuthSession,
    query: &AuditQuery,
) -> Result<String, AppError> {
    let principal = principal_of(state, session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    principal.require(Need::Role(Role::AdminSupport))?;
    let mut conn = state
        .db
        .acquire()
        .await
        .map_err(|e| AppError::internal(&e))?;
    Ok(app::audit::trail::export(&mut conn, &state.vault, query).await?)
}
