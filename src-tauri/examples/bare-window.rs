//! The floor of the start and memory benchmark (`make start-bench`): a Tauri window of the
//! app's size with nothing in it (about:blank), built with the app's Tauri, features and
//! release profile, so what the app measures above this is the app's own. An example, so it is
//! never bundled with the app nor built by `make app`.

fn main() {
    let mut context = tauri::generate_context!();
    // Not the app's window (it would load the app): one blank window of the same size.
    context.config_mut().app.windows.clear();
    let blank = match "about:blank".parse() {
        Ok(url) => tauri::WebviewUrl::External(url),
        Err(e) => panic!("about:blank is a URL: {e}"),
    };
    let built = tauri::Builder::default()
        .setup(move |app| {
            tauri::WebviewWindowBuilder::new(app, "bare", blank)
                .title("bare")
                .inner_size(1280.0, 800.0)
                .build()?;
            Ok(())
        })
        .run(context);
    if let Err(e) = built {
        eprintln!("bare window: {e}");
        std::process::exit(1);
    }
}
