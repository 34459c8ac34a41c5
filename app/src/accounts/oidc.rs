//! OpenID Connect sign-in against any configured provider: discovery, authorization code with
//! PKCE (the `oauth2` crate), and ID token validation (issuer, audience, expiry, nonce, and the
//! signature against the provider's JWKS).
//!
//! Discovery and keys are fetched on first use and cached; an unknown key id triggers one
//! refetch (key rotation) at most once a minute.

use super::model::ProviderInfo;
use crate::state::OidcProviderConfig;
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
        let state = super::tokens::random_url_safe(32);
        let nonce = super::tokens::random_url_safe(32);
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
            .map_err(|e| OidcError::Exchange(error_chain(&e)))?;
        let id_token = &response.extra_fields().id_token;
        self.validate(provider, &found, id_token, nonce).await
    }

    async fn validate(
        &self,
        provider: &OidcProviderConfig,
        found: &Discovered,
        id_token: &str,
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
        let key = self.key_for(found, header.kid.as_deref()).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[found.meta.issuer.as_str()]);
        validation.set_audience(&[provider.client_id.as_str()]);
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

    async fn key_for(
        &self,
        found: &Discovered,
        kid: Option<&str>,
    ) -> Result<DecodingKey, OidcError> {
        let pick = |set: &JwkSet| match kid {
            Some(kid) => set.find(kid).cloned(),
            None if set.keys.len() == 1 => set.keys.first().cloned(),
            None => None,
        };
        let cached = pick(&found.keys.read().await.0);
        let jwk = match cached {
            Some(jwk) => jwk,
            None => {
                let mut keys = found.keys.write().await;
                if keys.1.elapsed() >= JWKS_MIN_REFRESH {
                    *keys = (self.fetch_jwks(&found.meta.jwks_uri).await?, Instant::now());
                }
                pick(&keys.0)
                    .ok_or_else(|| OidcError::IdToken("signed with an unknown key".into()))?
            }
        };
        DecodingKey::from_jwk(&jwk).map_err(|e| OidcError::IdToken(e.to_string()))
    }
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

fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
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

    #[test]
    fn email_verified_accepts_strings_too() {
        let claims: Claims =
            serde_json::from_str(r#"{"sub":"1","email":"a@b.c","email_verified":"true"}"#).unwrap();
        assert!(claims.email_verified);
        let claims: Claims = serde_json::from_str(r#"{"sub":"1"}"#).unwrap();
        assert!(!claims.email_verified);
    }
}
