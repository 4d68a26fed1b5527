//! Where the commands' cache work runs: Tauri runs a plain `fn` command on the main thread,
//! which also draws the window, so a query over 50,000 orders or a trail read there stalls
//! scrolling and the map. Commands are `async` and hand their SQLite work to the blocking pool.

use std::sync::Arc;

use hakobu_dispatch::{CommandError, Dispatch, ErrorCode};

use crate::backend::Backend;

/// Runs `work` (a cache read or write) on the blocking pool.
pub async fn off_main<T: Send + 'static>(
    backend: &Backend,
    work: impl FnOnce(&Dispatch) -> Result<T, CommandError> + Send + 'static,
) -> Result<T, CommandError> {
    let dispatch: Arc<Dispatch> = backend.dispatch();
    tauri::async_runtime::spawn_blocking(move || work(&dispatch))
        .await
        .map_err(|e| CommandError::new(ErrorCode::Internal, format!("cache work stopped: {e}")))?
}
