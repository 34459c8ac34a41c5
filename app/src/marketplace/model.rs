//! The Hire face's shared types. Pure; shared by browser and server.

use crate::error::{AppError, Problems};
use crate::ids::{
    ApplicationId, CertificateId, ContractId, OrganisationId, PostingId, TimesheetId, UserId,
};
use crate::money::{Currency, Money, parse_price};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A city from the bundled list (no network geocoding): where freelancers live and shifts
/// happen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct City {
    /// `nl-utrecht`: country and name, stable across renames of the display name.
    pub id: String,
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    pub latitude: f64,
    pub longitude: f64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skill {
    pub id: String,
    pub name: String,
}

/// A group of skills in the taxonomy ("Hospitality": bartending, barista, …).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillCategory {
    pub id: String,
    pub name: String,
    pub skills: Vec<Skill>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateType {
    pub id: String,
    pub name: String,
    /// Certificates of this type carry an expiry date.
    pub expires: bool,
}

/// Everything the Hire forms pick from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    /// By country, then name.
    pub cities: Vec<City>,
    /// In the taxonomy's order; skills by name within each.
    pub skills: Vec<SkillCategory>,
    /// By name.
    pub certificates: Vec<CertificateType>,
}

/// The Hire face pays in euros (every city in the bundled list uses them).
pub const HIRE_CURRENCY: Currency = Currency::Eur;

/// Every shift time on the pages is wall-clock time here; the database keeps instants, and its
/// `hire_local(instant)` and `hire_instant(local)` functions convert in this zone.
pub const HIRE_TIME_ZONE: &str = "Europe/Amsterdam";

/// The longest shift, break included.
pub const MAX_SHIFT_HOURS: i64 = 16;

pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

pub const SKILL_LEVELS: [&str; 4] = ["Beginner", "Experienced", "Advanced", "Expert"];

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

pg_enum! {
    ApplicationStatus as "application_status" {
        Invited = "invited": "Invited",
        Applied = "applied": "Applied",
        Offered = "offered": "Offer made",
        Hired = "hired": "Hired",
        Rejected = "rejected": "Not selected",
        Withdrawn = "withdrawn": "Withdrawn",
        Declined = "declined": "Declined",
        Expired = "expired": "Expired",
    }
}

pg_enum! {
    /// The two sides of the marketplace: who moves an application on, who gave a rating.
    Side as "hire_side" {
        Organisation = "organisation": "Organisation",
        Freelancer = "freelancer": "Freelancer",
    }
}

impl ApplicationStatus {
    /// Which side may move an application from `self` to `next`, if any: the organisation
    /// offers or rejects (an invitation or an offer can be taken back, which rejects), the
    /// freelancer applies from an invitation or declines it, withdraws an application, and
    /// accepts or declines an offer.
    pub fn moved_by(self, next: ApplicationStatus) -> Option<Side> {
        use ApplicationStatus::*;
        match (self, next) {
            (Invited | Offered, Rejected) | (Applied, Offered | Rejected) => {
                Some(Side::Organisation)
            }
            (Invited, Applied | Declined) | (Applied, Withdrawn) | (Offered, Hired | Declined) => {
                Some(Side::Freelancer)
            }
            _ => None,
        }
    }

    pub fn is_final(self) -> bool {
        ApplicationStatus::ALL
            .iter()
            .all(|next| self.moved_by(*next).is_none())
    }

    /// An offer holds a seat until it is answered; a hire keeps it.
    pub fn holds_seat(self) -> bool {
        matches!(self, ApplicationStatus::Offered | ApplicationStatus::Hired)
    }
}

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
    }
}

pg_enum! {
    TimesheetStatus as "timesheet_status" {
        Submitted = "submitted": "Waiting for approval",
        Approved = "approved": "Approved",
        Adjusted = "adjusted": "Approved with changes",
        Disputed = "disputed": "Disputed",
        AutoApproved = "auto_approved": "Approved automatically",
    }
}

