//! Contracts: their life and events, the cancellation policy, pay, and the hours and work
//! handed in against them.

use crate::error::{AppError, Problems};
use crate::hire::postings::model::{MAX_SHIFT_HOURS, PayBasis, PostingKind};
use crate::hire::ratings::model::Rating;
use crate::hire::reference::model::Side;
use crate::hire::time::paid_minutes;
use crate::hire::time::{parse_date, parse_number, parse_time, span};
use crate::ids::{ApplicationId, ContractId, PostingId, TimesheetId, UserId};
use crate::money::Money;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pg_enum! {
    ContractStatus as "contract_status" {
        Active = "active": "Confirmed",
        Completed = "completed": "Completed",
        Cancelled = "cancelled": "Cancelled",
        NoShow = "no_show": "No-show",
    }
}

impl ContractStatus {
    pub fn may_become(self, next: ContractStatus) -> bool {
        self == ContractStatus::Active && next != ContractStatus::Active
    }
}

pg_enum! {
    ContractEventKind as "contract_event_kind" {
        Hired = "hired": "Hired",
        CancelledByClient = "cancelled_by_client": "Cancelled by the organisation",
        CancelledByFreelancer = "cancelled_by_freelancer": "Cancelled by the freelancer",
        NoShow = "no_show": "No-show",
        HoursApproved = "hours_approved": "Hours approved",
        WorkApproved = "work_approved": "Work approved",
        FundingLapsed = "funding_lapsed": "Released: not funded in time",
        EndedByClient = "ended_by_client": "Ended early by the organisation",
        Disputed = "disputed": "Disputed, pay held",
        DisputeSettled = "dispute_settled": "Dispute settled, submitted again",
        DisputeResolved = "dispute_resolved": "Dispute decided by Olivine",
    }
}

pg_enum! {
    TimesheetStatus as "timesheet_status" {
        Submitted = "submitted": "Waiting for approval",
        Approved = "approved": "Approved",
        Adjusted = "adjusted": "Approved with changes",
        Disputed = "disputed": "Disputed",
        AutoApproved = "auto_approved": "Approved automatically",
        Resolved = "resolved": "Decided by Olivine",
    }
}

impl TimesheetStatus {
    /// The organisation answers a submitted timesheet; the freelancer resubmits a disputed one
    /// (or Olivine decides it); the auto-approval job answers for an organisation that did not.
    pub fn may_become(self, next: TimesheetStatus) -> bool {
        use TimesheetStatus::*;
        matches!(
            (self, next),
            (Submitted, Approved | Adjusted | Disputed | AutoApproved)
                | (Disputed, Submitted | Resolved)
        )
    }

    /// The hours are settled and payable.
    pub fn is_approved(self) -> bool {
        matches!(
            self,
            TimesheetStatus::Approved | TimesheetStatus::Adjusted | TimesheetStatus::AutoApproved
        )
    }
}

/// What cancelling costs. Inside the notice period the organisation owes the freelancer a
/// share of the shift's wage, and a freelancer's cancellation counts against their
/// reliability.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CancellationPolicy {
    pub notice_hours: i64,
    pub late_share_percent: i64,
}

pub const CANCELLATION_POLICY: CancellationPolicy = CancellationPolicy {
    notice_hours: 24,
    late_share_percent: 50,
};

impl CancellationPolicy {
    /// A cancellation `minutes_before` the start is late.
    pub fn is_late(self, minutes_before: i64) -> bool {
        minutes_before < self.notice_hours * 60
    }

    /// What the organisation owes for cancelling late a shift worth `wage_total`.
    pub fn owed_by_client(self, wage_total: Money) -> Money {
        let share = wage_total.minor() * self.late_share_percent;
        Money::new((share + 50) / 100, wage_total.currency())
    }
}

/// The pay for `minutes` at `hourly`, rounded half up to the cent.
pub fn pay_for(minutes: i64, hourly: Money) -> Money {
    Money::new((minutes * hourly.minor() + 30) / 60, hourly.currency())
}

/// Worked time may run past a shift's schedule by this much (a late finish); a longer claim is
/// refused, and older ones are never approved without a person.
pub const OVERTIME_MINUTES: i64 = 60;

/// A contract with its timesheet, as either side sees it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContractView {
    pub id: ContractId,
    /// The application it grew from, which keys the message thread.
    pub application_id: ApplicationId,
    pub posting_id: PostingId,
    pub title: String,
    pub organisation: String,
    pub organisation_slug: String,
    pub freelancer_id: UserId,
    pub freelancer: String,
    pub status: ContractStatus,
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub break_minutes: i32,
    /// The hourly wage, or a fixed-price job's price.
    pub wage: Money,
    pub kind: PostingKind,
    pub pay_basis: PayBasis,
    /// The shift or job has begun: hours can be submitted, no-shows recorded.
    pub started: bool,
    /// Today in Hire's local time, by the app clock (the dev clock moves it).
    pub today: NaiveDate,
    /// A shift's hours.
    pub timesheet: Option<Timesheet>,
    /// An hourly job's weeks, latest first.
    pub weeks: Vec<Timesheet>,
    /// A fixed-price job's handed-over work.
    pub delivery: Option<Delivery>,
    /// Disputes still waiting, and those Olivine decided (newest first).
    pub disputes: Vec<crate::hire::disputes::model::DisputeBrief>,
    /// Events in order: (what, when (wall clock), amount owed, reason)
    pub events: Vec<ContractEvent>,
    /// Given after completion, at most one by each side.
    pub ratings: Vec<Rating>,
}

