//! Hire: the demo cast, freelancer profiles, shifts and jobs as managers fill them in, hours
//! and weeks as freelancers type them, and the state a test reads back.

use crate::people::{organisation, user};
use app::hire::applications;
use app::hire::contracts::model::{HoursInput, WeekInput};
use app::hire::postings::model::{JobInput, PostingStatus, ShiftInput};
use app::hire::postings::service::{self as postings, PostingForm};
use app::hire::profiles::model::ProfileInput;
use app::hire::profiles::service::save_profile;
use app::ids::{ApplicationId, CertificateId, ContractId, OrganisationId, PostingId, UserId};
use app::state::AppState;
use chrono::{Datelike, Duration, NaiveDate, Utc};
use sqlx::PgPool;
use std::collections::BTreeMap;

/// Today on the Hire wall clock (the database's zone rules), `days` ahead.
pub fn hire_day(days: i64) -> NaiveDate {
    (Utc::now() + Duration::days(days)).date_naive()
}

/// The first Monday at least `days` ahead, for a job that must fit in one week whatever
/// today's weekday.
pub fn hire_monday(days: i64) -> NaiveDate {
    let day = hire_day(days);
    day + Duration::days(i64::from((7 - day.weekday().num_days_from_monday()) % 7))
}

/// The Monday that starts `day`'s week, as weeks of hours are answered.
pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

