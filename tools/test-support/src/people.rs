//! The demo seed's people and organisations, by the names the seed gives them.

use app::ids::{OrganisationId, UserId};
use sqlx::PgPool;

/// A person's id, by their address (found as the server finds it: by its lookup hash, under
/// the tests' master key).
pub async fn user(db: &PgPool, email: &str) -> UserId {
    let vault = crate::test_vault();
    let mut conn = db.acquire().await.expect("a connection");
    app::accounts::repo::user_id_by_email(&mut conn, &vault, email)
        .await
        .expect("a lookup")
        .expect("a user with that address")
}

/// A person's address, opened as the server opens it.
pub async fn email_of(db: &PgPool, user: UserId) -> String {
    let vault = crate::test_vault();
    let mut conn = db.acquire().await.expect("a connection");
    app::accounts::repo::email_of(&mut conn, &vault, user)
        .await
        .expect("an address")
}

/// A seeded organisation's id.
pub async fn organisation(db: &PgPool, slug: &str) -> OrganisationId {
    OrganisationId(
        sqlx::query_scalar!(
            "SELECT organisation_id FROM organisations WHERE slug = $1",
            slug
        )
        .fetch_one(db)
        .await
        .expect("a seeded organisation"),
    )
}
