//! WebKit's memory settings for the app's window (issue 23: ≤ 300 MB PSS idle on the board; the
//! map with 2,000 moving drivers must not grow without bound). WebKit's web process reads them
//! from its environment, inherited from this process, so they are set before GTK starts it. A
//! value the user set wins. Measured in docs/decisions.md, "WebKit's memory".

/// (variable, value): why.
#[cfg(target_os = "linux")]
const SETTINGS: [(&str, &str); 2] = [
    // Skia paints the page's layers on the CPU, not through OpenGL (layers are still composited
    // by OpenGL). Where OpenGL is Mesa's software renderer — no GPU driver: CI, virtual
    // machines, the benchmark machine — its textures and Skia's GPU resource cache are the
    // web process's own memory: ~55 MB anonymous idle on the board.
    ("WEBKIT_SKIA_ENABLE_CPU_RENDERING", "1"),
    // JavaScriptCore sizes its heap's growth from the machine's RAM; on a 24 GB machine the
    // map's redraws (~20 a second, each leaving JS garbage behind) grew the web process
    // ~3 MB/s without a plateau. Sized as if it had 512 MiB the collector keeps up and the
    // process stays flat (1 GiB: bounded, ~50 MB higher and less steady).
    ("JSC_forceRAMSize", "536870912"),
];

/// Call first in `main`, before any thread or window exists: the environment is the process's.
pub fn before_webkit_starts() {
    #[cfg(target_os = "linux")]
    for (name, value) in SETTINGS {
        if std::env::var_os(name).is_some() {
            continue;
        }
        // glib's setenv, not std's (`unsafe` since Rust 2024, forbidden in this workspace):
        // called before any other thread runs, so nothing reads the environment meanwhile.
        if let Err(e) = webkit2gtk::glib::setenv(name, value, false) {
            eprintln!("could not set {name}: {e}");
        }
    }
}
