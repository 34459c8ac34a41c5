//! What the privacy page shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One download a person asked for, newest first on the page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportView {
    pub requested_at: DateTime<Utc>,
    pub state: ExportState,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportState {
    /// The job has not built it yet.
    Building,
    /// Built; the mailed link works until then.
    Mailed {
        expires_at: DateTime<Utc>,
        size_bytes: i64,
    },
    Downloaded {
        at: DateTime<Utc>,
    },
    /// Not downloaded within 7 days: removed.
    Expired,
}

impl ExportView {
    /// While one is being built, asking again adds nothing.
    pub fn building(&self) -> bool {
        matches!(self.state, ExportState::Building)
    }
}

pg_enum! {
    /// Where an erasure request is.
    ErasureStatus as "erasure_status" {
        Waiting = "waiting": "Waiting",
        Cancelled = "cancelled": "Cancelled",
        Erased = "erased": "Erased",
    }
}

/// The erasure a person has asked for and can still cancel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureView {
    pub id: uuid::Uuid,
    pub requested_at: DateTime<Utc>,
    /// The end of the grace period: erased from then on.
    pub erase_after: DateTime<Utc>,
    /// Asked by support for them.
    pub by_support: bool,
    /// What keeps it waiting past the grace period.
    pub held_because: Option<String>,
}

/// An erasure request as support sees it on `/admin/privacy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasureRow {
    pub id: uuid::Uuid,
    /// The person's name and email while they have them; the account id once erased.
    pub person: String,
    pub asked_by: String,
    pub note: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub erase_after: DateTime<Utc>,
    pub deadline: DateTime<Utc>,
    pub status: ErasureStatus,
    pub held_because: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

/// `/admin/privacy`: the requests, and the moment the server read them (what "late" is
/// measured against, the same on the server and in the browser).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportErasures {
    pub now: DateTime<Utc>,
    pub rows: Vec<ErasureRow>,
}

impl ErasureRow {
    /// Still waiting past its deadline.
    pub fn late(&self, now: DateTime<Utc>) -> bool {
        self.status == ErasureStatus::Waiting && now > self.deadline
    }

    /// Days until its deadline, a day begun counting whole (0 once it has passed).
    pub fn days_left(&self, now: DateTime<Utc>) -> i64 {
        whole_days(self.deadline - now).max(0)
    }

    /// Days past its deadline, a day begun counting whole (0 before it).
    pub fn days_late(&self, now: DateTime<Utc>) -> i64 {
        whole_days(now - self.deadline).max(0)
    }
}

fn whole_days(span: chrono::Duration) -> i64 {
    (span.num_seconds() + 86_399).div_euclid(86_400)
}

/// A size in bytes as people read it (`12 KB`, `3.4 MB`).
pub fn readable_size(bytes: i64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes.max(0) as f64;
    if b < KB {
        format!("{bytes} bytes")
    } else if b < KB * KB {
        format!("{:.0} KB", (b / KB).ceil())
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn support_sees_the_days_left_and_what_is_late() {
        let asked = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let row = ErasureRow {
            id: uuid::Uuid::nil(),
            person: "Ann <ann@olivine.test>".into(),
            asked_by: "Ann <ann@olivine.test>".into(),
            note: None,
            requested_at: asked,
            erase_after: asked + chrono::Duration::days(14),
            deadline: asked + chrono::Duration::days(30),
            status: ErasureStatus::Waiting,
            held_because: None,
            done_at: None,
        };
        assert_eq!(row.days_left(asked), 30);
        assert_eq!(row.days_left(asked + chrono::Duration::seconds(5)), 30);
        assert_eq!(
            row.days_left(asked + chrono::Duration::hours(30 * 24 - 1)),
            1
        );
        assert!(!row.late(asked + chrono::Duration::days(30)));
        assert_eq!(row.days_late(asked + chrono::Duration::days(29)), 0);
        let after = asked + chrono::Duration::days(30) + chrono::Duration::hours(2);
        assert!(row.late(after));
        assert_eq!((row.days_left(after), row.days_late(after)), (0, 1));
        let done = ErasureRow {
            status: ErasureStatus::Erased,
            ..row
        };
        assert!(!done.late(after), "done is never late");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(readable_size(900), "900 bytes");
        assert_eq!(readable_size(1024), "1 KB");
        assert_eq!(readable_size(12_500), "13 KB");
        assert_eq!(readable_size(3_565_158), "3.4 MB");
    }
}
