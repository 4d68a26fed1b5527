//! Geocoding answers already given, by the exact input line. The gazetteer never changes after
//! it is loaded, so an answer stays right for as long as the gazetteer lives; a server that
//! places the same stores and customers again and again (the sandbox's estimates) then pays
//! for a hash lookup and a clone instead of normalising and matching the address each time.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::geocode::{GeocodeError, Geocoded};

/// Lines kept per generation: two generations bound the memory to a few thousand answers.
const GENERATION: usize = 2048;

type Answer = Result<Geocoded, GeocodeError>;

/// A bounded cache that keeps what was used recently: when the current generation is full it
/// becomes the old one and the previous old one is dropped; a line found in the old generation
/// moves to the current one. Close to LRU without per-entry bookkeeping.
#[derive(Debug, Default)]
pub(crate) struct Answers(Mutex<Generations>);

#[derive(Debug, Default)]
struct Generations {
    current: HashMap<Box<str>, Answer>,
    old: HashMap<Box<str>, Answer>,
}

impl Generations {
    fn insert(&mut self, line: Box<str>, answer: Answer) {
        if self.current.len() >= GENERATION {
            self.old = std::mem::take(&mut self.current);
        }
        self.current.insert(line, answer);
    }
}

impl Answers {
    pub(crate) fn get_or(&self, line: &str, compute: impl FnOnce() -> Answer) -> Answer {
        {
            let mut g = self.0.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(answer) = g.current.get(line) {
                return answer.clone();
            }
            if let Some((line, answer)) = g.old.remove_entry(line) {
                g.insert(line, answer.clone());
                return answer;
            }
        }
        // Computed without the lock: other threads' lookups need not wait for it.
        let answer = compute();
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(line.into(), answer.clone());
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_once_then_from_memory_and_stays_bounded() {
        let answers = Answers::default();
        let mut computed = 0;
        for round in 0..2 {
            for i in 0..3 * GENERATION {
                let line = format!("line {}", i % 10);
                let got = answers.get_or(&line, || {
                    computed += 1;
                    Err(GeocodeError::NotFound(line.clone()))
                });
                assert_eq!(got, Err(GeocodeError::NotFound(line)), "round {round}");
            }
        }
        assert_eq!(computed, 10, "each line computed once");
        for i in 0..3 * GENERATION {
            let got = answers.get_or(&format!("other {i}"), || Err(GeocodeError::Empty));
            assert_eq!(got, Err(GeocodeError::Empty));
        }
        let g = answers.0.lock().unwrap();
        assert!(g.current.len() <= GENERATION && g.old.len() <= GENERATION);
    }
}
