//! The back office's views over accounts.

use super::Result;
use crate::accounts::model::{AdminUserRow, Role};
use crate::ids::UserId;
use crate::vault::{Sealed, Vault, VaultError};
use sqlx::PgConnection;

/// Accounts whose name holds every word of `query`, or whose email address is `query` (names
/// and addresses are sealed: found by the hashes of whole words and addresses, never by a
/// part); newest first.
pub async fn search_users(
    conn: &mut PgConnection,
    vault: &Vault,
    query: &str,
    limit: i64,
    offset: i64,
) -> std::result::Result<(Vec<AdminUserRow>, i64), VaultError> {
    let lookup = vault.email_lookup(conn, query).await?;
    let words = vault.name_words(conn, query).await?;
    let total = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM users
           WHERE $1 = '' OR email_lookup = $3
              OR (cardinality($2::bytea[]) > 0 AND name_words @> $2)"#,
        query,
        &words,
        lookup
    )
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT u.user_id AS "user_id: UserId", person_email(u.user_id) AS "email!: Sealed",
                  person_name(u.user_id) AS "name!: Sealed",
                  ARRAY(SELECT r.role FROM user_roles r WHERE r.user_id = u.user_id ORDER BY r.role)
                      AS "roles!: Vec<Role>",
                  ARRAY(SELECT o.name FROM organisation_members m
                        JOIN organisations o USING (organisation_id)
                        WHERE m.user_id = u.user_id ORDER BY o.name) AS "organisations!",
                  u.created_at
           FROM users u
           WHERE $1 = '' OR u.email_lookup = $5
              OR (cardinality($2::bytea[]) > 0 AND u.name_words @> $2)
           ORDER BY u.created_at DESC, u.user_id
           LIMIT $3 OFFSET $4"#,
        query,
        &words,
        limit,
        offset,
        lookup
    )
    .fetch_all(conn)
    .await?;
    let rows = rows
        .into_iter()
        .map(|r| {
            Ok(AdminUserRow {
                user_id: r.user_id,
                email: super::reveal_email(vault, &r.email)?,
                display_name: super::reveal_name(vault, &r.name)?,
                roles: r.roles,
                organisations: r.organisations,
                created_at: r.created_at,
            })
        })
        .collect::<std::result::Result<_, VaultError>>()?;
    Ok((rows, total))
}

pub struct AdminCounts {
    pub users: i64,
    pub organisations: i64,
    pub sign_ins_24h: i64,
    pub failed_sign_ins_24h: i64,
}

pub async fn admin_counts(conn: &mut PgConnection) -> Result<AdminCounts> {
    sqlx::query_as!(
        AdminCounts,
        r#"SELECT
             (SELECT count(*) FROM users) AS "users!",
             (SELECT count(*) FROM organisations) AS "organisations!",
             (SELECT count(*) FROM audit_log
               WHERE action = 'sign_in' AND at > now() - interval '24 hours') AS "sign_ins_24h!",
             (SELECT count(*) FROM audit_log
               WHERE action = 'sign_in_failed' AND at > now() - interval '24 hours')
               AS "failed_sign_ins_24h!""#
    )
    .fetch_one(conn)
    .await
}
