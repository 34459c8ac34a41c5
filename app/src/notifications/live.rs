//! Live delivery on this node: each open WebSocket subscribes for its person; the node's
//! listener publishes what the database says is new, by transaction horizon. A subscriber that
//! doesn't keep up is dropped (its socket closes and the browser reconnects with its cursor,
//! reading what it missed from the table), never buffered without bound.

use super::model::Notification;
use crate::ids::UserId;
use std::collections::HashMap;
use std::sync::Mutex;
use tokio::sync::mpsc;

/// Deliveries a socket may have waiting before it counts as too slow.
pub const QUEUE: usize = 64;

/// New notifications for one person, of transactions below `horizon`; each with its
/// transaction, so a socket skips what it already sent.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub horizon: i64,
    pub notifications: Vec<(i64, Notification)>,
}

#[derive(Debug, Default)]
pub struct Hub {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_id: u64,
    subscribers: HashMap<UserId, Vec<(u64, mpsc::Sender<Delivery>)>>,
}

/// One socket's place in the hub; it leaves when dropped.
pub struct Subscription<'a> {
    hub: &'a Hub,
    user: UserId,
    id: u64,
    pub deliveries: mpsc::Receiver<Delivery>,
}

impl Drop for Subscription<'_> {
    fn drop(&mut self) {
        self.hub.remove(self.user, self.id);
    }
}

impl Hub {
    pub fn subscribe(&self, user: UserId) -> Subscription<'_> {
        let (tx, rx) = mpsc::channel(QUEUE);
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        inner.subscribers.entry(user).or_default().push((id, tx));
        Subscription {
            hub: self,
            user,
            id,
            deliveries: rx,
        }
    }

    /// How many sockets are open on this node.
    #[cfg(test)]
    fn connections(&self) -> usize {
        self.lock().subscribers.values().map(Vec::len).sum()
    }

    /// Hand each recipient's subscribers their part of what is new up to `horizon`. A
    /// subscriber whose queue is full is dropped.
    pub fn publish(&self, horizon: i64, notifications: &[(UserId, i64, Notification)]) {
        let mut by_user: HashMap<UserId, Vec<(i64, Notification)>> = HashMap::new();
        for (user, xid, notification) in notifications {
            by_user
                .entry(*user)
                .or_default()
                .push((*xid, notification.clone()));
        }
        let mut inner = self.lock();
        for (user, mine) in by_user {
            let Some(subscribers) = inner.subscribers.get_mut(&user) else {
                continue;
            };
            subscribers.retain(|(_, tx)| {
                let delivery = Delivery {
                    horizon,
                    notifications: mine.clone(),
                };
                match tx.try_send(delivery) {
                    Ok(()) => true,
                    Err(mpsc::error::TrySendError::Full(_)) => {
                        tracing::info!(%user, "dropping a live connection that fell behind");
                        false
                    }
                    Err(mpsc::error::TrySendError::Closed(_)) => false,
                }
            });
            if subscribers.is_empty() {
                inner.subscribers.remove(&user);
            }
        }
    }

    fn remove(&self, user: UserId, id: u64) {
        let mut inner = self.lock();
        if let Some(subscribers) = inner.subscribers.get_mut(&user) {
            subscribers.retain(|(other, _)| *other != id);
            if subscribers.is_empty() {
                inner.subscribers.remove(&user);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::NotificationId;
    use crate::notifications::model::NotificationKind;

    fn notification() -> Notification {
        Notification {
            id: NotificationId(uuid::Uuid::nil()),
            kind: NotificationKind::MessageReceived,
            title: "Message".into(),
            body: "Hello".into(),
            link: "/hire/messages".into(),
            at: chrono::DateTime::UNIX_EPOCH,
            read: false,
        }
    }

    #[test]
    fn each_person_gets_only_their_part_and_a_socket_that_falls_behind_is_dropped() {
        let hub = Hub::default();
        let (ann, ben) = (
            UserId(uuid::Uuid::from_u128(1)),
            UserId(uuid::Uuid::from_u128(2)),
        );
        let mut slow = hub.subscribe(ann);
        let mut other = hub.subscribe(ben);
        assert_eq!(hub.connections(), 2);
        hub.publish(10, &[(ann, 9, notification())]);
        let delivery = other.deliveries.try_recv();
        assert!(delivery.is_err(), "Ben hears nothing of Ann's");
        // Ann's socket reads nothing while more keeps coming: past its queue it is dropped,
        // after what was queued.
        for horizon in 11..(11 + QUEUE as i64) {
            hub.publish(horizon, &[(ann, horizon - 1, notification())]);
        }
        assert_eq!(hub.connections(), 1);
        let mut queued = 0;
        while let Ok(delivery) = slow.deliveries.try_recv() {
            assert_eq!(delivery.notifications.len(), 1);
            queued += 1;
        }
        assert_eq!(queued, QUEUE);
        assert!(matches!(
            slow.deliveries.try_recv(),
            Err(mpsc::error::TryRecvError::Disconnected)
        ));
        drop(other);
        assert_eq!(hub.connections(), 0);
    }
}
