//! Olivine's Leptos app: pages, components, server functions and the domain.
//! Server-only parts are behind the `ssr` feature and never reach the browser.

// Leptos view types nest deeply; computing their layout needs more than the default 128.
#![recursion_limit = "512"]

#[macro_use]
mod macros;

pub mod accounts;
pub mod audit;
pub mod background;
#[cfg(feature = "ssr")]
pub mod blobs;
pub mod cart;
pub mod catalog;
pub mod checkout;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod csp;
#[cfg(feature = "ssr")]
pub mod csv;
pub mod dates;
pub mod discounts;
pub mod error;
pub mod escrow;
pub mod hire;
#[cfg(feature = "ssr")]
pub mod horizon;
pub mod idempotency;
pub mod ids;
pub mod inventory;
pub mod loyalty;
pub mod media;
pub mod money;
pub mod notifications;
pub mod offline;
pub mod orders;
pub mod privacy;
#[cfg(feature = "ssr")]
pub mod ratelimit;
pub mod restock;
#[cfg(feature = "ssr")]
pub mod restricted;
pub mod reviews;
#[cfg(feature = "ssr")]
pub mod secret;
#[cfg(feature = "ssr")]
pub mod state;
pub mod subscriptions;
#[cfg(feature = "ssr")]
pub mod tokens;
pub mod ui;
#[cfg(feature = "ssr")]
pub mod vault;

use accounts::pages::{
    AccountMenu, AccountPage, AdminAuditPage, AdminHomePage, AdminPrivacyPage, AdminUsersPage,
    InvitationPage, NewOrganisationPage, NotificationsPage, OrganisationSettingsPage, PrivacyPage,
    ResetPasswordPage, SecondFactorPage, SecurityPage, SignInLinkPage, SignInPage, SignUpPage,
    VerifyEmailPage, ViewerState,
};
use background::pages::JobsPage;
use cart::pages::{AddToCartForm, CartLink, CartPage, CartState};
use catalog::admin::pages::editor::{AdminNewProductPage, AdminProductPage};
use catalog::admin::pages::inventory::AdminInventoryPage;
use catalog::admin::pages::products::AdminCatalogPage;
use catalog::pages::{CategoryPage, HomePage, ProductPage, ShopPage, product_resource};
use catalog::search::page::{SearchBox, SearchResultsPage};
use checkout::pages::CheckoutPage;
use escrow::earnings::EarningsPage;
use escrow::pages::OrgBillingPage;
use escrow::reconciliation::pages::AdminReconciliationPage;
use hire::applications::pages::mine::MyApplicationsPage;
use hire::certificates::pages::VerificationPage;
use hire::contracts::pages::my_shifts::MyShiftsPage;
use hire::disputes::admin::{AdminDisputePage, AdminDisputesPage};
use hire::messages::pages::{MessagesPage, OrgMessagesPage, OrgThreadPage, ThreadPage};
use hire::postings::pages::editor::{EditShiftPage, NewJobPage, NewShiftPage};
use hire::profiles::pages::{freelancer::FreelancerPage, profile::ProfilePage};
use hire::views::pages::{
    find_work::FindWorkPage, home::HireHomePage, org_home::OrgHomePage, org_shift::OrgShiftPage,
    shift::ShiftPage,
};
use leptos::prelude::*;
use leptos_meta::{MetaTags, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};
use loyalty::admin::AdminLoyaltyPage;
use loyalty::pages::LoyaltyPage;
use notifications::pages::{MailboxPage, UnsubscribePage};
use orders::admin::pages::{AdminOrderPage, AdminOrdersPage};
use orders::pages::{MyOrdersPage, OrderDetailPage};
use restock::components::{BackInStock, BackInStockState};
use reviews::admin::AdminReviewsPage;
use reviews::pages::{ProductReviewsSection, ReviewsState};
use subscriptions::admin::{AdminSubscriptionPage, AdminSubscriptionsPage};
use subscriptions::pages::SubscriptionsPage;
use ui::NotFound;

/// What signing in brings along, in order: the cart the browser filled as a guest (merged into
/// the account's) and the orders it placed as a guest.
#[cfg(feature = "ssr")]
pub const AFTER_SIGN_IN: &[accounts::hooks::AfterSignIn<state::AppState>] = &[
    accounts::hooks::AfterSignIn {
        name: "adopt the guest cart",
        run: |state, session, user| Box::pin(cart::service::adopt_guest_cart(state, session, user)),
    },
    accounts::hooks::AfterSignIn {
        name: "adopt the guest orders",
        run: |state, session, user| {
            Box::pin(orders::service::adopt_guest_orders(state, session, user))
        },
    },
];

