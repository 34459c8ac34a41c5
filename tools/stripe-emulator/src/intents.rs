//! Payment intents and refunds: the state, the test cards, and Stripe's answers built from
//! async-stripe's own types.

use crate::cards::Outcome;
use crate::connect::Connect;
use crate::customers::{Method, Wallet};
use crate::lists::Order;
use crate::{Params, error};
use axum::http::StatusCode;
use axum::response::Response;
use rand::Rng;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::str::FromStr;
use stripe_shared::{
    ApiErrors, ApiErrorsCode, ApiErrorsType, PaymentIntent, PaymentIntentCancellationReason,
    PaymentIntentCaptureMethod, PaymentIntentConfirmationMethod, PaymentIntentNextAction,
    PaymentIntentNextActionRedirectToUrl, PaymentIntentSetupFutureUsage, PaymentIntentStatus,
    Refund,
};
use stripe_types::{Currency, Expandable};

/// An event to deliver: its type and the object as it is now.
#[derive(Debug)]
pub struct Event {
    pub kind: &'static str,
    pub object: Value,
}

pub(crate) fn api_error(
    code: ApiErrorsCode,
    decline: Option<&str>,
    message: &str,
    type_: ApiErrorsType,
) -> ApiErrors {
    ApiErrors {
        advice_code: None,
        charge: None,
        code: Some(code),
        decline_code: decline.map(str::to_owned),
        doc_url: None,
        message: Some(message.to_owned()),
        network_advice_code: None,
        network_decline_code: None,
        param: None,
        payment_intent: None,
        payment_method: None,
        payment_method_type: None,
        request_log_url: None,
        setup_intent: None,
        source: None,
        type_,
    }
}

/// A card error as Stripe answers it (402), before any intent is involved.
pub(crate) fn card_refusal(code: ApiErrorsCode, decline: Option<&str>, message: &str) -> Answer {
    let body = json_of(&api_error(code, decline, message, ApiErrorsType::CardError));
    (
        StatusCode::PAYMENT_REQUIRED,
        json!({ "error": body }),
        Vec::new(),
    )
}

/// `metadata[key]=value` parameters.
pub(crate) fn metadata(p: &Params) -> HashMap<String, String> {
    p.iter()
        .filter_map(|(k, v)| {
            let key = k.strip_prefix("metadata[")?.strip_suffix(']')?;
            Some((key.to_owned(), v.clone()))
        })
        .collect()
}

/// Whether a payment is made without the customer present (`off_session=true|one_off|recurring`).
pub(crate) fn off_session(p: &Params) -> bool {
    p.get("off_session")
        .is_some_and(|v| matches!(v.as_str(), "true" | "one_off" | "recurring"))
}

/// The `amount` parameter: absent, or a positive integer (anything else is refused).
pub(crate) fn amount(p: &Params) -> Result<Option<i64>, Answer> {
    match p.get("amount").map(|a| a.parse::<i64>()) {
        None => Ok(None),
        Some(Ok(amount)) if amount > 0 => Ok(Some(amount)),
        Some(_) => Err(invalid_amount()),
    }
}

pub(crate) fn invalid_amount() -> Answer {
    refusal(
        StatusCode::BAD_REQUEST,
        ApiErrorsCode::ParameterInvalidInteger,
        "Invalid positive integer: amount".to_owned(),
    )
}

pub(crate) fn missing_param(name: &str) -> Answer {
    refusal(
        StatusCode::BAD_REQUEST,
        ApiErrorsCode::ParameterMissing,
        format!("Missing required param: {name}."),
    )
}

/// Stripe's 404 for an id it doesn't know.
pub(crate) fn missing_object(kind: &str, id: &str) -> Answer {
    refusal(
        StatusCode::NOT_FOUND,
        ApiErrorsCode::ResourceMissing,
        format!("No such {kind}: '{id}'"),
    )
}

/// Stripe's "not valid in this state" refusal.
pub(crate) fn unexpected(code: ApiErrorsCode, message: String) -> Answer {
    refusal(StatusCode::BAD_REQUEST, code, message)
}

pub fn missing(id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        Some(ApiErrorsCode::ResourceMissing),
        &format!("No such payment_intent: '{id}'"),
        json!({ "param": "intent" }),
    )
}

pub(crate) fn random_id(prefix: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..24)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    format!("{prefix}_{tail}")
}

pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

