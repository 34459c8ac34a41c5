//! The audit trail people read: `/admin/audit`'s filters, pages and CSV, for support admins
//! only; and the chain's checkpoints, written once to a store outside the database and held
//! against the chain, so that even a history rewritten hashes and all shows.

use app::audit::checkpoint::{self, CheckpointError, Stored};
use app::audit::model::{AuditTrail, ChainState, CheckpointState, ENTRIES_PER_PAGE};
use app::audit::{Action, Entry};
use app::blobs::BlobStore;
use app::ids::UserId;
use axum::http::StatusCode;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::checkout::{parsed, refusal};
use common::{App, Browser, app, signed_in};

async fn trail(admin: &mut Browser<'_>, filters: &[(&str, &str)]) -> AuditTrail {
    let pairs: Vec<(String, &str)> = filters
        .iter()
        .map(|(k, v)| {
            let key = if *k == "before" {
                (*k).to_owned()
            } else {
                format!("query[{k}]")
            };
            (key, *v)
        })
        .collect();
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    parsed(&admin.call("admin/audit", &pairs).await)
}

async fn user(db: &PgPool, email: &str) -> UserId {
    common::user(db, email).await
}

#[sqlx::test(migrations = "../migrations")]
async fn support_filters_pages_and_downloads_the_trail(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    signed_in(&app, "ben@olivine.test").await;
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let ann_id = user(&app.db, "ann@olivine.test").await;
    let reply = admin
        .call(
            "admin/user-role",
            &[
                ("user_id", &ann_id.to_string()),
                ("role", "Freelancer"),
                ("held", "true"),
            ],
        )
        .await;
    assert!(common::ok(&reply), "{}", reply.body);

    // One action: who, from where, to whom, and what.
    let granted = trail(&mut admin, &[("action", "role_granted")]).await;
    assert_eq!(granted.entries.len(), 1, "{granted:?}");
    let entry = &granted.entries[0];
    assert_eq!(entry.action_label, "Role granted");
    let actor = entry.actor.as_ref().and_then(|a| a.label.clone());
    assert!(
        actor.is_some_and(|a| a.ends_with("<admin@olivine.test>")),
        "{entry:?}"
    );
    let subject = entry.subject.as_ref().expect("a subject");
    assert_eq!(subject.id, ann_id.0);
    assert!(
        subject
            .label
            .as_deref()
            .unwrap_or_default()
            .contains("ann@olivine.test")
    );
    assert_eq!(entry.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(
        entry.details,
        vec![("role".to_owned(), "freelancer".to_owned())]
    );
    assert!(entry.seq.is_some(), "sealed into the chain");

    // A person: what they did and what was done to them, by email or by id.
    for person in ["ann@olivine.test".to_owned(), ann_id.to_string()] {
        let about_ann = trail(&mut admin, &[("person", &person)]).await;
        let actions: Vec<&str> = about_ann
            .entries
            .iter()
            .map(|e| e.action.as_str())
            .collect();
        assert_eq!(actions, vec!["role_granted", "sign_in"], "{person}");
    }
    // A subject, and days (UTC).
    let by_subject = trail(&mut admin, &[("subject", &ann_id.to_string())]).await;
    assert_eq!(by_subject.entries.len(), 1);
    let day = entry.at.date_naive();
    let (first, last) = (
        day.to_string(),
        day.succ_opt().expect("next day").to_string(),
    );
    let that_day = trail(&mut admin, &[("from", &first), ("to", &first)]).await;
    assert!(
        that_day.entries.iter().any(|e| e.id == entry.id),
        "{that_day:?}"
    );
    let later = day
        .checked_add_days(chrono::Days::new(2))
        .expect("a later day")
        .to_string();
    let none = trail(&mut admin, &[("from", &later)]).await;
    assert!(none.entries.is_empty(), "{none:?}");

    // Filters that make no sense are named, field by field.
    for (field, value) in [
        ("person", "nobody@example.com"),
        ("subject", "order 12"),
        ("action", "sign_on"),
        ("from", "2026-13-01"),
    ] {
        let reply = admin
            .call("admin/audit", &[(&format!("query[{field}]"), value)])
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(
            refusal(&reply).field_message(field).is_some(),
            "{field}: {}",
            reply.body
        );
    }
    let reply = admin
        .call(
            "admin/audit",
            &[("query[from]", &last), ("query[to]", &first)],
        )
        .await;
    assert!(
        refusal(&reply).field_message("to").is_some(),
        "{}",
        reply.body
    );

    // Pages of 50, newest first, none twice, none left out.
    let ben = user(&app.db, "ben@olivine.test").await;
    let mut tx = app.db.begin().await.expect("tx");
    for _ in 0..(ENTRIES_PER_PAGE * 2 + 7) {
        app::audit::record(&mut tx, Entry::new(Some(ben), Action::SignOut))
            .await
            .expect("entry");
    }
    tx.commit().await.expect("commit");
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let mut filters = vec![("person", "ben@olivine.test")];
        if let Some(cursor) = &before {
            filters.push(("before", cursor));
        }
        let page = trail(&mut admin, &filters).await;
        assert!(page.entries.len() as i64 <= ENTRIES_PER_PAGE);
        seen.extend(page.entries.iter().map(|e| e.id));
        match page.older {
            Some(cursor) => before = Some(cursor.to_string()),
            None => break,
        }
    }
    assert_eq!(
        seen.len() as i64,
        ENTRIES_PER_PAGE * 2 + 7 + 1,
        "the sign-outs and ben's sign-in"
    );
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "newest first, each once"
    );

    // The CSV holds every entry the filters match, not just a page.
    let csv = admin
        .read("/admin/audit.csv?person=ben%40olivine.test")
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    assert!(
        csv.headers
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("attachment; filename=\"olivine-audit-")),
        "{:?}",
        csv.headers
    );
    let lines: Vec<&str> = csv.body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].starts_with("seq,entry,at,actor_id,actor,ip,action"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len() - 1, seen.len());
    let granted_csv = admin.read("/admin/audit.csv?action=role_granted").await;
    assert!(
        granted_csv.body.contains(",role_granted,Role granted,"),
        "{}",
        granted_csv.body
    );
    assert!(
        granted_csv.body.contains("role: freelancer"),
        "{}",
        granted_csv.body
    );
    let bad = admin.read("/admin/audit.csv?subject=nonsense").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Support admins only.
    assert_eq!(
        app.browser().read("/admin/audit.csv").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        ann.read("/admin/audit.csv").await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ann.call("admin/audit", &[]).await.status,
        StatusCode::FORBIDDEN
    );
}

