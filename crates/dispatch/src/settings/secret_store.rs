//! Where the settings' secrets (the DIAq API key, the RouteMate client secret) are kept: the OS
//! keyring (Secret Service on Linux, Keychain, Credential Manager) when one answers, else the
//! 0600 file ([`secrets_file`]) — and then the view says so and why, never silently.
//!
//! The keyring is probed when a store is first opened (write, read back and delete a probe
//! entry), so "no service on the bus" and "a locked keyring nobody can unlock" both fall back,
//! with the reason, instead of failing a save later. Entries are named by the secret and the config
//! directory, so two profiles (and every test's temporary directory) never share a secret.
//! Secrets found in the file while the keyring works move into it and leave the file
//! (docs/decisions.md, "設定").

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, mpsc};
use std::time::Duration;

use serde::Serialize;
use ts_rs::TS;

use super::secrets_file;

/// Names of the secrets (the `settings.json` field each stands for).
pub const DIAQ_API_KEY: &str = "diaq.api_key";
pub const ROUTEMATE_CLIENT_SECRET: &str = "routemate.client_secret";
/// Every secret the settings keep.
pub const NAMES: [&str; 2] = [DIAQ_API_KEY, ROUTEMATE_CLIENT_SECRET];

/// Config directories whose keyring probe succeeded in this process.
static KEYRING_WORKED: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// The keyring's service name for Hakobu's entries.
pub const KEYRING_SERVICE: &str = "hakobu";
/// A keyring that has not answered by then is treated as absent: a locked Secret Service may
/// wait forever for an unlock prompt no one sees.
const KEYRING_TIMEOUT: Duration = Duration::from_secs(5);

/// Where the secrets are, as the settings view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecretsPlace {
    /// The OS keyring, under service [`KEYRING_SERVICE`].
    Keyring { service: String },
    /// The 0600 file at `path`, because no keyring answered: `why` says what failed as a
    /// fact the view words, `reason` in the keyring's (or our) English.
    File {
        path: String,
        why: KeyringFailure,
        reason: String,
    },
}

/// Why the OS keyring is not used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KeyringFailure {
    /// No keyring service to talk to (no session bus, no Secret Service on it, …).
    Unavailable,
    /// The keyring is locked, or would need an unlock prompt.
    Locked,
    /// The keyring refused the call for another reason.
    Failed,
    /// It did not answer within `seconds`.
    NoAnswer { seconds: u64 },
    /// What was stored in it did not come back.
    Unfaithful,
    /// Not asked: the caller chose the file.
    NotAsked,
}

/// A keyring call that failed: the fact, and the keyring's words.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Trouble {
    why: KeyringFailure,
    words: String,
}

impl From<Trouble> for String {
    fn from(trouble: Trouble) -> String {
        trouble.words
    }
}

/// The secrets of one config directory, in the keyring or the file.
#[derive(Debug, Clone)]
pub struct SecretStore {
    config_dir: PathBuf,
    /// `None`: the keyring; `Some(why, reason)`: the file, because of that.
    file_because: Option<(KeyringFailure, String)>,
}

impl SecretStore {
    /// Probes the keyring; when it works, moves any secret still in the file into it. When it
    /// does not, the store is the file, with the keyring's failure as the reason.
    pub fn open(config_dir: &Path) -> Result<Self, String> {
        let config_dir = config_dir.to_path_buf();
        // A keyring that worked once in this process is not probed again (each probe is three
        // round trips with a key exchange); one that failed is, so an unlock is noticed.
        let known_good = KEYRING_WORKED
            .lock()
            .map(|dirs| dirs.contains(&config_dir))
            .unwrap_or(false);
        let probed = if known_good {
            Ok(())
        } else {
            probe(&config_dir)
        };
        if probed.is_ok()
            && let Ok(mut dirs) = KEYRING_WORKED.lock()
        {
            dirs.insert(config_dir.clone());
        }
        match probed {
            Err(trouble) => Ok(SecretStore {
                config_dir,
                file_because: Some((trouble.why, trouble.words)),
            }),
            Ok(()) => {
                let store = SecretStore {
                    config_dir,
                    file_because: None,
                };
                store.migrate_from_file()?;
                Ok(store)
            }
        }
    }

    /// The file store whatever the keyring can do (for callers that must not touch it).
    pub fn file(config_dir: &Path, reason: impl Into<String>) -> Self {
        SecretStore {
            config_dir: config_dir.to_path_buf(),
            file_because: Some((KeyringFailure::NotAsked, reason.into())),
        }
    }

    pub fn place(&self) -> SecretsPlace {
        match &self.file_because {
            None => SecretsPlace::Keyring {
                service: KEYRING_SERVICE.to_owned(),
            },
            Some((why, reason)) => SecretsPlace::File {
                path: secrets_file::path(&self.config_dir).display().to_string(),
                why: *why,
                reason: reason.clone(),
            },
        }
    }

    /// Every saved secret (names of [`NAMES`] in the keyring; the whole file otherwise).
    pub fn read(&self) -> Result<BTreeMap<String, String>, String> {
        if self.file_because.is_some() {
            return secrets_file::read(&self.config_dir);
        }
        let mut secrets = BTreeMap::new();
        for name in NAMES {
            if let Some(value) = keyring_get(&self.config_dir, name).map_err(String::from)? {
                secrets.insert(name.to_owned(), value);
            }
        }
        Ok(secrets)
    }

