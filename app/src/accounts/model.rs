//! Account types the browser and the server share, and the rules a form can check before it
//! posts (the server checks them again).

use crate::ids::{InvitationId, LoginId, OrganisationId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pg_enum!(
    /// Roles held on top of "shopper", which every account is.
    Role as "user_role" {
    Freelancer = "freelancer": "Freelancer",
    AdminCatalog = "admin_catalog": "Admin · catalog",
    AdminSupport = "admin_support": "Admin · support",
    AdminFinance = "admin_finance": "Admin · finance",
});

impl Role {
    pub fn is_admin(self) -> bool {
        match self {
            Role::Freelancer => false,
            Role::AdminCatalog | Role::AdminSupport | Role::AdminFinance => true,
        }
    }
}

pg_enum!(OrgRole as "org_role" {
    Owner = "owner": "Owner",
    Manager = "manager": "Manager",
});

/// A hiring manager's place in one client organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub organisation_id: OrganisationId,
    pub slug: String,
    pub name: String,
    pub role: OrgRole,
}

/// The signed-in person, as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub memberships: Vec<Membership>,
}

impl Viewer {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r.is_admin())
    }

    pub fn membership(&self, slug: &str) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.slug == slug)
    }
}

pub const PASSWORD_MIN_CHARS: usize = 12;
pub const PASSWORD_MAX_CHARS: usize = 128;

/// ASVS 2.1: at least 12 characters, at most 128, any characters, no composition rules.
pub fn check_password(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(format!(
            "Use at least {PASSWORD_MIN_CHARS} characters — a short sentence works well."
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(format!("Use at most {PASSWORD_MAX_CHARS} characters."));
    }
    if password.trim().is_empty() {
        return Err("A password can't be only spaces.".to_owned());
    }
    Ok(())
}

/// An email address as typed, trimmed; a light shape check (the mailbox is the real test).
pub fn check_email(raw: &str) -> Result<String, String> {
    let email = raw.trim();
    let shaped = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
        })
        && !email.chars().any(char::is_whitespace);
    if shaped {
        Ok(email.to_owned())
    } else {
        Err("Enter an email address like name@example.com.".to_owned())
    }
}

pub fn check_display_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    match name.chars().count() {
        0 => Err("Tell us what to call you.".to_owned()),
        1..=80 => Ok(name.to_owned()),
        _ => Err("Keep it under 80 characters.".to_owned()),
    }
}

pub fn check_organisation_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    match name.chars().count() {
        0..=1 => Err("Enter the organisation's name.".to_owned()),
        2..=100 => Ok(name.to_owned()),
        _ => Err("Keep it under 100 characters.".to_owned()),
    }
}

/// A URL slug from a name: lowercase ASCII letters and digits joined by single hyphens.
pub fn slugify(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars()
        .take(64)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

/// Where to go after signing in: only paths on this site, never another origin.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if is_same_site_path(path) => path.to_owned(),
        _ => "/account".to_owned(),
    }
}

/// A path a browser resolves on this site, as written and once percent-decoded: it starts with
/// one `/`, and holds no control character (browsers drop tabs and newlines, so `/\t/x` is
/// `//x`) and no backslash (read as `/`).
pub fn is_same_site_path(path: &str) -> bool {
    let plain = |p: &str| {
        p.starts_with('/')
            && !p[1..].starts_with('/')
            && !p.chars().any(|c| c.is_control() || c == '\\')
    };
    path.len() <= 2048 && plain(path) && plain(&crate::ui::percent_decode(path))
}

/// A configured OpenID Connect provider, as the sign-in page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkedLogin {
    pub provider: String,
    pub provider_name: String,
    pub email: Option<String>,
    pub linked_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActiveSession {
    pub login_id: LoginId,
    pub method: String,
    pub user_agent: String,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub current: bool,
}

/// Everything the account page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub viewer: Viewer,
    pub has_password: bool,
    pub linked: Vec<LinkedLogin>,
    pub providers: Vec<ProviderInfo>,
    pub sessions: Vec<ActiveSession>,
}