fn form_date(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// The demo seed's Hire people: two organisations with a manager each (Hana runs Harbour
/// Hotels, Mia Meadow Events) and two freelancers, Fay and Finn, each with a
/// [`ProfileBuilder::barista`] profile in Utrecht.
pub struct Cast {
    pub harbour: OrganisationId,
    pub meadow: OrganisationId,
    pub hana: UserId,
    pub mia: UserId,
    pub fay: UserId,
    pub finn: UserId,
}

impl Cast {
    pub async fn of(state: &AppState) -> Cast {
        let db = &state.db;
        let cast = Cast {
            harbour: organisation(db, "harbour-hotels").await,
            meadow: organisation(db, "meadow-events").await,
            hana: user(db, "hana@olivine.test").await,
            mia: user(db, "mia@olivine.test").await,
            fay: user(db, "fay@olivine.test").await,
            finn: user(db, "finn@olivine.test").await,
        };
        for who in [cast.fay, cast.finn] {
            ProfileBuilder::barista().save(state, who).await;
        }
        cast
    }

    /// A [`ShiftBuilder::on`] shift of Harbour Hotels on `date` with `seats` places, published
    /// by Hana.
    pub async fn open_shift(&self, state: &AppState, date: NaiveDate, seats: u32) -> PostingId {
        ShiftBuilder::on(date)
            .seats(seats)
            .open(state, self.harbour, self.hana)
            .await
    }

    /// `who` applies to Harbour's `posting` (no note, no price of their own), Hana offers and
    /// `who` accepts: the contract.
    pub async fn hire(&self, state: &AppState, who: UserId, posting: PostingId) -> ContractId {
        self.hire_proposing(state, who, posting, "").await
    }

    /// [`Cast::hire`] with the freelancer's own rate or price, `proposed`.
    pub async fn hire_proposing(
        &self,
        state: &AppState,
        who: UserId,
        posting: PostingId,
        proposed: &str,
    ) -> ContractId {
        let application = applications::service::apply(state, who, posting, "", proposed)
            .await
            .expect("apply");
        applications::service::offer(state, self.harbour, self.hana, application)
            .await
            .expect("offer");
        applications::service::accept_offer(state, who, application)
            .await
            .expect("accept")
    }
}

/// A freelancer's profile form: `ProfileBuilder::new("Carpenter").city("nl-gouda")`.
pub struct ProfileBuilder {
    input: ProfileInput,
}

impl ProfileBuilder {
    /// Only a headline: no bio or skills, Dutch, in Utrecht with a 40 km radius, €15.00 an hour,
    /// Mondays 08:00–17:00.
    pub fn new(headline: &str) -> Self {
        ProfileBuilder {
            input: ProfileInput {
                headline: headline.into(),
                bio: String::new(),
                city: "nl-utrecht".into(),
                travel_km: "40".into(),
                min_rate: "15,00".into(),
                languages: "nl".into(),
                skills: BTreeMap::new(),
                week: BTreeMap::from([
                    ("1_from".into(), "08:00".into()),
                    ("1_to".into(), "17:00".into()),
                ]),
            },
        }
    }

    /// The cast's freelancers: a barista (level 3) who also tends bar, in two languages.
    pub fn barista() -> Self {
        let mut builder = ProfileBuilder::new("Barista and bartender")
            .skill("barista", 3)
            .skill("bartending", 0);
        builder.input.bio = "Ten years behind the bar.".into();
        builder.input.languages = "nl, EN".into();
        builder
    }

    pub fn city(mut self, city: &str) -> Self {
        self.input.city = city.into();
        self
    }

    /// `level` 0 holds the skill without a level.
    pub fn skill(mut self, skill: &str, level: u8) -> Self {
        self.input.skills.insert(skill.into(), level.to_string());
        self
    }

    pub fn input(self) -> ProfileInput {
        self.input
    }

    pub async fn save(self, state: &AppState, who: UserId) {
        save_profile(state, who, &self.input)
            .await
            .expect("a valid profile");
    }
}

/// A shift form: `ShiftBuilder::on(day).seats(2).certificate("haccp")`.
pub struct ShiftBuilder {
    input: ShiftInput,
}

impl ShiftBuilder {
    /// A barista shift (skill level 2) at the Christmas market in Utrecht on `date`,
    /// 09:00–17:30 with a 30-minute break, one place, €16.00 an hour.
    pub fn on(date: NaiveDate) -> Self {
        ShiftBuilder {
            input: ShiftInput {
                title: "Barista, Christmas market".into(),
                description: "Coffee for the crowds.".into(),
                city: "nl-utrecht".into(),
                address: "Vredenburg 1".into(),
                date: form_date(date),
                starts: "09:00".into(),
                ends: "17:30".into(),
                break_minutes: "30".into(),
                headcount: "1".into(),
                wage: "16.00".into(),
                skills: BTreeMap::from([("barista".into(), "2".into())]),
                certificates: BTreeMap::new(),
            },
        }
    }

    pub fn seats(mut self, seats: u32) -> Self {
        self.input.headcount = seats.to_string();
        self
    }

    /// Require a verified certificate of `type_id`.
    pub fn certificate(mut self, type_id: &str) -> Self {
        self.input.certificates.insert(type_id.into(), "on".into());
        self
    }

    pub fn input(self) -> ShiftInput {
        self.input
    }

    /// Saved as a draft of `organisation` by `by`.
    pub async fn draft(
        self,
        state: &AppState,
        organisation: OrganisationId,
        by: UserId,
    ) -> PostingId {
        post(
            state,
            organisation,
            by,
            PostingForm::Shift(&self.input),
            false,
        )
        .await
    }

    /// Saved and published.
    pub async fn open(
        self,
        state: &AppState,
        organisation: OrganisationId,
        by: UserId,
    ) -> PostingId {
        post(
            state,
            organisation,
            by,
            PostingForm::Shift(&self.input),
            true,
        )
        .await
    }
}

/// A job form: `JobBuilder::from(first, last).pays("fixed", "900")`.
pub struct JobBuilder {
    input: JobInput,
}

impl JobBuilder {
    /// A shop fit-out in Utrecht from `first` to `last` (inclusive), one place, €20.00 an hour.
    pub fn from(first: NaiveDate, last: NaiveDate) -> Self {
        JobBuilder {
            input: JobInput {
                title: "Shop fit-out, new branch".into(),
                description: "Shelving and counters to the drawings.".into(),
                city: "nl-utrecht".into(),
                address: String::new(),
                starts: form_date(first),
                ends: form_date(last),
                headcount: "1".into(),
                pay_basis: "hourly".into(),
                pay: "20.00".into(),
                skills: BTreeMap::new(),
                certificates: BTreeMap::new(),
            },
        }
    }

    /// Only a title: no description, so the title is all the matching engine reads.
    pub fn titled(mut self, title: &str) -> Self {
        self.input.title = title.into();
        self.input.description = String::new();
        self
    }

    /// `basis` "hourly" or "fixed" as the form sends it ("" for none chosen).
    pub fn pays(mut self, basis: &str, pay: &str) -> Self {
        self.input.pay_basis = basis.into();
        self.input.pay = pay.into();
        self
    }

    pub fn input(self) -> JobInput {
        self.input
    }

    pub async fn draft(
        self,
        state: &AppState,
        organisation: OrganisationId,
        by: UserId,
    ) -> PostingId {
        post(
            state,
            organisation,
            by,
            PostingForm::Job(&self.input),
            false,
        )
        .await
    }

    pub async fn open(
        self,
        state: &AppState,
        organisation: OrganisationId,
        by: UserId,
    ) -> PostingId {
        post(state, organisation, by, PostingForm::Job(&self.input), true).await
    }
}

/// Save `form` as a draft of `organisation` by `by`, and publish it when `publish`.
async fn post(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    form: PostingForm<'_>,
    publish: bool,
) -> PostingId {
    let id = postings::create_posting(state, organisation, by, form)
        .await
        .expect("a valid posting");
    if publish {
        postings::change_shift(state, organisation, by, id, PostingStatus::Published)
            .await
            .expect("publish");
    }
    id
}

/// A shift's hours as the freelancer types them.
pub fn hours(date: NaiveDate, starts: &str, ends: &str, break_minutes: &str) -> HoursInput {
    HoursInput {
        date: form_date(date),
        starts: starts.into(),
        ends: ends.into(),
        break_minutes: break_minutes.into(),
    }
}

/// A week's form with `hours` on `day` only.
pub fn week_of(day: NaiveDate, hours: &str) -> WeekInput {
    let weekday = day.weekday().number_from_monday().to_string();
    WeekInput {
        week: form_date(day),
        days: BTreeMap::from([(weekday, hours.to_owned())]),
    }
}

/// A posting's status and how many of its places are taken.
pub async fn posting_state(db: &PgPool, id: PostingId) -> (String, i32) {
    let row = sqlx::query!(
        "SELECT status::text AS \"status!\", seats_taken FROM postings WHERE posting_id = $1",
        id.0
    )
    .fetch_one(db)
    .await
    .expect("posting");
    (row.status, row.seats_taken)
}

pub async fn application_status(db: &PgPool, id: ApplicationId) -> String {
    sqlx::query_scalar!(
        "SELECT status::text AS \"s!\" FROM applications WHERE application_id = $1",
        id.0
    )
    .fetch_one(db)
    .await
    .expect("application")
}

/// A contract's status and its events in order: (kind, amount in minor units).
pub async fn contract_state(db: &PgPool, id: ContractId) -> (String, Vec<(String, i64)>) {
    let status = sqlx::query_scalar!(
        "SELECT status::text AS \"s!\" FROM contracts WHERE contract_id = $1",
        id.0
    )
    .fetch_one(db)
    .await
    .expect("contract");
    let events = sqlx::query!(
        "SELECT kind::text AS \"kind!\", amount_minor FROM contract_events
         WHERE contract_id = $1 ORDER BY recorded_at, event_id",
        id.0
    )
    .fetch_all(db)
    .await
    .expect("events")
    .into_iter()
    .map(|e| (e.kind, e.amount_minor))
    .collect();
    (status, events)
}

/// A certificate's review status and expiry date.
pub async fn certificate_state(db: &PgPool, id: CertificateId) -> (String, Option<NaiveDate>) {
    let row = sqlx::query!(
        r#"SELECT status::text AS "status!", expires_on FROM freelancer_certificates
           WHERE certificate_id = $1"#,
        id.0
    )
    .fetch_one(db)
    .await
    .expect("certificate");
    (row.status, row.expires_on)
}
