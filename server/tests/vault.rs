//! The vault over the real database: a key per person made once (also when two ask at once),
//! a new master key that rewraps the keys without touching what they sealed, and forgetting a
//! person making what was sealed for them unreadable.

use app::accounts::repo;
use app::ids::UserId;
use app::vault::{Vault, VaultError};
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{app, user};

fn sha256(bytes: &[u8]) -> Vec<u8> {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).to_vec()
}

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

    // Two first uses at once still make one key (for someone with no key yet: the seeded
    // people have theirs, made to seal their addresses).
    let keyless = UserId(uuid::Uuid::new_v4());
    sqlx::query!(
        "INSERT INTO users (user_id, email_lookup)
         VALUES ($1::uuid, sha256(convert_to($1::uuid::text, 'UTF8')))",
        keyless.0
    )
    .execute(&mut *conn)
    .await
    .expect("a person without a key");
    let (mut a, mut b) = (
        app.db.acquire().await.expect("connection"),
        app.db.acquire().await.expect("connection"),
    );
    let (one, other) = tokio::join!(
        old.seal(&mut a, keyless, "note:1", b"first"),
        old.seal(&mut b, keyless, "note:2", b"second"),
    );
    let keys = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM person_keys WHERE user_id = $1"#,
        keyless.0
    )
    .fetch_one(&mut *conn)
    .await
    .expect("count");
    assert_eq!(keys, 1);
    assert_eq!(
        opened(&app.db, &old, keyless, "note:1", &one.expect("seal"))
            .await
            .expect("open"),
        Some(b"first".to_vec())
    );
    assert_eq!(
        opened(&app.db, &old, keyless, "note:2", &other.expect("seal"))
            .await
            .expect("open"),
        Some(b"second".to_vec())
    );
    let (first, second) = (
        old.seal(&mut conn, ann, "note:1", b"Ann's first")
            .await
            .expect("seal"),
        old.seal(&mut conn, ann, "note:2", b"Ann's second")
            .await
            .expect("seal"),
    );
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
    // Ben's key, and every other the old master wrapped (each seeded person's, made to seal
    // their address): the very query the rewrap pages through.
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
        u64::try_from(waiting.len()).expect("a count") + 2,
        "the people's keys, the retention key and the email lookup key"
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