impl TimesheetStatus {
    /// The organisation answers a submitted timesheet; the freelancer resubmits a disputed one;
    /// the auto-approval job answers for an organisation that did not.
    pub fn may_become(self, next: TimesheetStatus) -> bool {
        use TimesheetStatus::*;
        matches!(
            (self, next),
            (Submitted, Approved | Adjusted | Disputed | AutoApproved) | (Disputed, Submitted)
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

/// A job's last day: its span ends at the midnight after it.
pub fn last_day(ends: NaiveDateTime) -> NaiveDate {
    (ends - chrono::Duration::minutes(1)).date()
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

/// Paid minutes of a stretch of work: its length less the break, never below zero.
pub fn paid_minutes(from: NaiveDateTime, to: NaiveDateTime, break_minutes: i32) -> i64 {
    ((to - from).num_minutes() - i64::from(break_minutes)).max(0)
}

/// The pay for `minutes` at `hourly`, rounded half up to the cent.
pub fn pay_for(minutes: i64, hourly: Money) -> Money {
    Money::new((minutes * hourly.minor() + 30) / 60, hourly.currency())
}

/// Worked time may run past a shift's schedule by this much (a late finish); a longer claim is
/// refused, and older ones are never approved without a person.
pub const OVERTIME_MINUTES: i64 = 60;

/// "7 h 30 min".
pub fn hours_label(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (h, 0) => format!("{h} h"),
        (0, m) => format!("{m} min"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// A start and end on the wall clock: the end is on the next day when it is not after the
/// start (a night shift).
fn span(date: NaiveDate, start: NaiveTime, end: NaiveTime) -> (NaiveDateTime, NaiveDateTime) {
    let from = date.and_time(start);
    let mut to = date.and_time(end);
    if to <= from {
        to += chrono::Duration::days(1);
    }
    (from, to)
}

fn parse_date(p: &mut Problems, field: &str, raw: &str) -> Option<NaiveDate> {
    let parsed = crate::dates::parse_form_date(raw);
    if parsed.is_none() {
        p.add(field, "Enter a date like 2026-12-24.");
    }
    parsed
}

fn parse_time(p: &mut Problems, field: &str, raw: &str) -> Option<NaiveTime> {
    let raw = raw.trim();
    let parsed = NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
        .ok();
    if parsed.is_none() {
        p.add(field, "Enter a time like 09:30.");
    }
    parsed
}

fn parse_number(p: &mut Problems, field: &str, raw: &str, range: (i64, i64), what: &str) -> i64 {
    match raw.trim().parse::<i64>() {
        Ok(n) if n >= range.0 && n <= range.1 => n,
        _ => {
            p.add(
                field,
                format!("Enter {what} from {} to {}.", range.0, range.1),
            );
            range.0
        }
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

/// Skill id → level from a form's select boxes ("0" or empty: none).
fn skill_levels(
    p: &mut Problems,
    field: &str,
    raw: &BTreeMap<String, String>,
) -> Vec<(String, i16)> {
    let mut skills = Vec::new();
    for (skill, level) in raw {
        match level.trim() {
            "" | "0" => {}
            text => match text.parse::<i16>() {
                Ok(level @ 1..=4) => skills.push((skill.clone(), level)),
                _ => p.add(field, "Choose a level from the list."),
            },
        }
    }
    skills
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
fn check_pay(p: &mut Problems, field: &str, raw: &str, basis: PayBasis) -> Money {
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

/// A freelancer's own rate or price for a job, if they typed one (field `proposed`). Shifts pay
/// what they posted.
pub fn check_proposal(
    raw: &str,
    kind: PostingKind,
    basis: PayBasis,
) -> Result<Option<Money>, AppError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    if kind == PostingKind::Shift {
        return Err(AppError::field(
            "proposed",
            "A shift pays the wage it posted.",
        ));
    }
    let mut p = Problems::default();
    let pay = check_pay(&mut p, "proposed", raw, basis);
    p.into_result(Some(pay))
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

/// A freelancer's profile as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProfileInput {
    pub headline: String,
    pub bio: String,
    pub city: String,
    pub travel_km: String,
    /// Per hour: "15.00".
    pub min_rate: String,
    /// Comma-separated ISO 639-1 codes: "nl, en".
    pub languages: String,
    pub skills: BTreeMap<String, String>,
    /// `"1_from"` … `"7_to"` (ISO weekday, Monday = 1) → `HH:MM`; both empty: not that day.
    pub week: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidProfile {
    pub headline: String,
    pub bio: String,
    pub city: String,
    pub travel_km: i32,
    pub min_rate: Money,
    pub languages: Vec<String>,
    pub skills: Vec<(String, i16)>,
    pub week: Vec<Availability>,
}

impl ProfileInput {
    pub fn check(&self) -> Result<ValidProfile, AppError> {
        let mut p = Problems::default();
        let headline = p.text("profile[headline]", "headline", &self.headline, 120);
        if !headline.is_empty() && headline.chars().count() < 3 {
            p.add(
                "profile[headline]",
                "Write a headline of at least 3 characters.",
            );
        }
        let bio = self.bio.trim().to_owned();
        if bio.chars().count() > 4000 {
            p.add("profile[bio]", "Keep the bio to 4000 characters.");
        }
        let city = self.city.trim().to_owned();
        if city.is_empty() {
            p.add("profile[city]", "Choose the city you live in.");
        }
        let travel_km = parse_number(
            &mut p,
            "profile[travel_km]",
            &self.travel_km,
            (0, 250),
            "a distance in km",
        );
        let min_rate = match parse_price(&self.min_rate, HIRE_CURRENCY) {
            Ok(rate) if rate.minor() <= 50_000 => rate,
            Ok(_) => {
                p.add("profile[min_rate]", "Enter an hourly rate up to €500.00.");
                Money::zero(HIRE_CURRENCY)
            }
            Err(message) => {
                p.add("profile[min_rate]", message);
                Money::zero(HIRE_CURRENCY)
            }
        };
        let mut languages: Vec<String> = Vec::new();
        for code in self
            .languages
            .split([',', ' '])
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let code = code.to_lowercase();
            if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_lowercase()) {
                p.add(
                    "profile[languages]",
                    "Use two-letter language codes separated by commas, like “nl, en”.",
                );
                break;
            }
            if !languages.contains(&code) {
                languages.push(code);
            }
        }
        if languages.len() > 12 {
            p.add("profile[languages]", "List at most 12 languages.");
        }
        let skills = skill_levels(&mut p, "profile[skills]", &self.skills);
        let mut week = Vec::new();
        for day in 1..=7_i16 {
            let get = |part: &str| {
                self.week
                    .get(&format!("{day}_{part}"))
                    .map_or("", |v| v.trim())
            };
            let (from, to) = (get("from"), get("to"));
            if from.is_empty() && to.is_empty() {
                continue;
            }
            let field = format!("profile[week][{day}]");
            let (Some(starts), Some(ends)) = (
                parse_time(&mut p, &field, from),
                parse_time(&mut p, &field, to),
            ) else {
                continue;
            };
            if starts == ends {
                p.add(&field, "A day's window needs a start and a different end.");
                continue;
            }
            week.push(Availability {
                weekday: day,
                starts,
                ends,
            });
        }
        p.into_result(ValidProfile {
            headline,
            bio,
            city,
            travel_km: i32::try_from(travel_km).unwrap_or(0),
            min_rate,
            languages,
            skills,
            week,
        })
    }
}

/// One weekday's window in the usual week (ISO weekday, Monday = 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    pub weekday: i16,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
}

impl Availability {
    /// Does this window cover a shift from `from` to `to` (wall clock) that starts on its day?
    pub fn covers(self, from: NaiveDateTime, to: NaiveDateTime) -> bool {
        let day = i16::try_from(from.weekday().number_from_monday()).unwrap_or(0);
        if day != self.weekday {
            return false;
        }
        let (open, close) = span(from.date(), self.starts, self.ends);
        open <= from && to <= close
    }
}

pg_enum! {
    CertificateStatus as "certificate_status" {
        Pending = "pending": "Waiting for review",
        Verified = "verified": "Verified",
        Rejected = "rejected": "Not accepted",
    }
}

/// The largest certificate document accepted.
pub const MAX_CERTIFICATE_BYTES: usize = 5 * 1024 * 1024;

/// The document types a certificate may be uploaded as, recognised by their first bytes (the
/// name and the browser's claim are not trusted).
pub fn certificate_content_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else {
        None
    }
}

/// A freelancer's certificate as its owner and admins see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: CertificateId,
    pub type_id: String,
    pub name: String,
    pub status: CertificateStatus,
    pub expires_on: Option<NaiveDate>,
    pub file_name: String,
    pub uploaded_on: NaiveDate,
    pub rejection_reason: Option<String>,
}

impl Certificate {
    /// Verified, and not expired on `day`.
    pub fn valid_on(&self, day: NaiveDate) -> bool {
        self.status == CertificateStatus::Verified && self.expires_on.is_none_or(|end| end >= day)
    }

    /// "Verified · valid until 3 May 2027", "Expired on …", "Waiting for review", …
    pub fn state_label(&self, today: NaiveDate) -> String {
        let until = |d: NaiveDate| d.format("%-d %b %Y").to_string();
        match (self.status, self.expires_on) {
            (CertificateStatus::Verified, Some(end)) if end < today => {
                format!("Expired on {}", until(end))
            }
            (CertificateStatus::Verified, Some(end)) => {
                format!("Verified · valid until {}", until(end))
            }
            (CertificateStatus::Verified, None) => "Verified".to_owned(),
            (CertificateStatus::Pending | CertificateStatus::Rejected, _) => {
                self.status.label().to_owned()
            }
        }
    }
}

/// A certificate waiting in the admins' verification queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationItem {
    pub certificate: Certificate,
    pub freelancer_id: UserId,
    pub freelancer: String,
    pub email: String,
    /// The type carries an expiry date, so verifying needs one.
    pub type_expires: bool,
}

/// The freelancer's own certificates and the Hire clock's date (what shows as expired).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyCertificates {
    pub certificates: Vec<Certificate>,
    pub today: NaiveDate,
}

/// The verification queue's first page and its full length.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationQueue {
    pub items: Vec<VerificationItem>,
    pub total: i64,
}

/// Stars and words one side gave the other after a completed contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rating {
    pub by: Side,
    pub stars: i16,
    pub comment: String,
}

/// A rating as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidRating {
    pub stars: i16,
    pub comment: String,
}

