//! The payments engine against the Stripe emulator: async-stripe parses every answer, so these
//! also prove the emulator speaks Stripe's shapes.

use payments::{
    IntentStatus, NewIntent, NewTransfer, Payments, PaymentsConfig, PaymentsError, SetupStatus,
};
use stripe_emulator::{Emulator, EmulatorConfig};

async fn setup() -> (Emulator, Payments) {
    let config = EmulatorConfig::local(None);
    let emulator = stripe_emulator::start("127.0.0.1:0".parse().unwrap(), config.clone())
        .await
        .unwrap();
    let payments = Payments::new(PaymentsConfig {
        secret_key: config.secret_key,
        publishable_key: config.publishable_key,
        webhook_secret: config.webhook_secret,
        api_base: Some(emulator.base_url()),
        stripe_js: format!("{}v3/", emulator.base_url()),
    })
    .unwrap();
    (emulator, payments)
}

fn order(key: &str) -> NewIntent<'_> {
    NewIntent {
        idempotency_key: key,
        amount_minor: 2450,
        currency: "EUR",
        description: "Olivine order OL-1001",
        receipt_email: Some("ann@example.com"),
        metadata: &[("order_id", "0190-test")],
        manual_capture: false,
        customer: None,
        transfer_group: None,
    }
}

/// The last event the emulator recorded for `intent`, verified as our webhook endpoint would.
fn last_event(emulator: &Emulator, payments: &Payments, intent: &str) -> payments::WebhookEvent {
    let sent = emulator
        .events()
        .into_iter()
        .rev()
        .find(|e| e.payload.contains(intent))
        .unwrap();
    payments
        .verify_webhook(&sent.payload, &emulator.sign(&sent.payload))
        .unwrap()
}

#[tokio::test]
async fn an_idempotency_key_always_means_the_same_intent() {
    let (_emulator, payments) = setup().await;
    let first = payments.create_intent(&order("order-1")).await.unwrap();
    let again = payments.create_intent(&order("order-1")).await.unwrap();
    let other = payments.create_intent(&order("order-2")).await.unwrap();
    assert_eq!(first.id, again.id);
    assert_ne!(first.id, other.id);
    assert_eq!(first.status, IntentStatus::RequiresPaymentMethod);
    assert_eq!((first.amount, first.currency.as_str()), (2450, "EUR"));
    assert_eq!(
        first.metadata.get("order_id").map(String::as_str),
        Some("0190-test")
    );
    assert!(
        first
            .client_secret
            .unwrap()
            .starts_with(&format!("{}_secret_", first.id))
    );
}

#[tokio::test]
async fn test_cards_pay_decline_and_ask_for_authentication() {
    let (emulator, payments) = setup().await;

    let paid = payments.create_intent(&order("paid")).await.unwrap();
    let paid = payments
        .confirm_intent(&paid.id, "pm_card_visa")
        .await
        .unwrap();
    assert_eq!(
        (paid.status, paid.amount_received),
        (IntentStatus::Succeeded, 2450)
    );
    let event = last_event(&emulator, &payments, &paid.id);
    assert_eq!(event.kind, "payment_intent.succeeded");
    assert_eq!(event.intent.unwrap().status, IntentStatus::Succeeded);

    for (method, decline) in [
        ("pm_card_chargeDeclined", "generic_decline"),
        (
            "pm_card_chargeDeclinedInsufficientFunds",
            "insufficient_funds",
        ),
    ] {
        let intent = payments.create_intent(&order(method)).await.unwrap();
        let refused = payments
            .confirm_intent(&intent.id, method)
            .await
            .unwrap_err();
        let PaymentsError::Refused {
            code,
            decline_code,
            message,
        } = refused
        else {
            panic!("expected a refusal, got {refused:?}");
        };
        assert_eq!(code.as_deref(), Some("card_declined"));
        assert_eq!(decline_code.as_deref(), Some(decline));
        assert!(!message.is_empty());
        let after = payments.retrieve_intent(&intent.id).await.unwrap();
        assert_eq!(after.status, IntentStatus::RequiresPaymentMethod);
        assert_eq!(
            after.last_error.unwrap().decline_code.as_deref(),
            Some(decline)
        );
        assert_eq!(
            last_event(&emulator, &payments, &intent.id).kind,
            "payment_intent.payment_failed"
        );
    }

    let secure = payments.create_intent(&order("3ds")).await.unwrap();
    let waiting = payments
        .confirm_intent(&secure.id, "pm_card_authenticationRequired")
        .await
        .unwrap();
    assert_eq!(waiting.status, IntentStatus::RequiresAction);
    assert_eq!(
        last_event(&emulator, &payments, &secure.id).kind,
        "payment_intent.requires_action"
    );
    assert!(emulator.authenticate(&secure.id, true));
    let done = payments.retrieve_intent(&secure.id).await.unwrap();
    assert_eq!(done.status, IntentStatus::Succeeded);

    let failed = payments.create_intent(&order("3ds-fail")).await.unwrap();
    payments
        .confirm_intent(&failed.id, "pm_card_authenticationRequired")
        .await
        .unwrap();
    assert!(emulator.authenticate(&failed.id, false));
    let after = payments.retrieve_intent(&failed.id).await.unwrap();
    assert_eq!(after.status, IntentStatus::RequiresPaymentMethod);
    assert_eq!(
        after.last_error.unwrap().code.as_deref(),
        Some("payment_intent_authentication_failure")
    );
}

