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

pub use connection::{CheckFailure, ServiceCheck};
pub use secret_store::{KeyringFailure, SecretStore, SecretsPlace};
pub use secrets_file::SECRETS_FILE;

use crate::config::{
    ENV_KEY, ENV_OSRM_URL, ENV_ROUTEMATE_CLIENT_ID, ENV_ROUTEMATE_CLIENT_SECRET, ENV_ROUTEMATE_URL,
    ENV_SANDBOX_SPEED, ENV_URL, SETTINGS_FILE,
};
use crate::wiring::WiringPart;

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

/// A field the form cannot be saved (or tested) with: the rule it breaks, as facts the view
/// words (`rule` and its parameters), and the English (`message`: for the log, and shown as it
/// is where the view does not know the rule).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SettingIssue {
    pub field: String,
    #[serde(flatten)]
    pub rule: SettingRule,
    pub message: String,
}

impl SettingIssue {
    /// An issue worded by its rule's English.
    pub fn new(field: &str, rule: SettingRule) -> SettingIssue {
        SettingIssue {
            field: field.to_owned(),
            message: rule.to_string(),
            rule,
        }
    }

    /// An issue whose English is another's words (an error's, a service's).
    fn said(field: &str, rule: SettingRule, message: String) -> SettingIssue {
        SettingIssue {
            field: field.to_owned(),
            rule,
            message,
        }
    }
}

/// The rule a settings field breaks. Each is checked where it lives (the URLs' in
/// `hakobu_retry::edge::endpoint_rule`, OSRM's in its client, the rest in [`check`] and
/// [`test`]); `Display` is the English, the one home of these sentences.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum SettingRule {
    /// Not an absolute URL with a host (`api.dia-9.com`).
    NotAUrl,
    /// A URL of another scheme than https (`ftp`).
    Scheme { scheme: String },
    /// Plain `http://` to a host other than this computer: keys must go over https.
    PlainHttp { host: String },
    /// OSRM's URL is not `http(s)://` and a host.
    NotHttpUrl,
    /// Empty while the fields `with` are filled in.
    RequiredWith { with: Vec<String> },
    /// A number outside `min`–`max`.
    OutOfRange { min: f64, max: f64 },
    /// Empty: there is nothing to test.
    NothingToTest,
    /// Empty: the embedded sandbox, which needs no test.
    SandboxNeedsNoTest,
    /// The service's connection test failed (a save tests every service the form names).
    CheckFailed { failure: CheckFailure },
    /// The saved settings or secrets could not be read (`message`: the error).
    Unreadable,
    /// Said only in `message` (a client's refusal the form has no rule for).
    Other,
}

impl From<hakobu_retry::edge::EndpointRefusal> for SettingRule {
    fn from(refusal: hakobu_retry::edge::EndpointRefusal) -> SettingRule {
        use hakobu_retry::edge::EndpointRefusal;
        match refusal {
            EndpointRefusal::NotAUrl => SettingRule::NotAUrl,
            EndpointRefusal::Scheme { scheme } => SettingRule::Scheme { scheme },
            EndpointRefusal::PlainHttp { host } => SettingRule::PlainHttp { host },
        }
    }
}

impl std::fmt::Display for SettingRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use hakobu_retry::edge::EndpointRefusal;
        match self {
            SettingRule::NotAUrl => EndpointRefusal::NotAUrl.fmt(f),
            SettingRule::Scheme { scheme } => EndpointRefusal::Scheme {
                scheme: scheme.clone(),
            }
            .fmt(f),
            SettingRule::PlainHttp { host } => {
                EndpointRefusal::PlainHttp { host: host.clone() }.fmt(f)
            }
            SettingRule::NotHttpUrl => f.write_str("must start with http:// or https://"),
            SettingRule::RequiredWith { with } => {
                let named: Vec<&str> = with
                    .iter()
                    .map(|field| match field.as_str() {
                        "diaq_url" => "a DIAq URL",
                        "diaq_api_key" => "an API key (empty means the embedded sandbox)",
                        "routemate_url" => "a RouteMate URL",
                        "routemate_client_id" => "a client id",
                        "routemate_client_secret" => "a client secret",
                        other => other,
                    })
                    .collect();
                write!(f, "is required with {}", named.join(" or "))
            }
            SettingRule::OutOfRange { min, max } => {
                write!(f, "must be a number from {min} to {max}")
            }
            SettingRule::NothingToTest => f.write_str("is empty: nothing to test"),
            SettingRule::SandboxNeedsNoTest => {
                f.write_str("is empty: the embedded sandbox needs no test")
            }
            SettingRule::CheckFailed { failure } => failure.fmt(f),
            SettingRule::Unreadable => f.write_str("could not be read"),
            SettingRule::Other => f.write_str("is not valid"),
        }
    }
}

