//! Personal data at rest. Each person has a data key of their own (AES-256-GCM), kept in
//! `person_keys` wrapped by the master key from the environment (`OLIVINE_MASTER_KEY`).
//! Whatever is sealed with a person's key (certificate documents, authenticator secrets, data
//! downloads) is unreadable once that key is deleted ([`Vault::forget`]), in every copy,
//! backups included (crypto-shredding). What bookkeeping keeps of an erased person is sealed
//! with a retention key (`retention_keys`), deleted when its years are up. Each wrapped key
//! names the master key that wrapped it, so a new master key means rewrapping the keys, never
//! rewriting the data.
//!
//! A sealed value is bound to where it belongs (`context`, e.g. `certificate:<id>`): moved
//! to another place, it does not open.
//!
//! Fields of a person's row (their email address and name) are sealed the same way and read as
//! [`Sealed`], which carries the person's key still wrapped, so a list of people opens with no
//! query per person. An address is found by its keyed hash ([`Vault::email_lookup`]), a name by
//! the hashes of its words ([`Vault::name_words`]), under a lookup key kept wrapped in
//! `vault_keys`.

use crate::ids::{InvitationId, OrderId, UserId};
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use tokio::sync::OnceCell;
use uuid::Uuid;

/// The format of a sealed value: this byte, a 12-byte nonce, then ciphertext and tag.
const VERSION: u8 = 1;
const NONCE: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Sealed data that does not open with the key it should: damaged, moved, or sealed under
    /// another key.
    #[error("sealed data does not open: {0}")]
    Unreadable(&'static str),
    /// A person's key wrapped by a master key this server does not hold.
    #[error("a data key was wrapped by master key {0}, which this server does not have")]
    UnknownMaster(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
}

/// The master key: wraps the people's data keys, never seals data itself. During a rotation
/// the previous master key opens the keys it wrapped, which are then wrapped again with the
/// current one (as they are used, or all at once by `olivine vault rewrap`).
pub struct Vault {
    master: Aes256Gcm,
    /// The first 8 bytes of the key's SHA-256, in hex: which master wrapped a key.
    master_id: String,
    previous: Option<(Aes256Gcm, String)>,
    /// The key addresses and the words of names are hashed with for lookups, once read (or
    /// made).
    lookup: OnceCell<[u8; 32]>,
}

/// What `vault_keys` holds the email lookup key under.
const EMAIL_LOOKUP: &str = "email-lookup";

/// Whose data key seals a value: a person's, or, for someone with no account to hold one, a
/// guest buyer's (one key per guest order) or an invitee's (one per invitation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOwner {
    Person(UserId),
    Guest(OrderId),
    Invitee(InvitationId),
}

impl From<UserId> for KeyOwner {
    fn from(person: UserId) -> Self {
        KeyOwner::Person(person)
    }
}

impl KeyOwner {
    /// The id its key is kept under.
    pub fn id(self) -> Uuid {
        match self {
            KeyOwner::Person(person) => person.0,
            KeyOwner::Guest(order) => order.0,
            KeyOwner::Invitee(invitation) => invitation.0,
        }
    }
}

/// A field of a person's own row, sealed with their data key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonField {
    Email,
    Name,
}

impl PersonField {
    /// The context the field is sealed in: `user:<id>:email`.
    fn context(self, owner: Uuid) -> String {
        let name = match self {
            PersonField::Email => "email",
            PersonField::Name => "name",
        };
        format!("user:{owner}:{name}")
    }
}

/// A sealed value as a query reads it (the SQL type `sealed`, e.g.
/// `person_email(user_id) AS "email!: Sealed"`, or `sealed_by(owner, column)` for any other):
/// the value with its owner and the owner's data key, still wrapped. [`Vault::reveal`] and
/// [`Vault::reveal_in`] open it.
#[derive(Clone, Debug, sqlx::Type)]
#[sqlx(type_name = "sealed")]
pub struct Sealed {
    owner: Uuid,
    wrapped_key: Option<Vec<u8>>,
    master_id: Option<String>,
    value: Option<Vec<u8>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("master_id", &self.master_id)
            .finish_non_exhaustive()
    }
}

