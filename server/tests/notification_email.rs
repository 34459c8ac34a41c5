//! Email about notifications in the real database: each person's setting per kind (at once,
//! the morning digest, off) decides what is queued, nothing is queued twice, receipts are not
//! mailed again, and an email's unsubscribe link turns off what it is about — from the page,
//! and with one click as mail providers post it (RFC 8058).

mod common;

use app::error::AppError;
use app::error::ServiceError;
use app::ids::UserId;
use app::notifications::model::{EmailCadence, EmailPreference, Notice, NotificationKind as Kind};
use app::notifications::repo::notify;
use app::notifications::service as notifications;
use app::notifications::{email, mailing};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{Duration, Utc};
use common::user;
use server::seed::DEMO_PASSWORD;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

const SITE: &str = "https://olivine.example";

fn notice(kind: Kind, title: &str) -> Notice {
    Notice {
        mentions: Vec::new(),
        kind,
        title: title.to_owned(),
        body: format!("What happened: {title}."),
        link: "/hire/work/applications".to_owned(),
    }
}

async fn tell(db: &PgPool, who: UserId, kind: Kind, title: &str) {
    let mut conn = db.acquire().await.expect("connection");
    notify(&mut conn, &[who], &notice(kind, title))
        .await
        .expect("notify");
}

async fn set(db: &PgPool, who: UserId, choices: &[(Kind, EmailCadence)]) {
    let choices: Vec<EmailPreference> = choices
        .iter()
        .map(|&(kind, email)| EmailPreference { kind, email })
        .collect();
    notifications::set_email_preferences(db, who, &choices)
        .await
        .expect("preferences");
}

/// Work through the mail due at once, as the notification-mail job does.
async fn mail_due(db: &PgPool) -> usize {
    let due = mailing::due(db, 100, &[]).await.expect("due");
    for id in &due {
        mailing::mail_one(db, &test_support::test_vault(), SITE, *id)
            .await
            .expect("mail");
    }
    due.len()
}

/// (subject, body, unsubscribe address) of every message queued for `to`, oldest first,
/// opened as the relay opens them.
async fn queued(db: &PgPool, to: &str) -> Vec<(String, String, Option<String>)> {
    let vault = test_support::test_vault();
    let mut conn = db.acquire().await.expect("connection");
    let mut queued = Vec::new();
    let mut after = app::ids::EmailId(uuid::Uuid::nil());
    loop {
        let batch = email::kept(&mut conn, &vault, after, 100)
            .await
            .expect("outbox");
        let Some(last) = batch.last() else {
            return queued;
        };
        after = last.id;
        queued.extend(
            batch
                .into_iter()
                .filter(|kept| kept.email.to == to)
                .map(|kept| {
                    (
                        kept.email.subject,
                        kept.email.body_text,
                        kept.email.unsubscribe_url,
                    )
                }),
        );
    }
}

/// The app over a fresh database, and Fay (a freelancer) in it.
async fn fay(options: PgConnectOptions) -> (common::App, UserId) {
    let app = common::app(common::own_pool(options).await).await;
    let fay = user(&app.db, "fay@olivine.test").await;
    (app, fay)
}

/// `who`'s email setting for `kind`.
async fn setting(db: &PgPool, who: UserId, kind: Kind) -> EmailCadence {
    notifications::email_preferences(db, who)
        .await
        .expect("settings")
        .into_iter()
        .find(|p| p.kind == kind)
        .expect("a setting for the kind")
        .email
}

fn token(url: &str) -> String {
    url.split_once("token=").expect("a token").1.to_owned()
}

#[sqlx::test(migrations = "../migrations")]
async fn a_notification_is_mailed_once_at_once_with_its_own_unsubscribe_link(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, fay) = fay(options).await;
    let db = &app.db;
    tell(db, fay, Kind::OfferMade, "Offer: Barista").await;

    assert_eq!(mail_due(db).await, 1);
    let mail = queued(db, "fay@olivine.test").await;
    assert_eq!(mail.len(), 1);
    let (subject, body, unsubscribe) = &mail[0];
    assert_eq!(subject, "Offer: Barista");
    assert!(body.contains("What happened: Offer: Barista."), "{body}");
    assert!(
        body.contains("https://olivine.example/hire/work/applications"),
        "{body}"
    );
    let unsubscribe = unsubscribe.as_deref().expect("a List-Unsubscribe address");
    assert!(unsubscribe.starts_with("https://olivine.example/email/unsubscribe?token="));
    assert!(
        body.contains(&format!("Stop emails about “Offer”: {unsubscribe}")),
        "{body}"
    );

    // Settled: neither the job nor a retried item mails it again.
    assert_eq!(mail_due(db).await, 0);
    let id = sqlx::query_scalar!(
        r#"SELECT notification_id AS "id: app::ids::NotificationId" FROM notifications WHERE user_id = $1"#,
        fay.0
    )
    .fetch_one(db)
    .await
    .expect("notification");
    mailing::mail_one(db, &test_support::test_vault(), SITE, id)
        .await
        .expect("again");
    assert_eq!(queued(db, "fay@olivine.test").await.len(), 1);

    // An order's notification is never mailed: its receipt is the email.
    let ann = user(db, "ann@olivine.test").await;
    tell(db, ann, Kind::OrderPaid, "Order paid").await;
    assert_eq!(mail_due(db).await, 0);
    assert!(queued(db, "ann@olivine.test").await.is_empty());
}

