//! Passkeys through the real router and database: the options each ceremony hands the
//! browser, the ceremony kept in the session and answering once, and a passkey sign-in that
//! tells nobody which addresses have accounts. A real authenticator answering them is in the
//! browser suite (`end2end/tests/passkeys.spec.ts`, Chromium's virtual authenticator).

use axum::http::StatusCode;
use serde_json::Value;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{Browser, app, ok, signed_in, unprocessable};

/// The options a server function answered with (a JSON text inside the JSON reply).
async fn options(browser: &mut Browser<'_>, endpoint: &str, args: &[(&str, &str)]) -> Value {
    let reply = browser.call(endpoint, args).await;
    assert!(ok(&reply), "{endpoint}: {}", reply.body);
    let text: String = serde_json::from_str(&reply.body).expect("a JSON string");
    serde_json::from_str(&text).expect("options JSON")
}

fn keys(value: &Value) -> Vec<&String> {
    let mut keys: Vec<&String> = value.as_object().expect("an object").keys().collect();
    keys.sort();
    keys
}

#[sqlx::test(migrations = "../migrations")]
async fn an_address_without_a_passkey_gets_options_like_any_other_and_signs_in_nobody(
    _: PgPoolOptions,
    options_: PgConnectOptions,
) {
    let app = app(common::own_pool(options_).await).await;
    let mut browser = app.browser();
    let sign_in = "accounts/passkey-sign-in-options";
    let nobody = options(&mut browser, sign_in, &[("email", "nobody@example.com")]).await;
    let again = options(&mut browser, sign_in, &[("email", "nobody@example.com")]).await;
    // Ann has an account and no passkey.
    let ann = options(&mut browser, sign_in, &[("email", "ann@olivine.test")]).await;

    for answer in [&nobody, &again, &ann] {
        let key = &answer["publicKey"];
        assert_eq!(keys(key), keys(&nobody["publicKey"]), "{answer}");
        assert_eq!(key["rpId"], "localhost", "a loopback site is localhost");
        assert_eq!(key["userVerification"], "required");
        assert_eq!(key["allowCredentials"].as_array().map(Vec::len), Some(1));
    }
    let credential = |answer: &Value| answer["publicKey"]["allowCredentials"][0]["id"].clone();
    assert_eq!(
        credential(&nobody),
        credential(&again),
        "the same each time"
    );
    assert_ne!(credential(&nobody), credential(&ann));
    assert_ne!(
        nobody["publicKey"]["challenge"], again["publicKey"]["challenge"],
        "a new challenge each time"
    );

    // Whatever the browser answers, nobody is signed in.
    let reply = browser
        .call("accounts/passkey-sign-in", &[("answer", "{}")])
        .await;
    assert!(unprocessable(&reply).to_string().contains("no passkey"));
    assert_eq!(browser.viewer_email().await, None);
    // The ceremony answered once: another answer finds none.
    let reply = browser
        .call("accounts/passkey-sign-in", &[("answer", "{}")])
        .await;
    assert!(unprocessable(&reply).to_string().contains("took too long"));

    // An address is needed first.
    let reply = browser.call(sign_in, &[("email", "")]).await;
    assert!(unprocessable(&reply).field_message("email").is_some());
}

#[sqlx::test(migrations = "../migrations")]
async fn a_new_passkey_answers_the_options_of_its_own_session_once(
    _: PgPoolOptions,
    options_: PgConnectOptions,
) {
    let app = app(common::own_pool(options_).await).await;
    let ann = common::user(&app.db, "ann@olivine.test").await;
    let mut browser = signed_in(&app, "ann@olivine.test").await;
    let made = options(&mut browser, "accounts/passkey-options", &[]).await;
    let key = &made["publicKey"];
    assert_eq!(key["rp"]["id"], "localhost");
    assert_eq!(key["user"]["name"], "ann@olivine.test");
    assert_eq!(
        key["authenticatorSelection"]["userVerification"],
        "required"
    );
    assert_eq!(key["excludeCredentials"].as_array().map(Vec::len), Some(0));

    // An answer that is no passkey's is refused, and spends the ceremony.
    let add = |answer: &'static str, name: &'static str| [("name", name), ("answer", answer)];
    let reply = browser
        .call("accounts/passkey-add", &add("not JSON", "Laptop"))
        .await;
    assert!(
        unprocessable(&reply)
            .to_string()
            .contains("could not be read")
    );
    let reply = browser
        .call("accounts/passkey-add", &add("{}", "Laptop"))
        .await;
    assert!(unprocessable(&reply).to_string().contains("took too long"));
    // A name is needed before anything else is looked at.
    let reply = browser.call("accounts/passkey-add", &add("{}", "  ")).await;
    assert!(unprocessable(&reply).to_string().contains("name"));

    // Another browser of Ann's cannot answer this one's ceremony.
    options(&mut browser, "accounts/passkey-options", &[]).await;
    let mut other = signed_in(&app, "ann@olivine.test").await;
    let reply = other
        .call("accounts/passkey-add", &add("{}", "Laptop"))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unprocessable(&reply).to_string().contains("took too long"));

    let stored: i64 = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM passkeys WHERE user_id = $1"#,
        ann.0
    )
    .fetch_one(&app.db)
    .await
    .unwrap();
    assert_eq!(stored, 0);
    // Nor can anyone confirm with a passkey they do not have.
    let reply = browser.call("accounts/passkey-confirm-options", &[]).await;
    assert!(unprocessable(&reply).to_string().contains("no passkey"));
}
