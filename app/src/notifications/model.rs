//! What a person is told about, as the notification list shows it.

use crate::ids::NotificationId;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pg_enum!(
    /// What happened. Freelancers hear about their invitations, offers, bookings, hours and
    /// certificates; an organisation's members about applications, answers and handed-in hours;
    /// either side about messages; shoppers about their orders.
    NotificationKind as "notification_kind" {
    Invited = "invited": "Invitation",
    OfferMade = "offer_made": "Offer",
    OfferExpired = "offer_expired": "Offer expired",
    ApplicationRejected = "application_rejected": "Not selected",
    BookingCancelled = "booking_cancelled": "Booking cancelled",
    NoShowRecorded = "no_show_recorded": "No-show recorded",
    HoursApproved = "hours_approved": "Hours approved",
    HoursAdjusted = "hours_adjusted": "Hours adjusted",
    HoursDisputed = "hours_disputed": "Hours disputed",
    WorkApproved = "work_approved": "Work approved",
    WorkDisputed = "work_disputed": "Work disputed",
    CertificateVerified = "certificate_verified": "Certificate verified",
    CertificateRejected = "certificate_rejected": "Certificate rejected",
    ApplicationReceived = "application_received": "New application",
    ApplicationWithdrawn = "application_withdrawn": "Application withdrawn",
    InvitationDeclined = "invitation_declined": "Invitation declined",
    OfferAccepted = "offer_accepted": "Offer accepted",
    OfferDeclined = "offer_declined": "Offer declined",
    HoursSubmitted = "hours_submitted": "Hours submitted",
    WorkHandedOver = "work_handed_over": "Work handed over",
    MessageReceived = "message_received": "Message",
    OrderPaid = "order_paid": "Order paid",
    OrderShipped = "order_shipped": "Order shipped",
    OrderRefunded = "order_refunded": "Order refunded",
});

/// A notification to write: the same one goes to each of its recipients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub kind: NotificationKind,
    pub title: String,
    /// One or two sentences.
    pub body: String,
    /// A path on this site, where the person acts on it.
    pub link: String,
}

/// One notification as its recipient sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: NotificationId,
    pub kind: NotificationKind,
    pub title: String,
    pub body: String,
    pub link: String,
    pub at: DateTime<Utc>,
    pub read: bool,
}

/// A page of a person's notifications, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotificationPage {
    pub notifications: Vec<Notification>,
    pub unread: i64,
    pub total: i64,
    pub page: u32,
    pub total_pages: u32,
}

/// How many of a person's notifications are unread, and the cursor their live connection
/// starts from (everything before it is in the count).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    pub count: i64,
    pub cursor: String,
}

/// What the live connection sends: notifications, and the cursor that covers them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveUpdate {
    pub cursor: String,
    pub notifications: Vec<Notification>,
}

/// Notifications on one page of the list.
pub const NOTIFICATIONS_PER_PAGE: u32 = 30;
