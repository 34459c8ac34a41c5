//! Stripe Connect: connected accounts (Express), their onboarding links and page, transfers from
//! the platform's balance to them, and transfer reversals.

use crate::Params;
use crate::customers::{build, ok_with_event};
use crate::intents::{
    Answer, Event, Store, amount, invalid_amount, json_of, metadata, missing_object, missing_param,
    now, random_id,
};
use crate::lists::Order;
use axum::http::StatusCode;
use serde_json::json;
use std::collections::HashMap;
use std::str::FromStr;
use stripe_shared::{
    Account, AccountCapabilitiesStatus, ApiErrorsCode, Transfer, TransferReversal,
};
use stripe_types::Currency;

/// How long an onboarding link can be opened (Stripe: a few minutes, once).
const LINK_SECONDS: i64 = 300;

/// What Stripe asks an Express account for before it can receive transfers.
const ONBOARDING_DUE: &[&str] = &[
    "business_profile.url",
    "external_account",
    "individual.dob.day",
    "individual.first_name",
    "individual.last_name",
    "tos_acceptance.date",
];

pub struct Link {
    pub account: String,
    pub refresh_url: String,
    pub return_url: String,
    expires_at: i64,
    used: bool,
}

/// Where an onboarding link's visitor goes.
pub enum Visit<'a> {
    /// Show the onboarding page for this account.
    Onboard {
        account: &'a Account,
    },
    /// Used or expired: back to the platform to make a fresh link.
    Refresh(String),
    Unknown,
}

#[derive(Default)]
pub struct Connect {
    accounts: HashMap<String, Account>,
    links: HashMap<String, Link>,
    transfers: HashMap<String, Transfer>,
    transfer_order: Order,
}

impl Connect {
    pub fn create_account(&mut self, p: &Params) -> Answer {
        let id = random_id("acct");
        let requested = |capability: &str| {
            p.get(&format!("capabilities[{capability}][requested]"))
                .is_some_and(|v| v == "true")
        };
        let mut capabilities = serde_json::Map::new();
        for capability in ["transfers", "card_payments"] {
            if requested(capability) {
                capabilities.insert(capability.to_owned(), json!("inactive"));
            }
        }
        let account: Account = match build(
            "account",
            json!({
                "id": id,
                "type": p.get("type").map_or("express", String::as_str),
                "country": p.get("country").map_or("NL", String::as_str),
                "email": p.get("email"),
                "created": now(),
                "default_currency": "eur",
                "business_type": p.get("business_type"),
                "charges_enabled": false,
                "payouts_enabled": false,
                "details_submitted": false,
                "capabilities": capabilities,
                "requirements": {
                    "alternatives": [],
                    "currently_due": ONBOARDING_DUE,
                    "eventually_due": ONBOARDING_DUE,
                    "past_due": [],
                    "pending_verification": [],
                    "errors": [],
                    "disabled_reason": "requirements.past_due",
                },
                "metadata": metadata(p),
            }),
        ) {
            Ok(account) => account,
            Err(refusal) => return refusal,
        };
        let body = json_of(&account);
        self.accounts.insert(id, account);
        (StatusCode::OK, body, Vec::new())
    }

    pub fn account(&self, id: &str) -> Answer {
        match self.accounts.get(id) {
            Some(account) => (StatusCode::OK, json_of(account), Vec::new()),
            None => missing_object("account", id),
        }
    }

    pub fn create_link(&mut self, p: &Params, base_url: &str) -> Answer {
        let (Some(account), Some(refresh_url), Some(return_url)) =
            (p.get("account"), p.get("refresh_url"), p.get("return_url"))
        else {
            return missing_param("account, refresh_url and return_url");
        };
        if !self.accounts.contains_key(account) {
            return missing_object("account", account);
        }
        let id = random_id("link");
        let created = now();
        let link: stripe_connect::AccountLink = match build(
            "account_link",
            json!({
                "created": created,
                "expires_at": created + LINK_SECONDS,
                "url": format!("{base_url}/_emulator/onboard/{id}"),
            }),
        ) {
            Ok(link) => link,
            Err(refusal) => return refusal,
        };
        self.links.insert(
            id,
            Link {
                account: account.clone(),
                refresh_url: refresh_url.clone(),
                return_url: return_url.clone(),
                expires_at: created + LINK_SECONDS,
                used: false,
            },
        );
        (StatusCode::OK, json_of(&link), Vec::new())
    }

