//! The freelancer app's offline outbox, as the server sees it: hours and messages sent with an
//! idempotency key are applied once however often (and however concurrently) they arrive, a
//! retry is answered as the first was, the same key with other content is refused, and a
//! refused request claims nothing.

mod common;

use app::hire::applications;
use app::notifications::model::NotificationKind as Kind;
use axum::http::StatusCode;
use chrono::Duration;
use common::Reply;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, hire_day};

/// The form a browser posts for a shift's hours.
fn hours_form<'a>(contract: &'a str, date: &'a str, ends: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("contract", contract),
        ("hours[date]", date),
        ("hours[starts]", "09:00"),
        ("hours[ends]", ends),
        ("hours[break_minutes]", "30"),
    ]
}

fn keyed<'a>(form: &[(&'a str, &'a str)], key: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut form = form.to_vec();
    form.push(("key", key));
    form
}

fn refused_with(reply: &Reply, words: &str) {
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains(words), "{}", reply.body);
}

#[sqlx::test(migrations = "../migrations")]
async fn hours_and_messages_sent_with_a_key_are_applied_once(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(state).await;
    let date = hire_day(2);
    let shift = c.open_shift(state, date, 1).await;
    let application = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    applications::service::offer(state, c.harbour, c.hana, application)
        .await
        .expect("offer");
    let contract = applications::service::accept_offer(state, c.fay, application)
        .await
        .expect("accept");
    state.clock.set_offset(Duration::days(3));
    let mut fay = app.browser();
    assert!(common::ok(
        &fay.sign_in("fay@olivine.test", DEMO_PASSWORD).await
    ));

    // The same hours three times under one key (the answer to the first was lost, then the
    // outbox tried again): each answered as the first, one timesheet, one notice to Harbour.
    let (contract_id, day) = (contract.to_string(), date.to_string());
    let form = hours_form(&contract_id, &day, "17:30");
    let key = uuid::Uuid::new_v4().to_string();
    for _ in 0..3 {
        let reply = fay.call("hire/hours/submit", &keyed(&form, &key)).await;
        assert!(common::ok(&reply), "{}", reply.body);
    }
    let timesheets = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM timesheets WHERE contract_id = $1"#,
        contract.0
    )
    .fetch_one(db)
    .await
    .expect("count");
    assert_eq!(timesheets, 1);
    let notices = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM notifications WHERE user_id = $1 AND kind = $2"#,
        c.hana.0,
        Kind::HoursSubmitted as Kind,
    )
    .fetch_one(db)
    .await
    .expect("count");
    assert_eq!(notices, 1);

    // The same key with other hours is refused, not taken for the first; new hours under a new
    // key are refused by the contract (already submitted).
    let other = hours_form(&contract_id, &day, "18:00");
    refused_with(
        &fay.call("hire/hours/submit", &keyed(&other, &key)).await,
        "already sent with different content",
    );
    let fresh = uuid::Uuid::new_v4().to_string();
    refused_with(
        &fay.call("hire/hours/submit", &keyed(&other, &fresh)).await,
        "already",
    );

    // A message sent twice at once under one key: one message, both answered as sent.
    let application_id = application.to_string();
    let key = uuid::Uuid::new_v4().to_string();
    let message = [
        ("application", application_id.as_str()),
        ("body", "Running five minutes late."),
        ("key", key.as_str()),
    ];
    let mut twin = app.browser();
    twin.cookie = fay.cookie.clone();
    let (first, second) = tokio::join!(
        fay.call("hire/message/send", &message),
        twin.call("hire/message/send", &message),
    );
    assert!(common::ok(&first), "{}", first.body);
    assert!(common::ok(&second), "{}", second.body);
    let written = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM messages WHERE application_id = $1"#,
        application.0
    )
    .fetch_one(db)
    .await
    .expect("count");
    assert_eq!(written, 1);

    // A refused message claims nothing: once the conversation is closed the same request is
    // refused again with the reason, every time.
    let later = hire_day(4);
    let other_shift = c.open_shift(state, later, 1).await;
    let closed = applications::service::apply(state, c.fay, other_shift, "", "")
        .await
        .expect("apply");
    applications::service::reject(state, c.harbour, closed, "Filled from the waiting list.")
        .await
        .expect("turn down");
    let (closed_id, key) = (closed.to_string(), uuid::Uuid::new_v4().to_string());
    let refused = [
        ("application", closed_id.as_str()),
        ("body", "Is there parking?"),
        ("key", key.as_str()),
    ];
    for _ in 0..2 {
        refused_with(
            &fay.call("hire/message/send", &refused).await,
            "This conversation is closed",
        );
    }
    let claimed = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM applied_requests WHERE key = $1"#,
        uuid::Uuid::parse_str(&key).expect("uuid")
    )
    .fetch_one(db)
    .await
    .expect("count");
    assert_eq!(claimed, 0);
}
