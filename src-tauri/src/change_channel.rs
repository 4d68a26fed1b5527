//! The cache's changes reach the window down a `tauri::ipc::Channel` the window opens
//! (`watch_cache_changes`), not as a global event. An event is delivered by evaluating a script
//! with the payload spliced into its source, and WebKit keeps memory in proportion to the
//! script source it is handed; at 2,000 driver moves a second that is most of what the web
//! process grew by (ui/MAP-BENCHMARKS.md). A channel hands a payload over 8 KB to the page as
//! the answer of a fetch the page makes (Tauri's channel protocol) and only small ones as a
//! script, so the moves' rows never become script source.

use std::sync::{Mutex, PoisonError};

use hakobu_dispatch::Changes;
use tauri::ipc::Channel;
use tauri::{AppHandle, Manager};

use crate::page_loads::PageLoads;

/// The window's open channel, as Tauri state.
#[derive(Default)]
pub struct ChangeChannel(Mutex<Watch<Channel<Changes>>>);

/// The window's open channel and the page load that opened it: one window, and a reloaded
/// page opens a new one that replaces the old. Until it does, nothing is sent: a payload over
/// 8 KB sent to a page that is gone would be kept by Tauri for the window's lifetime
/// (page_loads.rs). `dropped_on`: the last page load during which a change was dropped that
/// way (0: none), so the page learns whether its first reads may have missed one. Generic over
/// the channel so its rules are tested without a window.
struct Watch<C> {
    open: Option<(u64, C)>,
    dropped_on: u64,
}

impl<C> Default for Watch<C> {
    fn default() -> Self {
        Watch {
            open: None,
            dropped_on: 0,
        }
    }
}

impl<C: Clone> Watch<C> {
    /// Where a change goes while the window shows `page`: its page's channel, or none — a
    /// channel of an earlier page is closed, and the drop is noted against `page`.
    fn channel_for(&mut self, page: u64) -> Option<C> {
        if self
            .open
            .as_ref()
            .is_some_and(|(opened_by, _)| *opened_by != page)
        {
            self.open = None;
        }
        let channel = self.open.as_ref().map(|(_, channel)| channel.clone());
        if channel.is_none() {
            self.dropped_on = page;
        }
        channel
    }

    /// `page` opens `channel`; whether a change was dropped since it started loading.
    fn open(&mut self, page: u64, channel: C) -> bool {
        self.open = Some((page, channel));
        self.dropped_on == page
    }
}

/// Hands `changes` to the window; nothing when its page has not opened a channel (yet): a
/// page reads everything when it starts.
pub fn send(app: &AppHandle, changes: &Changes) -> tauri::Result<()> {
    let channel = {
        let mut watch = app
            .state::<ChangeChannel>()
            .inner()
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // The page read under the lock `watch_cache_changes` takes: a page number read before
        // it could be a reloaded page's, and would then close the new page's channel and mark
        // the drop against the old one.
        watch.channel_for(app.state::<PageLoads>().current())
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
    // Under the lock `send` takes: a change either reaches this channel or was counted.
    let mut watch = state.0.lock().unwrap_or_else(PoisonError::into_inner);
    watch.open(loads.current(), channel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_hears_whether_a_change_was_dropped_while_it_loaded() {
        let mut watch = Watch::<&str>::default();
        // Page 1 loads; a change comes before it opens its channel: dropped, and it is told.
        assert_eq!(watch.channel_for(1), None);
        assert!(watch.open(1, "one"), "dropped during page 1: re-read");
        assert_eq!(watch.channel_for(1), Some("one"));
        // Page 2 (a reload) opens with nothing dropped meanwhile: its first reads stand.
        assert!(!watch.open(2, "two"));
        assert_eq!(watch.channel_for(2), Some("two"));
    }

    #[test]
    fn a_reloaded_pages_change_closes_the_old_channel_and_counts_for_the_new_page() {
        let mut watch = Watch::<&str>::default();
        assert!(!watch.open(1, "one"));
        // The window shows page 2 now; page 1's channel is gone, the drop is page 2's.
        assert_eq!(watch.channel_for(2), None);
        assert!(watch.open(2, "two"), "page 2 re-reads");
        // A change noted against an older page does not make a later page re-read.
        assert_eq!(watch.channel_for(3), None);
        assert!(!watch.open(4, "four"));
    }
}