struct StoredIntent {
    intent: PaymentIntent,
    /// Waiting on a 3-D Secure challenge.
    challenged: bool,
    refunded: i64,
}

pub struct Store {
    pub(crate) base_url: String,
    intents: HashMap<String, StoredIntent>,
    intent_order: Order,
    refunds: HashMap<String, Refund>,
    refund_order: Order,
    /// Customers, their payment methods and setup intents.
    pub(crate) wallet: Wallet,
    /// Connected accounts, onboarding links, transfers.
    pub(crate) connect: Connect,
    answers: HashMap<String, (StatusCode, Value)>,
}

pub(crate) type Answer = (StatusCode, Value, Vec<Event>);

pub(crate) fn refusal(status: StatusCode, code: ApiErrorsCode, message: String) -> Answer {
    let mut body = api_error(code, None, &message, ApiErrorsType::InvalidRequestError);
    body.decline_code = None;
    (
        status,
        json!({ "error": serde_json::to_value(body).unwrap_or(Value::Null) }),
        Vec::new(),
    )
}

fn not_found(id: &str) -> Answer {
    missing_object("payment_intent", id)
}

pub(crate) fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl Store {
    pub fn new(base_url: String) -> Self {
        Store {
            base_url,
            intents: HashMap::new(),
            intent_order: Order::default(),
            refunds: HashMap::new(),
            refund_order: Order::default(),
            wallet: Wallet::default(),
            connect: Connect::default(),
            answers: HashMap::new(),
        }
    }

    pub fn list_intents(&self, p: &Params) -> Answer {
        self.intent_order.page(
            "payment_intent",
            "/v1/payment_intents",
            p,
            |id| self.intents.get(id).map(|stored| &stored.intent),
            |intent| intent.created,
        )
    }

    pub fn list_refunds(&self, p: &Params) -> Answer {
        self.refund_order.page(
            "refund",
            "/v1/refunds",
            p,
            |id| self.refunds.get(id),
            |refund| refund.created,
        )
    }

    /// What the platform has taken in `currency`: captured payments less refunds.
    pub fn captured(&self, currency: &Currency) -> i64 {
        self.intents
            .values()
            .filter(|s| &s.intent.currency == currency)
            .map(|s| s.intent.amount_received - s.refunded)
            .sum()
    }

    /// What is left of a charge (by its `ch_…` id) after refunds, if it exists.
    pub fn charge_left(&self, charge: &str) -> Option<i64> {
        self.intents
            .values()
            .find(|s| {
                s.intent
                    .latest_charge
                    .as_ref()
                    .is_some_and(|c| c.id().as_str() == charge)
            })
            .map(|s| s.intent.amount_received - s.refunded)
    }

    pub fn replay(&self, key: &str) -> Option<(StatusCode, Value)> {
        self.answers.get(key).cloned()
    }

    pub fn remember(&mut self, key: String, status: StatusCode, body: Value) {
        self.answers.insert(key, (status, body));
    }

    /// The intent as JSON; for a browser (`Some(secret)`) only with its client secret.
    pub fn intent_json(&self, id: &str, secret: Option<&str>) -> Option<Value> {
        let stored = self.intents.get(id)?;
        if let Some(secret) = secret
            && stored.intent.client_secret.as_deref() != Some(secret)
        {
            return None;
        }
        Some(json_of(&stored.intent))
    }

    pub fn create_intent(&mut self, p: &Params) -> Answer {
        let Ok(Some(amount)) = amount(p) else {
            return invalid_amount();
        };
        let Some(currency) = p.get("currency").and_then(|c| Currency::from_str(c).ok()) else {
            return missing_param("currency");
        };
        if let Some(customer) = p.get("customer")
            && !self.wallet.has_customer(customer)
        {
            return missing_object("customer", customer);
        }
        let id = random_id("pi");
        let metadata = metadata(p);
        let manual = p.get("capture_method").map(String::as_str) == Some("manual");
        let intent = PaymentIntent {
            allowed_payment_method_types: None,
            amount,
            amount_capturable: 0,
            amount_details: None,
            amount_received: 0,
            application: None,
            application_fee_amount: None,
            automatic_payment_methods: None,
            canceled_at: None,
            cancellation_reason: None,
            capture_method: if manual {
                PaymentIntentCaptureMethod::Manual
            } else {
                PaymentIntentCaptureMethod::Automatic
            },
            client_secret: Some(format!("{id}_secret_{}", random_id("s"))),
            confirmation_method: PaymentIntentConfirmationMethod::Automatic,
            created: now(),
            currency,
            customer: p.get("customer").map(|c| Expandable::Id(c.as_str().into())),
            customer_account: None,
            description: p.get("description").cloned(),
            excluded_payment_method_types: None,
            hooks: None,
            id: id.as_str().into(),
            last_payment_error: None,
            latest_charge: None,
            livemode: false,
            managed_payments: None,
            metadata,
            next_action: None,
            on_behalf_of: None,
            payment_details: None,
            payment_method: None,
            payment_method_configuration_details: None,
            payment_method_options: None,
            payment_method_types: vec!["card".to_owned()],
            payment_record: None,
            presentment_details: None,
            processing: None,
            receipt_email: p.get("receipt_email").cloned(),
            review: None,
            setup_future_usage: p
                .get("setup_future_usage")
                .and_then(|u| PaymentIntentSetupFutureUsage::from_str(u).ok()),
            shipping: None,
            source: None,
            statement_descriptor: None,
            statement_descriptor_suffix: None,
            status: PaymentIntentStatus::RequiresPaymentMethod,
            transfer_data: None,
            transfer_group: p.get("transfer_group").cloned(),
        };
        let body = json_of(&intent);
        self.intent_order.push(id.clone());
        self.intents.insert(
            id.clone(),
            StoredIntent {
                intent,
                challenged: false,
                refunded: 0,
            },
        );
        let created = Event {
            kind: "payment_intent.created",
            object: body.clone(),
        };
        if p.get("confirm").map(String::as_str) != Some("true") {
            return (StatusCode::OK, body, vec![created]);
        }
        // Created and confirmed in one call, as renewals charge a saved card.
        let (status, body, mut events) = match self.wallet.method_for(p) {
            Ok(method) => self.confirm(&id, None, &method, off_session(p), None),
            Err(refusal) => refusal,
        };
        events.insert(0, created);
        (status, body, events)
    }

    /// Confirm with `method`, the customer present or not (`off_session`).
    pub fn confirm(
        &mut self,
        id: &str,
        secret: Option<&str>,
        method: &Method,
        off_session: bool,
        return_url: Option<String>,
    ) -> Answer {
        let base = self.base_url.clone();
        let Some(stored) = self.intents.get_mut(id) else {
            return not_found(id);
        };
        if let Some(secret) = secret
            && stored.intent.client_secret.as_deref() != Some(secret)
        {
            return not_found(id);
        }
        if !matches!(
            stored.intent.status,
            PaymentIntentStatus::RequiresPaymentMethod | PaymentIntentStatus::RequiresConfirmation
        ) {
            return unexpected_state(&stored.intent, "confirm");
        }
        let customer = stored.intent.customer.as_ref().map(|c| c.id().as_str());
        // A saved card is only ever charged for its own customer; without the customer present
        // it must be attached to them.
        if method.customer.as_deref() != customer && (method.customer.is_some() || off_session) {
            return refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::PaymentIntentInvalidParameter,
                format!(
                    "The provided PaymentMethod ({}) is not attached to this PaymentIntent's customer.",
                    method.id
                ),
            );
        }
        stored.intent.payment_method = Some(Expandable::Id(method.id.as_str().into()));
        stored.intent.last_payment_error = None;
        let answer = match method.details.outcome(off_session, method.saved) {
            Outcome::Pay => pay(stored),
            Outcome::Decline {
                code,
                decline,
                message,
            } => fail(stored, code, Some(decline), message),
            Outcome::Challenge => {
                stored.challenged = true;
                stored.intent.status = PaymentIntentStatus::RequiresAction;
                stored.intent.next_action = Some(redirect_action(
                    format!("{base}/_emulator/3ds/{id}"),
                    return_url,
                ));
                let body = json_of(&stored.intent);
                let event = Event {
                    kind: "payment_intent.requires_action",
                    object: body.clone(),
                };
                (StatusCode::OK, body, vec![event])
            }
        };
        self.save_for_later(id);
        answer
    }

    /// A paid intent with `setup_future_usage` keeps its card on the customer for later.
    fn save_for_later(&mut self, id: &str) {
        let Some(stored) = self.intents.get(id) else {
            return;
        };
        let intent = &stored.intent;
        let paid = matches!(
            intent.status,
            PaymentIntentStatus::Succeeded | PaymentIntentStatus::RequiresCapture
        );
        if let (true, Some(_), Some(customer), Some(method)) = (
            paid,
            &intent.setup_future_usage,
            &intent.customer,
            &intent.payment_method,
        ) {
            let (customer, method) = (customer.id().to_string(), method.id().to_string());
            self.wallet.attach(&method, &customer, true);
        }
    }

    /// The customer completed (or failed) the 3-D Secure challenge.
    pub fn authenticate(&mut self, id: &str, complete: bool) -> Result<Vec<Event>, Response> {
        if id.starts_with("seti_") {
            return self.wallet.authenticate_setup(id, complete);
        }
        let Some(stored) = self.intents.get_mut(id) else {
            return Err(missing(id));
        };
        if !std::mem::take(&mut stored.challenged) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some(ApiErrorsCode::PaymentIntentUnexpectedState),
                "This PaymentIntent is not waiting for authentication.",
                json!({}),
            ));
        }
        stored.intent.next_action = None;
        let (_, _, events) = if complete {
            pay(stored)
        } else {
            fail(
                stored,
                ApiErrorsCode::PaymentIntentAuthenticationFailure,
                None,
                "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
            )
        };
        self.save_for_later(id);
        Ok(events)
    }

    pub fn cancel(&mut self, id: &str, reason: Option<&str>) -> Answer {
        let Some(stored) = self.intents.get_mut(id) else {
            return not_found(id);
        };
        if matches!(
            stored.intent.status,
            PaymentIntentStatus::Succeeded | PaymentIntentStatus::Canceled
        ) {
            return unexpected_state(&stored.intent, "cancel");
        }
        stored.intent.status = PaymentIntentStatus::Canceled;
        stored.intent.canceled_at = Some(now());
        stored.intent.next_action = None;
        stored.challenged = false;
        stored.intent.cancellation_reason = Some(
            reason
                .and_then(|r| PaymentIntentCancellationReason::from_str(r).ok())
                .unwrap_or(PaymentIntentCancellationReason::RequestedByCustomer),
        );
        if stored.intent.amount_capturable > 0 {
            stored.intent.amount_capturable = 0;
        }
        let body = json_of(&stored.intent);
        let event = Event {
            kind: "payment_intent.canceled",
            object: body.clone(),
        };
        (StatusCode::OK, body, vec![event])
    }

    pub fn capture(&mut self, id: &str, amount: Option<i64>) -> Answer {
        let Some(stored) = self.intents.get_mut(id) else {
            return not_found(id);
        };
        if stored.intent.status != PaymentIntentStatus::RequiresCapture {
            return unexpected_state(&stored.intent, "capture");
        }
        let amount = amount.unwrap_or(stored.intent.amount_capturable);
        if amount <= 0 || amount > stored.intent.amount_capturable {
            return refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::AmountTooLarge,
                format!(
                    "The amount to capture ({amount}) must be at most the amount capturable ({}).",
                    stored.intent.amount_capturable
                ),
            );
        }
        stored.intent.amount_received = amount;
        stored.intent.amount_capturable = 0;
        stored.intent.status = PaymentIntentStatus::Succeeded;
        let body = json_of(&stored.intent);
        let event = Event {
            kind: "payment_intent.succeeded",
            object: body.clone(),
        };
        (StatusCode::OK, body, vec![event])
    }

    pub fn refund(&mut self, p: &Params) -> Answer {
        let Some(id) = p.get("payment_intent") else {
            return missing_param("payment_intent");
        };
        let Some(stored) = self.intents.get_mut(id) else {
            return not_found(id);
        };
        if stored.intent.status != PaymentIntentStatus::Succeeded {
            return refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::ChargeNotRefundable,
                format!("This PaymentIntent ({id}) does not have a successful charge to refund."),
            );
        }
        let left = stored.intent.amount_received - stored.refunded;
        let amount = match amount(p) {
            Ok(amount) => amount.unwrap_or(left),
            Err(refusal) => return refusal,
        };
        if amount > left || left == 0 {
            return refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::ChargeAlreadyRefunded,
                format!(
                    "Refund amount ({amount}) is greater than unrefunded amount on charge ({left})"
                ),
            );
        }
        stored.refunded += amount;
        let refund = Refund {
            amount,
            balance_transaction: None,
            charge: None,
            created: now(),
            currency: stored.intent.currency.clone(),
            customer: None,
            customer_account: None,
            description: None,
            destination_details: None,
            failure_balance_transaction: None,
            failure_reason: None,
            id: random_id("re").as_str().into(),
            instructions_email: None,
            metadata: Some(HashMap::new()),
            next_action: None,
            payment_intent: Some(Expandable::Id(id.as_str().into())),
            payment_method: None,
            pending_reason: None,
            presentment_details: None,
            reason: None,
            receipt_number: None,
            source_transfer_reversal: None,
            status: Some("succeeded".to_owned()),
            transfer_reversal: None,
        };
        let body = json_of(&refund);
        self.refund_order.push(refund.id.as_str().to_owned());
        self.refunds.insert(refund.id.as_str().to_owned(), refund);
        (StatusCode::OK, body, Vec::new())
    }
}

