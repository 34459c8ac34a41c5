//! Two-step sign-in through the real router and database: an authenticator turned on with its
//! first code, the second step of a sign-in, recovery codes, the limit on wrong codes, admin
//! scopes that need it, and sensitive actions that ask again after ten minutes.

use app::accounts::model::{AuthenticatorSetup, Role, TwoStepStatus};
use app::accounts::totp;
use app::error::AppError;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use server::seed::{DEMO_ADMIN_AUTHENTICATOR, DEMO_PASSWORD};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{App, Browser, app, asks_second_step, code_of, ok, signed_in, unprocessable};

fn refusal(reply: &common::Reply) -> AppError {
    serde_json::from_str(&reply.body).expect("error JSON")
}

/// Turn on two-step sign-in for the browser's person: their secret, recovery codes, and the
/// code that turned it on.
async fn turn_on(browser: &mut Browser<'_>) -> (Vec<u8>, Vec<String>, String) {
    let reply = browser.call("accounts/authenticator-start", &[]).await;
    assert!(ok(&reply), "{}", reply.body);
    let setup: AuthenticatorSetup = serde_json::from_str(&reply.body).expect("setup JSON");
    assert!(setup.qr_svg.starts_with("<svg"), "{}", setup.qr_svg);
    let secret = totp::from_base32(&setup.secret).expect("base32 secret");

    // A wrong first code changes nothing.
    let reply = browser
        .call("accounts/authenticator-confirm", &[("code", "000000")])
        .await;
    assert!(unprocessable(&reply).field_message("code").is_some());
    let status = two_step(browser).await;
    assert_eq!(status.on_since, None);

    let first = code_of(&secret, 0);
    let reply = browser
        .call("accounts/authenticator-confirm", &[("code", &first)])
        .await;
    assert!(ok(&reply), "{}", reply.body);
    let codes: Vec<String> = serde_json::from_str(&reply.body).expect("codes JSON");
    (secret, codes, first)
}

async fn two_step(browser: &mut Browser<'_>) -> TwoStepStatus {
    let reply = browser.call("accounts/two-step", &[]).await;
    assert!(ok(&reply), "{}", reply.body);
    serde_json::from_str(&reply.body).expect("status JSON")
}

/// A new browser that gave the password and is asked for a code.
async fn at_second_step<'a>(app: &'a App, email: &str) -> Browser<'a> {
    let mut browser = app.browser();
    let reply = browser
        .call(
            "accounts/sign-in",
            &[("email", email), ("password", DEMO_PASSWORD)],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    assert!(asks_second_step(&reply), "{:?}", reply.headers);
    assert_eq!(browser.viewer_email().await, None, "not signed in yet");
    browser
}

