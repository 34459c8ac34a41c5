//! `GET /ws`: a signed-in browser tab's live notifications, and this node's listener that feeds
//! every open socket.
//!
//! The browser connects with `?after=<cursor>` (the horizon its last message carried, or the one
//! its page loaded with) and first gets everything of its person from there on, read from the
//! table; then what the listener publishes, skipping what the catch-up already sent. Each message
//! is `{"cursor": "<horizon>", "notifications": [...]}`; the cursor covers every notification
//! sent so far, so a reconnect with it loses nothing and repeats nothing. The listener wakes on
//! Postgres `NOTIFY notifications` (or once a second) and reads by transaction horizon, so a
//! change committed through any node reaches sockets on every node.

use crate::jobs::wakeup::Wakeup;
use app::accounts::authz::principal_of;
use app::accounts::session::AuthSession;
use app::ids::UserId;
use app::notifications::live::Hub;
use app::notifications::model::Notification;
use app::notifications::repo;
use app::state::AppState;
use app::vault::{Vault, VaultError};
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::time::Duration;
use tower_sessions::Session;

/// How often an idle socket is pinged; a browser that stops answering is gone after two.
const HEARTBEAT: Duration = Duration::from_secs(20);
/// What a browser sends here is pongs and a close: a small read buffer (the default is 128 KiB
/// per socket) and a cap on what one message may be.
const READ_BUFFER: usize = 4 * 1024;
const MAX_INBOUND: usize = 16 * 1024;

#[derive(Deserialize)]
pub struct Resume {
    /// The cursor the browser last saw; absent: from now on.
    after: Option<i64>,
}

#[derive(Serialize)]
struct Update<'a> {
    cursor: String,
    notifications: Vec<&'a Notification>,
}

pub async fn socket(
    State(state): State<AppState>,
    session: Session,
    headers: HeaderMap,
    Query(resume): Query<Resume>,
    upgrade: WebSocketUpgrade,
) -> Response {
    // A page of another site may open a socket here with the visitor's cookies (SameSite=Lax
    // doesn't cover WebSockets in every browser): only our own pages may.
    if !same_origin(&headers) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let principal = match principal_of(&state, &AuthSession::new(session)).await {
        Ok(Some(principal)) => principal,
        Ok(None) => return StatusCode::UNAUTHORIZED.into_response(),
        Err(error) => return (error.status(), error.to_string()).into_response(),
    };
    let user = principal.viewer.user_id;
    upgrade
        .read_buffer_size(READ_BUFFER)
        .max_message_size(MAX_INBOUND)
        .max_frame_size(MAX_INBOUND)
        .on_upgrade(move |socket| async move {
            if let Err(error) = serve(socket, &state, user, resume.after).await {
                tracing::debug!(%error, "live connection ended");
            }
        })
}

/// The handshake's `Origin` names the host it was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    match (text(ORIGIN), text(HOST)) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority == host),
        _ => false,
    }
}

async fn serve(
    mut socket: WebSocket,
    state: &AppState,
    user: UserId,
    after: Option<i64>,
) -> anyhow::Result<()> {
    // Subscribe before reading the table: whatever is published meanwhile overlaps the
    // catch-up, and the cursor drops the overlap.
    let mut subscription = state.live.subscribe(user);
    let mut conn = state.db.acquire().await?;
    // A cursor from the future (or made up) would hide what comes; none means "from now".
    let now = app::horizon::now(&mut conn).await?;
    let from = after.map_or(now, |after| after.clamp(0, now));
    let caught_up = repo::since(&mut conn, &state.vault, from, Some(user)).await?;
    drop(conn);
    let mut cursor = caught_up.horizon;
    let missed: Vec<&Notification> = caught_up.notifications.iter().map(|(_, _, n)| n).collect();
    send(&mut socket, cursor, missed).await?;
    let mut heartbeat = tokio::time::interval(HEARTBEAT);
    heartbeat.tick().await;
    let mut unanswered = 0;
    loop {
        tokio::select! {
            delivery = subscription.deliveries.recv() => {
                // `None`: the hub dropped this socket for falling behind; the browser
                // reconnects with its cursor and reads the rest from the table.
                let Some(delivery) = delivery else {
                    socket.send(Message::Close(None)).await?;
                    return Ok(());
                };
                let fresh: Vec<&Notification> = delivery
                    .notifications
                    .iter()
                    .filter(|(xid, _)| *xid >= cursor)
                    .map(|(_, n)| n)
                    .collect();
                cursor = cursor.max(delivery.horizon);
                if !fresh.is_empty() {
                    send(&mut socket, cursor, fresh).await?;
                }
            }
            _ = heartbeat.tick() => {
                if unanswered >= 2 {
                    return Ok(());
                }
                unanswered += 1;
                socket.send(Message::Ping(Vec::new().into())).await?;
            }
            message = socket.recv() => match message {
                Some(Ok(Message::Close(_))) | None => return Ok(()),
                Some(Ok(_)) => unanswered = 0,
                Some(Err(error)) => return Err(error.into()),
            },
        }
    }
}

async fn send(
    socket: &mut WebSocket,
    cursor: i64,
    notifications: Vec<&Notification>,
) -> anyhow::Result<()> {
    let update = Update {
        cursor: cursor.to_string(),
        notifications,
    };
    socket
        .send(Message::Text(serde_json::to_string(&update)?.into()))
        .await?;
    Ok(())
}

/// Feed this node's sockets (its hub, `state.live`) until the process stops.
pub async fn listen(state: AppState) {
    let mut wakeup = Wakeup::listen(&state.db, "notifications").await;
    let mut horizon = None;
    loop {
        match step(&state.db, &state.vault, &state.live, horizon).await {
            Ok(next) => horizon = Some(next),
            Err(error) => tracing::warn!(%error, "reading new notifications failed; will retry"),
        }
        wakeup.wait().await;
    }
}

/// Publish what is new since `horizon` (nothing, the first time: sockets catch up themselves).
async fn step(
    db: &PgPool,
    vault: &Vault,
    hub: &Hub,
    horizon: Option<i64>,
) -> Result<i64, VaultError> {
    let mut conn = db.acquire().await?;
    let Some(from) = horizon else {
        return Ok(app::horizon::now(&mut conn).await?);
    };
    let new = repo::since(&mut conn, vault, from, None).await?;
    if !new.notifications.is_empty() {
        hub.publish(new.horizon, &new.notifications);
    }
    Ok(new.horizon)
}