    /// Someone opened an onboarding link.
    pub fn visit(&self, link: &str) -> Visit<'_> {
        let Some(link) = self.links.get(link) else {
            return Visit::Unknown;
        };
        match self.accounts.get(&link.account) {
            Some(_) if link.used || now() > link.expires_at => {
                Visit::Refresh(link.refresh_url.clone())
            }
            Some(account) => Visit::Onboard { account },
            None => Visit::Unknown,
        }
    }

    /// The onboarding form was submitted: the account can take transfers and payouts. Answers
    /// where to send the browser next, and the `account.updated` event.
    pub fn complete_onboarding(&mut self, link: &str) -> Option<(String, Vec<Event>)> {
        let entry = self.links.get_mut(link)?;
        if entry.used || now() > entry.expires_at {
            return Some((entry.refresh_url.clone(), Vec::new()));
        }
        entry.used = true;
        let account = self.accounts.get_mut(&entry.account)?;
        account.details_submitted = Some(true);
        account.charges_enabled = Some(true);
        account.payouts_enabled = Some(true);
        if let Some(capabilities) = &mut account.capabilities {
            if capabilities.transfers.is_some() {
                capabilities.transfers = Some(AccountCapabilitiesStatus::Active);
            }
            if capabilities.card_payments.is_some() {
                capabilities.card_payments = Some(AccountCapabilitiesStatus::Active);
            }
        }
        if let Some(requirements) = &mut account.requirements {
            requirements.currently_due = Some(Vec::new());
            requirements.eventually_due = Some(Vec::new());
            requirements.disabled_reason = None;
        }
        let event = Event {
            kind: "account.updated",
            object: json_of(account),
        };
        Some((entry.return_url.clone(), vec![event]))
    }

    /// Stripe needs more from an account's owner (`due`, in Stripe's field names): transfers
    /// to it stop until they finish onboarding again. Answers the `account.updated` event.
    pub fn require(&mut self, id: &str, due: &[&str]) -> Option<Event> {
        let account = self.accounts.get_mut(id)?;
        let mut changed = json_of(account);
        changed["payouts_enabled"] = json!(false);
        if changed["capabilities"].get("transfers").is_some() {
            changed["capabilities"]["transfers"] = json!("inactive");
        }
        changed["requirements"]["currently_due"] = json!(due);
        changed["requirements"]["eventually_due"] = json!(due);
        changed["requirements"]["disabled_reason"] = json!("requirements.past_due");
        *account = build("account", changed).ok()?;
        Some(Event {
            kind: "account.updated",
            object: json_of(account),
        })
    }

    /// The transfers of `group` (their `transfer_group`): how many, and what they sent less
    /// what was reversed.
    pub fn group(&self, group: &str) -> (usize, i64) {
        self.transfers
            .values()
            .filter(|t| t.transfer_group.as_deref() == Some(group))
            .fold((0, 0), |(count, sent), t| {
                (count + 1, sent + t.amount - t.amount_reversed)
            })
    }

    /// Sent to (minus reversed) in `currency`, optionally only from one charge.
    fn transferred(&self, currency: &Currency, source: Option<&str>) -> i64 {
        self.transfers
            .values()
            .filter(|t| &t.currency == currency)
            .filter(|t| {
                source.is_none_or(|s| {
                    t.source_transaction
                        .as_ref()
                        .is_some_and(|c| c.id().as_str() == s)
                })
            })
            .map(|t| t.amount - t.amount_reversed)
            .sum()
    }

    pub fn list_transfers(&self, p: &Params) -> Answer {
        self.transfer_order.page(
            "transfer",
            "/v1/transfers",
            p,
            |id| self.transfers.get(id),
            |transfer| transfer.created,
        )
    }

    pub fn transfer(&self, id: &str) -> Answer {
        match self.transfers.get(id) {
            Some(transfer) => (StatusCode::OK, json_of(transfer), Vec::new()),
            None => missing_object("transfer", id),
        }
    }

    pub fn reverse(&mut self, id: &str, p: &Params) -> Answer {
        let Some(transfer) = self.transfers.get_mut(id) else {
            return missing_object("transfer", id);
        };
        let left = transfer.amount - transfer.amount_reversed;
        let amount = match amount(p) {
            Ok(amount) => amount.unwrap_or(left),
            Err(refusal) => return refusal,
        };
        if amount > left {
            return crate::intents::refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::AmountTooLarge,
                format!(
                    "Amount ({amount}) is greater than the unreversed amount on the transfer ({left})."
                ),
            );
        }
        let reversal: TransferReversal = match build(
            "transfer_reversal",
            json!({
                "id": random_id("trr"),
                "amount": amount,
                "created": now(),
                "currency": transfer.currency,
                "metadata": metadata(p),
                "transfer": id,
            }),
        ) {
            Ok(reversal) => reversal,
            Err(refusal) => return refusal,
        };
        transfer.amount_reversed += amount;
        transfer.reversed = transfer.amount_reversed == transfer.amount;
        transfer.reversals.data.push(reversal.clone());
        let event = Event {
            kind: "transfer.reversed",
            object: json_of(transfer),
        };
        (StatusCode::OK, json_of(&reversal), vec![event])
    }
}

