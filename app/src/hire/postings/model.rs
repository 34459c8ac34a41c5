//! Shifts and jobs: their life, the forms that post them, and how lists and pages show them.

use crate::error::{AppError, Problems};
use crate::hire::reference::model::HIRE_CURRENCY;
use crate::hire::reference::model::skill_levels;
use crate::hire::time::paid_minutes;
use crate::hire::time::{last_day, parse_date, parse_number, parse_time, span};
use crate::ids::{OrganisationId, PostingId};
use crate::money::{Money, parse_price};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The longest shift, break included.
pub const MAX_SHIFT_HOURS: i64 = 16;

pg_enum! {
    PostingStatus as "posting_status" {
        Draft = "draft": "Draft",
        Published = "published": "Open",
        Filled = "filled": "Filled",
        Closed = "closed": "Closed",
        Cancelled = "cancelled": "Cancelled",
    }
}

impl PostingStatus {
    /// The posting's life: drafts are published or dropped; an open posting fills (and opens
    /// again when a seat frees up), closes to new applicants, or is cancelled.
    pub fn may_become(self, next: PostingStatus) -> bool {
        use PostingStatus::*;
        matches!(
            (self, next),
            (Draft, Published | Cancelled)
                | (Published, Filled | Closed | Cancelled)
                | (Filled, Published | Closed | Cancelled)
        )
    }

    /// Freelancers can apply.
    pub fn accepts_applications(self) -> bool {
        self == PostingStatus::Published
    }
}

/// A shift's "Thu 3 Dec 2026, 09:00–17:30"; a job's "Mon 7 Dec 2026 – Fri 18 Dec 2026".
pub fn when_label(kind: PostingKind, starts: NaiveDateTime, ends: NaiveDateTime) -> String {
    match kind {
        PostingKind::Shift => format!(
            "{}, {}–{}",
            starts.format("%a %-d %b %Y"),
            starts.format("%H:%M"),
            ends.format("%H:%M")
        ),
        PostingKind::Job => format!(
            "{} – {}",
            starts.format("%a %-d %b %Y"),
            last_day(ends).format("%a %-d %b %Y")
        ),
    }
}

/// "€16.00/h" or "€1,200.00 fixed price".
pub fn pay_label(wage: Money, basis: PayBasis) -> String {
    match basis {
        PayBasis::Hourly => format!("{wage}/h"),
        PayBasis::Fixed => format!("{wage} fixed price"),
    }
}

pg_enum! {
    /// What an organisation posts: a shift (hours on one day) or a job (work over days).
    PostingKind as "posting_kind" {
        Shift = "shift": "Shift",
        Job = "job": "Job",
    }
}

pg_enum! {
    /// How a posting pays: by the hour (a shift's hours, a job's weekly timesheets) or a fixed
    /// price for a job's delivered work.
    PayBasis as "pay_basis" {
        Hourly = "hourly": "Hourly",
        Fixed = "fixed": "Fixed price",
    }
}

/// The longest job, first day to last.
pub const MAX_JOB_DAYS: i64 = 366;

/// A shift as the manager types it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShiftInput {
    pub title: String,
    pub description: String,
    pub city: String,
    pub address: String,
    /// `2026-12-24`
    pub date: String,
    /// `09:00`
    pub starts: String,
    /// `17:30`; not after the start means the next day.
    pub ends: String,
    pub break_minutes: String,
    pub headcount: String,
    /// Per hour: "16.50".
    pub wage: String,
    /// Skill id → minimum level ("1".."4"; empty or "0": not required).
    pub skills: BTreeMap<String, String>,
    /// Certificate type id → "on" for each required one (ticked boxes).
    pub certificates: BTreeMap<String, String>,
}

/// A draft as its form shows it, to edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Draft {
    Shift(ShiftInput),
    Job(JobInput),
}

/// A job as the manager types it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct JobInput {
    pub title: String,
    /// The scope: what is to be done and delivered.
    pub description: String,
    pub city: String,
    pub address: String,
    /// The first and the last day, `2026-12-24`.
    pub starts: String,
    pub ends: String,
    pub headcount: String,
    /// `hourly` or `fixed`.
    pub pay_basis: String,
    /// The hourly rate ("16.50") or the price ("1200").
    pub pay: String,
    pub skills: BTreeMap<String, String>,
    pub certificates: BTreeMap<String, String>,
}

/// A shift or job that passed every check; times on the Hire wall clock (a job runs from its
/// first day's midnight to the midnight after its last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidPosting {
    pub kind: PostingKind,
    pub pay_basis: PayBasis,
    pub title: String,
    pub description: String,
    pub city: String,
    pub address: String,
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub break_minutes: i32,
    pub headcount: i32,
    /// The hourly wage, or a fixed-price job's price.
    pub wage: Money,
    pub skills: Vec<(String, i16)>,
    pub certificates: Vec<String>,
}

