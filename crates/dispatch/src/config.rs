//! Which DIAq API the app talks to. Nothing configured means the embedded sandbox.
//!
//! Sources, first found wins:
//! 1. environment: `HAKOBU_DIAQ_URL` and `HAKOBU_DIAQ_API_KEY` (both, or neither);
//! 2. `settings.json` in the app's config directory: `{"diaq": {"base_url": …, "api_key": …}}`.
//!
//! RouteMate likewise ([`RouteMateSettings`]): `HAKOBU_ROUTEMATE_URL`,
//! `HAKOBU_ROUTEMATE_CLIENT_ID` and `HAKOBU_ROUTEMATE_CLIENT_SECRET` (all three, or none), else
//! `{"routemate": {"base_url": …, "client_id": …, "client_secret": …}}`. Nothing configured
//! means the embedded sandbox's RouteMate when DIAq is the sandbox too, else none.

use std::path::Path;

use serde::Deserialize;

pub const SETTINGS_FILE: &str = "settings.json";
pub const ENV_URL: &str = "HAKOBU_DIAQ_URL";
pub const ENV_KEY: &str = "HAKOBU_DIAQ_API_KEY";
pub const ENV_OSRM_URL: &str = "HAKOBU_OSRM_URL";
pub const ENV_ROUTEMATE_URL: &str = "HAKOBU_ROUTEMATE_URL";
pub const ENV_ROUTEMATE_CLIENT_ID: &str = "HAKOBU_ROUTEMATE_CLIENT_ID";
pub const ENV_ROUTEMATE_CLIENT_SECRET: &str = "HAKOBU_ROUTEMATE_CLIENT_SECRET";
/// The embedded sandbox's demo speed (a positive factor, or 0 for no simulated drivers).
pub const ENV_SANDBOX_SPEED: &str = "HAKOBU_SANDBOX_SPEED";
/// The demo's drivers move this many times faster than real time, so a dispatcher watching
/// the board sees a day's work progress.
pub const DEFAULT_SANDBOX_SPEED: f64 = 10.0;

#[derive(Clone, PartialEq, Eq)]
pub struct ApiConfig {
    pub base_url: String,
    pub api_key: String,
}

impl std::fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{source_name}: {field}: {rule}")]
    Invalid {
        source_name: String,
        field: &'static str,
        rule: String,
    },
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    diaq: Option<DiaqSettings>,
    osrm: Option<OsrmSettings>,
    routemate: Option<RouteMateFileSettings>,
    sandbox: Option<SandboxSettings>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SandboxSettings {
    demo_speed: Option<f64>,
}

/// A secret the settings view saved apart from `settings.json` (in the OS keyring, or the
/// file only the user can read); `settings.json` itself may still carry it, as hand-written
/// files did.
fn saved_secret(config_dir: &Path, name: &str) -> Result<Option<String>, ConfigError> {
    let unreadable = |message| ConfigError::Unreadable {
        path: crate::settings::secrets_file::path(config_dir)
            .display()
            .to_string(),
        message,
    };
    let secrets = crate::settings::secret_store::SecretStore::open(config_dir)
        .and_then(|store| store.read())
        .map_err(unreadable)?;
    Ok(secrets.get(name).filter(|s| !s.trim().is_empty()).cloned())
}

