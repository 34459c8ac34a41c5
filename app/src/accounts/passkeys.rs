//! Passkeys (WebAuthn through webauthn-rs): added on the security page, then a second factor
//! after a password (as an authenticator app's code is), a sign-in on their own after the email
//! address, and the confirmation a sensitive action asks for.
//!
//! Each ceremony has two halves: the server's options (a challenge, the credentials allowed),
//! which the browser hands to `navigator.credentials`, and the browser's answer, checked
//! against the ceremony's state kept in the session in between (never trusted from the
//! browser). The passkey's user verification (a fingerprint or the device's PIN) makes a
//! passkey sign-in two factors by itself.

use super::authz::Principal;
use super::model::{PASSKEY_NAME_MAX_CHARS, PasskeyInfo};
use super::repo::{self, NewPasskey, StoredPasskey};
use super::second_factor::SECOND_STEP_TTL;
use super::service::{enter, start_login};
use super::session::{AuthSession, Ceremony, PasskeyCeremony, RequestMeta};
use super::totp;
use crate::audit::{self, Action, Entry};
use crate::error::{AppError, ServiceError};
use crate::ids::UserId;
use crate::ratelimit::{self, SECOND_FACTOR_FAILURES_PER_ACCOUNT as FAILURES};
use crate::state::{AppConfig, AppState};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential, Url, Webauthn, WebauthnBuilder,
};

type Result<T> = std::result::Result<T, ServiceError>;

/// How long the browser may take between the options and its answer.
const CEREMONY_TTL: chrono::Duration = chrono::Duration::minutes(5);

const DID_NOT_WORK: &str = "That passkey didn't work. Try again, or use a code from your \
                            authenticator app or a recovery code.";
const NOT_REGISTERED: &str = "This device has no passkey for that account. Sign in with your \
                              password, then add a passkey on your account's security page.";

/// Where passkeys belong: the site's host from its public address. A browser refuses an IP
/// address as a passkey's site, so a loopback address (local development, the tests) is
/// `localhost` instead; there, any port is accepted.
struct Site {
    rp_id: String,
    origin: Url,
    loopback: bool,
}

impl Site {
    fn of(config: &AppConfig) -> Result<Site> {
        let failed = |what: &str| {
            ServiceError::Internal(
                "passkeys",
                format!("the public address does not make a passkey site: {what}").into(),
            )
        };
        let mut origin = Url::parse(&config.public_url).map_err(|_| failed("not a URL"))?;
        let loopback = origin
            .host_str()
            .map(|host| host.trim_start_matches('[').trim_end_matches(']'))
            .and_then(|host| host.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback());
        if loopback {
            origin
                .set_host(Some("localhost"))
                .map_err(|_| failed("no host"))?;
        }
        let rp_id = origin
            .host_str()
            .ok_or_else(|| failed("no host"))?
            .to_owned();
        Ok(Site {
            rp_id,
            origin,
            loopback,
        })
    }

    fn relying_party(&self) -> Result<Webauthn> {
        WebauthnBuilder::new(&self.rp_id, &self.origin)
            .and_then(|builder| {
                builder
                    .rp_name("Olivine")
                    .allow_any_port(self.loopback)
                    .build()
            })
            .map_err(webauthn_failed)
    }
}

fn relying_party(config: &AppConfig) -> Result<Webauthn> {
    Site::of(config)?.relying_party()
}

fn webauthn_failed(error: impl std::fmt::Display) -> ServiceError {
    ServiceError::Internal("passkeys", error.to_string().into())
}

fn json_failed(error: serde_json::Error) -> ServiceError {
    ServiceError::Internal("passkey JSON", Box::new(error))
}

/// An answer from the browser that is not a passkey's at all.
fn unreadable() -> ServiceError {
    AppError::invalid("Your browser's answer could not be read. Please try again.")
        .with_status()
        .into()
}

/// The ceremony started in this session for `purpose`, taken (each answers once).
async fn take_ceremony(session: &AuthSession, purpose: Ceremony) -> Result<PasskeyCeremony> {
    session
        .take_passkey_ceremony()
        .await?
        .filter(|c| c.purpose == purpose && chrono::Utc::now() - c.started_at < CEREMONY_TTL)
        .ok_or_else(|| {
            AppError::invalid("That took too long. Please try again.")
                .with_status()
                .into()
        })
}

