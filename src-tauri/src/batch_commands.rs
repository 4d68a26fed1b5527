//! `#[tauri::command]` adapters of the planning screen's batch panel: a file picked in the
//! system dialog (its bytes, sent as the raw IPC body), a file dropped on the window (its path,
//! from Tauri's drop event), and one row checked again after an inline fix. No logic lives
//! here: the size cap, the reading and the checks are `hakobu_dispatch::batch`'s.

use hakobu_dispatch::{
    BatchError, BatchFormat, BatchReport, BatchRowEdit, CommandError, RowReport,
};
use tauri::State;
use tauri::ipc::{InvokeBody, Request};

use crate::backend::Backend;
use crate::off_main::off_main;

type Reply<T> = Result<T, CommandError>;

/// The format a file name's extension names, if any (else the content decides).
fn format_of(name: &str) -> Option<BatchFormat> {
    let (_, extension) = name.rsplit_once('.')?;
    BatchFormat::from_extension(extension)
}

/// A file dropped on the window: Tauri's drop event gives the UI its path. Its size is
/// checked on disk before it is read.
#[tauri::command]
pub async fn import_batch(backend: State<'_, Backend>, path: String) -> Reply<BatchReport> {
    off_main(&backend, move |d| {
        let cannot = |e: std::io::Error| {
            CommandError::bad_field("file", format!("file: cannot be read ({e}): {path}"))
        };
        let size = std::fs::metadata(&path).map_err(cannot)?.len();
        BatchError::check_size(size)?;
        let bytes = std::fs::read(&path).map_err(cannot)?;
        d.import_batch(&bytes, format_of(&path))
    })
    .await
}

/// A file picked with `<input type=file>`: the webview has its bytes, not its path. They come
/// as the raw body (no JSON array of numbers); the header `x-file-name` carries the name
/// (percent-encoded, as headers are ASCII) for its extension.
#[tauri::command]
pub async fn import_batch_bytes(
    backend: State<'_, Backend>,
    request: Request<'_>,
) -> Reply<BatchReport> {
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(CommandError::bad_field(
            "file",
            "file: must be sent as raw bytes",
        ));
    };
    let bytes = bytes.clone();
    let format = request
        .headers()
        .get("x-file-name")
        .and_then(|v| v.to_str().ok())
        .and_then(format_of);
    off_main(&backend, move |d| d.import_batch(&bytes, format)).await
}

/// One row checked and geocoded again after the dispatcher changed its address or town.
#[tauri::command]
pub async fn recheck_batch_row(backend: State<'_, Backend>, row: BatchRowEdit) -> Reply<RowReport> {
    off_main(&backend, move |d| d.recheck_batch_row(row)).await
}
