//! What the database and server tests share: builders for the things a test needs
//! (a product with lots, a freelancer's profile, a shift or job), the demo seed's people, and
//! the refusal a use case answered.
//!
//! ```ignore
//! let c = Cast::of(&app.state).await;
//! let shift = ShiftBuilder::on(hire_day(5)).seats(2).open(&app.state, c.harbour, c.hana).await;
//! let contract = c.hire(&app.state, c.fay, shift).await;
//! ```

pub mod catalog;
pub mod hire;
pub mod people;

use app::error::{AppError, ServiceError};

/// The master key the tests' servers seal personal data with (32 bytes of 0x01): for tests
/// only, never a deployment's.
pub const TEST_MASTER_KEY: &str = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

/// The vault of the tests' servers (their master key), for tests that read people's sealed
/// fields without a server's state.
pub fn test_vault() -> app::vault::Vault {
    app::vault::Vault::from_base64(TEST_MASTER_KEY).expect("the test master key")
}

/// The refusal a use case answered; panics (naming what came instead) on anything else.
pub fn refusal(result: Result<impl std::fmt::Debug, ServiceError>) -> AppError {
    match result {
        Err(ServiceError::Refused(error)) => error,
        other => panic!("expected a refusal, got {other:?}"),
    }
}
