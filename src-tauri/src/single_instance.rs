//! A second launch of Hakobu on the same data directory focuses the running window instead of
//! starting again (tauri-plugin-single-instance: a D-Bus name on Linux). The name carries a
//! digest of the data directory's location, so separate profiles — another `XDG_DATA_HOME`,
//! as the end-to-end tests and a second account use — are separate instances. Where no session
//! bus runs, the plugin lets the launch go on and the data directory's lock refuses it
//! (`hakobu_dispatch::DataDirLock`).

use sha2::{Digest, Sha256};
use tauri::{AppHandle, Manager, Runtime};

/// The label of the one window (tauri.conf.json).
const MAIN_WINDOW: &str = "main";

/// The plugin, named for this data directory.
pub fn plugin<R: Runtime>(identifier: &str) -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_single_instance::Builder::new()
        .dbus_id(dbus_id(identifier, &data_home()))
        .callback(|app, _argv, _cwd| focus(app))
        .build()
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

fn focus<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window(MAIN_WINDOW) else {
        return;
    };
    tracing::info!("a second launch asked for this window");
    for result in [window.unminimize(), window.show(), window.set_focus()] {
        if let Err(e) = result {
            tracing::warn!("could not bring the window forward: {e}");
        }
    }
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
}
