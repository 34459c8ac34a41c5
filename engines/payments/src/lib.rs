//! Stripe for Olivine, through async-stripe: PaymentIntents (create, retrieve, cancel, capture),
//! refunds, customers with saved cards (SetupIntents, off-session charges), Connect accounts
//! with onboarding links, transfers and reversals, and webhook events verified by signature. Card data never passes through here: the
//! browser confirms an intent with its client secret and we only ever see ids and statuses.
//!
//! Every call that moves money carries an idempotency key derived from our own record id, so a
//! retry after a timeout finds the same intent or refund instead of making a second one.
//!
//! In development and tests `api_base` points at the workspace's Stripe emulator, which answers
//! with the same async-stripe types.

mod connect;
mod lists;
mod wallet;

pub use connect::{ConnectedAccount, NewTransfer, Reversal, Transfer};
pub use wallet::{Customer, SavedCard, Setup, SetupStatus};

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;
use stripe::{Client, ClientBuilder, IdempotencyKey, RequestStrategy, StripeError, StripeRequest};
use stripe_core::payment_intent::{
    CancelPaymentIntent, CapturePaymentIntent, ConfirmPaymentIntent, CreatePaymentIntent,
    CreatePaymentIntentAutomaticPaymentMethods, RetrievePaymentIntent,
};
use stripe_core::refund::CreateRefund;
use stripe_shared::{ApiErrors, PaymentIntent, PaymentIntentCaptureMethod, PaymentIntentStatus};
use stripe_webhook::{EventObject, Webhook, WebhookError};

/// Where Stripe is and the keys to it. The secret key and webhook secret come from the
/// environment and are never logged (`Debug` hides them).
#[derive(Clone)]
pub struct PaymentsConfig {
    pub secret_key: String,
    /// Handed to the browser for Stripe.js.
    pub publishable_key: String,
    /// Signs webhook deliveries (`whsec_…`).
    pub webhook_secret: String,
    /// `None`: api.stripe.com. Otherwise a Stripe-compatible server, such as the emulator
    /// (`http://127.0.0.1:12111/`).
    pub api_base: Option<String>,
    /// The Stripe.js the checkout page loads.
    pub stripe_js: String,
}

impl fmt::Debug for PaymentsConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentsConfig")
            .field("publishable_key", &self.publishable_key)
            .field("api_base", &self.api_base)
            .field("stripe_js", &self.stripe_js)
            .finish_non_exhaustive()
    }
}

/// Stripe's own Stripe.js, loaded in production.
pub const STRIPE_JS: &str = "https://js.stripe.com/v3/";

/// Where `cargo xtask dev` runs the Stripe emulator.
pub const LOCAL_EMULATOR: &str = "http://127.0.0.1:12111/";

/// The Stripe.js stand-in a Stripe-compatible server at `api_base` serves (the emulator's).
pub fn stripe_js_of(api_base: &str) -> String {
    format!("{}/v3/", api_base.trim_end_matches('/'))
}

