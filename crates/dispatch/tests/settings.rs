//! 設定 against real sandboxes on port 0 and real files: each field's rule said at its field,
//! connection tests (reachable, key accepted, latency; a refused key; nothing listening),
//! saves that write nothing unless every named service passed, secrets in a 0600 file and never
//! in settings.json, environment variables winning and said so.

use std::collections::HashMap;
use std::path::Path;

use hakobu_dispatch::settings::{
    self, CheckFailure, SaveOutcome, Service, SettingRule, SettingsForm,
};
use hakobu_dispatch::{ApiConfig, RouteMateSettings, SETTINGS_FILE};
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};

const KEY: &str = "key_settings";
/// Nothing listens here.
const DEAD: &str = "http://127.0.0.1:9";

async fn sandbox(dir: &Path) -> RunningSandbox {
    let config = SandboxConfig {
        db_path: dir.join("sandbox.db"),
        api_key: KEY.into(),
        seed: Some(Seed::Tokyo),
        ..SandboxConfig::default()
    };
    hakobu_sandbox::start(&config, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn form(url: &str, key: Option<&str>) -> SettingsForm {
    SettingsForm {
        diaq_url: url.into(),
        diaq_api_key: key.map(str::to_owned),
        demo_speed: 10.0,
        ..SettingsForm::default()
    }
}

fn fields(issues: &[settings::SettingIssue]) -> Vec<&str> {
    issues.iter().map(|i| i.field.as_str()).collect()
}

#[test]
fn each_broken_rule_is_said_at_its_field() {
    let issues = settings::check(&form("api.dia-9.com", Some("k")));
    assert_eq!(fields(&issues), ["diaq_url"]);
    assert_eq!(issues[0].rule, SettingRule::NotAUrl, "{issues:?}");
    assert!(issues[0].message.contains("https://"), "{issues:?}");
    let issues = settings::check(&form("http://api.dia-9.com", Some("k")));
    assert_eq!(
        issues[0].rule,
        SettingRule::PlainHttp {
            host: "api.dia-9.com".into()
        }
    );
    assert!(
        issues[0]
            .message
            .contains("plain http:// only for this computer"),
        "the app's one https rule: {issues:?}"
    );
    assert_eq!(
        fields(&settings::check(&form("https://api.dia-9.com", None))),
        ["diaq_api_key"]
    );
    assert_eq!(fields(&settings::check(&form("", Some("k")))), ["diaq_url"]);
    assert!(settings::check(&form("", None)).is_empty(), "the sandbox");
    assert!(settings::check(&form("http://127.0.0.1:8080", Some("k"))).is_empty());
    let partial = SettingsForm {
        routemate_client_id: "rm_ci".into(),
        osrm_url: "osrm:5000".into(),
        demo_speed: -1.0,
        ..form("", None)
    };
    assert_eq!(
        fields(&settings::check(&partial)),
        [
            "routemate_url",
            "routemate_client_secret",
            "osrm_url",
            "demo_speed"
        ]
    );
    let nan = SettingsForm {
        demo_speed: f64::NAN,
        ..form("", None)
    };
    assert_eq!(fields(&settings::check(&nan)), ["demo_speed"]);
}

#[tokio::test]
async fn a_connection_test_says_reachable_key_accepted_and_latency_or_where_it_failed() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let config = dir.path().join("config");
    let url = server.base_url();

    let ok = settings::test(&config, &form(&url, Some(KEY)), Service::Diaq)
        .await
        .unwrap();
    assert!(ok.reachable && ok.key_accepted == Some(true), "{ok:?}");
    assert!(
        ok.latency_ms.is_some() && ok.field.is_none() && ok.failure.is_none(),
        "{ok:?}"
    );

    let refused = settings::test(&config, &form(&url, Some("wrong")), Service::Diaq)
        .await
        .unwrap();
    assert_eq!(
        (
            refused.reachable,
            refused.key_accepted,
            refused.field.as_deref()
        ),
        (true, Some(false), Some("diaq_api_key")),
        "{refused:?}"
    );
    assert_eq!(refused.failure, Some(CheckFailure::KeyRefused));
    assert!(
        refused
            .message
            .as_deref()
            .is_some_and(|m| m.contains("unauthorized")),
        "the service's words stay beside the fact: {refused:?}"
    );

    // Something answers at the URL, but not DIAq's API (a path too many): 404.
    let elsewhere = settings::test(
        &config,
        &form(&format!("{url}/not-here"), Some(KEY)),
        Service::Diaq,
    )
    .await
    .unwrap();
    assert_eq!(
        (
            elsewhere.reachable,
            elsewhere.failure,
            elsewhere.field.as_deref()
        ),
        (true, Some(CheckFailure::NotFound), Some("diaq_url")),
    );

    let down = settings::test(&config, &form(DEAD, Some(KEY)), Service::Diaq)
        .await
        .unwrap();
    assert_eq!(
        (down.reachable, down.latency_ms, down.field.as_deref()),
        (false, None, Some("diaq_url")),
        "{down:?}"
    );
    assert_eq!(
        down.failure,
        Some(CheckFailure::Refused {
            host: "127.0.0.1".into(),
            port: 9
        })
    );

    let malformed = settings::test(&config, &form("ftp://x", Some(KEY)), Service::Diaq)
        .await
        .unwrap_err();
    assert_eq!(fields(&malformed), ["diaq_url"]);
    assert_eq!(
        malformed[0].rule,
        SettingRule::Scheme {
            scheme: "ftp".into()
        }
    );

    // RouteMate: the sandbox's own, with credentials it made; then a wrong secret.
    let made = hakobu_routemate_client::create_sandbox_credentials(&url, KEY)
        .await
        .unwrap();
    let rm = |secret: &str| SettingsForm {
        routemate_url: url.clone(),
        routemate_client_id: made.client_id.clone(),
        routemate_client_secret: Some(secret.into()),
        ..form("", None)
    };
    let ok = settings::test(&config, &rm(&made.client_secret), Service::Routemate)
        .await
        .unwrap();
    assert!(ok.reachable && ok.key_accepted == Some(true), "{ok:?}");
    let refused = settings::test(&config, &rm("rm_cs_wrong"), Service::Routemate)
        .await
        .unwrap();
    assert_eq!(
        (refused.key_accepted, refused.field.as_deref()),
        (Some(false), Some("routemate_client_secret")),
        "{refused:?}"
    );
    assert_eq!(refused.failure, Some(CheckFailure::KeyRefused));
    // OSRM: nothing listening is said at its URL.
    let osrm = SettingsForm {
        osrm_url: DEAD.into(),
        ..form("", None)
    };
    let down = settings::test(&config, &osrm, Service::Osrm).await.unwrap();
    assert_eq!(
        (down.reachable, down.field.as_deref()),
        (false, Some("osrm_url"))
    );
    assert!(
        matches!(down.failure, Some(CheckFailure::Refused { port: 9, .. })),
        "{down:?}"
    );
}

#[tokio::test]
async fn a_save_writes_nothing_until_every_named_service_passes_then_keeps_the_key_apart() {
    let dir = tempfile::tempdir().unwrap();
    let server = sandbox(dir.path()).await;
    let config = dir.path().join("config");
    let url = server.base_url();

    for bad in [
        form(&url, Some("wrong")),
        form(DEAD, Some(KEY)),
        form("x", Some(KEY)),
    ] {
        match settings::save(&config, &bad, no_env).await.unwrap() {
            SaveOutcome::Refused { issues, .. } => {
                let want = if bad.diaq_url == "x" {
                    SettingRule::NotAUrl
                } else if bad.diaq_url == DEAD {
                    SettingRule::CheckFailed {
                        failure: CheckFailure::Refused {
                            host: "127.0.0.1".into(),
                            port: 9,
                        },
                    }
                } else {
                    SettingRule::CheckFailed {
                        failure: CheckFailure::KeyRefused,
                    }
                };
                assert_eq!(
                    issues.iter().map(|i| &i.rule).collect::<Vec<_>>(),
                    [&want],
                    "{issues:?}"
                );
            }
            saved => panic!("saved {bad:?}: {saved:?}"),
        }
        assert!(!config.join(SETTINGS_FILE).exists(), "nothing written");
        assert!(
            !config.join(settings::SECRETS_FILE).exists(),
            "nothing written"
        );
        assert_eq!(ApiConfig::resolve(no_env, &config), Ok(None));
    }

    let state = match settings::save(&config, &form(&format!("{url}/"), Some(KEY)), no_env)
        .await
        .unwrap()
    {
        SaveOutcome::Saved { state } => state,
        refused => panic!("{refused:?}"),
    };
    assert_eq!(state.form.diaq_url, url, "saved without the trailing slash");
    assert!(state.diaq_api_key_saved && state.form.diaq_api_key.is_none());
    let settings_text = std::fs::read_to_string(config.join(SETTINGS_FILE)).unwrap();
    assert!(
        !settings_text.contains(KEY),
        "no key in settings.json: {settings_text}"
    );
    // Without a Secret Service (CI) the key is in the 0600 file; on a desktop with one, in the
    // keyring (tests/keyring.rs checks that case against a real one).
    match &state.secrets {
        settings::SecretsPlace::File { .. } => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(config.join(settings::SECRETS_FILE))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600, "{mode:o}");
            }
        }
        settings::SecretsPlace::Keyring { .. } => {
            assert!(!config.join(settings::SECRETS_FILE).exists())
        }
    }
    // What the app reads at its next start.
    let api = ApiConfig::resolve(no_env, &config).unwrap().unwrap();
    assert_eq!(
        (api.base_url.as_str(), api.api_key.as_str()),
        (url.as_str(), KEY)
    );
    assert_eq!(hakobu_dispatch::demo_speed(no_env, &config), Some(10.0));

    // Saving again with the key left empty keeps (and tests) the saved one.
    let again = SettingsForm {
        demo_speed: 0.0,
        ..form(&url, None)
    };
    assert!(matches!(
        settings::save(&config, &again, no_env).await.unwrap(),
        SaveOutcome::Saved { .. }
    ));
    assert_eq!(
        hakobu_dispatch::demo_speed(no_env, &config),
        None,
        "0: no drivers"
    );
    assert_eq!(
        ApiConfig::resolve(no_env, &config)
            .unwrap()
            .unwrap()
            .api_key,
        KEY
    );
    // A failed test of a new key leaves the saved configuration as it was.
    assert!(matches!(
        settings::save(&config, &form(&url, Some("wrong")), no_env)
            .await
            .unwrap(),
        SaveOutcome::Refused { .. }
    ));
    assert_eq!(
        ApiConfig::resolve(no_env, &config)
            .unwrap()
            .unwrap()
            .api_key,
        KEY
    );
    assert_eq!(RouteMateSettings::resolve(no_env, &config), Ok(None));

    // Back to the sandbox: an empty URL saves no key.
    assert!(matches!(
        settings::save(&config, &form("", None), no_env)
            .await
            .unwrap(),
        SaveOutcome::Saved { .. }
    ));
    assert_eq!(ApiConfig::resolve(no_env, &config), Ok(None));
}

#[test]
fn the_view_says_which_fields_an_environment_variable_overrides() {
    let dir = tempfile::tempdir().unwrap();
    let env: HashMap<&str, &str> = [
        ("HAKOBU_DIAQ_URL", "https://api.dia-9.com"),
        ("HAKOBU_DIAQ_API_KEY", "k"),
        ("HAKOBU_SANDBOX_SPEED", " "),
    ]
    .into();
    let state = settings::read(dir.path(), |k| env.get(k).map(|v| (*v).to_owned())).unwrap();
    assert_eq!(
        state
            .from_env
            .iter()
            .map(|(f, v)| (f.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
        [
            ("diaq_api_key", "HAKOBU_DIAQ_API_KEY"),
            ("diaq_url", "HAKOBU_DIAQ_URL")
        ],
        "a blank variable does not count"
    );
    assert!(!state.diaq_api_key_saved);
    std::fs::write(dir.path().join(SETTINGS_FILE), "{not json").unwrap();
    let e = settings::read(dir.path(), no_env).unwrap_err();
    assert!(e.contains(SETTINGS_FILE), "{e}");
}
