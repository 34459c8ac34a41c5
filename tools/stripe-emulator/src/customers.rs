//! Customers, their payment methods, and setup intents (saving a card for later payments, as
//! subscribe-and-save renewals charge it).

use crate::cards::{self, CardDetails, Outcome};
use crate::intents::{
    Answer, Event, api_error, json_of, metadata, missing_object, missing_param, now, random_id,
    unexpected,
};
use crate::{Params, error};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::HashMap;
use stripe_shared::{
    ApiErrorsCode, ApiErrorsType, Customer, PaymentMethod, SetupIntent, SetupIntentStatus,
};
use stripe_types::Expandable;

/// Build one of async-stripe's types from Stripe's JSON (fields left out are `None`), so every
/// object the emulator answers with has exactly the shape async-stripe reads.
pub(crate) fn build<T: serde::de::DeserializeOwned>(kind: &str, value: Value) -> Result<T, Answer> {
    serde_json::from_value(value).map_err(|e| {
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({ "error": { "type": "api_error", "message": format!("emulator: cannot build a {kind}: {e}") } }),
            Vec::new(),
        )
    })
}

/// A payment method a confirm call names, resolved.
#[derive(Clone, Debug)]
pub struct Method {
    pub id: String,
    pub details: CardDetails,
    /// Set up for later payments (a completed SetupIntent, or a payment that saved it).
    pub saved: bool,
    pub customer: Option<String>,
}

struct StoredMethod {
    method: PaymentMethod,
    details: CardDetails,
    saved: bool,
}

struct StoredSetup {
    setup: SetupIntent,
    /// The method waiting on a 3-D Secure challenge.
    challenged: Option<Method>,
}

#[derive(Default)]
pub struct Wallet {
    customers: HashMap<String, Customer>,
    methods: HashMap<String, StoredMethod>,
    setups: HashMap<String, StoredSetup>,
}

impl Wallet {
    pub fn has_customer(&self, id: &str) -> bool {
        self.customers.contains_key(id)
    }

    pub fn create_customer(&mut self, p: &Params) -> Answer {
        let id = random_id("cus");
        let customer: Customer = match build(
            "customer",
            json!({
                "id": id,
                "created": now(),
                "livemode": false,
                "email": p.get("email"),
                "name": p.get("name"),
                "description": p.get("description"),
                "metadata": metadata(p),
                "balance": 0,
                "delinquent": false,
            }),
        ) {
            Ok(customer) => customer,
            Err(refusal) => return refusal,
        };
        let body = json_of(&customer);
        self.customers.insert(id, customer);
        ok_with_event("customer.created", body)
    }

    pub fn customer(&self, id: &str) -> Answer {
        match self.customers.get(id) {
            Some(customer) => (StatusCode::OK, json_of(customer), Vec::new()),
            None => missing_object("customer", id),
        }
    }

    /// Delete a customer: its saved cards are detached with it.
    pub fn delete_customer(&mut self, id: &str) -> Answer {
        if self.customers.remove(id).is_none() {
            return missing_object("customer", id);
        }
        for stored in self.methods.values_mut() {
            let theirs =
                matches!(&stored.method.customer, Some(owner) if owner.id().as_str() == id);
            if theirs {
                stored.method.customer = None;
                stored.saved = false;
            }
        }
        ok_with_event(
            "customer.deleted",
            json!({ "id": id, "object": "customer", "deleted": true }),
        )
    }

    /// A new payment method for `details` (Stripe makes one for every card typed in or test
    /// token used).
    fn new_method(&mut self, details: CardDetails) -> Result<Method, Answer> {
        let id = random_id("pm");
        let method: PaymentMethod = build(
            "payment_method",
            json!({
                "id": id,
                "type": "card",
                "created": now(),
                "livemode": false,
                "billing_details": {},
                "metadata": {},
                "card": {
                    "brand": details.brand,
                    "display_brand": details.brand,
                    "last4": details.last4,
                    "exp_month": details.exp_month,
                    "exp_year": details.exp_year,
                    "funding": "credit",
                    "country": "NL",
                },
            }),
        )?;
        self.methods.insert(
            id.clone(),
            StoredMethod {
                method,
                details: details.clone(),
                saved: false,
            },
        );
        Ok(Method {
            id,
            details,
            saved: false,
            customer: None,
        })
    }

