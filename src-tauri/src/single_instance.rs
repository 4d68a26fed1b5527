//! A second launch of Hakobu on the same data directory focuses the running window instead of
//! starting again. The first instance owns a well-known name on the D-Bus session bus; a
//! second launch finds it taken, asks its owner to focus its window, and exits. The name
//! carries a digest of the data directory's location, so separate profiles — another
//! `XDG_DATA_HOME`, as the end-to-end tests and a second account use — are separate
//! instances. Where no session bus runs, the launch goes on and the data directory's lock
//! refuses it (`hakobu_dispatch::DataDirLock`).
//!
//! On Linux the name is ours, over libdbus (the `dbus` crate Tauri's window layer already
//! links): tauri-plugin-single-instance does the same over zbus, a second D-Bus stack that
//! was 1.2 MB of the shipped binary (docs/decisions.md, "The shipped build"). Elsewhere the
//! plugin, which uses no D-Bus there.

use sha2::{Digest, Sha256};
use tauri::{AppHandle, Manager, Runtime};

/// The label of the one window (tauri.conf.json).
const MAIN_WINDOW: &str = "main";

/// Takes this data directory's instance name, or hands the launch over to the instance that
/// has it and exits. Called first, before a window or the cache is opened.
#[cfg(target_os = "linux")]
pub fn claim(identifier: &str) {
    linux::claim(dbus_id(identifier, &data_home()));
}

/// From here on a second launch's request focuses `app`'s window.
#[cfg(target_os = "linux")]
pub fn serve(app: &AppHandle) {
    let _ = linux::APP.set(app.clone());
}

/// The plugin, named for this data directory.
#[cfg(not(target_os = "linux"))]
pub fn plugin<R: Runtime>(identifier: &str) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(dbus_id(identifier, &data_home()))
        .callback(|app, _argv, _cwd| focus(app))
        .build()
}

#[cfg(target_os = "linux")]
mod linux {
    use std::sync::{OnceLock, mpsc};
    use std::time::Duration;

    use dbus::blocking::Connection;
    use dbus::blocking::stdintf::org_freedesktop_dbus::RequestNameReply;
    use dbus::channel::{MatchingReceiver, Sender};
    use dbus::message::MatchRule;
    use dbus::strings::{BusName, Path};
    use tauri::AppHandle;

    /// The one method the name answers.
    const INTERFACE: &str = "jp.hakobu.Instance";
    const FOCUS: &str = "Focus";
    /// How long a second launch waits for the first to answer.
    const ANSWER_WITHIN: Duration = Duration::from_secs(5);

    /// The running app once its window exists; a request before that has nothing to focus
    /// (the window is about to appear in front anyway).
    pub(super) static APP: OnceLock<AppHandle> = OnceLock::new();

    enum Claimed {
        Owner,
        Taken,
        NoBus(String),
    }

    pub(super) fn claim(name: String) {
        let path = object_path(&name);
        let (tx, rx) = mpsc::channel();
        let owned = (name.clone(), path.clone());
        let spawned = std::thread::Builder::new()
            .name("single-instance".into())
            .spawn(move || own(owned.0, owned.1, tx));
        if let Err(e) = spawned {
            tracing::warn!(
                "single-instance: {e}; the data directory's lock keeps this launch alone"
            );
            return;
        }
        match rx.recv() {
            Ok(Claimed::Owner) => {}
            Ok(Claimed::Taken) => match hand_over(&name, &path) {
                Ok(()) => {
                    tracing::info!(
                        "another Hakobu runs on this data directory: its window was brought forward"
                    );
                    std::process::exit(0);
                }
                Err(e) => tracing::warn!(
                    "single-instance: the running Hakobu did not answer ({e}); the data directory's lock decides"
                ),
            },
            Ok(Claimed::NoBus(e)) => tracing::warn!(
                "single-instance: no D-Bus session bus ({e}); the data directory's lock keeps this launch alone"
            ),
            Err(_) => tracing::warn!("single-instance: its thread ended without an answer"),
        }
    }

