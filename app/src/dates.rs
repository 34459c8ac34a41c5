//! Calendar dates typed into forms and URLs.
//!
//! chrono reads years far outside any business (`+262143-12-31`), and adding a day to such a
//! date overflows and panics. Every typed date goes through [`parse_form_date`], which keeps
//! the years this business can mean, so later arithmetic (a night shift's next day, a week's
//! Sunday, an expiry a year ahead) stays in range.

use chrono::{Datelike, NaiveDate};

pub const EARLIEST_YEAR: i32 = 2000;
pub const LATEST_YEAR: i32 = 2199;

/// "3 March 2027".
pub fn long_date(date: NaiveDate) -> String {
    date.format("%-d %B %Y").to_string()
}

/// A date written `YYYY-MM-DD` (surrounding spaces ignored) in the years
/// [`EARLIEST_YEAR`]..=[`LATEST_YEAR`]; anything else is `None`.
pub fn parse_form_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.len() != 10 || !raw.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|day| (EARLIEST_YEAR..=LATEST_YEAR).contains(&day.year()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn business_dates_only() {
        assert_eq!(
            parse_form_date(" 2026-12-24 "),
            NaiveDate::from_ymd_opt(2026, 12, 24)
        );
        for refused in [
            "+262143-12-31",
            "262143-12-31",
            "-0001-01-01",
            "1999-12-31",
            "2200-01-01",
            "2026-02-30",
            "2026-1-1",
            "2026/12/24",
            "",
            "２０２６-12-24",
        ] {
            assert_eq!(parse_form_date(refused), None, "{refused:?}");
        }
    }

    proptest! {
        #[test]
        fn any_text_parses_or_is_refused_and_a_parsed_date_has_room(raw in ".{0,40}") {
            if let Some(day) = parse_form_date(&raw) {
                prop_assert!(day.checked_add_days(chrono::Days::new(3660)).is_some());
            }
        }

        #[test]
        fn every_day_in_range_round_trips(days in 0_i64..73_000) {
            let day = NaiveDate::from_ymd_opt(EARLIEST_YEAR, 1, 1).unwrap() + chrono::Duration::days(days);
            if day.year() <= LATEST_YEAR {
                prop_assert_eq!(parse_form_date(&day.format("%Y-%m-%d").to_string()), Some(day));
            }
        }
    }
}