    /// The payment method a confirm call names: a saved one (`pm_…`), a test token
    /// (`pm_card_visa`), or card details typed into the Stripe.js stand-in.
    pub fn method_for(&mut self, p: &Params) -> Result<Method, Answer> {
        match p.get("payment_method") {
            Some(id) => {
                if let Some(stored) = self.methods.get(id) {
                    return Ok(Method {
                        id: id.clone(),
                        details: stored.details.clone(),
                        saved: stored.saved,
                        customer: stored.method.customer.as_ref().map(|c| c.id().to_string()),
                    });
                }
                match cards::token(id) {
                    Some(details) => self.new_method(details),
                    None => Err(missing_object("PaymentMethod", id)),
                }
            }
            None => {
                let details = CardDetails::typed_in(p)?;
                self.new_method(details)
            }
        }
    }

    /// Attach a payment method to a customer; `saved` when it was set up for later payments.
    pub fn attach(&mut self, method: &str, customer: &str, saved: bool) -> Answer {
        if !self.customers.contains_key(customer) {
            return missing_object("customer", customer);
        }
        let Some(stored) = self.methods.get_mut(method) else {
            return missing_object("PaymentMethod", method);
        };
        match stored.method.customer.as_ref().map(|c| c.id().to_string()) {
            Some(owner) if owner != customer => {
                return unexpected(
                    ApiErrorsCode::PaymentMethodUnexpectedState,
                    format!(
                        "The payment method you provided has already been attached to a customer ({owner})."
                    ),
                );
            }
            Some(_) | None => {}
        }
        stored.method.customer = Some(Expandable::Id(customer.into()));
        stored.saved |= saved;
        ok_with_event("payment_method.attached", json_of(&stored.method))
    }

    pub fn detach(&mut self, method: &str) -> Answer {
        let Some(stored) = self.methods.get_mut(method) else {
            return missing_object("PaymentMethod", method);
        };
        if stored.method.customer.take().is_none() {
            return unexpected(
                ApiErrorsCode::PaymentMethodUnexpectedState,
                "The payment method you provided is not attached to a customer so detachment is impossible.".to_owned(),
            );
        }
        stored.saved = false;
        ok_with_event("payment_method.detached", json_of(&stored.method))
    }

    pub fn method(&self, id: &str) -> Answer {
        match self.methods.get(id) {
            Some(stored) => (StatusCode::OK, json_of(&stored.method), Vec::new()),
            None => missing_object("PaymentMethod", id),
        }
    }

    /// A customer's cards, newest first, as Stripe's list object.
    pub fn list_methods(&self, p: &Params) -> Answer {
        let Some(customer) = p.get("customer") else {
            return missing_param("customer");
        };
        if !self.customers.contains_key(customer) {
            return missing_object("customer", customer);
        }
        let mut methods: Vec<&PaymentMethod> = self
            .methods
            .values()
            .map(|m| &m.method)
            .filter(|m| {
                m.customer
                    .as_ref()
                    .is_some_and(|c| c.id().as_str() == customer)
            })
            .collect();
        methods.sort_by(|a, b| b.created.cmp(&a.created).then(a.id.cmp(&b.id)));
        let data: Vec<Value> = methods.into_iter().map(json_of).collect();
        (
            StatusCode::OK,
            json!({ "object": "list", "data": data, "has_more": false, "url": "/v1/payment_methods" }),
            Vec::new(),
        )
    }