/// Addresses and names at rest: no row holds one in the clear, any case of an address finds
/// the account and whole words find a name, what an older version kept in the clear is sealed
/// on the next migrate, a new master key changes no lookup, and a forgotten person's address
/// and name open for nobody.
#[sqlx::test(migrations = "../migrations")]
async fn addresses_and_names_are_sealed_and_found_by_their_lookup_hashes(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = app(common::own_pool(options).await).await;
    let vault = &app.state.vault;
    let ann = user(&app.db, "ann@olivine.test").await;
    let mut conn = app.db.acquire().await.expect("connection");
    let users: String = sqlx::query_scalar!(
        r#"SELECT string_agg(to_jsonb(u)::text || encode(coalesce(u.email_sealed, ''), 'escape')
                             || encode(coalesce(u.name_sealed, ''), 'escape'), ' ')
             AS "rows!" FROM users u"#
    )
    .fetch_one(&mut *conn)
    .await
    .expect("users");
    assert!(users.contains(&ann.to_string()), "the rows were read");
    for clear in ["olivine.test", "Ann", "Shopper", "Freelancer"] {
        assert!(!users.contains(clear), "{clear} in the clear: {users}");
    }
    assert_eq!(
        repo::display_name_of(&mut conn, vault, ann)
            .await
            .expect("name"),
        "Ann Shopper"
    );
    // Names are found by whole words, in any case and order; never by a part of one.
    let fay = user(&app.db, "fay@olivine.test").await;
    let finn = user(&app.db, "finn@olivine.test").await;
    let found = |query: &'static str| {
        let db = app.db.clone();
        async move {
            let mut conn = db.acquire().await.expect("connection");
            let (rows, total) = repo::search_users(&mut conn, vault, query, 50, 0)
                .await
                .expect("search");
            assert_eq!(total, i64::try_from(rows.len()).expect("a count"));
            let mut ids: Vec<UserId> = rows.into_iter().map(|r| r.user_id).collect();
            ids.sort();
            ids
        }
    };
    let mut freelancers = vec![fay, finn];
    freelancers.sort();
    assert_eq!(found("freelancer").await, freelancers);
    assert_eq!(found("FREELANCER fay").await, vec![fay]);
    assert_eq!(found("fay@olivine.test").await, vec![fay]);
    assert!(found("freelance").await.is_empty());
    assert!(found("@@").await.is_empty());
    assert_eq!(
        repo::user_id_by_email(&mut conn, vault, "  ANN@Olivine.TEST ")
            .await
            .expect("lookup"),
        Some(ann)
    );
    assert_eq!(
        repo::email_of(&mut conn, vault, ann).await.expect("email"),
        "ann@olivine.test"
    );
    assert_eq!(
        repo::user_id_by_email(&mut conn, vault, "ann@olivine.tes")
            .await
            .expect("lookup"),
        None
    );

    // An account from before addresses were sealed.
    let old = UserId(uuid::Uuid::new_v4());
    sqlx::query!(
        "INSERT INTO users (user_id, email, display_name) VALUES ($1, 'Old.Timer@example.com', 'Old')",
        old.0
    )
    .execute(&mut *conn)
    .await
    .expect("an account with its address in the clear");
    // An invitation and a provider's address from then too.
    let invitation = uuid::Uuid::new_v4();
    sqlx::query!(
        "INSERT INTO organisation_invitations
             (invitation_id, organisation_id, email, token_hash, expires_at)
         SELECT $1, organisation_id, 'Invited.Once@example.com', sha256('old'), now() + interval '1 day'
           FROM organisations WHERE slug = 'harbour-hotels'",
        invitation
    )
    .execute(&mut *conn)
    .await
    .expect("an invitation with its address in the clear");
    sqlx::query!(
        "INSERT INTO oidc_identities (provider, subject, user_id, email)
         VALUES ('google', 'old-subject', $1, 'Old.Timer@gmail.example')",
        old.0
    )
    .execute(&mut *conn)
    .await
    .expect("a provider's address in the clear");
    assert_eq!(
        server::seal_clear_personal_data(&app.db, vault)
            .await
            .expect("seal"),
        3
    );
    let open = repo::open_invitation(&mut conn, vault, &sha256(b"old"))
        .await
        .expect("read")
        .expect("open");
    assert_eq!(open.email, "Invited.Once@example.com");
    let linked = repo::identities_of(&mut conn, vault, old)
        .await
        .expect("read");
    assert_eq!(linked[0].email.as_deref(), Some("Old.Timer@gmail.example"));
    let clear = sqlx::query_scalar!(
        r#"SELECT (SELECT count(*) FROM organisation_invitations WHERE email IS NOT NULL)
                + (SELECT count(*) FROM oidc_identities WHERE email IS NOT NULL) AS "n!""#
    )
    .fetch_one(&mut *conn)
    .await
    .expect("count");
    assert_eq!(clear, 0);
    assert_eq!(
        server::seal_clear_personal_data(&app.db, vault)
            .await
            .expect("seal"),
        0
    );
    let clear = sqlx::query_scalar!("SELECT email::text FROM users WHERE user_id = $1", old.0)
        .fetch_one(&mut *conn)
        .await
        .expect("row");
    assert_eq!(clear, None);
    assert_eq!(
        repo::user_id_by_email(&mut conn, vault, "old.timer@example.com")
            .await
            .expect("lookup"),
        Some(old)
    );
    assert_eq!(
        repo::email_of(&mut conn, vault, old).await.expect("email"),
        "Old.Timer@example.com"
    );
    assert_eq!(
        repo::display_name_of(&mut conn, vault, old)
            .await
            .expect("name"),
        "Old"
    );
    let clear_name =
        sqlx::query_scalar!("SELECT display_name FROM users WHERE user_id = $1", old.0)
            .fetch_one(&mut *conn)
            .await
            .expect("row");
    assert_eq!(clear_name, None);

    // A new master key: the same lookups, the same addresses.
    // (The tests' master key is 32 bytes of 1.)
    let rotating = Vault::new(&[2; 32]).with_previous(&[1; 32]);
    rotating.rewrap_all(&mut conn).await.expect("rewrap");
    let new = Vault::new(&[2; 32]);
    assert_eq!(
        repo::user_id_by_email(&mut conn, &new, "ann@olivine.test")
            .await
            .expect("lookup"),
        Some(ann)
    );
    assert_eq!(
        repo::email_of(&mut conn, &new, ann).await.expect("email"),
        "ann@olivine.test"
    );

    assert_eq!(
        repo::display_name_of(&mut conn, &new, ann)
            .await
            .expect("name"),
        "Ann Shopper"
    );
    // The invitation's own key was rewrapped with the people's.
    let open = repo::open_invitation(&mut conn, &new, &sha256(b"old"))
        .await
        .expect("read")
        .expect("open");
    assert_eq!(open.email, "Invited.Once@example.com");

    // Forgotten: the sealed address and name stay in the row (as in any backup) and open for
    // nobody.
    assert!(Vault::forget(&mut conn, ann).await.expect("forget"));
    assert_eq!(
        repo::email_of(&mut conn, &new, ann).await.expect("email"),
        ""
    );
    assert_eq!(
        repo::display_name_of(&mut conn, &new, ann)
            .await
            .expect("name"),
        repo::ERASED_NAME
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn buyers_are_sealed_with_their_key_or_their_order_s_and_found_whole(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    use app::orders::model::PaymentStart;
    use app::orders::repo as orders;
    use common::checkout::{add, checkout, parsed, stocked_variant};

    let app = common::shop(options).await;
    let vault = &app.state.vault;
    let variant = stocked_variant(&app, 10, 1500).await;
    let mut guest = app.browser();
    add(&mut guest, &variant, "1").await;
    let guest_order: PaymentStart = parsed(
        &checkout(
            &mut guest,
            "checkout/start",
            &[("email", "Guest.Buyer@example.com")],
        )
        .await,
    );
    let mut ann = common::signed_in(&app, "ann@olivine.test").await;
    add(&mut ann, &variant, "1").await;
    let ann_order: PaymentStart = parsed(&checkout(&mut ann, "checkout/start", &[]).await);

    // Nothing of either buyer in the rows, sealed bytes included.
    let mut conn = app.db.acquire().await.expect("connection");
    let rows: String = sqlx::query_scalar!(
        r#"SELECT string_agg(to_jsonb(o)::text || encode(coalesce(o.buyer_sealed, ''), 'escape'),
                             ' ') AS "rows!" FROM orders o"#
    )
    .fetch_one(&mut *conn)
    .await
    .expect("orders");
    assert!(rows.contains(&guest_order.order_id.to_string()), "read");
    for clear in [
        "Vries",
        "Keizersgracht",
        "Amsterdam",
        // The postal code whole: its digits alone turn up in any hex of random bytes.
        "1015 cs",
        "1015 CS",
        "1015CS",
        "Guest.Buyer",
        "guest.buyer",
    ] {
        assert!(!rows.contains(clear), "{clear} in the clear: {rows}");
    }
    // The guest's order has a key of its own; ann's is sealed with hers.
    let guest_keys =
        sqlx::query_scalar!(r#"SELECT order_id AS "order: app::ids::OrderId" FROM guest_keys"#)
            .fetch_all(&mut *conn)
            .await
            .expect("guest keys");
    assert_eq!(guest_keys, vec![guest_order.order_id]);
    for (order, email) in [
        (guest_order.order_id, "Guest.Buyer@example.com"),
        (ann_order.order_id, "ann@olivine.test"),
    ] {
        let detail = orders::detail(&mut conn, vault, order)
            .await
            .expect("read")
            .expect("the order");
        assert_eq!(detail.summary.email, email);
        assert_eq!(
            (detail.address.name.as_str(), detail.address.line1.as_str()),
            ("Ann de Vries", "Keizersgracht 12")
        );
        assert_eq!(detail.address.country, "NL");
    }

    // The back office finds an order by its reference, the buyer's whole address or whole
    // words of their name; never by a part of one.
    let found = |search: &str| {
        let db = app.db.clone();
        let search = search.to_owned();
        async move {
            let mut conn = db.acquire().await.expect("connection");
            let scope = orders::Scope::All {
                status: None,
                search: Some(&search),
            };
            let (rows, total) = orders::list(&mut conn, vault, scope, 50, 0)
                .await
                .expect("search");
            assert_eq!(total, i64::try_from(rows.len()).expect("a count"));
            let mut ids: Vec<_> = rows.into_iter().map(|r| (r.id, r.email)).collect();
            ids.sort();
            ids
        }
    };
    let guest_row = (guest_order.order_id, "Guest.Buyer@example.com".to_owned());
    let ann_row = (ann_order.order_id, "ann@olivine.test".to_owned());
    let mut both = vec![guest_row.clone(), ann_row.clone()];
    both.sort();
    assert_eq!(
        found(" guest.buyer@EXAMPLE.com").await,
        vec![guest_row.clone()]
    );
    assert_eq!(found("ann@olivine.test").await, vec![ann_row.clone()]);
    assert_eq!(found("de VRIES").await, both);
    assert!(found("Vrie").await.is_empty());
    assert!(found("Amsterdam").await.is_empty(), "the city is no name");
    let reference = orders::detail(&mut conn, vault, ann_order.order_id)
        .await
        .expect("read")
        .expect("the order")
        .summary
        .reference;
    assert_eq!(found(&reference).await, vec![ann_row]);

    // An order from before buyers were sealed.
    sqlx::query!(
        "UPDATE orders
            SET email = 'old.buyer@example.com', ship_name = 'Old Buyer',
                ship_line1 = 'Dorpsstraat 1', ship_line2 = '', ship_postal_code = '3511 AB',
                ship_city = 'Utrecht', buyer_sealed = NULL, email_lookup = NULL,
                buyer_words = '{}'
          WHERE order_id = $1",
        guest_order.order_id.0
    )
    .execute(&mut *conn)
    .await
    .expect("an order with its buyer in the clear");
    assert_eq!(
        server::seal_clear_personal_data(&app.db, vault)
            .await
            .expect("seal"),
        1
    );
    let detail = orders::detail(&mut conn, vault, guest_order.order_id)
        .await
        .expect("read")
        .expect("the order");
    assert_eq!(
        (detail.summary.email.as_str(), detail.address.city.as_str()),
        ("old.buyer@example.com", "Utrecht")
    );
    let clear = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM orders
            WHERE email IS NOT NULL OR ship_name IS NOT NULL OR ship_city IS NOT NULL"#
    )
    .fetch_one(&mut *conn)
    .await
    .expect("count");
    assert_eq!(clear, 0);
    assert_eq!(found("Old buyer").await.len(), 1);

    // A new master key rewraps the guest's key with the people's.
    let rotating = Vault::new(&[2; 32]).with_previous(&[1; 32]);
    assert!(rotating.rewrap_all(&mut conn).await.expect("rewrap") > 1);
    let new = Vault::new(&[2; 32]);
    let detail = orders::detail(&mut conn, &new, guest_order.order_id)
        .await
        .expect("read")
        .expect("the order");
    assert_eq!(detail.summary.email, "old.buyer@example.com");

    // A guest order's key forgotten: its buyer opens for nobody.
    assert!(
        Vault::forget(&mut conn, app::vault::KeyOwner::Guest(guest_order.order_id))
            .await
            .expect("forget")
    );
    let detail = orders::detail(&mut conn, &new, guest_order.order_id)
        .await
        .expect("read")
        .expect("the order");
    assert_eq!(detail.summary.email, app::privacy::ERASED);
}

