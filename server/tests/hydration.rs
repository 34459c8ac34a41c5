//! What the server sends for the browser to hydrate: each resource a page loads is serialized
//! once. Suspense builds its children more than once on the server while it waits; a resource
//! created inside them was created again each time, under new ids, so the browser (which
//! creates it once) read another resource's data — or the error of a copy that had lost its
//! page's context — and hydration failed.

mod common;

use common::{Reply, shop, signed_in};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use test_support::hire::{Cast, hire_day};

/// The ids of the resources the page serialized, as the page lists them for the browser.
fn serialized_resources(reply: &Reply) -> Vec<u64> {
    let list = reply
        .body
        .split("__PENDING_RESOURCES=[")
        .nth(1)
        .and_then(|rest| rest.split(']').next())
        .unwrap_or_else(|| panic!("no resources listed in {}", reply.body));
    list.split(',')
        .filter(|id| !id.is_empty())
        .map(|id| id.trim().parse().expect("a resource id"))
        .collect()
}

/// Every resource of the app's shell: the viewer, their unread notifications, the cart.
const SHELL: usize = 3;

async fn assert_resources(browser: &mut common::Browser<'_>, path: &str, own: &[&str]) {
    // Twice: the copies that lost their context failed only on later requests.
    for _ in 0..2 {
        let reply = browser.read(path).await;
        assert!(common::ok(&reply), "{path}: {}", reply.status);
        let ids = serialized_resources(&reply);
        assert_eq!(
            ids.len(),
            SHELL + own.len(),
            "{path} should serialize the shell's resources and {own:?}, once each: {ids:?}"
        );
        assert!(
            !reply.body.contains(r#"{"Err":"Internal"}"#),
            "{path} serialized an internal error"
        );
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_serialize_each_resource_once(_: PgPoolOptions, options: PgConnectOptions) {
    let app = shop(options).await;
    let product = ["product", "back in stock", "reviews"];
    assert_resources(&mut app.browser(), "/products/vitamin-d3-1000-iu", &product).await;
    let mut ann = signed_in(&app, "ann@olivine.test").await;
    assert_resources(&mut ann, "/products/vitamin-d3-1000-iu", &product).await;

    let mut fay = signed_in(&app, "fay@olivine.test").await;
    assert_resources(
        &mut fay,
        "/hire/profile",
        &["navigation", "profile", "payouts"],
    )
    .await;
    assert_resources(&mut fay, "/hire/work/earnings", &["navigation", "earnings"]).await;

    let cast = Cast::of(&app.state).await;
    let shift = cast.open_shift(&app.state, hire_day(3), 2).await;
    let mut hana = signed_in(&app, "hana@olivine.test").await;
    assert_resources(
        &mut hana,
        "/hire/org/harbour-hotels",
        &["navigation", "home"],
    )
    .await;
    let page = format!("/hire/org/harbour-hotels/shifts/{shift}");
    assert_resources(&mut hana, &page, &["navigation", "shift", "candidates"]).await;
}
