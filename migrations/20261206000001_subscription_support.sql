-- Support's hand on subscriptions: a delivery tried again from the back office is an entry in
-- the subscription's history (and in the audit log).
ALTER TYPE subscription_event_kind ADD VALUE 'retry_ordered';

-- The back office lists subscriptions by status and next delivery.
CREATE INDEX subscriptions_by_status ON subscriptions (status, next_renewal_on);