/// Mail is sealed with the key of whom it is for (a guest order's, handed to the account that
/// adopts the order), opened by the relay and the dev mailbox, and forgotten once an SMTP server
/// took it (`accounts.rs`); mail an older version queued in the clear gets its lookup hash and,
/// once sent, loses its text.
#[sqlx::test(migrations = "../migrations")]
async fn mail_is_sealed_for_whom_it_is_for(_: PgPoolOptions, options: PgConnectOptions) {
    use app::orders::model::PaymentStart;
    use common::checkout::{add, checkout, parsed, pay, stocked_variant};

    const GUEST: &str = "Guest.Buyer@example.com";
    let app = common::shop(options).await;
    let vault = &app.state.vault;
    let variant = stocked_variant(&app, 10, 1500).await;
    let mut guest = app.browser();
    add(&mut guest, &variant, "1").await;
    let order: PaymentStart =
        parsed(&checkout(&mut guest, "checkout/start", &[("email", GUEST)]).await);
    pay(&app, &order, "pm_card_visa").await.expect("paid");
    app.deliver_events().await;

    // Queued for the guest, sealed with the order's key: nothing of it in the clear.
    let mut conn = app.db.acquire().await.expect("connection");
    let outbox = || async {
        let mut conn = app.db.acquire().await.expect("connection");
        sqlx::query_scalar!(
            r#"SELECT COALESCE(string_agg(to_jsonb(e)::text
                                  || encode(COALESCE(e.message_sealed, ''), 'escape'), ' '), '')
                      AS "rows!"
                 FROM email_outbox e"#
        )
        .fetch_one(&mut *conn)
        .await
        .expect("outbox")
    };
    let rows = outbox().await;
    for clear in [
        "Guest.Buyer",
        "guest.buyer",
        "Vries",
        "Keizersgracht",
        "confirmed",
    ] {
        assert!(!rows.contains(clear), "{clear} in the clear: {rows}");
    }
    let sealed_for = |owner: uuid::Uuid| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar!(
                r#"SELECT count(*) AS "n!" FROM email_outbox
                    WHERE sealed_for = $1 AND message_sealed IS NOT NULL"#,
                owner
            )
            .fetch_one(&db)
            .await
            .expect("count")
        }
    };
    assert_eq!(sealed_for(order.order_id.0).await, 1);
    let confirmation = app.last_mail_to(GUEST).await;
    assert!(confirmation.contains("Keizersgracht 12"), "{confirmation}");

    // Signing in adopts the order: its mail is sealed again with the account's key before
    // the order's key goes, and still opens.
    let reply = guest
        .sign_in("ann@olivine.test", server::seed::DEMO_PASSWORD)
        .await;
    assert!(common::ok(&reply), "{}", reply.body);
    let ann = user(&app.db, "ann@olivine.test").await;
    assert_eq!(sealed_for(order.order_id.0).await, 0);
    assert!(sealed_for(ann.0).await >= 1);
    let guest_keys = sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM guest_keys"#)
        .fetch_one(&mut *conn)
        .await
        .expect("guest keys");
    assert_eq!(guest_keys, 0);
    assert_eq!(app.last_mail_to(GUEST).await, confirmation);

    // Mail from before mail was sealed: one sent to the mailbox, one still queued.
    sqlx::query!(
        "INSERT INTO email_outbox (email_id, recipient, subject, body_text, sent_at, transport)
         VALUES (gen_random_uuid(), 'old.reader@example.com', 'Old news', 'Read it, Olga.',
                 now(), 'mailbox'),
                (gen_random_uuid(), 'old.reader@example.com', 'Queued news', 'Soon, Olga.',
                 NULL, NULL)"
    )
    .execute(&mut *conn)
    .await
    .expect("mail in the clear");
    assert_eq!(
        server::seal_clear_personal_data(&app.db, vault)
            .await
            .expect("seal"),
        2
    );
    let lookup = vault
        .email_lookup(&mut conn, "OLD.reader@example.com")
        .await
        .expect("lookup");
    let old = sqlx::query!(
        r#"SELECT subject, sent_at IS NOT NULL AS "sent!" FROM email_outbox
            WHERE recipient_lookup = $1 ORDER BY subject NULLS FIRST"#,
        lookup
    )
    .fetch_all(&mut *conn)
    .await
    .expect("old mail");
    let old: Vec<_> = old.into_iter().map(|r| (r.subject, r.sent)).collect();
    assert_eq!(
        old,
        vec![(None, true), (Some("Queued news".to_owned()), false)]
    );
    // The queued one still goes out (read in the clear), and is then forgotten like the rest.
    assert_eq!(app.last_mail_to(GUEST).await, confirmation);
    let rows = outbox().await;
    assert!(!rows.contains("Olga"), "{rows}");
    let unsent =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM email_outbox WHERE sent_at IS NULL"#)
            .fetch_one(&mut *conn)
            .await
            .expect("unsent");
    assert_eq!(unsent, 0);

    // Mail whose key went before it did (its person erased meanwhile) can never go out: the
    // relay drops it instead of trying for ever.
    let olga = user(&app.db, "olga@olivine.test").await;
    let mut tx = app.db.begin().await.expect("tx");
    let gone = app::notifications::email::Email {
        to: "olga@olivine.test".to_owned(),
        subject: "Gone".to_owned(),
        body_text: "Never read.".to_owned(),
        unsubscribe_url: None,
    };
    app::notifications::email::enqueue(&mut tx, vault, olga.into(), &gone)
        .await
        .expect("queued");
    tx.commit().await.expect("committed");
    assert!(Vault::forget(&mut conn, olga).await.expect("forgotten"));
    app.last_mail_to(GUEST).await;
    let left =
        sqlx::query_scalar!(r#"SELECT count(*) AS "n!" FROM email_outbox WHERE sent_at IS NULL"#)
            .fetch_one(&mut *conn)
            .await
            .expect("left");
    assert_eq!(left, 0);
}
