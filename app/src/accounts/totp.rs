//! Authenticator apps (TOTP, RFC 6238: HMAC-SHA1, six digits, 30-second steps), the QR code
//! that carries a new secret to a phone, and recovery codes.

use rand::Rng;
use std::fmt::Write;
use totp_rs::{Algorithm, Builder, Secret, Totp};

pub const STEP_SECS: u64 = 30;
/// A code of the step just before or after also counts: a phone's clock a little off, or a
/// code typed as it changed.
const SKEW: u16 = 1;
const ISSUER: &str = "Olivine";
pub const RECOVERY_CODES: usize = 10;
/// No 0/o, 1/l/i: a code copied from paper reads one way.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A new shared secret: 20 random bytes (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    let mut secret = vec![0u8; 20];
    rand::rng().fill(&mut secret[..]);
    secret
}

/// The secret as people type it into an app (base32, no padding).
pub fn base32(secret: &[u8]) -> String {
    Secret::from(secret.to_vec()).to_base32()
}

/// The secret from its base32 form, as an app reads it.
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    Secret::try_from_base32(text.trim().to_uppercase())
        .ok()
        .map(|s| s.as_bytes().to_vec())
}

fn totp(secret: &[u8]) -> Option<Totp> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(6)
        .with_skew(SKEW)
        .with_step_duration(STEP_SECS)
        .with_secret(secret.to_vec())
        .build()
        .ok()
}

/// The code of the step holding `unix_secs`.
pub fn code_at(secret: &[u8], unix_secs: u64) -> Option<String> {
    totp(secret).map(|t| t.generate(unix_secs).to_string())
}

/// The step a six-digit `code` was made for, if it is the code of the step holding
/// `unix_secs` or of one next to it.
pub fn matching_step(secret: &[u8], code: &str, unix_secs: u64) -> Option<i64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The crate compares in constant time and says which step matched; that a step is
    // accepted only once is ours to keep (`repo::accept_step`).
    totp(secret)?
        .check(code, unix_secs)
        .and_then(|step| i64::try_from(step).ok())
}

/// Whether `code` is shaped like an authenticator code (six digits, spaces allowed) rather
/// than a recovery code.
pub fn looks_like_app_code(code: &str) -> bool {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// An app code without the space people type in the middle ("123 456").
pub fn app_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The `otpauth://` address an app reads from the QR code.
pub fn otpauth_uri(secret: &[u8], account: &str) -> String {
    let label = crate::ui::urlencode(&format!("{ISSUER}:{account}"));
    format!(
        "otpauth://totp/{label}?secret={}&issuer={ISSUER}&algorithm=SHA1&digits=6&period={STEP_SECS}",
        base32(secret)
    )
}

/// `text` as a QR code in SVG, one path of dark modules on white with the standard quiet zone.
pub fn qr_svg(text: &str) -> Option<String> {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let border = 4;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                // Writing to a String cannot fail.
                let _ = write!(path, "M{},{}h1v1h-1z", x + border, y + border);
            }
        }
    }
    let side = qr.size() + 2 * border;
    Some(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="200" height="200" role="img" aria-label="QR code for your authenticator app" shape-rendering="crispEdges"><rect width="{side}" height="{side}" fill="#fff"/><path d="{path}" fill="#000"/></svg>"##
    ))
}

/// Ten new recovery codes, shown once ("abcd-efgh-jkmn", about 59 bits each).
pub fn new_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let chars: String = (0..12)
                .map(|_| RECOVERY_ALPHABET[rng.random_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect();
            format!("{}-{}-{}", &chars[0..4], &chars[4..8], &chars[8..12])
        })
        .collect()
}

/// The stored form of a recovery code: its SHA-256, after dropping case, spaces and dashes.
pub fn recovery_code_hash(code: &str) -> Vec<u8> {
    let plain: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    crate::tokens::digest(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test key and vectors, cut to six digits.
    const RFC_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_match_the_rfc_vectors() {
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(RFC_KEY, time).as_deref(), Some(code), "{time}");
        }
    }

    #[test]
    fn a_code_counts_for_its_step_and_the_ones_next_to_it() {
        let now = 1_700_000_000;
        let step = i64::try_from(now / STEP_SECS).expect("step");
        let code = code_at(RFC_KEY, now).expect("code");
        assert_eq!(matching_step(RFC_KEY, &code, now), Some(step));
        assert_eq!(matching_step(RFC_KEY, &code, now + STEP_SECS), Some(step));
        assert_eq!(matching_step(RFC_KEY, &code, now - STEP_SECS), Some(step));
        assert_eq!(matching_step(RFC_KEY, &code, now + 2 * STEP_SECS), None);
        assert_eq!(matching_step(RFC_KEY, "12345", now), None);
        assert_eq!(matching_step(RFC_KEY, "abcdef", now), None);
    }

    #[test]
    fn recovery_codes_are_distinct_and_forgive_case_and_dashes() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        assert!(codes[0].len() == 14 && codes[0].matches('-').count() == 2);
        assert!(!looks_like_app_code(&codes[0]));
        assert_eq!(
            recovery_code_hash(&codes[0]),
            recovery_code_hash(&codes[0].to_uppercase().replace('-', " "))
        );
        assert!(looks_like_app_code("123 456"));
        assert_eq!(app_code(" 123 456 "), "123456");
    }

    #[test]
    fn the_qr_code_and_uri_carry_the_secret() {
        let secret = new_secret();
        let uri = otpauth_uri(&secret, "ann@olivine.test");
        assert!(uri.starts_with("otpauth://totp/Olivine%3Aann%40olivine.test?secret="));
        assert!(uri.contains(&base32(&secret)));
        assert_eq!(from_base32(&base32(&secret)), Some(secret.clone()));
        let svg = qr_svg(&uri).expect("qr");
        assert!(svg.starts_with("<svg") && svg.contains("<path d=\"M"));
    }
}