/// A person's two-step sign-in, as their security page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoStepStatus {
    /// When the authenticator app was confirmed; `None` without one.
    pub on_since: Option<DateTime<Utc>>,
    /// The person's passkeys, oldest first; any one of them is a second factor too.
    pub passkeys: Vec<PasskeyInfo>,
    pub recovery_codes_left: i64,
    /// Admins cannot turn it off: the back office needs it.
    pub required: bool,
}

impl TwoStepStatus {
    /// Whether signing in takes a second step: an authenticator app or a passkey.
    pub fn is_on(&self) -> bool {
        self.on_since.is_some() || !self.passkeys.is_empty()
    }
}

/// One of a person's passkeys, as their security page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeyInfo {
    pub id: crate::ids::PasskeyId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Longest name a person may give a passkey.
pub const PASSKEY_NAME_MAX_CHARS: usize = 60;

/// A new authenticator secret, for the person to add to their app.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSetup {
    /// Base32, for typing in when the QR code cannot be scanned.
    pub secret: String,
    /// The `otpauth://` address as a QR code, in SVG made by the server.
    pub qr_svg: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberRow {
    pub user_id: UserId,
    pub display_name: String,
    pub email: String,
    pub role: OrgRole,
    pub joined_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationRow {
    pub invitation_id: InvitationId,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// The organisation settings page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganisationSettings {
    pub organisation_id: OrganisationId,
    pub slug: String,
    pub name: String,
    pub my_role: OrgRole,
    pub me: UserId,
    pub members: Vec<MemberRow>,
    pub invitations: Vec<InvitationRow>,
}

/// What an invitation link shows before it is accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub organisation_name: String,
    pub email: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUserRow {
    pub user_id: UserId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub organisations: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminUsersPage {
    pub rows: Vec<AdminUserRow>,
    pub total: i64,
    pub page: u32,
    pub total_pages: u32,
    pub query: String,
}

/// The back office's front page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdminOverview {
    pub users: i64,
    pub organisations: i64,
    pub sign_ins_24h: i64,
    pub failed_sign_ins_24h: i64,
    pub can_manage_users: bool,
    pub can_manage_catalog: bool,
    /// Finance: disputes and money.
    pub can_manage_finance: bool,
}

pub const ADMIN_USERS_PER_PAGE: u32 = 25;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_need_length_not_composition() {
        assert!(check_password("short").is_err());
        assert!(check_password("correct horse battery staple").is_ok());
        assert!(check_password("aaaaaaaaaaaa").is_ok());
        assert!(check_password(&"x".repeat(129)).is_err());
        assert!(check_password(&" ".repeat(14)).is_err());
        // Characters, not bytes: twelve accented letters are enough.
        assert!(check_password("éééééééééééé").is_ok());
    }

    #[test]
    fn emails_are_trimmed_and_shape_checked() {
        assert_eq!(
            check_email("  Ann@Example.com ").as_deref(),
            Ok("Ann@Example.com")
        );
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "ann@example",
            "a b@example.com",
            "ann@.com",
        ] {
            assert!(check_email(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(slugify("Harbour Hotels & Co."), "harbour-hotels-co");
        assert_eq!(slugify("  --Ölive  Group-- "), "live-group");
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(safe_next(Some("/orders?page=2")), "/orders?page=2");
        assert_eq!(safe_next(Some("//evil.example")), "/account");
        assert_eq!(safe_next(Some("https://evil.example")), "/account");
        assert_eq!(safe_next(Some("/\\evil.example")), "/account");
        assert_eq!(safe_next(None), "/account");
        // Known bypasses: each reaches another host in some browser or decoder.
        for bypass in [
            "/%09/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/%0a/evil.example",
            "/\\evil.example",
            "/%5Cevil.example",
            "//evil.example",
            "/%2F%2Fevil.example",
            "/%2f/evil.example",
            "https:evil.example",
            "https://evil.example",
            "evil.example",
            "",
        ] {
            assert_eq!(safe_next(Some(bypass)), "/account", "{bypass:?}");
        }
        assert_eq!(
            safe_next(Some("/search?q=vitamin%20d")),
            "/search?q=vitamin%20d"
        );
        assert_eq!(safe_next(Some("/a/b%2Fc")), "/a/b%2Fc");
    }
}
