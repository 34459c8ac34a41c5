//! Accounts through the real router and a real database: sign-up with the emailed link,
//! sign-in, rate limits, password reset, CSRF, organisations and the audit trail. Who may call
//! what is `authorization.rs`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use server::config::Config;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{app, app_in, form, link_token, ok};

#[sqlx::test(migrations = "../migrations")]
async fn sign_up_confirms_by_email_then_signs_in_and_out(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut browser = app.browser();
    let reply = browser
        .call(
            "accounts/sign-up",
            &[
                ("email", "  Zoe@Example.com "),
                ("display_name", "Zoe"),
                ("password", "a long enough password"),
            ],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    assert_eq!(
        browser.viewer_email().await,
        None,
        "not signed in before confirming"
    );

    // Unconfirmed: the right password still does not sign in, and a new link is sent.
    let reply = browser
        .sign_in("zoe@example.com", "a long enough password")
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("confirm your email"), "{}", reply.body);

    let token = link_token(&app.last_mail_to("Zoe@Example.com").await);
    let reply = browser
        .call("accounts/verify-email", &[("token", &token)])
        .await;
    assert!(ok(&reply), "{}", reply.body);
    assert_eq!(
        browser.viewer_email().await.as_deref(),
        Some("Zoe@Example.com")
    );

    // The link is single-use.
    let mut other = app.browser();
    let reply = other
        .call("accounts/verify-email", &[("token", &token)])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);

    let reply = browser.call("accounts/sign-out", &[]).await;
    assert!(ok(&reply), "{}", reply.body);
    assert_eq!(browser.viewer_email().await, None);

    // Emails are case-insensitive.
    let reply = browser
        .sign_in("ZOE@example.COM", "a long enough password")
        .await;
    assert!(ok(&reply), "{}", reply.body);
    assert_eq!(
        browser.viewer_email().await.as_deref(),
        Some("Zoe@Example.com")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_up_never_reveals_a_registered_address(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let fields = |email| {
        [
            ("email", email),
            ("display_name", "Someone"),
            ("password", "another long password"),
        ]
    };
    let fresh = app
        .browser()
        .call("accounts/sign-up", &fields("new@example.com"))
        .await;
    let taken = app
        .browser()
        .call("accounts/sign-up", &fields("ANN@olivine.test"))
        .await;
    assert_eq!(fresh.status, taken.status);
    assert_eq!(
        fresh.body.replace("new@example.com", "X"),
        taken.body.replace("ANN@olivine.test", "X")
    );
    // The owner hears about it instead; their password is untouched.
    assert!(
        app.last_mail_to("ann@olivine.test")
            .await
            .contains("already has one")
    );
    assert!(ok(&app
        .browser()
        .sign_in("ann@olivine.test", DEMO_PASSWORD)
        .await));
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_input_gets_field_errors(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let reply = app
        .browser()
        .call(
            "accounts/sign-up",
            &[
                ("email", "not-an-email"),
                ("display_name", ""),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["\"email\"", "\"display_name\"", "\"password\""] {
        assert!(
            reply.body.contains(field),
            "{field} missing in {}",
            reply.body
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn wrong_passwords_are_refused_and_never_lock_the_owner_out(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    // Fay signed in on her phone before: the phone is a device her account knows.
    let mut phone = app.browser();
    assert!(ok(&phone.sign_in("fay@olivine.test", DEMO_PASSWORD).await));
    assert!(phone.device.is_some(), "a device cookie was set");
    assert!(ok(&phone.call("accounts/sign-out", &[]).await));

    let mut browser = app.browser();
    for _ in 0..5 {
        let reply = browser
            .sign_in("fay@olivine.test", "not the password")
            .await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(reply.body.contains("don't match"), "{}", reply.body);
    }
    // Unknown accounts get the same words.
    let reply = browser
        .sign_in("nobody@olivine.test", "not the password")
        .await;
    assert!(reply.body.contains("don't match"), "{}", reply.body);

    // Past the limit, a device the account doesn't know gets nowhere, even with the right
    // password; the owner is mailed a one-time link instead.
    let reply = browser.sign_in("fay@olivine.test", DEMO_PASSWORD).await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
    assert!(reply.body.contains("one-time link"), "{}", reply.body);
    assert_eq!(browser.viewer_email().await, None);
    let unknown = app
        .browser()
        .sign_in("nobody@olivine.test", DEMO_PASSWORD)
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Her phone still takes her password.
    let reply = phone.sign_in("fay@olivine.test", DEMO_PASSWORD).await;
    assert!(ok(&reply), "{} {}", reply.status, reply.body);
    assert_eq!(
        phone.viewer_email().await.as_deref(),
        Some("fay@olivine.test")
    );

    // A new laptop signs in with the mailed link, once.
    let token = link_token(&app.last_mail_to("fay@olivine.test").await);
    let mut laptop = app.browser();
    assert!(ok(&laptop
        .call("accounts/sign-in-link", &[("token", &token)])
        .await));
    assert_eq!(
        laptop.viewer_email().await.as_deref(),
        Some("fay@olivine.test")
    );
    let again = app
        .browser()
        .call("accounts/sign-in-link", &[("token", &token)])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    let failures = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log WHERE action = 'sign_in_failed'"#
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    // Five for Fay, two for an address with no account.
    assert_eq!(failures, 7);
}

#[sqlx::test(migrations = "../migrations")]
async fn password_reset_is_single_use_and_signs_out_everywhere(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut old_device = app.browser();
    assert!(ok(&old_device
        .sign_in("ben@olivine.test", DEMO_PASSWORD)
        .await));

    let mut browser = app.browser();
    let reply = browser
        .call("accounts/reset-request", &[("email", "ben@olivine.test")])
        .await;
    assert!(ok(&reply), "{}", reply.body);
    let unknown = browser
        .call("accounts/reset-request", &[("email", "ghost@olivine.test")])
        .await;
    assert_eq!(
        reply.status, unknown.status,
        "same answer for unknown addresses"
    );

    let token = link_token(&app.last_mail_to("ben@olivine.test").await);
    let reply = browser
        .call(
            "accounts/reset",
            &[("token", &token), ("password", "short")],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "weak password refused"
    );
    let reply = browser
        .call(
            "accounts/reset",
            &[("token", &token), ("password", "a brand new passphrase")],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    assert_eq!(
        browser.viewer_email().await.as_deref(),
        Some("ben@olivine.test")
    );
    assert_eq!(
        old_device.viewer_email().await,
        None,
        "other devices signed out"
    );

    let reply = app
        .browser()
        .call(
            "accounts/reset",
            &[("token", &token), ("password", "yet another passphrase")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "single use");
    assert!(!ok(&app
        .browser()
        .sign_in("ben@olivine.test", DEMO_PASSWORD)
        .await));
    assert!(ok(&app
        .browser()
        .sign_in("ben@olivine.test", "a brand new passphrase")
        .await));
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_rotates_the_session_id(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut browser = app.browser();
    // Session fixation: an id an attacker planted must not become the signed-in session.
    browser.cookie = Some("olivine_session=planted-by-an-attacker".to_owned());
    assert!(ok(&browser
        .sign_in("ann@olivine.test", DEMO_PASSWORD)
        .await));
    let cookie = browser.cookie.clone().expect("a session cookie");
    assert!(!cookie.contains("planted-by-an-attacker"));
    let header = browser.set_cookie.clone().unwrap_or_default();
    assert!(header.contains("HttpOnly"), "{header}");
    assert!(header.contains("SameSite=Lax"), "{header}");
    // Local development runs on http; outside dev the cookie is Secure (see router()).
    assert!(!header.contains("Secure"), "{header}");
    assert_eq!(
        browser.viewer_email().await.as_deref(),
        Some("ann@olivine.test")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn reset_links_are_checked_before_hashing_and_limited_per_address(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut guesser = app.browser();
    guesser.from = "2001:db8:7:7::1".parse().expect("address");
    for attempt in 0..app::ratelimit::RESET_CONFIRM_PER_IP.max {
        let reply = guesser
            .call(
                "accounts/reset",
                &[
                    ("token", &format!("guess-{attempt}")),
                    ("password", "a brand new passphrase"),
                ],
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{}",
            reply.body
        );
        assert!(
            reply.body.contains("expired or was already used"),
            "{}",
            reply.body
        );
    }
    // The next guess from anywhere in the same IPv6 /64 is refused before any work.
    guesser.from = "2001:db8:7:7:abcd::9".parse().expect("address");
    common::assert_too_many(
        &guesser
            .call(
                "accounts/reset",
                &[
                    ("token", "one-more"),
                    ("password", "a brand new passphrase"),
                ],
            )
            .await,
    );
    // Another network still may.
    let mut other = app.browser();
    other.from = "2001:db8:7:8::1".parse().expect("address");
    let reply = other
        .call(
            "accounts/reset",
            &[
                ("token", "someone-else"),
                ("password", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        reply.body
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn production_cookies_are_secure_and_the_dev_mailbox_is_gone(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app_in(db, "prod").await;
    let mut browser = app.browser();
    assert!(ok(&browser
        .sign_in("ann@olivine.test", DEMO_PASSWORD)
        .await));
    let header = browser.set_cookie.clone().unwrap_or_default();
    assert!(
        header.contains("Secure") && header.contains("HttpOnly"),
        "{header}"
    );
    assert_eq!(
        browser.call("dev/mailbox", &[]).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        browser.call("dev/clock", &[("hours", "100")]).await.status,
        StatusCode::NOT_FOUND
    );
    // Production: HSTS everywhere, and nothing personal is stored by any cache.
    let (status, headers) = browser.fetch("/account").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["strict-transport-security"]
            .to_str()
            .unwrap()
            .starts_with("max-age="),
        "{headers:?}"
    );
    assert_eq!(headers["cache-control"], "no-store");
    let reply = browser.call("accounts/viewer", &[]).await;
    assert_eq!(reply.headers["cache-control"], "no-store");
}

#[sqlx::test(migrations = "../migrations")]
async fn dev_tools_answer_only_this_machine(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app_in(db, "dev").await;
    let mut local = app.browser();
    assert_eq!(local.call("dev/mailbox", &[]).await.status, StatusCode::OK);
    assert_eq!(
        local.call("dev/clock", &[("hours", "0")]).await.status,
        StatusCode::OK
    );
    for remote in ["203.0.113.7", "2001:db8::7"] {
        let mut stranger = app.browser();
        stranger.from = remote.parse().expect("address");
        assert_eq!(
            stranger.call("dev/mailbox", &[]).await.status,
            StatusCode::NOT_FOUND,
            "{remote}"
        );
        assert_eq!(
            stranger.call("dev/clock", &[("hours", "100")]).await.status,
            StatusCode::NOT_FOUND,
            "{remote}"
        );
    }
    // A forwarded header naming loopback does not make a stranger local.
    let mut request = axum::http::Request::post("/api/dev/mailbox")
        .header("sec-fetch-site", "same-origin")
        .header("x-forwarded-for", "127.0.0.1")
        .body(axum::body::Body::empty())
        .expect("request");
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [203, 0, 113, 7],
            4000,
        ))));
    let mut stranger = app.browser();
    stranger.from = "203.0.113.7".parse().expect("address");
    assert_eq!(stranger.send(request).await.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.state.clock.now().date_naive(),
        chrono::Utc::now().date_naive()
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn cross_site_posts_are_refused(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let request = Request::post("/api/accounts/sign-in")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("sec-fetch-site", "cross-site")
        .body(Body::from(form(&[
            ("email", "ann@olivine.test"),
            ("password", DEMO_PASSWORD),
        ])))
        .unwrap();
    let reply = app.browser().send(request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let request = Request::post("/api/accounts/sign-out")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::HOST, "127.0.0.1:3000")
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.browser().send(request).await.status,
        StatusCode::FORBIDDEN
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_out_of_other_devices(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut phone = app.browser();
    let mut laptop = app.browser();
    assert!(ok(&phone.sign_in("ann@olivine.test", DEMO_PASSWORD).await));
    assert!(ok(&laptop.sign_in("ann@olivine.test", DEMO_PASSWORD).await));
    let reply = laptop.call("accounts/sign-out-elsewhere", &[]).await;
    assert_eq!(reply.body, "1");
    assert_eq!(phone.viewer_email().await, None);
    assert_eq!(
        laptop.viewer_email().await.as_deref(),
        Some("ann@olivine.test")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn invitations_add_managers_and_ownership_moves(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut hana = app.browser();
    assert!(ok(&hana.sign_in("hana@olivine.test", DEMO_PASSWORD).await));
    let reply = hana
        .call(
            "accounts/org-invite",
            &[("slug", "harbour-hotels"), ("email", "ben@olivine.test")],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    let token = link_token(&app.last_mail_to("ben@olivine.test").await);
    // One open invitation per address, in any case; the address sealed, found by its hash.
    let again = hana
        .call(
            "accounts/org-invite",
            &[("slug", "harbour-hotels"), ("email", "Ben@Olivine.TEST")],
        )
        .await;
    assert_eq!(
        common::unprocessable(&again).field_message("email"),
        Some("This address already has an open invitation.")
    );
    let settings: app::accounts::model::OrganisationSettings = serde_json::from_str(
        &hana
            .call("accounts/org-settings", &[("slug", "harbour-hotels")])
            .await
            .body,
    )
    .expect("settings");
    assert_eq!(
        settings
            .invitations
            .iter()
            .map(|i| i.email.as_str())
            .collect::<Vec<_>>(),
        ["ben@olivine.test"]
    );
    let rows: String = sqlx::query_scalar!(
        r#"SELECT string_agg(to_jsonb(i)::text || encode(i.email_sealed, 'escape'), ' ')
             AS "rows!" FROM organisation_invitations i"#
    )
    .fetch_one(&app.db)
    .await
    .expect("invitations");
    assert!(!rows.contains("ben@"), "in the clear: {rows}");

    // Someone else cannot use Ben's invitation.
    let mut ann = app.browser();
    assert!(ok(&ann.sign_in("ann@olivine.test", DEMO_PASSWORD).await));
    let reply = ann
        .call("accounts/invitation-accept", &[("token", &token)])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);

    let mut ben = app.browser();
    assert!(ok(&ben.sign_in("ben@olivine.test", DEMO_PASSWORD).await));
    let reply = ben
        .call("accounts/invitation-accept", &[("token", &token)])
        .await;
    assert!(ok(&reply), "{}", reply.body);
    let reply = ben
        .call("accounts/org-settings", &[("slug", "harbour-hotels")])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    // Used once.
    let reply = ben
        .call("accounts/invitation-accept", &[("token", &token)])
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);

    let ben_id = common::user(&app.db, "ben@olivine.test").await.to_string();
    let reply = hana
        .call(
            "accounts/org-transfer",
            &[("slug", "harbour-hotels"), ("user_id", &ben_id)],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    let members = sqlx::query!(
        r#"SELECT m.user_id AS "user_id: app::ids::UserId", m.role::text AS "role!"
           FROM organisation_members m JOIN organisations o USING (organisation_id)
           WHERE o.slug = 'harbour-hotels'"#
    )
    .fetch_all(&app.db)
    .await
    .unwrap();
    let mut roles: Vec<(String, String)> = Vec::new();
    for m in members {
        roles.push((
            test_support::people::email_of(&app.db, m.user_id).await,
            m.role,
        ));
    }
    roles.sort();
    assert_eq!(
        roles,
        [
            ("ben@olivine.test".into(), "owner".into()),
            ("hana@olivine.test".into(), "manager".into()),
            ("max@olivine.test".into(), "manager".into()),
        ]
    );
    // Hana is no longer the owner: owner-only calls are refused now.
    let reply = hana
        .call(
            "accounts/org-invite",
            &[("slug", "harbour-hotels"), ("email", "x@example.com")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = "../migrations")]
async fn admin_role_changes_are_audited(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut admin = app.browser();
    assert!(ok(&admin
        .sign_in("admin@olivine.test", DEMO_PASSWORD)
        .await));
    let ann = common::user(&app.db, "ann@olivine.test").await.to_string();
    let reply = admin
        .call(
            "admin/user-role",
            &[("user_id", &ann), ("role", "Freelancer"), ("held", "true")],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    let mut ann_browser = app.browser();
    assert!(ok(&ann_browser
        .sign_in("ann@olivine.test", DEMO_PASSWORD)
        .await));
    let reply = ann_browser.call("accounts/viewer", &[]).await;
    assert!(reply.body.contains("Freelancer"), "{}", reply.body);
    let audited = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM audit_log WHERE action = 'role_granted' AND detail->>'role' = 'freelancer'"#
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // The audit log refuses edits.
    assert!(
        sqlx::query!("DELETE FROM audit_log")
            .execute(&app.db)
            .await
            .is_err()
    );
}

/// The audit log refuses TRUNCATE, and its hash chain shows an edit made behind its back (a
/// superuser switching the guard off) at the first row that no longer matches.
#[sqlx::test(migrations = "../migrations")]
async fn the_audit_trail_reports_the_first_tampered_row(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    for _ in 0..3 {
        let mut browser = app.browser();
        assert!(ok(&browser
            .sign_in("ann@olivine.test", DEMO_PASSWORD)
            .await));
    }
    let mut conn = app.db.acquire().await.expect("connection");
    let rows = match app::audit::verify(&mut conn).await.expect("verify") {
        app::audit::ChainCheck::Intact { rows, seq, head } => {
            assert_eq!(head.len(), 32);
            assert_eq!(seq, rows, "the chain counts from 1 without gaps");
            rows
        }
        broken @ app::audit::ChainCheck::Broken { .. } => panic!("{broken:?}"),
    };
    assert!(rows >= 3, "{rows} rows");
    for table in [
        "audit_log",
        "order_events",
        "stock_movements",
        "contract_events",
    ] {
        let refused = sqlx::query(&format!("TRUNCATE {table} CASCADE"))
            .execute(&mut *conn)
            .await;
        assert!(refused.is_err(), "{table} was truncated");
    }

    let second: i64 =
        sqlx::query_scalar("SELECT audit_id FROM audit_log ORDER BY chain_seq OFFSET 1 LIMIT 1")
            .fetch_one(&mut *conn)
            .await
            .expect("a second row");
    for statement in [
        "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only".to_owned(),
        format!("UPDATE audit_log SET action = 'sign_out' WHERE audit_id = {second}"),
        "ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only".to_owned(),
    ] {
        sqlx::query(&statement)
            .execute(&mut *conn)
            .await
            .expect("superuser edit");
    }
    let check = app::audit::verify(&mut conn).await.expect("verify");
    assert_eq!(
        check,
        app::audit::ChainCheck::Broken {
            audit_id: second,
            chain_seq: 2
        }
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_first_admin_is_bootstrapped_from_the_command_line(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let config = Config::from_lookup(|k| match k {
        "OLIVINE_ENV" => Some("dev".to_owned()),
        "OLIVINE_MEDIA_STORE" => Some("memory".to_owned()),
        "OLIVINE_AUDIT_CHECKPOINTS" => Some("memory".to_owned()),
        "OLIVINE_RESTRICTED_STORE" => Some("memory".to_owned()),
        "OLIVINE_MASTER_KEY" => Some(test_support::TEST_MASTER_KEY.to_owned()),
        _ => None,
    })
    .expect("config");
    let state = server::app_state(&config, app.db.clone()).expect("state");
    let done = app::accounts::admin::bootstrap_admin(&state, " Root@Example.com ")
        .await
        .expect("bootstrap");
    assert!(done.created);
    let link = done.password_link.expect("a set-password link");
    assert!(
        link.starts_with("http://127.0.0.1:3000/reset-password?token="),
        "{link}"
    );
    assert!(app.last_mail_to("Root@Example.com").await.contains(&link));

    // Run again: nothing new, and still no password on any command line.
    let again = app::accounts::admin::bootstrap_admin(&state, "root@example.com")
        .await
        .expect("bootstrap again");
    assert!(!again.created);
    assert_eq!(again.user_id, done.user_id);

    // The link sets the password; the admin then reaches the back office.
    let token = link_token(&link);
    let mut browser = app.browser();
    let reply = browser
        .call(
            "accounts/reset",
            &[
                ("token", &token),
                ("password", "root password, long enough"),
            ],
        )
        .await;
    assert!(ok(&reply), "{}", reply.body);
    // The back office first needs two-step sign-in; once it's on, it opens.
    let refused = browser.call("admin/overview", &[]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        serde_json::from_str::<app::error::AppError>(&refused.body).expect("error JSON"),
        app::error::AppError::SecondFactorRequired { setup: true }
    );
    let reply = browser.call("accounts/authenticator-start", &[]).await;
    let setup: app::accounts::model::AuthenticatorSetup =
        serde_json::from_str(&reply.body).expect("setup JSON");
    let secret = app::accounts::totp::from_base32(&setup.secret).expect("base32");
    let code = common::code_of(&secret, 0);
    let reply = browser
        .call("accounts/authenticator-confirm", &[("code", &code)])
        .await;
    assert!(ok(&reply), "{}", reply.body);
    assert_eq!(
        browser.call("admin/overview", &[]).await.status,
        StatusCode::OK
    );
}

/// A minimal SMTP server on loopback that accepts every message and hands each one's text on.
async fn smtp_sink() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("address").port();
    let (sent, received) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let sent = sent.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ready\r\n").await;
                let mut message = String::new();
                let mut in_data = false;
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            let _ = sent.send(std::mem::take(&mut message));
                            let _ = write.write_all(b"250 queued\r\n").await;
                        } else {
                            message.push_str(&line);
                            message.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        }
                        _ => b"250 ok\r\n",
                    };
                    let _ = write.write_all(answer).await;
                }
            });
        }
    });
    (port, received)
}

/// Mail handed to an SMTP server is not kept in the outbox, so reading the database (a backup,
/// a replica) gives nobody a working reset link, nor what the message said.
#[sqlx::test(migrations = "../migrations")]
async fn delivered_mail_is_not_kept_in_the_outbox(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut browser = app.browser();
    let reply = browser
        .call("accounts/reset-request", &[("email", "ben@olivine.test")])
        .await;
    assert!(ok(&reply), "{}", reply.body);
    let (port, mut received) = smtp_sink().await;
    let url = format!("smtp://127.0.0.1:{port}");
    let config = Config::from_lookup(|k| match k {
        "OLIVINE_ENV" => Some("dev".to_owned()),
        "OLIVINE_SMTP_URL" => Some(url.clone()),
        _ => None,
    })
    .expect("config");
    let smtp = server::jobs::mail::Transport::from_config(&config).expect("transport");
    assert!(
        server::jobs::mail::relay_once(&app.db, app.state.vault.clone(), smtp)
            .await
            .expect("relay")
            >= 1
    );
    let delivered = received.recv().await.expect("a message reached the server");
    assert!(delivered.contains("token="), "{delivered}");
    // What the outbox keeps of it: that it went out, when, to whose lookup hash.
    let lookup = app
        .state
        .vault
        .email_lookup(
            &mut app.db.acquire().await.expect("connection"),
            "ben@olivine.test",
        )
        .await
        .expect("lookup");
    let kept = sqlx::query!(
        r#"SELECT transport, recipient, subject, body_text, unsubscribe_url,
                  message_sealed IS NOT NULL AS "sealed!"
             FROM email_outbox WHERE recipient_lookup = $1 AND sent_at IS NOT NULL"#,
        lookup
    )
    .fetch_all(&app.db)
    .await
    .expect("outbox");
    assert!(!kept.is_empty());
    for row in kept {
        assert_eq!(row.transport.as_deref(), Some("smtp"));
        assert!(!row.sealed, "the message was forgotten");
        assert_eq!(
            (
                row.recipient,
                row.subject,
                row.body_text,
                row.unsubscribe_url
            ),
            (None, None, None, None)
        );
    }
}

/// The sessions table holds hashes of session ids, and no id in the stored data: the cookie
/// works, the table does not give it away.
#[sqlx::test(migrations = "../migrations")]
async fn sessions_are_stored_under_a_hash_of_their_id(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut browser = app.browser();
    assert!(ok(&browser
        .sign_in("ann@olivine.test", DEMO_PASSWORD)
        .await));
    let cookie = browser.cookie.clone().expect("a session cookie");
    let id = cookie.trim_start_matches("olivine_session=").to_owned();
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT id, data FROM tower_sessions.session")
            .fetch_all(&app.db)
            .await
            .expect("sessions");
    assert!(!rows.is_empty());
    for (key, data) in &rows {
        assert_ne!(key, &id);
        assert!(!String::from_utf8_lossy(data).contains(&id));
    }
    use sha2::Digest;
    let hashed: String = sha2::Sha256::digest(id.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(rows.iter().any(|(key, _)| *key == hashed));
    assert_eq!(
        browser.viewer_email().await.as_deref(),
        Some("ann@olivine.test")
    );
}

/// Creating organisations is limited per person (each can invite managers by email).
#[sqlx::test(migrations = "../migrations")]
async fn creating_organisations_is_limited(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let mut ben = app.browser();
    assert!(ok(&ben.sign_in("ben@olivine.test", DEMO_PASSWORD).await));
    for n in 0..app::ratelimit::ORGS_CREATED_PER_USER.max {
        let reply = ben
            .call(
                "accounts/org-create",
                &[("name", &format!("Ben Trading {n}"))],
            )
            .await;
        assert!(ok(&reply), "{}", reply.body);
    }
    common::assert_too_many(
        &ben.call("accounts/org-create", &[("name", "One Too Many BV")])
            .await,
    );
}
