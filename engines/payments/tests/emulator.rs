//! The payments engine against the Stripe emulator: async-stripe parses every answer, so these
//! also prove the emulator speaks Stripe's shapes.

use payments::{IntentStatus, NewIntent, Payments, PaymentsConfig, PaymentsError};
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
}
