//! Escrow: the person's payout account and payouts, their ledger accounts, disputes they took
//! part in, cards they saved for an organisation and reconciliations they started.

use crate::error::ServiceError;
use crate::ids::UserId;
use crate::privacy::{Covered, Erased, Erasing, Holding, Part, Person};
use crate::state::AppState;
use sqlx::PgConnection;

/// `escrow.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "escrow",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: Some(|conn, user| Box::pin(hold(conn, user))),
    erase: |_, conn, erasing| Box::pin(erase(conn, erasing)),
};

const COVERS: &[Covered] = &[
    Covered {
        table: "payout_accounts",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "escrow_payouts",
        columns: &["freelancer_id"],
        erased: Erased::Kept("payouts made are bookkeeping records"),
    },
    Covered {
        table: "ledger_accounts",
        columns: &["freelancer_id"],
        erased: Erased::Kept("the double-entry ledger must balance"),
    },
    Covered {
        table: "disputes",
        columns: &["opened_by", "escalated_by", "resolved_by"],
        erased: Erased::Kept("decisions about money both sides rely on"),
    },
    Covered {
        table: "organisation_cards",
        columns: &["saved_by"],
        erased: Erased::Kept("the organisation's card, naming who saved it by account id"),
    },
    Covered {
        table: "ledger_reconciliations",
        columns: &["started_by"],
        erased: Erased::Kept("finance's records"),
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let payout_accounts = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM payout_accounts t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let escrow_payouts = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM escrow_payouts t WHERE freelancer_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let ledger_accounts = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM ledger_accounts t WHERE freelancer_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let disputes = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM disputes t WHERE opened_by = $1 OR escalated_by = $1 OR resolved_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let organisation_cards = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM organisation_cards t WHERE saved_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let ledger_reconciliations = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM ledger_reconciliations t WHERE started_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default()
        .table("payout_accounts", payout_accounts)
        .table("escrow_payouts", escrow_payouts)
        .table("ledger_accounts", ledger_accounts)
        .table("disputes", disputes)
        .table("organisation_cards", organisation_cards)
        .table("ledger_reconciliations", ledger_reconciliations))
}

/// Pay still on its way to them, or a dispute about it still open, is finished first.
async fn hold(conn: &mut PgConnection, user: UserId) -> Result<Option<&'static str>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT EXISTS (SELECT 1 FROM escrow_payouts WHERE freelancer_id = $1 AND status <> 'paid')
                    AS "paying!",
                  EXISTS (SELECT 1 FROM disputes d JOIN contracts c USING (contract_id)
                           WHERE c.freelancer_id = $1 AND d.status IN ('open', 'escalated'))
                    AS "disputed!""#,
        user.0
    )
    .fetch_one(conn)
    .await?;
    Ok(if row.paying {
        Some("pay is still on its way to them")
    } else if row.disputed {
        Some("a dispute about their pay is open")
    } else {
        None
    })
}

/// The link to their Stripe account goes (the account is theirs, with Stripe); payouts made
/// and the ledger stay under the account id.
async fn erase(conn: &mut PgConnection, erasing: &Erasing) -> Result<(), ServiceError> {
    sqlx::query!(
        "DELETE FROM payout_accounts WHERE user_id = $1",
        erasing.id.0
    )
    .execute(conn)
    .await?;
    Ok(())
}
