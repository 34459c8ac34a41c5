//! Reviews as shoppers and moderators see them, and the rules for writing one: 1–5 stars, a
//! title and a text; a review with a link waits for a moderator. Pure; shared by browser and
//! server.

use crate::error::{AppError, Problems};
use crate::ids::{ProductId, ReviewId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pg_enum!(
    /// Where a review is: waiting for a moderator, on the product page, or turned down.
    ReviewStatus as "review_status" {
    Pending = "pending": "Waiting for moderation",
    Published = "published": "Published",
    Rejected = "rejected": "Rejected",
});

pub const TITLE_MAX: usize = 120;
pub const BODY_MAX: usize = 4000;
pub const REASON_MAX: usize = 500;
/// Reviews shown per page on a product page.
pub const PER_PAGE: i64 = 10;
/// Reviews per page in the back office.
pub const ADMIN_PER_PAGE: i64 = 25;

/// The order a product page lists its reviews in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReviewSort {
    #[default]
    Newest,
    Helpful,
}

impl ReviewSort {
    pub const ALL: [ReviewSort; 2] = [ReviewSort::Newest, ReviewSort::Helpful];

    pub fn param(self) -> &'static str {
        match self {
            ReviewSort::Newest => "newest",
            ReviewSort::Helpful => "helpful",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewSort::Newest => "Newest",
            ReviewSort::Helpful => "Most helpful",
        }
    }

    pub fn from_param(value: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.param() == value)
            .unwrap_or_default()
    }
}

/// A product's published reviews in numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RatingSummary {
    /// Reviews per star count: `stars[0]` gave one star, `stars[4]` five.
    pub stars: [i64; 5],
}

impl RatingSummary {
    pub fn count(&self) -> i64 {
        self.stars.iter().sum()
    }

    /// The average × 10, rounded half up (4.35 → 44); 0 without reviews.
    pub fn average_tenths(&self) -> i64 {
        let count = self.count();
        if count == 0 {
            return 0;
        }
        let sum: i64 = (1..=5).zip(self.stars).map(|(s, n)| s * n).sum();
        (sum * 20 + count) / (count * 2)
    }

    /// "4.4".
    pub fn average_label(&self) -> String {
        let tenths = self.average_tenths();
        format!("{}.{}", tenths / 10, tenths % 10)
    }

    /// The share of reviews that gave `stars`, in whole percent.
    pub fn percent(&self, stars: usize) -> i64 {
        let count = self.count();
        match (count, stars.checked_sub(1).and_then(|i| self.stars.get(i))) {
            (0, _) | (_, None) => 0,
            (count, Some(n)) => (n * 100 + count / 2) / count,
        }
    }
}

/// One published review as a product page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewView {
    pub id: ReviewId,
    /// "Ann B.": the first name and the last name's initial.
    pub author: String,
    pub rating: i16,
    pub title: String,
    pub body: String,
    pub written_at: DateTime<Utc>,
    pub helpful: i32,
    /// The viewer has marked it helpful.
    pub voted: bool,
    /// The viewer wrote it (and so cannot vote for it).
    pub mine: bool,
}

/// What the viewer may do about reviewing the product.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MayReview {
    /// Signed out: sign in first.
    SignIn,
    /// No delivered order of theirs holds the product.
    NotReceived,
    Write,
    /// They have reviewed it; where that review is.
    Written {
        status: ReviewStatus,
        reject_reason: Option<String>,
    },
}

/// A product page's reviews part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductReviews {
    pub product: ProductId,
    pub summary: RatingSummary,
    pub reviews: Vec<ReviewView>,
    pub sort: ReviewSort,
    pub page: i64,
    pub may: MayReview,
}

/// A review as typed and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedReview {
    pub rating: i16,
    pub title: String,
    pub body: String,
    /// Why it waits for a moderator, if it must.
    pub held_because: Option<&'static str>,
}