#[tokio::test]
async fn cancel_capture_and_refund_follow_stripes_rules() {
    let (_emulator, payments) = setup().await;

    let unpaid = payments.create_intent(&order("unpaid")).await.unwrap();
    let cancelled = payments.cancel_intent(&unpaid.id).await.unwrap();
    assert_eq!(cancelled.status, IntentStatus::Canceled);

    let paid = payments.create_intent(&order("to-refund")).await.unwrap();
    payments
        .confirm_intent(&paid.id, "pm_card_visa")
        .await
        .unwrap();
    let too_late = payments.cancel_intent(&paid.id).await.unwrap_err();
    assert!(
        matches!(too_late, PaymentsError::Refused { ref code, .. } if code.as_deref() == Some("payment_intent_unexpected_state")),
        "{too_late:?}"
    );

    let part = payments.refund(&paid.id, 1000, "refund-1").await.unwrap();
    assert_eq!((part.amount, part.status.as_str()), (1000, "succeeded"));
    let same = payments.refund(&paid.id, 1000, "refund-1").await.unwrap();
    assert_eq!(same.id, part.id, "a retried refund is the same refund");
    let too_much = payments
        .refund(&paid.id, 1451, "refund-2")
        .await
        .unwrap_err();
    assert!(matches!(too_much, PaymentsError::Refused { .. }));
    payments.refund(&paid.id, 1450, "refund-3").await.unwrap();

    let held = payments
        .create_intent(&NewIntent {
            manual_capture: true,
            customer: None,
            transfer_group: None,
            ..order("escrow")
        })
        .await
        .unwrap();
    let held = payments
        .confirm_intent(&held.id, "pm_card_visa")
        .await
        .unwrap();
    assert_eq!(held.status, IntentStatus::RequiresCapture);
    let captured = payments.capture_intent(&held.id, None).await.unwrap();
    assert_eq!(
        (captured.status, captured.amount_received),
        (IntentStatus::Succeeded, 2450)
    );
}

#[tokio::test]
async fn webhooks_must_carry_a_valid_signature() {
    let (emulator, payments) = setup().await;
    let intent = payments.create_intent(&order("signed")).await.unwrap();
    let sent = emulator.events().pop().unwrap();
    assert!(
        payments
            .verify_webhook(&sent.payload, &emulator.sign(&sent.payload))
            .is_ok()
    );
    let forged = sent.payload.replace(&intent.id, "pi_someone_else");
    assert!(matches!(
        payments.verify_webhook(&forged, &emulator.sign(&sent.payload)),
        Err(PaymentsError::BadSignature)
    ));
    assert!(matches!(
        payments.verify_webhook(&sent.payload, "t=1,v1=00"),
        Err(PaymentsError::BadSignature)
    ));
    // Signed by Stripe but not readable (an event shape this library does not know): genuine,
    // so not a bad signature, and it says which event it was.
    let drifted = r#"{"id":"evt_drift","object":"event","type":"payment_intent.succeeded","data":{"object":{"id":42}}}"#;
    match payments.verify_webhook(drifted, &emulator.sign(drifted)) {
        Err(PaymentsError::UnreadableEvent { id, kind }) => {
            assert_eq!(id.as_deref(), Some("evt_drift"));
            assert_eq!(kind.as_deref(), Some("payment_intent.succeeded"));
        }
        other => panic!("expected an unreadable event, got {other:?}"),
    }
    assert!(matches!(
        payments.verify_webhook(drifted, "t=1,v1=00"),
        Err(PaymentsError::BadSignature)
    ));
}

