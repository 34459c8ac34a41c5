//! What a person is told about, as the notification list shows it.

use crate::ids::{NotificationId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pg_enum!(
    /// What happened. Freelancers hear about their invitations, offers, bookings, hours and
    /// certificates; an organisation's members about applications, answers and handed-in hours;
    /// either side about messages; shoppers about their orders and sold-out items back in stock.
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
    BackInStock = "back_in_stock": "Back in stock",
    BookingFunded = "booking_funded": "Booking funded",
    FundingNeeded = "funding_needed": "Payment needed",
    FundingLapsed = "funding_lapsed": "Booking released",
    JobEnded = "job_ended": "Job ended",
    DisputeEscalated = "dispute_escalated": "Dispute escalated",
    DisputeResolved = "dispute_resolved": "Dispute decided",
    PayoutSent = "payout_sent": "Payout sent",
    RenewalWaiting = "renewal_waiting": "Delivery waiting for stock",
    RenewalSkipped = "renewal_skipped": "Delivery skipped",
    RenewalPaymentFailed = "renewal_payment_failed": "Renewal payment failed",
    RenewalNeedsConfirmation = "renewal_needs_confirmation": "Confirm your renewal payment",
    SubscriptionPaymentNeeded = "subscription_payment_needed": "Subscription on hold",
    RenewalReminder = "renewal_reminder": "Delivery reminder",
    ReviewPublished = "review_published": "Review published",
    ReviewRejected = "review_rejected": "Review not published",
    PointsAdjusted = "points_adjusted": "Points adjusted",
    PointsExpired = "points_expired": "Points expired",
});

impl NotificationKind {
    /// Kinds whose email is a message of its own, always sent (an order's receipt, its
    /// shipping note): their notifications are never mailed again.
    pub fn has_own_email(self) -> bool {
        matches!(
            self,
            NotificationKind::OrderPaid
                | NotificationKind::OrderShipped
                | NotificationKind::OrderRefunded
        )
    }

    /// Who hears about this kind, for grouping the email settings.
    pub fn audience(self) -> Audience {
        use NotificationKind as K;
        match self {
            K::Invited
            | K::OfferMade
            | K::OfferExpired
            | K::ApplicationRejected
            | K::BookingCancelled
            | K::NoShowRecorded
            | K::HoursApproved
            | K::HoursAdjusted
            | K::HoursDisputed
            | K::WorkApproved
            | K::WorkDisputed
            | K::CertificateVerified
            | K::CertificateRejected
            | K::BookingFunded
            | K::JobEnded
            | K::PayoutSent => Audience::Freelancer,
            K::ApplicationReceived
            | K::ApplicationWithdrawn
            | K::InvitationDeclined
            | K::OfferAccepted
            | K::OfferDeclined
            | K::HoursSubmitted
            | K::WorkHandedOver
            | K::FundingNeeded => Audience::Organisation,
            K::MessageReceived | K::FundingLapsed | K::DisputeEscalated | K::DisputeResolved => {
                Audience::Everyone
            }
            K::OrderPaid
            | K::OrderShipped
            | K::OrderRefunded
            | K::BackInStock
            | K::RenewalWaiting
            | K::RenewalSkipped
            | K::RenewalPaymentFailed
            | K::RenewalNeedsConfirmation
            | K::SubscriptionPaymentNeeded
            | K::RenewalReminder
            | K::ReviewPublished
            | K::ReviewRejected
            | K::PointsAdjusted
            | K::PointsExpired => Audience::Shopper,
        }
    }
}

/// The groups of the email settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Freelancer,
    Organisation,
    Everyone,
    Shopper,
}

impl Audience {
    pub const ALL: [Audience; 4] = [
        Audience::Freelancer,
        Audience::Organisation,
        Audience::Everyone,
        Audience::Shopper,
    ];

    pub fn heading(self) -> &'static str {
        match self {
            Audience::Freelancer => "Your work as a freelancer",
            Audience::Organisation => "Your organisation's shifts and jobs",
            Audience::Everyone => "Messages",
            Audience::Shopper => "Shopping",
        }
    }
}