/// What booking an order's payment brings along, in its transaction: the subscriptions its
/// subscribed lines start, and, for a renewal's order, the renewal it finishes.
#[cfg(feature = "ssr")]
pub const WHEN_PAID: &[orders::hooks::WhenPaid] = &[
    orders::hooks::WhenPaid {
        name: "start subscriptions",
        run: |state, conn, paid| {
            Box::pin(subscriptions::service::start_from_order(state, conn, paid))
        },
    },
    orders::hooks::WhenPaid {
        name: "finish a renewal",
        run: |state, conn, paid| Box::pin(subscriptions::renewals::finish(state, conn, paid)),
    },
    // After the renewal is counted, so its milestone earns.
    orders::hooks::WhenPaid {
        name: "earn loyalty points",
        run: |_, conn, paid| Box::pin(loyalty::service::earn_for_payment(conn, paid)),
    },
];

/// What a refund brings along, in its transaction: its share of the order's loyalty points
/// is taken back, and its share of the points spent on the order given back.
#[cfg(feature = "ssr")]
pub const WHEN_REFUNDED: &[orders::hooks::WhenRefunded] = &[orders::hooks::WhenRefunded {
    name: "take back loyalty points",
    run: |_, conn, refunded| Box::pin(loyalty::service::take_back_for_refund(conn, refunded)),
}];

/// What giving up an unpaid order brings along, in its transaction: the loyalty points it
/// spent come back.
#[cfg(feature = "ssr")]
pub const WHEN_RELEASED: &[orders::hooks::WhenReleased] = &[orders::hooks::WhenReleased {
    name: "give back spent loyalty points",
    run: |_, conn, released| Box::pin(loyalty::service::give_back_for_release(conn, released)),
}];

/// What publishing or taking down a review brings along: its author's loyalty points.
#[cfg(feature = "ssr")]
pub const WHEN_REVIEW_DECIDED: &[reviews::hooks::WhenDecided] = &[reviews::hooks::WhenDecided {
    name: "loyalty points for a review",
    run: |_, conn, decided| Box::pin(loyalty::service::on_review(conn, decided)),
}];

/// What a person's data download holds: one file per domain that keeps person columns
/// (a test checks every such column of the schema is covered).
#[cfg(feature = "ssr")]
pub const HOLDINGS: &[privacy::Holding] = &[
    accounts::privacy::HOLDING,
    notifications::privacy::HOLDING,
    audit::privacy::HOLDING,
    cart::privacy::HOLDING,
    orders::privacy::HOLDING,
    inventory::privacy::HOLDING,
    subscriptions::privacy::HOLDING,
    loyalty::privacy::HOLDING,
    reviews::privacy::HOLDING,
    restock::privacy::HOLDING,
    hire::privacy::HOLDING,
    escrow::privacy::HOLDING,
];

/// The product page, whose buy box is the cart's "Add to cart" form and, while the chosen
/// variant is sold out, "Tell me when it's back"; its reviews follow the details. What they
/// load is created here, with the page (see `product_resource`).
#[component]
fn ProductWithCart() -> impl IntoView {
    let product = product_resource();
    let stock = BackInStockState::new(product);
    let reviews = ReviewsState::new(product);
    view! {
        <ProductPage
            product
            buy=move |selected| view! { <AddToCartForm selected/> <BackInStock state=stock selected/> }.into_any()
            after=move || view! { <ProductReviewsSection state=reviews/> }.into_any()
        />
    }
}

