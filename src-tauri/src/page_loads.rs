//! Counts the window's page loads, so what was started for one page can tell that page is gone
//! (reloaded). A `tauri::ipc::Channel` outlives its page: a payload over 8 KB sent down it is
//! kept by Tauri until the page fetches it, and a reloaded page never will — for the window's
//! lifetime, as the window itself is still there. A solve's previews (whole plans) must not
//! pile up so.

use std::sync::atomic::{AtomicU64, Ordering};

use tauri::webview::{PageLoadEvent, PageLoadPayload};
use tauri::{Manager, Runtime, Webview};

#[derive(Default)]
pub struct PageLoads(AtomicU64);

impl PageLoads {
    /// Which page load the window is on.
    pub fn current(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}

/// `Builder::on_page_load`: a new page starts (the first one, a reload, a navigation).
pub fn on_page_load<R: Runtime>(webview: &Webview<R>, payload: &PageLoadPayload<'_>) {
    if payload.event() == PageLoadEvent::Started
        && let Some(loads) = webview.try_state::<PageLoads>()
    {
        let n = loads.0.fetch_add(1, Ordering::AcqRel) + 1;
        // Rare (a start, a reload): worth a line when a page's channels fall silent.
        tracing::info!("page load {n} started: {}", payload.url());
    }
}
