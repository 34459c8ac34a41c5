//! Erase me: asked, cancelled, asked again; held while an order travels; then erased so that
//! a full `pg_dump`, a search index built afterwards, the restricted store and the mail
//! outbox hold nothing that identifies the person, while their orders stay for bookkeeping
//! (the buyer sealed with a retention key) and the audit chain still verifies.

mod common;

use app::audit::model::ChainState;
use app::catalog::search::sync as search_sync;
use app::privacy::Erased;
use app::privacy::erasure::{self, Outcome};
use app::privacy::model::SupportErasures;
use chrono::Duration;
use common::checkout::{buy, checkout, deliver, parsed, pay, refusal, stocked_variant};
use common::{Browser, ok, shop, signed_in};
use search::SearchIndex;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, hire_day};

const EMAIL: &str = "greta.erasmus@example.test";
const NAME: &str = "Greta Erasmus";
const STREET: &str = "Erasmusweg 77";
const POSTCODE: &str = "9999 ZQ";
const CITY: &str = "Grootebroek";
const REVIEW: &str = "Quietly marvellous lavender, said Greta";

/// What identifies Greta, as it would be typed anywhere.
const IDENTIFYING: &[&str] = &[EMAIL, NAME, STREET, POSTCODE, CITY, REVIEW, "Erasmus"];

const ADDRESS: &[(&str, &str)] = &[
    ("address[name]", NAME),
    ("address[line1]", STREET),
    ("address[postal_code]", POSTCODE),
    ("address[city]", CITY),
];

/// Greta: a new account with the demo password.
async fn greta(app: &common::App) -> app::ids::UserId {
    let id = app::ids::UserId(uuid::Uuid::new_v4());
    let hash = app::accounts::password::hash(DEMO_PASSWORD.to_owned())
        .await
        .expect("hash");
    let mut tx = app.db.begin().await.expect("transaction");
    app::accounts::repo::insert_user(
        &mut tx,
        &app.state.vault,
        id,
        EMAIL,
        NAME,
        Some(&hash),
        true,
    )
    .await
    .expect("Greta");
    tx.commit().await.expect("commit");
    id
}

