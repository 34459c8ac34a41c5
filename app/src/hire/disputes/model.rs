//! Disputes as the two sides and the back office see them.

use crate::hire::contracts::model::{ContractEvent, Delivery, Timesheet};
use crate::hire::messages::model::Message;
use crate::hire::postings::model::{PayBasis, PostingKind};
use crate::ids::{ContractId, DisputeId};
use crate::money::Money;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pg_enum! {
    /// Where a dispute is.
    DisputeStatus as "dispute_status" {
        Open = "open": "Disputed",
        Settled = "settled": "Settled between the two sides",
        Escalated = "escalated": "Waiting for Olivine's decision",
        Resolved = "resolved": "Decided by Olivine",
    }
}

impl DisputeStatus {
    /// Still waiting: the freelancer may submit again, or Olivine decide.
    pub fn is_waiting(self) -> bool {
        matches!(self, DisputeStatus::Open | DisputeStatus::Escalated)
    }
}

/// A dispute on a contract, as either side sees it next to the hours or work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeBrief {
    pub id: DisputeId,
    /// An hourly job's week (its Monday); `None` for a shift's hours or handed-over work.
    pub week: Option<NaiveDate>,
    pub status: DisputeStatus,
    /// The pay claimed, as disputed.
    pub claimed: Money,
    pub reason: String,
    pub opened_at: DateTime<Utc>,
    /// From then on either side may ask Olivine to decide.
    pub escalates_from: DateTime<Utc>,
    /// It may be escalated now (open, and the waiting days have passed).
    pub may_escalate: bool,
    pub escalation_note: Option<String>,
    /// What Olivine released to the freelancer; the rest of the claim went back.
    pub released: Option<Money>,
    pub resolution_note: Option<String>,
}

impl DisputeBrief {
    /// "Olivine released €30.00 to the freelancer; the organisation doesn't pay the other
    /// €20.00." (What it paid in for them goes back to its card.)
    pub fn decision(&self) -> Option<String> {
        let released = self.released?;
        let kept = Money::new(
            self.claimed.minor() - released.minor(),
            self.claimed.currency(),
        );
        Some(if kept.minor() == 0 {
            format!("Olivine released the whole {released} to the freelancer.")
        } else if released.minor() == 0 {
            format!("Olivine decided nothing is owed: the organisation doesn't pay the {kept}.")
        } else {
            format!(
                "Olivine released {released} to the freelancer; the organisation doesn't pay the other {kept}."
            )
        })
    }
}

/// One dispute in the back office's list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeSummary {
    pub id: DisputeId,
    pub title: String,
    pub organisation: String,
    pub freelancer: String,
    pub status: DisputeStatus,
    pub claimed: Money,
    pub opened_at: DateTime<Utc>,
    pub escalated_at: Option<DateTime<Utc>>,
}

/// Everything a finance admin weighs before deciding: the claim and the reasons of both
/// sides, the hours or work as submitted, the contract's events and the conversation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisputeDetail {
    pub dispute: DisputeBrief,
    pub contract: ContractId,
    pub title: String,
    pub organisation: String,
    pub freelancer: String,
    pub kind: PostingKind,
    pub pay_basis: PayBasis,
    /// The hourly wage, or a fixed-price job's price.
    pub wage: Money,
    /// Who asked Olivine to decide.
    pub escalated_by: Option<String>,
    pub timesheet: Option<Timesheet>,
    pub delivery: Option<Delivery>,
    pub events: Vec<ContractEvent>,
    pub messages: Vec<Message>,
    /// What the contract's escrow holds for disputes right now.
    pub frozen: Money,
}

/// How a finance admin decides a dispute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The whole claim to the freelancer.
    Release,
    /// Nothing to the freelancer: the organisation keeps its money.
    Refund,
    /// This much to the freelancer, the rest back.
    Split(Money),
}

/// Read the back office's form: `outcome` is `release`, `refund` or `split` (with `amount`
/// typed like a price, more than nothing and less than the claim).
pub fn parse_outcome(
    outcome: &str,
    amount: &str,
    claimed: Money,
) -> Result<Outcome, crate::error::AppError> {
    use crate::error::AppError;
    match outcome {
        "release" => Ok(Outcome::Release),
        "refund" => Ok(Outcome::Refund),
        "split" => {
            let amount = crate::money::parse_price(amount, claimed.currency())
                .map_err(|problem| AppError::field("amount", problem))?;
            if amount.minor() >= claimed.minor() {
                return Err(AppError::field(
                    "amount",
                    format!(
                        "A split gives the freelancer less than the {claimed} claimed; choose “Release” for all of it."
                    ),
                ));
            }
            Ok(Outcome::Split(amount))
        }
        _ => Err(AppError::field(
            "outcome",
            "Choose release, refund or split.",
        )),
    }
}

impl Outcome {
    /// What the freelancer is paid out of `claimed`.
    pub fn released(self, claimed: Money) -> Money {
        match self {
            Outcome::Release => claimed,
            Outcome::Refund => Money::new(0, claimed.currency()),
            Outcome::Split(amount) => amount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn eur(minor: i64) -> Money {
        Money::new(minor, Currency::Eur)
    }

    #[test]
    fn outcomes_release_all_nothing_or_part_of_the_claim() {
        let claimed = eur(5_000);
        let split = parse_outcome("split", "20,50", claimed).map(|o| o.released(claimed));
        assert_eq!(split.ok(), Some(eur(2_050)));
        let all = parse_outcome("release", "", claimed).map(|o| o.released(claimed));
        assert_eq!(all.ok(), Some(claimed));
        let none = parse_outcome("refund", "", claimed).map(|o| o.released(claimed));
        assert_eq!(none.ok(), Some(eur(0)));
    }

    #[test]
    fn a_split_is_more_than_nothing_and_less_than_the_claim() {
        let claimed = eur(5_000);
        for typed in ["50", "60.00", "0", "", "ten"] {
            assert!(parse_outcome("split", typed, claimed).is_err(), "{typed}");
        }
        assert!(parse_outcome("halve", "", claimed).is_err());
    }

    #[test]
    fn the_decision_says_who_gets_what() {
        let mut brief = DisputeBrief {
            id: DisputeId(uuid::Uuid::nil()),
            week: None,
            status: DisputeStatus::Resolved,
            claimed: eur(5_000),
            reason: "Left early".into(),
            opened_at: DateTime::<Utc>::MIN_UTC,
            escalates_from: DateTime::<Utc>::MIN_UTC,
            may_escalate: false,
            escalation_note: None,
            released: Some(eur(3_000)),
            resolution_note: Some("Half a day".into()),
        };
        let said = brief.decision().unwrap_or_default();
        assert!(said.contains("30.00") && said.contains("20.00"), "{said}");
        brief.released = None;
        assert_eq!(brief.decision(), None);
    }
}
