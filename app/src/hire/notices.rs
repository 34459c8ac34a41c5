//! What Hire tells people, written in the transaction of the change that caused it: the
//! freelancer hears about invitations, offers, bookings, hours and certificates; the
//! organisation's members about applications, answers, hours and work handed in; either side
//! about a new message. Each notice names the shift (or job) and its start, and links to where
//! the person acts on it.

use crate::hire::applications::model::ApplicationStatus;
use crate::hire::contracts::model::TimesheetStatus;
use crate::hire::postings::model::PostingKind;
use crate::hire::reference::model::Side;
use crate::ids::{ApplicationId, ContractId, OrganisationId, PostingId, UserId};
use crate::money::Money;
use crate::notifications::model::{Notice, NotificationKind as Kind, mention};
use crate::notifications::repo::{notify, notify_members};
use crate::vault::VaultError;
use chrono::NaiveDateTime;
use sqlx::PgConnection;

/// Who and what an application (or the contract grown from it) is about.
struct About {
    application: ApplicationId,
    posting: PostingId,
    kind: PostingKind,
    title: String,
    organisation: OrganisationId,
    organisation_name: String,
    slug: String,
    freelancer: UserId,
    /// How the text names the freelancer: a [`mention`] of them, opened when it is read.
    freelancer_name: String,
    starts: NaiveDateTime,
}

async fn about(conn: &mut PgConnection, id: ApplicationId) -> Result<About, VaultError> {
    about_either(conn, Some(id), None).await
}

async fn about_contract(conn: &mut PgConnection, id: ContractId) -> Result<About, VaultError> {
    about_either(conn, None, Some(id)).await
}

/// The application `application`, or the one contract `contract` grew from.
async fn about_either(
    conn: &mut PgConnection,
    application: Option<ApplicationId>,
    contract: Option<ContractId>,
) -> Result<About, VaultError> {
    let r = sqlx::query!(
        r#"SELECT a.application_id, a.posting_id, p.kind AS "kind: PostingKind", p.title, a.organisation_id,
                  o.name AS organisation_name, o.slug, a.freelancer_id,
                  hire_local(p.starts_at) AS "starts!"
           FROM applications a
           JOIN postings p USING (posting_id)
           JOIN organisations o ON o.organisation_id = a.organisation_id
           WHERE a.application_id = coalesce(
                     $1, (SELECT application_id FROM contracts WHERE contract_id = $2))"#,
        application.map(|a| a.0),
        contract.map(|c| c.0),
    )
    .fetch_one(conn)
    .await?;
    Ok(About {
        application: ApplicationId(r.application_id),
        posting: PostingId(r.posting_id),
        kind: r.kind,
        title: r.title,
        organisation: OrganisationId(r.organisation_id),
        organisation_name: r.organisation_name,
        slug: r.slug,
        freelancer: UserId(r.freelancer_id),
        freelancer_name: mention(0),
        starts: r.starts,
    })
}

impl About {
    /// "Barista, Christmas market (Mon 7 Dec, 09:00)"; a job: "Shop fit-out (from Mon 7 Dec)".
    fn what(&self) -> String {
        let when = match self.kind {
            PostingKind::Shift => self.starts.format("%a %-d %b, %H:%M"),
            PostingKind::Job => self.starts.format("from %a %-d %b"),
        };
        format!("{} ({when})", self.title)
    }