/// Why someone may not review: nothing of theirs was delivered with the product.
pub const NOT_RECEIVED: &str = "Reviews come from customers who received the product: you can review it once an order with it has been delivered to you.";

pub const HELD_FOR_LINK: &str = "It contains a link.";

/// Check a review as typed: the stars (1–5), the title and the text, every problem at once.
pub fn check_review(rating: &str, title: &str, body: &str) -> Result<CheckedReview, AppError> {
    let mut p = Problems::default();
    let rating = match rating.trim().parse::<i16>() {
        Ok(stars @ 1..=5) => stars,
        Ok(_) | Err(_) => {
            p.add("rating", "Choose from one to five stars.");
            0
        }
    };
    let title = p.text("title", "title", title, TITLE_MAX);
    let body = p.text("body", "review", body, BODY_MAX);
    let held_because = (has_link(&title) || has_link(&body)).then_some(HELD_FOR_LINK);
    p.into_result(CheckedReview {
        rating,
        title,
        body,
        held_because,
    })
}

/// Top-level domains that make "word.tld" read as an address.
const LINK_ENDINGS: &[&str] = &[
    "com", "net", "org", "info", "biz", "io", "co", "eu", "nl", "de", "be", "fr", "uk", "es", "it",
    "ru", "cn", "shop", "store", "online", "site", "xyz", "top", "ly", "me", "app",
];

/// Whether `text` holds a web address: a scheme, "www.", or a word ending in a known
/// top-level domain ("cheap-pills.shop", "bit.ly/x").
pub fn has_link(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains("://") || lower.contains("www.") {
        return true;
    }
    lower
        .split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '<' | '>' | '"' | '\''))
        .any(|word| {
            // The host part: up to a path, without trailing punctuation.
            let host = word.split('/').next().unwrap_or_default();
            let host = host.trim_end_matches(|c: char| !c.is_alphanumeric());
            let mut labels = host.rsplit('.');
            match (labels.next(), labels.next()) {
                (Some(tld), Some(name)) => {
                    !name.is_empty()
                        && name
                            .chars()
                            .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
                        && LINK_ENDINGS.contains(&tld)
                }
                (Some(_) | None, None) | (None, Some(_)) => false,
            }
        })
}

/// How a review names its author: "Ann Bakker" → "Ann B.", "ann" → "Ann".
pub fn public_name(display_name: &str) -> String {
    let mut words = display_name.split_whitespace();
    let first = words.next().unwrap_or("A customer");
    let mut name: String = first
        .chars()
        .take(1)
        .flat_map(char::to_uppercase)
        .chain(first.chars().skip(1))
        .collect();
    if let Some(initial) = words.last().and_then(|w| w.chars().next()) {
        name.push(' ');
        name.extend(initial.to_uppercase());
        name.push('.');
    }
    name
}

/// One review in the back office.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminReview {
    pub id: ReviewId,
    pub product_name: String,
    pub product_slug: String,
    pub author_email: String,
    pub author: String,
    pub rating: i16,
    pub title: String,
    pub body: String,
    pub status: ReviewStatus,
    pub held_because: Option<String>,
    pub reject_reason: Option<String>,
    pub written_at: DateTime<Utc>,
    pub helpful: i32,
}

/// The moderation screen: one status's reviews, oldest waiting first, and how many wait.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminReviewPage {
    pub status: ReviewStatus,
    pub rows: Vec<AdminReview>,
    pub total: i64,
    pub page: i64,
    pub waiting: i64,
}

/// A moderator's decision on one review.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Publish,
    Reject { reason: String },
}

impl Decision {
    /// What the review becomes.
    pub fn status(&self) -> ReviewStatus {
        match self {
            Decision::Publish => ReviewStatus::Published,
            Decision::Reject { .. } => ReviewStatus::Rejected,
        }
    }

    /// Whether a review in `from` may take this decision: a waiting one either way, a
    /// published one taken down, a rejected one published after all.
    pub fn may_follow(&self, from: ReviewStatus) -> bool {
        from != self.status()
    }
}

