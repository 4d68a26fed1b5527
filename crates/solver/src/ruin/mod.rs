//! Ruin operators: each takes jobs off routes (into `unassigned`) for a recreate step to place.

mod route_pair_removal;
mod route_removal;
mod string_removal;
mod vehicle_change;

pub(crate) use route_pair_removal::RoutePairRemoval;
pub(crate) use route_removal::RouteRemoval;
pub(crate) use string_removal::StringRemoval;
pub(crate) use vehicle_change::VehicleChange;

use rand::RngCore;

use crate::model::Model;
use crate::solution::WorkingSolution;

pub(crate) trait Ruin {
    fn ruin(&self, model: &Model, solution: &mut WorkingSolution, rng: &mut dyn RngCore);
}
