//! The app's one clock: the only source of "now" for its rules.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

/// The only source of "now" for the app's rules, Shop and Hire alike (shift starts,
/// cancellation notice, auto-approval, reservations, which lots may still be sold): the system
/// clock, moved forward only by the dev clock in local development so browser tests can reach a
/// shift's end without waiting for it, or pinned to one instant in tests.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    offset_secs: Arc<AtomicI64>,
    pinned: Option<chrono::DateTime<chrono::Utc>>,
}

impl Clock {
    /// A clock that stands at `at` (plus any offset) whatever the time of day.
    pub fn pinned(at: chrono::DateTime<chrono::Utc>) -> Self {
        Clock {
            offset_secs: Arc::default(),
            pinned: Some(at),
        }
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.pinned.unwrap_or_else(chrono::Utc::now)
            + chrono::Duration::seconds(self.offset_secs.load(Ordering::Relaxed))
    }

    /// Today's date (UTC), which decides which lots may still be sold.
    pub fn today(&self) -> chrono::NaiveDate {
        self.now().date_naive()
    }

    /// Move this clock `by` ahead (zero: back in step).
    pub fn set_offset(&self, by: chrono::Duration) {
        self.offset_secs.store(by.num_seconds(), Ordering::Relaxed);
    }
}
