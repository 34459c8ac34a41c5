//! The organisation's statement: per contract, what was charged into escrow, released to the
//! freelancer, taken as the platform's fee, given back, and what escrow still holds — read
//! from the ledger, so it always agrees with it — on the billing page and as a CSV file.

use super::model::{BillingContract, ContractMoney};
use super::repo;
use crate::csv;
use crate::error::ServiceError;
use crate::hire::components::posting_href;
use crate::ids::{OrganisationId, PostingId};
use crate::money::Money;
use sqlx::PgConnection;

/// `organisation`'s contracts with money, newest first, and their totals per currency.
pub async fn contracts(
    conn: &mut PgConnection,
    vault: &crate::vault::Vault,
    organisation: OrganisationId,
) -> Result<(Vec<BillingContract>, Vec<ContractMoney>), ServiceError> {
    let rows = repo::contract_statement(conn, organisation).await?;
    let mut totals = Vec::new();
    let mut contracts = Vec::with_capacity(rows.len());
    for row in rows {
        let amount = |minor| {
            Money::from_parts(minor, &row.currency)
                .map_err(|e| ServiceError::Internal("reading the statement", Box::new(e)))
        };
        let money = ContractMoney {
            funded: amount(row.funded)?,
            released: amount(row.released)?,
            fees: amount(row.fees)?,
            refunded: amount(row.refunded)?,
            held: amount(row.held)?,
        };
        money.add_to(&mut totals);
        contracts.push(BillingContract {
            contract: row.contract,
            href: posting_href(row.kind, PostingId(row.posting)),
            title: row.title,
            freelancer: crate::accounts::repo::reveal_name(vault, &row.freelancer)?,
            starts_at: row.starts_at,
            status: row.status,
            money,
        });
    }
    Ok((contracts, totals))
}

/// The statement as CSV (RFC 4180): one row per contract, amounts as plain decimals.
pub fn csv(contracts: &[BillingContract]) -> String {
    let mut out = String::from(
        "contract,starts,work,freelancer,status,currency,funded,released,fees,refunded,held\r\n",
    );
    for c in contracts {
        let m = c.money;
        let fields = [
            c.contract.to_string(),
            c.starts_at.format("%Y-%m-%d %H:%M").to_string(),
            c.title.clone(),
            c.freelancer.clone(),
            c.status.label().to_owned(),
            m.funded.currency().code().to_owned(),
            m.funded.decimal(),
            m.released.decimal(),
            m.fees.decimal(),
            m.refunded.decimal(),
            m.held.decimal(),
        ];
        out.push_str(&csv::row(&fields));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hire::contracts::model::ContractStatus;
    use crate::ids::ContractId;
    use crate::money::Currency;

    #[test]
    fn one_row_per_contract_in_decimals() {
        let eur = |minor| Money::new(minor, Currency::Eur);
        let contract = BillingContract {
            contract: ContractId(uuid::Uuid::nil()),
            title: "Stock count, Ghent".into(),
            href: "/hire/shifts/x".into(),
            freelancer: "Fay".into(),
            starts_at: chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
                .and_then(|d| d.and_hms_opt(8, 0, 0))
                .unwrap_or_default(),
            status: ContractStatus::Completed,
            money: ContractMoney {
                funded: eur(29_184),
                released: eur(25_360),
                fees: eur(2_536),
                refunded: eur(1_288),
                held: eur(0),
            },
        };
        assert_eq!(
            csv(&[contract]),
            "contract,starts,work,freelancer,status,currency,funded,released,fees,refunded,held\r\n\
             00000000-0000-0000-0000-000000000000,2026-12-07 08:00,\"Stock count, Ghent\",Fay,Completed,EUR,291.84,253.60,25.36,12.88,0.00\r\n"
        );
    }
}
