//! The cache's changes reach the window down a `tauri::ipc::Channel` the window opens
//! (`watch_cache_changes`), not as a global event. An event is delivered by evaluating a script
//! with the payload spliced into its source, and WebKit keeps memory in proportion to the
//! script source it is handed; at 2,000 driver moves a second that is most of what the web
//! process grew by (ui/MAP-BENCHMARKS.md). A channel hands a payload over 8 KB to the page as
//! the answer of a fetch the page makes (Tauri's channel protocol) and only small ones as a
//! script, so the moves' rows never become script source.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use hakobu_dispatch::Changes;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};

use crate::page_loads::PageLoads;

/// The window's open channel and the page load that opened it: one window, and a reloaded
/// page opens a new one that replaces the old. Until it does, nothing is sent: a payload over
/// 8 KB sent to a page that is gone would be kept by Tauri for the window's lifetime
/// (page_loads.rs). `dropped_on`: the last page load during which a change was dropped that
/// way (0: none), so the page learns whether its first reads may have missed one.
#[derive(Default)]
pub struct ChangeChannel {
    open: Mutex<Option<(u64, Channel<Changes>)>>,
    dropped_on: AtomicU64,
}

/// Hands `changes` to the window; nothing when its page has not opened a channel (yet): a
/// page reads everything when it starts.
pub fn send(app: &AppHandle, changes: &Changes) -> tauri::Result<()> {
    let state = app.state::<ChangeChannel>();
    let channel = {
        let mut open = state.open.lock().unwrap_or_else(|p| p.into_inner());
        // Read under the lock: a page number read before it could be a reloaded page's, and
        // would then close the new page's channel and mark the drop against the old one.
        let page = app.state::<PageLoads>().current();
        if open
            .as_ref()
            .is_some_and(|(opened_by, _)| *opened_by != page)
        {
            *open = None;
        }
        let channel = open.as_ref().map(|(_, channel)| channel.clone());
        // Under the lock `watch_cache_changes` takes: the page opening its channel sees this.
        if channel.is_none() {
            state.dropped_on.store(page, Ordering::Release);
        }
        channel
    };
    match channel {
        Some(channel) => channel.send(changes.clone()),
        None => Ok(()),
    }
}

/// Opened by the window's event hub once per page: every later `cache-changed` comes down
/// `channel`, until the page is reloaded. Answers whether a change was dropped since this page
/// started loading (its views then re-read once); at a start with nothing changing, the
/// views' first reads stand and are not sent again (the board's read over 50,000 orders
/// twice, ui/START-BENCHMARKS.md session 6).
#[tauri::command]
pub fn watch_cache_changes(
    state: tauri::State<'_, ChangeChannel>,
    loads: tauri::State<'_, PageLoads>,
    channel: Channel<Changes>,
) -> bool {
    let page = loads.current();
    // Under the lock `send` takes: a change either reaches this channel or was counted.
    let mut open = state.open.lock().unwrap_or_else(|p| p.into_inner());
    *open = Some((page, channel));
    state.dropped_on.load(Ordering::Acquire) == page
}