impl Vault {
    pub fn new(master: &[u8; 32]) -> Self {
        Vault {
            master: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(master)),
            master_id: key_id(master),
            previous: None,
            lookup: OnceCell::new(),
        }
    }

    /// 32 random bytes: a new master key.
    pub fn generate_key() -> [u8; 32] {
        let mut key = [0u8; 32];
        rand::rng().fill_bytes(&mut key);
        key
    }

    /// This vault, also opening the keys `previous` wrapped (to rewrap them).
    #[must_use]
    pub fn with_previous(mut self, previous: &[u8; 32]) -> Self {
        self.previous = Some((
            Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(previous)),
            key_id(previous),
        ));
        self
    }

    /// A master key written as base64 (standard alphabet) of 32 random bytes, as
    /// `openssl rand -base64 32` prints one.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        Ok(Vault::new(&key_from_base64(text)?))
    }

    pub fn master_id(&self) -> &str {
        &self.master_id
    }

    /// Seal `plain` with `owner`'s data key (made on first use), bound to `context`.
    pub async fn seal(
        &self,
        conn: &mut PgConnection,
        owner: impl Into<KeyOwner>,
        context: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>, VaultError> {
        let key = self.data_key(conn, owner.into()).await?;
        seal(&key, context.as_bytes(), plain)
    }

    /// Open what [`Vault::seal`] sealed for `owner` in `context`; `None` when their key has
    /// been deleted.
    pub async fn open(
        &self,
        conn: &mut PgConnection,
        owner: impl Into<KeyOwner>,
        context: &str,
        sealed: &[u8],
    ) -> Result<Option<Vec<u8>>, VaultError> {
        let Some(key) = self.existing_key(conn, owner.into()).await? else {
            return Ok(None);
        };
        open(&key, context.as_bytes(), sealed).map(Some)
    }

    /// Seal `plain` as `person`'s `field`, for their row.
    pub async fn seal_field(
        &self,
        conn: &mut PgConnection,
        person: UserId,
        field: PersonField,
        plain: &str,
    ) -> Result<Vec<u8>, VaultError> {
        self.seal(conn, person, &field.context(person.0), plain.as_bytes())
            .await
    }

    /// Seal `value`, written as JSON, with `owner`'s data key, bound to `context`.
    pub async fn seal_json(
        &self,
        conn: &mut PgConnection,
        owner: impl Into<KeyOwner>,
        context: &str,
        value: &impl serde::Serialize,
    ) -> Result<Vec<u8>, VaultError> {
        let plain = serde_json::to_vec(value)
            .map_err(|_| VaultError::Unreadable("a value that does not write as JSON"))?;
        self.seal(conn, owner, context, &plain).await
    }

    /// Open a person's `field` as a query read it; `None` when there is nothing to open (the
    /// person is erased: their key or the value is gone).
    pub fn reveal(
        &self,
        field: PersonField,
        sealed: &Sealed,
    ) -> Result<Option<String>, VaultError> {
        self.reveal_text(&field.context(sealed.owner), sealed)
    }

    /// [`Vault::reveal_in`] for text.
    pub fn reveal_text(
        &self,
        context: &str,
        sealed: &Sealed,
    ) -> Result<Option<String>, VaultError> {
        self.reveal_in(context, sealed)?
            .map(|plain| {
                String::from_utf8(plain)
                    .map_err(|_| VaultError::Unreadable("a sealed field that is not text"))
            })
            .transpose()
    }

    /// [`Vault::reveal_in`] for a value [`Vault::seal_json`] sealed.
    pub fn reveal_json<T: serde::de::DeserializeOwned>(
        &self,
        context: &str,
        sealed: &Sealed,
    ) -> Result<Option<T>, VaultError> {
        self.reveal_in(context, sealed)?
            .map(|plain| {
                serde_json::from_slice(&plain)
                    .map_err(|_| VaultError::Unreadable("a sealed value of another shape"))
            })
            .transpose()
    }

    /// Open a value a query read as [`Sealed`], sealed in `context`; `None` when there is
    /// nothing to open (its owner's key or the value is gone).
    pub fn reveal_in(&self, context: &str, sealed: &Sealed) -> Result<Option<Vec<u8>>, VaultError> {
        let (Some(wrapped), Some(master_id), Some(value)) =
            (&sealed.wrapped_key, &sealed.master_id, &sealed.value)
        else {
            return Ok(None);
        };
        let (key, _) = self.unwrap(&wrap_context(sealed.owner), wrapped, master_id)?;
        open(&cipher(&key)?, context.as_bytes(), value).map(Some)
    }

    /// Seal `plain` in `context` with the key `sealed` carries (the one that opens it): a
    /// value changed in place, under the same owner. `None` when the key is gone.
    pub fn reseal_in(
        &self,
        context: &str,
        sealed: &Sealed,
        plain: &[u8],
    ) -> Result<Option<Vec<u8>>, VaultError> {
        let (Some(wrapped), Some(master_id)) = (&sealed.wrapped_key, &sealed.master_id) else {
            return Ok(None);
        };
        let (key, _) = self.unwrap(&wrap_context(sealed.owner), wrapped, master_id)?;
        seal(&cipher(&key)?, context.as_bytes(), plain).map(Some)
    }

    /// The keyed hash (HMAC-SHA256) an email address is found by: the same for any case of
    /// the address and the spaces around it.
    pub async fn email_lookup(
        &self,
        conn: &mut PgConnection,
        email: &str,
    ) -> Result<Vec<u8>, VaultError> {
        let key = self.lookup_key(conn).await?;
        lookup_hash(key, b"", email.trim().to_lowercase().as_bytes())
    }

    /// The keyed hashes a name is found by: one per word (letters and digits) in lower case,
    /// each once, in their order. A search for `query` matches the names holding all of its
    /// words.
    pub async fn name_words(
        &self,
        conn: &mut PgConnection,
        name: &str,
    ) -> Result<Vec<Vec<u8>>, VaultError> {
        let key = self.lookup_key(conn).await?;
        let mut words: Vec<String> = Vec::new();
        for word in name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            let word = word.to_lowercase();
            if !words.contains(&word) {
                words.push(word);
            }
        }
        words
            .iter()
            .map(|w| lookup_hash(key, b"word:", w.as_bytes()))
            .collect()
    }

    async fn lookup_key(&self, conn: &mut PgConnection) -> Result<&[u8; 32], VaultError> {
        self.lookup
            .get_or_try_init(|| self.vault_key(conn, EMAIL_LOOKUP))
            .await
    }

    /// The key `vault_keys` holds for `purpose`, made on first use.
    async fn vault_key(
        &self,
        conn: &mut PgConnection,
        purpose: &str,
    ) -> Result<[u8; 32], VaultError> {
        if let Some(key) = self.existing_vault_key(conn, purpose).await? {
            return Ok(key);
        }
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        let wrapped = seal(&self.master, &vault_key_context(purpose), &fresh)?;
        // Two nodes making it at once: one key wins, both use it.
        sqlx::query!(
            "INSERT INTO vault_keys (purpose, wrapped, master_id) VALUES ($1, $2, $3)
             ON CONFLICT (purpose) DO NOTHING",
            purpose,
            wrapped,
            self.master_id,
        )
        .execute(&mut *conn)
        .await?;
        self.existing_vault_key(conn, purpose)
            .await?
            .ok_or(VaultError::Unreadable(
                "a vault key vanished as it was made",
            ))
    }

    async fn existing_vault_key(
        &self,
        conn: &mut PgConnection,
        purpose: &str,
    ) -> Result<Option<[u8; 32]>, VaultError> {
        let Some(row) = sqlx::query!(
            "SELECT wrapped, master_id FROM vault_keys WHERE purpose = $1",
            purpose
        )
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let (key, rewrapped) =
            self.unwrap(&vault_key_context(purpose), &row.wrapped, &row.master_id)?;
        if let Some(rewrapped) = rewrapped {
            sqlx::query!(
                "UPDATE vault_keys SET wrapped = $3, master_id = $4
                 WHERE purpose = $1 AND master_id = $2",
                purpose,
                row.master_id,
                rewrapped,
                self.master_id,
            )
            .execute(&mut *conn)
            .await?;
        }
        key.try_into()
            .map(Some)
            .map_err(|_| VaultError::Unreadable("a vault key of the wrong length"))
    }

    /// Delete `owner`'s data key: everything sealed with it is unreadable from now on.
    pub async fn forget(
        conn: &mut PgConnection,
        owner: impl Into<KeyOwner>,
    ) -> Result<bool, sqlx::Error> {
        // Whichever table holds it: owners' ids never repeat across the three.
        let deleted = sqlx::query_scalar!(
            r#"WITH person AS (DELETE FROM person_keys WHERE user_id = $1 RETURNING 1),
                    guest AS (DELETE FROM guest_keys WHERE order_id = $1 RETURNING 1),
                    invitee AS (DELETE FROM invitation_keys WHERE invitation_id = $1 RETURNING 1)
               SELECT (SELECT count(*) FROM person) + (SELECT count(*) FROM guest)
                      + (SELECT count(*) FROM invitee) AS "deleted!""#,
            owner.into().id()
        )
        .fetch_one(conn)
        .await?;
        Ok(deleted == 1)
    }

    /// Wrap every key the previous master key wrapped with the current one (the people's,
    /// the guests', the invitees', the retention and the lookup keys); how many.
    pub async fn rewrap_all(&self, conn: &mut PgConnection) -> Result<u64, VaultError> {
        let mut done = 0;
        loop {
            let batch = sqlx::query!(
                r#"SELECT kind AS "kind!", id AS "id!" FROM (
                       SELECT 'person' AS kind, user_id AS id FROM person_keys
                        WHERE master_id <> $1
                       UNION ALL
                       SELECT 'guest', order_id FROM guest_keys WHERE master_id <> $1
                       UNION ALL
                       SELECT 'invitee', invitation_id FROM invitation_keys
                        WHERE master_id <> $1) keys
                   ORDER BY kind, id LIMIT 500"#,
                self.master_id
            )
            .fetch_all(&mut *conn)
            .await?;
            if batch.is_empty() {
                break;
            }
            for key in batch {
                let owner = match key.kind.as_str() {
                    "guest" => KeyOwner::Guest(OrderId(key.id)),
                    "invitee" => KeyOwner::Invitee(InvitationId(key.id)),
                    _ => KeyOwner::Person(UserId(key.id)),
                };
                self.existing_key(conn, owner).await?;
                done += 1;
            }
        }
        loop {
            let batch = sqlx::query_scalar!(
                "SELECT key_id FROM retention_keys WHERE master_id <> $1 ORDER BY key_id LIMIT 500",
                self.master_id
            )
            .fetch_all(&mut *conn)
            .await?;
            if batch.is_empty() {
                break;
            }
            for key in batch {
                self.retention_key(conn, key).await?;
                done += 1;
            }
        }
        let purposes = sqlx::query_scalar!(
            "SELECT purpose FROM vault_keys WHERE master_id <> $1 ORDER BY purpose",
            self.master_id
        )
        .fetch_all(&mut *conn)
        .await?;
        for purpose in purposes {
            self.existing_vault_key(conn, &purpose).await?;
            done += 1;
        }
        Ok(done)
    }

    async fn data_key(
        &self,
        conn: &mut PgConnection,
        owner: KeyOwner,
    ) -> Result<Aes256Gcm, VaultError> {
        if let Some(key) = self.existing_key(conn, owner).await? {
            return Ok(key);
        }
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        let wrapped = seal(&self.master, &wrap_context(owner.id()), &fresh)?;
        // Two first uses at once: one key wins, both use it.
        match owner {
            KeyOwner::Person(person) => {
                sqlx::query!(
                    "INSERT INTO person_keys (user_id, wrapped, master_id) VALUES ($1, $2, $3)
                 ON CONFLICT (user_id) DO NOTHING",
                    person.0,
                    wrapped,
                    self.master_id,
                )
                .execute(&mut *conn)
                .await?
            }
            KeyOwner::Guest(order) => {
                sqlx::query!(
                    "INSERT INTO guest_keys (order_id, wrapped, master_id) VALUES ($1, $2, $3)
                 ON CONFLICT (order_id) DO NOTHING",
                    order.0,
                    wrapped,
                    self.master_id,
                )
                .execute(&mut *conn)
                .await?
            }
            KeyOwner::Invitee(invitation) => {
                sqlx::query!(
                    "INSERT INTO invitation_keys (invitation_id, wrapped, master_id) VALUES ($1, $2, $3)
                 ON CONFLICT (invitation_id) DO NOTHING",
                    invitation.0,
                    wrapped,
                    self.master_id,
                )
                .execute(&mut *conn)
                .await?
            }
        };
        self.existing_key(conn, owner)
            .await?
            .ok_or(VaultError::Unreadable("a data key vanished as it was made"))
    }

    async fn existing_key(
        &self,
        conn: &mut PgConnection,
        owner: KeyOwner,
    ) -> Result<Option<Aes256Gcm>, VaultError> {
        // Whichever table holds the owner's key (`sealed_by` looks in each).
        let row = sqlx::query_as!(
            WrappedKey,
            r#"SELECT (k).wrapped_key AS "wrapped!", (k).master_id AS "master_id!"
                 FROM (SELECT sealed_by($1, NULL) AS k) owner
                WHERE (k).wrapped_key IS NOT NULL"#,
            owner.id()
        )
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let (key, rewrapped) =
            self.unwrap(&wrap_context(owner.id()), &row.wrapped, &row.master_id)?;
        if let Some(rewrapped) = rewrapped {
            // In whichever table holds it, as it was read above.
            sqlx::query!(
                "WITH person AS (UPDATE person_keys SET wrapped = $3, master_id = $4
                                  WHERE user_id = $1 AND master_id = $2),
                      guest AS (UPDATE guest_keys SET wrapped = $3, master_id = $4
                                 WHERE order_id = $1 AND master_id = $2),
                      invitee AS (UPDATE invitation_keys SET wrapped = $3, master_id = $4
                                   WHERE invitation_id = $1 AND master_id = $2)
                 SELECT 1 AS done",
                owner.id(),
                row.master_id,
                rewrapped,
                self.master_id,
            )
            .fetch_one(&mut *conn)
            .await?;
        }
        cipher(&key).map(Some)
    }

    /// Seal `plain` with retention key `key` (made on first use, to be deleted at
    /// `expires_at` by [`Vault::forget_expired`]), bound to `context`. What bookkeeping must
    /// keep of an erased person is sealed so, apart from any person's key.
    pub async fn seal_retained(
        &self,
        conn: &mut PgConnection,
        key: Uuid,
        expires_at: DateTime<Utc>,
        context: &str,
        plain: &[u8],
    ) -> Result<Vec<u8>, VaultError> {
        if let Some(existing) = self.retention_key(conn, key).await? {
            return seal(&existing, context.as_bytes(), plain);
        }
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        let wrapped = seal(&self.master, &retention_context(key), &fresh)?;
        sqlx::query!(
            "INSERT INTO retention_keys (key_id, wrapped, master_id, expires_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (key_id) DO NOTHING",
            key,
            wrapped,
            self.master_id,
            expires_at,
        )
        .execute(&mut *conn)
        .await?;
        let kept = self
            .retention_key(conn, key)
            .await?
            .ok_or(VaultError::Unreadable(
                "a retention key vanished as it was made",
            ))?;
        seal(&kept, context.as_bytes(), plain)
    }

    /// Open what [`Vault::seal_retained`] sealed; `None` once its key has expired.
    pub async fn open_retained(
        &self,
        conn: &mut PgConnection,
        key: Uuid,
        context: &str,
        sealed: &[u8],
    ) -> Result<Option<Vec<u8>>, VaultError> {
        let Some(existing) = self.retention_key(conn, key).await? else {
            return Ok(None);
        };
        open(&existing, context.as_bytes(), sealed).map(Some)
    }

    /// Delete the retention keys whose time is up: what they sealed is unreadable from now on.
    pub async fn forget_expired(
        conn: &mut PgConnection,
        now: DateTime<Utc>,
    ) -> Result<u64, sqlx::Error> {
        Ok(
            sqlx::query!("DELETE FROM retention_keys WHERE expires_at <= $1", now)
                .execute(conn)
                .await?
                .rows_affected(),
        )
    }

    async fn retention_key(
        &self,
        conn: &mut PgConnection,
        key: Uuid,
    ) -> Result<Option<Aes256Gcm>, VaultError> {
        let Some(row) = sqlx::query!(
            "SELECT wrapped, master_id FROM retention_keys WHERE key_id = $1",
            key
        )
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let (bytes, rewrapped) =
            self.unwrap(&retention_context(key), &row.wrapped, &row.master_id)?;
        if let Some(rewrapped) = rewrapped {
            sqlx::query!(
                "UPDATE retention_keys SET wrapped = $3, master_id = $4
                 WHERE key_id = $1 AND master_id = $2",
                key,
                row.master_id,
                rewrapped,
                self.master_id,
            )
            .execute(&mut *conn)
            .await?;
        }
        cipher(&bytes).map(Some)
    }

    /// A key `wrapped` in `context` by master `master_id`, opened; with it wrapped again by
    /// the current master when a previous one had wrapped it (for the caller to store).
    fn unwrap(
        &self,
        context: &[u8],
        wrapped: &[u8],
        master_id: &str,
    ) -> Result<(Vec<u8>, Option<Vec<u8>>), VaultError> {
        if master_id == self.master_id {
            return Ok((open(&self.master, context, wrapped)?, None));
        }
        let Some((previous, _)) = self.previous.as_ref().filter(|(_, id)| id == master_id) else {
            return Err(VaultError::UnknownMaster(master_id.to_owned()));
        };
        let key = open(previous, context, wrapped)?;
        let rewrapped = seal(&self.master, context, &key)?;
        Ok((key, Some(rewrapped)))
    }
}

