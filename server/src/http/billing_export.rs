//! `GET /hire/org/{slug}/billing.csv`: the organisation's statement (per contract: funded,
//! released, fees, refunded, held) as a spreadsheet, for its members only, never cached.

use super::csv_file;
use app::accounts::authz::{Need, principal_of};
use app::accounts::session::AuthSession;
use app::error::AppError;
use app::escrow::statement;
use app::state::AppState;
use axum::extract::{Path, State};
use axum::response::Response;
use tower_sessions::Session;

pub const PATH: &str = "/hire/org/{slug}/billing.csv";

pub async fn download(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    session: Session,
) -> Response {
    let csv = export(&state, &AuthSession::new(session), &slug).await;
    csv_file::respond(
        csv,
        &format!("olivine-billing-{}", file_safe(&slug)),
        state.clock.now(),
    )
}

async fn export(state: &AppState, session: &AuthSession, slug: &str) -> Result<String, AppError> {
    let principal = principal_of(state, session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    if !principal.allows(Need::Organisation { slug, owner: false }) {
        return Err(AppError::Forbidden);
    }
    let organisation = principal.organisation(slug)?.organisation_id;
    let mut conn = state
        .db
        .acquire()
        .await
        .map_err(|e| AppError::internal(&e))?;
    let (contracts, _) = statement::contracts(&mut conn, &state.vault, organisation).await?;
    Ok(statement::csv(&contracts))
}

fn file_safe(slug: &str) -> String {
    slug.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
