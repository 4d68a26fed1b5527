//! 設定: what the settings view shows and saves. The saved form lives in `settings.json`
//! (endpoints, ids, the demo speed) and the secrets (keys and secrets: the OS keyring, else a
//! 0600 file — [`secret_store`]); `config` reads both at start. A save is checked field by
//! field, each service it names is tested ([`connection`]) and only then written, secrets and
//! settings each swapped in whole — nothing is saved half-way, and the running app keeps what it started with until it
//! is restarted (docs/decisions.md, "設定").

pub mod connection;
pub mod secret_store;
pub mod secrets_file;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use ts_rs::TS;

pub use connection::ServiceCheck;
pub use secret_store::{SecretStore, SecretsPlace};
pub use secrets_file::SECRETS_FILE;

use crate::config::{
    ENV_KEY, ENV_OSRM_URL, ENV_ROUTEMATE_CLIENT_ID, ENV_ROUTEMATE_CLIENT_SECRET, ENV_ROUTEMATE_URL,
    ENV_SANDBOX_SPEED, ENV_URL, SETTINGS_FILE,
};

/// The fastest demo the sandbox's simulation is asked for.
pub const DEMO_SPEED_MAX: f64 = 1000.0;

/// What the view sends: every field as typed. A secret left `null` keeps the saved one.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
pub struct SettingsForm {
    /// Empty: the embedded sandbox.
    pub diaq_url: String,
    pub diaq_api_key: Option<String>,
    /// All three RouteMate fields, or none.
    pub routemate_url: String,
    pub routemate_client_id: String,
    pub routemate_client_secret: Option<String>,
    /// Empty: great-circle travel times.
    pub osrm_url: String,
    /// The embedded sandbox's drivers' speed-up (0: they stand still).
    pub demo_speed: f64,
}

/// What the view shows: the saved settings (never a secret, only whether one is saved), and
/// which fields an environment variable overrides.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SettingsState {
    pub form: SettingsForm,
    pub diaq_api_key_saved: bool,
    pub routemate_client_secret_saved: bool,
    /// Form field → the environment variable that wins over it while set.
    pub from_env: BTreeMap<String, String>,
    /// Where keys and secrets are kept: the OS keyring, or the 0600 file and why.
    pub secrets: SecretsPlace,
}

/// A field the form cannot be saved with, and the rule it breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SettingIssue {
    pub field: String,
    pub rule: String,
}

/// Which service a connection test is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    Diaq,
    Routemate,
    Osrm,
}

/// The outcome of a save: refused at its fields (nothing written), or written.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum SaveOutcome {
    Refused {
        issues: Vec<SettingIssue>,
        checks: BTreeMap<String, ServiceCheck>,
    },
    /// Saved, and the running app switched to it (or already ran on it).
    Saved { state: SettingsState },
    /// Saved, but the running app could not switch to it (`reason`: what failed); it runs on
    /// the previous configuration. [`save`] never answers this: the app does, after it.
    SavedNotConnected {
        state: SettingsState,
        reason: String,
    },
}

fn issue(field: &str, rule: impl Into<String>) -> SettingIssue {
    SettingIssue {
        field: field.to_owned(),
        rule: rule.into(),
    }
}

/// The saved settings as the view shows them (blocks on the keyring: not on an async thread).
pub fn read(
    config_dir: &Path,
    env: impl Fn(&str) -> Option<String>,
) -> Result<SettingsState, String> {
    let store = SecretStore::open(config_dir)?;
    let settings = read_json(&config_dir.join(SETTINGS_FILE))?;
    let secrets = store.read()?;
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let saved_secret = |name: &str, legacy: &Value| {
        secrets.get(name).is_some_and(|s| !s.is_empty())
            || legacy.as_str().is_some_and(|s| !s.is_empty())
    };
    let form = SettingsForm {
        diaq_url: text(&settings["diaq"]["base_url"]),
        diaq_api_key: None,
        routemate_url: text(&settings["routemate"]["base_url"]),
        routemate_client_id: text(&settings["routemate"]["client_id"]),
        routemate_client_secret: None,
        osrm_url: text(&settings["osrm"]["base_url"]),
        demo_speed: settings["sandbox"]["demo_speed"]
            .as_f64()
            .unwrap_or(crate::config::DEFAULT_SANDBOX_SPEED),
    };
    let mut from_env = BTreeMap::new();
    for (field, var) in [
        ("diaq_url", ENV_URL),
        ("diaq_api_key", ENV_KEY),
        ("routemate_url", ENV_ROUTEMATE_URL),
        ("routemate_client_id", ENV_ROUTEMATE_CLIENT_ID),
        ("routemate_client_secret", ENV_ROUTEMATE_CLIENT_SECRET),
        ("osrm_url", ENV_OSRM_URL),
        ("demo_speed", ENV_SANDBOX_SPEED),
    ] {
        if env(var).is_some_and(|v| !v.trim().is_empty()) {
            from_env.insert(field.to_owned(), var.to_owned());
        }
    }
    Ok(SettingsState {
        diaq_api_key_saved: saved_secret(secret_store::DIAQ_API_KEY, &settings["diaq"]["api_key"]),
        routemate_client_secret_saved: saved_secret(
            secret_store::ROUTEMATE_CLIENT_SECRET,
            &settings["routemate"]["client_secret"],
        ),
        form,
        from_env,
        secrets: store.place(),
    })
}

