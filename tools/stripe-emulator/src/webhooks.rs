//! Events and their delivery: each event becomes Stripe's envelope, is kept in order, and is
//! POSTed to the webhook endpoint with a `Stripe-Signature` header; a delivery that doesn't get
//! a 2xx is retried with backoff (Stripe retries for days; the emulator for about a minute).

use crate::intents::Event;
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use stripe_webhook::Webhook;
use tokio::sync::mpsc;

/// An event as sent: its id, type, the exact payload signed, and whether the endpoint took it.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub delivered: bool,
}

#[derive(Clone)]
pub struct Outbox {
    events: Arc<Mutex<Vec<Delivered>>>,
    queue: Option<mpsc::UnboundedSender<usize>>,
    secret: Arc<str>,
}

/// Delivery attempts per event, with the pause before each retry doubling from 250 ms.
const ATTEMPTS: u32 = 8;

impl Outbox {
    pub fn start(url: Option<String>, secret: String) -> Self {
        let events = Arc::new(Mutex::new(Vec::<Delivered>::new()));
        let secret: Arc<str> = secret.into();
        let queue = url.map(|url| {
            let (tx, mut rx) = mpsc::unbounded_channel::<usize>();
            let events = events.clone();
            let secret = secret.clone();
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap_or_default();
                // One at a time, in order, as a single Stripe endpoint mostly sees them.
                while let Some(index) = rx.recv().await {
                    let Some(payload) = lock(&events).get(index).map(|e| e.payload.clone()) else {
                        continue;
                    };
                    if deliver(&client, &url, &secret, &payload).await
                        && let Some(event) = lock(&events).get_mut(index)
                    {
                        event.delivered = true;
                    }
                }
            });
            tx
        });
        Outbox {
            events,
            queue,
            secret,
        }
    }

    pub fn publish(&self, new: Vec<Event>) {
        for event in new {
            let id = crate::intents::random_id("evt");
            let payload = json!({
                "id": id,
                "object": "event",
                "api_version": stripe_shared::version::VERSION.as_str(),
                "created": std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0),
                "data": { "object": event.object },
                "livemode": false,
                "pending_webhooks": 1,
                "request": { "id": null, "idempotency_key": null },
                "type": event.kind,
            })
            .to_string();
            let index = {
                let mut events = lock(&self.events);
                events.push(Delivered {
                    id,
                    kind: event.kind.to_owned(),
                    payload,
                    delivered: false,
                });
                events.len() - 1
            };
            if let Some(queue) = &self.queue {
                let _ = queue.send(index);
            }
        }
    }

    pub fn all(&self) -> Vec<Delivered> {
        lock(&self.events).clone()
    }

    /// A fresh `Stripe-Signature` header for `payload`, as a delivery would carry now.
    pub fn sign(&self, payload: &str) -> String {
        Webhook::generate_test_header(payload, &self.secret, None)
    }
}

fn lock(events: &Mutex<Vec<Delivered>>) -> std::sync::MutexGuard<'_, Vec<Delivered>> {
    events
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

async fn deliver(client: &reqwest::Client, url: &str, secret: &str, payload: &str) -> bool {
    let mut pause = Duration::from_millis(250);
    for attempt in 1..=ATTEMPTS {
        // Signed at each attempt, so a late retry still carries a fresh timestamp.
        let signature = Webhook::generate_test_header(payload, secret, None);
        let outcome = client
            .post(url)
            .header("content-type", "application/json; charset=utf-8")
            .header("stripe-signature", signature)
            .body(payload.to_owned())
            .send()
            .await;
        match outcome {
            Ok(response) if response.status().is_success() => return true,
            Ok(response) => {
                tracing::warn!(attempt, status = %response.status(), "webhook refused; will retry");
            }
            Err(error) => tracing::warn!(attempt, %error, "webhook not delivered; will retry"),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(15));
    }
    false
}
