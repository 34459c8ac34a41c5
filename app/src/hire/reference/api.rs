//! The reference data every Hire form reads, and the development clock.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::hire::access::connection;
use crate::hire::reference::model::Reference;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
use {crate::hire::reference, crate::state::app_state};

#[server(endpoint = "hire/reference")]
pub async fn load_reference() -> Result<Reference, AppError> {
    let state = app_state()?;
    reference::repo::reference(&mut *connection(&state).await?)
        .await
        .map_err(AppError::from)
}

/// Local development only: move the Hire clock `hours` ahead of real time (0: back in step),
/// so a shift's end can be reached without waiting for it. A 404 anywhere else, and to
/// any client but this machine.
#[server(endpoint = "dev/clock")]
pub async fn set_dev_clock(hours: i64) -> Result<(), AppError> {
    let state = crate::state::dev_tools().await?;
    state
        .clock
        .set_offset(chrono::Duration::hours(hours.clamp(0, 24 * 366)));
    Ok(())
}