/// The store of a config directory, opened on a blocking thread (the keyring's client blocks).
async fn open_store(config_dir: &Path) -> Result<SecretStore, String> {
    let dir = config_dir.to_path_buf();
    tokio::task::spawn_blocking(move || SecretStore::open(&dir))
        .await
        .map_err(|e| e.to_string())?
}

/// Reads (or writes) the store's secrets on a blocking thread.
async fn off_thread<T: Send + 'static>(
    store: &SecretStore,
    call: impl FnOnce(&SecretStore) -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || call(&store))
        .await
        .map_err(|e| e.to_string())?
}

/// The form with each secret filled in: as typed, else as saved.
async fn with_saved_secrets(
    config_dir: &Path,
    store: &SecretStore,
    form: &SettingsForm,
) -> Result<SettingsForm, String> {
    let settings = read_json(&config_dir.join(SETTINGS_FILE))?;
    let secrets = off_thread(store, SecretStore::read).await?;
    let saved = |name: &str, legacy: &Value| {
        secrets
            .get(name)
            .cloned()
            .or_else(|| legacy.as_str().map(str::to_owned))
    };
    let mut full = form.clone();
    // A saved secret goes with a URL only: no URL is the sandbox (or no RouteMate).
    if full.diaq_api_key.as_deref().is_none_or(str::is_empty) && !full.diaq_url.trim().is_empty() {
        full.diaq_api_key = saved(secret_store::DIAQ_API_KEY, &settings["diaq"]["api_key"]);
    }
    if full
        .routemate_client_secret
        .as_deref()
        .is_none_or(str::is_empty)
        && !full.routemate_url.trim().is_empty()
    {
        full.routemate_client_secret = saved(
            secret_store::ROUTEMATE_CLIENT_SECRET,
            &settings["routemate"]["client_secret"],
        );
    }
    Ok(full)
}

/// Every field that breaks a rule (the URLs' rule is `hakobu_retry::edge::endpoint_rule`,
/// the one the app applies at start).
pub fn check(form: &SettingsForm) -> Vec<SettingIssue> {
    let mut issues = Vec::new();
    let given = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
    if !form.diaq_url.trim().is_empty() {
        if let Err(rule) = hakobu_retry::edge::endpoint_rule(&form.diaq_url) {
            issues.push(issue("diaq_url", rule));
        }
        if !given(&form.diaq_api_key) {
            issues.push(issue("diaq_api_key", "is required with a DIAq URL"));
        }
    } else if given(&form.diaq_api_key) {
        issues.push(issue(
            "diaq_url",
            "is required with an API key (empty means the embedded sandbox)",
        ));
    }
    let routemate = [
        !form.routemate_url.trim().is_empty(),
        !form.routemate_client_id.trim().is_empty(),
        given(&form.routemate_client_secret),
    ];
    if routemate.iter().any(|&b| b) {
        if !routemate[0] {
            issues.push(issue(
                "routemate_url",
                "is required with a client id or secret",
            ));
        } else if let Err(rule) = hakobu_retry::edge::endpoint_rule(&form.routemate_url) {
            issues.push(issue("routemate_url", rule));
        }
        if !routemate[1] {
            issues.push(issue(
                "routemate_client_id",
                "is required with a RouteMate URL",
            ));
        }
        if !routemate[2] {
            issues.push(issue(
                "routemate_client_secret",
                "is required with a RouteMate URL",
            ));
        }
    }
    if !form.osrm_url.trim().is_empty()
        && let Err(e) = hakobu_osrm::OsrmClient::new(&form.osrm_url, hakobu_osrm::DEFAULT_PROFILE)
    {
        issues.push(issue("osrm_url", e.to_string()));
    }
    if !(form.demo_speed.is_finite() && (0.0..=DEMO_SPEED_MAX).contains(&form.demo_speed)) {
        issues.push(issue(
            "demo_speed",
            format!("must be a number from 0 to {DEMO_SPEED_MAX}"),
        ));
    }
    issues
}

