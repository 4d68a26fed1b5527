//! Peer mode: the same instance, time and seed given to PyVRP (peer/pyvrp_peer.py), its routes
//! re-validated and measured by our checker in double precision.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use hakobu_solver::{
    PlannedRoute, PlannedStop, Solution, StopRole, UnassignedJob, UnassignedReason, check,
};

use crate::instances::Instance;

pub struct PeerOutcome {
    pub vehicles: usize,
    pub distance: f64,
    pub feasible: bool,
    pub seconds: f64,
    /// PyVRP's own iteration count (its iterations are not ours: compare rates within a solver).
    pub iterations: u64,
}

pub fn run_pyvrp(
    python: &Path,
    instance: &Instance,
    seconds: f64,
    seed: u64,
    hierarchical: bool,
) -> Result<PeerOutcome> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/peer/pyvrp_peer.py");
    let input = serde_json::json!({
        "nodes": instance.nodes,
        "vehicles": instance.vehicles,
        "capacity": instance.capacity,
        "pairs": instance.pairs,
        "seconds": seconds,
        "seed": seed,
        "hierarchical": hierarchical,
    });
    let started = Instant::now();
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", python.display()))?;
    child
        .stdin
        .take()
        .context("no stdin")?
        .write_all(input.to_string().as_bytes())?;
    let output = child.wait_with_output()?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!("PyVRP peer failed: {}", output.status);
    }
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    // Each visit is [job, kind]: "s" a single job, "p"/"d" a pair's pickup/delivery.
    let routes: Vec<Vec<(usize, String)>> = serde_json::from_value(answer["routes"].clone())?;
    let iterations = answer["iterations"].as_u64().unwrap_or(0);

    let mut served = vec![false; instance.problem.jobs.len()];
    let planned: Vec<PlannedRoute> = routes
        .iter()
        .enumerate()
        .map(|(vehicle, jobs)| PlannedRoute {
            vehicle,
            vehicle_id: String::new(),
            stops: jobs
                .iter()
                .map(|(job, kind)| {
                    let job = *job;
                    if let Some(s) = served.get_mut(job) {
                        *s = true;
                    }
                    PlannedStop {
                        job,
                        job_id: String::new(),
                        role: match kind.as_str() {
                            "p" => StopRole::Pickup,
                            "d" => StopRole::Delivery,
                            _ => StopRole::Single,
                        },
                        location: 0,
                        arrival: 0.0,
                        start: 0.0,
                    }
                })
                .collect(),
            distance: 0.0,
            end: 0.0,
        })
        .collect();
    let mut solution = Solution {
        routes: planned,
        unassigned: served
            .iter()
            .enumerate()
            .filter(|(_, s)| !**s)
            .map(|(job, _)| UnassignedJob {
                job,
                job_id: String::new(),
                reason: UnassignedReason::NoRoom,
            })
            .collect(),
        distance: 0.0,
        vehicles_used: 0,
        cost: 0.0,
        iterations: 0,
    };
    // The peer reports routes only: take the totals from a first check, then check for real.
    let totals = check(&instance.problem, &solution);
    solution.distance = totals.distance;
    solution.cost = totals.cost;
    solution.vehicles_used = totals.vehicles_used;
    let report = check(&instance.problem, &solution);
    if !report.is_feasible() {
        eprintln!(
            "{}: PyVRP plan rejected: {:?}",
            instance.name, report.violations
        );
    }
    Ok(PeerOutcome {
        vehicles: report.vehicles_used,
        distance: report.distance,
        feasible: report.is_feasible() && solution.unassigned.is_empty(),
        seconds,
        iterations,
    })
}