#[sqlx::test(migrations = "../migrations")]
async fn kinds_turned_off_are_never_mailed_and_daily_ones_go_out_together_each_morning(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, fay) = fay(options).await;
    let db = &app.db;
    set(
        db,
        fay,
        &[
            (Kind::OfferMade, EmailCadence::Off),
            (Kind::MessageReceived, EmailCadence::Daily),
            (Kind::HoursApproved, EmailCadence::Daily),
        ],
    )
    .await;
    tell(db, fay, Kind::OfferMade, "Offer: Barista").await;
    tell(db, fay, Kind::MessageReceived, "Message from Hana").await;
    tell(db, fay, Kind::HoursApproved, "Hours approved").await;
    tell(db, fay, Kind::BookingCancelled, "Booking cancelled").await;

    // At once: only the cancellation; the offer is settled unsent; the daily two wait.
    assert_eq!(mail_due(db).await, 2);
    let mail = queued(db, "fay@olivine.test").await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].0, "Booking cancelled");
    assert_eq!(mail_due(db).await, 0);

    // Not before the next 08:00: they were written after this morning's.
    let now = Utc::now();
    assert!(
        mailing::digests_due(db, now, 10, &[])
            .await
            .expect("due")
            .is_empty()
    );
    // By the next morning (25 h covers a daylight-saving change) their digest is due, once.
    let tomorrow = now + Duration::hours(25);
    assert_eq!(
        mailing::digests_due(db, tomorrow, 10, &[])
            .await
            .expect("due"),
        [fay]
    );
    assert!(
        mailing::send_digest(db, &test_support::test_vault(), SITE, fay, tomorrow)
            .await
            .expect("digest")
    );
    assert!(
        !mailing::send_digest(db, &test_support::test_vault(), SITE, fay, tomorrow)
            .await
            .expect("again")
    );
    assert!(
        mailing::digests_due(db, tomorrow, 10, &[])
            .await
            .expect("due")
            .is_empty()
    );

    let mail = queued(db, "fay@olivine.test").await;
    assert_eq!(mail.len(), 2);
    let (subject, body, unsubscribe) = &mail[1];
    assert_eq!(subject, "Your Olivine digest: 2 updates");
    let message = body.find("• Message from Hana").expect("the message");
    let hours = body.find("• Hours approved").expect("the hours");
    assert!(message < hours, "oldest first: {body}");
    assert!(!body.contains("Offer"), "{body}");
    let unsubscribe = unsubscribe.as_deref().expect("unsubscribe");
    assert!(body.contains(&format!("Stop the daily digest: {unsubscribe}")));

    // The digest's link stops every kind on it, and leaves the others alone.
    let stopped = notifications::unsubscribe(db, &token(unsubscribe), Utc::now())
        .await
        .expect("unsubscribe");
    assert_eq!(stopped.kind, None);
    assert_eq!(stopped.what(), "the daily digest");
    assert_eq!(
        setting(db, fay, Kind::MessageReceived).await,
        EmailCadence::Off
    );
    assert_eq!(
        setting(db, fay, Kind::HoursApproved).await,
        EmailCadence::Off
    );
    assert_eq!(
        setting(db, fay, Kind::BookingCancelled).await,
        EmailCadence::Immediately
    );
    let settings = notifications::email_preferences(db, fay)
        .await
        .expect("settings");
    assert!(
        settings.iter().all(|p| !p.kind.has_own_email()),
        "receipts have no setting"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn an_unsubscribe_link_turns_off_its_kind_and_a_bad_link_is_refused(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, fay) = fay(options).await;
    let db = &app.db;
    tell(db, fay, Kind::OfferMade, "Offer: Barista").await;
    mail_due(db).await;
    let url = queued(db, "fay@olivine.test").await[0]
        .2
        .clone()
        .expect("url");
    let token = token(&url);

    // Opening the link changes nothing; the page asks first.
    let link = notifications::unsubscribe_link(db, &token)
        .await
        .expect("link");
    assert_eq!((link.kind, link.used), (Some(Kind::OfferMade), false));
    assert_eq!(link.what(), "emails about “Offer”");

    let done = notifications::unsubscribe(db, &token, Utc::now())
        .await
        .expect("unsubscribe");
    assert!(!done.used);
    tell(db, fay, Kind::OfferMade, "Offer: Cook").await;
    mail_due(db).await;
    assert_eq!(
        queued(db, "fay@olivine.test").await.len(),
        1,
        "no second offer mail"
    );

    // Fay chooses offers by email again; the used link doesn't turn them off a second time.
    set(db, fay, &[(Kind::OfferMade, EmailCadence::Immediately)]).await;
    let again = notifications::unsubscribe(db, &token, Utc::now())
        .await
        .expect("again");
    assert!(again.used);
    assert_eq!(
        setting(db, fay, Kind::OfferMade).await,
        EmailCadence::Immediately
    );

    for bad in ["", "not-a-token", &token[..20]] {
        let refused = notifications::unsubscribe(db, bad, Utc::now()).await;
        assert!(
            matches!(
                refused,
                Err(ServiceError::Refused(AppError::Unprocessable { .. }))
            ),
            "{bad:?}: {refused:?}"
        );
    }
    // Receipts can't be turned off.
    let receipts = EmailPreference {
        kind: Kind::OrderPaid,
        email: EmailCadence::Off,
    };
    let refused = notifications::set_email_preferences(db, fay, &[receipts]).await;
    assert!(
        matches!(refused, Err(ServiceError::Refused(_))),
        "{refused:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn mail_providers_unsubscribe_with_one_click_and_people_through_the_page(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, fay) = fay(options).await;
    let db = &app.db;
    tell(db, fay, Kind::OfferMade, "Offer: Barista").await;
    tell(db, fay, Kind::MessageReceived, "Message from Hana").await;
    mail_due(db).await;
    let mail = queued(db, "fay@olivine.test").await;
    let offers = token(mail[0].2.as_deref().expect("url"));
    let messages = token(mail[1].2.as_deref().expect("url"));
    let path = |token: &str| format!("/email/unsubscribe?token={token}");

    // The link opened in a browser asks first and changes nothing.
    let (status, page) = {
        let reply = app
            .browser()
            .send(
                Request::get(path(&offers))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
        (reply.status, reply.body)
    };
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Stop emails about “Offer”?"), "{page}");

    // A mail provider's one-click POST: no cookie, no browser headers (and a foreign origin
    // changes nothing: the token is the authority).
    let one_click = |token: &str, body: &'static str| {
        Request::post(path(token))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, "https://mail.example")
            .body(Body::from(body))
            .expect("request")
    };
    let reply = app
        .browser()
        .send(one_click(&offers, "List-Unsubscribe=One-Click"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let reply = app
        .browser()
        .send(one_click(&messages, "List-Unsubscribe=Other"))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let reply = app
        .browser()
        .send(one_click("forged", "List-Unsubscribe=One-Click"))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);

    // The person clicks "Unsubscribe" on the page for messages.
    let reply = app
        .browser()
        .call("email/unsubscribe", &[("token", &messages)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    for kind in [Kind::OfferMade, Kind::MessageReceived] {
        assert_eq!(setting(db, fay, kind).await, EmailCadence::Off, "{kind:?}");
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn the_settings_form_saves_each_kind_and_refuses_what_it_does_not_know(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let (app, fay) = fay(options).await;
    let db = &app.db;
    let mut browser = app.browser();
    assert!(common::ok(
        &browser.sign_in("fay@olivine.test", DEMO_PASSWORD).await
    ));
    let save = "accounts/email-preferences-save";

    let reply = browser
        .call(
            save,
            &[
                ("email[offer_made]", "daily"),
                ("email[message_received]", "off"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(setting(db, fay, Kind::OfferMade).await, EmailCadence::Daily);
    assert_eq!(
        setting(db, fay, Kind::MessageReceived).await,
        EmailCadence::Off
    );
    assert_eq!(
        setting(db, fay, Kind::HoursApproved).await,
        EmailCadence::Immediately
    );

    for bad in [
        [("email[offer_made]", "weekly")],
        [("email[no_such_kind]", "off")],
        [("email[order_paid]", "off")],
    ] {
        let reply = browser.call(save, &bad).await;
        let refused = common::unprocessable(&reply);
        assert!(!refused.to_string().is_empty(), "{bad:?}");
    }
    assert_eq!(
        setting(db, fay, Kind::OfferMade).await,
        EmailCadence::Daily,
        "a refused form changes nothing"
    );

    // Signed out: no settings to read or save.
    let reply = app
        .browser()
        .call(save, &[("email[offer_made]", "off")])
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{}", reply.body);
}
