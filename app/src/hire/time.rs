//! Hire's wall clock and the form fields that read it: spans that run past midnight, dates,
//! times and numbers as people type them, and how hours are said.

use crate::error::Problems;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// A job's last day: its span ends at the midnight after it.
pub fn last_day(ends: NaiveDateTime) -> NaiveDate {
    (ends - chrono::Duration::minutes(1)).date()
}

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
pub(crate) fn span(
    date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
) -> (NaiveDateTime, NaiveDateTime) {
    let from = date.and_time(start);
    let mut to = date.and_time(end);
    if to <= from {
        to += chrono::Duration::days(1);
    }
    (from, to)
}

pub(crate) fn parse_date(p: &mut Problems, field: &str, raw: &str) -> Option<NaiveDate> {
    let parsed = crate::dates::parse_form_date(raw);
    if parsed.is_none() {
        p.add(field, "Enter a date like 2026-12-24.");
    }
    parsed
}

pub(crate) fn parse_time(p: &mut Problems, field: &str, raw: &str) -> Option<NaiveTime> {
    let raw = raw.trim();
    let parsed = NaiveTime::parse_from_str(raw, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(raw, "%H:%M:%S"))
        .ok();
    if parsed.is_none() {
        p.add(field, "Enter a time like 09:30.");
    }
    parsed
}

pub(crate) fn parse_number(
    p: &mut Problems,
    field: &str,
    raw: &str,
    range: (i64, i64),
    what: &str,
) -> i64 {
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

/// Paid minutes of a stretch of work: its length less the break, never below zero.
pub fn paid_minutes(from: NaiveDateTime, to: NaiveDateTime, break_minutes: i32) -> i64 {
    ((to - from).num_minutes() - i64::from(break_minutes)).max(0)
}
