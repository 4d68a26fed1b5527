//! Readers for the Solomon (VRPTW) and Li & Lim (PDPTW) text formats and their BKS tables.

use anyhow::{Context, Result, bail};
use hakobu_solver::{Job, Problem, Profile, Stop, Task, TimeWindow, Vehicle};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Solomon,
    LiLim,
}

struct Node {
    x: f64,
    y: f64,
    demand: i64,
    ready: f64,
    due: f64,
    service: f64,
    delivery_index: usize,
}

pub struct Instance {
    pub name: String,
    pub problem: Problem,
    /// The file's numbers, for a peer solver: vehicle count, capacity and per node
    /// [x, y, demand, ready, due, service] (node 0 is the depot).
    pub vehicles: usize,
    pub capacity: i64,
    pub nodes: Vec<[f64; 6]>,
    /// Li & Lim: each job's (pickup node, delivery node), in job order; empty for Solomon.
    pub pairs: Vec<(usize, usize)>,
}

fn numbers(line: &str) -> Option<Vec<f64>> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.is_empty() {
        return None;
    }
    fields.iter().map(|f| f.parse::<f64>().ok()).collect()
}

/// Li & Lim files start with a three-number line "K Q speed"; Solomon files with a name.
pub fn detect(text: &str) -> Format {
    match text
        .lines()
        .find(|l| !l.trim().is_empty())
        .and_then(numbers)
    {
        Some(values) if values.len() == 3 => Format::LiLim,
        _ => Format::Solomon,
    }
}

pub fn parse(name: &str, text: &str) -> Result<Instance> {
    let format = detect(text);
    let rows: Vec<Vec<f64>> = text.lines().filter_map(numbers).collect();
    let (vehicles, capacity, nodes) = match format {
        Format::Solomon => {
            // First numeric row: vehicle count and capacity; then one row of 7 per customer.
            let fleet = rows.first().context("no vehicle line")?;
            let nodes: Vec<Node> = rows[1..]
                .iter()
                .filter(|r| r.len() == 7)
                .map(|r| Node {
                    x: r[1],
                    y: r[2],
                    demand: r[3] as i64,
                    ready: r[4],
                    due: r[5],
                    service: r[6],
                    delivery_index: 0,
                })
                .collect();
            (fleet[0] as usize, fleet[1] as i64, nodes)
        }
        Format::LiLim => {
            let fleet = rows.first().context("no vehicle line")?;
            let nodes: Vec<Node> = rows[1..]
                .iter()
                .filter(|r| r.len() == 9)
                .map(|r| Node {
                    x: r[1],
                    y: r[2],
                    demand: r[3] as i64,
                    ready: r[4],
                    due: r[5],
                    service: r[6],
                    delivery_index: r[8] as usize,
                })
                .collect();
            (fleet[0] as usize, fleet[1] as i64, nodes)
        }
    };
    if nodes.len() < 2 {
        bail!("{name}: fewer than two nodes");
    }
    let matrix: Vec<Vec<f64>> = nodes
        .iter()
        .map(|a| {
            nodes
                .iter()
                .map(|b| ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt())
                .collect()
        })
        .collect();
    let stop = |i: usize| Stop {
        location: i,
        service: nodes[i].service,
        windows: vec![TimeWindow::new(nodes[i].ready, nodes[i].due)],
    };
    let jobs: Vec<Job> = match format {
        Format::Solomon => (1..nodes.len())
            .map(|i| Job {
                id: i.to_string(),
                task: Task::Single {
                    stop: stop(i),
                    delivery: vec![nodes[i].demand],
                    pickup: vec![0],
                },
                penalty: hakobu_solver::DEFAULT_UNASSIGNED_PENALTY,
            })
            .collect(),
        Format::LiLim => (1..nodes.len())
            .filter(|&i| nodes[i].delivery_index > 0)
            .map(|i| Job {
                id: format!("{i}-{}", nodes[i].delivery_index),
                task: Task::Pair {
                    pickup: stop(i),
                    delivery: stop(nodes[i].delivery_index),
                    amount: vec![nodes[i].demand],
                },
                penalty: hakobu_solver::DEFAULT_UNASSIGNED_PENALTY,
            })
            .collect(),
    };
    let depot = &nodes[0];
    let problem = Problem {
        profiles: vec![Profile {
            name: "euclidean".into(),
            durations: matrix,
            distances: Vec::new(),
        }],
        vehicles: (0..vehicles)
            .map(|k| Vehicle {
                id: format!("v{k}"),
                profile: 0,
                start: Some(0),
                end: Some(0),
                shift: TimeWindow::new(depot.ready, depot.due),
                capacity: vec![capacity],
                fixed_cost: 0.0,
                max_duration: None,
            })
            .collect(),
        jobs,
    };
    problem
        .validate()
        .with_context(|| format!("{name}: invalid"))?;
    Ok(Instance {
        name: name.to_string(),
        problem,
        vehicles,
        capacity,
        nodes: nodes
            .iter()
            .map(|n| [n.x, n.y, n.demand as f64, n.ready, n.due, n.service])
            .collect(),
        pairs: match format {
            Format::Solomon => Vec::new(),
            Format::LiLim => (1..nodes.len())
                .filter(|&i| nodes[i].delivery_index > 0)
                .map(|i| (i, nodes[i].delivery_index))
                .collect(),
        },
    })
}

/// Best-known (vehicles, distance) for one instance under one objective.
#[derive(Debug, Clone, Copy)]
pub struct BestKnown {
    pub vehicles: usize,
    pub distance: f64,
}

/// Reads BKS.csv: Solomon columns `hier_*`/`distonly_*`, Li & Lim `sintef_sol_*` (hierarchical)
/// and `pyvrp_distance_only_vehicles_distance` ("10/828.94", distance-only reference).
pub fn best_known(
    csv: &str,
    hierarchical: bool,
) -> Result<std::collections::HashMap<String, BestKnown>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().context("empty BKS.csv")?.split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name);
    let mut table = std::collections::HashMap::new();
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        let cell = |i: Option<usize>| i.and_then(|i| cells.get(i)).map(|c| c.trim());
        let pair = if hierarchical {
            let v = cell(column("hier_vehicles").or(column("sintef_sol_vehicles")));
            let d = cell(column("hier_distance").or(column("sintef_sol_distance")));
            v.zip(d).map(|(v, d)| (v.to_string(), d.to_string()))
        } else if let Some(combined) = cell(column("pyvrp_distance_only_vehicles_distance")) {
            combined
                .split_once('/')
                .map(|(v, d)| (v.to_string(), d.to_string()))
        } else {
            let v = cell(column("distonly_vehicles"));
            let d = cell(column("distonly_distance"));
            v.zip(d).map(|(v, d)| (v.to_string(), d.to_string()))
        };
        if let Some((v, d)) = pair
            && let (Ok(vehicles), Ok(distance)) = (v.parse(), d.parse())
        {
            table.insert(cells[0].to_lowercase(), BestKnown { vehicles, distance });
        }
    }
    Ok(table)
}