/// A moderator's form: `decision` "publish" or "reject", and the reason a rejection needs.
pub fn parse_decision(decision: &str, reason: &str) -> Result<Decision, AppError> {
    match decision.trim() {
        "publish" => Ok(Decision::Publish),
        "reject" => {
            let mut p = Problems::default();
            let reason = p.text("reason", "reason", reason, REASON_MAX);
            p.into_result(Decision::Reject { reason })
        }
        _ => Err(AppError::invalid("Choose to publish or to reject.")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_average_rounds_half_up_and_shares_add_up() {
        let summary = RatingSummary {
            stars: [0, 0, 1, 2, 3],
        };
        // (3 + 8 + 15) / 6 = 4.33…
        assert_eq!(summary.count(), 6);
        assert_eq!(summary.average_tenths(), 43);
        assert_eq!(summary.average_label(), "4.3");
        let half = RatingSummary {
            stars: [0, 0, 0, 1, 1],
        };
        assert_eq!(half.average_tenths(), 45);
        assert_eq!(RatingSummary::default().average_tenths(), 0);
        assert_eq!(summary.percent(5), 50);
        assert_eq!(summary.percent(1), 0);
        assert_eq!(summary.percent(6), 0);
        assert_eq!(RatingSummary::default().percent(5), 0);
    }

    #[test]
    fn links_are_found_however_they_are_written() {
        for text in [
            "Buy at https://example.test/x",
            "see www.pills",
            "cheap-pills.shop has it",
            "visit bit.ly/abc!",
            "(shop.example.com)",
            "Go to Example.COM.",
        ] {
            assert!(has_link(text), "{text}");
        }
        for text in [
            "Works well. I take it at night.",
            "Vitamin C 1.000 mg, 2x a day",
            "e.g. after meals",
            "Smells of citrus...nice",
        ] {
            assert!(!has_link(text), "{text}");
        }
    }

    #[test]
    fn a_review_is_checked_whole_and_a_link_holds_it() {
        let checked = check_review("4", "  Calm nights ", "Helps me sleep.").expect("valid");
        assert_eq!(
            (checked.rating, checked.title.as_str(), checked.held_because),
            (4, "Calm nights", None)
        );
        let held = check_review("5", "Great", "Cheaper at deals.shop").expect("valid");
        assert_eq!(held.held_because, Some(HELD_FOR_LINK));
        let refused = check_review("6", "", &"x".repeat(BODY_MAX + 1)).expect_err("invalid");
        for field in ["rating", "title", "body"] {
            assert!(refused.field_message(field).is_some(), "{field}");
        }
        assert!(check_review("three", "T", "B").is_err());
    }

    #[test]
    fn authors_show_a_first_name_and_an_initial() {
        assert_eq!(public_name("Ann Bakker"), "Ann B.");
        assert_eq!(public_name("mia van der berg"), "Mia B.");
        assert_eq!(public_name("leo"), "Leo");
        assert_eq!(public_name("  "), "A customer");
    }

    #[test]
    fn a_decision_changes_the_status() {
        let reject = Decision::Reject { reason: "x".into() };
        assert!(Decision::Publish.may_follow(ReviewStatus::Pending));
        assert!(Decision::Publish.may_follow(ReviewStatus::Rejected));
        assert!(!Decision::Publish.may_follow(ReviewStatus::Published));
        assert!(reject.may_follow(ReviewStatus::Published));
        assert!(!reject.may_follow(ReviewStatus::Rejected));
        assert_eq!(parse_decision("publish", ""), Ok(Decision::Publish));
        let rejected = parse_decision("reject", " Off topic ").expect("valid");
        assert_eq!(rejected.status(), ReviewStatus::Rejected);
        assert_eq!(
            rejected,
            Decision::Reject {
                reason: "Off topic".into()
            }
        );
        let no_reason = parse_decision("reject", " ").expect_err("a reason is needed");
        assert!(no_reason.field_message("reason").is_some());
        assert!(parse_decision("delete", "").is_err());
    }
}
