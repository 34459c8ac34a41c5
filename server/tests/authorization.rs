//! Who may call which server function: every protected endpoint against every kind of person,
//! and a completeness check that fails when a new server function is in neither the matrix nor
//! the list of those open to anyone.

use axum::http::StatusCode;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

mod common;
use common::{app, ok};

/// A protected server function: endpoint, arguments, and who may call it.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a str>);

/// Who may call what. `None` = signed out.
const PEOPLE: &[(&str, Option<&str>)] = &[
    ("anonymous", None),
    ("shopper", Some("ann@olivine.test")),
    ("freelancer", Some("fay@olivine.test")),
    ("harbour owner", Some("hana@olivine.test")),
    ("harbour manager", Some("max@olivine.test")),
    ("meadow owner", Some("mia@olivine.test")),
    ("admin", Some("admin@olivine.test")),
];

#[sqlx::test(migrations = "../migrations")]
async fn authorization_matrix(_: PgPoolOptions, options: PgConnectOptions) {
    let db = common::own_pool(options).await;
    let app = app(db).await;
    let ann = common::user(&app.db, "ann@olivine.test").await.to_string();
    let max = common::user(&app.db, "max@olivine.test").await.to_string();
    let fay = common::user(&app.db, "fay@olivine.test").await.to_string();
    let harbour = ["harbour owner", "harbour manager"];
    let invitation = uuid::Uuid::nil().to_string();
    let signed_in = [
        "shopper",
        "freelancer",
        "harbour owner",
        "harbour manager",
        "meadow owner",
        "admin",
    ];
    // (endpoint, arguments, who is allowed)
    let nobody = uuid::Uuid::nil().to_string();
    let cases: Vec<Case> = vec![
        ("accounts/overview", vec![], signed_in.to_vec()),
        (
            "accounts/notifications",
            vec![("page", "1")],
            signed_in.to_vec(),
        ),
        ("accounts/notifications-read", vec![], signed_in.to_vec()),
        // A customer's own subscriptions; another person's id is not found (`subscriptions.rs`).
        ("subscriptions/mine", vec![], signed_in.to_vec()),
        (
            "subscriptions/skip",
            vec![("id", &nobody)],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/pause",
            vec![("id", &nobody), ("until", "")],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/resume",
            vec![("id", &nobody)],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/every",
            vec![("id", &nobody), ("every", "2")],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/quantity",
            vec![("id", &nobody), ("quantity", "2")],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/cancel",
            vec![("id", &nobody), ("reason", "too_much")],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/size",
            vec![("id", &nobody), ("variant", &nobody)],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/address",
            vec![
                ("id", &nobody),
                ("address[name]", "Ann Example"),
                ("address[line1]", "Keizersgracht 1"),
                ("address[postal_code]", "1015 CJ"),
                ("address[city]", "Amsterdam"),
                ("address[country]", "NL"),
            ],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/card-setup",
            vec![("id", &nobody)],
            signed_in.to_vec(),
        ),
        (
            "subscriptions/card-saved",
            vec![("id", &nobody), ("setup", "seti_nobody")],
            signed_in.to_vec(),
        ),
        ("accounts/email-preferences", vec![], signed_in.to_vec()),
        ("accounts/privacy", vec![], signed_in.to_vec()),
        ("accounts/privacy-export", vec![], signed_in.to_vec()),
        // Erasure: one's own (unticked, nothing is asked; a made-up request is not theirs).
        ("accounts/privacy-erasure", vec![], signed_in.to_vec()),
        ("accounts/privacy-erase", vec![], signed_in.to_vec()),
        (
            "accounts/privacy-erasure-cancel",
            vec![("id", &nobody)],
            signed_in.to_vec(),
        ),
        (
            "restock/ask",
            vec![("variant", &nobody)],
            signed_in.to_vec(),
        ),
        (
            "restock/withdraw",
            vec![("variant", &nobody)],
            signed_in.to_vec(),
        ),
        (
            "accounts/email-preferences-save",
            vec![("email[offer_made]", "immediately")],
            signed_in.to_vec(),
        ),
        (
            "accounts/notification-read",
            vec![("id", &nobody)],
            signed_in.to_vec(),
        ),
        ("accounts/sign-out-elsewhere", vec![], signed_in.to_vec()),
        // Two-step sign-in: one's own (`second_factor.rs` for what each does).
        ("accounts/two-step", vec![], signed_in.to_vec()),
        (
            "accounts/second-factor-confirm",
            vec![("code", "000000")],
            signed_in.to_vec(),
        ),
        ("accounts/authenticator-start", vec![], signed_in.to_vec()),
        (
            "accounts/authenticator-confirm",
            vec![("code", "000000")],
            signed_in.to_vec(),
        ),
        ("accounts/recovery-codes", vec![], signed_in.to_vec()),
        ("accounts/authenticator-off", vec![], signed_in.to_vec()),
        ("accounts/passkey-options", vec![], signed_in.to_vec()),
        (
            "accounts/passkey-add",
            vec![("name", "Laptop"), ("answer", "{}")],
            signed_in.to_vec(),
        ),
        (
            "accounts/passkey-remove",
            vec![("passkey", "00000000-0000-0000-0000-000000000000")],
            signed_in.to_vec(),
        ),
        (
            "accounts/passkey-confirm-options",
            vec![],
            signed_in.to_vec(),
        ),
        (
            "accounts/passkey-confirm",
            vec![("answer", "{}")],
            signed_in.to_vec(),
        ),
        (
            "accounts/profile",
            vec![("display_name", "Same Name")],
            signed_in.to_vec(),
        ),
        (
            "accounts/org-settings",
            vec![("slug", "harbour-hotels")],
            vec!["harbour owner", "harbour manager"],
        ),
        (
            "accounts/org-settings",
            vec![("slug", "meadow-events")],
            vec!["meadow owner"],
        ),
        (
            "accounts/org-invite",
            vec![
                ("slug", "harbour-hotels"),
                ("email", "new.manager@example.com"),
            ],
            vec!["harbour owner"],
        ),
        (
            "accounts/org-revoke-invitation",
            vec![("slug", "harbour-hotels"), ("invitation_id", &invitation)],
            vec!["harbour owner"],
        ),
        (
            "accounts/org-remove-member",
            vec![("slug", "meadow-events"), ("user_id", &max)],
            vec!["meadow owner"],
        ),
        (
            "accounts/org-transfer",
            vec![("slug", "harbour-hotels"), ("user_id", &ann)],
            vec!["harbour owner"],
        ),
        (
            "accounts/org-create",
            vec![("name", "")],
            signed_in.to_vec(),
        ),
        (
            "accounts/invitation-accept",
            vec![("token", "not-a-real-token")],
            signed_in.to_vec(),
        ),
        (
            "accounts/password",
            vec![
                ("current", "not the password"),
                ("new", "irrelevant but long"),
            ],
            signed_in.to_vec(),
        ),
        (
            "accounts/sign-out-device",
            vec![("login_id", &invitation)],
            signed_in.to_vec(),
        ),
        (
            "accounts/oidc-link",
            vec![("provider", "no-such-provider")],
            signed_in.to_vec(),
        ),
        (
            "accounts/oidc-unlink",
            vec![("provider", "no-such-provider")],
            signed_in.to_vec(),
        ),
        ("admin/overview", vec![], vec!["admin"]),
        (
            "admin/users",
            vec![("query", ""), ("page", "1")],
            vec!["admin"],
        ),
        (
            "admin/audit",
            vec![("query[action]", "sign_in")],
            vec!["admin"],
        ),
        ("admin/audit/chain", vec![], vec!["admin"]),
        // Privacy requests: support asks (an unknown address is refused) and cancels.
        ("admin/privacy", vec![], vec!["admin"]),
        (
            "admin/privacy-erase",
            vec![("email", "nobody@olivine.test"), ("note", "By phone")],
            vec!["admin"],
        ),
        ("admin/privacy-cancel", vec![("id", &nobody)], vec!["admin"]),
        (
            "admin/user-role",
            vec![("user_id", &ann), ("role", "Freelancer"), ("held", "false")],
            vec!["admin"],
        ),
        (
            "admin/products",
            vec![("query", ""), ("sort", "name"), ("page", "1")],
            vec!["admin"],
        ),
        (
            "admin/inventory-alerts",
            vec![("days", "30")],
            vec!["admin"],
        ),
        // The catalog editor, on made-up ids: admins get 404/422, everyone else a refusal.
        ("admin/product-editor", vec![("id", &nobody)], vec!["admin"]),
        ("admin/editor-choices", vec![], vec!["admin"]),
        (
            "admin/product/create",
            vec![("product[name]", "")],
            vec!["admin"],
        ),
        (
            "admin/product/save",
            vec![("id", &nobody), ("product[name]", "")],
            vec!["admin"],
        ),
        (
            "admin/product/publish",
            vec![("id", &nobody), ("publish", "true")],
            vec!["admin"],
        ),
        (
            "admin/variant/add",
            vec![("product", &nobody), ("variant[sku]", "X-1")],
            vec!["admin"],
        ),
        (
            "admin/variant/save",
            vec![("id", &nobody), ("variant[sku]", "X-1")],
            vec!["admin"],
        ),
        (
            "admin/lot/receive",
            vec![("variant_id", &nobody), ("lot[quantity]", "1")],
            vec!["admin"],
        ),
        (
            "admin/lot/adjust",
            vec![("lot_id", &nobody), ("adjust[quantity]", "1")],
            vec!["admin"],
        ),
        (
            "admin/image/alt",
            vec![("image", &nobody), ("alt_text", "A jar")],
            vec!["admin"],
        ),
        (
            "admin/image/move",
            vec![("image", &nobody), ("direction", "earlier")],
            vec!["admin"],
        ),
        (
            "admin/image/remove",
            vec![("image", &nobody)],
            vec!["admin"],
        ),
        (
            "admin/image/reprocess",
            vec![("image", &nobody)],
            vec!["admin"],
        ),
        // Orders: support and finance admins; made-up orders are 404 to them.
        (
            "admin/orders",
            vec![("status", ""), ("q", ""), ("page", "1")],
            vec!["admin"],
        ),
        ("admin/order", vec![("order", &nobody)], vec!["admin"]),
        (
            "admin/order/advance",
            vec![
                ("order", &nobody),
                ("to", "packed"),
                ("tracking_number", ""),
            ],
            vec!["admin"],
        ),
        (
            "admin/order/cancel",
            vec![("order", &nobody), ("reason", "Test")],
            vec!["admin"],
        ),
        (
            "admin/order/refund",
            vec![("order", &nobody), ("amount", "1"), ("reason", "Test")],
            vec!["admin"],
        ),
        // Subscriptions: support and finance admins see them, support retries; made-up ones
        // are 404 to them.
        (
            "admin/subscriptions",
            vec![("status", ""), ("due_by", ""), ("email", ""), ("page", "1")],
            vec!["admin"],
        ),
        ("admin/subscriptions/units-due", vec![], vec!["admin"]),
        ("admin/subscription", vec![("id", &nobody)], vec!["admin"]),
        (
            "admin/subscription/retry",
            vec![("id", &nobody)],
            vec!["admin"],
        ),
        // Reviews: writing and voting need an account (the service then asks for a delivered
        // order, a published review); moderation is for support admins.
        (
            "reviews/write",
            vec![
                ("product", &nobody),
                ("rating", "5"),
                ("title", "T"),
                ("body", "B"),
            ],
            signed_in.to_vec(),
        ),
        (
            "reviews/helpful",
            vec![("review", &nobody)],
            signed_in.to_vec(),
        ),
        (
            "admin/reviews",
            vec![("status", "pending"), ("page", "1")],
            vec!["admin"],
        ),
        (
            "admin/review/moderate",
            vec![("review", &nobody), ("decision", "publish"), ("reason", "")],
            vec!["admin"],
        ),
        // Loyalty: customers read their own points; support admins look up and adjust.
        ("loyalty/mine", vec![("page", "1")], signed_in.to_vec()),
        (
            "admin/loyalty",
            vec![("email", "nobody@example.com"), ("page", "1")],
            vec!["admin"],
        ),
        (
            "admin/loyalty/adjust",
            vec![("user", &nobody), ("points", "10"), ("reason", "Test")],
            vec!["admin"],
        ),
        // Disputes: finance admins only.
        ("admin/disputes", vec![("status", "")], vec!["admin"]),
        ("admin/dispute", vec![("dispute", &nobody)], vec!["admin"]),
        (
            "admin/dispute/resolve",
            vec![
                ("dispute", &nobody),
                ("outcome", "refund"),
                ("amount", ""),
                ("note", "Test"),
            ],
            vec!["admin"],
        ),
        // Reconciliation with Stripe: finance admins only.
        ("admin/finance/reconciliation", vec![], vec!["admin"]),
        ("admin/finance/reconcile", vec![], vec!["admin"]),
        // Hire: every marketplace server function. Freelancer calls need the role; organisation
        // calls need a membership of the organisation named (Meadow's owner is refused at
        // Harbour's door); a profile is for its owner and for hiring managers.
        // The bundled cities, skills and certificate types: public reference data.
        (
            "hire/reference",
            vec![],
            PEOPLE.iter().map(|(who, _)| *who).collect(),
        ),
        ("hire/profile/mine", vec![], signed_in.to_vec()),
        // An incomplete profile: a business refusal (422) that grants no role.
        (
            "hire/profile/save",
            vec![("profile[headline]", "x")],
            signed_in.to_vec(),
        ),
        (
            "hire/profile/day-off",
            vec![("day", "2020-01-01"), ("note", "")],
            vec!["freelancer"],
        ),
        (
            "hire/profile/day-off/remove",
            vec![("day", "2020-01-01")],
            vec!["freelancer"],
        ),
        (
            "hire/freelancer",
            vec![("id", &fay)],
            vec![
                "freelancer",
                "harbour owner",
                "harbour manager",
                "meadow owner",
                // Support admins, who verify certificates and answer for people.
                "admin",
            ],
        ),
        (
            "hire/apply",
            vec![("shift", &nobody), ("note", ""), ("proposed", "")],
            vec!["freelancer"],
        ),
        (
            "hire/week/submit",
            vec![
                ("contract", &nobody),
                ("week[week]", "2020-01-06"),
                ("week[days][1]", "8"),
            ],
            vec!["freelancer"],
        ),
        (
            "hire/delivery/submit",
            vec![("contract", &nobody), ("note", "Done")],
            vec!["freelancer"],
        ),
        ("hire/applications/mine", vec![], vec!["freelancer"]),
        (
            "hire/application/withdraw",
            vec![("application", &nobody), ("reason", "Test")],
            vec!["freelancer"],
        ),
        (
            "hire/offer/accept",
            vec![("application", &nobody)],
            vec!["freelancer"],
        ),
        ("hire/contracts/mine", vec![], vec!["freelancer"]),
        ("hire/openings", vec![], vec!["freelancer"]),
        (
            "hire/hours/submit",
            vec![
                ("contract", &nobody),
                ("hours[date]", "2020-01-01"),
                ("hours[starts]", "09:00"),
                ("hours[ends]", "17:00"),
                ("hours[break_minutes]", "0"),
            ],
            vec!["freelancer"],
        ),
        (
            "hire/contract/cancel",
            vec![("contract", &nobody), ("reason", "Test")],
            vec!["freelancer"],
        ),
        (
            "hire/dispute/escalate",
            vec![("dispute", &nobody), ("note", "Test")],
            vec!["freelancer"],
        ),
        (
            "hire/org/dispute/escalate",
            vec![
                ("slug", "harbour-hotels"),
                ("dispute", &nobody),
                ("note", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/home",
            vec![("slug", "harbour-hotels")],
            harbour.to_vec(),
        ),
        (
            "hire/org/home",
            vec![("slug", "meadow-events")],
            vec!["meadow owner"],
        ),
        (
            "hire/org/billing",
            vec![("slug", "harbour-hotels")],
            harbour.to_vec(),
        ),
        (
            "hire/org/card/start",
            vec![("slug", "harbour-hotels")],
            harbour.to_vec(),
        ),
        (
            "hire/org/card/finish",
            vec![("slug", "harbour-hotels"), ("setup", "seti_unknown")],
            harbour.to_vec(),
        ),
        (
            "hire/org/charge/retry",
            vec![("slug", "harbour-hotels"), ("charge", &nobody)],
            harbour.to_vec(),
        ),
        (
            "hire/org/shift/create",
            vec![("slug", "harbour-hotels"), ("shift[title]", "")],
            harbour.to_vec(),
        ),
        (
            "hire/org/shift",
            vec![("slug", "harbour-hotels"), ("id", &nobody)],
            harbour.to_vec(),
        ),
        (
            "hire/org/shift/recommended",
            vec![
                ("slug", "harbour-hotels"),
                ("shift", &nobody),
                ("within_km", "25"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/shift/draft",
            vec![("slug", "harbour-hotels"), ("id", &nobody)],
            harbour.to_vec(),
        ),
        (
            "hire/org/shift/update",
            vec![
                ("slug", "harbour-hotels"),
                ("id", &nobody),
                ("shift[title]", ""),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/job/create",
            vec![("slug", "harbour-hotels"), ("job[title]", "")],
            harbour.to_vec(),
        ),
        (
            "hire/org/job/update",
            vec![
                ("slug", "harbour-hotels"),
                ("id", &nobody),
                ("job[title]", ""),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/week/approve",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("monday", "2020-01-06"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/week/adjust",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("monday", "2020-01-06"),
                ("week[week]", "2020-01-06"),
                ("week[days][1]", "8"),
                ("reason", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/week/dispute",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("monday", "2020-01-06"),
                ("reason", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/delivery/approve",
            vec![("slug", "harbour-hotels"), ("contract", &nobody)],
            harbour.to_vec(),
        ),
        (
            "hire/org/delivery/dispute",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("reason", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/invite",
            vec![
                ("slug", "harbour-hotels"),
                ("shift", &nobody),
                ("freelancer", &fay),
                ("message", ""),
            ],
            harbour.to_vec(),
        ),
        // Empty for anyone who manages no organisation.
        (
            "hire/invitable",
            vec![("freelancer", &fay)],
            signed_in.to_vec(),
        ),
        (
            "hire/org/shift/change",
            vec![
                ("slug", "harbour-hotels"),
                ("id", &nobody),
                ("to", "published"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/offer",
            vec![("slug", "harbour-hotels"), ("application", &nobody)],
            harbour.to_vec(),
        ),
        (
            "hire/org/reject",
            vec![
                ("slug", "harbour-hotels"),
                ("application", &nobody),
                ("reason", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/hours/approve",
            vec![("slug", "harbour-hotels"), ("contract", &nobody)],
            harbour.to_vec(),
        ),
        (
            "hire/org/hours/adjust",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("hours[date]", "2020-01-01"),
                ("hours[starts]", "09:00"),
                ("hours[ends]", "17:00"),
                ("hours[break_minutes]", "0"),
                ("reason", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/hours/dispute",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("reason", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/contract/cancel",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("reason", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/no-show",
            vec![("slug", "harbour-hotels"), ("contract", &nobody)],
            harbour.to_vec(),
        ),
        (
            "hire/org/job/end",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("reason", "Test"),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/org/rate",
            vec![
                ("slug", "harbour-hotels"),
                ("contract", &nobody),
                ("stars", "5"),
                ("comment", ""),
            ],
            harbour.to_vec(),
        ),
        (
            "hire/work/rate",
            vec![("contract", &nobody), ("stars", "5"), ("comment", "")],
            vec!["freelancer"],
        ),
        ("hire/certificates/mine", vec![], vec!["freelancer"]),
        // Payouts and earnings: the freelancer's own.
        ("hire/payouts/setup", vec![], vec!["freelancer"]),
        ("hire/payouts/connect", vec![], vec!["freelancer"]),
        ("hire/work/earnings", vec![], vec!["freelancer"]),
        // Messages: a freelancer's own threads; an organisation's for its members.
        ("hire/messages", vec![], vec!["freelancer"]),
        (
            "hire/thread",
            vec![("application", &nobody)],
            vec!["freelancer"],
        ),
        (
            "hire/message/send",
            vec![("application", &nobody), ("body", "Hello")],
            vec!["freelancer"],
        ),
        (
            "hire/org/messages",
            vec![("slug", "harbour-hotels")],
            harbour.to_vec(),
        ),
        (
            "hire/org/thread",
            vec![("slug", "harbour-hotels"), ("application", &nobody)],
            harbour.to_vec(),
        ),
        (
            "hire/org/message/send",
            vec![
                ("slug", "harbour-hotels"),
                ("application", &nobody),
                ("body", "Hello"),
            ],
            harbour.to_vec(),
        ),
        ("hire/messages/unread", vec![], signed_in.to_vec()),
        // Unreadable Stripe events: finance admins act; other admins are shown none.
        ("admin/stripe/unreadable", vec![], vec!["admin"]),
        (
            "admin/stripe/unreadable/review",
            vec![("id", &nobody)],
            vec!["admin"],
        ),
        // Certificate verification: support admins.
        ("admin/verification", vec![], vec!["admin"]),
        // Background jobs: support admins.
        ("admin/jobs", vec![], vec!["admin"]),
        (
            "admin/jobs/retry",
            vec![("job", "none"), ("item", "none")],
            vec!["admin"],
        ),
        (
            "admin/verification/review",
            vec![
                ("certificate", &nobody),
                ("decision", "reject"),
                ("expires_on", ""),
                ("reason", "Test"),
            ],
            vec!["admin"],
        ),
    ];
    // Every server function is in the matrix above or here, open to anyone on purpose (each
    // still scopes what it returns to the caller: their cart, their orders, their session).
    // A new server function in neither list fails this test until someone decides who may
    // call it.
    let open_to_anyone = [
        "accounts/invitation",
        "accounts/oidc-start",
        "accounts/providers",
        "accounts/reset",
        "accounts/reset-check",
        "accounts/reset-request",
        // A sign-in's second step: the first step waiting in this session is the authority.
        "accounts/second-factor",
        "accounts/passkey-second-step",
        "accounts/passkey-second-step-options",
        // A passkey sign-in: the ceremony this session started is the authority, and an
        // address without a passkey gets options no device answers.
        "accounts/passkey-sign-in",
        "accounts/passkey-sign-in-options",
        "accounts/sign-in",
        "accounts/sign-in-link",
        "accounts/sign-out",
        "accounts/sign-up",
        "accounts/verify-email",
        "accounts/viewer",
        // A visitor's count is nothing (`null`), not a refusal: the header asks on every page.
        "accounts/notifications-unread",
        // An email's unsubscribe link: its token is the authority (no session needed).
        "email/unsubscribe",
        "email/unsubscribe-link",
        // Open work is browsable before signing up; a visitor's answer holds nothing private
        // (`visitors_browse_open_work_without_anything_private`).
        "hire/work",
        "hire/shift",
        // A visitor asked about nothing (`false`).
        "restock/asked",
        "cart/add",
        "cart/every",
        "cart/remove",
        "cart/set",
        "cart/view",
        "catalog/categories",
        "catalog/category",
        "catalog/home",
        "catalog/product",
        "catalog/search",
        "catalog/suggest",
        // A product's published reviews; what the caller may do is about the caller only.
        "reviews/product",
        "checkout/options",
        "checkout/resume",
        "checkout/start",
        "checkout/summary",
        "orders/detail",
        "orders/mine",
        // Development only, and only to this machine: `dev_tools_answer_only_this_machine`.
        "dev/clock",
        "dev/mailbox",
    ];
    let registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    assert!(registered.len() > 100, "{registered:?}");
    let unlisted: Vec<&String> = registered
        .iter()
        .filter(|path| {
            !open_to_anyone.contains(&path.as_str())
                && !cases
                    .iter()
                    .any(|(endpoint, _, _)| *endpoint == path.as_str())
        })
        .collect();
    assert!(
        unlisted.is_empty(),
        "server functions missing from the authorization matrix: {unlisted:?}"
    );

    let mut failures = Vec::new();
    for (who, email) in PEOPLE {
        let mut browser = app.browser();
        if let Some(email) = email {
            assert!(
                ok(&browser.sign_in(email, DEMO_PASSWORD).await),
                "{who} signs in"
            );
        }
        for (endpoint, args, allowed) in &cases {
            let reply = browser.call(endpoint, args).await;
            let expected_refusal = if email.is_none() {
                StatusCode::UNAUTHORIZED
            } else {
                StatusCode::FORBIDDEN
            };
            let permitted = allowed.contains(who);
            // Allowed callers may still get a business answer (404 for a made-up invitation,
            // 422 for removing someone who is not a member) but never 401/403.
            let pass = if permitted {
                reply.status != StatusCode::UNAUTHORIZED
                    && reply.status != StatusCode::FORBIDDEN
                    && reply.status != StatusCode::INTERNAL_SERVER_ERROR
            } else {
                reply.status == expected_refusal
            };
            if !pass {
                failures.push(format!(
                    "{who} → {endpoint} {args:?}: {} {}",
                    reply.status, reply.body
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "authorization matrix:\n{}",
        failures.join("\n")
    );

    // Cross-organisation reads: Harbour's settings never list Meadow's people, and the
    // Meadow owner's attempt to read Harbour is refused (checked above), not emptied.
    let mut hana = app.browser();
    assert!(ok(&hana.sign_in("hana@olivine.test", DEMO_PASSWORD).await));
    let reply = hana
        .call("accounts/org-settings", &[("slug", "harbour-hotels")])
        .await;
    assert!(reply.body.contains("max@olivine.test"));
    assert!(!reply.body.contains("mia@olivine.test") && !reply.body.contains("leo@olivine.test"));
}
