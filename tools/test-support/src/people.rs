//! The demo seed's people and organisations, by the names the seed gives them.

use app::ids::{OrganisationId, UserId};
use sqlx::PgPool;

/// A seeded person's id.
pub async fn user(db: &PgPool, email: &str) -> UserId {
    UserId(
        sqlx::query_scalar!(
            "SELECT user_id FROM users WHERE email = $1::text::citext",
            email
        )
        .fetch_one(db)
        .await
        .expect("a seeded user"),
    )
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
