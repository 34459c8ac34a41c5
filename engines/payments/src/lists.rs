//! Reading back what Stripe holds, for reconciling it with the ledger: payment intents,
//! refunds and transfers made since a moment, page by page (a hundred per request, newest
//! first), and a refund by its id.

use crate::{Intent, Payments, Refund, Result, Transfer};
use stripe::{RequestStrategy, StripeRequest};
use stripe_connect::transfer::ListTransfer;
use stripe_core::payment_intent::ListPaymentIntent;
use stripe_core::refund::{ListRefund, RetrieveRefund};
use stripe_types::{List, RangeQueryTs};

/// Stripe's largest page.
const PAGE: i64 = 100;

impl Payments {
    /// Every payment intent made at or after `since` (Unix seconds).
    pub async fn intents_since(&self, since: i64) -> Result<Vec<Intent>> {
        self.every(
            |after| {
                let request = ListPaymentIntent::new()
                    .created(RangeQueryTs::gte(since))
                    .limit(PAGE);
                match after {
                    Some(id) => request.starting_after(id),
                    None => request,
                }
            },
            |intent| intent.id.as_str().to_owned(),
        )
        .await
        .map(|all| all.into_iter().map(Intent::from).collect())
    }

    /// Every refund made at or after `since` (Unix seconds).
    pub async fn refunds_since(&self, since: i64) -> Result<Vec<Refund>> {
        self.every(
            |after| {
                let request = ListRefund::new()
                    .created(RangeQueryTs::gte(since))
                    .limit(PAGE);
                match after {
                    Some(id) => request.starting_after(id),
                    None => request,
                }
            },
            |refund| refund.id.as_str().to_owned(),
        )
        .await
        .map(|all| all.into_iter().map(Refund::from).collect())
    }

    /// Every transfer made at or after `since` (Unix seconds).
    pub async fn transfers_since(&self, since: i64) -> Result<Vec<Transfer>> {
        self.every(
            |after| {
                let request = ListTransfer::new()
                    .created(RangeQueryTs::gte(since))
                    .limit(PAGE);
                match after {
                    Some(id) => request.starting_after(id),
                    None => request,
                }
            },
            |transfer| transfer.id.as_str().to_owned(),
        )
        .await
        .map(|all| all.into_iter().map(Transfer::from).collect())
    }

    /// A refund as Stripe has it now.
    pub async fn retrieve_refund(&self, id: &str) -> Result<Refund> {
        Ok(self
            .send(&RetrieveRefund::new(id), RequestStrategy::Once)
            .await?
            .into())
    }

    /// Every page of a list: `page` builds the request after the cursor (`None`: the first),
    /// `id` names an object for the next cursor.
    async fn every<R, T>(
        &self,
        page: impl Fn(Option<String>) -> R,
        id: impl Fn(&T) -> String,
    ) -> Result<Vec<T>>
    where
        R: StripeRequest<Output = List<T>>,
        List<T>: miniserde::Deserialize,
    {
        let mut all = Vec::new();
        let mut after = None;
        loop {
            let list = self.send(&page(after), RequestStrategy::Once).await?;
            after = list.data.last().map(&id);
            let more = list.has_more;
            all.extend(list.data);
            if !more || after.is_none() {
                return Ok(all);
            }
        }
    }
}
