//! The vault over the real database: a key per person made once (also when two ask at once),
//! a new master key that rewraps the keys without touching what they sealed, and forgetting a
//! person making what was sealed for them unreadable.

use app::ids::UserId;
use app::vault::{Vault, VaultError};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{app, user};

async fn opened(
    db: &PgPool,
    vault: &Vault,
    who: UserId,
    context: &str,
    sealed: &[u8],
) -> Result<Option<Vec<u8>>, VaultError> {
    let mut conn = db.acquire().await.expect("connection");
    vault.open(&mut conn, who, context, sealed).await
}

#[sqlx::test(migrations = "../migrations")]
async fn keys_rotate_without_rewriting_data_and_die_with_the_person(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = app(common::own_pool(options).await).await;
    let (ann, ben) = (
        user(&app.db, "ann@olivine.test").await,
        user(&app.db, "ben@olivine.test").await,
    );
    let old = Vault::new(&[1; 32]);
    let mut conn = app.db.acquire().await.expect("connection");

    // Two first uses at once still make one key.
    let (mut a, mut b) = (
        app.db.acquire().await.expect("connection"),
        app.db.acquire().await.expect("connection"),
    );
    let (first, second) = tokio::join!(
        old.seal(&mut a, ann, "note:1", b"Ann's first"),
        old.seal(&mut b, ann, "note:2", b"Ann's second"),
    );
    let (first, second) = (first.expect("seal"), second.expect("seal"));
    let keys = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM person_keys WHERE user_id = $1"#,
        ann.0
    )
    .fetch_one(&mut *conn)
    .await
    .expect("count");
    assert_eq!(keys, 1);
    assert_eq!(
        opened(&app.db, &old, ann, "note:2", &second)
            .await
            .expect("open"),
        Some(b"Ann's second".to_vec())
    );
    let bens = old
        .seal(&mut conn, ben, "note:1", b"Ben's")
        .await
        .expect("seal");
    // A retention key (what bookkeeping keeps of an erased buyer) rotates with the rest.
    let retention = uuid::Uuid::new_v4();
    let until = chrono::Utc::now() + chrono::Duration::days(7 * 365);
    let kept = old
        .seal_retained(
            &mut conn,
            retention,
            until,
            "order-buyer:1",
            b"Ann, Utrecht",
        )
        .await
        .expect("seal retained");

    // A new master key: the old one opens what it wrapped, which is then wrapped anew.
    let new = Vault::new(&[2; 32]).with_previous(&[1; 32]);
    assert_eq!(
        opened(&app.db, &new, ann, "note:1", &first)
            .await
            .expect("open"),
        Some(b"Ann's first".to_vec())
    );
    // Ben's key, and any other the old master wrapped (the seeded demo admin's, for the
    // authenticator secret sealed with it): the very query the rewrap pages through.
    let waiting = sqlx::query_scalar!(
        "SELECT user_id FROM person_keys WHERE master_id <> $1 ORDER BY user_id LIMIT 500",
        new.master_id()
    )
    .fetch_all(&mut *conn)
    .await
    .expect("keys to rewrap");
    assert!(waiting.contains(&ben.0), "Ben's key waits: {waiting:?}");
    assert_eq!(
        new.rewrap_all(&mut conn).await.expect("rewrap"),
        u64::try_from(waiting.len()).expect("a count") + 1,
        "the people's keys and the retention key"
    );
    assert_eq!(new.rewrap_all(&mut conn).await.expect("rewrap"), 0);
    let only_new = Vault::new(&[2; 32]);
    assert_eq!(
        opened(&app.db, &only_new, ben, "note:1", &bens)
            .await
            .expect("open"),
        Some(b"Ben's".to_vec())
    );
    assert!(matches!(
        opened(&app.db, &old, ann, "note:1", &first).await,
        Err(VaultError::UnknownMaster(_))
    ));
    assert_eq!(
        only_new
            .open_retained(&mut conn, retention, "order-buyer:1", &kept)
            .await
            .expect("open retained"),
        Some(b"Ann, Utrecht".to_vec())
    );

    // Forgotten: nothing sealed for Ann opens again, Ben's still does.
    assert!(Vault::forget(&mut conn, ann).await.expect("forget"));
    assert_eq!(
        opened(&app.db, &only_new, ann, "note:1", &first)
            .await
            .expect("open"),
        None
    );
    assert_eq!(
        opened(&app.db, &only_new, ann, "note:2", &second)
            .await
            .expect("open"),
        None
    );
    assert!(
        opened(&app.db, &only_new, ben, "note:1", &bens)
            .await
            .expect("open")
            .is_some()
    );
}