async fn begin_ceremony(
    session: &AuthSession,
    purpose: Ceremony,
    user: Option<UserId>,
    state: &impl serde::Serialize,
) -> Result<()> {
    let ceremony = PasskeyCeremony {
        purpose,
        user,
        state: serde_json::to_value(state).map_err(json_failed)?,
        started_at: chrono::Utc::now(),
    };
    session.set_passkey_ceremony(&ceremony).await?;
    Ok(())
}

fn credential_of(stored: &StoredPasskey) -> Result<Passkey> {
    serde_json::from_value(stored.passkey.clone()).map_err(json_failed)
}

/// The options for a new passkey of the signed-in person (their others left out, so one
/// device is not registered twice).
pub async fn registration_options(
    state: &AppState,
    session: &AuthSession,
    principal: &Principal,
) -> Result<String> {
    let user = principal.viewer.user_id;
    let mut conn = state.db.acquire().await?;
    let known = repo::stored_passkeys(&mut conn, user).await?;
    drop(conn);
    let exclude = known
        .iter()
        .map(|p| credential_of(p).map(|key| key.cred_id().clone()))
        .collect::<Result<Vec<_>>>()?;
    let viewer = &principal.viewer;
    let (options, registration) = relying_party(&state.config)?
        .start_passkey_registration(user.0, &viewer.email, &viewer.display_name, Some(exclude))
        .map_err(webauthn_failed)?;
    begin_ceremony(session, Ceremony::Register, Some(user), &registration).await?;
    serde_json::to_string(&options).map_err(json_failed)
}

/// Keep the passkey the browser made. The first second factor a person has comes with ten
/// recovery codes (returned, shown once); this device counts as having given it.
pub async fn add(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    principal: &Principal,
    name: &str,
    answer: &str,
) -> Result<Option<Vec<String>>> {
    let user = principal.viewer.user_id;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > PASSKEY_NAME_MAX_CHARS {
        return Err(AppError::invalid(format!(
            "Give the passkey a name of 1 to {PASSKEY_NAME_MAX_CHARS} characters, such as “Laptop”."
        ))
        .with_status()
        .into());
    }
    let ceremony = take_ceremony(session, Ceremony::Register).await?;
    if ceremony.user != Some(user) {
        return Err(AppError::Forbidden.with_status().into());
    }
    let registration: PasskeyRegistration =
        serde_json::from_value(ceremony.state).map_err(json_failed)?;
    let answer: RegisterPublicKeyCredential =
        serde_json::from_str(answer).map_err(|_| unreadable())?;
    let passkey = relying_party(&state.config)?
        .finish_passkey_registration(&answer, &registration)
        .map_err(|error| {
            tracing::info!(%error, "a new passkey was refused");
            ServiceError::from(
                AppError::invalid("Your device's passkey could not be checked. Please try again.")
                    .with_status(),
            )
        })?;
    let mut tx = state.db.begin().await?;
    let first_factor = !repo::has_second_factor(&mut tx, user).await?;
    let added = repo::insert_passkey(
        &mut tx,
        NewPasskey {
            user,
            credential_id: passkey.cred_id(),
            name,
            passkey: serde_json::to_value(&passkey).map_err(json_failed)?,
        },
    )
    .await?;
    if !added {
        return Err(AppError::invalid("This passkey is registered already.")
            .with_status()
            .into());
    }
    let codes = if first_factor {
        let codes = totp::new_recovery_codes();
        let hashes: Vec<Vec<u8>> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
        repo::replace_recovery_codes(&mut tx, user, &hashes).await?;
        Some(codes)
    } else {
        None
    };
    repo::mark_second_factor(&mut tx, principal.login_id).await?;
    let entry = Entry::new(Some(user), Action::PasskeyAdded)
        .ip(meta.ip)
        .detail(serde_json::json!({ "name": name }));
    audit::record(&mut tx, entry).await?;
    tx.commit().await?;
    Ok(codes)
}

