//! Password hashing: argon2id with OWASP's parameters, always off the async threads.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// A PHC-format argon2id hash. Never serialised, never printed.
#[derive(Clone)]
pub struct PasswordHashString(String);

impl PasswordHashString {
    pub fn from_db(phc: String) -> Self {
        PasswordHashString(phc)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(****)")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing task stopped: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Each argon2 run takes 19 MiB and tens of milliseconds of one core. Runs take a permit, one
/// per core, so a flood of sign-ins or resets queues here instead of filling the blocking pool
/// (512 threads, about 10 GiB) and starving everything else.
static PERMITS: LazyLock<Semaphore> = LazyLock::new(|| Semaphore::new(hashing_slots()));
static RUNNING: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// How many argon2 runs may go at once: the machine's cores.
pub fn hashing_slots() -> usize {
    std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
}

/// The most argon2 runs that were ever in progress at once in this process.
pub fn peak_concurrent_hashing() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Run argon2 work on the blocking pool, holding a permit.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
) -> Result<T, HashError> {
    let _permit = PERMITS
        .acquire()
        .await
        .map_err(|e| HashError::Hash(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let running = RUNNING.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK.fetch_max(running, Ordering::SeqCst);
        let result = work();
        RUNNING.fetch_sub(1, Ordering::SeqCst);
        result
    })
    .await?
}

/// OWASP Password Storage Cheat Sheet: argon2id, m = 19 MiB, t = 2, p = 1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: String) -> Result<PasswordHashString, HashError> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| PasswordHashString(h.to_string()))
            .map_err(|e| HashError::Hash(e.to_string()))
    })
    .await
}

/// A fixed hash to verify against when the account does not exist, so "no such account" takes
/// as long as "wrong password" and timing reveals nothing.
static DUMMY: LazyLock<Option<String>> = LazyLock::new(|| {
    let salt = SaltString::encode_b64(b"olivine-dummy-salt").ok()?;
    argon2()
        .hash_password(b"not a real password", &salt)
        .ok()
        .map(|h| h.to_string())
});

/// True when `password` matches `hash`. With no hash, spends the same effort and says no.
pub async fn verify(password: String, hash: Option<PasswordHashString>) -> Result<bool, HashError> {
    hashing(move || {
        let phc = match &hash {
            Some(h) => h.0.as_str(),
            None => DUMMY.as_deref().unwrap_or_default(),
        };
        let Ok(parsed) = PasswordHash::new(phc) else {
            return Ok(false);
        };
        let matches = argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(matches && hash.is_some())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_use_argon2id_with_owasp_parameters() {
        let hashed = hash("correct horse battery staple".into()).await.unwrap();
        assert!(
            hashed
                .as_str()
                .starts_with("$argon2id$v=19$m=19456,t=2,p=1$")
        );
        assert!(
            verify("correct horse battery staple".into(), Some(hashed.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify("wrong horse battery staple".into(), Some(hashed.clone()))
                .await
                .unwrap()
        );
        assert!(!verify("not a real password".into(), None).await.unwrap());
        assert!(!format!("{hashed:?}").contains("argon2"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_flood_of_hashing_queues_at_one_run_per_core() {
        let flood: Vec<_> = (0..4 * hashing_slots() + 4)
            .map(|i| tokio::spawn(hash(format!("password number {i}"))))
            .collect();
        for run in flood {
            run.await.unwrap().unwrap();
        }
        let peak = peak_concurrent_hashing();
        assert!(
            (1..=hashing_slots()).contains(&peak),
            "{peak} runs at once on {} cores",
            hashing_slots()
        );
    }

    #[tokio::test]
    async fn the_same_password_hashes_differently_each_time() {
        let a = hash("correct horse battery staple".into()).await.unwrap();
        let b = hash("correct horse battery staple".into()).await.unwrap();
        assert_ne!(a.as_str(), b.as_str());
    }
}
