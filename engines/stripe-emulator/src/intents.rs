//! Payment intents and refunds: the state, the test cards, and Stripe's answers built from
//! async-stripe's own types.

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
    PaymentIntentNextActionRedirectToUrl, PaymentIntentStatus, Refund,
};
use stripe_types::{Currency, Expandable};

/// An event to deliver: its type and the object as it is now.
pub struct Event {
    pub kind: &'static str,
    pub object: Value,
}

/// What a card does when a payment is confirmed with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Card {
    Succeeds,
    Declines,
    InsufficientFunds,
    /// 3-D Secure: the customer must complete a challenge first.
    NeedsAuthentication,
}

impl Card {
    /// The card a confirm call names: a test payment method (`pm_card_visa`, …) from a server,
    /// or a test card number typed into the Stripe.js stand-in.
    pub fn from_params(p: &Params) -> Result<Card, Response> {
        if let Some(method) = p.get("payment_method") {
            return match method.as_str() {
                "pm_card_visa" | "pm_card_mastercard" => Ok(Card::Succeeds),
                "pm_card_chargeDeclined" | "pm_card_visa_chargeDeclined" => Ok(Card::Declines),
                "pm_card_chargeDeclinedInsufficientFunds"
                | "pm_card_visa_chargeDeclinedInsufficientFunds" => Ok(Card::InsufficientFunds),
                "pm_card_authenticationRequired" | "pm_card_threeDSecure2Required" => {
                    Ok(Card::NeedsAuthentication)
                }
                other => Err(error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request_error",
                    Some(ApiErrorsCode::ResourceMissing),
                    &format!("No such PaymentMethod: '{other}'"),
                    json!({ "param": "payment_method" }),
                )),
            };
        }
        let number: String = p
            .get("payment_method_data[card][number]")
            .map(|n| n.chars().filter(char::is_ascii_digit).collect())
            .unwrap_or_default();
        if number.is_empty() {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some(ApiErrorsCode::ParameterMissing),
                "You must provide a payment method to confirm this PaymentIntent.",
                json!({ "param": "payment_method" }),
            ));
        }
        if !luhn(&number) {
            return Err(card_error(
                ApiErrorsCode::IncorrectNumber,
                None,
                "Your card number is incorrect.",
            ));
        }
        Ok(match number.as_str() {
            "4000000000000002" => Card::Declines,
            "4000000000009995" => Card::InsufficientFunds,
            "4000002500003155" | "4000000000003220" => Card::NeedsAuthentication,
            // Every other valid number behaves like Stripe's 4242 4242 4242 4242.
            _ => Card::Succeeds,
        })
    }

    fn payment_method(self) -> &'static str {
        match self {
            Card::Succeeds => "pm_card_visa",
            Card::Declines => "pm_card_chargeDeclined",
            Card::InsufficientFunds => "pm_card_chargeDeclinedInsufficientFunds",
            Card::NeedsAuthentication => "pm_card_authenticationRequired",
        }
    }
}