/// The embedded sandbox's demo speed: `HAKOBU_SANDBOX_SPEED`, else the settings' (the view's
/// 「デモの速度」), else [`DEFAULT_SANDBOX_SPEED`]. `None`: no simulated drivers.
pub fn demo_speed(env: impl Fn(&str) -> Option<String>, config_dir: &Path) -> Option<f64> {
    let from_env = env(ENV_SANDBOX_SPEED).and_then(|s| s.trim().parse::<f64>().ok());
    let speed = from_env
        .or_else(|| {
            read_settings(&config_dir.join(SETTINGS_FILE))
                .ok()
                .flatten()
                .and_then(|s| s.sandbox)
                .and_then(|s| s.demo_speed)
        })
        .unwrap_or(DEFAULT_SANDBOX_SPEED);
    (speed.is_finite() && speed > 0.0).then_some(speed)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteMateFileSettings {
    base_url: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
}

/// A RouteMate endpoint and the client credentials from its dashboard.
#[derive(Clone, PartialEq, Eq)]
pub struct RouteMateSettings {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for RouteMateSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteMateSettings")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

impl RouteMateSettings {
    /// The configured RouteMate, or `None` (then the embedded sandbox's, if there is one).
    pub fn resolve(
        env: impl Fn(&str) -> Option<String>,
        config_dir: &Path,
    ) -> Result<Option<RouteMateSettings>, ConfigError> {
        let given = |name| env(name).filter(|s: &String| !s.trim().is_empty());
        let from_env = [
            given(ENV_ROUTEMATE_URL),
            given(ENV_ROUTEMATE_CLIENT_ID),
            given(ENV_ROUTEMATE_CLIENT_SECRET),
        ];
        if from_env.iter().any(Option::is_some) {
            let [url, id, secret] = from_env;
            return routemate_checked(
                "environment",
                [
                    (ENV_ROUTEMATE_URL, url),
                    (ENV_ROUTEMATE_CLIENT_ID, id),
                    (ENV_ROUTEMATE_CLIENT_SECRET, secret),
                ],
            )
            .map(Some);
        }
        let path = config_dir.join(SETTINGS_FILE);
        let Some(settings) = read_settings(&path)? else {
            return Ok(None);
        };
        let Some(mut r) = settings.routemate else {
            return Ok(None);
        };
        if r.client_secret.is_none() && r.base_url.as_deref().is_some_and(|u| !u.trim().is_empty())
        {
            r.client_secret = saved_secret(
                config_dir,
                crate::settings::secret_store::ROUTEMATE_CLIENT_SECRET,
            )?;
        }
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&r.base_url) && blank(&r.client_id) && blank(&r.client_secret) {
            return Ok(None);
        }
        routemate_checked(
            &path.display().to_string(),
            [
                ("routemate.base_url", r.base_url),
                ("routemate.client_id", r.client_id),
                ("routemate.client_secret", r.client_secret),
            ],
        )
        .map(Some)
    }
}

/// All three parts present, the URL an http(s) one; errors name the missing or bad part.
fn routemate_checked(
    source_name: &str,
    [(url_field, url), (id_field, id), (secret_field, secret)]: [(&'static str, Option<String>); 3],
) -> Result<RouteMateSettings, ConfigError> {
    let invalid = |field, rule: &str| ConfigError::Invalid {
        source_name: source_name.to_owned(),
        field,
        rule: rule.to_owned(),
    };
    let required = |field, value: Option<String>| {
        value
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(field, "is required when any RouteMate setting is given"))
    };
    let url = required(url_field, url)?;
    // The secret goes to this URL: https unless it is this computer.
    hakobu_retry::edge::endpoint_rule(&url)
        .map_err(|refusal| invalid(url_field, &refusal.to_string()))?;
    Ok(RouteMateSettings {
        base_url: url.trim_end_matches('/').to_owned(),
        client_id: required(id_field, id)?,
        client_secret: required(secret_field, secret)?,
    })
}

/// `settings.json`, or `None` when there is none.
fn read_settings(path: &Path) -> Result<Option<Settings>, ConfigError> {
    let unreadable = |message: String| ConfigError::Unreadable {
        path: path.display().to_string(),
        message,
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(unreadable(e.to_string())),
    };
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|e| unreadable(e.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OsrmSettings {
    base_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DiaqSettings {
    base_url: Option<String>,
    api_key: Option<String>,
}

impl ApiConfig {
    /// The configured API, or `None` for the embedded sandbox. `env` is `std::env::var` in the
    /// app and a map in tests.
    pub fn resolve(
        env: impl Fn(&str) -> Option<String>,
        config_dir: &Path,
    ) -> Result<Option<ApiConfig>, ConfigError> {
        let url = env(ENV_URL).filter(|s| !s.is_empty());
        let key = env(ENV_KEY).filter(|s| !s.is_empty());
        if url.is_some() || key.is_some() {
            return checked("environment", url, key, ENV_URL, ENV_KEY).map(Some);
        }
        let path = config_dir.join(SETTINGS_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(ConfigError::Unreadable {
                    path: path.display().to_string(),
                    message: e.to_string(),
                });
            }
        };
        let settings: Settings =
            serde_json::from_str(&text).map_err(|e| ConfigError::Unreadable {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        match settings.diaq {
            None => Ok(None),
            Some(DiaqSettings {
                base_url: None,
                api_key: None,
            }) => Ok(None),
            Some(d) => checked(
                &path.display().to_string(),
                d.base_url,
                match d.api_key {
                    Some(key) => Some(key),
                    None => saved_secret(config_dir, crate::settings::secret_store::DIAQ_API_KEY)?,
                },
                "diaq.base_url",
                "diaq.api_key",
            )
            .map(Some),
        }
    }
}

/// The OSRM server for road travel times: `HAKOBU_OSRM_URL`, or `osrm.base_url` in
/// `settings.json`; `None` means the great-circle model.
pub fn osrm_url(
    env: impl Fn(&str) -> Option<String>,
    config_dir: &Path,
) -> Result<Option<String>, ConfigError> {
    let check = |source_name: String, field: &'static str, url: String| {
        let url = url.trim().trim_end_matches('/').to_owned();
        if url.starts_with("https://") || url.starts_with("http://") {
            Ok(Some(url))
        } else {
            Err(ConfigError::Invalid {
                source_name,
                field,
                rule: "must start with https:// or http://".into(),
            })
        }
    };
    if let Some(url) = env(ENV_OSRM_URL).filter(|u| !u.trim().is_empty()) {
        return check("environment".into(), ENV_OSRM_URL, url);
    }
    let path = config_dir.join(SETTINGS_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::Unreadable {
                path: path.display().to_string(),
                message: e.to_string(),
            });
        }
    };
    let settings: Settings = serde_json::from_str(&text).map_err(|e| ConfigError::Unreadable {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    match settings.osrm.and_then(|o| o.base_url) {
        Some(url) if !url.trim().is_empty() => {
            check(path.display().to_string(), "osrm.base_url", url)
        }
        _ => Ok(None),
    }
}

fn checked(
    source_name: &str,
    url: Option<String>,
    key: Option<String>,
    url_field: &'static str,
    key_field: &'static str,
) -> Result<ApiConfig, ConfigError> {
    let invalid = |field, rule: &str| ConfigError::Invalid {
        source_name: source_name.to_owned(),
        field,
        rule: rule.to_owned(),
    };
    let url = url
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| invalid(url_field, "is required when an API key is set"))?;
    // The key goes to this URL: https unless it is this computer.
    hakobu_retry::edge::endpoint_rule(&url)
        .map_err(|refusal| invalid(url_field, &refusal.to_string()))?;
    let api_key = key
        .map(|k| k.trim().to_owned())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| invalid(key_field, "is required when an API URL is set"))?;
    Ok(ApiConfig {
        base_url: url.trim_end_matches('/').to_owned(),
        api_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn nothing_configured_means_the_sandbox() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(ApiConfig::resolve(env(&[]), dir.path()), Ok(None));
    }

    #[test]
    fn environment_wins_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"diaq":{"base_url":"https://file.example","api_key":"f"}}"#,
        )
        .unwrap();
        let got = ApiConfig::resolve(
            env(&[(ENV_URL, "https://api.dia-9.com/"), (ENV_KEY, "prod_x")]),
            dir.path(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(got.base_url, "https://api.dia-9.com");
        assert_eq!(got.api_key, "prod_x");
        let got = ApiConfig::resolve(env(&[]), dir.path()).unwrap().unwrap();
        assert_eq!(got.base_url, "https://file.example");
    }

    #[test]
    fn half_a_configuration_is_an_error_naming_the_missing_part() {
        let dir = tempfile::tempdir().unwrap();
        let e = ApiConfig::resolve(env(&[(ENV_URL, "https://x")]), dir.path()).unwrap_err();
        assert!(e.to_string().contains(ENV_KEY), "{e}");
        let e = ApiConfig::resolve(env(&[(ENV_KEY, "k")]), dir.path()).unwrap_err();
        assert!(e.to_string().contains(ENV_URL), "{e}");
        let e = ApiConfig::resolve(
            env(&[(ENV_URL, "api.dia-9.com"), (ENV_KEY, "k")]),
            dir.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("https://"), "{e}");
    }

    #[test]
    fn a_remote_endpoint_needs_https_and_the_error_names_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let e = ApiConfig::resolve(
            env(&[(ENV_URL, "http://api.dia-9.com"), (ENV_KEY, "k")]),
            dir.path(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "environment: HAKOBU_DIAQ_URL: must start with https:// for api.dia-9.com (plain http:// only for this computer: localhost, 127.0.0.1, ::1)"
        );
        for local in [
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            let ok = ApiConfig::resolve(env(&[(ENV_URL, local), (ENV_KEY, "k")]), dir.path());
            assert!(matches!(ok, Ok(Some(_))), "{local}: {ok:?}");
        }
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"diaq":{"base_url":"http://diaq.example.jp","api_key":"k"},
                "routemate":{"base_url":"http://api.routemate.app","client_id":"a","client_secret":"b"}}"#,
        )
        .unwrap();
        let e = ApiConfig::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { field: "diaq.base_url", rule, .. }
                if rule.starts_with("must start with https:// for diaq.example.jp")),
            "{e:?}"
        );
        let e = RouteMateSettings::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Invalid { field: "routemate.base_url", rule, .. }
                if rule.starts_with("must start with https:// for api.routemate.app")),
            "{e:?}"
        );
    }

    #[test]
    fn a_broken_settings_file_is_an_error_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(&path, "{not json").unwrap();
        let e = ApiConfig::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(e.to_string().contains(SETTINGS_FILE), "{e}");
        std::fs::write(&path, r#"{"diaq":{"base_url":"https://x","apikey":"k"}}"#).unwrap();
        let e = ApiConfig::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(e.to_string().contains("apikey"), "unknown field named: {e}");
        std::fs::write(&path, r#"{"diaq":{"base_url":"https://x"}}"#).unwrap();
        let e = ApiConfig::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(e.to_string().contains("diaq.api_key"), "{e}");
    }

    #[test]
    fn osrm_comes_from_the_environment_or_the_file_and_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(osrm_url(env(&[]), dir.path()), Ok(None));
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"osrm":{"base_url":"http://127.0.0.1:5000/"}}"#,
        )
        .unwrap();
        assert_eq!(
            osrm_url(env(&[]), dir.path()),
            Ok(Some("http://127.0.0.1:5000".into()))
        );
        assert_eq!(
            osrm_url(
                env(&[(ENV_OSRM_URL, "https://osrm.example.jp")]),
                dir.path()
            ),
            Ok(Some("https://osrm.example.jp".into()))
        );
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"osrm":{"base_url":"osrm:5000"}}"#,
        )
        .unwrap();
        let e = osrm_url(env(&[]), dir.path()).unwrap_err();
        assert!(e.to_string().contains("osrm.base_url"), "{e}");
        // The DIAq part of the same file is unaffected by an osrm section.
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"osrm":{"base_url":"http://x"},"diaq":{"base_url":"https://d","api_key":"k"}}"#,
        )
        .unwrap();
        assert!(ApiConfig::resolve(env(&[]), dir.path()).unwrap().is_some());
    }

    #[test]
    fn routemate_comes_from_the_environment_or_the_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(RouteMateSettings::resolve(env(&[]), dir.path()), Ok(None));
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"routemate":{"base_url":"https://api.routemate.app/","client_id":"rm_ci_f",
                "client_secret":"rm_cs_f"}}"#,
        )
        .unwrap();
        let got = RouteMateSettings::resolve(env(&[]), dir.path())
            .unwrap()
            .unwrap();
        assert_eq!(
            (got.base_url.as_str(), got.client_id.as_str()),
            ("https://api.routemate.app", "rm_ci_f")
        );
        let got = RouteMateSettings::resolve(
            env(&[
                (ENV_ROUTEMATE_URL, "http://127.0.0.1:7000"),
                (ENV_ROUTEMATE_CLIENT_ID, "rm_ci_e"),
                (ENV_ROUTEMATE_CLIENT_SECRET, "rm_cs_e"),
            ]),
            dir.path(),
        )
        .unwrap()
        .unwrap();
        assert_eq!(got.client_secret, "rm_cs_e", "the environment wins");
        // The DIAq part of the same file is unaffected by a routemate section.
        assert_eq!(ApiConfig::resolve(env(&[]), dir.path()), Ok(None));
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            r#"{"routemate":{"base_url":"","client_id":null}}"#,
        )
        .unwrap();
        assert_eq!(RouteMateSettings::resolve(env(&[]), dir.path()), Ok(None));
    }

    #[test]
    fn part_of_a_routemate_configuration_is_an_error_naming_the_missing_part() {
        let dir = tempfile::tempdir().unwrap();
        let e = RouteMateSettings::resolve(
            env(&[
                (ENV_ROUTEMATE_URL, "https://x"),
                (ENV_ROUTEMATE_CLIENT_ID, "rm_ci_e"),
            ]),
            dir.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains(ENV_ROUTEMATE_CLIENT_SECRET), "{e}");
        let e = RouteMateSettings::resolve(
            env(&[(ENV_ROUTEMATE_CLIENT_SECRET, "rm_cs_e")]),
            dir.path(),
        )
        .unwrap_err();
        assert!(e.to_string().contains(ENV_ROUTEMATE_URL), "{e}");
        let path = dir.path().join(SETTINGS_FILE);
        std::fs::write(
            &path,
            r#"{"routemate":{"base_url":"routemate.app","client_id":"a","client_secret":"b"}}"#,
        )
        .unwrap();
        let e = RouteMateSettings::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(
            e.to_string()
                .contains("routemate.base_url: must start with https://"),
            "{e}"
        );
        std::fs::write(
            &path,
            r#"{"routemate":{"base_url":"https://x","client_id":"a"}}"#,
        )
        .unwrap();
        let e = RouteMateSettings::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(e.to_string().contains("routemate.client_secret"), "{e}");
        std::fs::write(&path, r#"{"routemate":{"url":"https://x"}}"#).unwrap();
        let e = RouteMateSettings::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(e.to_string().contains("url"), "unknown field named: {e}");
        std::fs::write(&path, "{not json").unwrap();
        let e = RouteMateSettings::resolve(env(&[]), dir.path()).unwrap_err();
        assert!(e.to_string().contains(SETTINGS_FILE), "{e}");
        // There, but not a readable file.
        let odd = tempfile::tempdir().unwrap();
        std::fs::create_dir(odd.path().join(SETTINGS_FILE)).unwrap();
        let e = RouteMateSettings::resolve(env(&[]), odd.path()).unwrap_err();
        assert!(matches!(e, ConfigError::Unreadable { .. }), "{e:?}");
    }

    #[test]
    fn debug_never_shows_the_routemate_secret() {
        let s = RouteMateSettings {
            base_url: "https://x".into(),
            client_id: "rm_ci_visible".into(),
            client_secret: "rm_cs_hidden".into(),
        };
        let shown = format!("{s:?}");
        assert!(
            shown.contains("rm_ci_visible") && !shown.contains("rm_cs_hidden"),
            "{shown}"
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let c = ApiConfig {
            base_url: "https://x".into(),
            api_key: "prod_secret".into(),
        };
        assert!(!format!("{c:?}").contains("prod_secret"));
    }
}
