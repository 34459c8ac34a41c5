//! The account emails, as plain text. One function per message, so wording lives in one place.

use crate::notifications::email::Email;

fn email(to: &str, subject: &str, body: String) -> Email {
    Email {
        to: to.to_owned(),
        subject: subject.to_owned(),
        body_text: format!("{body}\n\n— Olivine\n"),
        unsubscribe_url: None,
    }
}

pub fn verify_address(to: &str, name: &str, link: &str) -> Email {
    email(
        to,
        "Confirm your email address",
        format!(
            "Hello {name},\n\nConfirm your address to finish creating your Olivine account:\n\n{link}\n\n\
             The link works once, for 24 hours. If you didn't sign up, ignore this email."
        ),
    )
}

pub fn already_registered(to: &str, name: &str, signin: &str, reset: &str) -> Email {
    email(
        to,
        "You already have an Olivine account",
        format!(
            "Hello {name},\n\nSomeone (hopefully you) tried to create an account with this address, \
             but it already has one.\n\nSign in: {signin}\nForgot your password? {reset}\n\n\
             If this wasn't you, nothing has changed and you can ignore this email."
        ),
    )
}

pub fn reset_password(to: &str, name: &str, link: &str, minutes: u64) -> Email {
    email(
        to,
        "Reset your Olivine password",
        format!(
            "Hello {name},\n\nChoose a new password here:\n\n{link}\n\n\
             The link works once, for {minutes} minutes. If you didn't ask, ignore this email: \
             your password stays as it is."
        ),
    )
}

pub fn sign_in_link(to: &str, name: &str, link: &str, minutes: u64) -> Email {
    email(
        to,
        "Your one-time Olivine sign-in link",
        format!(
            "Hello {name},\n\nSomeone tried many wrong passwords for your account, so from a new \
             device it now opens only with a link like this one. To sign in:\n\n{link}\n\n\
             The link works once, for {minutes} minutes. If you didn't ask for it, ignore this \
             email: nobody got in, and you may want to choose a new password."
        ),
    )
}

pub fn password_changed(to: &str, name: &str, reset: &str) -> Email {
    email(
        to,
        "Your Olivine password was changed",
        format!(
            "Hello {name},\n\nYour password was just changed and your other devices were signed out.\n\n\
             If this wasn't you, reset your password now: {reset}"
        ),
    )
}

pub fn invitation(to: &str, inviter: &str, organisation: &str, link: &str, days: u64) -> Email {
    email(
        to,
        &format!("{inviter} invited you to {organisation} on Olivine"),
        format!(
            "Hello,\n\n{inviter} invited you to hire through Olivine as a manager of {organisation}.\n\n\
             Accept the invitation: {link}\n\n\
             Sign in (or create an account) with this email address. The link works for {days} days."
        ),
    )
}