    fn noun(&self) -> &'static str {
        match self.kind {
            PostingKind::Shift => "shift",
            PostingKind::Job => "job",
        }
    }

    /// The posting as freelancers see it.
    fn public_page(&self) -> String {
        let folder = match self.kind {
            PostingKind::Shift => "shifts",
            PostingKind::Job => "jobs",
        };
        format!("/hire/{folder}/{}", self.posting)
    }

    /// The posting with its applicants and contracts, for the organisation.
    fn organisation_page(&self) -> String {
        format!("/hire/org/{}/shifts/{}", self.slug, self.posting)
    }

    async fn tell_freelancer(
        &self,
        conn: &mut PgConnection,
        kind: Kind,
        title: String,
        body: String,
        link: String,
    ) -> Result<(), VaultError> {
        let notice = Notice {
            mentions: vec![self.freelancer],
            kind,
            title,
            body,
            link,
        };
        Ok(notify(conn, &[self.freelancer], &notice).await?)
    }

    /// Every member of the organisation but `except`, who acted.
    async fn tell_organisation(
        &self,
        conn: &mut PgConnection,
        except: Option<UserId>,
        kind: Kind,
        title: String,
        body: String,
    ) -> Result<(), VaultError> {
        let notice = Notice {
            mentions: vec![self.freelancer],
            kind,
            title,
            body,
            link: self.organisation_page(),
        };
        Ok(notify_members(conn, self.organisation, except, &notice).await?)
    }
}

const APPLICATIONS: &str = "/hire/work/applications";
const BOOKINGS: &str = "/hire/work/shifts";
const EARNINGS: &str = "/hire/work/earnings";

/// A freelancer applied (or applied from an invitation).
pub async fn application_received(
    conn: &mut PgConnection,
    id: ApplicationId,
) -> Result<(), VaultError> {
    let a = about(conn, id).await?;
    let title = format!("New application from {}", a.freelancer_name);
    let body = format!("{} applied to {}.", a.freelancer_name, a.what());
    a.tell_organisation(conn, None, Kind::ApplicationReceived, title, body)
        .await
}

pub async fn invited(conn: &mut PgConnection, id: ApplicationId) -> Result<(), VaultError> {
    let a = about(conn, id).await?;
    let title = format!("{} invites you", a.organisation_name);
    let body = format!(
        "{} invites you to apply to {}.",
        a.organisation_name,
        a.what()
    );
    let link = a.public_page();
    a.tell_freelancer(conn, Kind::Invited, title, body, link)
        .await
}

pub async fn offer_made(conn: &mut PgConnection, id: ApplicationId) -> Result<(), VaultError> {
    let a = about(conn, id).await?;
    let title = format!("An offer from {}", a.organisation_name);
    let body = format!(
        "{} offers you {}. Accept or decline it before it expires.",
        a.organisation_name,
        a.what()
    );
    a.tell_freelancer(conn, Kind::OfferMade, title, body, APPLICATIONS.into())
        .await
}

pub async fn offer_accepted(conn: &mut PgConnection, id: ApplicationId) -> Result<(), VaultError> {
    let a = about(conn, id).await?;
    let title = format!("{} accepted", a.freelancer_name);
    let body = format!(
        "{} accepted your offer for {}: they are booked.",
        a.freelancer_name,
        a.what()
    );
    a.tell_organisation(conn, None, Kind::OfferAccepted, title, body)
        .await
}

/// An application ended on `side`'s word, moving from `from` to `to`, with `reason`.
pub async fn application_ended(
    conn: &mut PgConnection,
    id: ApplicationId,
    from: ApplicationStatus,
    to: ApplicationStatus,
    reason: &str,
) -> Result<(), VaultError> {
    let a = about(conn, id).await?;
    let name = &a.freelancer_name;
    let (kind, title, verb) = match (from, to) {
        (_, ApplicationStatus::Rejected) => {
            let title = format!("Not selected for {}", a.title);
            let body = format!(
                "{} didn't select you for {}: “{reason}”",
                a.organisation_name,
                a.what()
            );
            return a
                .tell_freelancer(
                    conn,
                    Kind::ApplicationRejected,
                    title,
                    body,
                    APPLICATIONS.into(),
                )
                .await;
        }
        (ApplicationStatus::Invited, _) => (
            Kind::InvitationDeclined,
            format!("{name} declined your invitation"),
            "declined your invitation to",
        ),
        (ApplicationStatus::Offered, _) => (
            Kind::OfferDeclined,
            format!("{name} declined your offer"),
            "declined your offer for",
        ),
        _ => (
            Kind::ApplicationWithdrawn,
            format!("{name} withdrew"),
            "withdrew their application to",
        ),
    };
    let body = format!("{name} {verb} {}: “{reason}”", a.what());
    a.tell_organisation(conn, None, kind, title, body).await
}