impl Store {
    /// Move `amount` of the platform's balance to a connected account. Limited to what the
    /// platform holds in that currency, or with `source_transaction` to what is left of that
    /// charge (Stripe's rule for transfers tied to a charge).
    pub fn create_transfer(&mut self, p: &Params) -> Answer {
        let Some(amount) = p
            .get("amount")
            .and_then(|a| a.parse::<i64>().ok())
            .filter(|a| *a > 0)
        else {
            return invalid_amount();
        };
        let Some(currency) = p.get("currency").and_then(|c| Currency::from_str(c).ok()) else {
            return missing_param("currency");
        };
        let Some(destination) = p.get("destination") else {
            return missing_param("destination");
        };
        let Some(account) = self.connect.accounts.get(destination) else {
            return missing_object("destination", destination);
        };
        let can_receive = account
            .capabilities
            .as_ref()
            .and_then(|c| c.transfers.as_ref())
            == Some(&AccountCapabilitiesStatus::Active);
        if !can_receive {
            return crate::intents::refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::Unknown("insufficient_capabilities_for_transfer".to_owned()),
                "Your destination account needs to have at least one of the following capabilities enabled: transfers, crypto_transfers, legacy_payments".to_owned(),
            );
        }
        let source = p.get("source_transaction").map(String::as_str);
        let available = match source {
            Some(charge) => match self.charge_left(charge) {
                Some(left) => left - self.connect.transferred(&currency, Some(charge)),
                None => return missing_object("charge", charge),
            },
            None => self.captured(&currency) - self.connect.transferred(&currency, None),
        };
        if amount > available {
            return crate::intents::refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::BalanceInsufficient,
                format!(
                    "You have insufficient available funds in your Stripe account ({available} available, {amount} asked)."
                ),
            );
        }
        let id = random_id("tr");
        let transfer: Transfer = match build(
            "transfer",
            json!({
                "id": id,
                "amount": amount,
                "amount_reversed": 0,
                "created": now(),
                "currency": currency,
                "description": p.get("description"),
                "destination": destination,
                "destination_payment": random_id("py"),
                "livemode": false,
                "metadata": metadata(p),
                "reversals": { "object": "list", "data": [], "has_more": false, "url": format!("/v1/transfers/{id}/reversals") },
                "reversed": false,
                "source_transaction": source,
                "source_type": "card",
                "transfer_group": p.get("transfer_group"),
            }),
        ) {
            Ok(transfer) => transfer,
            Err(refusal) => return refusal,
        };
        let body = json_of(&transfer);
        self.connect.transfer_order.push(id.clone());
        self.connect.transfers.insert(id, transfer);
        ok_with_event("transfer.created", body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn onboarding_enables_transfers_once_per_link() {
        let mut connect = Connect::default();
        let p: Params = [
            ("email", "f@x.test"),
            ("capabilities[transfers][requested]", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (_, account, _) = connect.create_account(&p);
        assert_eq!(account["capabilities"]["transfers"], "inactive");
        assert_eq!(account["object"], "account");
        let id = account["id"].as_str().expect("id").to_owned();
        let p: Params = [
            ("account", id.as_str()),
            ("refresh_url", "http://shop/refresh"),
            ("return_url", "http://shop/back"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let (_, link, _) = connect.create_link(&p, "http://emu");
        let link_id = link["url"]
            .as_str()
            .and_then(|u| u.rsplit('/').next())
            .expect("link")
            .to_owned();
        assert!(matches!(connect.visit(&link_id), Visit::Onboard { .. }));
        let (next, events) = connect.complete_onboarding(&link_id).expect("link");
        assert_eq!(next, "http://shop/back");
        assert_eq!(events[0].object["capabilities"]["transfers"], "active");
        assert_eq!(events[0].object["payouts_enabled"], true);
        assert!(
            matches!(connect.visit(&link_id), Visit::Refresh(url) if url == "http://shop/refresh")
        );
        assert_eq!(value_of(&connect.account(&id))["details_submitted"], true);

        // Later Stripe needs more: transfers stop until the owner finishes onboarding again.
        let event = connect
            .require(&id, &["individual.id_number"])
            .expect("account");
        assert_eq!(event.kind, "account.updated");
        assert_eq!(event.object["capabilities"]["transfers"], "inactive");
        assert_eq!(
            event.object["requirements"]["currently_due"],
            serde_json::json!(["individual.id_number"])
        );
        assert!(connect.require("acct_missing", &[]).is_none());
    }

    fn value_of(answer: &Answer) -> &Value {
        &answer.1
    }
}
