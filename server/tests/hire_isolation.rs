//! Hire in the real database. Who reaches what: organisations and freelancers only their own, messages between the two sides, availability only for organisations a freelancer knows.

mod common;

use app::error::AppError;
use app::hire::contracts::hours::Decision;
use app::hire::contracts::repo::ContractScope;
use app::hire::messages::service::{self as messages, Party};
use app::hire::postings::model::PostingStatus;
use app::hire::reference::model::Side;
use app::hire::refusal::Refusal;
use app::hire::{applications, contracts, postings, profiles};
use app::ids::UserId;
use chrono::Duration;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, ShiftBuilder, hire_day, hours};
use test_support::refusal;

#[sqlx::test(migrations = "../migrations")]
async fn organisations_and_freelancers_reach_only_their_own(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    let harbour_shift = c.open_shift(state, hire_day(4), 3).await;
    let meadow_draft = ShiftBuilder::on(hire_day(4))
        .draft(state, c.meadow, c.mia)
        .await;
    let fay_applies = applications::service::apply(state, c.fay, harbour_shift, "", "")
        .await
        .expect("apply");

    // Meadow can't see, offer, reject or change Harbour's shift, applicants or contracts.
    let mut conn = db.acquire().await.expect("connection");
    assert!(
        postings::repo::shift(&mut conn, harbour_shift, Some(c.meadow), None)
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        applications::repo::applicants(&mut conn, &state.vault, c.meadow, harbour_shift)
            .await
            .expect("query")
            .is_empty()
    );
    assert_eq!(
        refusal(applications::service::offer(state, c.meadow, c.mia, fay_applies).await),
        AppError::NotFound
    );
    assert_eq!(
        refusal(applications::service::reject(state, c.meadow, fay_applies, "No").await),
        AppError::NotFound
    );
    assert_eq!(
        refusal(
            postings::service::change_shift(
                state,
                c.meadow,
                c.mia,
                harbour_shift,
                PostingStatus::Cancelled
            )
            .await
        ),
        AppError::NotFound
    );
    // Nobody outside Meadow finds its draft, not even through the published-shift page.
    assert!(
        postings::repo::shift(&mut conn, meadow_draft, None, Some(c.fay))
            .await
            .expect("query")
            .is_none()
    );
    assert!(
        postings::repo::shift(&mut conn, meadow_draft, Some(c.harbour), None)
            .await
            .expect("query")
            .is_none()
    );
    assert_eq!(
        postings::repo::organisation_shifts(&mut conn, c.meadow)
            .await
            .expect("list")
            .len(),
        1
    );

    // Finn can't withdraw or accept Fay's application, or see it among his own.
    assert_eq!(
        refusal(applications::service::step_back(state, c.finn, fay_applies, "Mine now").await),
        AppError::NotFound
    );
    applications::service::offer(state, c.harbour, c.hana, fay_applies)
        .await
        .expect("offer");
    assert_eq!(
        refusal(applications::service::accept_offer(state, c.finn, fay_applies).await),
        AppError::NotFound
    );
    assert!(
        applications::repo::my_applications(&mut conn, c.finn, None)
            .await
            .expect("list")
            .is_empty()
    );
    let contract = applications::service::accept_offer(state, c.fay, fay_applies)
        .await
        .expect("accept");

    // Contracts: each side sees its own; the others reach nothing.
    assert_eq!(
        contracts::repo::contracts(
            &mut conn,
            &state.vault,
            ContractScope::Freelancer(c.fay),
            state.clock.now(),
            chrono::Duration::days(3)
        )
        .await
        .expect("list")
        .len(),
        1
    );
    assert!(
        contracts::repo::contracts(
            &mut conn,
            &state.vault,
            ContractScope::Freelancer(c.finn),
            state.clock.now(),
            chrono::Duration::days(3)
        )
        .await
        .expect("list")
        .is_empty()
    );
    assert!(
        contracts::repo::contracts(
            &mut conn,
            &state.vault,
            ContractScope::Posting(c.meadow, harbour_shift),
            state.clock.now(),
            chrono::Duration::days(3)
        )
        .await
        .expect("list")
        .is_empty()
    );
    state.clock.set_offset(Duration::days(5));
    let date = hire_day(4);
    assert_eq!(
        refusal(
            contracts::hours::submit_hours(
                state,
                c.finn,
                contract,
                &hours(date, "09:00", "17:00", "0")
            )
            .await
        ),
        AppError::NotFound
    );
    assert_eq!(
        refusal(contracts::service::record_no_show(state, c.meadow, c.mia, contract).await),
        AppError::NotFound
    );
    contracts::hours::submit_hours(state, c.fay, contract, &hours(date, "09:00", "17:00", "0"))
        .await
        .expect("submit");
    assert_eq!(
        refusal(
            contracts::hours::answer_hours(state, c.meadow, c.mia, contract, Decision::Approve)
                .await
        ),
        AppError::NotFound
    );
    assert_eq!(
        refusal(
            contracts::service::cancel_contract(
                state,
                Side::Organisation,
                c.meadow.0,
                c.mia,
                contract,
                "x"
            )
            .await
        ),
        AppError::NotFound
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn messages_stay_between_the_two_sides_and_count_what_is_unread(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let (state, db) = (&app.state, &app.db);
    let c = Cast::of(&app.state).await;
    let shift = c.open_shift(state, hire_day(6), 1).await;
    let application = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    let fay = Party::freelancer(c.fay);
    let harbour = Party::organisation(c.harbour);

    // Harbour writes twice (an empty message is refused); Fay has two unread, Harbour none.
    let blank = messages::send(state, harbour, c.hana, application, "  ").await;
    assert!(refusal(blank).field_message("body").is_some());
    for text in ["Can you start at 8?", "Bring black shoes."] {
        messages::send(state, harbour, c.hana, application, text)
            .await
            .expect("send");
    }
    let mut conn = db.acquire().await.expect("connection");
    assert_eq!(messages::unread(&mut conn, fay).await.expect("unread"), 2);
    assert_eq!(
        messages::unread(&mut conn, harbour).await.expect("unread"),
        0
    );
    let inbox = messages::inbox(&mut conn, &state.vault, fay)
        .await
        .expect("inbox");
    assert_eq!(inbox.len(), 1);
    assert_eq!(
        (
            inbox[0].unread,
            inbox[0].counterpart.as_str(),
            inbox[0].last.as_str()
        ),
        (2, "Harbour Hotels", "Bring black shoes.")
    );
    drop(conn);

    // Opening the thread reads it; Fay's reply is Harbour's one unread message.
    let thread = messages::open(state, fay, application).await.expect("open");
    let said: Vec<_> = thread
        .messages
        .iter()
        .map(|m| (m.by, m.body.as_str()))
        .collect();
    assert_eq!(
        said,
        [
            (Side::Organisation, "Can you start at 8?"),
            (Side::Organisation, "Bring black shoes.")
        ]
    );
    assert!(thread.open);
    messages::send(state, fay, c.fay, application, "Yes, see you then.")
        .await
        .expect("reply");
    let mut conn = db.acquire().await.expect("connection");
    assert_eq!(messages::unread(&mut conn, fay).await.expect("unread"), 0);
    assert_eq!(
        messages::unread(&mut conn, harbour).await.expect("unread"),
        1
    );
    drop(conn);

    // Nobody else reaches the thread.
    for outsider in [Party::organisation(c.meadow), Party::freelancer(c.finn)] {
        let read = messages::open(state, outsider, application).await;
        assert_eq!(refusal(read), AppError::NotFound);
        let write = messages::send(state, outsider, c.mia, application, "Hello").await;
        assert_eq!(refusal(write), AppError::NotFound);
        let mut conn = db.acquire().await.expect("connection");
        assert!(
            messages::inbox(&mut conn, &state.vault, outsider)
                .await
                .expect("inbox")
                .is_empty()
        );
        assert_eq!(
            messages::unread(&mut conn, outsider).await.expect("unread"),
            0
        );
    }

    // Turned down: the thread stays readable but takes no new messages.
    applications::service::reject(state, c.harbour, application, "We filled it internally.")
        .await
        .expect("reject");
    let closed = messages::send(state, harbour, c.hana, application, "Sorry!").await;
    assert_eq!(refusal(closed), Refusal::ConversationClosed.into());
    assert!(
        !messages::open(state, fay, application)
            .await
            .expect("open")
            .open
    );
}

/// Anyone can create an organisation, so membership alone shows nothing of when a freelancer
/// is free: the week and days off are for the freelancer, support admins and organisations the
/// freelancer applied to or was invited by.
#[sqlx::test(migrations = "../migrations")]
async fn a_freelancers_availability_is_shown_only_to_organisations_they_know(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = Cast::of(&app.state).await;
    let viewer = |user: UserId| viewer_of(&app.db, user);
    let shown = |profile: &app::hire::profiles::model::Profile| {
        (profile.availability_shown, profile.week.len())
    };
    // Harbour's manager, before Fay has anything to do with Harbour: skills yes, week no.
    let hana = viewer(c.hana).await;
    let profile = profiles::service::profile_for(state, &hana, false, c.fay)
        .await
        .expect("profile");
    assert_eq!(shown(&profile), (false, 0));
    assert!(
        !profile.skills.is_empty(),
        "the rest of the profile is shown"
    );
    // Fay herself, and a support admin, always.
    let fay = viewer(c.fay).await;
    assert_eq!(
        shown(
            &profiles::service::profile_for(state, &fay, false, c.fay)
                .await
                .expect("own")
        ),
        (true, 1)
    );
    assert_eq!(
        shown(
            &profiles::service::profile_for(state, &hana, true, c.fay)
                .await
                .expect("support")
        ),
        (true, 1)
    );
    // Once Fay applies to one of Harbour's shifts, Harbour sees when she works.
    let shift = c.open_shift(state, hire_day(3), 1).await;
    applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    let profile = profiles::service::profile_for(state, &hana, false, c.fay)
        .await
        .expect("profile");
    assert_eq!(shown(&profile), (true, 1));
}

/// A signed-in person as the server functions see them (no roles, their memberships).
async fn viewer_of(db: &sqlx::PgPool, user: UserId) -> app::accounts::model::Viewer {
    let mut conn = db.acquire().await.expect("conn");
    app::accounts::model::Viewer {
        user_id: user,
        email: String::new(),
        display_name: String::new(),
        roles: Vec::new(),
        memberships: app::accounts::repo::memberships_of(&mut conn, user)
            .await
            .expect("memberships"),
    }
}