impl PaymentsConfig {
    /// The emulator's test keys at its local address (they mean nothing to Stripe).
    pub fn local_emulator() -> Self {
        PaymentsConfig {
            secret_key: "sk_test_olivine_emulator".to_owned(),
            publishable_key: "pk_test_olivine_emulator".to_owned(),
            webhook_secret: "whsec_olivine_emulator".to_owned(),
            api_base: Some(LOCAL_EMULATOR.to_owned()),
            stripe_js: stripe_js_of(LOCAL_EMULATOR),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PaymentsError {
    /// Stripe understood and said no (a decline, an intent that can't be cancelled any more…).
    #[error("Stripe refused: {message}")]
    Refused {
        code: Option<String>,
        decline_code: Option<String>,
        message: String,
    },
    /// Stripe could not be reached or answered with something we could not read; the call may
    /// be retried with the same idempotency key.
    #[error("Stripe is unavailable: {0}")]
    Unavailable(String),
    #[error("payments are misconfigured: {0}")]
    Config(String),
    /// A webhook delivery whose signature does not verify (or is too old).
    #[error("webhook signature does not verify")]
    BadSignature,
    /// A webhook delivery signed by Stripe whose event this library cannot read (an API version
    /// drift): genuine, so it must be kept and answered, never refused as forged.
    #[error("signed webhook event {} ({}) could not be read", .id.as_deref().unwrap_or("without an id"), .kind.as_deref().unwrap_or("unknown type"))]
    UnreadableEvent {
        id: Option<String>,
        kind: Option<String>,
    },
}

type Result<T> = std::result::Result<T, PaymentsError>;

impl From<StripeError> for PaymentsError {
    fn from(error: StripeError) -> Self {
        match error {
            StripeError::Stripe(api, status) if status < 500 => PaymentsError::Refused {
                code: api.code.as_ref().map(|c| c.as_str().to_owned()),
                decline_code: api.decline_code.clone(),
                message: api
                    .message
                    .clone()
                    .unwrap_or_else(|| format!("status {status}")),
            },
            StripeError::ConfigError(message) => PaymentsError::Config(message),
            other @ (StripeError::Stripe(..)
            | StripeError::JSONDeserialize(_)
            | StripeError::ClientError(_)
            | StripeError::Timeout) => PaymentsError::Unavailable(other.to_string()),
        }
    }
}

/// Where a PaymentIntent is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntentStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    /// 3-D Secure or another step the customer must complete in the browser.
    RequiresAction,
    Processing,
    /// Authorised, waiting for capture (manual capture).
    RequiresCapture,
    Canceled,
    Succeeded,
}

impl IntentStatus {
    /// In words: "succeeded", "waiting for the customer", …
    pub fn describe(self) -> &'static str {
        match self {
            IntentStatus::RequiresPaymentMethod => "waiting for a payment method",
            IntentStatus::RequiresConfirmation => "waiting to be confirmed",
            IntentStatus::RequiresAction => "waiting for the customer",
            IntentStatus::Processing => "processing",
            IntentStatus::RequiresCapture => "authorised, not captured",
            IntentStatus::Canceled => "canceled",
            IntentStatus::Succeeded => "succeeded",
        }
    }

    fn from_stripe(status: &PaymentIntentStatus) -> Self {
        // By name: the enum is non-exhaustive and grows with Stripe's API.
        match status.as_str() {
            "requires_confirmation" => IntentStatus::RequiresConfirmation,
            "requires_action" => IntentStatus::RequiresAction,
            "processing" => IntentStatus::Processing,
            "requires_capture" => IntentStatus::RequiresCapture,
            "canceled" => IntentStatus::Canceled,
            "succeeded" => IntentStatus::Succeeded,
            // requires_payment_method, or a status this library version doesn't know: nothing
            // settled yet.
            _ => IntentStatus::RequiresPaymentMethod,
        }
    }
}

/// The parts of a PaymentIntent Olivine acts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Intent {
    pub id: String,
    pub status: IntentStatus,
    /// Lets the browser confirm this intent; never logged.
    pub client_secret: Option<String>,
    pub amount: i64,
    pub amount_received: i64,
    /// Upper case, as Olivine writes currencies ("EUR").
    pub currency: String,
    pub metadata: HashMap<String, String>,
    /// Why the last attempt failed, in words for the customer, with Stripe's codes.
    pub last_error: Option<PaymentFailure>,
    /// The charge (`ch_…`) that took the money, once paid: transfers can name it as their source.
    pub charge: Option<String>,
    /// The Stripe customer paying, if any.
    pub customer: Option<String>,
    /// The card (`pm_…`) the intent was confirmed with; saved on the customer when the intent
    /// was created to save it.
    pub payment_method: Option<String>,
    /// Unix seconds.
    pub created: i64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentFailure {
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: String,
}

impl PaymentFailure {
    fn from_api(error: &ApiErrors) -> Self {
        PaymentFailure {
            code: error.code.as_ref().map(|c| c.as_str().to_owned()),
            decline_code: error.decline_code.clone(),
            message: error
                .message
                .clone()
                .unwrap_or_else(|| "The payment was not completed.".to_owned()),
        }
    }
}

impl From<PaymentIntent> for Intent {
    fn from(pi: PaymentIntent) -> Self {
        Intent {
            id: pi.id.as_str().to_owned(),
            status: IntentStatus::from_stripe(&pi.status),
            client_secret: pi.client_secret,
            amount: pi.amount,
            amount_received: pi.amount_received,
            currency: pi.currency.to_string().to_ascii_uppercase(),
            metadata: pi.metadata,
            last_error: pi.last_payment_error.map(|e| PaymentFailure::from_api(&e)),
            charge: pi.latest_charge.map(|c| c.id().as_str().to_owned()),
            customer: pi.customer.map(|c| c.id().as_str().to_owned()),
            payment_method: pi.payment_method.map(|m| m.id().as_str().to_owned()),
            created: pi.created,
        }
    }
}

/// What to charge.
#[derive(Clone, Debug)]
pub struct NewIntent<'a> {
    /// Derived from our record (the order id): the same key always means the same intent.
    pub idempotency_key: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub description: &'a str,
    pub receipt_email: Option<&'a str>,
    pub metadata: &'a [(&'a str, &'a str)],
    /// Authorise now, capture later (the marketplace's escrow); otherwise capture on success.
    pub manual_capture: bool,
    /// The Stripe customer paying (required to charge a saved card).
    pub customer: Option<&'a str>,
    /// Ties the payment to the transfers that later pay it out (Stripe's `transfer_group`).
    pub transfer_group: Option<&'a str>,
}

