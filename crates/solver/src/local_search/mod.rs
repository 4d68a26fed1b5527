//! Local search: improving moves applied to a solution until none is left.

mod tail_exchange;
mod vehicle_swap;

pub(crate) use tail_exchange::TailExchange;
pub(crate) use vehicle_swap::VehicleSwap;

use crate::model::Model;
use crate::solution::WorkingSolution;

pub(crate) trait Improve {
    /// Applies improving moves; returns whether anything changed.
    fn improve(&self, model: &Model, solution: &mut WorkingSolution) -> bool;
}