/// Check a rating form: 1 to 5 stars, an optional comment of at most 1000 characters.
pub fn check_rating(stars: &str, comment: &str) -> Result<ValidRating, AppError> {
    let mut p = Problems::default();
    let stars = match stars.trim().parse::<i16>() {
        Ok(n @ 1..=5) => n,
        _ => {
            p.add("stars", "Choose from 1 to 5 stars.");
            0
        }
    };
    let comment = comment.trim().to_owned();
    if comment.chars().count() > 1000 {
        p.add("comment", "Keep the comment to 1000 characters.");
    }
    p.into_result(ValidRating { stars, comment })
}

/// "4.8★ from 12 ratings"
pub fn rating_line(average: Option<f64>, count: i64) -> String {
    match average {
        Some(avg) if count > 0 => format!(
            "{avg:.1}★ from {count} rating{}",
            if count == 1 { "" } else { "s" }
        ),
        _ => "No ratings yet".to_owned(),
    }
}

/// One message in a thread.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub by: Side,
    pub author: String,
    pub body: String,
    /// Hire wall clock.
    pub at: NaiveDateTime,
}

/// The conversation about one application (and the contract that grew from it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thread {
    pub application: ApplicationId,
    pub posting_id: PostingId,
    pub title: String,
    pub organisation: String,
    pub organisation_slug: String,
    pub freelancer_id: UserId,
    pub freelancer: String,
    pub status: ApplicationStatus,
    /// New messages can be written (the application didn't end without a hire).
    pub open: bool,
    pub messages: Vec<Message>,
}