/// The outcome of a connection test: tested (the check says how it went), or refused at its
/// fields before anything was sent.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum TestOutcome {
    Tested { check: ServiceCheck },
    Refused { issues: Vec<SettingIssue> },
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
    /// Saved, but the running app could not switch to it: `part` failed (`reason`: the
    /// English, naming the part and its error); it runs on the previous configuration.
    /// [`save`] never answers this: the app does, after it.
    SavedNotConnected {
        state: SettingsState,
        part: WiringPart,
        reason: String,
    },
}

fn issue(field: &str, rule: SettingRule) -> SettingIssue {
    SettingIssue::new(field, rule)
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
        if let Err(refusal) = hakobu_retry::edge::endpoint_rule(&form.diaq_url) {
            issues.push(issue("diaq_url", refusal.into()));
        }
        if !given(&form.diaq_api_key) {
            issues.push(issue("diaq_api_key", required_with(&["diaq_url"])));
        }
    } else if given(&form.diaq_api_key) {
        issues.push(issue("diaq_url", required_with(&["diaq_api_key"])));
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
                required_with(&["routemate_client_id", "routemate_client_secret"]),
            ));
        } else if let Err(refusal) = hakobu_retry::edge::endpoint_rule(&form.routemate_url) {
            issues.push(issue("routemate_url", refusal.into()));
        }
        if !routemate[1] {
            issues.push(issue(
                "routemate_client_id",
                required_with(&["routemate_url"]),
            ));
        }
        if !routemate[2] {
            issues.push(issue(
                "routemate_client_secret",
                required_with(&["routemate_url"]),
            ));
        }
    }
    if !form.osrm_url.trim().is_empty()
        && let Err(e) = hakobu_osrm::OsrmClient::new(&form.osrm_url, hakobu_osrm::DEFAULT_PROFILE)
    {
        let rule = match e {
            hakobu_osrm::OsrmError::InvalidUrl(_) => SettingRule::NotHttpUrl,
            _ => SettingRule::Other,
        };
        issues.push(SettingIssue::said("osrm_url", rule, e.to_string()));
    }
    if !(form.demo_speed.is_finite() && (0.0..=DEMO_SPEED_MAX).contains(&form.demo_speed)) {
        issues.push(issue(
            "demo_speed",
            SettingRule::OutOfRange {
                min: 0.0,
                max: DEMO_SPEED_MAX,
            },
        ));
    }
    issues
}

fn required_with(fields: &[&str]) -> SettingRule {
    SettingRule::RequiredWith {
        with: fields.iter().map(|f| (*f).to_owned()).collect(),
    }
}

/// The saved settings or secrets could not be read: said at the form as a whole.
fn unreadable(message: String) -> Vec<SettingIssue> {
    vec![SettingIssue::said(
        "settings",
        SettingRule::Unreadable,
        message,
    )]
}

