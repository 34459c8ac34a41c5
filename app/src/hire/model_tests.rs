//! The Hire forms and state machines, against any input.

use crate::hire::applications::model::{ApplicationStatus, check_proposal};
use crate::hire::certificates::model::{Certificate, CertificateStatus, certificate_content_type};
use crate::hire::contracts::model::{
    CANCELLATION_POLICY, HoursInput, TimesheetStatus, WeekInput, pay_for,
};
use crate::hire::postings::model::{
    JobInput, PayBasis, PostingKind, PostingStatus, ShiftInput, WorkFilter,
};
use crate::hire::profiles::model::{ProfileInput, Reliability};
use crate::hire::ratings::model::{ValidRating, check_rating, rating_line};
use crate::hire::reference::model::HIRE_CURRENCY;
use crate::hire::reference::model::Side;
use crate::hire::time::paid_minutes;
use crate::hire::time::{hours_label, last_day};
use crate::ids::CertificateId;
use crate::money::Money;
use chrono::{NaiveDate, NaiveDateTime};
use proptest::prelude::*;
use std::collections::BTreeMap;

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
    assert!(!ApplicationStatus::Applied.holds_seat() && !ApplicationStatus::Invited.holds_seat());
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
        document_deleted_on: None,
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