/// A step of [`seal_clear_rows`].
pub type Step<'c, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, VaultError>> + Send + 'c>>;

/// Seal what an older version kept in the clear: `batch` reads some rows still holding it
/// (none once all are sealed), `seal_one` seals a row and clears it, each row in a transaction
/// of its own (a reader never meets it half sealed). How many rows. `olivine migrate` and
/// `olivine serve` run these.
pub async fn seal_clear_rows<T: Send>(
    conn: &mut PgConnection,
    vault: &Vault,
    batch: for<'c> fn(&'c mut PgConnection) -> Step<'c, Vec<T>>,
    seal_one: for<'c> fn(&'c mut PgConnection, &'c Vault, T) -> Step<'c, ()>,
) -> Result<u64, VaultError> {
    let mut done = 0;
    loop {
        let rows = batch(&mut *conn).await?;
        if rows.is_empty() {
            return Ok(done);
        }
        for row in rows {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            seal_one(&mut tx, vault, row).await?;
            tx.commit().await?;
            done += 1;
        }
    }
}

fn cipher(key: &[u8]) -> Result<Aes256Gcm, VaultError> {
    Aes256Gcm::new_from_slice(key)
        .map_err(|_| VaultError::Unreadable("a data key of the wrong length"))
}

/// A master key written as base64 of 32 bytes.
pub fn key_from_base64(text: &str) -> Result<[u8; 32], String> {
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|_| "expected base64 (e.g. `openssl rand -base64 32`)".to_owned())?;
    bytes
        .try_into()
        .map_err(|_| "expected 32 bytes of key, base64-encoded".to_owned())
}

