//! Notifications in the real database: each Hire event reaches the people it concerns (the
//! freelancer, or every member of the organisation) and nobody else, in the transaction of the
//! change; a person reads and marks only their own.

mod common;

use app::error::AppError;
use app::hire::applications;
use app::hire::contracts::hours::{self, Decision};
use app::hire::contracts::service::cancel_contract;
use app::hire::messages::service::{self as messages, Party};
use app::hire::reference::model::Side;
use app::ids::{NotificationId, UserId};
use app::notifications::model::{NotificationKind as Kind, NotificationPage};
use app::notifications::service as notifications;
use chrono::Duration;
use common::user;
use server::seed::DEMO_PASSWORD;
use sqlx::PgPool;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, hire_day, hours};

/// What `who` has been told, oldest first, as they read it: (kind, title, body, link).
async fn told(db: &PgPool, who: UserId) -> Vec<(Kind, String, String, String)> {
    let mut conn = db.acquire().await.expect("connection");
    let mut told =
        app::notifications::repo::page(&mut conn, &test_support::test_vault(), who, 0, 1000)
            .await
            .expect("notifications");
    told.reverse();
    told.into_iter()
        .map(|n| (n.kind, n.title, n.body, n.link))
        .collect()
}

async fn kinds(db: &PgPool, who: UserId) -> Vec<Kind> {
    told(db, who).await.into_iter().map(|t| t.0).collect()
}