/// A refund as Stripe reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub id: String,
    pub amount: i64,
    /// Upper case ("EUR").
    pub currency: String,
    /// `succeeded`, `pending`, `failed`, …
    pub status: String,
    /// The payment it gives back from.
    pub payment_intent: Option<String>,
    /// Unix seconds.
    pub created: i64,
}

impl From<stripe_shared::Refund> for Refund {
    fn from(refund: stripe_shared::Refund) -> Self {
        Refund {
            id: refund.id.as_str().to_owned(),
            amount: refund.amount,
            currency: refund.currency.to_string().to_ascii_uppercase(),
            status: refund.status.unwrap_or_else(|| "pending".to_owned()),
            payment_intent: refund.payment_intent.map(|i| i.id().as_str().to_owned()),
            created: refund.created,
        }
    }
}

/// A verified webhook event.
#[derive(Clone, Debug)]
pub struct WebhookEvent {
    pub id: String,
    /// `payment_intent.succeeded`, …
    pub kind: String,
    /// The id of the object the event is about.
    pub object_id: String,
    /// The PaymentIntent as the event saw it, for `payment_intent.*` events.
    pub intent: Option<Intent>,
    /// The SetupIntent, for `setup_intent.*` events.
    pub setup: Option<Setup>,
    /// The connected account, for `account.updated`.
    pub account: Option<ConnectedAccount>,
}

/// How many times a call that failed to reach Stripe is tried in all (with the same key).
const ATTEMPTS: u32 = 3;

#[derive(Clone)]
pub struct Payments {
    client: Client,
    config: PaymentsConfig,
}

impl fmt::Debug for Payments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Payments")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

fn key(value: &str) -> Result<RequestStrategy> {
    IdempotencyKey::new(value)
        .map(RequestStrategy::Idempotent)
        .map_err(|e| PaymentsError::Config(e.to_string()))
}

impl Payments {
    pub fn new(config: PaymentsConfig) -> Result<Self> {
        let mut builder =
            ClientBuilder::new(config.secret_key.clone()).timeout(Duration::from_secs(20));
        if let Some(base) = &config.api_base {
            // async-stripe joins paths onto the base, which therefore ends in a slash.
            let base = if base.ends_with('/') {
                base.clone()
            } else {
                format!("{base}/")
            };
            builder = builder.url(base);
        }
        let client = builder.build().map_err(PaymentsError::from)?;
        Ok(Payments { client, config })
    }

    pub fn publishable_key(&self) -> &str {
        &self.config.publishable_key
    }

