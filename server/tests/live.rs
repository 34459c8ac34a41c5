//! Live notifications over `/ws`: a change made through one node reaches a socket on another
//! (two app states, each with its own hub and listener, over one database), only its person's
//! socket hears it, and a reconnect with the last cursor loses nothing and repeats nothing —
//! after a dropped connection, and after the server itself restarted.

mod common;

use app::hire::applications;
use app::notifications::model::{Notification, NotificationKind as Kind};
use app::state::AppState;
use common::App;
use common::process::Olivine;
use futures::StreamExt;
use server::seed::DEMO_PASSWORD;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::net::SocketAddr;
use std::time::Duration;
use test_support::hire::{Cast, hire_day};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A node: `state`'s router on a loopback port, with its listener feeding its hub.
async fn node(state: AppState) -> SocketAddr {
    tokio::spawn(server::listen_for_notifications(state.clone()));
    let router = server::router(state, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    addr
}

/// `email`'s session cookie, signed in through `app`.
async fn cookie(app: &App, email: &str) -> String {
    let mut browser = app.browser();
    assert!(common::ok(&browser.sign_in(email, DEMO_PASSWORD).await));
    browser.cookie.expect("session cookie")
}

async fn connect(addr: SocketAddr, cookie: &str, after: Option<&str>) -> Socket {
    try_connect(addr, cookie, after).await.expect("connect")
}

/// A socket to the server process `olivine`; a refusal fails the test with what it logged.
async fn connect_to(olivine: &mut Olivine, cookie: &str, after: Option<&str>) -> Socket {
    let addr = SocketAddr::from(([127, 0, 0, 1], olivine.port));
    match try_connect(addr, cookie, after).await {
        Ok(socket) => socket,
        Err(error) => panic!("connect: {error}; the server logged:\n{}", olivine.stderr()),
    }
}

async fn try_connect(
    addr: SocketAddr,
    cookie: &str,
    after: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
    let mut request = format!("ws://{addr}/ws{query}")
        .into_client_request()
        .expect("request");
    let headers = request.headers_mut();
    headers.insert("cookie", cookie.parse().expect("cookie"));
    headers.insert("origin", format!("http://{addr}").parse().expect("origin"));
    Ok(tokio_tungstenite::connect_async(request).await?.0)
}

/// The next update on `socket`: (cursor, notifications).
async fn next(socket: &mut Socket) -> (String, Vec<Notification>) {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("an update within 10 s")
            .expect("open")
            .expect("message");
        if let Message::Text(text) = message {
            let update: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            let cursor = update["cursor"].as_str().expect("cursor").to_owned();
            let notifications =
                serde_json::from_value(update["notifications"].clone()).expect("notifications");
            return (cursor, notifications);
        }
    }
}

/// Nothing arrives on `socket` for a while.
async fn quiet(socket: &mut Socket) {
    let heard = tokio::time::timeout(Duration::from_millis(1500), socket.next()).await;
    assert!(heard.is_err(), "expected nothing, got {heard:?}");
}

#[sqlx::test(migrations = "../migrations")]
async fn events_reach_their_persons_socket_on_any_node_and_resume_exactly(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = Cast::of(state).await;
    let first = node(state.clone()).await;
    // Another node: the same database and configuration, its own hub and listener.
    let second = node(AppState {
        live: std::sync::Arc::new(app::notifications::live::Hub::default()),
        ..state.clone()
    })
    .await;

    // Fay listens on the second node, Mia (another organisation) too; Hana on the first.
    let fay_cookie = cookie(&app, "fay@olivine.test").await;
    let mut fay = connect(second, &fay_cookie, None).await;
    let (start, missed) = next(&mut fay).await;
    assert!(missed.is_empty());
    let mut mia = connect(second, &cookie(&app, "mia@olivine.test").await, None).await;
    next(&mut mia).await;
    let mut hana = connect(first, &cookie(&app, "hana@olivine.test").await, None).await;
    next(&mut hana).await;

    // Fay applies through the first node's state: Hana hears it live on the first node.
    let shift = c.open_shift(state, hire_day(5), 1).await;
    let application = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");
    let (_, heard) = next(&mut hana).await;
    assert_eq!(
        heard.iter().map(|n| n.kind).collect::<Vec<_>>(),
        [Kind::ApplicationReceived]
    );

    // Hana offers through the first node: Fay's socket on the second node hears it; Mia's
    // doesn't.
    applications::service::offer(state, c.harbour, c.hana, application)
        .await
        .expect("offer");
    let (after_offer, heard) = next(&mut fay).await;
    assert_eq!(heard.len(), 1);
    assert_eq!(heard[0].kind, Kind::OfferMade);
    assert_ne!(after_offer, start);
    quiet(&mut mia).await;

    // Fay's connection drops; two things happen meanwhile; she comes back with her cursor and
    // gets exactly those two, once.
    fay.close(None).await.expect("close");
    drop(fay);
    let message = app::hire::messages::service::Party::organisation(c.harbour);
    for text in ["Black shoes, please.", "And an apron."] {
        app::hire::messages::service::send(state, message, c.hana, application, text)
            .await
            .expect("send");
    }
    let mut fay = connect(second, &fay_cookie, Some(&after_offer)).await;
    let (cursor, missed) = next(&mut fay).await;
    assert_eq!(
        missed.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
        ["Black shoes, please.", "And an apron."]
    );
    quiet(&mut fay).await;
    let mut again = connect(second, &fay_cookie, Some(&cursor)).await;
    let (_, nothing) = next(&mut again).await;
    assert!(nothing.is_empty(), "nothing twice");
}

