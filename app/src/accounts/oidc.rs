//! OpenID Connect sign-in against any configured provider: discovery, authorization code with
//! PKCE (the `oauth2` crate), and ID token validation (issuer, audience, expiry, nonce, and the
//! signature against the provider's JWKS).
//!
//! Discovery and keys are fetched on first use and cached; an unknown key id triggers one
//! refetch (key rotation) at most once a minute.

use super::model::ProviderInfo;
use crate::secret::Secret;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::RwLock;

/// One OpenID Connect provider: `OLIVINE_OIDC_<ID>_{ISSUER,CLIENT_ID,CLIENT_SECRET,NAME}`.
#[derive(Clone, Debug)]
pub struct OidcProviderConfig {
    pub id: String,
    pub name: String,
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Secret,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("no provider is configured as `{0}`")]
    UnknownProvider(String),
    #[error("discovery at {issuer} failed: {detail}")]
    Discovery { issuer: String, detail: String },
    #[error("the provider's configuration is unusable: {0}")]
    Config(String),
    #[error("the callback's state does not match this browser's sign-in")]
    StateMismatch,
    #[error("the provider refused the code exchange: {0}")]
    Exchange(String),
    #[error("the ID token is signed with a key the provider does not list")]
    UnknownKey,
    #[error("the ID token is invalid: {0}")]
    IdToken(String),
}

/// What a validated ID token tells us about the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
}

/// The values the callback must match, kept in the session meanwhile.
pub struct Started {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

#[derive(Debug, Deserialize)]
struct Discovery {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

struct Discovered {
    meta: Discovery,
    keys: RwLock<(JwkSet, Instant)>,
    fetched: Instant,
}

const DISCOVERY_TTL: Duration = Duration::from_secs(60 * 60);
const JWKS_MIN_REFRESH: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize, Serialize)]
struct IdTokenField {
    id_token: String,
}
impl ExtraTokenFields for IdTokenField {}

type OidcClient = Client<
    BasicErrorResponse,
    StandardTokenResponse<IdTokenField, BasicTokenType>,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    nonce: Option<String>,
    email: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    email_verified: bool,
    name: Option<String>,
}

/// Some providers send `"email_verified": "true"`.
fn lenient_bool<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum B {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<B>::deserialize(d)? {
        Some(B::Bool(b)) => b,
        Some(B::Text(t)) => t.eq_ignore_ascii_case("true"),
        None => false,
    })
}

pub struct Registry {
    providers: Vec<OidcProviderConfig>,
    discovered: RwLock<HashMap<String, Arc<Discovered>>>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("providers", &self.providers)
            .finish_non_exhaustive()
    }
}

impl Registry {
    pub fn new(providers: Vec<OidcProviderConfig>) -> Self {
        let http = reqwest::Client::builder()
            // The token endpoint must answer directly; following redirects invites SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap_or_default();
        Registry {
            providers,
            discovered: RwLock::new(HashMap::new()),
            http,
        }
    }

    pub fn providers(&self) -> Vec<ProviderInfo> {
        self.providers
            .iter()
            .map(|p| ProviderInfo {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect()
    }

    pub fn display_name(&self, id: &str) -> String {
        self.providers
            .iter()
            .find(|p| p.id == id)
            .map_or_else(|| id.to_owned(), |p| p.name.clone())
    }

    fn provider(&self, id: &str) -> Result<&OidcProviderConfig, OidcError> {
        self.providers
            .iter()
            .find(|p| p.id == id)
            .ok_or_else(|| OidcError::UnknownProvider(id.to_owned()))
    }

    async fn discover(&self, provider: &OidcProviderConfig) -> Result<Arc<Discovered>, OidcError> {
        if let Some(found) = self.discovered.read().await.get(&provider.id)
            && found.fetched.elapsed() < DISCOVERY_TTL
        {
            return Ok(found.clone());
        }
        let issuer = provider.issuer.trim_end_matches('/');
        let failed = |detail: String| OidcError::Discovery {
            issuer: issuer.to_owned(),
            detail,
        };
        let meta: Discovery = self
            .http
            .get(format!("{issuer}/.well-known/openid-configuration"))
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| failed(e.to_string()))?
            .json()
            .await
            .map_err(|e| failed(e.to_string()))?;
        // OpenID Connect Discovery §4.3: the document must name the issuer we asked.
        if meta.issuer.trim_end_matches('/') != issuer {
            return Err(failed(format!("it names issuer {}", meta.issuer)));
        }
        let keys = self.fetch_jwks(&meta.jwks_uri).await?;
        let discovered = Arc::new(Discovered {
            meta,
            keys: RwLock::new((keys, Instant::now())),
            fetched: Instant::now(),
        });
        self.discovered
            .write()
            .await
            .insert(provider.id.clone(), discovered.clone());
        Ok(discovered)
    }

    async fn fetch_jwks(&self, uri: &str) -> Result<JwkSet, OidcError> {
        self.http
            .get(uri)
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|e| OidcError::Config(format!("JWKS: {e}")))?
            .json()
            .await
            .map_err(|e| OidcError::Config(format!("JWKS: {e}")))
    }