    pub fn stripe_js(&self) -> &str {
        &self.config.stripe_js
    }

    /// Send `request` with `strategy`, trying again (same key, so at most one effect) while
    /// Stripe can't be reached.
    async fn send<R>(&self, request: &R, strategy: RequestStrategy) -> Result<R::Output>
    where
        R: StripeRequest,
        R::Output: miniserde::Deserialize,
    {
        let mut attempt = 1;
        loop {
            let outcome = request
                .customize()
                .request_strategy(strategy.clone())
                .send(&self.client)
                .await
                .map_err(PaymentsError::from);
            match outcome {
                Err(PaymentsError::Unavailable(why)) if attempt < ATTEMPTS => {
                    tracing::warn!(attempt, %why, "Stripe unavailable; trying again");
                    tokio_sleep(attempt).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// The create request for `new`, before any saved-card settings.
    fn intent_request(&self, new: &NewIntent<'_>) -> Result<CreatePaymentIntent> {
        let mut request = CreatePaymentIntent::new(new.amount_minor, currency(new.currency)?)
            .description(new.description)
            .metadata(metadata(new.metadata));
        if let Some(email) = new.receipt_email {
            request = request.receipt_email(email);
        }
        if new.manual_capture {
            request = request.capture_method(PaymentIntentCaptureMethod::Manual);
        }
        if let Some(customer) = new.customer {
            request = request.customer(customer);
        }
        if let Some(group) = new.transfer_group {
            request = request.transfer_group(group);
        }
        Ok(request)
    }

    /// Create (or, with a key used before, find again) the PaymentIntent for a charge the
    /// browser will confirm.
    pub async fn create_intent(&self, new: &NewIntent<'_>) -> Result<Intent> {
        let request = self
            .intent_request(new)?
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true));
        let intent = self.send(&request, key(new.idempotency_key)?).await?;
        Ok(intent.into())
    }

    /// Like [`Payments::create_intent`], and the card the customer pays with is saved on
    /// `new.customer` for later payments without them present (`setup_future_usage =
    /// off_session`): the first order of a subscription.
    pub async fn create_intent_saving_card(&self, new: &NewIntent<'_>) -> Result<Intent> {
        if new.customer.is_none() {
            return Err(PaymentsError::Config(
                "a card is saved for a customer".to_owned(),
            ));
        }
        let request = self
            .intent_request(new)?
            .automatic_payment_methods(CreatePaymentIntentAutomaticPaymentMethods::new(true))
            .setup_future_usage(stripe_shared::PaymentIntentSetupFutureUsage::OffSession);
        let intent = self.send(&request, key(new.idempotency_key)?).await?;
        Ok(intent.into())
    }

    pub async fn retrieve_intent(&self, id: &str) -> Result<Intent> {
        let request = RetrievePaymentIntent::new(id);
        Ok(self.send(&request, RequestStrategy::Once).await?.into())
    }

    /// Confirm an intent from the server with a saved payment method (renewals, tests); a
    /// decline comes back as [`PaymentsError::Refused`] with Stripe's codes.
    pub async fn confirm_intent(&self, id: &str, payment_method: &str) -> Result<Intent> {
        let request = ConfirmPaymentIntent::new(id).payment_method(payment_method);
        Ok(self
            .send(&request, key(&format!("confirm-{id}-{payment_method}"))?)
            .await?
            .into())
    }

    /// Cancel an intent nobody paid. Refused (with Stripe's message) once it has succeeded.
    pub async fn cancel_intent(&self, id: &str) -> Result<Intent> {
        let request = CancelPaymentIntent::new(id);
        Ok(self
            .send(&request, key(&format!("cancel-{id}"))?)
            .await?
            .into())
    }

    /// Capture an authorised intent (manual capture), all of it or `amount_minor`.
    pub async fn capture_intent(&self, id: &str, amount_minor: Option<i64>) -> Result<Intent> {
        let mut request = CapturePaymentIntent::new(id);
        if let Some(amount) = amount_minor {
            request = request.amount_to_capture(amount);
        }
        Ok(self
            .send(&request, key(&format!("capture-{id}"))?)
            .await?
            .into())
    }

    /// Refund `amount_minor` of a succeeded intent; `idempotency_key` is our refund's id.
    pub async fn refund(
        &self,
        intent_id: &str,
        amount_minor: i64,
        idempotency_key: &str,
    ) -> Result<Refund> {
        let request = CreateRefund::new()
            .payment_intent(intent_id)
            .amount(amount_minor);
        Ok(self.send(&request, key(idempotency_key)?).await?.into())
    }

    /// Check a webhook delivery's `Stripe-Signature` against the secret (and its age) and read
    /// it: [`PaymentsError::BadSignature`] when it is not Stripe's, and
    /// [`PaymentsError::UnreadableEvent`] when it is but its event cannot be read.
    #[expect(
        clippy::wildcard_enum_match_arm,
        reason = "Stripe has some 200 event types; only payments, setups, accounts and transfers concern us"
    )]
    pub fn verify_webhook(&self, payload: &str, signature: &str) -> Result<WebhookEvent> {
        let event = Webhook::construct_event(payload, signature, &self.config.webhook_secret)
            .map_err(|error| match error {
                // The signature and its age were checked before the payload was read.
                WebhookError::BadParse(_) => unreadable(payload),
                WebhookError::BadKey
                | WebhookError::BadHeader(_)
                | WebhookError::BadSignature
                | WebhookError::BadTimestamp(_) => PaymentsError::BadSignature,
            })?;
        let mut intent = None;
        let mut setup = None;
        let mut account = None;
        let object_id = match event.data.object {
            EventObject::PaymentIntentSucceeded(pi)
            | EventObject::PaymentIntentPaymentFailed(pi)
            | EventObject::PaymentIntentCanceled(pi)
            | EventObject::PaymentIntentRequiresAction(pi)
            | EventObject::PaymentIntentProcessing(pi)
            | EventObject::PaymentIntentCreated(pi)
            | EventObject::PaymentIntentAmountCapturableUpdated(pi) => {
                let found = Intent::from(*pi);
                let id = found.id.clone();
                intent = Some(found);
                id
            }
            EventObject::SetupIntentSucceeded(si)
            | EventObject::SetupIntentSetupFailed(si)
            | EventObject::SetupIntentRequiresAction(si) => {
                let found = Setup::from(*si);
                let id = found.id.clone();
                setup = Some(found);
                id
            }
            EventObject::AccountUpdated(acct) => {
                let found = ConnectedAccount::from(*acct);
                let id = found.id.clone();
                account = Some(found);
                id
            }
            EventObject::TransferCreated(tr) | EventObject::TransferReversed(tr) => {
                tr.id.as_str().to_owned()
            }
            _ => String::new(),
        };
        Ok(WebhookEvent {
            id: event.id.as_str().to_owned(),
            kind: event.type_.as_str().to_owned(),
            object_id,
            intent,
            setup,
            account,
        })
    }
}

/// Our `(key, value)` pairs as Stripe's metadata.
fn metadata(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// Stripe's currency for our upper-case code ("EUR").
fn currency(code: &str) -> Result<stripe_types::Currency> {
    stripe_types::Currency::from_str(&code.to_ascii_lowercase())
        .map_err(|_| PaymentsError::Config(format!("unknown currency {code}")))
}

/// A short, growing pause between attempts.
async fn tokio_sleep(attempt: u32) {
    let millis = 200_u64 * u64::from(attempt);
    tokio::time::sleep(Duration::from_millis(millis)).await;
}

/// What a signed but unreadable event says of itself, as far as its raw JSON goes.
fn unreadable(payload: &str) -> PaymentsError {
    use miniserde::json::Value;
    let field = |name: &str| match miniserde::json::from_str::<Value>(payload) {
        Ok(Value::Object(object)) => match object.get(name) {
            Some(Value::String(text)) => Some(text.clone()),
            _ => None,
        },
        _ => None,
    };
    PaymentsError::UnreadableEvent {
        id: field("id"),
        kind: field("type"),
    }
}