/// The fields shifts and jobs share, checked for the form `form` (`shift` or `job`), with the
/// times and pay left for the caller.
#[allow(clippy::too_many_arguments)]
fn check_common(
    p: &mut Problems,
    form: &str,
    kind: PostingKind,
    title: &str,
    description: &str,
    city: &str,
    address: &str,
    headcount: &str,
    skills: &BTreeMap<String, String>,
    certificates: &BTreeMap<String, String>,
) -> ValidPosting {
    let noun = kind.label().to_lowercase();
    let title = p.text(&format!("{form}[title]"), "title", title, 120);
    if !title.is_empty() && title.chars().count() < 3 {
        p.add(
            &format!("{form}[title]"),
            format!("Give the {noun} a title of at least 3 characters."),
        );
    }
    let description = description.trim().to_owned();
    if description.chars().count() > 8000 {
        p.add(
            &format!("{form}[description]"),
            "Keep the description to 8000 characters.",
        );
    }
    let city = city.trim().to_owned();
    if city.is_empty() {
        p.add(
            &format!("{form}[city]"),
            format!("Choose the city the {noun} is in."),
        );
    }
    let address = address.trim().to_owned();
    if address.chars().count() > 200 {
        p.add(
            &format!("{form}[address]"),
            "Keep the address to 200 characters.",
        );
    }
    let headcount = parse_number(
        p,
        &format!("{form}[headcount]"),
        headcount,
        (1, 100),
        "the number of people",
    );
    ValidPosting {
        kind,
        pay_basis: PayBasis::Hourly,
        title,
        description,
        city,
        address,
        starts: NaiveDateTime::MIN,
        ends: NaiveDateTime::MIN,
        break_minutes: 0,
        headcount: i32::try_from(headcount).unwrap_or(1),
        wage: Money::zero(HIRE_CURRENCY),
        skills: skill_levels(p, &format!("{form}[skills]"), skills),
        certificates: certificates.keys().cloned().collect(),
    }
}

/// An hourly wage or a fixed price within the bounds for `basis`.
pub(crate) fn check_pay(p: &mut Problems, field: &str, raw: &str, basis: PayBasis) -> Money {
    let (range, message) = match basis {
        PayBasis::Hourly => ((100, 50_000), "Enter an hourly wage from €1.00 to €500.00."),
        PayBasis::Fixed => (
            (1_000, 10_000_000),
            "Enter a price from €10.00 to €100,000.00.",
        ),
    };
    match parse_price(raw, HIRE_CURRENCY) {
        Ok(pay) if pay.minor() >= range.0 && pay.minor() <= range.1 => pay,
        Ok(_) => {
            p.add(field, message);
            Money::zero(HIRE_CURRENCY)
        }
        Err(message) => {
            p.add(field, message);
            Money::zero(HIRE_CURRENCY)
        }
    }
}

impl ShiftInput {
    pub fn check(&self) -> Result<ValidPosting, AppError> {
        let mut p = Problems::default();
        let mut shift = check_common(
            &mut p,
            "shift",
            PostingKind::Shift,
            &self.title,
            &self.description,
            &self.city,
            &self.address,
            &self.headcount,
            &self.skills,
            &self.certificates,
        );
        let date = parse_date(&mut p, "shift[date]", &self.date);
        let start = parse_time(&mut p, "shift[starts]", &self.starts);
        let end = parse_time(&mut p, "shift[ends]", &self.ends);
        let (starts, ends) = match (date, start, end) {
            (Some(d), Some(s), Some(e)) => span(d, s, e),
            _ => (NaiveDateTime::MIN, NaiveDateTime::MIN),
        };
        if (ends - starts).num_hours() > MAX_SHIFT_HOURS {
            p.add(
                "shift[ends]",
                format!("A shift lasts at most {MAX_SHIFT_HOURS} hours."),
            );
        }
        let break_minutes = match self.break_minutes.trim() {
            "" => 0,
            raw => parse_number(
                &mut p,
                "shift[break_minutes]",
                raw,
                (0, 240),
                "a break in minutes",
            ),
        };
        if starts != ends && break_minutes >= (ends - starts).num_minutes() {
            p.add(
                "shift[break_minutes]",
                "The break must be shorter than the shift.",
            );
        }
        shift.wage = check_pay(&mut p, "shift[wage]", &self.wage, PayBasis::Hourly);
        shift.starts = starts;
        shift.ends = ends;
        shift.break_minutes = i32::try_from(break_minutes).unwrap_or(0);
        p.into_result(shift)
    }
}