/// A thread in an inbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    pub application: ApplicationId,
    pub title: String,
    /// The organisation for the freelancer, the freelancer for the organisation.
    pub counterpart: String,
    /// The start of the latest message.
    pub last: String,
    pub last_at: NaiveDateTime,
    pub unread: i64,
}

/// Unread messages for the signed-in person: as a freelancer, and in each of their
/// organisations (by slug).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    pub freelancer: i64,
    pub organisations: Vec<(String, i64)>,
}

/// What history says about a freelancer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Reliability {
    pub completed: i64,
    pub no_shows: i64,
    pub late_cancellations: i64,
    /// Completed shifts whose hours started within 5 minutes of the scheduled start.
    pub on_time: i64,
    /// Ratings organisations gave, and their stars added up.
    pub ratings: i64,
    pub stars: i64,
}

impl Reliability {
    /// Share of booked shifts the freelancer turned up for, when there is any history.
    pub fn attendance(self) -> Option<f64> {
        let booked = self.completed + self.no_shows + self.late_cancellations;
        (booked > 0).then(|| self.completed as f64 / booked as f64)
    }

    pub fn average_rating(self) -> Option<f64> {
        (self.ratings > 0).then(|| self.stars as f64 / self.ratings as f64)
    }

    pub fn punctuality(self) -> Option<f64> {
        (self.completed > 0).then(|| self.on_time as f64 / self.completed as f64)
    }
}

/// A freelancer's profile as its owner edits it and managers read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: UserId,
    pub display_name: String,
    pub headline: String,
    pub bio: String,
    pub city: City,
    pub travel_km: i32,
    pub min_rate: Money,
    pub languages: Vec<String>,
    /// (skill id, skill name, level)
    pub skills: Vec<(String, String, i16)>,
    pub week: Vec<Availability>,
    pub days_off: Vec<NaiveDate>,
    /// Whether `week` and `days_off` are shown to this reader: the freelancer, support admins
    /// and organisations the freelancer applied to or was invited by see them; other hiring
    /// managers get them empty.
    pub availability_shown: bool,
    pub reliability: Reliability,
    /// Every upload as stored; the profile managers read keeps only those valid today.
    pub certificates: Vec<Certificate>,
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

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShiftDetail {
    pub summary: ShiftSummary,
    pub description: String,
    pub address: String,
    /// (skill id, name, minimum level)
    pub skills: Vec<(String, String, i16)>,
    /// (certificate type id, name): each must be verified and valid on the day.
    pub certificates: Vec<(String, String)>,
    /// What freelancers who worked for the organisation said: (average stars, count).
    pub organisation_rating: (Option<f64>, i64),
    /// The viewer's own application, for freelancers.
    pub mine: Option<MyApplication>,
    /// The viewer has a freelancer profile, so they can apply.
    pub can_apply: bool,
    /// Names of required certificates the viewer doesn't hold verified and valid on the day.
    pub missing_certificates: Vec<String>,
}

/// A freelancer's application as they see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyApplication {
    pub id: ApplicationId,
    pub shift: ShiftSummary,
    pub status: ApplicationStatus,
    pub note: String,
    pub reason: Option<String>,
}

/// An applicant as the organisation sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Applicant {
    pub id: ApplicationId,
    pub freelancer_id: UserId,
    pub name: String,
    pub headline: String,
    pub city: String,
    pub status: ApplicationStatus,
    pub note: String,
    pub reason: Option<String>,
    /// The freelancer's own rate or price for a job.
    pub proposed: Option<Money>,
    pub reliability: Reliability,
    /// How they fit the posting, by the matching engine.
    pub fit: Option<Fit>,
}

/// Someone who completed shifts for the organisation, as its managers see them when inviting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PastWorker {
    pub freelancer_id: UserId,
    pub name: String,
    pub headline: String,
    pub city: String,
    /// Completed contracts with the organisation.
    pub shifts: i64,
}

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