    fn client(
        provider: &OidcProviderConfig,
        found: &Discovered,
        redirect: &str,
    ) -> Result<OidcClient, OidcError> {
        let bad = |e: oauth2::url::ParseError| OidcError::Config(e.to_string());
        Ok(Client::new(ClientId::new(provider.client_id.clone()))
            .set_client_secret(ClientSecret::new(
                provider.client_secret.expose().to_owned(),
            ))
            .set_auth_uri(AuthUrl::new(found.meta.authorization_endpoint.clone()).map_err(bad)?)
            .set_token_uri(TokenUrl::new(found.meta.token_endpoint.clone()).map_err(bad)?)
            .set_redirect_uri(RedirectUrl::new(redirect.to_owned()).map_err(bad)?))
    }

    /// The provider's authorization URL for a fresh sign-in, with state, nonce and PKCE.
    pub async fn start(&self, provider_id: &str, redirect: &str) -> Result<Started, OidcError> {
        let provider = self.provider(provider_id)?;
        let found = self.discover(provider).await?;
        let client = Self::client(provider, &found, redirect)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let state = crate::tokens::random_url_safe(32);
        let nonce = crate::tokens::random_url_safe(32);
        let state_for_url = state.clone();
        let (url, _) = client
            .authorize_url(move || CsrfToken::new(state_for_url))
            .add_scope(Scope::new("openid".into()))
            .add_scope(Scope::new("email".into()))
            .add_scope(Scope::new("profile".into()))
            .add_extra_param("nonce", nonce.clone())
            .set_pkce_challenge(challenge)
            .url();
        Ok(Started {
            url: url.to_string(),
            state,
            nonce,
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Exchange the callback's code and validate the ID token it brings.
    pub async fn finish(
        &self,
        provider_id: &str,
        redirect: &str,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let provider = self.provider(provider_id)?;
        let found = self.discover(provider).await?;
        let client = Self::client(provider, &found, redirect)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(crate::error::error_chain(&e)))?;
        let id_token = &response.extra_fields().id_token;
        self.validate(provider, &found, id_token, nonce).await
    }

    /// Validate with the cached keys; a token signed with a key we have not seen makes us
    /// refetch the provider's keys once (rotation), at most once a minute.
    async fn validate(
        &self,
        provider: &OidcProviderConfig,
        found: &Discovered,
        id_token: &str,
        nonce: &str,
    ) -> Result<Identity, OidcError> {
        let issuer = found.meta.issuer.as_str();
        let client_id = provider.client_id.as_str();
        let first = verify_id_token(
            id_token,
            &found.keys.read().await.0,
            issuer,
            client_id,
            nonce,
        );
        if !matches!(first, Err(OidcError::UnknownKey)) {
            return first;
        }
        let mut keys = found.keys.write().await;
        if keys.1.elapsed() >= JWKS_MIN_REFRESH {
            *keys = (self.fetch_jwks(&found.meta.jwks_uri).await?, Instant::now());
        }
        verify_id_token(id_token, &keys.0, issuer, client_id, nonce)
    }
}

/// Check an ID token against the provider's keys: an asymmetric algorithm, a known key, the
/// signature, issuer, audience, expiry (with jsonwebtoken's 60 s leeway) and our nonce.
pub fn verify_id_token(
    id_token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
    nonce: &str,
) -> Result<Identity, OidcError> {
    let bad = |e: jsonwebtoken::errors::Error| OidcError::IdToken(e.to_string());
    let header = jsonwebtoken::decode_header(id_token).map_err(bad)?;
    if !ASYMMETRIC.contains(&header.alg) {
        // An HS256 token "signed" with a public key is the classic confusion attack.
        return Err(OidcError::IdToken(format!(
            "algorithm {:?} is not accepted",
            header.alg
        )));
    }
    let jwk = match header.kid.as_deref() {
        Some(kid) => keys.find(kid),
        None if keys.keys.len() == 1 => keys.keys.first(),
        None => None,
    }
    .ok_or(OidcError::UnknownKey)?;
    let key = DecodingKey::from_jwk(jwk).map_err(bad)?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    let claims = jsonwebtoken::decode::<Claims>(id_token, &key, &validation)
        .map_err(bad)?
        .claims;
    if !constant_time_eq(
        claims.nonce.as_deref().unwrap_or("").as_bytes(),
        nonce.as_bytes(),
    ) {
        return Err(OidcError::IdToken("nonce does not match".into()));
    }
    Ok(Identity {
        subject: claims.sub,
        email: claims.email,
        email_verified: claims.email_verified,
        name: claims.name,
    })
}

const ASYMMETRIC: &[Algorithm] = &[
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
    Algorithm::EdDSA,
];

pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_time_eq_compares_whole_values() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }

