//! Hire in the real database. Applications and offers: invitations, expiry, and offers racing for the last seats.

mod common;

use app::error::{AppError, ServiceError};
use app::hire::applications::model::ApplicationStatus;
use app::hire::messages::service::{self as messages, Party};
use app::hire::postings::model::PostingStatus;
use app::hire::refusal::Refusal;
use app::hire::{applications, postings};
use app::ids::UserId;
use chrono::Duration;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{
    Cast, ProfileBuilder, ShiftBuilder, application_status, hire_day, posting_state,
};
use test_support::refusal;

#[sqlx::test(migrations = "../migrations")]
async fn managers_invite_freelancers_who_apply_from_it_or_decline(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    let shift = c.open_shift(state, hire_day(5), 2).await;

    // Hana invites Fay with a message: an invitation, no seat taken, the message waiting in
    // the thread.
    let invitation =
        applications::service::invite(state, c.harbour, c.hana, shift, c.fay, "Come back?")
            .await
            .expect("invite");
    assert_eq!(application_status(db, invitation).await, "invited");
    assert_eq!(posting_state(db, shift).await, ("published".to_owned(), 0));
    let mut conn = db.acquire().await.expect("connection");
    assert_eq!(
        messages::unread(&mut conn, Party::freelancer(c.fay))
            .await
            .expect("unread"),
        1
    );
    let open =
        applications::repo::invitable_shifts(&mut conn, &[c.harbour.0], c.fay, state.clock.now())
            .await
            .expect("invitable");
    assert!(open.iter().all(|s| s.id != shift), "already invited");
    let for_finn =
        applications::repo::invitable_shifts(&mut conn, &[c.harbour.0], c.finn, state.clock.now())
            .await
            .expect("invitable");
    assert_eq!(for_finn.iter().map(|s| s.id).collect::<Vec<_>>(), [shift]);
    drop(conn);

    // Not twice; not by another organisation; not to a draft; not someone without a profile;
    // no offer before Fay applies.
    let again = applications::service::invite(state, c.harbour, c.hana, shift, c.fay, "").await;
    assert_eq!(refusal(again), Refusal::AlreadyInvited.into());
    let meadow = applications::service::invite(state, c.meadow, c.mia, shift, c.finn, "").await;
    assert_eq!(refusal(meadow), AppError::NotFound);
    let draft = ShiftBuilder::on(hire_day(6))
        .draft(state, c.harbour, c.hana)
        .await;
    let to_draft = applications::service::invite(state, c.harbour, c.hana, draft, c.finn, "").await;
    assert_eq!(refusal(to_draft), Refusal::NotInvitable.into());
    let nobody = applications::service::invite(state, c.harbour, c.hana, shift, c.mia, "").await;
    assert_eq!(refusal(nobody), AppError::NotFound);
    let early = applications::service::offer(state, c.harbour, c.hana, invitation).await;
    assert_eq!(
        refusal(early),
        Refusal::Application(ApplicationStatus::Invited).into()
    );

    // Fay applies from the invitation: the same application, now with her note.
    let applied = applications::service::apply(state, c.fay, shift, "Gladly.", "")
        .await
        .expect("apply");
    assert_eq!(applied, invitation);
    assert_eq!(application_status(db, invitation).await, "applied");
    let twice = applications::service::apply(state, c.fay, shift, "Again", "").await;
    assert_eq!(refusal(twice), Refusal::AlreadyApplied.into());
    applications::service::offer(state, c.harbour, c.hana, invitation)
        .await
        .expect("offer after applying");

    // Finn declines his with a reason; Harbour can't revive it, and he can't apply after.
    let finn = applications::service::invite(state, c.harbour, c.hana, shift, c.finn, "")
        .await
        .expect("invite finn");
    let no_reason = applications::service::step_back(state, c.finn, finn, " ").await;
    assert!(refusal(no_reason).field_message("reason").is_some());
    applications::service::step_back(state, c.finn, finn, "Away that week.")
        .await
        .expect("decline");
    assert_eq!(application_status(db, finn).await, "declined");
    let revive = applications::service::invite(state, c.harbour, c.hana, shift, c.finn, "").await;
    assert_eq!(refusal(revive), Refusal::AlreadyInvited.into());
    let after = applications::service::apply(state, c.finn, shift, "Changed my mind", "").await;
    assert_eq!(refusal(after), Refusal::AlreadyApplied.into());
    assert_eq!(application_status(db, finn).await, "declined");

    // Cancelling a shift ends its outstanding invitations.
    let later = c.open_shift(state, hire_day(8), 2).await;
    let pending = applications::service::invite(state, c.harbour, c.hana, later, c.finn, "")
        .await
        .expect("invite");
    postings::service::change_shift(state, c.harbour, c.hana, later, PostingStatus::Cancelled)
        .await
        .expect("cancel");
    assert_eq!(application_status(db, pending).await, "rejected");
}

