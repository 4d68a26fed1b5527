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

/// A file dropped on the window: Tauri's drop event gives the UI its path. A folder or a
/// file that is not a CSV or JSON file is refused by name, and the size is checked on disk,
/// before it is read.
#[tauri::command]
pub async fn import_batch(backend: State<'_, Backend>, path: String) -> Reply<BatchReport> {
    off_main(&backend, move |d| {
        let cannot = |e: std::io::Error| -> CommandError {
            BatchError::Unreadable {
                path: path.clone(),
                reason: e.to_string(),
            }
            .into()
        };
        let meta = std::fs::metadata(&path).map_err(cannot)?;
        if meta.is_dir() {
            let name = std::path::Path::new(&path)
                .file_name()
                .map_or_else(|| path.clone(), |n| n.to_string_lossy().into_owned());
            return Err(BatchError::Folder { name }.into());
        }
        let format = BatchFormat::of_file_name(&path)?;
        BatchError::check_size(meta.len())?;
        let bytes = std::fs::read(&path).map_err(cannot)?;
        d.import_batch(&bytes, format)
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
        .map(|v| BatchFormat::of_file_name(&percent_decoded(v)))
        .transpose()?
        .flatten();
    off_main(&backend, move |d| d.import_batch(&bytes, format)).await
}

/// One row checked and geocoded again after the dispatcher changed its address or town.
#[tauri::command]
pub async fn recheck_batch_row(backend: State<'_, Backend>, row: BatchRowEdit) -> Reply<RowReport> {
    off_main(&backend, move |d| d.recheck_batch_row(row)).await
}

/// The `x-file-name` header as the page wrote it (`encodeURIComponent`), for a refusal that
/// names the file as the dispatcher sees it.
fn percent_decoded(header: &str) -> String {
    let bytes = header.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::percent_decoded;

    #[test]
    fn the_file_name_header_reads_back_as_written() {
        assert_eq!(percent_decoded("%E5%86%99%E7%9C%9F.png"), "写真.png");
        assert_eq!(percent_decoded("a%2"), "a%2");
    }
}