fn renewal<'a>(key: &'a str, customer: &'a str) -> NewIntent<'a> {
    NewIntent {
        description: "Olivine subscription renewal",
        customer: Some(customer),
        ..order(key)
    }
}

fn decline_code(error: PaymentsError) -> Option<String> {
    match error {
        PaymentsError::Refused { decline_code, .. } => decline_code,
        other @ (PaymentsError::Unavailable(_)
        | PaymentsError::Config(_)
        | PaymentsError::BadSignature
        | PaymentsError::UnreadableEvent { .. }) => panic!("expected a refusal, got {other:?}"),
    }
}

/// Save `card` (a test payment method) for `customer`, completing 3-D Secure if it asks.
async fn save_card(emulator: &Emulator, payments: &Payments, customer: &str, card: &str) -> String {
    let setup = payments
        .create_setup(&format!("setup-{customer}-{card}"), customer)
        .await
        .unwrap();
    assert_eq!(setup.status, SetupStatus::RequiresPaymentMethod);
    let mut setup = payments.confirm_setup(&setup.id, card).await.unwrap();
    if setup.status == SetupStatus::RequiresAction {
        assert!(emulator.authenticate(&setup.id, true));
        setup = payments.retrieve_setup(&setup.id).await.unwrap();
    }
    assert_eq!(setup.status, SetupStatus::Succeeded, "{card}");
    setup.payment_method.unwrap()
}

