// The app's commands get generated `allow-*` permissions, so the capability file can grant
// exactly the ones the UI uses.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_status",
            "list_stores",
            "sync_stores",
            "create_store",
            "update_store",
            "delete_store",
            "list_orders",
            "order_counts",
            "sync_orders",
            "outbox_rows",
            "discard_write",
            "replay_outbox",
            "list_drivers",
            "drivers_by_ids",
            "driver_trail",
            "list_time_zones",
            "slot_grid",
            "import_batch",
            "cancel_orders",
            "update_order",
            "create_order",
            "estimate_order",
            "reserve_window",
            "postal_lookup",
            "normalize_address",
            "save_export",
            "order_page",
            "order_keys",
            "board",
            "late_summary",
            "order_detail",
        ]),
    ))
    .expect("tauri build script");
}
