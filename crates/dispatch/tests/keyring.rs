//! The settings' secrets in a real Secret Service: a private `dbus-daemon` and
//! `gnome-keyring-daemon` (unlocked with a password on its stdin) are started for the test, and
//! a save puts the key into the keyring — read back through the `keyring` crate and,
//! independently, with `secret-tool` — never into `secrets.json`; the app reads it at start; a
//! second config directory does not see it; a secret left in the file moves into the keyring; a
//! save that fails half-way puts the old key back. And with no bus at all: the 0600 file, with
//! the reason said.
//!
//! The work runs in a child process of this test binary with `DBUS_SESSION_BUS_ADDRESS` set
//! for it (the crate forbids `unsafe`, so the test cannot set its own environment); the parent
//! starts the daemons and kills them when done, or when it panics (a guard).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use hakobu_dispatch::ApiConfig;
use hakobu_dispatch::settings::secret_store::{self, SecretStore, SecretsPlace};
use hakobu_dispatch::settings::{self, SaveOutcome, SettingsForm, secrets_file};
use hakobu_sandbox::{RunningSandbox, SandboxConfig, Seed};

const KEY: &str = "key_in_the_keyring";
/// Set in the child: what it is to check.
const CHILD: &str = "HAKOBU_KEYRING_TEST_CHILD";

/// The daemons this test started; killed when it ends, panicking or not.
struct Daemons(Vec<Child>);

impl Drop for Daemons {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A session bus of our own (no service activation: nothing starts behind the test's back)
/// and a Secret Service on it whose keyrings live in `dir`.
fn start_secret_service(dir: &Path) -> (Daemons, String) {
    let mut daemons = Daemons(Vec::new());
    let config = dir.join("bus.conf");
    std::fs::write(
        &config,
        format!(
            r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>"#,
            dir.join("bus").display()
        ),
    )
    .unwrap();
    let mut bus = Command::new("dbus-daemon")
        .arg(format!("--config-file={}", config.display()))
        .args(["--nofork", "--print-address=1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("dbus-daemon (Debian package dbus-daemon)");
    let mut address = String::new();
    BufReader::new(bus.stdout.take().unwrap())
        .read_line(&mut address)
        .unwrap();
    daemons.0.push(bus);
    let address = address.trim().to_owned();
    assert!(address.starts_with("unix:"), "{address:?}");

    let home = dir.join("home");
    let runtime = dir.join("run");
    for d in [&home, &runtime] {
        std::fs::create_dir_all(d).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o700)).unwrap();
        }
    }
    let mut keyring = Command::new("gnome-keyring-daemon")
        .args(["--foreground", "--components=secrets", "--unlock"])
        .env("DBUS_SESSION_BUS_ADDRESS", &address)
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_RUNTIME_DIR", &runtime)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("gnome-keyring-daemon (Debian package gnome-keyring)");
    // The login keyring's password: created with it, and unlocked.
    let mut stdin = keyring.stdin.take().unwrap();
    stdin.write_all(b"hakobu-test-password").unwrap();
    drop(stdin);
    daemons.0.push(keyring);
    (daemons, address)
}

/// Runs `check` of this binary in a child process with the session bus at `address`.
fn run_child(check: &str, address: &str) {
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child", "--ignored", "--nocapture"])
        .env(CHILD, check)
        .env("DBUS_SESSION_BUS_ADDRESS", address)
        .status()
        .unwrap();
    assert!(status.success(), "the child checking {check} failed");
}

#[test]
fn secrets_go_to_a_running_secret_service_and_to_the_0600_file_without_one() {
    let dir = tempfile::tempdir().unwrap();
    {
        let (_daemons, address) = start_secret_service(dir.path());
        run_child("keyring", &address);
    }
    let nowhere = format!("unix:path={}", dir.path().join("no-bus-here").display());
    run_child("fallback", &nowhere);
}

/// Not a test of its own: the child process `secrets_go_to_…` runs.
#[tokio::test]
#[ignore = "run by secrets_go_to_a_running_secret_service_and_to_the_0600_file_without_one"]
async fn child() {
    match std::env::var(CHILD).as_deref() {
        Ok("keyring") => in_the_keyring().await,
        Ok("fallback") => in_the_file().await,
        _ => panic!("run by the test secrets_go_to_…, which sets {CHILD}"),
    }
}

fn no_env(_: &str) -> Option<String> {
    None
}

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

fn form(url: &str, key: Option<&str>) -> SettingsForm {
    SettingsForm {
        diaq_url: url.into(),
        diaq_api_key: key.map(str::to_owned),
        demo_speed: 10.0,
        ..SettingsForm::default()
    }
}

/// The key as the keyring crate reads it for `config`.
fn in_keyring(config: &Path, name: &str) -> Option<String> {
    let entry = keyring::Entry::new(
        secret_store::KEYRING_SERVICE,
        &secret_store::keyring_account(config, name),
    )
    .unwrap();
    match entry.get_password() {
        Ok(v) => Some(v),
        Err(keyring::Error::NoEntry) => None,
        Err(e) => panic!("{e}"),
    }
}

/// The key as `secret-tool` (libsecret, Debian package libsecret-tools) finds it.
fn secret_tool_lookup(config: &Path, name: &str) -> String {
    let out = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            secret_store::KEYRING_SERVICE,
            "username",
            &secret_store::keyring_account(config, name),
        ])
        .output()
        .expect("secret-tool (Debian package libsecret-tools)");
    String::from_utf8(out.stdout).unwrap()
}

fn store_place(config: &Path) -> SecretsPlace {
    SecretStore::open(config).unwrap().place()
}