pg_enum!(
    /// How a person wants email about one kind of notification.
    EmailCadence as "email_cadence" {
    Immediately = "immediately": "At once",
    Daily = "daily": "Daily digest",
    Off = "off": "No email",
});

/// One kind's email setting, as the settings form shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EmailPreference {
    pub kind: NotificationKind,
    pub email: EmailCadence,
}

/// The email settings form's answers (kind → cadence, by their form names), checked.
pub fn parse_email_preferences(
    form: &std::collections::HashMap<String, String>,
) -> Result<Vec<EmailPreference>, crate::error::AppError> {
    let mut choices: Vec<EmailPreference> = form
        .iter()
        .map(|(kind, email)| {
            let kind = NotificationKind::from_db_name(kind);
            let email = EmailCadence::from_db_name(email);
            kind.zip(email)
                .map(|(kind, email)| EmailPreference { kind, email })
                .ok_or_else(|| {
                    crate::error::AppError::invalid(
                        "That email setting is not one we know. Reload the page and try again.",
                    )
                })
        })
        .collect::<Result<_, _>>()?;
    choices.sort_by_key(|c| c.kind);
    Ok(choices)
}

/// What an unsubscribe link stops: one kind, or the daily digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsubscribe {
    /// `None`: the daily digest.
    pub kind: Option<NotificationKind>,
    /// Already used once (using it again changes nothing).
    pub used: bool,
}

impl Unsubscribe {
    /// "emails about offers", "the daily digest".
    pub fn what(&self) -> String {
        match self.kind {
            Some(kind) => format!("emails about “{}”", kind.label()),
            None => "the daily digest".to_owned(),
        }
    }
}

/// A notification to write: the same one goes to each of its recipients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The people its text names, each by a [`mention`] marker: the stored text holds no
    /// name, each is opened from the person's sealed name when the notification is read.
    pub mentions: Vec<UserId>,
    pub kind: NotificationKind,
    pub title: String,
    /// One or two sentences.
    pub body: String,
    /// A path on this site, where the person acts on it.
    pub link: String,
}

/// What a notification says where a person it names was erased.
pub const FORMER_MEMBER: &str = "a former member";

const MENTION_OPEN: char = '\u{E000}';
const MENTION_CLOSE: char = '\u{E001}';

/// How a notice's text names its `index`th mention (two private-use characters around the
/// index), put in place by [`with_names`] when it is read.
pub fn mention(index: usize) -> String {
    format!("{MENTION_OPEN}{index}{MENTION_CLOSE}")
}

/// `text` with each [`mention`] marker replaced by that person's name (a marker beyond
/// `names` reads as [`FORMER_MEMBER`]). A marker only ever reaches the notification's own
/// mentions, so text a person wrote can't make it name anyone else.
pub fn with_names(text: &str, names: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(MENTION_OPEN) {
        out.push_str(&rest[..start]);
        let after = &rest[start + MENTION_OPEN.len_utf8()..];
        let Some(end) = after.find(MENTION_CLOSE) else {
            rest = after;
            continue;
        };
        let name = after[..end]
            .parse::<usize>()
            .ok()
            .and_then(|i| names.get(i))
            .map_or(FORMER_MEMBER, String::as_str);
        out.push_str(name);
        rest = &after[end + MENTION_CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_read_as_the_names_of_the_notifications_own_people() {
        let names = ["Fay Freelancer".to_owned(), "Ben".to_owned()];
        let text = format!("{} applied; {} saw it.", mention(0), mention(1));
        assert_eq!(
            with_names(&text, &names),
            "Fay Freelancer applied; Ben saw it."
        );
        // Beyond the list (someone erased and left out, or typed in by hand).
        assert_eq!(
            with_names(&format!("{} wrote", mention(7)), &names),
            "a former member wrote"
        );
        // Half a marker is dropped, the text around it kept.
        assert_eq!(with_names("a \u{E000}b", &names), "a b");
        assert_eq!(with_names("no names", &[]), "no names");
    }
}