    /// Makes the saved secrets exactly `secrets`: each of [`NAMES`] set or removed. All or
    /// nothing: a keyring failure half-way puts back what was there before.
    pub fn write(&self, secrets: &BTreeMap<String, String>) -> Result<(), String> {
        if self.file_because.is_some() {
            return secrets_file::write(&self.config_dir, secrets);
        }
        let old = self.read()?;
        let result = set_all(&self.config_dir, secrets);
        if result.is_err() {
            let _ = set_all(&self.config_dir, &old);
        }
        result.map_err(String::from)
    }

    /// Secrets left in the file (saved while no keyring answered, or before Hakobu used one)
    /// go into the keyring — the file's are the newer — and the file is removed.
    fn migrate_from_file(&self) -> Result<(), String> {
        let in_file = secrets_file::read(&self.config_dir)?;
        if in_file.is_empty() {
            return Ok(());
        }
        for (name, value) in &in_file {
            keyring_set(&self.config_dir, name, Some(value)).map_err(String::from)?;
        }
        let path = secrets_file::path(&self.config_dir);
        std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

fn set_all(config_dir: &Path, secrets: &BTreeMap<String, String>) -> Result<(), Trouble> {
    for name in NAMES {
        keyring_set(config_dir, name, secrets.get(name).map(String::as_str))?;
    }
    Ok(())
}

/// The keyring entry's account: the secret's name and the config directory it belongs to.
pub fn keyring_account(config_dir: &Path, name: &str) -> String {
    let dir = std::fs::canonicalize(config_dir).unwrap_or_else(|_| config_dir.to_path_buf());
    format!("{name}@{}", dir.display())
}

fn probe(config_dir: &Path) -> Result<(), Trouble> {
    let name = "probe";
    let token = format!("{}", std::process::id());
    keyring_set(config_dir, name, Some(&token))?;
    let back = keyring_get(config_dir, name)?;
    keyring_set(config_dir, name, None)?;
    if back.as_deref() == Some(token.as_str()) {
        Ok(())
    } else {
        Err(Trouble {
            why: KeyringFailure::Unfaithful,
            words: "the OS keyring did not give back what was stored in it".to_owned(),
        })
    }
}

fn keyring_get(config_dir: &Path, name: &str) -> Result<Option<String>, Trouble> {
    let account = keyring_account(config_dir, name);
    on_own_thread(move || {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &account)?;
        match entry.get_password() {
            Ok(value) => Ok(Some(value)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(e),
        }
    })
}

/// Sets `name` to `value`, or removes it (`None`; absent already is fine).
fn keyring_set(config_dir: &Path, name: &str, value: Option<&str>) -> Result<(), Trouble> {
    let account = keyring_account(config_dir, name);
    let value = value.map(str::to_owned);
    on_own_thread(move || {
        let entry = keyring::Entry::new(KEYRING_SERVICE, &account)?;
        match value {
            Some(v) => entry.set_password(&v),
            None => match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                Err(e) => Err(e),
            },
        }
    })
}

/// Runs a keyring call on a thread of its own: the Secret Service client blocks on D-Bus round
/// trips, which must not hold an async runtime's worker (the app's commands run on one), and a
/// call that does not answer in [`KEYRING_TIMEOUT`] is given up.
fn on_own_thread<T: Send + 'static>(
    call: impl FnOnce() -> Result<T, keyring::Error> + Send + 'static,
) -> Result<T, Trouble> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("keyring".into())
        .spawn(move || {
            let _ = tx.send(call());
        })
        .map_err(|e| Trouble {
            why: KeyringFailure::Failed,
            words: format!("the OS keyring: {e}"),
        })?;
    match rx.recv_timeout(KEYRING_TIMEOUT) {
        Ok(result) => result.map_err(|e| Trouble {
            why: failure_of(&e),
            words: format!("the OS keyring: {e}"),
        }),
        Err(_) => Err(Trouble {
            why: KeyringFailure::NoAnswer {
                seconds: KEYRING_TIMEOUT.as_secs(),
            },
            words: format!(
                "the OS keyring did not answer within {} s",
                KEYRING_TIMEOUT.as_secs()
            ),
        }),
    }
}

/// The keyring crate sorts a locked keyring (or one that would prompt) as no storage access,
/// and a missing bus or service as a platform failure.
fn failure_of(e: &keyring::Error) -> KeyringFailure {
    match e {
        keyring::Error::NoStorageAccess(_) => KeyringFailure::Locked,
        keyring::Error::PlatformFailure(_) => KeyringFailure::Unavailable,
        _ => KeyringFailure::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_config_directories_never_share_an_entry() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        assert_ne!(
            keyring_account(a.path(), DIAQ_API_KEY),
            keyring_account(b.path(), DIAQ_API_KEY)
        );
        assert_ne!(
            keyring_account(a.path(), DIAQ_API_KEY),
            keyring_account(a.path(), ROUTEMATE_CLIENT_SECRET)
        );
    }

    #[test]
    fn the_file_store_says_where_and_why() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::file(dir.path(), "no Secret Service");
        let mut secrets = BTreeMap::new();
        secrets.insert(DIAQ_API_KEY.to_owned(), "k".to_owned());
        store.write(&secrets).unwrap();
        assert_eq!(store.read().unwrap(), secrets);
        assert_eq!(
            store.place(),
            SecretsPlace::File {
                path: secrets_file::path(dir.path()).display().to_string(),
                why: KeyringFailure::NotAsked,
                reason: "no Secret Service".to_owned(),
            }
        );
    }
}