/// Remove one of the person's passkeys. An admin keeps at least one second factor.
pub async fn remove(
    state: &AppState,
    meta: &RequestMeta,
    principal: &Principal,
    passkey: crate::ids::PasskeyId,
) -> Result<()> {
    let user = principal.viewer.user_id;
    let mut tx = state.db.begin().await?;
    if !repo::remove_passkey(&mut tx, user, passkey).await? {
        return Err(AppError::NotFound.with_status().into());
    }
    if principal.viewer.is_admin() && !repo::has_second_factor(&mut tx, user).await? {
        return Err(AppError::invalid(
            "This is your last way to give a second factor, and the back office needs one: \
             add another passkey or an authenticator app first.",
        )
        .into());
    }
    audit::record(
        &mut tx,
        Entry::new(Some(user), Action::PasskeyRemoved).ip(meta.ip),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list(state: &AppState, user: UserId) -> Result<Vec<PasskeyInfo>> {
    let mut conn = state.db.acquire().await?;
    Ok(repo::passkeys_of(&mut conn, user).await?)
}

/// The options asking `user`'s passkeys to sign `purpose`'s challenge.
async fn authentication_options(
    state: &AppState,
    session: &AuthSession,
    purpose: Ceremony,
    user: UserId,
) -> Result<Option<String>> {
    let mut conn = state.db.acquire().await?;
    let known = repo::stored_passkeys(&mut conn, user).await?;
    drop(conn);
    if known.is_empty() {
        return Ok(None);
    }
    let keys = known
        .iter()
        .map(credential_of)
        .collect::<Result<Vec<_>>>()?;
    let (options, authentication) = relying_party(&state.config)?
        .start_passkey_authentication(&keys)
        .map_err(webauthn_failed)?;
    begin_ceremony(session, purpose, Some(user), &authentication).await?;
    Ok(Some(serde_json::to_string(&options).map_err(json_failed)?))
}

/// Options for signing in with a passkey after the email address. An address without a
/// passkey (or without an account) gets options of the same shape for a credential no device
/// holds, the same each time, so the answer tells nobody which addresses have accounts.
pub async fn sign_in_options(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    email: &str,
) -> Result<String> {
    let email = email.trim();
    if !email.contains('@') {
        return Err(AppError::field("email", "Enter your email address first.")
            .with_status()
            .into());
    }
    let mut conn = state.db.acquire().await?;
    ratelimit::hit(&mut conn, ratelimit::SIGNIN_PER_IP, &meta.ip_key()).await?;
    let credentials = repo::credentials_by_email(&mut conn, &state.vault, email).await?;
    drop(conn);
    if let Some(credentials) = credentials.filter(|c| c.verified) {
        let options =
            authentication_options(state, session, Ceremony::SignIn, credentials.user_id).await?;
        if let Some(options) = options {
            return Ok(options);
        }
    }
    let site = Site::of(&state.config)?;
    begin_ceremony(session, Ceremony::SignIn, None, &()).await?;
    let decoy = Sha256::new()
        .chain_update(state.vault.master_id().as_bytes())
        .chain_update(b"\0passkey-decoy\0")
        .chain_update(email.to_lowercase().as_bytes())
        .finalize();
    let challenge: [u8; 32] = rand::random();
    let options = serde_json::json!({
        "publicKey": {
            "challenge": URL_SAFE_NO_PAD.encode(challenge),
            "timeout": 300_000,
            "rpId": site.rp_id,
            "allowCredentials": [{ "type": "public-key", "id": URL_SAFE_NO_PAD.encode(&decoy[..16]) }],
            "userVerification": "required",
        }
    });
    Ok(options.to_string())
}

/// Options for the second step of a sign-in waiting in this session.
pub async fn second_step_options(state: &AppState, session: &AuthSession) -> Result<String> {
    let pending = session
        .pending_second_step()
        .await?
        .ok_or_else(|| AppError::invalid("This sign-in has timed out. Please sign in again."))?;
    authentication_options(state, session, Ceremony::SecondStep, pending.user)
        .await?
        .ok_or_else(|| AppError::invalid("You have no passkey: enter a code instead.").into())
}

/// Options for confirming a sensitive action with a passkey.
pub async fn confirm_options(
    state: &AppState,
    session: &AuthSession,
    principal: &Principal,
) -> Result<String> {
    authentication_options(state, session, Ceremony::Confirm, principal.viewer.user_id)
        .await?
        .ok_or_else(|| AppError::invalid("You have no passkey: enter a code instead.").into())
}

/// Check the browser's answer to the ceremony this session started and do what it was for.
pub async fn finish(
    state: &AppState,
    session: &AuthSession,
    meta: &RequestMeta,
    principal: Option<&Principal>,
    purpose: Ceremony,
    answer: &str,
) -> Result<()> {
    let ceremony = take_ceremony(session, purpose).await?;
    let Some(user) = ceremony.user else {
        return Err(AppError::invalid(NOT_REGISTERED).with_status().into());
    };
    let mut conn = state.db.acquire().await?;
    let subject = user.0.to_string();
    ratelimit::peek(&mut conn, FAILURES, &subject).await?;
    let authentication: PasskeyAuthentication =
        serde_json::from_value(ceremony.state).map_err(json_failed)?;
    let answer: PublicKeyCredential = serde_json::from_str(answer).map_err(|_| unreadable())?;
    let checked =
        relying_party(&state.config)?.finish_passkey_authentication(&answer, &authentication);
    let result = match checked {
        Ok(result) => result,
        Err(error) => {
            tracing::info!(%error, "a passkey was refused");
            ratelimit::record(&mut conn, FAILURES, &subject).await?;
            audit::record(
                &mut conn,
                Entry::new(Some(user), Action::PasskeyFailed).ip(meta.ip),
            )
            .await?;
            return Err(AppError::invalid(DID_NOT_WORK).with_status().into());
        }
    };
    // The key that signed, with its counter brought up to date.
    let mut used = None;
    for stored in repo::stored_passkeys(&mut conn, user).await? {
        let mut key = credential_of(&stored)?;
        if key.cred_id() == result.cred_id() {
            let changed = key.update_credential(&result) == Some(true);
            let saved = changed
                .then(|| serde_json::to_value(&key).map_err(json_failed))
                .transpose()?;
            used = Some((stored.id, saved));
        }
    }
    let Some((used, saved)) = used else {
        return Err(AppError::invalid(DID_NOT_WORK).with_status().into());
    };
    ratelimit::clear(&mut conn, FAILURES, &subject).await?;
    drop(conn);
    let mut tx = state.db.begin().await?;
    repo::passkey_used(&mut tx, used, saved).await?;
    match purpose {
        Ceremony::SignIn | Ceremony::SecondStep => {
            let method = match purpose {
                Ceremony::SecondStep => session
                    .take_pending_second_step()
                    .await?
                    .filter(|p| {
                        p.user == user && chrono::Utc::now() - p.started_at < SECOND_STEP_TTL
                    })
                    .map(|p| p.method)
                    .ok_or_else(|| {
                        AppError::invalid("This sign-in has timed out. Please sign in again.")
                    })?,
                Ceremony::SignIn | Ceremony::Register | Ceremony::Confirm => "passkey".to_owned(),
            };
            let login = start_login(&mut tx, state, meta, user, &method, true).await?;
            tx.commit().await?;
            enter(state, session, login, user).await?;
            return Ok(());
        }
        Ceremony::Confirm => {
            let principal = principal
                .filter(|p| p.viewer.user_id == user)
                .ok_or_else(|| AppError::Forbidden.with_status())?;
            repo::mark_second_factor(&mut tx, principal.login_id).await?;
            let entry = Entry::new(Some(user), Action::SecondFactorConfirmed)
                .ip(meta.ip)
                .detail(serde_json::json!({ "with": "passkey" }));
            audit::record(&mut tx, entry).await?;
        }
        Ceremony::Register => return Err(AppError::Forbidden.with_status().into()),
    }
    tx.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loopback_address_makes_localhost_the_site_and_a_name_stays_itself() {
        let local = Site::of(&AppConfig::local("http://127.0.0.1:3000".to_owned())).expect("site");
        assert_eq!(local.rp_id, "localhost");
        assert_eq!(local.origin.as_str(), "http://localhost:3000/");
        assert!(local.loopback);
        assert!(local.relying_party().is_ok());

        let public =
            Site::of(&AppConfig::local("https://shop.example.com".to_owned())).expect("site");
        assert_eq!(public.rp_id, "shop.example.com");
        assert!(!public.loopback);
        assert!(public.relying_party().is_ok());

        assert!(Site::of(&AppConfig::local("not a url".to_owned())).is_err());
    }
}