/// Everything in the database, as `pg_dump` writes it.
fn pg_dump(options: &PgConnectOptions) -> String {
    let output = std::process::Command::new("pg_dump")
        .args([
            "--host",
            options.get_host(),
            "--port",
            &options.get_port().to_string(),
            "--username",
            options.get_username(),
            "--no-owner",
            options.get_database().expect("a database"),
        ])
        .output()
        .expect("pg_dump runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// Every file under `dir`, as text.
fn read_all(dir: &std::path::Path) -> String {
    let mut text = String::new();
    for entry in std::fs::read_dir(dir).expect("a directory") {
        let path = entry.expect("an entry").path();
        if path.is_dir() {
            text.push_str(&read_all(&path));
        } else {
            text.push_str(&String::from_utf8_lossy(
                &std::fs::read(&path).expect("read"),
            ));
        }
    }
    text
}

/// The lines of `haystack` that still name her, shortened, to say where.
fn naming(haystack: &str) -> Vec<String> {
    haystack
        .lines()
        .filter(|line| !found_in(line).is_empty())
        .map(|line| line.chars().take(300).collect())
        .take(10)
        .collect()
}

fn found_in(haystack: &str) -> Vec<&'static str> {
    let haystack = haystack.to_lowercase();
    IDENTIFYING
        .iter()
        .copied()
        .filter(|s| haystack.contains(&s.to_lowercase()))
        .collect()
}

async fn subscribe_and_pay(app: &common::App, greta: &mut Browser<'_>, variant: &str) {
    let reply = greta
        .call(
            "cart/add",
            &[("variant", variant), ("quantity", "1"), ("every", "1")],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    let start: app::orders::model::PaymentStart =
        parsed(&checkout(greta, "checkout/start", ADDRESS).await);
    pay(app, &start, "pm_card_visa").await.expect("paid");
    app.deliver_events().await;
}

#[sqlx::test(migrations = "../migrations")]
async fn an_erased_person_leaves_nothing_that_identifies_them(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let dump_options = options.clone();
    let app = shop(options).await;
    let (state, db) = (&app.state, &app.db);
    let person = greta(&app).await;
    let variant = stocked_variant(&app, 20, 2000).await;
    let product: String =
        sqlx::query_scalar("SELECT product_id::text FROM variants WHERE variant_id = $1::uuid")
            .bind(&variant)
            .fetch_one(db)
            .await
            .expect("product");

    // Greta shops: a subscription (her card saved on a Stripe customer), delivered, and a
    // review; she asks for a download of her data, which is built.
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let mut greta = app.browser();
    assert!(ok(&greta.sign_in(EMAIL, DEMO_PASSWORD).await));
    subscribe_and_pay(&app, &mut greta, &variant).await;
    let first: String = sqlx::query_scalar("SELECT order_id::text FROM orders WHERE user_id = $1")
        .bind(person.0)
        .fetch_one(db)
        .await
        .expect("her order");
    deliver(&mut admin, &first).await;
    let customer: String =
        sqlx::query_scalar("SELECT stripe_customer FROM shop_customers WHERE user_id = $1")
            .bind(person.0)
            .fetch_one(db)
            .await
            .expect("her Stripe customer");
    assert_eq!(
        state
            .payments
            .saved_cards(&customer)
            .await
            .expect("cards")
            .len(),
        1
    );
    let reply = greta
        .call(
            "reviews/write",
            &[
                ("product", &product),
                ("rating", "5"),
                ("title", "Lovely"),
                ("body", REVIEW),
            ],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    assert!(ok(&greta.call("accounts/privacy-export", &[]).await));
    let export = app::privacy::service::due(state, 10, &[])
        .await
        .expect("due");
    app::privacy::service::build(state, export[0])
        .await
        .expect("built");
    let stored: String =
        sqlx::query_scalar("SELECT store_key FROM data_exports WHERE user_id = $1")
            .bind(person.0)
            .fetch_one(db)
            .await
            .expect("stored download");
    assert!(
        state
            .restricted
            .get(&stored)
            .await
            .expect("store")
            .is_some()
    );

    // Asking needs the box ticked; then she is mailed the date and may cancel.
    let unticked = refusal(&greta.call("accounts/privacy-erase", &[]).await);
    assert!(unticked.field_message("confirm").is_some(), "{unticked:?}");
    assert!(ok(&greta
        .call("accounts/privacy-erase", &[("confirm", "yes")])
        .await));
    let again = refusal(
        &greta
            .call("accounts/privacy-erase", &[("confirm", "yes")])
            .await,
    );
    assert!(again.to_string().contains("asked for already"), "{again}");
    let mail = app.last_mail_to(EMAIL).await;
    assert!(mail.contains("will be erased after"), "{mail}");
    let waiting: Option<app::privacy::model::ErasureView> =
        parsed(&greta.call("accounts/privacy-erasure", &[]).await);
    let waiting = waiting.expect("waiting");
    assert_eq!(
        waiting.erase_after - waiting.requested_at,
        Duration::days(14)
    );
    let id = waiting.id.to_string();
    assert!(ok(&greta
        .call("accounts/privacy-erasure-cancel", &[("id", &id)])
        .await));
    assert!(app.last_mail_to(EMAIL).await.contains("was cancelled"));
    let none: Option<app::privacy::model::ErasureView> =
        parsed(&greta.call("accounts/privacy-erasure", &[]).await);
    assert_eq!(none, None);
    assert!(ok(&greta
        .call("accounts/privacy-erase", &[("confirm", "yes")])
        .await));

    // Support sees it against its deadline; nothing is done during the grace period.
    let seen: SupportErasures = parsed(&admin.call("admin/privacy", &[]).await);
    let row = seen
        .rows
        .iter()
        .find(|r| r.person.contains(EMAIL) && r.status.db_name() == "waiting")
        .expect("listed");
    assert_eq!(row.days_left(seen.now), 30);
    assert!(erasure::due(state, 10, &[]).await.expect("due").is_empty());

    // Others were mailed about her: one message delivered to the mailbox, one still queued.
    let admin_id = common::user(db, "admin@olivine.test").await;
    for subject in ["Delivered", "Queued"] {
        if subject == "Queued" {
            app.last_mail_to(EMAIL).await;
        }
        let mut tx = db.begin().await.expect("tx");
        app::notifications::email::enqueue(
            &mut tx,
            &state.vault,
            admin_id.into(),
            &app::notifications::email::Email {
                to: "admin@olivine.test".to_owned(),
                subject: format!("{subject}: {NAME} wrote"),
                body_text: format!("{NAME} ({EMAIL}) asked a question."),
                unsubscribe_url: None,
            },
        )
        .await
        .expect("queued");
        tx.commit().await.expect("committed");
    }

    // After 14 days an order still on its way holds it, and says so.
    buy(&app, &mut greta, &variant).await;
    state
        .clock
        .set_offset(Duration::days(14) + Duration::minutes(1));
    let due = erasure::due(state, 10, &[]).await.expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(
        erasure::erase(state, due[0]).await.expect("tried"),
        Outcome::Held("an order is still on its way")
    );
    let mine: Option<app::privacy::model::ErasureView> =
        parsed(&greta.call("accounts/privacy-erasure", &[]).await);
    assert_eq!(
        mine.and_then(|m| m.held_because).as_deref(),
        Some("an order is still on its way")
    );
    let travelling: String = sqlx::query_scalar(
        "SELECT order_id::text FROM orders WHERE user_id = $1 AND status = 'paid'",
    )
    .bind(person.0)
    .fetch_one(db)
    .await
    .expect("the second order");
    deliver(&mut admin, &travelling).await;
    assert_eq!(
        erasure::erase(state, due[0]).await.expect("erased"),
        Outcome::Erased
    );
    assert_eq!(
        erasure::erase(state, due[0]).await.expect("once"),
        Outcome::Nothing
    );

    // Signed out everywhere, and she can't sign in again.
    assert_eq!(
        greta.call("accounts/privacy-erasure", &[]).await.status,
        axum::http::StatusCode::UNAUTHORIZED
    );
    assert!(!ok(&app.browser().sign_in(EMAIL, DEMO_PASSWORD).await));
    // Her Stripe customer is gone with the card; her download left the store.
    assert!(state.payments.saved_cards(&customer).await.is_err());
    assert!(
        state
            .restricted
            .get(&stored)
            .await
            .expect("store")
            .is_none()
    );

    // Nothing identifies her: not the database, not an index built from it, not the outbox.
    let dump = pg_dump(&dump_options);
    assert_eq!(naming(&dump), Vec::<String>::new(), "in pg_dump");
    // The outbox's messages are sealed (so the dump shows none of them): open each.
    let mut conn = db.acquire().await.expect("connection");
    let outbox: Vec<String> = app::notifications::email::kept(
        &mut conn,
        &state.vault,
        app::ids::EmailId(uuid::Uuid::nil()),
        10_000,
    )
    .await
    .expect("outbox")
    .into_iter()
    .map(|kept| {
        format!(
            "{} {} {}",
            kept.email.to, kept.email.subject, kept.email.body_text
        )
    })
    .collect();
    drop(conn);
    let about_her: Vec<&String> = outbox.iter().filter(|m| m.contains(" wrote")).collect();
    assert_eq!(
        about_her.len(),
        2,
        "what others were sent stays, naming her no more: {outbox:?}"
    );
    assert!(about_her[0].contains("a former member ("), "{about_her:?}");
    assert_eq!(
        found_in(&outbox.join("\n")),
        Vec::<&str>::new(),
        "in the outbox"
    );
    let dir = std::env::temp_dir().join(format!("olivine-erasure-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("index dir");
    {
        let (index, _) = SearchIndex::open_or_create(&dir).expect("index");
        search_sync::rebuild(db, &index, state.clock.today(), |_| {})
            .await
            .expect("indexed");
    }
    let files = read_all(&dir);
    std::fs::remove_dir_all(&dir).expect("cleaned up");
    assert!(files.len() > 1000, "the index holds the catalog");
    assert_eq!(found_in(&files), Vec::<&str>::new(), "in the search index");

    // Her orders stay for bookkeeping: the buyer opens only with the retention key.
    let retained = sqlx::query!(
        r#"SELECT order_id, retained AS "retained!", retention_key AS "key!"
             FROM orders WHERE user_id = $1 ORDER BY placed_at"#,
        person.0
    )
    .fetch_all(db)
    .await
    .expect("orders kept");
    assert_eq!(retained.len(), 2);
    let kept = &retained[0];
    let open = || async {
        let mut conn = db.acquire().await.expect("connection");
        let context = app::orders::privacy::retained_context(kept.order_id);
        state
            .vault
            .open_retained(&mut conn, kept.key, &context, &kept.retained)
            .await
            .expect("asked")
    };
    let opened = open().await.expect("the key is kept");
    let buyer: app::orders::repo::Buyer = serde_json::from_slice(&opened).expect("JSON");
    assert_eq!(
        (buyer.ship_to.name.as_str(), buyer.ship_to.city.as_str()),
        (NAME, CITY)
    );
    // Seven years on, the retention key goes and with it the last trace.
    state.clock.set_offset(Duration::days(8 * 365));
    assert_eq!(
        erasure::forget_expired_retention(state)
            .await
            .expect("swept"),
        1
    );
    assert_eq!(open().await, None);

    // Every table whose rows a holding says are deleted holds none of hers: not by her account
    // (as its owner), nor by her address.
    for holding in app::HOLDINGS {
        for covered in holding.covers {
            if covered.erased != Erased::Deleted {
                continue;
            }
            for column in covered.columns {
                let value = match *column {
                    "user_id" | "freelancer_id" => person.0.to_string(),
                    "email" | "recipient" => EMAIL.to_owned(),
                    // Who acted for others (`…_by`): those rows stay, naming the account id.
                    _ => continue,
                };
                let left: i64 = sqlx::query_scalar(&format!(
                    "SELECT count(*) FROM {} WHERE lower({column}::text) = lower($1)",
                    covered.table
                ))
                .bind(&value)
                .fetch_one(db)
                .await
                .expect("count");
                assert_eq!(left, 0, "{}.{column} still names her", covered.table);
            }
        }
    }

    // Her subscription ended; the audit chain verifies and records the erasure.
    let status: String =
        sqlx::query_scalar("SELECT status::text FROM subscriptions WHERE user_id = $1")
            .bind(person.0)
            .fetch_one(db)
            .await
            .expect("subscription");
    assert_eq!(status, "cancelled");
    let chain = app::accounts::admin::audit_chain(state)
        .await
        .expect("chain");
    assert!(
        matches!(chain.chain, ChainState::Intact { .. }),
        "{chain:?}"
    );
    let erased: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'person_erased' AND subject_id = $1",
    )
    .bind(person.0)
    .fetch_one(db)
    .await
    .expect("audit");
    assert_eq!(erased, 1);
}

/// Support asks to erase the account with `email`, saying how its person asked.
async fn ask_for(support: &mut Browser<'_>, email: &str, note: &str) -> common::Reply {
    support
        .call("admin/privacy-erase", &[("email", email), ("note", note)])
        .await
}

#[sqlx::test(migrations = "../migrations")]
async fn support_asks_for_a_freelancer_whose_running_contract_holds_it_and_cancels(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = shop(options).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(state).await;
    let shift = c.open_shift(state, hire_day(3), 1).await;
    c.hire(state, c.fay, shift).await;
    let mut admin = signed_in(&app, "admin@olivine.test").await;

    // Support must say how the person asked, and name an account.
    let no_note = refusal(&ask_for(&mut admin, "fay@olivine.test", " ").await);
    assert!(no_note.field_message("note").is_some(), "{no_note:?}");
    let nobody = refusal(&ask_for(&mut admin, "nobody@olivine.test", "By phone").await);
    assert!(nobody.field_message("email").is_some(), "{nobody:?}");
    // Only support may.
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    let refused = ask_for(&mut ann, "fay@olivine.test", "By phone").await;
    assert_eq!(refused.status, axum::http::StatusCode::FORBIDDEN);
    let reply = ask_for(&mut admin, "fay@olivine.test", "Letter of 1 December").await;
    assert!(ok(&reply), "{}", reply.body);
    assert!(
        app.last_mail_to("fay@olivine.test")
            .await
            .contains("will be erased after")
    );

    // Her running contract holds it past the grace period.
    state.clock.set_offset(Duration::days(15));
    let due = erasure::due(state, 10, &[]).await.expect("due");
    assert_eq!(
        erasure::erase(state, due[0]).await.expect("tried"),
        Outcome::Held("a contract of theirs is still running")
    );
    let seen: SupportErasures = parsed(&admin.call("admin/privacy", &[]).await);
    let row = &seen.rows[0];
    assert!(row.person.contains("fay@olivine.test"), "{row:?}");
    assert!(row.asked_by.contains("admin@olivine.test"), "{row:?}");
    assert_eq!(row.note.as_deref(), Some("Letter of 1 December"));
    assert_eq!(
        row.held_because.as_deref(),
        Some("a contract of theirs is still running")
    );

    // She changed her mind by phone: support cancels; nothing was erased.
    let id = row.id.to_string();
    assert!(ok(&admin
        .call("admin/privacy-cancel", &[("id", &id)])
        .await));
    assert!(erasure::due(state, 10, &[]).await.expect("due").is_empty());
    let profile: i64 =
        sqlx::query_scalar("SELECT count(*) FROM freelancer_profiles WHERE user_id = $1")
            .bind(c.fay.0)
            .fetch_one(db)
            .await
            .expect("profile");
    assert_eq!(profile, 1);
    let again = refusal(&admin.call("admin/privacy-cancel", &[("id", &id)]).await);
    assert!(again.to_string().contains("no longer waiting"), "{again}");
}