    pub fn create_setup(&mut self, p: &Params, base_url: &str) -> Answer {
        if let Some(customer) = p.get("customer")
            && !self.customers.contains_key(customer)
        {
            return missing_object("customer", customer);
        }
        let id = random_id("seti");
        let setup: SetupIntent = match build(
            "setup_intent",
            json!({
                "id": id,
                "client_secret": format!("{id}_secret_{}", random_id("s")),
                "created": now(),
                "livemode": false,
                "customer": p.get("customer"),
                "description": p.get("description"),
                "metadata": metadata(p),
                "payment_method_types": ["card"],
                "status": "requires_payment_method",
                "usage": p.get("usage").map_or("off_session", String::as_str),
            }),
        ) {
            Ok(setup) => setup,
            Err(refusal) => return refusal,
        };
        let body = json_of(&setup);
        self.setups.insert(
            id.clone(),
            StoredSetup {
                setup,
                challenged: None,
            },
        );
        let created = Event {
            kind: "setup_intent.created",
            object: body.clone(),
        };
        if p.get("confirm").map(String::as_str) != Some("true") {
            return (StatusCode::OK, body, vec![created]);
        }
        let (status, body, mut events) = match self.method_for(p) {
            Ok(method) => self.confirm_setup(&id, None, method, base_url, None),
            Err(refusal) => refusal,
        };
        events.insert(0, created);
        (status, body, events)
    }

    /// The setup intent as JSON; for a browser (`Some(secret)`) only with its client secret.
    pub fn setup_json(&self, id: &str, secret: Option<&str>) -> Option<Value> {
        let stored = self.setups.get(id)?;
        if secret.is_some_and(|s| stored.setup.client_secret.as_deref() != Some(s)) {
            return None;
        }
        Some(json_of(&stored.setup))
    }

    /// Save `method` for later: checked with the card's bank (and 3-D Secure where it asks).
    pub fn confirm_setup(
        &mut self,
        id: &str,
        secret: Option<&str>,
        method: Method,
        base_url: &str,
        return_url: Option<String>,
    ) -> Answer {
        let Some(stored) = self.setups.get_mut(id) else {
            return missing_object("setup_intent", id);
        };
        if secret.is_some_and(|s| stored.setup.client_secret.as_deref() != Some(s)) {
            return missing_object("setup_intent", id);
        }
        if !matches!(
            stored.setup.status,
            SetupIntentStatus::RequiresPaymentMethod | SetupIntentStatus::RequiresConfirmation
        ) {
            return unexpected(
                ApiErrorsCode::SetupIntentUnexpectedState,
                format!(
                    "You cannot confirm this SetupIntent because it has a status of {}.",
                    stored.setup.status.as_str()
                ),
            );
        }
        stored.setup.payment_method = Some(Expandable::Id(method.id.as_str().into()));
        stored.setup.last_setup_error = None;
        match method.details.setup_outcome() {
            Outcome::Pay => self.finish_setup(id, &method),
            Outcome::Challenge => {
                let url = format!("{base_url}/_emulator/3ds/{id}");
                let action = match build(
                    "setup_intent next_action",
                    json!({ "type": "redirect_to_url", "redirect_to_url": { "url": url, "return_url": return_url } }),
                ) {
                    Ok(action) => action,
                    Err(refusal) => return refusal,
                };
                stored.setup.status = SetupIntentStatus::RequiresAction;
                stored.setup.next_action = Some(action);
                stored.challenged = Some(method);
                ok_with_event("setup_intent.requires_action", json_of(&stored.setup))
            }
            Outcome::Decline {
                code,
                decline,
                message,
            } => setup_failed(stored, code, Some(decline), message),
        }
    }

    /// The card was accepted: it is the customer's for later payments.
    fn finish_setup(&mut self, id: &str, method: &Method) -> Answer {
        let customer = self
            .setups
            .get(id)
            .and_then(|s| s.setup.customer.as_ref().map(|c| c.id().to_string()));
        let mut events = Vec::new();
        if let Some(customer) = &customer {
            let (status, body, attached) = self.attach(&method.id, customer, true);
            if status != StatusCode::OK {
                return (status, body, attached);
            }
            events.extend(attached);
        }
        let Some(stored) = self.setups.get_mut(id) else {
            return missing_object("setup_intent", id);
        };
        stored.setup.status = SetupIntentStatus::Succeeded;
        stored.setup.next_action = None;
        let body = json_of(&stored.setup);
        events.push(Event {
            kind: "setup_intent.succeeded",
            object: body.clone(),
        });
        (StatusCode::OK, body, events)
    }