#[sqlx::test(migrations = "../migrations")]
async fn after_a_server_restart_each_socket_resumes_from_its_cursor(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let state = &app.state;
    let c = Cast::of(state).await;
    let fay_cookie = cookie(&app, "fay@olivine.test").await;
    let shift = c.open_shift(state, hire_day(5), 1).await;
    let application = applications::service::apply(state, c.fay, shift, "", "")
        .await
        .expect("apply");

    // Fay is connected to the real server process when Hana's offer comes.
    let mut olivine = Olivine::start(&app.db).await;
    let mut fay = connect_to(&mut olivine, &fay_cookie, None).await;
    next(&mut fay).await;
    applications::service::offer(state, c.harbour, c.hana, application)
        .await
        .expect("offer");
    let (cursor, heard) = next(&mut fay).await;
    assert_eq!(
        heard.iter().map(|n| n.kind).collect::<Vec<_>>(),
        [Kind::OfferMade]
    );

    // The server stops (her socket ends with it); two messages come while it is down.
    let (status, stderr) = olivine.stop().await;
    assert!(status.success(), "exit status {status}; stderr: {stderr}");
    let ended = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(Ok(_)) = fay.next().await {}
    })
    .await;
    assert!(ended.is_ok(), "the socket ends when the server stops");
    let hana = app::hire::messages::service::Party::organisation(c.harbour);
    for text in ["Black shoes, please.", "And an apron."] {
        app::hire::messages::service::send(state, hana, c.hana, application, text)
            .await
            .expect("send");
    }

    // A new server process: Fay's browser reconnects with her cursor and gets exactly those.
    let mut restarted = Olivine::start(&app.db).await;
    let mut fay = connect_to(&mut restarted, &fay_cookie, Some(&cursor)).await;
    let (cursor, missed) = next(&mut fay).await;
    assert_eq!(
        missed.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
        ["Black shoes, please.", "And an apron."]
    );
    quiet(&mut fay).await;
    // What happens now arrives live from the new process, once.
    app::hire::messages::service::send(state, hana, c.hana, application, "See you at nine.")
        .await
        .expect("send");
    let (_, live) = next(&mut fay).await;
    assert_eq!(
        live.iter().map(|n| n.body.as_str()).collect::<Vec<_>>(),
        ["See you at nine."]
    );
    let mut again = connect_to(&mut restarted, &fay_cookie, Some(&cursor)).await;
    let (_, caught_up) = next(&mut again).await;
    assert_eq!(
        caught_up.len(),
        1,
        "only what came after the cursor: {caught_up:?}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn only_signed_in_pages_of_this_site_open_a_socket(
    _: PgPoolOptions,
    options: PgConnectOptions,
) {
    let app = common::app(common::own_pool(options).await).await;
    let addr = node(app.state.clone()).await;
    let handshake = |cookie: Option<String>, origin: String| async move {
        let mut request = format!("ws://{addr}/ws")
            .into_client_request()
            .expect("request");
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().expect("cookie"));
        }
        request
            .headers_mut()
            .insert("origin", origin.parse().expect("origin"));
        match tokio_tungstenite::connect_async(request).await {
            Ok(_) => 101,
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                response.status().as_u16()
            }
            Err(error) => panic!("{error}"),
        }
    };
    let own = format!("http://{addr}");
    assert_eq!(handshake(None, own.clone()).await, 401);
    let fay = cookie(&app, "fay@olivine.test").await;
    assert_eq!(
        handshake(Some(fay.clone()), "https://evil.example".into()).await,
        403
    );
    assert_eq!(handshake(Some(fay), own).await, 101);
}