/// The stylesheet's URL: cargo-leptos names it by content hash when it hashes files (the
/// hash is in `hash.txt` beside the server binary), so it can be cached for good.
fn stylesheet_href(options: &LeptosOptions) -> String {
    let mut name = options.output_name.to_string();
    if options.hash_files
        && let Some(hash) = std::env::current_exe()
            .ok()
            .and_then(|exe| std::fs::read_to_string(exe.parent()?.join(&*options.hash_file)).ok())
            .and_then(|text| {
                text.lines().find_map(|line| {
                    let (kind, hash) = line.trim().split_once(':')?;
                    (kind == "css").then(|| hash.trim().to_owned())
                })
            })
    {
        name = format!("{name}.{hash}");
    }
    format!("/{}/{name}.css", options.site_pkg_dir)
}

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    csp::set_page_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="theme-color" content="#f6f3ee"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <link rel="manifest" href="/manifest.webmanifest"/>
                <link rel="apple-touch-icon" href="/icons/icon-192.png"/>
                <link rel="stylesheet" id="olivine" href=stylesheet_href(&options)/>
                <AutoReload options=options.clone()/>
                // Mounts the card form (Stripe.js) into payment panels; tiny and idle elsewhere.
                <script src="/payment.js" defer></script>
                // The offline outbox the app calls, and the service worker's registration.
                <script src="/outbox.js" defer></script>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer = ViewerState::provide();
    CartState::provide();
    accounts::pages::connect_live(viewer, notifications::arrivals::Arrivals::provide());
    offline::Outbox::provide(viewer);
    // Effects run only in the browser, after hydration: mark the page interactive so tests
    // (and styles) can tell a hydrated page from server-rendered HTML.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SiteHeader/>
            <offline::OutboxBar/>
            <main id="main" tabindex="-1">
                // Async: the whole page, data included, arrives as HTML — complete without JavaScript.
                <Routes fallback=NotFound>
                    <Route path=StaticSegment("") view=HomePage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("shop") view=ShopPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("shop"), ParamSegment("category")) view=CategoryPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("products"), ParamSegment("slug")) view=ProductWithCart ssr=SsrMode::Async/>
                    <Route path=StaticSegment("search") view=SearchResultsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("cart") view=CartPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("checkout") view=CheckoutPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("orders") view=MyOrdersPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("orders"), ParamSegment("id")) view=OrderDetailPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("signin") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("signin"), StaticSegment("link")) view=SignInLinkPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("signin"), StaticSegment("second-factor")) view=SecondFactorPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("signup") view=SignUpPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("verify-email") view=VerifyEmailPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("account") view=AccountPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("security")) view=SecurityPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("notifications")) view=NotificationsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("privacy")) view=PrivacyPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("subscriptions")) view=SubscriptionsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("account"), StaticSegment("loyalty")) view=LoyaltyPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("hire") view=HireHomePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("profile")) view=ProfilePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("work")) view=FindWorkPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("work"), StaticSegment("applications")) view=MyApplicationsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("work"), StaticSegment("shifts")) view=MyShiftsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("work"), StaticSegment("earnings")) view=EarningsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("shifts"), ParamSegment("id")) view=ShiftPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("jobs"), ParamSegment("id")) view=ShiftPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("messages")) view=MessagesPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("messages"), ParamSegment("id")) view=ThreadPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("freelancers"), ParamSegment("id")) view=FreelancerPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), StaticSegment("new")) view=NewOrganisationPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug")) view=OrgHomePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug"), StaticSegment("shifts"), StaticSegment("new")) view=NewShiftPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug"), StaticSegment("jobs"), StaticSegment("new")) view=NewJobPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug"), StaticSegment("shifts"), ParamSegment("id")) view=OrgShiftPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug"), StaticSegment("shifts"), ParamSegment("id"), StaticSegment("edit")) view=EditShiftPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug"), StaticSegment("settings")) view=OrganisationSettingsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug"), StaticSegment("billing")) view=OrgBillingPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug"), StaticSegment("messages")) view=OrgMessagesPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("org"), ParamSegment("slug"), StaticSegment("messages"), ParamSegment("id")) view=OrgThreadPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("hire"), StaticSegment("invitations")) view=InvitationPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("admin") view=AdminHomePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("users")) view=AdminUsersPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("audit")) view=AdminAuditPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("privacy")) view=AdminPrivacyPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("verification")) view=VerificationPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("jobs")) view=JobsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("products")) view=AdminCatalogPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("inventory")) view=AdminInventoryPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("orders")) view=AdminOrdersPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("subscriptions")) view=AdminSubscriptionsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("reviews")) view=AdminReviewsPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("loyalty")) view=AdminLoyaltyPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("subscriptions"), ParamSegment("id")) view=AdminSubscriptionPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("disputes")) view=AdminDisputesPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("finance"), StaticSegment("reconciliation")) view=AdminReconciliationPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("disputes"), ParamSegment("id")) view=AdminDisputePage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("orders"), ParamSegment("id")) view=AdminOrderPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("products"), StaticSegment("new")) view=AdminNewProductPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("admin"), StaticSegment("products"), ParamSegment("id")) view=AdminProductPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("dev"), StaticSegment("mailbox")) view=MailboxPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("email"), StaticSegment("unsubscribe")) view=UnsubscribePage ssr=SsrMode::Async/>
                </Routes>
            </main>
            <notifications::arrivals::Toasts/>
            <SiteFooter/>
        </Router>
    }
}

#[component]
fn SiteHeader() -> impl IntoView {
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <a class="brand" href="/" aria-label="Olivine home">
                    <span class="brand__mark" aria-hidden="true"></span>
                    "Olivine"
                </a>
                <nav class="site-nav" aria-label="Main">
                    <ul role="list">
                        <li><a href="/shop">"Shop"</a></li>
                        <li><a href="/shop/vitamins">"Vitamins"</a></li>
                        <li><a href="/shop/face-serums">"Serums"</a></li>
                        <li><a href="/hire">"Hire"</a></li>
                    </ul>
                </nav>
                <SearchBox/>
                <CartLink/>
                <AccountMenu/>
            </div>
        </header>
    }
}

#[component]
fn SiteFooter() -> impl IntoView {
    view! {
        <footer class="site-footer">
            <div class="site-footer__inner">
                <p class="brand brand--small">"Olivine"</p>
                <p>"Supplements and natural skincare. Every batch tracked, freshest shipped first."</p>
                <p class="site-footer__fine">
                    "Food supplements are not a substitute for a varied, balanced diet and a healthy lifestyle."
                </p>
            </div>
        </footer>
    }
}