fn luhn(number: &str) -> bool {
    if !(12..=19).contains(&number.len()) {
        return false;
    }
    let sum: u32 = number
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

fn api_error(
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

fn card_error(code: ApiErrorsCode, decline: Option<&str>, message: &str) -> Response {
    let body = serde_json::to_value(api_error(code, decline, message, ApiErrorsType::CardError))
        .unwrap_or(Value::Null);
    crate::with_cors(axum::response::IntoResponse::into_response((
        StatusCode::PAYMENT_REQUIRED,
        axum::Json(json!({ "error": body })),
    )))
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

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

struct StoredIntent {
    intent: PaymentIntent,
    /// The card waiting on a 3-D Secure challenge.
    challenged: Option<Card>,
    refunded: i64,
}

pub struct Store {
    base_url: String,
    intents: HashMap<String, StoredIntent>,
    refunds: HashMap<String, Refund>,
    answers: HashMap<String, (StatusCode, Value)>,
}

type Answer = (StatusCode, Value, Vec<Event>);

fn refusal(status: StatusCode, code: ApiErrorsCode, message: String) -> Answer {
    let mut body = api_error(code, None, &message, ApiErrorsType::InvalidRequestError);
    body.decline_code = None;
    (
        status,
        json!({ "error": serde_json::to_value(body).unwrap_or(Value::Null) }),
        Vec::new(),
    )
}

fn not_found(id: &str) -> Answer {
    refusal(
        StatusCode::NOT_FOUND,
        ApiErrorsCode::ResourceMissing,
        format!("No such payment_intent: '{id}'"),
    )
}

fn json_of<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

impl Store {
    pub fn new(base_url: String) -> Self {
        Store {
            base_url,
            intents: HashMap::new(),
            refunds: HashMap::new(),
            answers: HashMap::new(),
        }
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
        let Some(amount) = p
            .get("amount")
            .and_then(|a| a.parse::<i64>().ok())
            .filter(|a| *a > 0)
        else {
            return refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::ParameterInvalidInteger,
                "Invalid positive integer: amount".to_owned(),
            );
        };
        let Some(currency) = p.get("currency").and_then(|c| Currency::from_str(c).ok()) else {
            return refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::ParameterMissing,
                "Missing required param: currency.".to_owned(),
            );
        };
        let id = random_id("pi");
        let metadata: HashMap<String, String> = p
            .iter()
            .filter_map(|(k, v)| {
                let key = k.strip_prefix("metadata[")?.strip_suffix(']')?;
                Some((key.to_owned(), v.clone()))
            })
            .collect();
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
            setup_future_usage: None,
            shipping: None,
            source: None,
            statement_descriptor: None,
            statement_descriptor_suffix: None,
            status: PaymentIntentStatus::RequiresPaymentMethod,
            transfer_data: None,
            transfer_group: p.get("transfer_group").cloned(),
        };
        let body = json_of(&intent);
        self.intents.insert(
            id,
            StoredIntent {
                intent,
                challenged: None,
                refunded: 0,
            },
        );
        let event = Event {
            kind: "payment_intent.created",
            object: body.clone(),
        };
        (StatusCode::OK, body, vec![event])
    }

    pub fn confirm(
        &mut self,
        id: &str,
        secret: Option<&str>,
        card: Card,
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
        stored.intent.payment_method = Some(Expandable::Id(card.payment_method().into()));
        stored.intent.last_payment_error = None;
        if card == Card::NeedsAuthentication {
            stored.challenged = Some(Card::Succeeds);
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
            return (StatusCode::OK, body, vec![event]);
        }
        settle(stored, card)
    }

    /// The customer completed (or failed) the 3-D Secure challenge.
    pub fn authenticate(&mut self, id: &str, complete: bool) -> Result<Vec<Event>, Response> {
        let Some(stored) = self.intents.get_mut(id) else {
            return Err(missing(id));
        };
        let Some(card) = stored.challenged.take() else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "invalid_request_error",
                Some(ApiErrorsCode::PaymentIntentUnexpectedState),
                "This PaymentIntent is not waiting for authentication.",
                json!({}),
            ));
        };
        stored.intent.next_action = None;
        let (_, _, events) = if complete {
            settle(stored, card)
        } else {
            fail(
                stored,
                ApiErrorsCode::PaymentIntentAuthenticationFailure,
                None,
                "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
            )
        };
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
        stored.challenged = None;
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
            return refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::ParameterMissing,
                "Missing required param: payment_intent.".to_owned(),
            );
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
        let amount = match p.get("amount") {
            Some(raw) => match raw.parse::<i64>() {
                Ok(a) if a > 0 => a,
                _ => {
                    return refusal(
                        StatusCode::BAD_REQUEST,
                        ApiErrorsCode::ParameterInvalidInteger,
                        "Invalid positive integer: amount".to_owned(),
                    );
                }
            },
            None => left,
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
fn settle(stored: &mut StoredIntent, card: Card) -> Answer {
    match card {
        Card::Succeeds | Card::NeedsAuthentication => {
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
        Card::Declines => fail(
            stored,
            ApiErrorsCode::CardDeclined,
            Some("generic_decline"),
            "Your card was declined.",
        ),
        Card::InsufficientFunds => fail(
            stored,
            ApiErrorsCode::CardDeclined,
            Some("insufficient_funds"),
            "Your card has insufficient funds.",
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::luhn;

    #[test]
    fn test_cards_pass_the_luhn_check() {
        for number in [
            "4242424242424242",
            "4000000000000002",
            "4000000000009995",
            "4000002500003155",
        ] {
            assert!(luhn(number), "{number}");
        }
        assert!(!luhn("4242424242424241"));
        assert!(!luhn("42"));
    }
}
