//! Customers and their saved cards: a SetupIntent saves a card for later (the browser confirms
//! it with Stripe.js, as it confirms payments), and renewals charge the saved card without the
//! customer present.

use crate::{Intent, NewIntent, PaymentFailure, Payments, PaymentsError, Result, key};
use stripe::RequestStrategy;
use stripe_core::customer::{CreateCustomer, DeleteCustomer};
use stripe_core::payment_intent::{CreatePaymentIntent, CreatePaymentIntentOffSession};
use stripe_core::setup_intent::{
    ConfirmSetupIntent, CreateSetupIntent, CreateSetupIntentUsage, RetrieveSetupIntent,
};
use stripe_payment::payment_method::{
    DetachPaymentMethod, ListPaymentMethod, ListPaymentMethodType, RetrievePaymentMethod,
};
use stripe_shared::{PaymentMethod, SetupIntent};

/// A Stripe customer: who saved cards belong to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Customer {
    pub id: String,
    pub email: Option<String>,
}

/// Where a SetupIntent is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetupStatus {
    RequiresPaymentMethod,
    RequiresConfirmation,
    /// 3-D Secure: the customer must complete a challenge in the browser.
    RequiresAction,
    Processing,
    Canceled,
    /// The card is saved on the customer.
    Succeeded,
}

/// Saving a card for later payments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    pub id: String,
    pub status: SetupStatus,
    /// Whose card it saves.
    pub customer: Option<String>,
    /// Lets the browser confirm this setup; never logged.
    pub client_secret: Option<String>,
    /// The card saved (or being saved).
    pub payment_method: Option<String>,
    pub last_error: Option<PaymentFailure>,
}

impl From<SetupIntent> for Setup {
    fn from(setup: SetupIntent) -> Self {
        // By name: the enum is non-exhaustive and grows with Stripe's API.
        let status = match setup.status.as_str() {
            "requires_confirmation" => SetupStatus::RequiresConfirmation,
            "requires_action" => SetupStatus::RequiresAction,
            "processing" => SetupStatus::Processing,
            "canceled" => SetupStatus::Canceled,
            "succeeded" => SetupStatus::Succeeded,
            _ => SetupStatus::RequiresPaymentMethod,
        };
        Setup {
            id: setup.id.as_str().to_owned(),
            status,
            customer: setup.customer.map(|c| c.id().as_str().to_owned()),
            client_secret: setup.client_secret,
            payment_method: setup.payment_method.map(|m| m.id().as_str().to_owned()),
            last_error: setup.last_setup_error.map(|e| PaymentFailure::from_api(&e)),
        }
    }
}

impl Setup {
    /// The card this setup saved, or why it is not saved (yet), in the customer's words.
    pub fn saved_card(&self) -> std::result::Result<&str, String> {
        match self.status {
            SetupStatus::Succeeded => self
                .payment_method
                .as_deref()
                .ok_or_else(|| "Stripe named no card. Try again.".to_owned()),
            SetupStatus::RequiresAction => {
                Err("your bank's check wasn't completed. Try again to finish it.".to_owned())
            }
            SetupStatus::Processing | SetupStatus::RequiresConfirmation => {
                Err("Stripe is still checking it. Try again in a moment.".to_owned())
            }
            SetupStatus::RequiresPaymentMethod | SetupStatus::Canceled => {
                let reason = self
                    .last_error
                    .as_ref()
                    .map_or("it was not confirmed.", |e| e.message.as_str());
                Err(format!("{reason} Try again or use another card."))
            }
        }
    }
}

/// A saved card as the customer recognises it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavedCard {
    pub id: String,
    pub customer: Option<String>,
    /// `visa`, `mastercard`, …
    pub brand: String,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
}

impl SavedCard {
    fn from_stripe(method: PaymentMethod) -> Option<Self> {
        let card = method.card?;
        Some(SavedCard {
            id: method.id.as_str().to_owned(),
            customer: method.customer.map(|c| c.id().as_str().to_owned()),
            brand: card.brand,
            last4: card.last4,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
        })
    }
}

fn not_a_card(id: &str) -> PaymentsError {
    PaymentsError::Refused {
        code: None,
        decline_code: None,
        message: format!("payment method {id} is not a card"),
    }
}

