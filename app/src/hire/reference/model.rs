//! What the Hire forms pick from: the bundled cities, the skill taxonomy and the certificate
//! types, and the currency and time zone Hire works in.

use crate::error::Problems;
use crate::money::Currency;
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
    /// The two sides of the marketplace: who moves an application on, who gave a rating.
    Side as "hire_side" {
        Organisation = "organisation": "Organisation",
        Freelancer = "freelancer": "Freelancer",
    }
}

/// Skill id → level from a form's select boxes ("0" or empty: none).
pub(crate) fn skill_levels(
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
