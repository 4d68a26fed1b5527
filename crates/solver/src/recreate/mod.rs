//! Recreate operators: place unassigned jobs back on open routes.

mod greedy_blinks;
mod insertion;

pub(crate) use greedy_blinks::GreedyBlinks;
#[cfg(test)]
pub(crate) use insertion::{Blinks, best_single};

use rand::RngCore;

use crate::model::Model;
use crate::solution::WorkingSolution;

pub(crate) trait Recreate {
    fn recreate(&self, model: &Model, solution: &mut WorkingSolution, rng: &mut dyn RngCore);
}
