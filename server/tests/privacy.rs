//! Downloads of a person's data: every person column of the schema is in one, the ZIP holds
//! the person's rows and files and nothing that protects them, and the mailed link works once,
//! for its owner, within 7 days.

mod common;

use app::hire::certificates::service as certificates;
use app::privacy::service;
use axum::http::{StatusCode, header};
use common::{link_token, ok, signed_in, user};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::collections::BTreeSet;
use std::io::Read;
use test_support::hire::Cast;

const PDF: &[u8] = b"%PDF-1.4 a scanned food hygiene certificate";

/// Every column that ties a row to a person, read from the schema: those referencing
/// `users`, uuid columns named for a person (`user_id`, `actor_id`, `actor`, `freelancer_id`,
/// `…_by`), addresses (`email`, `recipient`, a code's `customer`: an email or an id) and
/// what the vault keeps of a person (`…_sealed` fields, `…_lookup` and `…_words` hashes).
async fn person_columns(db: &sqlx::PgPool) -> BTreeSet<(String, String)> {
    sqlx::query!(
        r#"SELECT c.relname AS "table!", a.attname AS "column!"
           FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p')
           JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
           WHERE a.attnum > 0 AND NOT a.attisdropped AND (
             (a.atttypid = 'uuid'::regtype
              AND (a.attname IN ('user_id', 'actor_id', 'actor', 'freelancer_id')
                   OR a.attname LIKE '%\_by'))
             OR a.attname IN ('email', 'recipient', 'customer')
             OR a.attname LIKE '%\_sealed' OR a.attname LIKE '%\_lookup'
             OR a.attname LIKE '%\_words'
             OR EXISTS (SELECT 1 FROM pg_constraint k
                        WHERE k.contype = 'f' AND k.confrelid = 'users'::regclass
                          AND k.conrelid = c.oid AND a.attnum = ANY (k.conkey)))"#
    )
    .fetch_all(db)
    .await
    .expect("person columns")
    .into_iter()
    .map(|r| (r.table, r.column))
    .collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn every_person_column_of_the_schema_is_in_the_download(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let schema = person_columns(&db).await;
    assert!(schema.len() > 50, "the schema query found {}", schema.len());
    let covered: BTreeSet<(String, String)> = app::HOLDINGS
        .iter()
        .flat_map(|e| e.covers.iter())
        .flat_map(|c| {
            c.columns
                .iter()
                .map(|col| (c.table.to_owned(), (*col).to_owned()))
        })
        .collect();
    let withheld: BTreeSet<&str> = app::privacy::WITHHELD_TABLES
        .iter()
        .map(|(t, _)| *t)
        .collect();
    let missing: Vec<_> = schema
        .iter()
        .filter(|(table, column)| {
            !covered.contains(&(table.clone(), column.clone()))
                && !withheld.contains(table.as_str())
        })
        .collect();
    assert!(
        missing.is_empty(),
        "person columns no exporter covers (add them to the owning domain's privacy.rs): {missing:?}"
    );
    // And nothing covered that the schema doesn't have.
    let stale: Vec<_> = covered.difference(&schema).collect();
    assert!(
        stale.is_empty(),
        "covered columns not in the schema: {stale:?}"
    );
}

fn zip_file(zip: &[u8], name: &str) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a ZIP");
    let mut file = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the ZIP"));
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).expect("read");
    bytes
}

fn zip_json(zip: &[u8], name: &str) -> serde_json::Value {
    serde_json::from_slice(&zip_file(zip, name)).expect("JSON")
}

