//! Hire in the real database. Certificates: uploads, review, validity on the day, and who may read a document.

mod common;

use app::error::AppError;
use app::hire::certificates::documents;
use app::hire::certificates::model::MAX_CERTIFICATE_BYTES;
use app::hire::certificates::service as certificates;
use app::hire::refusal::Refusal;
use app::hire::{applications, postings};
use app::ids::CertificateId;
use axum::http::StatusCode;
use chrono::NaiveDate;
use common::user;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, ShiftBuilder, certificate_state, hire_day};
use test_support::refusal;

const PDF: &[u8] = b"%PDF-1.4 a scanned certificate";

fn upload(type_id: &str, expires_on: &str, bytes: &[u8]) -> certificates::Upload {
    certificates::Upload {
        type_id: type_id.into(),
        expires_on: expires_on.into(),
        file_name: "C:\\scans\\haccp.pdf".into(),
        bytes: bytes.to_vec(),
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn only_verified_unexpired_certificates_open_shifts_that_require_them(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    let admin = user(db, "admin@olivine.test").await;
    let iso = |d: NaiveDate| d.format("%Y-%m-%d").to_string();

    // A shift on day 10 requires food hygiene; unknown certificates are refused.
    let shift = ShiftBuilder::on(hire_day(10)).seats(2);
    let unknown = shift.certificate("made-up").input();
    let unknown = postings::service::create_shift(state, c.harbour, c.hana, &unknown).await;
    assert!(
        refusal(unknown)
            .field_message("shift[certificates]")
            .is_some()
    );
    let shift = ShiftBuilder::on(hire_day(10))
        .seats(2)
        .certificate("food-hygiene")
        .open(state, c.harbour, c.hana)
        .await;
    let food_hygiene = || Refusal::MissingCertificates(vec!["Food hygiene (HACCP)".into()]);
    let without = refusal(applications::service::apply(state, c.fay, shift, "", "").await);
    assert_eq!(without, food_hygiene().into());
    // Find-work cards say so before anyone opens the shift.
    let mut conn = db.acquire().await.expect("connection");
    let filter = app::hire::postings::model::WorkFilter::from_query("", "", "", "", 1);
    let (found, _) =
        postings::repo::open_shifts(&mut conn, Some(c.fay), &filter, state.clock.now(), 20)
            .await
            .expect("work");
    let card = found.iter().find(|s| s.id == shift).expect("listed");
    assert!(card.needs_certificates);
    drop(conn);

    // Uploads are checked: the type, the document's real format, the expiry date.
    let bad = |u| async move { refusal(certificates::submit(state, c.fay, u).await) };
    assert!(
        bad(upload("made-up", "", PDF))
            .await
            .field_message("certificate_type")
            .is_some()
    );
    assert!(
        bad(upload(
            "food-hygiene",
            &iso(hire_day(400)),
            b"MZ\x90\x00 not a pdf"
        ))
        .await
        .field_message("file")
        .is_some()
    );
    assert!(
        bad(upload("food-hygiene", &iso(hire_day(400)), b""))
            .await
            .field_message("file")
            .is_some()
    );
    assert!(
        bad(upload("food-hygiene", "", PDF))
            .await
            .field_message("expires_on")
            .is_some()
    );
    assert!(
        bad(upload("food-hygiene", &iso(hire_day(-1)), PDF))
            .await
            .field_message("expires_on")
            .is_some()
    );
    let first = certificates::submit(
        state,
        c.fay,
        upload("food-hygiene", &iso(hire_day(400)), PDF),
    )
    .await
    .expect("upload");
    let twice = bad(upload("food-hygiene", &iso(hire_day(400)), PDF)).await;
    assert_eq!(twice, Refusal::CertificateAlreadyWaiting.into());

    // Only Fay and support admins open the document; the queue holds it.
    let open = |viewer, admin| async move {
        let actor = app::audit::Actor {
            user: viewer,
            ip: None,
        };
        documents::open(state, first, actor, admin)
            .await
            .expect("open")
    };
    let doc = open(c.fay, false).await.expect("own");
    assert_eq!(
        (doc.content_type.as_str(), doc.file_name.as_str()),
        ("application/pdf", "haccp.pdf")
    );
    assert_eq!(doc.bytes, PDF);
    assert!(open(c.finn, false).await.is_none());
    assert!(open(admin, true).await.is_some());
    let mut conn = db.acquire().await.expect("connection");
    let (queue, waiting) = certificates::queue(&mut conn, &state.vault)
        .await
        .expect("queue");
    assert_eq!((waiting, queue[0].certificate.id), (1, first));
    drop(conn);

    // Rejected with a reason (none is refused); still no application.
    let (d5, d300, d400) = (iso(hire_day(5)), iso(hire_day(300)), iso(hire_day(400)));
    let acting = app::audit::Actor {
        user: admin,
        ip: None,
    };
    let review = |id, decision| certificates::review(state, acting, id, decision);
    let blank = review(first, certificates::Review::Reject { reason: " " }).await;
    assert!(refusal(blank).field_message("reason").is_some());
    review(
        first,
        certificates::Review::Reject {
            reason: "The scan is unreadable.",
        },
    )
    .await
    .expect("reject");
    assert_eq!(certificate_state(db, first).await.0, "rejected");
    let again = review(first, certificates::Review::Verify { expires_on: &d400 }).await;
    assert_eq!(refusal(again), Refusal::AlreadyReviewed.into());
    let audited = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log WHERE action = 'certificate_rejected' AND subject_id = $1"#,
        c.fay.0
    )
    .fetch_one(db)
    .await
    .expect("audit");
    assert_eq!(audited, 1);

    // Verified, but it runs out before the shift: still refused.
    let short = certificates::submit(state, c.fay, upload("food-hygiene", &iso(hire_day(5)), PDF))
        .await
        .expect("upload");
    review(short, certificates::Review::Verify { expires_on: &d5 })
        .await
        .expect("verify");
    assert_eq!(
        refusal(applications::service::apply(state, c.fay, shift, "", "").await),
        food_hygiene().into()
    );

    // One valid past the shift, with the date the admin read off the document: Fay may apply.
    let long = certificates::submit(
        state,
        c.fay,
        upload("food-hygiene", &iso(hire_day(400)), PDF),
    )
    .await
    .expect("upload");
    review(long, certificates::Review::Verify { expires_on: &d300 })
        .await
        .expect("verify");
    assert_eq!(
        certificate_state(db, long).await,
        ("verified".into(), Some(hire_day(300)))
    );
    applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");

    // A certificate that never expires needs no date.
    let diploma = certificates::submit(state, c.fay, upload("social-hygiene", "", PDF))
        .await
        .expect("upload");
    assert_eq!(
        certificate_state(db, diploma).await,
        ("pending".into(), None)
    );

    // Fay sees all four; only verified, unexpired ones count: two today, one after day 5.
    let mut conn = db.acquire().await.expect("connection");
    let mine = certificates::of(&mut conn, c.fay).await.expect("mine");
    assert_eq!(mine.len(), 4);
    let valid: Vec<_> = mine
        .iter()
        .filter(|x| x.valid_on(hire_day(0)))
        .map(|x| x.id)
        .collect();
    assert_eq!(
        valid,
        [long, short],
        "newest first; rejected and pending don't count"
    );
    let later: Vec<_> = mine
        .iter()
        .filter(|x| x.valid_on(hire_day(6)))
        .map(|x| x.id)
        .collect();
    assert_eq!(later, [long]);
}

#[sqlx::test(migrations = "../migrations")]
async fn certificate_documents_come_back_only_to_their_owner_and_support_admins(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    Cast::of(&app.state).await;
    let expires = hire_day(400).format("%Y-%m-%d").to_string();
    let fields = [
        ("certificate_type", "first-aid"),
        ("expires_on", expires.as_str()),
    ];
    let file = ("ehbo.pdf", "application/pdf", PDF);

    let mut anonymous = app.browser();
    let reply = anonymous.upload("/hire/certificates", &fields, file).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let mut ann = app.browser();
    assert!(common::ok(
        &ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await
    ));
    let reply = ann.upload("/hire/certificates", &fields, file).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "not a freelancer");

    let mut fay = app.browser();
    assert!(common::ok(
        &fay.sign_in("fay@olivine.test", DEMO_PASSWORD).await
    ));
    let huge = vec![b'%'; MAX_CERTIFICATE_BYTES + 1];
    let reply = fay
        .upload(
            "/hire/certificates",
            &fields,
            ("big.pdf", "application/pdf", &huge),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let refused: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
    assert_eq!(
        serde_json::from_value::<AppError>(refused["error"].clone()).expect("an error"),
        certificates::too_large()
    );
    let reply = fay.upload("/hire/certificates", &fields, file).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let answer: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON");
    let id = answer["certificate"].as_str().expect("id").to_owned();
    assert_eq!(
        certificate_state(&app.db, CertificateId(id.parse().expect("uuid"))).await,
        ("pending".into(), Some(hire_day(400)))
    );

    let path = format!("/hire/certificates/{id}/document");
    let (status, headers) = fay.fetch(&path).await;
    assert_eq!(status, StatusCode::OK);
    let header = |name| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(header("content-type"), "application/pdf");
    assert!(header("content-security-policy").starts_with("sandbox"));
    assert!(header("cache-control").contains("no-store"));
    assert_eq!(
        header("content-disposition"),
        "inline; filename=\"ehbo.pdf\""
    );

    let mut finn = app.browser();
    assert!(common::ok(
        &finn.sign_in("finn@olivine.test", DEMO_PASSWORD).await
    ));
    assert_eq!(finn.fetch(&path).await.0, StatusCode::NOT_FOUND);
    assert_eq!(anonymous.fetch(&path).await.0, StatusCode::UNAUTHORIZED);
    let mut admin = app.browser();
    assert!(common::ok(
        &admin.sign_in("admin@olivine.test", DEMO_PASSWORD).await
    ));
    assert_eq!(admin.fetch(&path).await.0, StatusCode::OK);
    assert_eq!(header("x-robots-tag"), "noindex, nofollow, noarchive");

    // Sealed in the restricted store, not in the database; every opening audited, refusals not.
    let id = CertificateId(id.parse().expect("uuid"));
    let row = sqlx::query!(
        "SELECT document IS NULL AS \"gone!\", store_key FROM freelancer_certificates
         WHERE certificate_id = $1",
        id.0
    )
    .fetch_one(&app.db)
    .await
    .expect("row");
    assert!(row.gone, "no copy in the database");
    let key = row.store_key.expect("a store key");
    let sealed = app
        .state
        .restricted
        .get(&key)
        .await
        .expect("store")
        .expect("stored");
    assert!(
        !sealed.windows(PDF.len()).any(|w| w == PDF),
        "not in the clear"
    );
    assert!(
        app.state
            .media
            .store
            .get(&key)
            .await
            .expect("media")
            .is_none(),
        "not with media"
    );
    let views = sqlx::query!(
        r#"SELECT a.actor_id AS "actor!", a.detail->>'freelancer' AS freelancer
           FROM audit_log a
           WHERE a.action = 'certificate_document_viewed' AND a.subject_id = $1
           ORDER BY a.audit_id"#,
        id.0
    )
    .fetch_all(&app.db)
    .await
    .expect("audit");
    let fay = user(&app.db, "fay@olivine.test").await;
    let admin = user(&app.db, "admin@olivine.test").await;
    let fay_id = fay.to_string();
    let views: Vec<(uuid::Uuid, Option<&str>)> = views
        .iter()
        .map(|v| (v.actor, v.freelancer.as_deref()))
        .collect();
    assert_eq!(
        views,
        vec![
            (fay.0, Some(fay_id.as_str())),
            (admin.0, Some(fay_id.as_str()))
        ]
    );
}

/// Documents uploaded before the restricted store move there; a document goes some months after
/// its certificate expired (the record stays); and a person whose key is deleted can't have
/// their documents read by anyone.
#[sqlx::test(migrations = "../migrations")]
async fn documents_move_to_the_store_expire_and_die_with_their_key(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = Cast::of(state).await;
    let fay = app::audit::Actor {
        user: c.fay,
        ip: None,
    };
    let old = CertificateId(uuid::Uuid::now_v7());
    sqlx::query!(
        "INSERT INTO freelancer_certificates (certificate_id, user_id, certificate_type_id,
             file_name, content_type, document, expires_on)
         VALUES ($1, $2, 'food-hygiene', 'old.pdf', 'application/pdf', $3, $4)",
        old.0,
        c.fay.0,
        PDF,
        hire_day(30)
    )
    .execute(&app.db)
    .await
    .expect("a certificate from before");
    // Readable where it is, then moved.
    assert!(
        documents::open(state, old, fay, false)
            .await
            .expect("open")
            .is_some()
    );
    let due = documents::in_database(state, 10, &[]).await.expect("due");
    assert_eq!(due, vec![old]);
    documents::move_to_store(state, old).await.expect("move");
    documents::move_to_store(state, old)
        .await
        .expect("again: nothing to do");
    assert!(
        documents::in_database(state, 10, &[])
            .await
            .expect("due")
            .is_empty()
    );
    let doc = documents::open(state, old, fay, false)
        .await
        .expect("open")
        .expect("moved");
    assert_eq!(doc.bytes, PDF);

    // Kept six months after expiry, not a day longer.
    let months = state.config.certificate_retention_months;
    assert_eq!(months, 6);
    let expired = hire_day(30);
    let kept_until = expired + chrono::Months::new(6);
    let due = |day| async move {
        documents::past_retention(state, day, months, 10, &[])
            .await
            .expect("due")
    };
    assert!(due(kept_until).await.is_empty());
    assert_eq!(due(kept_until + chrono::Days::new(1)).await, vec![old]);
    let key = sqlx::query_scalar!(
        "SELECT store_key FROM freelancer_certificates WHERE certificate_id = $1",
        old.0
    )
    .fetch_one(&app.db)
    .await
    .expect("key")
    .expect("stored");
    documents::delete(state, old, "kept 6 months after it expired")
        .await
        .expect("delete");
    documents::delete(state, old, "kept 6 months after it expired")
        .await
        .expect("again");
    assert!(state.restricted.get(&key).await.expect("store").is_none());
    assert!(
        documents::open(state, old, fay, false)
            .await
            .expect("open")
            .is_none()
    );
    let mine = certificates::mine(state, c.fay).await.expect("mine");
    let listed = mine
        .certificates
        .iter()
        .find(|x| x.id == old)
        .expect("record kept");
    assert!(listed.document_deleted_on.is_some());
    let deletions = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log
           WHERE action = 'certificate_document_deleted' AND subject_id = $1 AND actor_id IS NULL"#,
        old.0
    )
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(deletions, 1);

    // Crypto-shredding: without Fay's key her stored documents are unreadable, to anyone.
    let recent = certificates::submit(
        state,
        c.fay,
        upload(
            "first-aid",
            &hire_day(400).format("%Y-%m-%d").to_string(),
            PDF,
        ),
    )
    .await
    .expect("upload");
    assert!(
        documents::open(state, recent, fay, false)
            .await
            .expect("open")
            .is_some()
    );
    let mut conn = app.db.acquire().await.expect("connection");
    assert!(
        app::vault::Vault::forget(&mut conn, c.fay)
            .await
            .expect("forget")
    );
    drop(conn);
    let admin = app::audit::Actor {
        user: user(&app.db, "admin@olivine.test").await,
        ip: None,
    };
    assert!(
        documents::open(state, recent, admin, true)
            .await
            .expect("open")
            .is_none()
    );
    assert!(
        documents::open(state, recent, fay, false)
            .await
            .expect("open")
            .is_none()
    );
}