/// An offer went unanswered: the freelancer can no longer take it, and the place is open again.
pub async fn offer_expired(conn: &mut PgConnection, id: ApplicationId) -> Result<(), VaultError> {
    let a = about(conn, id).await?;
    let body = format!("The offer for {} expired without an answer.", a.what());
    a.tell_freelancer(
        conn,
        Kind::OfferExpired,
        "An offer expired".into(),
        body,
        APPLICATIONS.into(),
    )
    .await?;
    let body = format!(
        "{} didn't answer your offer for {}; the place is open again.",
        a.freelancer_name,
        a.what()
    );
    let title = format!("{}'s offer expired", a.freelancer_name);
    a.tell_organisation(conn, None, Kind::OfferExpired, title, body)
        .await
}

/// A booking was cancelled by `by`'s side; `owed` is what the organisation pays for a late
/// cancellation (zero otherwise).
pub async fn booking_cancelled(
    conn: &mut PgConnection,
    id: ContractId,
    by: Side,
    late: bool,
    owed: Money,
    reason: &str,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    match by {
        Side::Organisation => {
            let mut body = format!(
                "{} cancelled your booking for {}: “{reason}”",
                a.organisation_name,
                a.what()
            );
            if owed.minor() > 0 {
                body.push_str(&format!(" It was late notice: you are owed {owed}."));
            }
            let title = format!("{} cancelled your {}", a.organisation_name, a.noun());
            a.tell_freelancer(conn, Kind::BookingCancelled, title, body, BOOKINGS.into())
                .await
        }
        Side::Freelancer => {
            let notice = if late { " at late notice" } else { "" };
            let body = format!(
                "{} cancelled their booking for {}{notice}: “{reason}”",
                a.freelancer_name,
                a.what()
            );
            let title = format!("{} cancelled", a.freelancer_name);
            a.tell_organisation(conn, None, Kind::BookingCancelled, title, body)
                .await
        }
    }
}

pub async fn no_show(conn: &mut PgConnection, id: ContractId) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let body = format!(
        "{} recorded that you didn't come to {}. Message them if that is wrong.",
        a.organisation_name,
        a.what()
    );
    a.tell_freelancer(
        conn,
        Kind::NoShowRecorded,
        "A no-show was recorded".into(),
        body,
        BOOKINGS.into(),
    )
    .await
}

/// The freelancer submitted hours (a shift's, or a job's week).
pub async fn hours_submitted(conn: &mut PgConnection, id: ContractId) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let title = format!("Hours from {}", a.freelancer_name);
    let body = format!(
        "{} submitted hours for {}. Approve, adjust or dispute them.",
        a.freelancer_name,
        a.what()
    );
    a.tell_organisation(conn, None, Kind::HoursSubmitted, title, body)
        .await
}

/// The organisation (or, after the window, the auto-approval job) answered the hours.
pub async fn hours_answered(
    conn: &mut PgConnection,
    id: ContractId,
    to: TimesheetStatus,
    amount: Money,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let (kind, title, body) = match to {
        TimesheetStatus::Approved | TimesheetStatus::AutoApproved => (
            Kind::HoursApproved,
            "Hours approved",
            format!("Your hours for {} are approved: {amount}.", a.what()),
        ),
        TimesheetStatus::Adjusted => (
            Kind::HoursAdjusted,
            "Hours adjusted",
            format!(
                "{} approved your hours for {} with changes: {amount}.",
                a.organisation_name,
                a.what()
            ),
        ),
        TimesheetStatus::Disputed | TimesheetStatus::Submitted | TimesheetStatus::Resolved => (
            Kind::HoursDisputed,
            "Hours disputed",
            format!(
                "{} disputed your hours for {}. See why, and submit them again.",
                a.organisation_name,
                a.what()
            ),
        ),
    };
    a.tell_freelancer(conn, kind, title.into(), body, BOOKINGS.into())
        .await
}

