//! Freelancer profiles: the form, the usual week, and what history says about a freelancer.

use crate::error::{AppError, Problems};
use crate::hire::certificates::model::Certificate;
use crate::hire::reference::model::skill_levels;
use crate::hire::reference::model::{City, HIRE_CURRENCY};
use crate::hire::time::{parse_number, parse_time, span};
use crate::ids::UserId;
use crate::money::{Money, parse_price};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