    /// A throwaway RSA key made for this test run: (PKCS#1 DER, base64url modulus).
    static TEST_KEY: std::sync::LazyLock<(Vec<u8>, String)> = std::sync::LazyLock::new(|| {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap();
        let der = key.to_pkcs1_der().unwrap().as_bytes().to_vec();
        let n = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            key.n().to_bytes_be(),
        );
        (der, n)
    });
    const ISSUER: &str = "https://id.example.com";
    const CLIENT: &str = "olivine";

    fn keys() -> JwkSet {
        serde_json::from_value(serde_json::json!({ "keys": [{
            "kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
            "n": TEST_KEY.1, "e": "AQAB"
        }]}))
        .unwrap()
    }

    fn token(claims: serde_json::Value, kid: &str) -> String {
        let mut header = jsonwebtoken::Header::new(Algorithm::RS256);
        header.kid = Some(kid.to_owned());
        let key = jsonwebtoken::EncodingKey::from_rsa_der(&TEST_KEY.0);
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    }

    fn claims() -> serde_json::Value {
        let now = chrono::Utc::now().timestamp();
        serde_json::json!({
            "iss": ISSUER, "aud": CLIENT, "sub": "user-1", "iat": now, "exp": now + 300,
            "nonce": "n-123", "email": "a@example.com", "email_verified": true
        })
    }

    fn verify(token: &str) -> Result<Identity, OidcError> {
        verify_id_token(token, &keys(), ISSUER, CLIENT, "n-123")
    }

    #[test]
    fn a_good_id_token_is_accepted() {
        let identity = verify(&token(claims(), "k1")).unwrap();
        assert_eq!(identity.subject, "user-1");
        assert_eq!(identity.email.as_deref(), Some("a@example.com"));
        assert!(identity.email_verified);
    }

    #[test]
    fn id_tokens_are_refused_for_every_broken_promise() {
        let with = |key: &str, value: serde_json::Value| {
            let mut c = claims();
            c[key] = value;
            token(c, "k1")
        };
        let past = chrono::Utc::now().timestamp() - 3600;
        for (what, bad) in [
            ("issuer", with("iss", "https://evil.example".into())),
            ("audience", with("aud", "someone-else".into())),
            ("expiry", with("exp", past.into())),
            ("nonce", with("nonce", "replayed".into())),
        ] {
            assert!(
                matches!(verify(&bad), Err(OidcError::IdToken(_))),
                "a wrong {what} must be refused"
            );
        }
        assert!(matches!(
            verify(&token(claims(), "k2")),
            Err(OidcError::UnknownKey)
        ));

        // A tampered payload breaks the signature.
        let good = token(claims(), "k1");
        let mut parts: Vec<&str> = good.split('.').collect();
        let forged = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            serde_json::to_vec(&serde_json::json!({"sub": "admin"})).unwrap(),
        );
        parts[1] = &forged;
        assert!(verify(&parts.join(".")).is_err());

        // HS256 "signed" with the public key: the algorithm-confusion attack.
        let hs = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &claims(),
            &jsonwebtoken::EncodingKey::from_secret(TEST_KEY.1.as_bytes()),
        )
        .unwrap();
        assert!(matches!(verify(&hs), Err(OidcError::IdToken(m)) if m.contains("not accepted")));
    }

    #[test]
    fn email_verified_accepts_strings_too() {
        let claims: Claims =
            serde_json::from_str(r#"{"sub":"1","email":"a@b.c","email_verified":"true"}"#).unwrap();
        assert!(claims.email_verified);
        let claims: Claims = serde_json::from_str(r#"{"sub":"1"}"#).unwrap();
        assert!(!claims.email_verified);
    }
}