impl JobInput {
    pub fn check(&self) -> Result<ValidPosting, AppError> {
        let mut p = Problems::default();
        let mut job = check_common(
            &mut p,
            "job",
            PostingKind::Job,
            &self.title,
            &self.description,
            &self.city,
            &self.address,
            &self.headcount,
            &self.skills,
            &self.certificates,
        );
        let first = parse_date(&mut p, "job[starts]", &self.starts);
        let last = parse_date(&mut p, "job[ends]", &self.ends);
        if let (Some(first), Some(last)) = (first, last) {
            if last < first {
                p.add("job[ends]", "The last day can't be before the first.");
            } else if (last - first).num_days() >= MAX_JOB_DAYS {
                p.add(
                    "job[ends]",
                    format!("A job runs for at most {MAX_JOB_DAYS} days."),
                );
            }
            job.starts = first.and_time(NaiveTime::MIN);
            job.ends = (last + chrono::Duration::days(1)).and_time(NaiveTime::MIN);
        }
        match PayBasis::from_db_name(self.pay_basis.trim()) {
            Some(basis) => {
                job.pay_basis = basis;
                job.wage = check_pay(&mut p, "job[pay]", &self.pay, basis);
            }
            None => p.add("job[pay_basis]", "Choose how the job pays."),
        }
        p.into_result(job)
    }
}

/// A shift as lists and its page show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftSummary {
    pub id: PostingId,
    pub kind: PostingKind,
    pub pay_basis: PayBasis,
    pub organisation_id: OrganisationId,
    pub organisation: String,
    pub organisation_slug: String,
    pub status: PostingStatus,
    pub title: String,
    pub city: String,
    /// Hire wall-clock time.
    pub starts: NaiveDateTime,
    pub ends: NaiveDateTime,
    pub break_minutes: i32,
    pub headcount: i32,
    pub seats_taken: i32,
    pub wage: Money,
    /// Applying needs one or more verified certificates.
    pub needs_certificates: bool,
    /// From the viewer's home city, when they have a profile.
    pub distance_km: Option<f64>,
}

impl ShiftSummary {
    pub fn paid_minutes(&self) -> i64 {
        paid_minutes(self.starts, self.ends, self.break_minutes)
    }

    /// A shift's "Thu 3 Dec 2026, 09:00–17:30"; a job's "Mon 7 Dec 2026 – Fri 18 Dec 2026".
    pub fn when(&self) -> String {
        when_label(self.kind, self.starts, self.ends)
    }

    /// "€16.00/h" or "€1,200.00 fixed price".
    pub fn pay_label(&self) -> String {
        pay_label(self.wage, self.pay_basis)
    }
}

/// An organisation's posting with what waits for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgShift {
    pub shift: ShiftSummary,
    pub applicants: i64,
    pub timesheets_waiting: i64,
}

/// Filters of the find-work page, from its query string.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WorkFilter {
    /// Radius in km around the freelancer's home (their travel radius when absent).
    pub within_km: Option<i32>,
    pub min_wage_minor: Option<i64>,
    pub skill: Option<String>,
    /// Only shifts on or after this day.
    pub from: Option<NaiveDate>,
    pub page: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkPage {
    pub shifts: Vec<ShiftSummary>,
    pub total: i64,
    pub page: i64,
    /// The freelancer's home city and radius used, when they have a profile.
    pub home: Option<(String, i32)>,
    /// Signed in: a visitor is invited to sign up.
    pub signed_in: bool,
}

impl WorkFilter {
    /// From the find-work page's query string; a value that does not parse is left out (the
    /// form shows what was applied).
    pub fn from_query(within_km: &str, min_wage: &str, skill: &str, from: &str, page: i64) -> Self {
        WorkFilter {
            within_km: within_km
                .trim()
                .parse()
                .ok()
                .filter(|km| (1..=250).contains(km)),
            min_wage_minor: parse_price(min_wage, HIRE_CURRENCY).ok().map(Money::minor),
            skill: Some(skill.trim().to_owned()).filter(|s| !s.is_empty()),
            from: crate::dates::parse_form_date(from),
            page: page.clamp(1, crate::ui::MAX_PAGE),
        }
    }
}

/// A shift or job with its text and requirements, as anyone may read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PostingDetail {
    pub summary: ShiftSummary,
    pub description: String,
    pub address: String,
    /// (skill id, name, minimum level)
    pub skills: Vec<(String, String, i16)>,
    /// (certificate type id, name): each must be verified and valid on the day.
    pub certificates: Vec<(String, String)>,
    /// What freelancers who worked for the organisation said: (average stars, count).
    pub organisation_rating: (Option<f64>, i64),
}
