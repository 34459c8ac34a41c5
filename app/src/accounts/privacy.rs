//! Accounts: the account, its roles, sign-ins and devices, providers, emailed links, two-step
//! sign-in (never its secret or codes), organisations and invitations, requests it made and the downloads of its data it asked for.

use crate::error::ServiceError;
use crate::ids::InvitationId;
use crate::privacy::{Covered, Erased, Erasing, Holding, Part, Person, with_opened};
use crate::state::AppState;
use crate::vault::Sealed;
use sqlx::PgConnection;

/// `account.json` in a person's data download.
pub const HOLDING: Holding = Holding {
    name: "account",
    covers: COVERS,
    export: |state, person| Box::pin(export(state, person)),
    let_go: None,
    hold: None,
    erase: |state, conn, erasing| Box::pin(erase(state, conn, erasing)),
};

const COVERS: &[Covered] = &[
    Covered {
        table: "users",
        columns: &[
            "user_id",
            "email",
            "email_lookup",
            "email_sealed",
            "name_sealed",
            "name_words",
        ],
        erased: Erased::Kept(
            "the account id stays as the pseudonym orders, the ledger and the audit trail name",
        ),
    },
    Covered {
        table: "user_roles",
        columns: &["user_id", "granted_by"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "user_logins",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "oidc_identities",
        columns: &["user_id", "email", "email_sealed"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "email_tokens",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "known_devices",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "authenticators",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "recovery_codes",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "passkeys",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "organisation_members",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "organisation_invitations",
        columns: &["invited_by", "email", "email_lookup", "email_sealed"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "applied_requests",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "data_exports",
        columns: &["user_id"],
        erased: Erased::Deleted,
    },
    Covered {
        table: "erasure_requests",
        columns: &["user_id", "asked_by", "cancelled_by"],
        erased: Erased::Kept("the record that the erasure was asked for and done"),
    },
];

async fn export(state: &AppState, person: &Person) -> Result<Part, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let user = person.id.0;
    let email = person.email.as_str();
    // The address and name as the person knows them, not sealed bytes and lookup hashes.
    let name = super::repo::display_name_of(&mut conn, &state.vault, person.id).await?;
    let users = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) - 'email_sealed' - 'email_lookup' - 'name_sealed' - 'name_words'
                  || jsonb_build_object('email', $2::text, 'display_name', $3::text) AS "row!"
             FROM users t WHERE user_id = $1"#,
        user,
        email,
        name
    )
    .fetch_all(&mut *conn)
    .await?;
    let user_roles = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM user_roles t WHERE user_id = $1 OR granted_by = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let user_logins = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM user_logins t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT to_jsonb(t) AS "row!", provider, subject,
                  sealed_by(user_id, email_sealed) AS "email!: Sealed"
             FROM oidc_identities t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut oidc_identities = Vec::with_capacity(rows.len());
    for r in rows {
        let opened =
            super::repo::reveal_provider_email(&state.vault, (&r.provider, &r.subject), &r.email)?;
        oidc_identities.push(with_opened(r.row, "email", opened)?);
    }
    let email_tokens = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM email_tokens t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let known_devices = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM known_devices t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let authenticators = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM authenticators t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let recovery_codes = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM recovery_codes t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    // A passkey's name and dates; its public key is the device's, of no use to anyone else.
    let passkeys = sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('name', name, 'created_at', created_at,
                                     'last_used_at', last_used_at) AS "row!"
           FROM passkeys WHERE user_id = $1 ORDER BY created_at"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let organisation_members = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM organisation_members t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let lookup = state.vault.email_lookup(&mut conn, email).await?;
    let rows = sqlx::query!(
        r#"SELECT to_jsonb(t) AS "row!", invitation_id AS "id: InvitationId",
                  sealed_by(invitation_id, email_sealed) AS "email!: Sealed"
             FROM organisation_invitations t WHERE invited_by = $1 OR email_lookup = $2"#,
        user,
        lookup
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut organisation_invitations = Vec::with_capacity(rows.len());
    for r in rows {
        let opened = super::repo::reveal_invitee(&state.vault, r.id, &r.email)?;
        organisation_invitations.push(with_opened(r.row, "email", opened)?);
    }
    let applied_requests = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM applied_requests t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let data_exports = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM data_exports t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    let erasure_requests = sqlx::query_scalar!(
        r#"SELECT to_jsonb(t) AS "row!" FROM erasure_requests t WHERE user_id = $1"#,
        user
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Part::default()
        .table("users", users)
        .table("user_roles", user_roles)
        .table("user_logins", user_logins)
        .table("oidc_identities", oidc_identities)
        .table("email_tokens", email_tokens)
        .table("known_devices", known_devices)
        .table("authenticators", authenticators)
        .table("recovery_codes", recovery_codes)
        .table("passkeys", passkeys)
        .table("organisation_members", organisation_members)
        .table("organisation_invitations", organisation_invitations)
        .table("applied_requests", applied_requests)
        .table("data_exports", data_exports)
        .table("erasure_requests", erasure_requests))
}

/// Sign-ins, providers, two-step sign-in, memberships and what was mailed to them go; the
/// account row stays as the pseudonym the ledger, orders and audit trail name, with nothing
/// identifying left in it, and can never sign in again.
async fn erase(
    state: &AppState,
    conn: &mut PgConnection,
    erasing: &Erasing,
) -> Result<(), ServiceError> {
    let user = erasing.id.0;
    sqlx::query!("DELETE FROM user_roles WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM user_logins WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM oidc_identities WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM email_tokens WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM known_devices WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM authenticators WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM recovery_codes WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM passkeys WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM organisation_members WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM applied_requests WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!("DELETE FROM data_exports WHERE user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    // Invitations to their address go, with the keys that sealed it.
    let lookup = state.vault.email_lookup(&mut *conn, &erasing.email).await?;
    sqlx::query!(
        "DELETE FROM organisation_invitations WHERE email_lookup = $1",
        lookup
    )
    .execute(&mut *conn)
    .await?;
    // Counters of attempts counted by their address (`signin:account:<digest>`).
    sqlx::query!(
        "DELETE FROM rate_limits WHERE right(key, 65) = ':' || $1",
        crate::ratelimit::subject_digest(&erasing.email)
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "UPDATE users
            SET email = NULL, email_lookup = NULL, email_sealed = NULL, email_verified_at = NULL,
                display_name = NULL, name_sealed = NULL, name_words = '{}', password_hash = NULL,
                erased_at = $2
          WHERE user_id = $1",
        user,
        erasing.now
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
