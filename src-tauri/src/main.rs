//! Hakobu desktop app: a Tauri window over hakobu-dispatch. With no API configured it starts
//! the DIAq sandbox in-process on loopback and works on that.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod backend;
mod batch_commands;
mod board_commands;
mod change_channel;
mod commands;
mod off_main;
mod order_commands;
mod page_loads;
mod plan_commands;
mod settings_commands;
mod single_instance;
mod webview_memory;

use tauri::Manager;

fn main() {
    webview_memory::before_webkit_starts();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let context = tauri::generate_context!();
    // First, so a second launch hands over before this one opens a window or the cache.
    #[cfg(target_os = "linux")]
    single_instance::claim(&context.config().identifier);
    let builder = tauri::Builder::default();
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(single_instance::plugin(&context.config().identifier));
    let app = builder
        // Before the backend starts sending: see change_channel.rs.
        .manage(change_channel::ChangeChannel::default())
        .manage(page_loads::PageLoads::default())
        .on_page_load(page_loads::on_page_load)
        .setup(|app| {
            #[cfg(target_os = "linux")]
            single_instance::serve(app.handle());
            let backend = backend::start(app.handle())?;
            app.manage(backend);
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::list_stores,
            commands::sync_stores,
            commands::create_store,
            commands::update_store,
            commands::delete_store,
            commands::list_orders,
            commands::order_counts,
            commands::sync_orders,
            commands::outbox_rows,
            commands::discard_write,
            settings_commands::settings_read,
            settings_commands::settings_test,
            settings_commands::settings_save,
            commands::replay_outbox,
            commands::list_drivers,
            commands::drivers_by_ids,
            commands::driver_trail,
            commands::list_time_zones,
            commands::slot_grid,
            batch_commands::import_batch,
            batch_commands::import_batch_bytes,
            batch_commands::recheck_batch_row,
            board_commands::order_page,
            board_commands::order_keys,
            board_commands::board,
            board_commands::board_counts,
            board_commands::late_summary,
            board_commands::order_detail,
            order_commands::cancel_orders,
            order_commands::update_order,
            order_commands::create_order,
            order_commands::estimate_order,
            order_commands::reserve_window,
            order_commands::postal_lookup,
            order_commands::normalize_address,
            order_commands::save_export,
            plan_commands::list_fleet,
            plan_commands::save_driver,
            plan_commands::delete_driver,
            plan_commands::plan_batch,
            plan_commands::cancel_plan,
            plan_commands::follow_plan,
            plan_commands::get_plan,
            plan_commands::list_plans,
            plan_commands::plan_edit,
            plan_commands::reoptimise_plan,
            plan_commands::send_plan,
            plan_commands::plan_job_progress,
            plan_commands::outsource_stops,
            change_channel::watch_cache_changes,
        ])
        .build(context);
    match app {
        Ok(app) => app.run(|_, _| {}),
        Err(e) => {
            eprintln!("Hakobu could not start: {e}");
            std::process::exit(1);
        }
    }
}