    /// Owns `name` and answers its requests for the life of the process (the name goes with
    /// the connection when the process ends); says first whether it got the name.
    fn own(name: String, path: String, claimed: mpsc::Sender<Claimed>) {
        let conn = match Connection::new_session() {
            Ok(conn) => conn,
            Err(e) => {
                let _ = claimed.send(Claimed::NoBus(e.to_string()));
                return;
            }
        };
        let bus_name = match BusName::new(name.as_str()) {
            Ok(n) => n,
            Err(e) => {
                let _ = claimed.send(Claimed::NoBus(format!("bad name {name}: {e}")));
                return;
            }
        };
        // Not queued and not replaceable: a second owner must hear "taken", not wait in line.
        match conn.request_name(bus_name, false, false, true) {
            Ok(RequestNameReply::PrimaryOwner) => {}
            Ok(_) => {
                let _ = claimed.send(Claimed::Taken);
                return;
            }
            Err(e) => {
                let _ = claimed.send(Claimed::NoBus(e.to_string()));
                return;
            }
        }
        let rule = MatchRule::new_method_call()
            .with_path(Path::new(path).expect("a valid object path (object_path)"))
            .with_interface(INTERFACE)
            .with_member(FOCUS);
        conn.start_receive(
            rule,
            Box::new(|call, conn| {
                match APP.get() {
                    Some(app) => super::focus(app),
                    None => {
                        tracing::info!("a second launch asked for this window before it opened")
                    }
                }
                let _ = conn.send(call.method_return());
                true
            }),
        );
        let _ = claimed.send(Claimed::Owner);
        loop {
            if let Err(e) = conn.process(Duration::from_secs(3600)) {
                tracing::warn!("single-instance: the session bus went away ({e})");
                return;
            }
        }
    }

    fn hand_over(name: &str, path: &str) -> Result<(), dbus::Error> {
        let conn = Connection::new_session()?;
        let name = BusName::new(name).map_err(|e| dbus::Error::new_failed(&e))?;
        let path = Path::new(path).map_err(|e| dbus::Error::new_failed(&e))?;
        conn.with_proxy(name, path, ANSWER_WITHIN)
            .method_call(INTERFACE, FOCUS, ())
    }

    /// The object path of `name`: its elements as path elements (`-` is not allowed there).
    pub(super) fn object_path(name: &str) -> String {
        format!("/{}", name.replace('.', "/").replace('-', "_"))
    }
}

/// Where the app's data directory sits, as Tauri finds it (`$XDG_DATA_HOME`, else
/// `~/.local/share`, on Linux; fixed per user elsewhere).
fn data_home() -> String {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    format!("{}\n{}", var("XDG_DATA_HOME"), var("HOME"))
}

/// A D-Bus well-known name: the identifier and `p` + 16 hex digits of the data home's digest
/// (a name element may not start with a digit).
fn dbus_id(identifier: &str, data_home: &str) -> String {
    let digest = Sha256::digest(data_home.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{identifier}.p{hex}")
}

/// Brings the window forward (restored, shown, focused) and logs which of those it did: the
/// end-to-end test of a second launch reads that line (tests/e2e/instance.test.js).
fn focus<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    tracing::info!("a second launch asked for this window");
    let mut done = Vec::new();
    for (step, result) in [
        ("unminimized", window.unminimize()),
        ("shown", window.show()),
        ("focused", window.set_focus()),
    ] {
        match result {
            Ok(()) => done.push(step),
            Err(e) => tracing::warn!("could not bring the window forward ({step}): {e}"),
        }
    }
    tracing::info!(
        "window brought forward for a second launch: {}",
        done.join(", ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_differs_per_data_home_and_is_a_valid_bus_name() {
        let a = dbus_id("jp.hakobu.dispatcher", "/tmp/a\n/root");
        let b = dbus_id("jp.hakobu.dispatcher", "/tmp/b\n/root");
        assert_ne!(a, b);
        assert_eq!(a, dbus_id("jp.hakobu.dispatcher", "/tmp/a\n/root"));
        let last = a.rsplit('.').next().unwrap();
        assert!(last.starts_with('p') && last.len() == 17, "{a}");
        assert!(a.len() <= 255);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_name_and_its_object_path_are_valid_for_libdbus() {
        let name = dbus_id("jp.hakobu.dispatcher", "/tmp/a\n/root");
        assert!(dbus::strings::BusName::new(name.as_str()).is_ok(), "{name}");
        let path = linux::object_path(&name);
        assert!(dbus::strings::Path::new(path.as_str()).is_ok(), "{path}");
    }
}