pub async fn work_handed_over(conn: &mut PgConnection, id: ContractId) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let title = format!("Work from {}", a.freelancer_name);
    let body = format!(
        "{} handed over the work for {}. Approve it or say what is missing.",
        a.freelancer_name,
        a.what()
    );
    a.tell_organisation(conn, None, Kind::WorkHandedOver, title, body)
        .await
}

pub async fn work_answered(
    conn: &mut PgConnection,
    id: ContractId,
    approved: bool,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let (kind, title, body) = if approved {
        let body = format!("Your work for {} is approved.", a.what());
        (Kind::WorkApproved, "Work approved", body)
    } else {
        let body = format!(
            "{} disputed the work for {}. See what is missing, and hand it over again.",
            a.organisation_name,
            a.what()
        );
        (Kind::WorkDisputed, "Work disputed", body)
    };
    a.tell_freelancer(conn, kind, title.into(), body, BOOKINGS.into())
        .await
}

/// `by`, on `side`, wrote `body` in the thread of `application`: the other side hears of it.
pub async fn message(
    conn: &mut PgConnection,
    id: ApplicationId,
    side: Side,
    by: UserId,
    body: &str,
) -> Result<(), VaultError> {
    let a = about(conn, id).await?;
    let preview: String = body.chars().take(140).collect();
    let preview = if preview.len() < body.len() {
        format!("{preview}…")
    } else {
        preview
    };
    match side {
        Side::Organisation => {
            let title = format!("Message from {}", a.organisation_name);
            let link = format!("/hire/messages/{}", a.application);
            a.tell_freelancer(conn, Kind::MessageReceived, title, preview, link)
                .await
        }
        Side::Freelancer => {
            let notice = Notice {
                mentions: vec![a.freelancer],
                kind: Kind::MessageReceived,
                title: format!("Message from {}", a.freelancer_name),
                body: preview,
                link: format!("/hire/org/{}/messages/{}", a.slug, a.application),
            };
            Ok(notify_members(conn, a.organisation, Some(by), &notice).await?)
        }
    }
}

/// An admin verified or rejected (with `reason`) a certificate of type `type_name`.
pub async fn certificate_reviewed(
    conn: &mut PgConnection,
    freelancer: UserId,
    type_name: &str,
    rejected_because: Option<&str>,
) -> Result<(), sqlx::Error> {
    let notice = match rejected_because {
        None => Notice {
            mentions: Vec::new(),
            kind: Kind::CertificateVerified,
            title: "Certificate verified".into(),
            body: format!(
                "Your {type_name} certificate is verified: shifts that ask for it are open to you."
            ),
            link: "/hire/profile".into(),
        },
        Some(reason) => Notice {
            mentions: Vec::new(),
            kind: Kind::CertificateRejected,
            title: "Certificate not accepted".into(),
            body: format!(
                "Your {type_name} certificate wasn't accepted: “{reason}” Upload it again on your profile."
            ),
            link: "/hire/profile".into(),
        },
    };
    notify(conn, &[freelancer], &notice).await
}

/// The organisation's payment for a booking is held in escrow: the freelancer can count on it.
/// `pay` is the freelancer's part of it.
pub async fn booking_funded(
    conn: &mut PgConnection,
    id: ContractId,
    pay: Money,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let body = format!(
        "{} has paid for {}: your {pay} is held in escrow and released to you once the work is approved.",
        a.organisation_name,
        a.what()
    );
    let title = format!("Your {} is funded", a.noun());
    a.tell_freelancer(conn, Kind::BookingFunded, title, body, BOOKINGS.into())
        .await
}

/// Released pay went to the freelancer's connected account.
pub async fn payout_sent(
    conn: &mut PgConnection,
    id: ContractId,
    pay: Money,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let body = format!(
        "{pay} for {} is on its way to your bank through Stripe.",
        a.what()
    );
    let title = format!("{pay} paid out");
    a.tell_freelancer(conn, Kind::PayoutSent, title, body, EARNINGS.into())
        .await
}

