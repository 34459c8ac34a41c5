//! The Hire face's shared types. Pure; shared by browser and server.

use serde::{Deserialize, Serialize};

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