fn unexpected_state(intent: &PaymentIntent, action: &str) -> Answer {
    let mut errors = api_error(
        ApiErrorsCode::PaymentIntentUnexpectedState,
        None,
        &format!(
            "You cannot {action} this PaymentIntent because it has a status of {}.",
            intent.status.as_str()
        ),
        ApiErrorsType::InvalidRequestError,
    );
    errors.payment_intent = Some(intent.clone());
    (
        StatusCode::BAD_REQUEST,
        json!({ "error": json_of(&errors) }),
        Vec::new(),
    )
}

fn redirect_action(url: String, return_url: Option<String>) -> PaymentIntentNextAction {
    PaymentIntentNextAction {
        alipay_handle_redirect: None,
        blik_authorize: None,
        boleto_display_details: None,
        card_await_notification: None,
        cashapp_handle_redirect_or_display_qr_code: None,
        display_bank_transfer_instructions: None,
        klarna_display_qr_code: None,
        konbini_display_details: None,
        multibanco_display_details: None,
        oxxo_display_details: None,
        paynow_display_qr_code: None,
        pix_display_qr_code: None,
        promptpay_display_qr_code: None,
        redirect_to_url: Some(PaymentIntentNextActionRedirectToUrl {
            return_url,
            url: Some(url),
        }),
        swish_handle_redirect_or_display_qr_code: None,
        type_: "redirect_to_url".to_owned(),
        upi_handle_redirect_or_display_qr_code: None,
        use_stripe_sdk: None,
        verify_with_microdeposits: None,
        wechat_pay_display_qr_code: None,
        wechat_pay_redirect_to_android_app: None,
        wechat_pay_redirect_to_ios_app: None,
    }
}