async fn in_the_keyring() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config");
    // The Secret Service registers on the bus a moment after it starts.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let config = config.clone();
        let place = tokio::task::spawn_blocking(move || store_place(&config))
            .await
            .unwrap();
        if matches!(place, SecretsPlace::Keyring { .. }) {
            break;
        }
        assert!(Instant::now() < deadline, "no keyring: {place:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let server = sandbox(dir.path()).await;
    let url = server.base_url();
    let state = match settings::save(&config, &form(&url, Some(KEY)), no_env)
        .await
        .unwrap()
    {
        SaveOutcome::Saved { state } => state,
        refused => panic!("{refused:?}"),
    };
    assert_eq!(
        state.secrets,
        SecretsPlace::Keyring {
            service: "hakobu".into()
        }
    );
    assert!(state.diaq_api_key_saved);
    // The keyring's client blocks: the checks run on blocking threads.
    let c = config.clone();
    let (from_crate, from_tool, api) = tokio::task::spawn_blocking(move || {
        (
            in_keyring(&c, secret_store::DIAQ_API_KEY),
            secret_tool_lookup(&c, secret_store::DIAQ_API_KEY),
            ApiConfig::resolve(no_env, &c),
        )
    })
    .await
    .unwrap();
    assert_eq!(from_crate.as_deref(), Some(KEY));
    assert_eq!(from_tool.trim_end(), KEY, "secret-tool finds it too");
    assert!(
        !secrets_file::path(&config).exists(),
        "no secrets.json when the keyring holds them"
    );
    let settings_text =
        std::fs::read_to_string(config.join(hakobu_dispatch::SETTINGS_FILE)).unwrap();
    assert!(!settings_text.contains(KEY), "{settings_text}");
    // What the app reads at its next start.
    let api = api.unwrap().unwrap();
    assert_eq!(api.api_key, KEY);

    // Another profile's directory sees nothing of it.
    let other = dir.path().join("other");
    let c = other.clone();
    let (state, read) = tokio::task::spawn_blocking(move || {
        (
            settings::read(&c, no_env).unwrap(),
            SecretStore::open(&c).unwrap().read().unwrap(),
        )
    })
    .await
    .unwrap();
    assert!(!state.diaq_api_key_saved && read.is_empty(), "{read:?}");

    // A save whose settings.json cannot be written leaves the old key in the keyring (the
    // sandbox accepts one key only, so the "old" one is put in the keyring directly).
    let c = config.clone();
    tokio::task::spawn_blocking(move || {
        keyring::Entry::new(
            secret_store::KEYRING_SERVICE,
            &secret_store::keyring_account(&c, secret_store::DIAQ_API_KEY),
        )
        .unwrap()
        .set_password("key_old")
        .unwrap()
    })
    .await
    .unwrap();
    std::fs::create_dir(config.join("settings.tmp")).unwrap();
    let e = settings::save(&config, &form(&url, Some(KEY)), no_env).await;
    assert!(e.is_err(), "{e:?}");
    let c = config.clone();
    let kept = tokio::task::spawn_blocking(move || in_keyring(&c, secret_store::DIAQ_API_KEY))
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("key_old"), "the old key put back");
    std::fs::remove_dir(config.join("settings.tmp")).unwrap();

    // A secret left in the file (saved while no keyring answered) moves into the keyring.
    let moved = dir.path().join("moved");
    let mut secrets = std::collections::BTreeMap::new();
    secrets.insert(
        secret_store::ROUTEMATE_CLIENT_SECRET.to_owned(),
        "rm_cs_moved".to_owned(),
    );
    secrets_file::write(&moved, &secrets).unwrap();
    let c = moved.clone();
    let (read, in_ring) = tokio::task::spawn_blocking(move || {
        let read = SecretStore::open(&c).unwrap().read().unwrap();
        (read, in_keyring(&c, secret_store::ROUTEMATE_CLIENT_SECRET))
    })
    .await
    .unwrap();
    assert_eq!(read, secrets);
    assert_eq!(in_ring.as_deref(), Some("rm_cs_moved"));
    assert!(
        !secrets_file::path(&moved).exists(),
        "the file entry removed"
    );

    // Back to the sandbox: the keyring entry goes.
    assert!(matches!(
        settings::save(&config, &form("", None), no_env)
            .await
            .unwrap(),
        SaveOutcome::Saved { .. }
    ));
    let c = config.clone();
    let gone = tokio::task::spawn_blocking(move || in_keyring(&c, secret_store::DIAQ_API_KEY))
        .await
        .unwrap();
    assert_eq!(gone, None);
}

async fn in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let config: PathBuf = dir.path().join("config");
    let server = sandbox(dir.path()).await;
    let state = match settings::save(&config, &form(&server.base_url(), Some(KEY)), no_env)
        .await
        .unwrap()
    {
        SaveOutcome::Saved { state } => state,
        refused => panic!("{refused:?}"),
    };
    match &state.secrets {
        SecretsPlace::File { path, why, reason } => {
            assert_eq!(Path::new(path), secrets_file::path(&config));
            assert!(reason.contains("keyring"), "the reason is said: {reason}");
            // No bus to talk to: no keyring service, said as a fact the view words.
            assert_eq!(*why, secret_store::KeyringFailure::Unavailable, "{reason}");
        }
        keyring => panic!("no bus, yet {keyring:?}"),
    }
    let text = std::fs::read_to_string(secrets_file::path(&config)).unwrap();
    assert!(text.contains(KEY), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(secrets_file::path(&config))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let c = config.clone();
    let api = tokio::task::spawn_blocking(move || ApiConfig::resolve(no_env, &c))
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(api.api_key, KEY);
}