impl ContractView {
    /// The rating `side` gave, if any.
    pub fn rating_by(&self, side: Side) -> Option<&Rating> {
        self.ratings.iter().find(|r| r.by == side)
    }

    /// `side` may still rate the other.
    pub fn awaits_rating_by(&self, side: Side) -> bool {
        self.status == ContractStatus::Completed && self.rating_by(side).is_none()
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContractEvent {
    pub kind: ContractEventKind,
    pub late: bool,
    pub amount: Money,
    pub reason: String,
    pub at: NaiveDateTime,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timesheet {
    pub id: TimesheetId,
    pub status: TimesheetStatus,
    pub worked_from: NaiveDateTime,
    pub worked_to: NaiveDateTime,
    pub break_minutes: i32,
    pub claimed_minutes: i32,
    pub minutes: i32,
    pub amount: Money,
    pub reason: Option<String>,
    /// A job's week: its Monday, and the minutes worked Monday to Sunday.
    pub week: Option<NaiveDate>,
    pub daily_minutes: Vec<i32>,
}

/// A fixed-price job's work as handed over, and the organisation's answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub status: TimesheetStatus,
    pub note: String,
    pub amount: Money,
    /// Why it was disputed.
    pub reason: Option<String>,
}

/// Hours as the freelancer (or, adjusting, the manager) types them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HoursInput {
    pub date: String,
    pub starts: String,
    pub ends: String,
    pub break_minutes: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidHours {
    pub from: NaiveDateTime,
    pub to: NaiveDateTime,
    pub break_minutes: i32,
}

impl ValidHours {
    pub fn minutes(self) -> i64 {
        paid_minutes(self.from, self.to, self.break_minutes)
    }
}

impl HoursInput {
    pub fn check(&self) -> Result<ValidHours, AppError> {
        let mut p = Problems::default();
        let date = parse_date(&mut p, "hours[date]", &self.date);
        let start = parse_time(&mut p, "hours[starts]", &self.starts);
        let end = parse_time(&mut p, "hours[ends]", &self.ends);
        let break_minutes = match self.break_minutes.trim() {
            "" => 0,
            raw => parse_number(
                &mut p,
                "hours[break_minutes]",
                raw,
                (0, 240),
                "a break in minutes",
            ),
        };
        let (from, to) = match (date, start, end) {
            (Some(d), Some(s), Some(e)) => span(d, s, e),
            _ => {
                return Err(p
                    .into_result(())
                    .err()
                    .unwrap_or_else(|| AppError::invalid("Check the hours.")));
            }
        };
        if (to - from).num_hours() > MAX_SHIFT_HOURS {
            p.add(
                "hours[ends]",
                format!("A shift lasts at most {MAX_SHIFT_HOURS} hours."),
            );
        } else if break_minutes >= (to - from).num_minutes() {
            p.add(
                "hours[break_minutes]",
                "The break must be shorter than the hours worked.",
            );
        }
        p.into_result(ValidHours {
            from,
            to,
            break_minutes: i32::try_from(break_minutes).unwrap_or(0),
        })
    }
}

/// A week of an hourly job as the freelancer (or, adjusting, the manager) types it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WeekInput {
    /// Any day of the week, `2026-12-07`: the week is the Monday-to-Sunday around it.
    pub week: String,
    /// ISO weekday "1" (Monday) to "7" → hours that day: "7.5", "7,5" or "7:30"; empty: none.
    pub days: BTreeMap<String, String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidWeek {
    pub monday: NaiveDate,
    /// Minutes worked Monday to Sunday.
    pub minutes: [i32; 7],
}

impl ValidWeek {
    pub fn total(self) -> i64 {
        self.minutes.iter().map(|m| i64::from(*m)).sum()
    }
}

/// "7.5", "7,5" or "7:30" hours as minutes, at most a day's worth.
fn day_minutes(raw: &str) -> Option<i32> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some(0);
    }
    let minutes = match raw.split_once(':') {
        Some((h, m)) => {
            let (h, m) = (h.trim().parse::<i32>().ok()?, m.trim().parse::<i32>().ok()?);
            (0..60)
                .contains(&m)
                .then(|| h.checked_mul(60)?.checked_add(m))??
        }
        None => {
            let hours = raw.replace(',', ".").parse::<f64>().ok()?;
            if !hours.is_finite() {
                return None;
            }
            // Hours to the minute; `as` is exact here, the value being at most a day's minutes.
            #[allow(clippy::cast_possible_truncation)]
            let minutes = (hours * 60.0).round() as i32;
            minutes
        }
    };
    (0..=24 * 60).contains(&minutes).then_some(minutes)
}

impl WeekInput {
    pub fn check(&self) -> Result<ValidWeek, AppError> {
        let mut p = Problems::default();
        let day = parse_date(&mut p, "week[week]", &self.week);
        let mut minutes = [0_i32; 7];
        for (i, slot) in minutes.iter_mut().enumerate() {
            let raw = self
                .days
                .get(&(i + 1).to_string())
                .map_or("", String::as_str);
            match day_minutes(raw) {
                Some(m) => *slot = m,
                None => p.add(
                    &format!("week[days][{}]", i + 1),
                    "Enter hours like 7.5 or 7:30, at most 24.",
                ),
            }
        }
        let monday = day.map_or(NaiveDate::MIN, |d| {
            d - chrono::Duration::days(i64::from(d.weekday().num_days_from_monday()))
        });
        let week = ValidWeek { monday, minutes };
        if p.is_empty() && week.total() == 0 {
            p.add("week[days]", "There are no hours to pay.");
        }
        p.into_result(week)
    }
}