#[sqlx::test(migrations = "../migrations")]
async fn an_authenticator_turns_on_with_its_first_code_and_sign_in_takes_two_steps(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let ann = common::user(&app.db, "ann@olivine.test").await;
    let mut browser = signed_in(&app, "ann@olivine.test").await;
    let (secret, codes, first) = turn_on(&mut browser).await;
    assert_eq!(codes.len(), 10);
    let status = two_step(&mut browser).await;
    assert!(status.on_since.is_some());
    assert_eq!(status.recovery_codes_left, 10);
    assert!(!status.required);

    // The secret is sealed with Ann's data key; only hashes of the recovery codes are kept.
    let stored: Vec<u8> = sqlx::query_scalar!(
        "SELECT secret FROM authenticators WHERE user_id = $1",
        ann.0
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(!stored.windows(secret.len()).any(|w| w == secret.as_slice()));
    let hashes: Vec<Vec<u8>> = sqlx::query_scalar!(
        "SELECT code_hash FROM recovery_codes WHERE user_id = $1",
        ann.0
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert_eq!(hashes.len(), 10);
    assert!(!hashes.iter().any(|h| h == codes[0].as_bytes()));

    // The password alone no longer signs in: a wrong code neither.
    let mut phone = at_second_step(&app, "ann@olivine.test").await;
    let reply = phone
        .call("accounts/second-factor", &[("code", "123456")])
        .await;
    assert!(unprocessable(&reply).field_message("code").is_some());
    assert_eq!(phone.viewer_email().await, None);

    // The code already used to turn it on is spent; the app's next one signs in.
    let reply = phone
        .call("accounts/second-factor", &[("code", &first)])
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a code counts once"
    );
    let reply = phone.second_step(&secret).await;
    assert!(ok(&reply), "{}", reply.body);
    assert_eq!(
        phone.viewer_email().await.as_deref(),
        Some("ann@olivine.test")
    );
    let marked: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM user_logins
           WHERE user_id = $1 AND revoked_at IS NULL AND second_factor_at IS NOT NULL"#,
        ann.0
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(marked, 2, "the device that turned it on, and the new one");
    let failures: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log
           WHERE actor_id = $1 AND action = 'second_factor_failed'"#,
        ann.0
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert!(failures >= 2, "wrong codes are audited: {failures}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_recovery_code_signs_in_once(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut browser = signed_in(&app, "ben@olivine.test").await;
    let (_, codes, _) = turn_on(&mut browser).await;

    let mut lost_phone = at_second_step(&app, "ben@olivine.test").await;
    // Case, spaces and dashes as people copy them do not matter.
    let typed = codes[3].to_uppercase().replace('-', " ");
    let reply = lost_phone
        .call("accounts/second-factor", &[("code", &typed)])
        .await;
    assert!(ok(&reply), "{}", reply.body);
    assert_eq!(
        lost_phone.viewer_email().await.as_deref(),
        Some("ben@olivine.test")
    );
    assert_eq!(two_step(&mut lost_phone).await.recovery_codes_left, 9);

    let mut again = at_second_step(&app, "ben@olivine.test").await;
    let reply = again
        .call("accounts/second-factor", &[("code", &codes[3])])
        .await;
    assert!(unprocessable(&reply).field_message("code").is_some());
    assert_eq!(again.viewer_email().await, None);

    // New codes replace the old ones.
    let reply = lost_phone.call("accounts/recovery-codes", &[]).await;
    assert!(ok(&reply), "{}", reply.body);
    let fresh: Vec<String> = serde_json::from_str(&reply.body).expect("codes JSON");
    assert_eq!(fresh.len(), 10);
    let reply = again
        .call("accounts/second-factor", &[("code", &codes[4])])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = again
        .call("accounts/second-factor", &[("code", &fresh[0])])
        .await;
    assert!(ok(&reply), "{}", reply.body);
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_codes_are_limited_per_account(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut browser = signed_in(&app, "ann@olivine.test").await;
    let (secret, _, _) = turn_on(&mut browser).await;

    let mut guesser = at_second_step(&app, "ann@olivine.test").await;
    for guess in ["111111", "222222", "333333", "444444", "555555"] {
        let reply = guesser
            .call("accounts/second-factor", &[("code", guess)])
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{guess}");
    }
    // Past the limit even the right code is refused, from any browser, until the window ends.
    let reply = guesser
        .call("accounts/second-factor", &[("code", &code_of(&secret, 1))])
        .await;
    common::assert_too_many(&reply);
    let mut owner = at_second_step(&app, "ann@olivine.test").await;
    let reply = owner
        .call("accounts/second-factor", &[("code", &code_of(&secret, 1))])
        .await;
    common::assert_too_many(&reply);
    assert_eq!(owner.viewer_email().await, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn admin_scopes_need_two_step_sign_in_on_the_device(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let ben = common::user(&app.db, "ben@olivine.test").await;
    let mut conn = app.db.acquire().await.unwrap();
    app::accounts::repo::grant_role(&mut conn, ben, Role::AdminCatalog, None)
        .await
        .unwrap();
    drop(conn);

    // An admin without it is refused every back-office call and sent to set it up.
    let mut desk = signed_in(&app, "ben@olivine.test").await;
    let mut laptop = signed_in(&app, "ben@olivine.test").await;
    let reply = desk.call("admin/overview", &[]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refusal(&reply),
        AppError::SecondFactorRequired { setup: true }
    );
    let mut page = Request::get("/admin/products").header(header::ACCEPT, "text/html");
    if let Some(cookie) = &desk.cookie {
        page = page.header(header::COOKIE, cookie);
    }
    let reply = desk.send(page.body(Body::empty()).unwrap()).await;
    assert_eq!(reply.status, StatusCode::FOUND, "{}", reply.body);
    assert_eq!(
        reply
            .headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok()),
        Some("/account/security?next=/admin/products")
    );
    assert!(two_step(&mut desk).await.required);

    let (secret, _, _) = turn_on(&mut desk).await;
    let reply = desk.call("admin/overview", &[]).await;
    assert!(ok(&reply), "{}", reply.body);

    // A device signed in before it was on gives a code before the back office opens to it.
    let reply = laptop.call("admin/overview", &[]).await;
    assert_eq!(
        refusal(&reply),
        AppError::SecondFactorRequired { setup: false }
    );
    let mut confirmed = None;
    for steps in [1, -1] {
        let reply = laptop
            .call(
                "accounts/second-factor-confirm",
                &[("code", &code_of(&secret, steps))],
            )
            .await;
        if ok(&reply) {
            confirmed = Some(steps);
            break;
        }
    }
    assert!(confirmed.is_some(), "a fresh code confirms the laptop");
    let reply = laptop.call("admin/overview", &[]).await;
    assert!(ok(&reply), "{}", reply.body);

    // Admins cannot turn it off.
    let reply = desk.call("accounts/authenticator-off", &[]).await;
    assert!(unprocessable(&reply).to_string().contains("Admins keep"));
    assert!(two_step(&mut desk).await.on_since.is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn sensitive_actions_ask_again_after_ten_minutes(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let fay = common::user(&app.db, "fay@olivine.test").await.to_string();
    let admin_id = common::user(&app.db, common::DEMO_ADMIN).await;
    let mut admin = signed_in(&app, common::DEMO_ADMIN).await;
    let grant = [
        ("user_id", fay.as_str()),
        ("role", "AdminCatalog"),
        ("held", "true"),
    ];
    let reply = admin.call("admin/user-role", &grant).await;
    assert!(ok(&reply), "just signed in with a code: {}", reply.body);

    // Eleven minutes later the same device is asked for a code again.
    sqlx::query!(
        "UPDATE user_logins SET second_factor_at = now() - interval '11 minutes'
         WHERE user_id = $1",
        admin_id.0
    )
    .execute(&app.db)
    .await
    .unwrap();
    let revoke = [
        ("user_id", fay.as_str()),
        ("role", "AdminCatalog"),
        ("held", "false"),
    ];
    let reply = admin.call("admin/user-role", &revoke).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refusal(&reply),
        AppError::SecondFactorRequired { setup: false }
    );
    // Reading the back office is not sensitive: it still works.
    assert!(ok(&admin.call("admin/overview", &[]).await));
    let roles: Vec<String> = sqlx::query_scalar!(
        "SELECT role::text AS \"role!\" FROM user_roles WHERE user_id = $1::text::uuid",
        fay
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    assert!(
        roles.contains(&"admin_catalog".to_owned()),
        "nothing revoked yet"
    );

    let mut confirmed = false;
    for steps in [0, 1, -1] {
        let code = code_of(DEMO_ADMIN_AUTHENTICATOR, steps);
        let reply = admin
            .call("accounts/second-factor-confirm", &[("code", &code)])
            .await;
        if ok(&reply) {
            confirmed = true;
            break;
        }
    }
    assert!(confirmed);
    let reply = admin.call("admin/user-role", &revoke).await;
    assert!(ok(&reply), "{}", reply.body);

    // A person without two-step sign-in has nothing to give: their payout settings just open.
    let mut freelancer = signed_in(&app, "finn@olivine.test").await;
    let reply = freelancer.call("hire/payouts/connect", &[]).await;
    assert_ne!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_person_turns_it_off_with_a_recent_code(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut browser = signed_in(&app, "ann@olivine.test").await;
    turn_on(&mut browser).await;
    let reply = browser.call("accounts/authenticator-off", &[]).await;
    assert!(ok(&reply), "confirmed moments ago: {}", reply.body);
    assert_eq!(two_step(&mut browser).await.on_since, None);

    let mut again = app.browser();
    let reply = again.sign_in("ann@olivine.test", DEMO_PASSWORD).await;
    assert!(
        ok(&reply) && !asks_second_step(&reply),
        "{:?}",
        reply.headers
    );
    assert_eq!(
        again.viewer_email().await.as_deref(),
        Some("ann@olivine.test")
    );
}