#[sqlx::test(migrations = "../migrations")]
async fn hire_events_reach_the_people_they_concern_and_nobody_else(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(state).await;
    let max = user(db, "max@olivine.test").await;
    let date = hire_day(3);
    let shift = c.open_shift(state, date, 2).await;

    // Fay applies: both of Harbour's managers hear of it, with a link to the shift's page.
    let application = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    for manager in [c.hana, max] {
        let heard = told(db, manager).await;
        assert_eq!(heard.len(), 1);
        let (kind, title, body, link) = &heard[0];
        assert_eq!(*kind, Kind::ApplicationReceived);
        assert_eq!(title, "New application from Fay Freelancer");
        assert!(body.starts_with("Fay Freelancer applied to Barista, Christmas market ("));
        assert_eq!(*link, format!("/hire/org/harbour-hotels/shifts/{shift}"));
    }

    // The offer reaches Fay; her acceptance reaches Harbour.
    applications::service::offer(state, c.harbour, c.hana, application)
        .await
        .expect("offer");
    let contract = applications::service::accept_offer(state, c.fay, application)
        .await
        .expect("accept");
    assert_eq!(kinds(db, c.fay).await, [Kind::OfferMade]);
    assert_eq!(
        kinds(db, max).await,
        [Kind::ApplicationReceived, Kind::OfferAccepted]
    );

    // Messages reach the other side only: not the writer, not the writer's colleagues.
    let harbour = Party::organisation(c.harbour);
    messages::send(state, harbour, c.hana, application, "Black shoes, please.")
        .await
        .expect("send");
    messages::send(
        state,
        Party::freelancer(c.fay),
        c.fay,
        application,
        "Will do.",
    )
    .await
    .expect("reply");
    let fay = told(db, c.fay).await;
    assert_eq!(fay[1].0, Kind::MessageReceived);
    assert_eq!(
        (fay[1].2.as_str(), fay[1].3.clone()),
        (
            "Black shoes, please.",
            format!("/hire/messages/{application}")
        )
    );
    let hana = told(db, c.hana).await;
    assert_eq!(hana.last().map(|t| t.0), Some(Kind::MessageReceived));
    assert_eq!(
        hana.last().map(|t| t.3.clone()),
        Some(format!("/hire/org/harbour-hotels/messages/{application}"))
    );
    assert_eq!(kinds(db, max).await.len(), 3, "max hears Fay's reply too");

    // Hours: submitted to Harbour, answered to Fay with what she earns.
    state.clock.set_offset(Duration::days(4));
    hours::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:30", "30"))
        .await
        .expect("submit");
    assert_eq!(kinds(db, c.hana).await.last(), Some(&Kind::HoursSubmitted));
    hours::answer_hours(state, c.harbour, c.hana, contract, Decision::Approve)
        .await
        .expect("approve");
    let (kind, _, body, link) = told(db, c.fay).await.pop().expect("told");
    assert_eq!(kind, Kind::HoursApproved);
    assert!(body.ends_with("are approved: €128.00."), "{body}");
    assert_eq!(link, "/hire/work/shifts");

    // A late cancellation tells Finn what he is owed.
    state.clock.set_offset(Duration::zero());
    let tomorrow = c.open_shift(state, hire_day(1), 1).await;
    let booked = c.hire(state, c.finn, tomorrow).await;
    let starts = sqlx::query_scalar!(
        "SELECT starts_at FROM postings WHERE posting_id = $1",
        tomorrow.0
    )
    .fetch_one(db)
    .await
    .expect("start");
    state
        .clock
        .set_offset(starts - Duration::hours(12) - chrono::Utc::now());
    cancel_contract(
        state,
        Side::Organisation,
        c.harbour.0,
        c.hana,
        booked,
        "Fewer guests.",
    )
    .await
    .expect("cancel");
    let (kind, title, body, _) = told(db, c.finn).await.pop().expect("told");
    assert_eq!(kind, Kind::BookingCancelled);
    assert_eq!(title, "Harbour Hotels cancelled your shift");
    assert!(
        body.contains("“Fewer guests.”") && body.contains("you are owed €64.00"),
        "{body}"
    );

    // Meadow, which has nothing to do with any of it, heard nothing.
    for outsider in [c.mia, user(db, "leo@olivine.test").await] {
        assert!(told(db, outsider).await.is_empty());
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn a_person_reads_and_marks_only_their_own(_: PgPoolOptions, options: PgConnectOptions) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(state).await;
    let shift = c.open_shift(state, hire_day(5), 2).await;
    for who in [c.fay, c.finn] {
        applications::service::apply(state, who, shift, "", "")
            .await
            .expect("apply");
    }
    let first = notifications::page(db, &state.vault, c.hana, 1)
        .await
        .expect("page");
    assert_eq!((first.total, first.unread), (2, 2));
    assert_eq!(
        first.notifications[0].title,
        "New application from Finn Freelancer"
    );
    let newest = first.notifications[0].id;
    // What is stored names nobody: the freelancer is a mention, named as it is read.
    let stored = sqlx::query_scalar!(
        r#"SELECT string_agg(to_jsonb(n)::text, ' ') AS "rows!" FROM notifications n"#
    )
    .fetch_one(db)
    .await
    .expect("stored");
    assert!(stored.contains("New application from"), "{stored}");
    assert!(!stored.contains("Freelancer"), "{stored}");

    // Somebody else's notification is not found, and stays unread.
    let now = state.clock.now();
    let theirs = notifications::mark_read(db, c.fay, newest, now).await;
    assert!(matches!(
        theirs,
        Err(app::error::ServiceError::Refused(AppError::NotFound))
    ));
    notifications::mark_read(db, c.hana, newest, now)
        .await
        .expect("read");
    notifications::mark_read(db, c.hana, newest, now)
        .await
        .expect("reading twice is fine");
    assert_eq!(
        notifications::unread(db, c.hana)
            .await
            .expect("unread")
            .count,
        1
    );
    assert_eq!(
        notifications::mark_all_read(db, c.hana, now)
            .await
            .expect("all"),
        1
    );
    let after = notifications::page(db, &state.vault, c.hana, 1)
        .await
        .expect("page");
    assert_eq!(after.unread, 0);
    assert!(after.notifications.iter().all(|n| n.read));

    // Over HTTP: a visitor has no count and no list; Hana sees hers, and can't mark Max's.
    let mut visitor = app.browser();
    let none = visitor.call("accounts/notifications-unread", &[]).await;
    assert_eq!(none.body, "null");
    let list = visitor
        .call("accounts/notifications", &[("page", "1")])
        .await;
    assert_eq!(list.status, axum::http::StatusCode::UNAUTHORIZED);
    let mut hana = app.browser();
    assert!(common::ok(
        &hana.sign_in("hana@olivine.test", DEMO_PASSWORD).await
    ));
    let page: NotificationPage = serde_json::from_str(
        &hana
            .call("accounts/notifications", &[("page", "1")])
            .await
            .body,
    )
    .expect("JSON");
    assert_eq!(page.total, 2);
    let max = user(db, "max@olivine.test").await;
    let maxs = notifications::page(db, &state.vault, max, 1)
        .await
        .expect("page");
    let id: NotificationId = maxs.notifications[0].id;
    let reply = hana
        .call("accounts/notification-read", &[("id", &id.to_string())])
        .await;
    assert_eq!(reply.status, axum::http::StatusCode::NOT_FOUND);
    assert_eq!(
        notifications::unread(db, max).await.expect("unread").count,
        2
    );

    // Once Finn's key is gone, every copy of what named him names "a former member".
    let mut conn = db.acquire().await.expect("connection");
    assert!(
        app::vault::Vault::forget(&mut conn, c.finn)
            .await
            .expect("forgotten")
    );
    let titles: Vec<String> = notifications::page(db, &state.vault, c.hana, 1)
        .await
        .expect("page")
        .notifications
        .into_iter()
        .map(|n| n.title)
        .collect();
    assert_eq!(
        titles,
        [
            "New application from a former member",
            "New application from Fay Freelancer"
        ]
    );
}