#[sqlx::test(migrations = "../migrations")]
async fn unanswered_offers_and_open_applications_expire(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    let shift = c.open_shift(state, hire_day(5), 1).await;
    let offered = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    applications::service::offer(state, c.harbour, c.hana, offered)
        .await
        .expect("offer");
    // Starts after the offer window at any time of day (the clock moves 49 hours at most
    // before it should have started).
    let soon = c.open_shift(state, hire_day(3), 2).await;
    let applied = applications::service::apply(state, c.fay, soon, "", "")
        .await
        .expect("apply");
    let invited = applications::service::invite(state, c.harbour, c.hana, soon, c.finn, "")
        .await
        .expect("invite");
    assert_eq!(posting_state(db, shift).await, ("filled".to_owned(), 1));

    // Within the window nothing expires.
    state.clock.set_offset(Duration::hours(47));
    assert_eq!(
        applications::service::expire_due(state)
            .await
            .expect("expire"),
        0
    );

    // Past it, the offer expires and its seat comes back: the shift is open again.
    state.clock.set_offset(Duration::hours(49));
    assert_eq!(
        applications::service::expire_due(state)
            .await
            .expect("expire"),
        1
    );
    assert_eq!(application_status(db, offered).await, "expired");
    assert_eq!(posting_state(db, shift).await, ("published".to_owned(), 0));
    let late = applications::service::accept_offer(state, c.fay, offered).await;
    assert_eq!(
        refusal(late),
        Refusal::Application(ApplicationStatus::Expired).into()
    );

    // Once a shift starts, whatever is still open on it expires.
    state.clock.set_offset(Duration::days(4));
    assert_eq!(
        applications::service::expire_due(state)
            .await
            .expect("expire"),
        2
    );
    assert_eq!(application_status(db, applied).await, "expired");
    assert_eq!(application_status(db, invited).await, "expired");
    assert_eq!(
        applications::service::expire_due(state)
            .await
            .expect("expire"),
        0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn concurrent_offers_never_fill_more_seats_than_the_shift_has(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    let shift = c.open_shift(state, hire_day(5), 2).await;

    // Twelve freelancers apply.
    let mut applications = Vec::new();
    for n in 0..12 {
        let id = UserId(uuid::Uuid::now_v7());
        let mut conn = db.acquire().await.expect("connection");
        app::accounts::repo::insert_user(
            &mut conn,
            &state.vault,
            id,
            &format!("f{n}@example.com"),
            &format!("Freelancer {n}"),
            None,
            true,
        )
        .await
        .expect("user");
        drop(conn);
        ProfileBuilder::barista()
            .city("nl-amersfoort")
            .save(state, id)
            .await;
        applications.push(
            applications::service::apply(state, id, shift, "", "")
                .await
                .expect("apply"),
        );
    }
    // Two managers' worth of offers race for the two seats.
    let offers = applications.iter().map(|a| {
        let state = state.clone();
        let (org, manager, a) = (c.harbour, c.hana, *a);
        tokio::spawn(async move { applications::service::offer(&state, org, manager, a).await })
    });
    let results = futures::future::join_all(offers).await;
    let made = results.iter().filter(|r| matches!(r, Ok(Ok(())))).count();
    assert_eq!(made, 2, "exactly the headcount is offered");
    assert!(results.iter().all(|r| match r {
        Ok(Ok(())) => true,
        Ok(Err(ServiceError::Refused(e))) => *e == Refusal::NoPlaceToOffer.into(),
        _ => false,
    }));
    assert_eq!(posting_state(db, shift).await, ("filled".into(), 2));

    // A declined offer frees its seat and opens the shift again; a third offer now fits.
    let mut offered = Vec::new();
    for a in &applications {
        if application_status(db, *a).await == "offered" {
            offered.push(*a);
        }
    }
    let holder = sqlx::query_scalar!(
        "SELECT freelancer_id FROM applications WHERE application_id = $1",
        offered[0].0
    )
    .fetch_one(db)
    .await
    .expect("holder");
    assert!(
        refusal(applications::service::step_back(state, UserId(holder), offered[0], "").await)
            .field_message("reason")
            .is_some()
    );
    applications::service::step_back(state, UserId(holder), offered[0], "Found other work.")
        .await
        .expect("decline");
    assert_eq!(application_status(db, offered[0]).await, "declined");
    assert_eq!(posting_state(db, shift).await, ("published".into(), 1));
    let waiting = applications
        .iter()
        .find(|a| !offered.contains(a))
        .copied()
        .expect("one still waiting");
    applications::service::offer(state, c.harbour, c.hana, waiting)
        .await
        .expect("third offer");
    assert_eq!(posting_state(db, shift).await, ("filled".into(), 2));
}