/// The card's verdict on a confirmed (and, if needed, authenticated) payment.
/// The card paid: captured now, or authorised for a later capture.
fn pay(stored: &mut StoredIntent) -> Answer {
    let manual = stored.intent.capture_method == PaymentIntentCaptureMethod::Manual;
    let kind = if manual {
        stored.intent.status = PaymentIntentStatus::RequiresCapture;
        stored.intent.amount_capturable = stored.intent.amount;
        "payment_intent.amount_capturable_updated"
    } else {
        stored.intent.status = PaymentIntentStatus::Succeeded;
        stored.intent.amount_received = stored.intent.amount;
        "payment_intent.succeeded"
    };
    stored.intent.latest_charge = Some(Expandable::Id(random_id("ch").as_str().into()));
    let body = json_of(&stored.intent);
    let event = Event {
        kind,
        object: body.clone(),
    };
    (StatusCode::OK, body, vec![event])
}

/// A failed attempt: the intent waits for another payment method; the caller gets a 402 card
/// error carrying the intent, as Stripe answers a declined confirm.
fn fail(
    stored: &mut StoredIntent,
    code: ApiErrorsCode,
    decline: Option<&str>,
    message: &str,
) -> Answer {
    let errors = api_error(code.clone(), decline, message, ApiErrorsType::CardError);
    stored.intent.status = PaymentIntentStatus::RequiresPaymentMethod;
    stored.intent.last_payment_error = Some(Box::new(errors.clone()));
    stored.intent.payment_method = None;
    let intent = json_of(&stored.intent);
    let mut errors = errors;
    errors.payment_intent = Some(stored.intent.clone());
    let event = Event {
        kind: "payment_intent.payment_failed",
        object: intent,
    };
    (
        StatusCode::PAYMENT_REQUIRED,
        json!({ "error": json_of(&errors) }),
        vec![event],
    )
}