/// A product edit reads as before → after.
#[sqlx::test(migrations = "../migrations")]
async fn an_edit_reads_as_before_and_after(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let admin = user(&app.db, "admin@olivine.test").await;
    let mut tx = app.db.begin().await.expect("tx");
    let changes = app::audit::model::Changes::new()
        .field("price_minor", &1250, &1100)
        .field("label", "50 ml", "50 ml");
    app::audit::record(
        &mut tx,
        Entry::new(Some(admin), Action::VariantUpdated)
            .subject(uuid::Uuid::now_v7())
            .detail(serde_json::json!({ "sku": "OLV-1", "changes": changes.into_value() })),
    )
    .await
    .expect("entry");
    tx.commit().await.expect("commit");
    let mut browser = signed_in(&app, "admin@olivine.test").await;
    let page = trail(&mut browser, &[("action", "variant_updated")]).await;
    let entry = &page.entries[0];
    assert_eq!(entry.changes.len(), 1);
    let change = &entry.changes[0];
    assert_eq!(
        (
            change.field.as_str(),
            change.before.as_str(),
            change.after.as_str()
        ),
        ("price minor", "1250", "1100")
    );
    assert_eq!(entry.details, vec![("sku".to_owned(), "OLV-1".to_owned())]);
    assert_eq!(entry.subject.as_ref().and_then(|s| s.label.clone()), None);
}

async fn sign_in_again(app: &App) {
    signed_in(app, "ann@olivine.test").await;
}

async fn chain_status(app: &App, store: &BlobStore) -> app::audit::model::ChainStatus {
    let mut conn = app.db.acquire().await.expect("connection");
    app::audit::trail::status(&mut conn, store)
        .await
        .expect("status")
}