/// Tests one service with the form's values (a secret left empty: the saved one).
pub async fn test(
    config_dir: &Path,
    form: &SettingsForm,
    service: Service,
) -> Result<ServiceCheck, Vec<SettingIssue>> {
    let store = open_store(config_dir).await.map_err(unreadable)?;
    let full = with_saved_secrets(config_dir, &store, form)
        .await
        .map_err(unreadable)?;
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
            return Err(vec![issue("diaq_url", SettingRule::SandboxNeedsNoTest)]);
        }
        Service::Diaq => connection::diaq(full.diaq_url.trim(), &secret(&full.diaq_api_key)).await,
        Service::Routemate if full.routemate_url.trim().is_empty() => {
            return Err(vec![issue("routemate_url", SettingRule::NothingToTest)]);
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
            return Err(vec![issue("osrm_url", SettingRule::NothingToTest)]);
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
                if let (Some(field), Some(failure)) = (&c.field, &c.failure) {
                    let message = c.message.clone().unwrap_or_else(|| failure.to_string());
                    issues.push(SettingIssue::said(
                        field,
                        SettingRule::CheckFailed {
                            failure: failure.clone(),
                        },
                        message,
                    ));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn form(url: &str, key: Option<&str>) -> SettingsForm {
        SettingsForm {
            diaq_url: url.into(),
            diaq_api_key: key.map(str::to_owned),
            demo_speed: 10.0,
            ..SettingsForm::default()
        }
    }

    fn rules(issues: &[SettingIssue]) -> Vec<(&str, SettingRule)> {
        issues
            .iter()
            .map(|i| (i.field.as_str(), i.rule.clone()))
            .collect()
    }

    fn required_with(with: &[&str]) -> SettingRule {
        SettingRule::RequiredWith {
            with: with.iter().map(|w| (*w).to_owned()).collect(),
        }
    }

    /// A form, the rules its fields break, and their English.
    type Case = (
        SettingsForm,
        Vec<(&'static str, SettingRule)>,
        Vec<&'static str>,
    );

    #[test]
    fn each_issue_carries_its_rule_and_parameters_beside_the_english() {
        let cases: Vec<Case> = vec![
            (
                form("api.dia-9.com", Some("k")),
                vec![("diaq_url", SettingRule::NotAUrl)],
                vec!["must start with https:// (a URL like https://api.example.com)"],
            ),
            (
                form("ftp://x.example", Some("k")),
                vec![(
                    "diaq_url",
                    SettingRule::Scheme {
                        scheme: "ftp".into(),
                    },
                )],
                vec!["must start with https:// (not ftp://)"],
            ),
            (
                form("http://api.dia-9.com", Some("k")),
                vec![(
                    "diaq_url",
                    SettingRule::PlainHttp {
                        host: "api.dia-9.com".into(),
                    },
                )],
                vec![
                    "must start with https:// for api.dia-9.com (plain http:// only for this computer: localhost, 127.0.0.1, ::1)",
                ],
            ),
            (
                form("https://api.dia-9.com", None),
                vec![("diaq_api_key", required_with(&["diaq_url"]))],
                vec!["is required with a DIAq URL"],
            ),
            (
                form("", Some("k")),
                vec![("diaq_url", required_with(&["diaq_api_key"]))],
                vec!["is required with an API key (empty means the embedded sandbox)"],
            ),
            (
                SettingsForm {
                    routemate_client_id: "rm_ci".into(),
                    osrm_url: "osrm:5000".into(),
                    demo_speed: 1000.5,
                    ..form("", None)
                },
                vec![
                    (
                        "routemate_url",
                        required_with(&["routemate_client_id", "routemate_client_secret"]),
                    ),
                    ("routemate_client_secret", required_with(&["routemate_url"])),
                    ("osrm_url", SettingRule::NotHttpUrl),
                    (
                        "demo_speed",
                        SettingRule::OutOfRange {
                            min: 0.0,
                            max: DEMO_SPEED_MAX,
                        },
                    ),
                ],
                vec![
                    "is required with a client id or a client secret",
                    "is required with a RouteMate URL",
                    "OSRM URL must start with http:// or https://: \"osrm:5000\"",
                    "must be a number from 0 to 1000",
                ],
            ),
            (
                SettingsForm {
                    routemate_url: "http://routemate.example".into(),
                    routemate_client_secret: Some("s".into()),
                    ..form("", None)
                },
                vec![
                    (
                        "routemate_url",
                        SettingRule::PlainHttp {
                            host: "routemate.example".into(),
                        },
                    ),
                    ("routemate_client_id", required_with(&["routemate_url"])),
                ],
                vec![
                    "must start with https:// for routemate.example (plain http:// only for this computer: localhost, 127.0.0.1, ::1)",
                    "is required with a RouteMate URL",
                ],
            ),
        ];
        for (form, want, english) in cases {
            let issues = check(&form);
            assert_eq!(rules(&issues), want, "{form:?}");
            let messages: Vec<&str> = issues.iter().map(|i| i.message.as_str()).collect();
            assert_eq!(messages, english, "{form:?}");
        }
        assert!(check(&form("", None)).is_empty(), "the sandbox");
        assert!(check(&form("http://127.0.0.1:8080", Some("k"))).is_empty());
    }

    #[test]
    fn an_issue_is_sent_as_field_rule_parameters_and_message() {
        let issue = SettingIssue::new(
            "diaq_url",
            SettingRule::PlainHttp {
                host: "api.dia-9.com".into(),
            },
        );
        assert_eq!(
            serde_json::to_value(&issue).unwrap(),
            json!({
                "field": "diaq_url",
                "rule": "plain_http",
                "host": "api.dia-9.com",
                "message": "must start with https:// for api.dia-9.com (plain http:// only for this computer: localhost, 127.0.0.1, ::1)",
            })
        );
        let range = SettingIssue::new(
            "demo_speed",
            SettingRule::OutOfRange {
                min: 0.0,
                max: DEMO_SPEED_MAX,
            },
        );
        assert_eq!(
            serde_json::to_value(&range).unwrap(),
            json!({"field": "demo_speed", "rule": "out_of_range", "min": 0.0, "max": 1000.0,
                   "message": "must be a number from 0 to 1000"})
        );
        let failed = SettingIssue::said(
            "diaq_url",
            SettingRule::CheckFailed {
                failure: CheckFailure::Refused {
                    host: "127.0.0.1".into(),
                    port: 9,
                },
            },
            "could not reach the API: error sending request".into(),
        );
        assert_eq!(
            serde_json::to_value(&failed).unwrap(),
            json!({"field": "diaq_url", "rule": "check_failed",
                   "failure": {"kind": "refused", "host": "127.0.0.1", "port": 9},
                   "message": "could not reach the API: error sending request"})
        );
        let outcome = TestOutcome::Refused {
            issues: vec![SettingIssue::new("osrm_url", SettingRule::NothingToTest)],
        };
        assert_eq!(
            serde_json::to_value(&outcome).unwrap(),
            json!({"outcome": "refused", "issues": [{"field": "osrm_url",
                   "rule": "nothing_to_test", "message": "is empty: nothing to test"}]})
        );
    }

    #[tokio::test]
    async fn an_empty_url_is_refused_a_test_with_its_rule() {
        let dir = tempfile::tempdir().unwrap();
        let refused = test(dir.path(), &form("", None), Service::Diaq)
            .await
            .unwrap_err();
        assert_eq!(
            rules(&refused),
            [("diaq_url", SettingRule::SandboxNeedsNoTest)]
        );
        for (service, field) in [
            (Service::Routemate, "routemate_url"),
            (Service::Osrm, "osrm_url"),
        ] {
            let refused = test(dir.path(), &form("", None), service)
                .await
                .unwrap_err();
            assert_eq!(rules(&refused), [(field, SettingRule::NothingToTest)]);
        }
    }

    #[test]
    fn a_not_connected_save_names_the_part_that_failed() {
        let outcome = SaveOutcome::SavedNotConnected {
            state: SettingsState {
                form: form("", None),
                diaq_api_key_saved: false,
                routemate_client_secret_saved: false,
                from_env: BTreeMap::new(),
                secrets: SecretsPlace::Keyring {
                    service: "hakobu".into(),
                },
            },
            part: WiringPart::EmbeddedSandbox,
            reason: "the embedded sandbox: diaq.db: unable to open".into(),
        };
        let sent = serde_json::to_value(&outcome).unwrap();
        assert_eq!(sent["outcome"], "saved_not_connected");
        assert_eq!(sent["part"], "embedded_sandbox");
        assert_eq!(
            sent["reason"],
            "the embedded sandbox: diaq.db: unable to open"
        );
    }
}
