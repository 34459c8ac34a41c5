//! Stripe's test cards: what each does when it pays, when it is saved for later, and when it is
//! charged later without the customer present.

use crate::Params;
use crate::intents::{Answer, card_refusal, refusal};
use axum::http::StatusCode;
use stripe_shared::ApiErrorsCode;

/// What a card does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Card {
    Succeeds,
    Declines,
    InsufficientFunds,
    /// 3-D Secure when paying or saving it; once saved, later payments go through
    /// (4000 0025 0000 3155).
    NeedsAuthentication,
    /// 3-D Secure every time, so a payment without the customer fails (4000 0027 6000 3184).
    AlwaysAuthenticates,
    /// Saving it works, every payment is declined (4000 0000 0000 0341).
    DeclinesAfterAttaching,
}

/// A card as a payment method: its behaviour and what Stripe shows of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CardDetails {
    pub card: Card,
    pub brand: &'static str,
    pub last4: String,
    pub exp_month: i64,
    pub exp_year: i64,
}

/// What happens when a payment is confirmed.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    Pay,
    Challenge,
    Decline {
        code: ApiErrorsCode,
        decline: &'static str,
        message: &'static str,
    },
}

/// Stripe's test payment methods and the card numbers behind them.
const TOKENS: &[(&str, &str)] = &[
    ("pm_card_visa", "4242424242424242"),
    ("pm_card_mastercard", "5555555555554444"),
    ("pm_card_chargeDeclined", "4000000000000002"),
    ("pm_card_visa_chargeDeclined", "4000000000000002"),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        "4000000000009995",
    ),
    (
        "pm_card_visa_chargeDeclinedInsufficientFunds",
        "4000000000009995",
    ),
    ("pm_card_authenticationRequiredOnSetup", "4000002500003155"),
    ("pm_card_threeDSecure2Required", "4000000000003220"),
    ("pm_card_authenticationRequired", "4000002760003184"),
    ("pm_card_chargeCustomerFail", "4000000000000341"),
];

/// A test token's card (`pm_card_visa` → 4242…), if it is one.
pub fn token(name: &str) -> Option<CardDetails> {
    let (_, number) = TOKENS.iter().find(|(token, _)| *token == name)?;
    Some(CardDetails::of_number(number, 12, 2034))
}

impl CardDetails {
    fn of_number(number: &str, exp_month: i64, exp_year: i64) -> Self {
        let card = match number {
            "4000000000000002" => Card::Declines,
            "4000000000009995" => Card::InsufficientFunds,
            "4000002500003155" | "4000000000003220" => Card::NeedsAuthentication,
            "4000002760003184" => Card::AlwaysAuthenticates,
            "4000000000000341" => Card::DeclinesAfterAttaching,
            // Every other valid number behaves like Stripe's 4242 4242 4242 4242.
            _ => Card::Succeeds,
        };
        let brand = match number.as_bytes().first() {
            Some(b'4') => "visa",
            Some(b'5' | b'2') => "mastercard",
            Some(b'3') => "amex",
            _ => "unknown",
        };
        CardDetails {
            card,
            brand,
            last4: number[number.len().saturating_sub(4)..].to_owned(),
            exp_month,
            exp_year,
        }
    }

    /// A card typed into the Stripe.js stand-in (`payment_method_data[card][…]`).
    pub fn typed_in(p: &Params) -> Result<CardDetails, Answer> {
        let number: String = p
            .get("payment_method_data[card][number]")
            .map(|n| n.chars().filter(char::is_ascii_digit).collect())
            .unwrap_or_default();
        if number.is_empty() {
            return Err(refusal(
                StatusCode::BAD_REQUEST,
                ApiErrorsCode::ParameterMissing,
                "You must provide a payment method to confirm this intent.".to_owned(),
            ));
        }
        if !luhn(&number) {
            return Err(card_refusal(
                ApiErrorsCode::IncorrectNumber,
                None,
                "Your card number is incorrect.",
            ));
        }
        let field = |name: &str, fallback: i64| {
            p.get(&format!("payment_method_data[card][{name}]"))
                .and_then(|v| v.parse().ok())
                .unwrap_or(fallback)
        };
        Ok(CardDetails::of_number(
            &number,
            field("exp_month", 12),
            field("exp_year", 2034),
        ))
    }

    /// Paying with this card: with the customer present (`off_session` false) or not; `saved`
    /// when it was set up for later payments (a completed SetupIntent).
    pub fn outcome(&self, off_session: bool, saved: bool) -> Outcome {
        let declined = Outcome::Decline {
            code: ApiErrorsCode::CardDeclined,
            decline: "generic_decline",
            message: "Your card was declined.",
        };
        let needs_customer = Outcome::Decline {
            code: ApiErrorsCode::AuthenticationRequired,
            decline: "authentication_required",
            message: "Your card was declined. This transaction requires authentication.",
        };
        match self.card {
            Card::Succeeds => Outcome::Pay,
            Card::Declines | Card::DeclinesAfterAttaching => declined,
            Card::InsufficientFunds => Outcome::Decline {
                code: ApiErrorsCode::CardDeclined,
                decline: "insufficient_funds",
                message: "Your card has insufficient funds.",
            },
            Card::NeedsAuthentication if saved => Outcome::Pay,
            Card::NeedsAuthentication | Card::AlwaysAuthenticates if off_session => needs_customer,
            Card::NeedsAuthentication | Card::AlwaysAuthenticates => Outcome::Challenge,
        }
    }

    /// Saving this card for later (confirming a SetupIntent).
    pub fn setup_outcome(&self) -> Outcome {
        match self.card {
            Card::Succeeds | Card::InsufficientFunds | Card::DeclinesAfterAttaching => Outcome::Pay,
            Card::NeedsAuthentication | Card::AlwaysAuthenticates => Outcome::Challenge,
            Card::Declines => Outcome::Decline {
                code: ApiErrorsCode::CardDeclined,
                decline: "generic_decline",
                message: "Your card was declined.",
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_cards_pass_the_luhn_check() {
        for (_, number) in TOKENS {
            assert!(luhn(number), "{number}");
        }
        assert!(!luhn("4242424242424241"));
        assert!(!luhn("42"));
    }

    #[test]
    fn cards_behave_as_stripe_documents() {
        let card = |t: &str| token(t).map(|d| d.card);
        assert_eq!(card("pm_card_visa"), Some(Card::Succeeds));
        assert_eq!(
            card("pm_card_chargeCustomerFail"),
            Some(Card::DeclinesAfterAttaching)
        );
        assert_eq!(card("pm_card_nope"), None);

        let on_setup = token("pm_card_authenticationRequiredOnSetup").expect("token");
        assert_eq!(on_setup.outcome(false, false), Outcome::Challenge);
        assert_eq!(on_setup.setup_outcome(), Outcome::Challenge);
        assert_eq!(on_setup.outcome(true, true), Outcome::Pay);

        let always = token("pm_card_authenticationRequired").expect("token");
        assert_eq!(always.outcome(false, true), Outcome::Challenge);
        assert!(matches!(
            always.outcome(true, true),
            Outcome::Decline {
                decline: "authentication_required",
                ..
            }
        ));

        let later = token("pm_card_chargeCustomerFail").expect("token");
        assert_eq!(later.setup_outcome(), Outcome::Pay);
        assert!(matches!(later.outcome(true, true), Outcome::Decline { .. }));
        assert_eq!(later.last4, "0341");
        assert_eq!(later.brand, "visa");
    }
}