#[sqlx::test(migrations = "../migrations")]
async fn checkpoints_are_written_once_and_show_a_rewritten_history(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let store = BlobStore::in_memory();
    let now = chrono::Utc::now();
    sign_in_again(&app).await;

    let first = checkpoint::write(&app.db, &store, now)
        .await
        .expect("checkpoint")
        .expect("written");
    let stored: Stored = serde_json::from_slice(
        &store
            .get(&checkpoint::key(first))
            .await
            .expect("store")
            .expect("the checkpoint file"),
    )
    .expect("JSON");
    assert_eq!(stored.chain_seq, first);
    assert_eq!(stored.head.len(), 64);
    // Nothing new, nothing written.
    assert_eq!(
        checkpoint::write(&app.db, &store, now).await.expect("pass"),
        None
    );

    sign_in_again(&app).await;
    let second = checkpoint::write(&app.db, &store, now)
        .await
        .expect("checkpoint")
        .expect("written");
    assert!(second > first);
    let status = chain_status(&app, &store).await;
    assert!(
        matches!(status.chain, ChainState::Intact { seq, .. } if seq == second),
        "{status:?}"
    );
    let latest = status.checkpoint.expect("a checkpoint");
    assert_eq!(
        (latest.seq, latest.state),
        (second, CheckpointState::Matches)
    );
    // Another store lacks the copy.
    let elsewhere = chain_status(&app, &BlobStore::in_memory()).await;
    assert_eq!(
        elsewhere.checkpoint.map(|c| c.state),
        Some(CheckpointState::Missing)
    );

    // A key is never overwritten: a different head already there stops the pass.
    sign_in_again(&app).await;
    let ChainState::Intact { seq: third, .. } = chain_status(&app, &store).await.chain else {
        panic!("intact");
    };
    let planted = br#"{"chain_seq":0,"head":"00","written_at":"2026-01-01T00:00:00Z"}"#.to_vec();
    assert!(
        store
            .put_new(&checkpoint::key(third), planted.clone())
            .await
            .expect("plant")
    );
    let refused = checkpoint::write(&app.db, &store, now).await;
    assert!(
        matches!(refused, Err(CheckpointError::Disagrees { seq, .. }) if seq == third),
        "{refused:?}"
    );
    assert_eq!(
        store.get(&checkpoint::key(third)).await.expect("store"),
        Some(planted)
    );

    // History rewritten with every hash recomputed: the chain checks out on its own, the
    // checkpoint does not.
    let mut conn = app.db.acquire().await.expect("connection");
    for statement in [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "UPDATE audit_log SET detail = detail || '{\"rewritten\": true}' WHERE chain_seq = 1",
        "DO $$
         DECLARE r audit_log%ROWTYPE; previous bytea := '\\x'::bytea;
         BEGIN
             FOR r IN SELECT * FROM audit_log ORDER BY chain_seq LOOP
                 r.prev_hash := previous;
                 r.row_hash := sha256(previous || convert_to(audit_row_text(r), 'UTF8'));
                 UPDATE audit_log SET prev_hash = r.prev_hash, row_hash = r.row_hash
                     WHERE audit_id = r.audit_id;
                 previous := r.row_hash;
             END LOOP;
         END $$",
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only",
    ] {
        sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .expect("superuser rewrite");
    }
    drop(conn);
    let status = chain_status(&app, &store).await;
    assert!(
        matches!(status.chain, ChainState::Intact { .. }),
        "{status:?}"
    );
    assert_eq!(
        status.checkpoint.map(|c| (c.seq, c.state)),
        Some((second, CheckpointState::Differs))
    );
    let refused = checkpoint::write(&app.db, &store, now).await;
    assert!(
        matches!(refused, Err(CheckpointError::Disagrees { seq, .. }) if seq == second),
        "{refused:?}"
    );
    // And the checkpoints' own table takes no edits.
    assert!(
        sqlx::query!("DELETE FROM audit_checkpoints")
            .execute(&app.db)
            .await
            .is_err()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_page_reports_a_broken_chain(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut admin = signed_in(&app, "admin@olivine.test").await;
    let status: app::audit::model::ChainStatus =
        parsed(&admin.call("admin/audit/chain", &[]).await);
    assert!(
        matches!(status.chain, ChainState::Intact { rows, .. } if rows >= 1),
        "{status:?}"
    );
    assert_eq!(status.checkpoint, None);
    let mut conn = app.db.acquire().await.expect("connection");
    for statement in [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
        "UPDATE audit_log SET ip = '192.0.2.1' WHERE chain_seq = 1",
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only",
    ] {
        sqlx::query(statement)
            .execute(&mut *conn)
            .await
            .expect("superuser edit");
    }
    drop(conn);
    let status: app::audit::model::ChainStatus =
        parsed(&admin.call("admin/audit/chain", &[]).await);
    assert!(
        matches!(status.chain, ChainState::Broken { seq: 1, .. }),
        "{status:?}"
    );
    // The job refuses to checkpoint a broken chain.
    let refused =
        checkpoint::write(&app.db, &app.state.audit_checkpoints, chrono::Utc::now()).await;
    assert!(
        matches!(refused, Err(CheckpointError::Broken { seq: 1, .. })),
        "{refused:?}"
    );
}