#[tokio::test]
async fn saved_cards_are_charged_without_the_customer_as_stripes_test_cards_say() {
    let (emulator, payments) = setup().await;
    let ann = payments
        .create_customer("customer-ann", "ann@example.com", Some("Ann"))
        .await
        .unwrap();
    let again = payments
        .create_customer("customer-ann", "ann@example.com", Some("Ann"))
        .await
        .unwrap();
    assert_eq!(ann.id, again.id, "one customer per idempotency key");

    // A plain card: saved, listed, charged.
    let visa = save_card(&emulator, &payments, &ann.id, "pm_card_visa").await;
    let cards = payments.saved_cards(&ann.id).await.unwrap();
    assert_eq!(cards.len(), 1);
    assert_eq!(
        (
            cards[0].brand.as_str(),
            cards[0].last4.as_str(),
            cards[0].customer.as_deref()
        ),
        ("visa", "4242", Some(ann.id.as_str()))
    );
    let paid = payments
        .charge_saved_card(&renewal("renewal-1", &ann.id), &visa)
        .await
        .unwrap();
    assert_eq!(
        (paid.status, paid.amount_received),
        (IntentStatus::Succeeded, 2450)
    );
    assert!(paid.charge.is_some());
    let event = last_event(&emulator, &payments, &paid.id);
    assert_eq!(event.kind, "payment_intent.succeeded");

    // Saved with 3-D Secure once, then charged quietly.
    let on_setup = save_card(
        &emulator,
        &payments,
        &ann.id,
        "pm_card_authenticationRequiredOnSetup",
    )
    .await;
    let paid = payments
        .charge_saved_card(&renewal("renewal-2", &ann.id), &on_setup)
        .await
        .unwrap();
    assert_eq!(paid.status, IntentStatus::Succeeded);

    // A bank that wants the customer every time: the renewal needs them back.
    let always = save_card(
        &emulator,
        &payments,
        &ann.id,
        "pm_card_authenticationRequired",
    )
    .await;
    let refused = payments
        .charge_saved_card(&renewal("renewal-3", &ann.id), &always)
        .await
        .unwrap_err();
    assert_eq!(
        decline_code(refused).as_deref(),
        Some("authentication_required")
    );

    // Saving works, charging doesn't.
    let fails = save_card(&emulator, &payments, &ann.id, "pm_card_chargeCustomerFail").await;
    let refused = payments
        .charge_saved_card(&renewal("renewal-4", &ann.id), &fails)
        .await
        .unwrap_err();
    assert_eq!(decline_code(refused).as_deref(), Some("generic_decline"));
    assert_eq!(payments.saved_cards(&ann.id).await.unwrap().len(), 4);

    // A declined card is never saved.
    let setup = payments
        .create_setup("setup-declined", &ann.id)
        .await
        .unwrap();
    let refused = payments
        .confirm_setup(&setup.id, "pm_card_chargeDeclined")
        .await
        .unwrap_err();
    assert_eq!(decline_code(refused).as_deref(), Some("generic_decline"));
    let setup = payments.retrieve_setup(&setup.id).await.unwrap();
    assert_eq!(setup.status, SetupStatus::RequiresPaymentMethod);
    assert!(setup.last_error.is_some());

    // Someone else's card, or a removed one, can't be charged for Ann.
    let bea = payments
        .create_customer("customer-bea", "bea@example.com", None)
        .await
        .unwrap();
    assert!(
        payments
            .charge_saved_card(&renewal("renewal-5", &bea.id), &visa)
            .await
            .is_err()
    );
    payments.remove_card(&visa).await.unwrap();
    assert!(
        payments
            .charge_saved_card(&renewal("renewal-6", &ann.id), &visa)
            .await
            .is_err()
    );
    let left: Vec<String> = payments
        .saved_cards(&ann.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert!(!left.contains(&visa) && left.len() == 3);
    assert_eq!(payments.saved_card(&visa).await.unwrap().customer, None);
}

#[tokio::test]
async fn connected_accounts_are_onboarded_then_paid_by_transfer_and_reversal() {
    let (emulator, payments) = setup().await;
    let account = payments
        .create_connected_account("freelancer-1", "sam@example.com", "NL")
        .await
        .unwrap();
    assert!(!account.can_receive && !account.details_submitted);
    assert!(!account.currently_due.is_empty());

    // Money in: one paid order of 24.50.
    let intent = payments.create_intent(&order("escrow-1")).await.unwrap();
    let paid = payments
        .confirm_intent(&intent.id, "pm_card_visa")
        .await
        .unwrap();
    let charge = paid.charge.unwrap();

    let transfer = |key: &'static str, amount: i64, source: Option<String>| {
        let payments = payments.clone();
        let destination = account.id.clone();
        async move {
            payments
                .transfer(&NewTransfer {
                    idempotency_key: key,
                    amount_minor: amount,
                    currency: "EUR",
                    destination: &destination,
                    transfer_group: Some("contract-1"),
                    source_charge: source.as_deref(),
                    metadata: &[("contract_id", "1")],
                })
                .await
        }
    };
    let refused = transfer("payout-0", 1000, None).await.unwrap_err();
    assert!(
        matches!(&refused, PaymentsError::Refused { code: Some(c), .. } if c == "insufficient_capabilities_for_transfer"),
        "{refused:?}"
    );

    // Onboarding: the one-time link shows the form, submitting it returns to the platform.
    let link = payments
        .onboarding_link(
            &account.id,
            "http://shop.test/refresh",
            "http://shop.test/done",
        )
        .await
        .unwrap();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = browser
        .get(&link)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Agree and submit") && page.contains("sam@example.com"));
    let submitted = browser.post(&link).send().await.unwrap();
    assert_eq!(submitted.headers()["location"], "http://shop.test/done");
    let reused = browser.get(&link).send().await.unwrap();
    assert_eq!(reused.headers()["location"], "http://shop.test/refresh");
    let account = payments.connected_account(&account.id).await.unwrap();
    assert!(account.can_receive && account.payouts_enabled && account.currently_due.is_empty());
    let update = last_event(&emulator, &payments, &account.id);
    assert_eq!(update.kind, "account.updated");
    assert_eq!(update.account.map(|a| a.can_receive), Some(true));

    // Transfers: never more than the platform holds, one per key.
    let first = transfer("payout-1", 2000, Some(charge.clone()))
        .await
        .unwrap();
    let again = transfer("payout-1", 2000, Some(charge.clone()))
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(first.destination.as_deref(), Some(account.id.as_str()));
    assert_eq!(first.transfer_group.as_deref(), Some("contract-1"));
    let refused = transfer("payout-2", 1000, Some(charge.clone()))
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, PaymentsError::Refused { code: Some(c), .. } if c == "balance_insufficient"),
        "{refused:?}"
    );
    assert!(transfer("payout-3", 1000, None).await.is_err(), "450 left");

    // Reversals give money back to the platform, never more than was sent.
    let reversal = payments
        .reverse_transfer(&first.id, Some(500), "reversal-1")
        .await
        .unwrap();
    assert_eq!(
        (reversal.amount, reversal.transfer.as_str()),
        (500, first.id.as_str())
    );
    assert!(
        payments
            .reverse_transfer(&first.id, Some(2000), "reversal-2")
            .await
            .is_err()
    );
    assert!(
        transfer("payout-4", 950, None).await.is_ok(),
        "450 + 500 available again"
    );
    let rest = payments
        .reverse_transfer(&first.id, None, "reversal-3")
        .await
        .unwrap();
    assert_eq!(rest.amount, 1500);
}
