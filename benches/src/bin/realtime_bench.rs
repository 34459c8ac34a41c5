//! The realtime benchmark: N signed-in people, each with one WebSocket on `/ws`, spread over the
//! given server nodes; notifications committed at a steady rate, each to one random person.
//! Reports commit-to-socket latency (from just before COMMIT to the moment the message is read
//! here), the server's memory per idle connection, and events lost or received twice.
//!
//! A socket the server closes (too slow) reconnects with the last cursor it read, as the
//! browser does, so what it missed comes from the table.
//!
//! Usage: `realtime_bench <database-url> <out.json> <host:port@pid>[,<host:port@pid>] <clients>
//! <events-per-second> <seconds>` (`cargo xtask bench realtime` passes these), with the servers'
//! `OLIVINE_MASTER_KEY` in the environment.

use anyhow::{Context, Result, bail};
use app::accounts::repo::{NewLogin, insert_login, insert_user};
use app::ids::{LoginId, UserId};
use app::notifications::model::{EmailCadence, EmailPreference, Notice, NotificationKind};
use app::notifications::repo;
use futures::{SinkExt, StreamExt};
use serde_json::json;
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

/// Sockets opened at once while connecting.
const CONNECTING_AT_ONCE: usize = 32;
/// How long to wait for the last events after the final commit.
const DRAIN: Duration = Duration::from_secs(10);

struct Node {
    addr: String,
    pid: u32,
}

struct Person {
    user: UserId,
    cookie: String,
}

