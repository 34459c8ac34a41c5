//! The audit trail as the back office reads it, and what an edit changed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Entries on one page of `/admin/audit`.
pub const ENTRIES_PER_PAGE: i64 = 50;

/// What an edit changed, field by field, as an audit entry keeps it under `changes`:
/// `{"price_minor": [1250, 1100]}` (before, after). The audit page shows each as
/// before → after. Fields that stayed the same are left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Changes(serde_json::Map<String, serde_json::Value>);

impl Changes {
    pub fn new() -> Self {
        Changes::default()
    }

    /// Note `name` when `before` and `after` differ.
    #[must_use]
    pub fn field<T: Serialize + PartialEq + ?Sized>(
        mut self,
        name: &str,
        before: &T,
        after: &T,
    ) -> Self {
        if before != after {
            self.0
                .insert(name.to_owned(), serde_json::json!([before, after]));
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The changed fields' names, in alphabetical order.
    pub fn names(&self) -> Vec<&str> {
        self.0.keys().map(String::as_str).collect()
    }

    pub fn into_value(self) -> serde_json::Value {
        serde_json::Value::Object(self.0)
    }
}

/// One field of an edit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// Someone the trail names: an account, shown by name and email while it has them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Named {
    pub id: uuid::Uuid,
    /// "Ann Peeters <ann@olivine.test>", or `None` when no account has this id (any more).
    pub label: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// Its place in the hash chain.
    pub seq: Option<i64>,
    pub at: DateTime<Utc>,
    /// `None`: Olivine itself (a background job, a webhook).
    pub actor: Option<Named>,
    /// The address the request came from.
    pub ip: Option<String>,
    /// "order_refunded", and how people read it.
    pub action: String,
    pub action_label: String,
    pub subject: Option<Named>,
    pub changes: Vec<Change>,
    /// Everything else the entry says, as `name: value`.
    pub details: Vec<(String, String)>,
}

/// A page of the trail, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditTrail {
    pub entries: Vec<AuditEntry>,
    /// The cursor of the next (older) page, when there is one.
    pub older: Option<i64>,
}

/// The chain's state when the page was loaded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChainState {
    /// Every row matches its hash and the row before it; `head` in hex.
    Intact { rows: i64, seq: i64, head: String },
    /// The first row that does not: edited, or a row before it removed or changed.
    Broken { seq: i64, audit_id: i64 },
}

/// The latest checkpoint against the chain as it is now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CheckpointState {
    /// The head kept in the store is the hash the chain has at that place.
    Matches,
    /// The chain's row at that place has another hash now: history was rewritten.
    Differs,
    /// The store has no copy under that key.
    Missing,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckpointView {
    pub seq: i64,
    pub written_at: DateTime<Utc>,
    pub key: String,
    pub state: CheckpointState,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStatus {
    pub chain: ChainState,
    pub checkpoint: Option<CheckpointView>,
}

/// The trail's filters as a page's URL carries them (`/admin/audit?person=…`), each empty when
/// unused.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    /// An account's email or id: entries they did or that were done to them.
    pub person: String,
    /// The id of what was acted on (an order, a product, an account…).
    pub subject: String,
    /// An action's name ("order_refunded").
    pub action: String,
    /// First and last day (UTC), `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
}

impl AuditQuery {
    /// The URL query for these filters (and a cursor), for links and the CSV export.
    pub fn to_query_string(&self, before: Option<i64>) -> String {
        let pairs = [
            ("person", self.person.as_str()),
            ("subject", self.subject.as_str()),
            ("action", self.action.as_str()),
            ("from", self.from.as_str()),
            ("to", self.to.as_str()),
        ];
        let mut parts: Vec<String> = pairs
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", crate::ui::urlencode(v.trim())))
            .collect();
        if let Some(before) = before {
            parts.push(format!("before={before}"));
        }
        parts.join("&")
    }
}

/// An entry's `detail` as people read it: its `changes` as before → after, and every other
/// value as `name: value`.
#[cfg(feature = "ssr")]
pub fn describe(detail: &serde_json::Value) -> (Vec<Change>, Vec<(String, String)>) {
    let mut changes = Vec::new();
    let mut details = Vec::new();
    let serde_json::Value::Object(map) = detail else {
        if !detail.is_null() {
            details.push(("detail".to_owned(), shown(detail)));
        }
        return (changes, details);
    };
    for (name, value) in map {
        match (name.as_str(), value) {
            ("changes", serde_json::Value::Object(fields)) => {
                for (field, pair) in fields {
                    let (before, after) = match pair.as_array().map(Vec::as_slice) {
                        Some([before, after]) => (shown(before), shown(after)),
                        _ => (String::new(), shown(pair)),
                    };
                    changes.push(Change {
                        field: field.replace('_', " "),
                        before,
                        after,
                    });
                }
            }
            _ => details.push((name.replace('_', " "), shown(value))),
        }
    }
    (changes, details)
}

/// A JSON value as text: strings bare, lists joined, nothing as "—".
#[cfg(feature = "ssr")]
fn shown(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => "—".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        serde_json::Value::Object(_) => value.to_string(),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_fields_that_changed_are_kept() {
        let changes = Changes::new()
            .field("price_minor", &1250, &1100)
            .field("label", "50 ml", "50 ml")
            .field("allergens", &vec!["soy"], &Vec::<&str>::new());
        assert_eq!(changes.names(), vec!["allergens", "price_minor"]);
        assert_eq!(
            changes.into_value(),
            json!({ "price_minor": [1250, 1100], "allergens": [["soy"], []] })
        );
        assert!(Changes::new().field("x", &1, &1).is_empty());
    }

    #[test]
    fn details_read_as_before_and_after() {
        let (changes, details) = describe(&json!({
            "sku": "OLV-1",
            "featured": true,
            "note": null,
            "changes": { "price_minor": [1250, 1100], "skin_types": [["dry"], ["dry", "oily"]] },
        }));
        assert_eq!(
            changes,
            vec![
                Change {
                    field: "price minor".into(),
                    before: "1250".into(),
                    after: "1100".into()
                },
                Change {
                    field: "skin types".into(),
                    before: "dry".into(),
                    after: "dry, oily".into()
                },
            ]
        );
        assert_eq!(
            details,
            vec![
                ("featured".to_owned(), "yes".to_owned()),
                ("note".to_owned(), "—".to_owned()),
                ("sku".to_owned(), "OLV-1".to_owned()),
            ]
        );
    }

    #[test]
    fn filters_become_a_query_string() {
        let query = AuditQuery {
            person: "ann@olivine.test".into(),
            action: "order_refunded".into(),
            ..AuditQuery::default()
        };
        assert_eq!(
            query.to_query_string(Some(42)),
            "person=ann%40olivine.test&action=order_refunded&before=42"
        );
        assert_eq!(AuditQuery::default().to_query_string(None), "");
    }
}