    /// The customer completed (or failed) the 3-D Secure challenge of a setup intent.
    pub fn authenticate_setup(&mut self, id: &str, complete: bool) -> Result<Vec<Event>, Response> {
        let Some(stored) = self.setups.get_mut(id) else {
            return Err(crate::intents::missing(id));
        };
        let Some(method) = stored.challenged.take() else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some(ApiErrorsCode::SetupIntentUnexpectedState),
                "This SetupIntent is not waiting for authentication.",
                json!({}),
            ));
        };
        let (_, _, events) = if complete {
            self.finish_setup(id, &method)
        } else {
            setup_failed(
                stored,
                ApiErrorsCode::SetupIntentAuthenticationFailure,
                None,
                "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
            )
        };
        Ok(events)
    }
}

fn setup_failed(
    stored: &mut StoredSetup,
    code: ApiErrorsCode,
    decline: Option<&str>,
    message: &str,
) -> Answer {
    let mut errors = api_error(code, decline, message, ApiErrorsType::CardError);
    stored.setup.status = SetupIntentStatus::RequiresPaymentMethod;
    stored.setup.next_action = None;
    stored.setup.payment_method = None;
    stored.setup.last_setup_error = Some(Box::new(errors.clone()));
    let body = json_of(&stored.setup);
    errors.setup_intent = Some(stored.setup.clone());
    (
        StatusCode::PAYMENT_REQUIRED,
        json!({ "error": json_of(&errors) }),
        vec![Event {
            kind: "setup_intent.setup_failed",
            object: body,
        }],
    )
}

pub(crate) fn ok_with_event(kind: &'static str, body: Value) -> Answer {
    let event = Event {
        kind,
        object: body.clone(),
    };
    (StatusCode::OK, body, vec![event])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_card_saved_with_3ds_is_the_customers_after_the_challenge() {
        let mut wallet = Wallet::default();
        let (status, customer, _) = wallet.create_customer(&params(&[("email", "a@b.test")]));
        assert_eq!(status, StatusCode::OK);
        let customer = customer["id"].as_str().expect("id").to_owned();
        let (_, setup, _) = wallet.create_setup(&params(&[("customer", &customer)]), "http://x");
        let id = setup["id"].as_str().expect("id").to_owned();
        let method = wallet
            .method_for(&params(&[(
                "payment_method",
                "pm_card_authenticationRequiredOnSetup",
            )]))
            .expect("token");
        let (status, body, _) = wallet.confirm_setup(&id, None, method, "http://x", None);
        assert_eq!(
            (status, body["status"].as_str()),
            (StatusCode::OK, Some("requires_action"))
        );
        let (_, listed, _) = wallet.list_methods(&params(&[("customer", &customer)]));
        assert_eq!(
            listed["data"].as_array().map(Vec::len),
            Some(0),
            "not saved before the challenge"
        );

        let events = wallet.authenticate_setup(&id, true).expect("challenged");
        assert!(events.iter().any(|e| e.kind == "setup_intent.succeeded"));
        let (_, listed, _) = wallet.list_methods(&params(&[("customer", &customer)]));
        assert_eq!(listed["data"][0]["card"]["last4"], "3155");
        let pm = listed["data"][0]["id"].as_str().expect("pm").to_owned();
        let saved = wallet
            .method_for(&params(&[("payment_method", &pm)]))
            .expect("saved");
        assert!(saved.saved);
        assert_eq!(saved.customer.as_deref(), Some(customer.as_str()));
    }

    #[test]
    fn a_declined_card_is_not_saved() {
        let mut wallet = Wallet::default();
        let (_, customer, _) = wallet.create_customer(&Params::new());
        let customer = customer["id"].as_str().expect("id").to_owned();
        let (status, body, events) = wallet.create_setup(
            &params(&[
                ("customer", &customer),
                ("confirm", "true"),
                ("payment_method", "pm_card_chargeDeclined"),
            ]),
            "http://x",
        );
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
        assert_eq!(body["error"]["code"], "card_declined");
        assert_eq!(
            body["error"]["setup_intent"]["status"],
            "requires_payment_method"
        );
        assert_eq!(
            events.last().map(|e| e.kind),
            Some("setup_intent.setup_failed")
        );
        let (_, listed, _) = wallet.list_methods(&params(&[("customer", &customer)]));
        assert_eq!(listed["data"].as_array().map(Vec::len), Some(0));
    }
}