fn key_id(master: &[u8; 32]) -> String {
    Sha256::digest(master)[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What an owner's data key is wrapped in: bound to the owner's id (a person's, or a guest
/// order's; ids never repeat across the two).
fn wrap_context(owner: Uuid) -> Vec<u8> {
    format!("olivine person key {owner}").into_bytes()
}

/// A data key as its table keeps it.
struct WrappedKey {
    wrapped: Vec<u8>,
    master_id: String,
}

/// HMAC-SHA256 of `prefix` and `value` under `key` (the prefix keeps a name's words apart
/// from addresses).
fn lookup_hash(key: &[u8; 32], prefix: &[u8], value: &[u8]) -> Result<Vec<u8>, VaultError> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .map_err(|_| VaultError::Unreadable("a lookup key of the wrong length"))?;
    mac.update(prefix);
    mac.update(value);
    Ok(mac.finalize().into_bytes().to_vec())
}

fn vault_key_context(purpose: &str) -> Vec<u8> {
    format!("olivine vault key {purpose}").into_bytes()
}

fn retention_context(key: Uuid) -> Vec<u8> {
    format!("olivine retention key {key}").into_bytes()
}

fn seal(key: &Aes256Gcm, context: &[u8], plain: &[u8]) -> Result<Vec<u8>, VaultError> {
    let mut nonce = [0u8; NONCE];
    rand::rng().fill_bytes(&mut nonce);
    let sealed = key
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: context,
            },
        )
        .map_err(|_| VaultError::Unreadable("encryption failed"))?;
    let mut out = Vec::with_capacity(1 + NONCE + sealed.len());
    out.push(VERSION);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn open(key: &Aes256Gcm, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, VaultError> {
    let (Some(&VERSION), Some(nonce), Some(body)) = (
        sealed.first(),
        sealed.get(1..=NONCE),
        sealed.get(1 + NONCE..),
    ) else {
        return Err(VaultError::Unreadable("not a sealed value"));
    };
    key.decrypt(
        Nonce::from_slice(nonce),
        Payload {
            msg: body,
            aad: context,
        },
    )
    .map_err(|_| VaultError::Unreadable("wrong key, wrong place or damaged"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> Aes256Gcm {
        Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&[byte; 32]))
    }

    #[test]
    fn sealed_data_opens_only_with_its_key_in_its_place() {
        let sealed = seal(&key(1), b"certificate:a", b"a scanned diploma").unwrap();
        assert_eq!(sealed[0], VERSION);
        assert!(
            !sealed.windows(7).any(|w| w == b"diploma"),
            "not in the clear"
        );
        assert_eq!(
            open(&key(1), b"certificate:a", &sealed).unwrap(),
            b"a scanned diploma"
        );
        assert!(
            open(&key(2), b"certificate:a", &sealed).is_err(),
            "another key"
        );
        assert!(
            open(&key(1), b"certificate:b", &sealed).is_err(),
            "another place"
        );
        let mut damaged = sealed.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(
            open(&key(1), b"certificate:a", &damaged).is_err(),
            "damaged"
        );
        assert!(
            open(&key(1), b"certificate:a", &sealed[..5]).is_err(),
            "cut short"
        );
        // The same text twice seals differently (a fresh nonce each time).
        assert_ne!(
            sealed,
            seal(&key(1), b"certificate:a", b"a scanned diploma").unwrap()
        );
    }

    #[test]
    fn master_keys_are_read_from_base64_of_32_bytes() {
        let vault = Vault::from_base64("AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=").unwrap();
        assert_eq!(vault.master_id().len(), 16);
        assert_eq!(vault.master_id(), Vault::new(&[1; 32]).master_id());
        assert!(Vault::from_base64("AQEB").is_err());
        assert!(Vault::from_base64("not base64!").is_err());
        assert!(!format!("{vault:?}").contains("AQEB"));
    }
}