/// An organisation's posting with what waits for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgShift {
    pub shift: ShiftSummary,
    pub applicants: i64,
    pub timesheets_waiting: i64,
}

/// The organisation's page for one shift.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgShiftDetail {
    pub detail: ShiftDetail,
    pub applicants: Vec<Applicant>,
    pub contracts: Vec<ContractView>,
    /// Who the managers can invite back, while the shift takes applications.
    pub past_workers: Vec<PastWorker>,
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

/// An organisation's Hire home.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrgHome {
    pub name: String,
    pub slug: String,
    pub shifts: Vec<OrgShift>,
    pub timesheets_waiting: Vec<ContractView>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(date: &str, time: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(&format!("{date} {time}"), "%Y-%m-%d %H:%M").unwrap()
    }

    fn posting_status() -> impl Strategy<Value = PostingStatus> {
        prop::sample::select(PostingStatus::ALL.to_vec())
    }

    fn application_status() -> impl Strategy<Value = ApplicationStatus> {
        prop::sample::select(ApplicationStatus::ALL.to_vec())
    }

    fn timesheet_status() -> impl Strategy<Value = TimesheetStatus> {
        prop::sample::select(TimesheetStatus::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn hire_forms_answer_any_input_without_panicking(
            text in ".{0,24}",
            time in "[0-9:+-]{0,14}",
            amount in "[0-9:.,-]{0,12}",
            date in "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}",
        ) {
            let days: BTreeMap<String, String> =
                (1..=7).map(|d| (d.to_string(), amount.clone())).collect();
            let _ = ShiftInput {
                title: text.clone(), date: date.clone(), starts: time.clone(), ends: amount.clone(),
                break_minutes: amount.clone(), headcount: amount.clone(), wage: amount.clone(),
                ..ShiftInput::default()
            }.check();
            let _ = JobInput {
                title: text.clone(), starts: date.clone(), ends: date.clone(),
                headcount: amount.clone(), pay_basis: text.clone(), pay: amount.clone(),
                ..JobInput::default()
            }.check();
            let _ = HoursInput {
                date: date.clone(), starts: time.clone(), ends: time.clone(), break_minutes: amount.clone(),
            }.check();
            let _ = WeekInput { week: date.clone(), days: days.clone() }.check();
            let _ = ProfileInput {
                headline: text.clone(), travel_km: amount.clone(), min_rate: amount.clone(),
                week: days, ..ProfileInput::default()
            }.check();
            let _ = WorkFilter::from_query(&amount, &amount, &text, &date, i64::MAX);
            let _ = check_rating(&amount, &text);
        }

        #[test]
        fn postings_never_return_to_draft_and_endings_are_final(from in posting_status(), to in posting_status()) {
            if from.may_become(to) {
                prop_assert_ne!(from, to);
                prop_assert_ne!(to, PostingStatus::Draft);
                prop_assert!(!matches!(from, PostingStatus::Closed | PostingStatus::Cancelled));
                // Filling happens to open postings only (a seat is taken).
                if to == PostingStatus::Filled {
                    prop_assert_eq!(from, PostingStatus::Published);
                }
            }
        }

        #[test]
        fn each_application_move_belongs_to_one_side(from in application_status(), to in application_status()) {
            match from.moved_by(to) {
                Some(Side::Organisation) => prop_assert!(matches!(to, ApplicationStatus::Offered | ApplicationStatus::Rejected)),
                Some(Side::Freelancer) => prop_assert!(matches!(to, ApplicationStatus::Applied | ApplicationStatus::Withdrawn | ApplicationStatus::Hired | ApplicationStatus::Declined)),
                None => {}
            }
            if from.is_final() {
                prop_assert_eq!(from.moved_by(to), None);
            }
            // Only an offer becomes a hire: nobody is hired without the organisation's offer
            // and the freelancer's yes.
            if to == ApplicationStatus::Hired && from.moved_by(to).is_some() {
                prop_assert_eq!(from, ApplicationStatus::Offered);
            }
            // Only the freelancer turns an invitation into an application.
            if to == ApplicationStatus::Applied && from.moved_by(to).is_some() {
                prop_assert_eq!((from, from.moved_by(to)), (ApplicationStatus::Invited, Some(Side::Freelancer)));
            }
        }

        #[test]
        fn approved_hours_stay_approved(from in timesheet_status(), to in timesheet_status()) {
            if from.is_approved() {
                prop_assert!(!from.may_become(to));
            }
            if from.may_become(to) && to == TimesheetStatus::Submitted {
                prop_assert_eq!(from, TimesheetStatus::Disputed);
            }
        }

        #[test]
        fn pay_is_minutes_times_wage_rounded_to_the_cent(minutes in 1_i64..=16 * 60, cents in 100_i64..=50_000) {
            let pay = pay_for(minutes, Money::new(cents, HIRE_CURRENCY)).minor();
            let exact = minutes * cents;
            prop_assert!((pay * 60 - exact).abs() <= 30);
        }

        #[test]
        fn a_late_client_cancellation_owes_the_share(minutes_before in -600_i64..=5_000, cents in 0_i64..=1_000_000) {
            let policy = CANCELLATION_POLICY;
            prop_assert_eq!(policy.is_late(minutes_before), minutes_before < 24 * 60);
            let owed = policy.owed_by_client(Money::new(cents, HIRE_CURRENCY)).minor();
            prop_assert!(owed * 2 - cents <= 1 && cents - owed * 2 <= 1);
        }
    }

    #[test]
    fn every_application_path_ends() {
        // From an invitation, every sequence of allowed moves reaches a final status within
        // three steps (applied, offered, and an answer).
        let mut frontier = vec![ApplicationStatus::Invited];
        for _ in 0..3 {
            frontier = frontier
                .into_iter()
                .flat_map(|s| {
                    ApplicationStatus::ALL
                        .iter()
                        .copied()
                        .filter(move |n| s.moved_by(*n).is_some())
                })
                .collect();
        }
        assert!(frontier.iter().all(|s| s.is_final()), "{frontier:?}");
        assert!(ApplicationStatus::Offered.holds_seat() && ApplicationStatus::Hired.holds_seat());
        assert!(
            !ApplicationStatus::Applied.holds_seat() && !ApplicationStatus::Invited.holds_seat()
        );
    }

    fn job(basis: &str, pay: &str) -> JobInput {
        JobInput {
            title: "Shop fit-out".into(),
            city: "nl-utrecht".into(),
            starts: "2026-12-07".into(),
            ends: "2026-12-18".into(),
            headcount: "1".into(),
            pay_basis: basis.into(),
            pay: pay.into(),
            ..JobInput::default()
        }
    }

    #[test]
    fn a_job_runs_from_its_first_midnight_to_the_one_after_its_last_day() {
        let valid = job("fixed", "1800").check().unwrap();
        assert_eq!(
            (valid.kind, valid.pay_basis),
            (PostingKind::Job, PayBasis::Fixed)
        );
        assert_eq!(
            (valid.starts, valid.ends),
            (at("2026-12-07", "00:00"), at("2026-12-19", "00:00"))
        );
        assert_eq!(valid.wage.minor(), 180_000);
        assert_eq!(
            last_day(valid.ends),
            NaiveDate::from_ymd_opt(2026, 12, 18).unwrap()
        );
        let hourly = job("hourly", "24.50").check().unwrap();
        assert_eq!(
            (hourly.pay_basis, hourly.wage.minor()),
            (PayBasis::Hourly, 2450)
        );
        // The hourly bound is not the price's.
        assert!(
            job("hourly", "1800")
                .check()
                .unwrap_err()
                .field_message("job[pay]")
                .is_some()
        );
        assert!(
            job("weekly", "24")
                .check()
                .unwrap_err()
                .field_message("job[pay_basis]")
                .is_some()
        );
        let long = JobInput {
            ends: "2027-12-31".into(),
            ..job("hourly", "24")
        };
        assert!(
            long.check()
                .unwrap_err()
                .field_message("job[ends]")
                .is_some()
        );
    }

    #[test]
    fn proposals_are_for_jobs_only() {
        assert_eq!(
            check_proposal(" ", PostingKind::Shift, PayBasis::Hourly),
            Ok(None)
        );
        assert!(check_proposal("20", PostingKind::Shift, PayBasis::Hourly).is_err());
        assert_eq!(
            check_proposal("1500", PostingKind::Job, PayBasis::Fixed).map(|m| m.map(Money::minor)),
            Ok(Some(150_000))
        );
        assert!(check_proposal("1500", PostingKind::Job, PayBasis::Hourly).is_err());
    }

    #[test]
    fn a_week_is_read_from_any_of_its_days_in_hours_or_hours_and_minutes() {
        let week = WeekInput {
            week: "2026-12-10".into(),
            days: BTreeMap::from([
                ("1".into(), "8".into()),
                ("2".into(), "7,5".into()),
                ("3".into(), "6:45".into()),
                ("7".into(), String::new()),
            ]),
        }
        .check()
        .unwrap();
        assert_eq!(week.monday, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        assert_eq!(week.minutes, [480, 450, 405, 0, 0, 0, 0]);
        assert_eq!(week.total(), 1335);
        for bad in ["25", "-1", "7:75", "lots"] {
            let input = WeekInput {
                week: "2026-12-10".into(),
                days: BTreeMap::from([("4".into(), bad.into())]),
            };
            assert!(
                input
                    .check()
                    .unwrap_err()
                    .field_message("week[days][4]")
                    .is_some(),
                "{bad}"
            );
        }
        let nothing = WeekInput {
            week: "2026-12-10".into(),
            days: BTreeMap::new(),
        };
        assert!(
            nothing
                .check()
                .unwrap_err()
                .field_message("week[days]")
                .is_some()
        );
    }

    fn shift() -> ShiftInput {
        ShiftInput {
            title: "Bar shift".into(),
            description: String::new(),
            city: "nl-utrecht".into(),
            address: String::new(),
            date: "2026-12-24".into(),
            starts: "22:00".into(),
            ends: "04:30".into(),
            break_minutes: "30".into(),
            headcount: "2".into(),
            wage: "17,50".into(),
            skills: BTreeMap::from([
                ("bartending".into(), "2".into()),
                ("barista".into(), "0".into()),
            ]),
            certificates: BTreeMap::from([("social-hygiene".into(), "on".into())]),
        }
    }

    #[test]
    fn a_night_shift_ends_the_next_morning() {
        let valid = shift().check().unwrap();
        assert_eq!(valid.starts, at("2026-12-24", "22:00"));
        assert_eq!(valid.ends, at("2026-12-25", "04:30"));
        assert_eq!(
            paid_minutes(valid.starts, valid.ends, valid.break_minutes),
            360
        );
        assert_eq!(valid.wage.minor(), 1750);
        assert_eq!(valid.skills, [("bartending".to_owned(), 2)]);
        assert_eq!(valid.certificates, ["social-hygiene"]);
    }

    #[test]
    fn every_shift_problem_is_reported_at_once() {
        let input = ShiftInput {
            title: "  ".into(),
            date: "24-12-2026".into(),
            break_minutes: "lots".into(),
            headcount: "0".into(),
            wage: "0.50".into(),
            skills: BTreeMap::from([("bartending".into(), "9".into())]),
            ..shift()
        };
        let error = input.check().unwrap_err();
        for field in [
            "shift[title]",
            "shift[date]",
            "shift[break_minutes]",
            "shift[headcount]",
            "shift[wage]",
            "shift[skills]",
        ] {
            assert!(error.field_message(field).is_some(), "{field}: {error:?}");
        }
        let long = ShiftInput {
            starts: "06:00".into(),
            ends: "23:00".into(),
            ..shift()
        };
        assert!(
            long.check()
                .unwrap_err()
                .field_message("shift[ends]")
                .is_some()
        );
        let all_break = ShiftInput {
            starts: "10:00".into(),
            ends: "11:00".into(),
            break_minutes: "60".into(),
            ..shift()
        };
        assert!(
            all_break
                .check()
                .unwrap_err()
                .field_message("shift[break_minutes]")
                .is_some()
        );
    }

    #[test]
    fn profiles_parse_languages_skills_and_the_week() {
        let input = ProfileInput {
            headline: "Night-shift bartender".into(),
            bio: String::new(),
            city: "nl-utrecht".into(),
            travel_km: "30".into(),
            min_rate: "15".into(),
            languages: "NL, en  de,nl".into(),
            skills: BTreeMap::from([("bartending".into(), "4".into())]),
            week: BTreeMap::from([
                ("5_from".into(), "20:00".into()),
                ("5_to".into(), "04:00".into()),
                ("6_from".into(), String::new()),
                ("6_to".into(), String::new()),
            ]),
        };
        let valid = input.check().unwrap();
        assert_eq!(valid.languages, ["nl", "en", "de"]);
        assert_eq!(valid.week.len(), 1);
        // Friday night until 04:00 covers a Friday 22:00–03:00 shift, not a Saturday one.
        let friday = valid.week[0];
        assert!(friday.covers(at("2026-12-04", "22:00"), at("2026-12-05", "03:00")));
        assert!(!friday.covers(at("2026-12-04", "19:00"), at("2026-12-04", "23:00")));
        assert!(!friday.covers(at("2026-12-05", "22:00"), at("2026-12-06", "03:00")));

        let bad = ProfileInput {
            languages: "dutch".into(),
            travel_km: "999".into(),
            week: BTreeMap::from([
                ("2_from".into(), "9am".into()),
                ("2_to".into(), "17:00".into()),
            ]),
            ..input
        };
        let error = bad.check().unwrap_err();
        for field in [
            "profile[languages]",
            "profile[travel_km]",
            "profile[week][2]",
        ] {
            assert!(error.field_message(field).is_some(), "{field}");
        }
    }

    #[test]
    fn reliability_counts_what_happened() {
        let empty = Reliability::default();
        assert_eq!((empty.attendance(), empty.punctuality()), (None, None));
        let record = Reliability {
            completed: 8,
            no_shows: 1,
            late_cancellations: 1,
            on_time: 6,
            ratings: 4,
            stars: 18,
        };
        assert_eq!(empty.average_rating(), None);
        assert_eq!(record.average_rating(), Some(4.5));
        assert_eq!(
            rating_line(record.average_rating(), 4),
            "4.5★ from 4 ratings"
        );
        assert_eq!(rating_line(Some(5.0), 1), "5.0★ from 1 rating");
        assert_eq!(rating_line(None, 0), "No ratings yet");
        assert_eq!(record.attendance(), Some(0.8));
        assert_eq!(record.punctuality(), Some(0.75));
        assert_eq!(hours_label(450), "7 h 30 min");
        assert_eq!(hours_label(480), "8 h");
        assert_eq!(hours_label(45), "45 min");
    }

    #[test]
    fn documents_are_recognised_by_their_first_bytes() {
        assert_eq!(
            certificate_content_type(b"%PDF-1.7\n..."),
            Some("application/pdf")
        );
        assert_eq!(
            certificate_content_type(&[0xFF, 0xD8, 0xFF, 0xE0]),
            Some("image/jpeg")
        );
        assert_eq!(
            certificate_content_type(b"\x89PNG\r\n\x1a\n\0\0"),
            Some("image/png")
        );
        assert_eq!(certificate_content_type(b"GIF89a"), None);
        assert_eq!(certificate_content_type(b"<html>%PDF-"), None);
        assert_eq!(certificate_content_type(b""), None);
    }

    fn certificate(status: CertificateStatus, expires_on: Option<NaiveDate>) -> Certificate {
        Certificate {
            id: CertificateId(uuid::Uuid::nil()),
            type_id: "first-aid".into(),
            name: "First aid (EHBO)".into(),
            status,
            expires_on,
            file_name: "ehbo.pdf".into(),
            uploaded_on: day("2026-11-01"),
            rejection_reason: None,
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn only_verified_certificates_count_and_only_until_they_expire() {
        let end = Some(day("2027-05-03"));
        let verified = certificate(CertificateStatus::Verified, end);
        assert!(
            verified.valid_on(day("2027-05-03")),
            "valid on its last day"
        );
        assert!(!verified.valid_on(day("2027-05-04")));
        assert_eq!(
            verified.state_label(day("2026-12-01")),
            "Verified · valid until 3 May 2027"
        );
        assert_eq!(
            verified.state_label(day("2027-06-01")),
            "Expired on 3 May 2027"
        );
        let lifelong = certificate(CertificateStatus::Verified, None);
        assert!(lifelong.valid_on(day("2090-01-01")));
        for status in [CertificateStatus::Pending, CertificateStatus::Rejected] {
            assert!(!certificate(status, end).valid_on(day("2026-12-01")));
            assert_eq!(
                certificate(status, end).state_label(day("2026-12-01")),
                status.label()
            );
        }
    }

    #[test]
    fn a_rating_is_one_to_five_stars_with_an_optional_comment() {
        assert_eq!(
            check_rating(" 4 ", "  Good  ").unwrap(),
            ValidRating {
                stars: 4,
                comment: "Good".into()
            }
        );
        for bad in ["0", "6", "", "four", "4.5"] {
            assert!(
                check_rating(bad, "")
                    .unwrap_err()
                    .field_message("stars")
                    .is_some(),
                "{bad:?}"
            );
        }
        let long = "x".repeat(1001);
        let both = check_rating("9", &long).unwrap_err();
        assert!(both.field_message("stars").is_some() && both.field_message("comment").is_some());
    }
}

/// One hard filter of the matching engine, in words: passed by every recommended candidate; an
/// applicant may have failed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub passed: bool,
    pub text: String,
}

/// How well a freelancer and a posting fit: the score with each factor's share, the hard
/// filters, and the facts behind them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    pub score: ::matching::Score,
    pub checks: Vec<Check>,
    pub distance_km: f64,
    pub skill_fit: Option<f64>,
    pub rating: Option<f64>,
    pub attendance: Option<f64>,
}

impl Fit {
    /// 0 to 100, as shown.
    pub fn points(&self) -> i64 {
        self.score.total.round() as i64
    }

    pub fn eligible(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// "92 — skills 0.81, 4 km, 4.8★, 98% attendance".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if let Some(skills) = self.skill_fit {
            parts.push(format!("skills {skills:.2}"));
        }
        parts.push(format!("{:.0} km", self.distance_km));
        parts.push(match self.rating {
            Some(stars) => format!("{stars:.1}★"),
            None => "no ratings yet".to_owned(),
        });
        parts.push(match self.attendance {
            Some(share) => format!("{:.0}% attendance", share * 100.0),
            None => "no bookings yet".to_owned(),
        });
        format!("{} — {}", self.points(), parts.join(", "))
    }
}

/// A freelancer the engine recommends for a posting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub freelancer_id: UserId,
    pub name: String,
    pub headline: String,
    pub city: String,
    pub fit: Fit,
}

/// An open shift or job the engine recommends to a freelancer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Opening {
    pub shift: ShiftSummary,
    pub fit: Fit,
}

/// The manager's narrowing of the recommended candidates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MatchFilter {
    /// How far from the posting candidates may live (km); the default is 50.
    pub within_km: Option<i32>,
    /// Only freelancers with at least this attendance record (percent).
    pub min_attendance: Option<i32>,
}

impl MatchFilter {
    pub const DEFAULT_KM: i32 = 50;
    pub const RADII: [i32; 5] = [10, 25, 50, 100, 250];

    pub fn within_km(self) -> i32 {
        self.within_km.unwrap_or(Self::DEFAULT_KM).clamp(1, 250)
    }

    pub fn min_attendance(self) -> Option<f64> {
        self.min_attendance
            .filter(|p| *p > 0)
            .map(|p| f64::from(p.min(100)) / 100.0)
    }
}
