//! An organisation's card for Hire: saved through a SetupIntent the manager confirms (with
//! 3-D Secure when the bank asks), recorded only once Stripe says it is saved, never another
//! organisation's, and a new card replaces the old one on Stripe as well.

mod common;

use app::escrow::cards;
use app::escrow::model::OrganisationCard;
use app::ids::{OrganisationId, UserId};
use app::state::AppState;
use axum::http::StatusCode;
use payments::SetupStatus;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::Cast;
use test_support::refusal;

/// A card setup `by` starts for `organisation`: the SetupIntent's id, read from the client
/// secret the browser gets (`seti_…_secret_…`).
async fn start(state: &AppState, organisation: OrganisationId, by: UserId) -> String {
    let started = cards::start_card_setup(state, organisation, by)
        .await
        .expect("start");
    let id = started.client_secret.split("_secret_").next();
    id.expect("setup id").to_owned()
}

/// The organisation's card, as its billing page shows it.
async fn saved_card(state: &AppState, organisation: OrganisationId) -> Option<OrganisationCard> {
    cards::billing(state, organisation)
        .await
        .expect("billing")
        .card
}

#[sqlx::test(migrations = "../migrations")]
async fn a_manager_saves_the_organisations_card_and_a_new_one_replaces_it(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = Cast::of(state).await;
    assert_eq!(saved_card(state, c.harbour).await, None);

    // A plain card: confirmed (the browser's part, done here by the server), then recorded.
    let first = start(state, c.harbour, c.hana).await;
    let confirmed = state
        .payments
        .confirm_setup(&first, "pm_card_visa")
        .await
        .expect("confirm");
    assert_eq!(confirmed.status, SetupStatus::Succeeded);
    let saved = cards::finish_card_setup(state, c.harbour, c.hana, &first)
        .await
        .expect("finish");
    assert_eq!(
        (saved.brand.as_str(), saved.last4.as_str()),
        ("visa", "4242")
    );
    assert!(saved.describe().starts_with("Visa •••• 4242, expires "));
    assert_eq!(saved_card(state, c.harbour).await, Some(saved.clone()));
    // Finishing again (a reload of the return page) changes nothing.
    let again = cards::finish_card_setup(state, c.harbour, c.hana, &first)
        .await
        .expect("finish again");
    assert_eq!(again, saved);
    let old_card = confirmed.payment_method.expect("card id");

    // A card whose bank asks for 3-D Secure: not saved until the challenge is completed.
    let second = start(state, c.harbour, c.hana).await;
    let challenged = state
        .payments
        .confirm_setup(&second, "pm_card_authenticationRequiredOnSetup")
        .await
        .expect("confirm");
    assert_eq!(challenged.status, SetupStatus::RequiresAction);
    let refused = refusal(cards::finish_card_setup(state, c.harbour, c.hana, &second).await);
    assert!(
        refused
            .to_string()
            .contains("bank's check wasn't completed"),
        "{refused}"
    );
    assert_eq!(
        saved_card(state, c.harbour).await,
        Some(saved.clone()),
        "the first card stays until the second is saved"
    );
    assert!(app.stripe.authenticate(&second, true));
    let replaced = cards::finish_card_setup(state, c.harbour, c.hana, &second)
        .await
        .expect("finish");
    assert_eq!(saved_card(state, c.harbour).await, Some(replaced));
    // The replaced card is gone from Stripe: it can't be charged any more.
    let remaining = state
        .payments
        .saved_card(&old_card)
        .await
        .expect("old card")
        .customer;
    assert_eq!(
        remaining, None,
        "the old card is detached from the organisation"
    );

    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'organisation_card_saved' AND subject_id = $1",
    )
    .bind(c.harbour.0)
    .fetch_one(&app.db)
    .await
    .expect("audit");
    assert_eq!(
        audited, 2,
        "one entry per card saved, none for finishing again"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn a_declined_card_or_another_organisations_setup_is_not_saved(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = Cast::of(state).await;

    let setup = start(state, c.harbour, c.hana).await;
    // The bank declines: Stripe refuses the confirmation, and finishing says why.
    let declined = state
        .payments
        .confirm_setup(&setup, "pm_card_chargeDeclined")
        .await;
    assert!(declined.is_err(), "{declined:?}");
    let refused = refusal(cards::finish_card_setup(state, c.harbour, c.hana, &setup).await);
    assert!(
        refused.to_string().starts_with("The card wasn't saved: "),
        "{refused}"
    );
    assert_eq!(saved_card(state, c.harbour).await, None);

    // Harbour's setup, finished for Meadow (whose own customer exists): not found.
    state
        .payments
        .confirm_setup(&setup, "pm_card_visa")
        .await
        .expect("confirm");
    start(state, c.meadow, c.mia).await;
    let refused = refusal(cards::finish_card_setup(state, c.meadow, c.mia, &setup).await);
    assert_eq!(refused, app::error::AppError::NotFound);
    assert_eq!(saved_card(state, c.meadow).await, None);
    // A setup id Stripe never issued.
    let refused = refusal(cards::finish_card_setup(state, c.harbour, c.hana, "seti_unknown").await);
    assert_eq!(refused, app::error::AppError::NotFound);
    // Not a setup id at all.
    let refused = refusal(cards::finish_card_setup(state, c.harbour, c.hana, "pi_123").await);
    assert_eq!(refused, app::error::AppError::NotFound);
}

#[sqlx::test(migrations = "../migrations")]
async fn only_the_organisations_members_see_or_change_its_card(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let harbour = [("slug", "harbour-hotels")];
    let finish = [("slug", "harbour-hotels"), ("setup", "seti_123")];

    let calls = [
        ("hire/org/billing", &harbour[..]),
        ("hire/org/card/start", &harbour[..]),
        ("hire/org/card/finish", &finish[..]),
    ];

    let mut nobody = app.browser();
    for (endpoint, form) in calls {
        let reply = nobody.call(endpoint, form).await;
        assert_eq!(
            reply.status,
            StatusCode::UNAUTHORIZED,
            "{endpoint}: {}",
            reply.body
        );
    }
    // Meadow's manager and a freelancer are members of other things, not of Harbour.
    for email in ["mia@olivine.test", "fay@olivine.test"] {
        let mut outsider = app.browser();
        assert!(common::ok(&outsider.sign_in(email, DEMO_PASSWORD).await));
        for (endpoint, form) in calls {
            let reply = outsider.call(endpoint, form).await;
            assert_eq!(
                reply.status,
                StatusCode::FORBIDDEN,
                "{email} {endpoint}: {}",
                reply.body
            );
        }
    }
    // Harbour's manager starts a setup and gets the form's secret and Stripe.js to load.
    let mut hana = app.browser();
    assert!(common::ok(
        &hana.sign_in("hana@olivine.test", DEMO_PASSWORD).await
    ));
    let reply = hana.call("hire/org/card/start", &harbour).await;
    assert!(common::ok(&reply), "{}", reply.body);
    assert!(
        reply.body.contains("\"client_secret\":\"seti_"),
        "{}",
        reply.body
    );
    let reply = hana.call("hire/org/billing", &harbour).await;
    assert!(common::ok(&reply), "{}", reply.body);
    assert!(reply.body.contains("\"card\":null"), "{}", reply.body);
}