/// What a client read: (event number, when, which client).
type Heard = (u64, Instant, usize);

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, out, nodes, clients, rate, seconds] = args.as_slice() else {
        bail!(
            "usage: realtime_bench <database-url> <out.json> <host:port@pid>[,...] <clients> <events/s> <seconds>"
        );
    };
    let nodes: Vec<Node> = nodes
        .split(',')
        .map(|n| {
            let (addr, pid) = n.split_once('@').context("a node is host:port@pid")?;
            Ok(Node {
                addr: addr.to_owned(),
                pid: pid.parse()?,
            })
        })
        .collect::<Result<_>>()?;
    let clients: usize = clients.parse()?;
    let rate: u64 = rate.parse()?;
    let seconds: u64 = seconds.parse()?;
    let db = PgPoolOptions::new()
        .max_connections(16)
        .connect(url)
        .await?;

    let vault = app::vault::Vault::from_base64(
        &std::env::var("OLIVINE_MASTER_KEY").context("OLIVINE_MASTER_KEY: the servers' key")?,
    )
    .map_err(|why| anyhow::anyhow!("OLIVINE_MASTER_KEY: {why}"))?;
    let started = Instant::now();
    let people = sign_in(&db, &vault, clients).await?;
    eprintln!(
        "realtime: {clients} people signed in ({:.1} s)",
        started.elapsed().as_secs_f64()
    );

    let before: Vec<u64> = nodes
        .iter()
        .map(|n| rss_kib(n.pid))
        .collect::<Result<_>>()?;
    let (heard_tx, mut heard_rx) = mpsc::unbounded_channel::<Heard>();
    let (reconnects_tx, mut reconnects_rx) = mpsc::unbounded_channel::<usize>();
    let started = Instant::now();
    let connected = futures::stream::iter(people.iter().enumerate())
        .map(|(i, person)| {
            let addr = nodes[i % nodes.len()].addr.clone();
            let cookie = person.cookie.clone();
            async move {
                let socket = connect(&addr, &cookie, None).await?;
                Ok::<_, anyhow::Error>((i, addr, cookie, socket))
            }
        })
        .buffer_unordered(CONNECTING_AT_ONCE)
        .collect::<Vec<_>>()
        .await;
    let mut readers = Vec::with_capacity(clients);
    for result in connected {
        let (i, addr, cookie, socket) = result?;
        readers.push(tokio::spawn(read(
            i,
            addr,
            cookie,
            socket,
            heard_tx.clone(),
            reconnects_tx.clone(),
        )));
    }
    drop(heard_tx);
    drop(reconnects_tx);
    eprintln!(
        "realtime: {clients} sockets open over {} node(s) ({:.1} s)",
        nodes.len(),
        started.elapsed().as_secs_f64()
    );
    // Let every catch-up finish and the allocators settle, then weigh the idle sockets.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let idle: Vec<u64> = nodes
        .iter()
        .map(|n| rss_kib(n.pid))
        .collect::<Result<_>>()?;
    let grown_kib: i64 = idle
        .iter()
        .zip(&before)
        .map(|(after, before)| *after as i64 - *before as i64)
        .sum();
    let per_connection_kib = grown_kib as f64 / clients as f64;

    eprintln!("realtime: committing {rate} events/s for {seconds} s");
    let events = rate * seconds;
    let mut ticks = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut commits = Vec::with_capacity(events as usize);
    let mut recipient = Recipients::new(clients);
    let sending = Instant::now();
    for event in 0..events {
        ticks.tick().await;
        let to = recipient.next();
        let db = db.clone();
        let user = people[to].user;
        commits.push(tokio::spawn(async move {
            let at = commit(&db, user, event).await?;
            Ok::<_, anyhow::Error>((event, to, at))
        }));
    }
    let sent_for = sending.elapsed();
    let mut sent: HashMap<u64, (usize, Instant)> = HashMap::new();
    for commit in commits {
        let (event, to, at) = commit.await??;
        sent.insert(event, (to, at));
    }
    let committed_by = Instant::now();

    // Read what arrives until every event is in or the drain time is up.
    let mut heard: HashMap<u64, Vec<(usize, Instant)>> = HashMap::new();
    let mut extra = 0_u64;
    let deadline = committed_by + DRAIN;
    while heard.len() < sent.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, heard_rx.recv()).await {
            Ok(Some((event, at, client))) => {
                if sent.contains_key(&event) {
                    heard.entry(event).or_default().push((client, at));
                } else {
                    extra += 1;
                }
            }
            Ok(None) | Err(_) => break,
        }
    }
    // Anything still in flight a moment later would be a duplicate.
    tokio::time::sleep(Duration::from_secs(1)).await;
    while let Ok((event, at, client)) = heard_rx.try_recv() {
        heard.entry(event).or_default().push((client, at));
    }
    for reader in &readers {
        reader.abort();
    }
    let mut reconnects = 0;
    while let Ok(n) = reconnects_rx.try_recv() {
        reconnects += n;
    }

    let mut latencies_ms = Vec::with_capacity(sent.len());
    let mut lost = 0_u64;
    let mut duplicated = 0_u64;
    let mut misdelivered = 0_u64;
    for (event, (to, at)) in &sent {
        match heard.get(event) {
            None => lost += 1,
            Some(arrivals) => {
                duplicated += arrivals.len() as u64 - 1;
                misdelivered += arrivals.iter().filter(|(c, _)| c != to).count() as u64;
                if let Some((_, first)) = arrivals.iter().find(|(c, _)| c == to) {
                    latencies_ms.push(first.saturating_duration_since(*at).as_secs_f64() * 1e3);
                }
            }
        }
    }
    latencies_ms.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        latencies_ms
            .get(((latencies_ms.len() as f64 * p).ceil() as usize).saturating_sub(1))
            .copied()
            .unwrap_or(f64::NAN)
    };
    let report = json!({
        "bench": "realtime",
        "nodes": nodes.len(),
        "clients": clients,
        "events_per_second": rate,
        "seconds": seconds,
        "events": events,
        "sending_took_s": sent_for.as_secs_f64(),
        "commit_to_socket_ms": {"p50": pct(0.50), "p90": pct(0.90), "p99": pct(0.99), "max": pct(1.0)},
        "server_rss_kib": {"before": before, "idle_connected": idle},
        "memory_per_idle_connection_kib": per_connection_kib,
        "lost": lost,
        "duplicated": duplicated,
        "misdelivered": misdelivered + extra,
        "reconnects": reconnects,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
    });
    println!(
        "{:>5} {:>7} {:>8} {:>9.1} {:>9.1} {:>9.1} {:>12.1} {:>6} {:>6} {:>6}",
        nodes.len(),
        clients,
        events,
        pct(0.50),
        pct(0.99),
        pct(1.0),
        per_connection_kib,
        lost,
        duplicated,
        misdelivered + extra,
    );
    std::fs::write(out, serde_json::to_string_pretty(&report)?)?;
    Ok(())
}

