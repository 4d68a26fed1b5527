//! The gazetteer as everything that geocodes holds it: possibly still loading. The app opens
//! its window while the 17 MB file is parsed on another thread (issue 23: nothing waits for it
//! that does not need it); what geocodes in the meantime waits for the outcome, once.

use std::fmt;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::Gazetteer;

/// A shared handle on the gazetteer: loaded, absent (no file: geocoding is off), or still
/// loading. Cloning shares the one load.
#[derive(Clone)]
pub struct SharedGazetteer {
    slot: Arc<Slot>,
}

struct Slot {
    /// `None` while loading; then the outcome, `Some(None)` when there is no gazetteer.
    outcome: Mutex<Option<Option<Arc<Gazetteer>>>>,
    settled: Condvar,
}

/// The loader's end: [`Settle::done`] gives the outcome. Dropped without it (the loading
/// thread panicked), the gazetteer settles as absent, so nobody waits for ever.
pub struct Settle {
    slot: Arc<Slot>,
}

impl SharedGazetteer {
    /// A gazetteer that is still loading, and the end its loader settles it with.
    pub fn loading() -> (SharedGazetteer, Settle) {
        let slot = Arc::new(Slot {
            outcome: Mutex::new(None),
            settled: Condvar::new(),
        });
        (SharedGazetteer { slot: slot.clone() }, Settle { slot })
    }

    /// One whose outcome is known now (tests, tools, and a second wiring of the same process).
    pub fn ready(gazetteer: Option<Arc<Gazetteer>>) -> SharedGazetteer {
        let (shared, settle) = SharedGazetteer::loading();
        settle.done(gazetteer);
        shared
    }

    /// The gazetteer, waiting while it loads; `None` when there is none.
    pub fn get(&self) -> Option<Arc<Gazetteer>> {
        let outcome = self
            .slot
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let outcome = self
            .slot
            .settled
            .wait_while(outcome, |o| o.is_none())
            .unwrap_or_else(PoisonError::into_inner);
        outcome.clone().flatten()
    }

    /// Whether the load has finished (with or without a gazetteer), without waiting.
    pub fn is_settled(&self) -> bool {
        self.slot
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }
}

impl Settle {
    /// Gives the load's outcome to every holder, and wakes whoever waits for it.
    pub fn done(self, gazetteer: Option<Arc<Gazetteer>>) {
        self.put(gazetteer);
    }

    fn put(&self, gazetteer: Option<Arc<Gazetteer>>) {
        let mut outcome = self
            .slot
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if outcome.is_none() {
            *outcome = Some(gazetteer);
            self.slot.settled.notify_all();
        }
    }
}

impl Drop for Settle {
    fn drop(&mut self) {
        // After `done` this changes nothing: the first outcome stays.
        self.put(None);
    }
}

impl Default for SharedGazetteer {
    /// No gazetteer.
    fn default() -> SharedGazetteer {
        SharedGazetteer::ready(None)
    }
}

impl From<Option<Arc<Gazetteer>>> for SharedGazetteer {
    fn from(gazetteer: Option<Arc<Gazetteer>>) -> SharedGazetteer {
        SharedGazetteer::ready(gazetteer)
    }
}

impl From<Arc<Gazetteer>> for SharedGazetteer {
    fn from(gazetteer: Arc<Gazetteer>) -> SharedGazetteer {
        SharedGazetteer::ready(Some(gazetteer))
    }
}

impl fmt::Debug for SharedGazetteer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match &*self
            .slot
            .outcome
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            None => "loading",
            Some(None) => "absent",
            Some(Some(_)) => "loaded",
        };
        f.write_str(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn tiny() -> Arc<Gazetteer> {
        Arc::new(Gazetteer::parse(crate::gazetteer::FORMAT_HEADER).expect("a header alone parses"))
    }

    #[test]
    fn a_reader_waits_for_the_load_and_gets_its_outcome() {
        let (shared, settle) = SharedGazetteer::loading();
        assert!(!shared.is_settled());
        assert_eq!(format!("{shared:?}"), "loading");
        let reader = {
            let shared = shared.clone();
            std::thread::spawn(move || shared.get().is_some())
        };
        std::thread::sleep(Duration::from_millis(20));
        assert!(!reader.is_finished(), "the reader returned before the load");
        settle.done(Some(tiny()));
        assert!(reader.join().expect("reader"));
        assert!(shared.is_settled());
        assert_eq!(format!("{shared:?}"), "loaded");
    }

    #[test]
    fn a_loader_that_dies_settles_as_absent() {
        let (shared, settle) = SharedGazetteer::loading();
        let loader = std::thread::spawn(move || {
            let _settle = settle;
            panic!("the file could not be parsed");
        });
        assert!(loader.join().is_err());
        assert!(shared.get().is_none());
        assert_eq!(format!("{shared:?}"), "absent");
    }

    #[test]
    fn the_first_outcome_stays() {
        let shared = SharedGazetteer::ready(None);
        assert!(shared.is_settled());
        assert!(shared.get().is_none());
        let from: SharedGazetteer = tiny().into();
        assert!(from.get().is_some());
        assert!(SharedGazetteer::default().get().is_none());
    }
}
