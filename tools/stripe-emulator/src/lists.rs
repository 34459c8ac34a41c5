//! Stripe's list endpoints (`GET /v1/payment_intents`, `/v1/refunds`, `/v1/transfers`): newest
//! first, `limit` (1–100, default 10), `starting_after` a cursor, `created[gte]` a lower bound.
//! Each kind keeps its ids in creation order, so a page costs what it returns.

use crate::Params;
use crate::intents::{Answer, json_of, missing_object};
use axum::http::StatusCode;
use serde_json::json;

/// Ids in the order their objects were made.
#[derive(Default)]
pub struct Order(Vec<String>);

impl Order {
    pub fn push(&mut self, id: String) {
        self.0.push(id);
    }

    /// One page of `kind` (Stripe's object name) at `url`, reading each object with `find`
    /// and its creation time with `created`.
    pub fn page<'a, T: serde::Serialize + 'a>(
        &self,
        kind: &str,
        url: &str,
        p: &Params,
        find: impl Fn(&str) -> Option<&'a T>,
        created: impl Fn(&T) -> i64,
    ) -> Answer {
        let limit = p
            .get("limit")
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(10)
            .clamp(1, 100);
        let since = p.get("created[gte]").and_then(|t| t.parse::<i64>().ok());
        let end = match p.get("starting_after") {
            Some(after) => match self.0.iter().rposition(|id| id == after) {
                Some(at) => at,
                None => return missing_object(kind, after),
            },
            None => self.0.len(),
        };
        let mut data = Vec::with_capacity(limit);
        let mut has_more = false;
        for id in self.0[..end].iter().rev() {
            let Some(object) = find(id) else {
                continue;
            };
            // Creation order: everything further is older still.
            if since.is_some_and(|since| created(object) < since) {
                break;
            }
            if data.len() == limit {
                has_more = true;
                break;
            }
            data.push(json_of(object));
        }
        (
            StatusCode::OK,
            json!({ "object": "list", "data": data, "has_more": has_more, "url": url }),
            Vec::new(),
        )
    }
}