/// Charging the organisation's card for a booking (or approved pay) failed; `problem` says why
/// and the billing page is where to fix it. `deadline`: when an unfunded booking is released.
pub async fn funding_needed(
    conn: &mut PgConnection,
    id: ContractId,
    problem: &str,
    deadline: Option<NaiveDateTime>,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let mut body = format!(
        "We couldn't charge your card for {} with {}: {problem} Add or replace the card on the billing page, or try again there.",
        a.what(),
        a.freelancer_name,
    );
    if let Some(deadline) = deadline {
        body.push_str(&format!(
            " If it isn't paid by {}, the booking is released.",
            deadline.format("%a %-d %b, %H:%M")
        ));
    }
    let notice = Notice {
        mentions: Vec::new(),
        kind: Kind::FundingNeeded,
        title: format!("Payment needed for {}", a.title),
        body,
        link: format!("/hire/org/{}/billing", a.slug),
    };
    Ok(notify_members(conn, a.organisation, None, &notice).await?)
}

/// A booking was released because the organisation's payment didn't arrive in time.
pub async fn funding_lapsed(conn: &mut PgConnection, id: ContractId) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let body = format!(
        "{} didn't pay for {} in time, so the booking is released and you are free that day. We're sorry.",
        a.organisation_name,
        a.what()
    );
    let title = format!("Your {} with {} is off", a.noun(), a.organisation_name);
    a.tell_freelancer(conn, Kind::FundingLapsed, title, body, BOOKINGS.into())
        .await?;
    let body = format!(
        "The booking of {} for {} was released: it wasn't paid by its deadline. The place is open again.",
        a.freelancer_name,
        a.what()
    );
    let title = format!("Booking released: {}", a.title);
    a.tell_organisation(conn, None, Kind::FundingLapsed, title, body)
        .await
}

/// The organisation ended an hourly job early: no more weeks to submit.
pub async fn job_ended(
    conn: &mut PgConnection,
    id: ContractId,
    reason: &str,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let body = format!(
        "{} ended {} early: “{reason}” The weeks already approved are yours; no more hours can be submitted.",
        a.organisation_name,
        a.what()
    );
    let title = format!("{} ended the job", a.organisation_name);
    a.tell_freelancer(conn, Kind::JobEnded, title, body, BOOKINGS.into())
        .await
}

/// `side` asked Olivine to decide a dispute: the other side hears of it.
pub async fn dispute_escalated(
    conn: &mut PgConnection,
    id: ContractId,
    side: Side,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    match side {
        Side::Organisation => {
            let body = format!(
                "{} asked Olivine to decide the dispute about {}. A finance admin will look at the hours, the messages and the history, and tell you both.",
                a.organisation_name,
                a.what()
            );
            let title = "Olivine will decide the dispute".to_owned();
            a.tell_freelancer(conn, Kind::DisputeEscalated, title, body, BOOKINGS.into())
                .await
        }
        Side::Freelancer => {
            let body = format!(
                "{} asked Olivine to decide the dispute about {}. A finance admin will look at the hours, the messages and the history, and tell you both.",
                a.freelancer_name,
                a.what()
            );
            let title = "Olivine will decide the dispute".to_owned();
            a.tell_organisation(conn, None, Kind::DisputeEscalated, title, body)
                .await
        }
    }
}

/// A finance admin decided a dispute: `released` to the freelancer, `kept` back for the
/// organisation, and why.
pub async fn dispute_resolved(
    conn: &mut PgConnection,
    id: ContractId,
    released: Money,
    kept: Money,
    note: &str,
) -> Result<(), VaultError> {
    let a = about_contract(conn, id).await?;
    let title = format!("Dispute decided: {}", a.title);
    let body = format!(
        "Olivine decided the dispute about {}: {released} is paid to you. “{note}”",
        a.what()
    );
    a.tell_freelancer(
        conn,
        Kind::DisputeResolved,
        title.clone(),
        body,
        BOOKINGS.into(),
    )
    .await?;
    let body = format!(
        "Olivine decided the dispute about {} with {}: {released} is paid to them and {kept} comes back to you. “{note}”",
        a.what(),
        a.freelancer_name
    );
    a.tell_organisation(conn, None, Kind::DisputeResolved, title, body)
        .await
}