#[sqlx::test(migrations = "../migrations")]
async fn a_freelancer_downloads_their_data_once_through_the_mailed_link(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(state).await;
    let upload = certificates::Upload {
        type_id: "food-hygiene".into(),
        expires_on: (state.clock.today() + chrono::Days::new(400))
            .format("%Y-%m-%d")
            .to_string(),
        file_name: "haccp scan.pdf".into(),
        bytes: PDF.to_vec(),
    };
    let certificate = certificates::submit(state, c.fay, upload)
        .await
        .expect("upload");

    // Fay asks, twice: one download is prepared.
    let mut fay = signed_in(&app, "fay@olivine.test").await;
    for _ in 0..2 {
        let reply = fay.call("accounts/privacy-export", &[]).await;
        assert!(ok(&reply), "{}", reply.body);
    }
    let due = service::due(state, 10, &[]).await.expect("due");
    assert_eq!(due.len(), 1);
    let page = fay.call("accounts/privacy", &[]).await;
    assert!(page.body.contains("Building"), "{}", page.body);

    // Mail she was sent is in it, opened.
    let mut tx = db.begin().await.expect("tx");
    let welcome = app::notifications::email::Email {
        to: "fay@olivine.test".to_owned(),
        subject: "Welcome back, Fay".to_owned(),
        body_text: "Your profile is live.".to_owned(),
        unsubscribe_url: None,
    };
    app::notifications::email::enqueue(&mut tx, &state.vault, c.fay.into(), &welcome)
        .await
        .expect("queued");
    tx.commit().await.expect("committed");

    // The job builds it and mails the link.
    service::build(state, due[0]).await.expect("build");
    assert!(service::due(state, 10, &[]).await.expect("due").is_empty());
    let mail = app.last_mail_to("fay@olivine.test").await;
    assert!(mail.contains("/account/privacy/download?token="), "{mail}");
    let path = format!("/account/privacy/download?token={}", link_token(&mail));

    // Nobody signed in is sent to sign in first; someone else signed in gets nothing.
    let reply = app.browser().read(&path).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let to = reply.headers[header::LOCATION].to_str().expect("location");
    assert!(
        to.starts_with("/signin?next=%2Faccount%2Fprivacy%2Fdownload%3Ftoken%3D"),
        "{to}"
    );
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    let reply = ann.read(&path).await;
    assert_eq!(
        reply.headers[header::LOCATION],
        "/account/privacy?link=spent"
    );

    // Fay gets the ZIP.
    let reply = fay.read(&path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/zip");
    assert_eq!(reply.headers[header::CACHE_CONTROL], "private, no-store");
    let zip = reply.bytes;
    let account = zip_json(&zip, "account.json");
    assert_eq!(account["users"][0]["email"], "fay@olivine.test");
    assert_eq!(account["users"][0]["display_name"], "Fay Freelancer");
    assert!(
        !account["user_logins"]
            .as_array()
            .expect("logins")
            .is_empty()
    );
    let hire = zip_json(&zip, "hire.json");
    assert_eq!(
        hire["freelancer_profiles"][0]["user_id"],
        c.fay.0.to_string()
    );
    assert_eq!(
        hire["freelancer_certificates"]
            .as_array()
            .expect("certificates")
            .iter()
            .filter(|row| row["certificate_id"] == certificate.0.to_string())
            .count(),
        1
    );
    assert_eq!(
        zip_file(
            &zip,
            &format!("files/certificates/{}-haccp_scan.pdf", certificate.0)
        ),
        PDF
    );
    // One file per exporter, each with every table it covers.
    for exporter in app::HOLDINGS {
        let part = zip_json(&zip, &format!("{}.json", exporter.name));
        for covered in exporter.covers {
            assert!(
                part[covered.table].is_array(),
                "{}.json lacks {}",
                exporter.name,
                covered.table
            );
        }
    }
    // Nothing that proves or protects: no password hash, no link hashes, no sealed bytes.
    let everything = String::from_utf8_lossy(&zip_file(&zip, "account.json")).into_owned();
    for secret in ["password_hash", "token_hash", "argon2"] {
        assert!(!everything.contains(secret), "account.json holds {secret}");
    }
    let notifications = zip_json(&zip, "notifications.json");
    let mail = notifications["email_outbox"].as_array().expect("mail");
    assert_eq!(mail.len(), 1, "{mail:?}");
    assert_eq!(mail[0]["message"]["subject"], "Welcome back, Fay");
    assert_eq!(mail[0]["message"]["to"], "fay@olivine.test");
    assert!(mail[0].get("message_sealed").is_none() && mail[0].get("recipient_lookup").is_none());
    let audit = zip_json(&zip, "audit.json");
    assert!(
        audit["audit_log"]
            .as_array()
            .expect("audit")
            .iter()
            .any(|row| row["action"] == "data_export_requested")
    );

    // Once: the link is spent, and the ZIP gone from the store.
    let reply = fay.read(&path).await;
    assert_eq!(
        reply.headers[header::LOCATION],
        "/account/privacy?link=spent"
    );
    let key: Option<String> = sqlx::query_scalar!(
        "SELECT store_key FROM data_exports WHERE user_id = $1 AND removed_at IS NOT NULL",
        c.fay.0
    )
    .fetch_one(db)
    .await
    .expect("removed");
    let key = key.expect("a store key");
    assert!(state.restricted.get(&key).await.expect("store").is_none());
    let downloaded = sqlx::query_scalar!(
        "SELECT count(*) FROM audit_log WHERE action = 'data_export_downloaded' AND actor_id = $1",
        c.fay.0
    )
    .fetch_one(db)
    .await
    .expect("audit");
    assert_eq!(downloaded, Some(1));
    let page = fay.call("accounts/privacy", &[]).await;
    assert!(page.body.contains("Downloaded"), "{}", page.body);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_download_not_taken_within_7_days_is_removed(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let ann = user(&app.db, "ann@olivine.test").await;
    service::request(state, ann, None).await.expect("request");
    let due = service::due(state, 10, &[]).await.expect("due");
    service::build(state, due[0]).await.expect("build");
    let mail = app.last_mail_to("ann@olivine.test").await;
    let path = format!("/account/privacy/download?token={}", link_token(&mail));
    assert_eq!(service::remove_spent(state).await.expect("sweep"), 0);

    state
        .clock
        .set_offset(chrono::Duration::days(7) + chrono::Duration::minutes(1));
    assert_eq!(service::remove_spent(state).await.expect("sweep"), 1);
    let mut browser = signed_in(&app, "ann@olivine.test").await;
    let reply = browser.read(&path).await;
    assert_eq!(
        reply.headers[header::LOCATION],
        "/account/privacy?link=spent"
    );
    let page = browser.call("accounts/privacy", &[]).await;
    assert!(page.body.contains("Expired"), "{}", page.body);
    // A new one can be asked for.
    service::request(state, ann, None).await.expect("request");
    assert_eq!(service::due(state, 10, &[]).await.expect("due").len(), 1);
}

/// Notifications name people by account id at rest; a download reads them as their owner
/// does, with the names.
#[sqlx::test(migrations = "../migrations")]
async fn a_download_names_the_people_notifications_mention(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = Cast::of(state).await;
    let shift = c
        .open_shift(state, test_support::hire::hire_day(5), 2)
        .await;
    app::hire::applications::service::apply(state, c.finn, shift, "", "")
        .await
        .expect("apply");
    service::request(state, c.hana, None)
        .await
        .expect("request");
    let due = service::due(state, 10, &[]).await.expect("due");
    service::build(state, due[0]).await.expect("build");
    let mail = app.last_mail_to("hana@olivine.test").await;
    let path = format!("/account/privacy/download?token={}", link_token(&mail));
    let mut hana = signed_in(&app, "hana@olivine.test").await;
    let reply = hana.read(&path).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let notifications = zip_json(&reply.bytes, "notifications.json");
    let told = notifications["notifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["title"], "New application from Finn Freelancer");
    assert!(
        told[0]["body"]
            .as_str()
            .expect("body")
            .starts_with("Finn Freelancer applied to ")
    );
    assert!(told[0].get("mentions").is_none(), "{told:?}");
}
