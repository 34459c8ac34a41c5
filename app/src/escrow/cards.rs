//! The card an organisation's Hire bookings are charged to. A manager saves it with Stripe's
//! form in the browser (a SetupIntent, with 3-D Secure when the bank asks), so bookings can be
//! funded later without anyone present. The organisation is one Stripe customer; a new card
//! replaces the old one, which is then removed from Stripe, and payments that waited for a
//! card are charged to it.

use super::model::{Billing, CardSetup, OrganisationCard};
use super::{repo, statement};
use crate::audit::{self, Action, Entry};
use crate::error::{AppError, ServiceError};
use crate::ids::{OrganisationId, UserId};
use crate::state::AppState;
use payments::PaymentsError;

/// Starts saving a card for `organisation`: the client secret the browser confirms with.
pub async fn start_card_setup(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
) -> Result<CardSetup, ServiceError> {
    let customer = customer_of(state, organisation, by).await?;
    let key = format!("organisation-card-{}", uuid::Uuid::new_v4());
    CardSetup::start(&state.payments, &key, &customer).await
}

/// The organisation's Stripe customer, created the first time a card is saved. No transaction
/// stays open across the call to Stripe; two managers starting at once may each create one,
/// and the first recorded is the organisation's.
async fn customer_of(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
) -> Result<String, ServiceError> {
    let mut conn = state.db.acquire().await?;
    if let Some(customer) = repo::card_customer(&mut conn, organisation).await? {
        return Ok(customer);
    }
    let (name, email) = repo::customer_details(&mut conn, &state.vault, organisation, by).await?;
    drop(conn);
    let created = state
        .payments
        .create_customer(
            &format!("organisation-{organisation}-customer-by-{by}"),
            &email,
            Some(&name),
        )
        .await?;
    let mut conn = state.db.acquire().await?;
    repo::open_card_account(&mut conn, organisation, &created.id).await?;
    Ok(repo::card_customer(&mut conn, organisation)
        .await?
        .unwrap_or(created.id))
}

/// Records the card the browser saved with `setup_id` as the organisation's, once Stripe says
/// it is saved; the previous card is removed from Stripe. Finishing the same setup again (a
/// reload of the page Stripe returned to) changes nothing.
pub async fn finish_card_setup(
    state: &AppState,
    organisation: OrganisationId,
    by: UserId,
    setup_id: &str,
) -> Result<OrganisationCard, ServiceError> {
    if !setup_id.starts_with("seti_") || setup_id.len() > 255 {
        return Err(AppError::NotFound.into());
    }
    let mut conn = state.db.acquire().await?;
    let customer = repo::card_customer(&mut conn, organisation)
        .await?
        .ok_or(AppError::NotFound)?;
    drop(conn);
    // A setup Stripe doesn't know is as unknown as another organisation's.
    let setup = match state.payments.retrieve_setup(setup_id).await {
        Err(PaymentsError::Refused { .. }) => return Err(AppError::NotFound.into()),
        other => other?,
    };
    // Another organisation's setup is none of this one's business.
    if setup.customer.as_deref() != Some(customer.as_str()) {
        return Err(AppError::NotFound.into());
    }
    let method = setup
        .saved_card()
        .map_err(|why| AppError::invalid(format!("The card wasn't saved: {why}")))?
        .to_owned();
    let card = state.payments.saved_card(&method).await?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let replaced = repo::save_card(&mut tx, organisation, &card, by, now).await?;
    if replaced.is_some() {
        // Payments that waited for a card are charged to this one.
        repo::retry_charges(&mut tx, organisation, None).await?;
        audit::record(
            &mut tx,
            Entry::new(Some(by), Action::OrganisationCardSaved)
                .subject(organisation.0)
                .detail(serde_json::json!({ "brand": card.brand, "last4": card.last4 })),
        )
        .await?;
    }
    // As stored (the database keeps microseconds), so this answer equals every later read.
    let saved = repo::saved_card(&mut tx, organisation)
        .await?
        .ok_or_else(|| ServiceError::Internal("saving a card", "the saved card vanished".into()))?;
    tx.commit().await?;
    if let Some(previous) = replaced.flatten() {
        // The new card is saved either way; an old one left on Stripe is never charged.
        if let Err(error) = state.payments.remove_card(&previous).await {
            tracing::warn!(organisation = %organisation, error = %error, "removing the replaced card");
        }
    }
    Ok(saved)
}

/// The organisation's billing page: its name, saved card, its latest charges for bookings,
/// and what each contract's money did.
pub async fn billing(
    state: &AppState,
    organisation: OrganisationId,
) -> Result<Billing, ServiceError> {
    let mut conn = state.db.acquire().await?;
    let (contracts, totals) = statement::contracts(&mut conn, &state.vault, organisation).await?;
    Ok(Billing {
        organisation: repo::organisation_name(&mut conn, organisation).await?,
        card: repo::saved_card(&mut conn, organisation).await?,
        charges: repo::billing_charges(&mut conn, &state.vault, organisation, 200).await?,
        totals,
        contracts,
    })
}
