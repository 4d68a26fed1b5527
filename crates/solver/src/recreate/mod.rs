//! Recreate operators: place unassigned jobs back on open routes.

mod greedy_blinks;

pub(crate) use greedy_blinks::GreedyBlinks;

use rand::RngCore;

use crate::model::Model;
use crate::solution::WorkingSolution;

pub(crate) trait Recreate {
    fn recreate(&self, model: &Model, solution: &mut WorkingSolution, rng: &mut dyn RngCore);
}
