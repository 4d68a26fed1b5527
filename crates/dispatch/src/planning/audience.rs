//! Who hears a running solve: the caller that started it, and every page that joined it since
//! (a page reloaded mid-solve, or the 計画 view opened again, has lost the starting call's
//! channel). The solve keeps its latest figures so that a page joining shows them at once
//! instead of an empty bar until the next report.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Dispatch;
use crate::planning::result::{PlanEvent, PlanProgress, PlanStarted};
use crate::planning::run::PlanListener;

/// A running solve's listeners and its latest report.
pub(crate) struct Audience(Mutex<Heard>);

struct Heard {
    listeners: Vec<PlanListener>,
    latest: Option<PlanProgress>,
}

impl Audience {
    pub(crate) fn new(first: PlanListener) -> Arc<Audience> {
        Arc::new(Audience(Mutex::new(Heard {
            listeners: vec![first],
            latest: None,
        })))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Heard> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a listener; the latest report so far, which it has not heard.
    fn join(&self, listener: PlanListener) -> Option<PlanProgress> {
        let mut heard = self.lock();
        heard.listeners.push(listener);
        heard.latest.clone()
    }

    /// Tells every listener, outside the lock (a listener may be slow: a page's channel). A
    /// listener whose page is gone must not fail the solve: listeners swallow their own errors
    /// (see `PlanListener`).
    pub(crate) fn tell(&self, event: PlanEvent) {
        let listeners = {
            let mut heard = self.lock();
            if let PlanEvent::Progress(p) = &event {
                heard.latest = Some(p.clone());
            }
            heard.listeners.clone()
        };
        let Some((last, others)) = listeners.split_last() else {
            return;
        };
        for listener in others {
            listener(event.clone());
        }
        last(event);
    }
}

/// `follow_plan`'s answer: the solve running now, and its latest figures (none before its first
/// report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct PlanRunning {
    /// What the starting call answered: the plan id names it to `cancel_plan`.
    pub started: PlanStarted,
    pub progress: Option<PlanProgress>,
}

impl Dispatch {
    /// The solve running now (the latest started, if a script started several), with
    /// `on_event` added to its listeners: its further reports, previews and its end. `None`
    /// when none runs — then nothing will be heard. Joining and a solve's end are ordered by
    /// the running set's lock: a listener that joined hears the end.
    pub fn follow_plan(&self, on_event: PlanListener) -> Option<PlanRunning> {
        let solves = self.running_plans.lock();
        let solve = solves.latest()?;
        let progress = solve.audience.join(on_event);
        Some(PlanRunning {
            started: solve.started.clone(),
            progress,
        })
    }
}