impl Payments {
    /// Create the Stripe customer for one of our accounts; `idempotency_key` is derived from
    /// the account's id, so a retry finds the same customer.
    pub async fn create_customer(
        &self,
        idempotency_key: &str,
        email: &str,
        name: Option<&str>,
    ) -> Result<Customer> {
        let mut request = CreateCustomer::new().email(email);
        if let Some(name) = name {
            request = request.name(name);
        }
        let customer = self.send(&request, key(idempotency_key)?).await?;
        Ok(Customer {
            id: customer.id.as_str().to_owned(),
            email: customer.email,
        })
    }

    /// Delete `customer` with the cards saved on it (an erased person's): nothing can be
    /// charged to it again. A customer already deleted counts as done.
    pub async fn delete_customer(&self, customer: &str) -> Result<()> {
        match self
            .send(
                &DeleteCustomer::new(customer),
                key(&format!("delete-{customer}"))?,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(PaymentsError::Refused { code, .. })
                if code.as_deref() == Some("resource_missing") =>
            {
                Ok(())
            }
            Err(error) => Err(error),
        }
    }

    /// Start saving a card for `customer`'s later payments made without them present.
    pub async fn create_setup(&self, idempotency_key: &str, customer: &str) -> Result<Setup> {
        let request = CreateSetupIntent::new()
            .customer(customer)
            .usage(CreateSetupIntentUsage::OffSession);
        Ok(self.send(&request, key(idempotency_key)?).await?.into())
    }

    pub async fn retrieve_setup(&self, id: &str) -> Result<Setup> {
        Ok(self
            .send(&RetrieveSetupIntent::new(id), RequestStrategy::Once)
            .await?
            .into())
    }

    /// Confirm a setup from the server with a payment method (tests; the browser confirms with
    /// Stripe.js). A card the bank refuses comes back as [`PaymentsError::Refused`].
    pub async fn confirm_setup(&self, id: &str, payment_method: &str) -> Result<Setup> {
        let request = ConfirmSetupIntent::new(id).payment_method(payment_method);
        Ok(self
            .send(&request, key(&format!("confirm-{id}-{payment_method}"))?)
            .await?
            .into())
    }

    pub async fn saved_card(&self, id: &str) -> Result<SavedCard> {
        let method = self
            .send(&RetrievePaymentMethod::new(id), RequestStrategy::Once)
            .await?;
        SavedCard::from_stripe(method).ok_or_else(|| not_a_card(id))
    }

    /// The customer's saved cards, newest first.
    pub async fn saved_cards(&self, customer: &str) -> Result<Vec<SavedCard>> {
        let request = ListPaymentMethod::new()
            .customer(customer)
            .type_(ListPaymentMethodType::Card);
        let list = self.send(&request, RequestStrategy::Once).await?;
        Ok(list
            .data
            .into_iter()
            .filter_map(SavedCard::from_stripe)
            .collect())
    }

    /// Forget a saved card: it can't be charged again.
    pub async fn remove_card(&self, id: &str) -> Result<()> {
        self.send(&DetachPaymentMethod::new(id), key(&format!("detach-{id}"))?)
            .await?;
        Ok(())
    }

    /// Charge a saved card without the customer present (a renewal). The intent is created and
    /// confirmed in one call under `new.idempotency_key`; a decline, or a bank that wants the
    /// customer to authenticate (`authentication_required`), comes back as
    /// [`PaymentsError::Refused`] with Stripe's codes.
    pub async fn charge_saved_card(
        &self,
        new: &NewIntent<'_>,
        payment_method: &str,
    ) -> Result<Intent> {
        let Some(customer) = new.customer else {
            return Err(PaymentsError::Config(
                "a saved card is charged for its customer".to_owned(),
            ));
        };
        let request: CreatePaymentIntent = self
            .intent_request(new)?
            .customer(customer)
            .payment_method(payment_method)
            .off_session(CreatePaymentIntentOffSession::Bool(true))
            .confirm(true);
        Ok(self.send(&request, key(new.idempotency_key)?).await?.into())
    }
}