/// Tests one service with the form's values (a secret left empty: the saved one).
pub async fn test(
    config_dir: &Path,
    form: &SettingsForm,
    service: Service,
) -> Result<ServiceCheck, Vec<SettingIssue>> {
    let store = open_store(config_dir)
        .await
        .map_err(|e| vec![issue("settings", e)])?;
    let full = with_saved_secrets(config_dir, &store, form)
        .await
        .map_err(|e| vec![issue("settings", e)])?;
    let issues: Vec<_> = check(&full)
        .into_iter()
        .filter(|i| i.field.starts_with(service_prefix(service)))
        .collect();
    if !issues.is_empty() {
        return Err(issues);
    }
    let secret = |s: &Option<String>| s.clone().unwrap_or_default();
    Ok(match service {
        Service::Diaq if full.diaq_url.trim().is_empty() => {
            return Err(vec![issue(
                "diaq_url",
                "is empty: the embedded sandbox needs no test",
            )]);
        }
        Service::Diaq => connection::diaq(full.diaq_url.trim(), &secret(&full.diaq_api_key)).await,
        Service::Routemate if full.routemate_url.trim().is_empty() => {
            return Err(vec![issue("routemate_url", "is empty: nothing to test")]);
        }
        Service::Routemate => {
            connection::routemate(
                full.routemate_url.trim(),
                full.routemate_client_id.trim(),
                &secret(&full.routemate_client_secret),
            )
            .await
        }
        Service::Osrm if full.osrm_url.trim().is_empty() => {
            return Err(vec![issue("osrm_url", "is empty: nothing to test")]);
        }
        Service::Osrm => connection::osrm(full.osrm_url.trim()).await,
    })
}

fn service_prefix(service: Service) -> &'static str {
    match service {
        Service::Diaq => "diaq_",
        Service::Routemate => "routemate_",
        Service::Osrm => "osrm_",
    }
}

/// Checks every field, tests every service the form names, and only if all pass writes the
/// secrets (keyring or file) and then `settings.json`, each swapped in whole. A failure writing
/// the second puts the old secrets back, so a new key is never paired with an old URL.
pub async fn save(
    config_dir: &Path,
    form: &SettingsForm,
    env: impl Fn(&str) -> Option<String> + Send + 'static,
) -> Result<SaveOutcome, String> {
    let store = open_store(config_dir).await?;
    let full = with_saved_secrets(config_dir, &store, form).await?;
    let issues = check(&full);
    if !issues.is_empty() {
        return Ok(SaveOutcome::Refused {
            issues,
            checks: BTreeMap::new(),
        });
    }
    let mut checks = BTreeMap::new();
    let mut issues = Vec::new();
    for (service, named) in [
        (Service::Diaq, !full.diaq_url.trim().is_empty()),
        (Service::Routemate, !full.routemate_url.trim().is_empty()),
        (Service::Osrm, !full.osrm_url.trim().is_empty()),
    ] {
        if !named {
            continue;
        }
        let result = test(config_dir, &full, service).await;
        match result {
            Ok(c) => {
                if let (Some(field), Some(message)) = (&c.field, &c.message) {
                    issues.push(issue(field, message.clone()));
                }
                checks.insert(service_prefix(service).trim_end_matches('_').to_owned(), c);
            }
            Err(mut more) => issues.append(&mut more),
        }
    }
    if !issues.is_empty() {
        return Ok(SaveOutcome::Refused { issues, checks });
    }
    let old_secrets = off_thread(&store, SecretStore::read).await?;
    let mut secrets = BTreeMap::new();
    let trimmed = |s: &Option<String>| s.as_deref().map(str::trim).unwrap_or_default().to_owned();
    if !full.diaq_url.trim().is_empty() {
        secrets.insert(
            secret_store::DIAQ_API_KEY.to_owned(),
            trimmed(&full.diaq_api_key),
        );
    }
    if !full.routemate_url.trim().is_empty() {
        secrets.insert(
            secret_store::ROUTEMATE_CLIENT_SECRET.to_owned(),
            trimmed(&full.routemate_client_secret),
        );
    }
    let blank_none = |s: &str| {
        let s = s.trim().trim_end_matches('/');
        (!s.is_empty()).then(|| s.to_owned())
    };
    let settings = json!({
        "diaq": {"base_url": blank_none(&full.diaq_url)},
        "routemate": {
            "base_url": blank_none(&full.routemate_url),
            "client_id": blank_none(&full.routemate_client_id),
        },
        "osrm": {"base_url": blank_none(&full.osrm_url)},
        "sandbox": {"demo_speed": full.demo_speed},
    });
    let text = serde_json::to_string_pretty(&settings).map_err(|e| e.to_string())?;
    let dir = config_dir.to_path_buf();
    let state = off_thread(&store, move |store| {
        store.write(&secrets)?;
        if let Err(e) = secrets_file::write_private(&dir.join(SETTINGS_FILE), text.as_bytes()) {
            let _ = store.write(&old_secrets);
            return Err(e);
        }
        read(&dir, env)
    })
    .await?;
    Ok(SaveOutcome::Saved { state })
}

fn read_json(path: &Path) -> Result<Value, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Null),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
