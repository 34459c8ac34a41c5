//! Stripe Connect for the marketplace's payouts: a connected (Express) account per freelancer,
//! onboarded through Stripe's hosted form, and transfers of escrowed funds to it (reversed
//! when money has to come back).

use crate::{Payments, Result, key};
use stripe::RequestStrategy;
use stripe_connect::account::{
    CreateAccount, CreateAccountCapabilities, CreateAccountCapabilitiesTransfers,
    CreateAccountType, RetrieveAccount,
};
use stripe_connect::account_link::{CreateAccountLink, CreateAccountLinkType};
use stripe_connect::transfer::{CreateTransfer, RetrieveTransfer};
use stripe_connect::transfer_reversal::CreateIdTransferReversal;
use stripe_shared::{Account, AccountCapabilitiesStatus};

/// A connected account: where a freelancer's money goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectedAccount {
    pub id: String,
    pub email: Option<String>,
    /// The freelancer finished Stripe's onboarding form.
    pub details_submitted: bool,
    /// Transfers to it are allowed (its `transfers` capability is active).
    pub can_receive: bool,
    pub payouts_enabled: bool,
    /// What Stripe still needs from the freelancer.
    pub currently_due: Vec<String>,
}

impl From<Account> for ConnectedAccount {
    fn from(account: Account) -> Self {
        let can_receive = account
            .capabilities
            .as_ref()
            .and_then(|c| c.transfers.as_ref())
            == Some(&AccountCapabilitiesStatus::Active);
        ConnectedAccount {
            id: account.id.as_str().to_owned(),
            email: account.email,
            details_submitted: account.details_submitted.unwrap_or(false),
            can_receive,
            payouts_enabled: account.payouts_enabled.unwrap_or(false),
            currently_due: account
                .requirements
                .and_then(|r| r.currently_due)
                .unwrap_or_default(),
        }
    }
}

/// Money to move from the platform to a connected account.
#[derive(Clone, Debug)]
pub struct NewTransfer<'a> {
    /// Derived from our payout record: the same key always means the same transfer.
    pub idempotency_key: &'a str,
    pub amount_minor: i64,
    pub currency: &'a str,
    pub destination: &'a str,
    /// Ties the transfer to the payment it pays out (Stripe's `transfer_group`).
    pub transfer_group: Option<&'a str>,
    /// The charge (`ch_…`) the money came from: the transfer may then use that charge's funds
    /// before they reach the available balance.
    pub source_charge: Option<&'a str>,
    pub metadata: &'a [(&'a str, &'a str)],
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub id: String,
    pub amount: i64,
    pub amount_reversed: i64,
    /// Upper case ("EUR").
    pub currency: String,
    pub destination: Option<String>,
    pub transfer_group: Option<String>,
    pub metadata: std::collections::HashMap<String, String>,
    /// Unix seconds.
    pub created: i64,
}

impl From<stripe_shared::Transfer> for Transfer {
    fn from(transfer: stripe_shared::Transfer) -> Self {
        Transfer {
            id: transfer.id.as_str().to_owned(),
            amount: transfer.amount,
            amount_reversed: transfer.amount_reversed,
            currency: transfer.currency.to_string().to_ascii_uppercase(),
            destination: transfer.destination.map(|d| d.id().as_str().to_owned()),
            transfer_group: transfer.transfer_group,
            metadata: transfer.metadata,
            created: transfer.created,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reversal {
    pub id: String,
    pub amount: i64,
    pub transfer: String,
}

impl Payments {
    /// A connected Express account (country as ISO code, e.g. "NL") that asks for the
    /// `transfers` capability; `idempotency_key` comes from our freelancer's id.
    pub async fn create_connected_account(
        &self,
        idempotency_key: &str,
        email: &str,
        country: &str,
    ) -> Result<ConnectedAccount> {
        let mut capabilities = CreateAccountCapabilities::new();
        let mut transfers = CreateAccountCapabilitiesTransfers::new();
        transfers.requested = Some(true);
        capabilities.transfers = Some(transfers);
        let request = CreateAccount::new()
            .type_(CreateAccountType::Express)
            .country(country)
            .email(email)
            .capabilities(capabilities);
        Ok(self.send(&request, key(idempotency_key)?).await?.into())
    }

    pub async fn connected_account(&self, id: &str) -> Result<ConnectedAccount> {
        Ok(self
            .send(&RetrieveAccount::new(id), RequestStrategy::Once)
            .await?
            .into())
    }

    /// A one-time link to Stripe's onboarding form for `account`. Stripe sends the freelancer
    /// to `return_url` when they leave the form (finished or not: check the account), and to
    /// `refresh_url` when the link has expired or was used, to make a new one.
    pub async fn onboarding_link(
        &self,
        account: &str,
        refresh_url: &str,
        return_url: &str,
    ) -> Result<String> {
        let request = CreateAccountLink::new(account, CreateAccountLinkType::AccountOnboarding)
            .refresh_url(refresh_url)
            .return_url(return_url);
        Ok(self.send(&request, RequestStrategy::Once).await?.url)
    }

    /// Move money from the platform's balance to a connected account.
    pub async fn transfer(&self, new: &NewTransfer<'_>) -> Result<Transfer> {
        let currency = crate::currency(new.currency)?;
        let mut request = CreateTransfer::new(currency, new.destination)
            .amount(new.amount_minor)
            .metadata(crate::metadata(new.metadata));
        if let Some(group) = new.transfer_group {
            request = request.transfer_group(group);
        }
        if let Some(charge) = new.source_charge {
            request = request.source_transaction(charge);
        }
        Ok(self.send(&request, key(new.idempotency_key)?).await?.into())
    }

    /// A transfer as Stripe has it now (how much of it was reversed).
    pub async fn retrieve_transfer(&self, id: &str) -> Result<Transfer> {
        Ok(self
            .send(&RetrieveTransfer::new(id), RequestStrategy::Once)
            .await?
            .into())
    }

    /// Take back `amount_minor` of a transfer (all that is left when `None`);
    /// `idempotency_key` is our reversal record's id.
    pub async fn reverse_transfer(
        &self,
        transfer: &str,
        amount_minor: Option<i64>,
        idempotency_key: &str,
    ) -> Result<Reversal> {
        let mut request = CreateIdTransferReversal::new(transfer);
        if let Some(amount) = amount_minor {
            request = request.amount(amount);
        }
        let reversal = self.send(&request, key(idempotency_key)?).await?;
        Ok(Reversal {
            id: reversal.id.as_str().to_owned(),
            amount: reversal.amount,
            transfer: reversal.transfer.id().as_str().to_owned(),
        })
    }
}