/// `clients` new people, each signed in once; their message email is off, so the mail relay
/// (no mail server listens here) adds no retries to the run.
async fn sign_in(db: &PgPool, vault: &app::vault::Vault, clients: usize) -> Result<Vec<Person>> {
    let run = uuid::Uuid::now_v7().simple().to_string();
    futures::stream::iter(0..clients)
        .map(|i| {
            let run = &run;
            async move {
                let user = UserId(uuid::Uuid::now_v7());
                let login = LoginId(uuid::Uuid::now_v7());
                let mut tx = db.begin().await?;
                insert_user(
                    &mut tx,
                    vault,
                    user,
                    &format!("live-{run}-{i}@bench.invalid"),
                    &format!("Bench person {i}"),
                    None,
                    true,
                )
                .await?;
                insert_login(
                    &mut tx,
                    NewLogin {
                        login_id: login,
                        user_id: user,
                        method: "password",
                        user_agent: "realtime_bench",
                        ip: None,
                        lifetime: Duration::from_secs(24 * 3600),
                        second_factor: false,
                    },
                )
                .await?;
                repo::set_preferences(
                    &mut tx,
                    user,
                    &[EmailPreference {
                        kind: NotificationKind::MessageReceived,
                        email: EmailCadence::Off,
                    }],
                )
                .await?;
                tx.commit().await?;
                let cookie = server::signed_in_cookie(db, login, time::Duration::days(1))
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok::<_, anyhow::Error>(Person { user, cookie })
            }
        })
        .buffered(8)
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect()
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(addr: &str, cookie: &str, after: Option<&str>) -> Result<Socket> {
    let query = after.map(|a| format!("?after={a}")).unwrap_or_default();
    let mut request = format!("ws://{addr}/ws{query}").into_client_request()?;
    let headers = request.headers_mut();
    headers.insert("cookie", cookie.parse()?);
    headers.insert("origin", format!("http://{addr}").parse()?);
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .with_context(|| format!("cannot open a socket on {addr}"))?;
    Ok(socket)
}

/// Read one client's socket until aborted, reconnecting from its last cursor when the server
/// closes it.
async fn read(
    client: usize,
    addr: String,
    cookie: String,
    mut socket: Socket,
    heard: mpsc::UnboundedSender<Heard>,
    reconnects: mpsc::UnboundedSender<usize>,
) {
    let mut cursor: Option<String> = None;
    loop {
        while let Some(message) = socket.next().await {
            let at = Instant::now();
            let text = match message {
                Ok(Message::Text(text)) => text,
                Ok(Message::Ping(payload)) => {
                    let _ = socket.send(Message::Pong(payload)).await;
                    continue;
                }
                Ok(_) => continue,
                Err(_) => break,
            };
            let Ok(update) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            if let Some(c) = update["cursor"].as_str() {
                cursor = Some(c.to_owned());
            }
            for notification in update["notifications"].as_array().into_iter().flatten() {
                if let Some(event) = notification["title"]
                    .as_str()
                    .and_then(|t| t.strip_prefix("Bench event "))
                    .and_then(|n| n.parse().ok())
                {
                    let _ = heard.send((event, at, client));
                }
            }
        }
        let _ = reconnects.send(1);
        loop {
            match connect(&addr, &cookie, cursor.as_deref()).await {
                Ok(fresh) => {
                    socket = fresh;
                    break;
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
            }
        }
    }
}

/// Commit event `event` for `user`; when COMMIT was sent.
async fn commit(db: &PgPool, user: UserId, event: u64) -> Result<Instant> {
    let mut tx = db.begin().await?;
    repo::notify(
        &mut tx,
        &[user],
        &Notice {
            mentions: Vec::new(),
            kind: NotificationKind::MessageReceived,
            title: format!("Bench event {event}"),
            body: "A message from the realtime benchmark.".to_owned(),
            link: "/hire/messages".to_owned(),
        },
    )
    .await?;
    let at = Instant::now();
    tx.commit().await?;
    Ok(at)
}

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .context("no VmRSS")
}

/// Recipients drawn evenly at random (xorshift, fixed seed: every run draws the same ones).
struct Recipients {
    state: u64,
    clients: usize,
}

impl Recipients {
    fn new(clients: usize) -> Self {
        Recipients {
            state: 0x9E37_79B9_7F4A_7C15,
            clients,
        }
    }

    fn next(&mut self) -> usize {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        (self.state % self.clients as u64) as usize
    }
}
