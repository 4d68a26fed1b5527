//! The BENCHMARKS.md table: one section per (set, objective), replaced on each run.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;

use crate::{Args, Outcome};

fn gap(o: &Outcome) -> Option<f64> {
    // Rounded to the table's precision so that an exact match never prints as "-0.00".
    o.best_known
        .map(|b| (100.0 * (o.distance - b.distance) / b.distance * 100.0).round() / 100.0 + 0.0)
}

fn peer_gap(o: &Outcome) -> Option<f64> {
    let p = o.peer.as_ref()?;
    o.best_known
        .map(|b| (100.0 * (p.distance - b.distance) / b.distance * 100.0).round() / 100.0 + 0.0)
}

/// Iterations per second of a run (our iterations; the scale and threads comparisons need the rate).
fn rate(iterations: u64, seconds: f64) -> f64 {
    iterations as f64 / seconds.max(1e-9)
}

fn peer_cells(o: &Outcome) -> String {
    match &o.peer {
        None => String::new(),
        Some(p) => format!(
            " {} | {:.2} | {} | {} | {:.0} |",
            p.vehicles,
            p.distance,
            peer_gap(o).map_or("-".to_string(), |g| format!("{g:.2}")),
            if p.feasible { "yes" } else { "NO" },
            rate(p.iterations, p.seconds),
        ),
    }
}

pub fn line(o: &Outcome) -> String {
    let (bv, bd) = o
        .best_known
        .map_or(("-".to_string(), "-".to_string()), |b| {
            (b.vehicles.to_string(), format!("{:.2}", b.distance))
        });
    format!(
        "| {} | {} | {:.2} | {} | {} | {} | {:.1} | {} | {:.0} | {} |{}",
        o.name,
        o.vehicles,
        o.distance,
        bv,
        bd,
        gap(o).map_or("-".to_string(), |g| format!("{g:.2}")),
        o.seconds,
        o.iterations,
        rate(o.iterations, o.seconds),
        if o.feasible {
            "yes".to_string()
        } else {
            format!("NO ({} unassigned)", o.unassigned)
        },
        peer_cells(o),
    )
}

pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{cpu}, nproc {cores}")
}

pub fn today() -> String {
    std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%d %H:%M UTC"])
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

pub fn marker(label: &str, hierarchical: bool) -> String {
    format!(
        "<!-- bench:{label}:{} -->",
        if hierarchical {
            "hierarchical"
        } else {
            "distance"
        }
    )
}

pub fn section(label: &str, hierarchical: bool, args: &Args, outcomes: &[Outcome]) -> String {
    let mut s = String::new();
    let objective = if hierarchical {
        "hierarchical (vehicles, then distance)"
    } else {
        "distance only"
    };
    let _ = writeln!(s, "{}", marker(label, hierarchical));
    let _ = writeln!(s, "## {label} — {objective}\n");
    let _ = writeln!(
        s,
        "{}; {}; {} s per instance, {} instance(s) in parallel, seed {}, T0 {} → Tf {}{}{}{}.\n",
        today(),
        machine(),
        args.seconds,
        args.threads,
        args.seed,
        args.t0,
        args.tf,
        if hierarchical {
            format!(
                ", fleet share {} (warm start {})",
                args.fleet_share, args.warm_share
            )
        } else {
            String::new()
        },
        args.only
            .as_deref()
            .map_or(String::new(), |o| format!(", only {o}"))
            + if args.sample.is_some() {
                ", sample issue25"
            } else {
                ""
            },
        if args.no_local_search {
            ", no local search"
        } else {
            ""
        }
    );
    let objective_arg = if hierarchical {
        "hierarchical"
    } else {
        "distance"
    };
    let sample = if args.sample.is_some() {
        " --sample issue25".to_string()
    } else {
        String::new()
    } + &args
        .only
        .as_deref()
        .map_or(String::new(), |o| format!(" --only {o}"));
    let peer = if args.peer.is_some() {
        format!(" --peer pyvrp --python {}", args.python.display())
    } else {
        String::new()
    };
    let polish = crate::search_flags(args);
    let source = args.dir.as_ref().map_or(format!("--set {label}"), |d| {
        format!("--dir {}", d.display())
    });
    let _ = writeln!(
        s,
        "`cargo run --release -p hakobu-solver --bin bench -- {source} --seconds {} --objective {objective_arg} --threads {} --seed {} --t0 {} --tf {}{}{polish}{sample}{peer}`\n",
        args.seconds,
        args.threads,
        args.seed,
        args.t0,
        args.tf,
        if hierarchical {
            format!(
                " --fleet-share {} --warm-share {}",
                args.fleet_share, args.warm_share
            )
        } else {
            String::new()
        }
    );
    let gaps: Vec<f64> = outcomes.iter().filter_map(gap).collect();
    let mean = gaps.iter().sum::<f64>() / gaps.len().max(1) as f64;
    let vehicles: usize = outcomes.iter().map(|o| o.vehicles).sum();
    let bks_vehicles: usize = outcomes
        .iter()
        .filter_map(|o| o.best_known)
        .map(|b| b.vehicles)
        .sum();
    let matched = outcomes
        .iter()
        .filter(|o| o.best_known.is_some_and(|b| b.vehicles == o.vehicles))
        .count();
    let fewer = outcomes
        .iter()
        .filter(|o| o.best_known.is_some_and(|b| o.vehicles < b.vehicles))
        .count();
    let infeasible = outcomes.iter().filter(|o| !o.feasible).count();
    let rates: Vec<f64> = outcomes
        .iter()
        .map(|o| rate(o.iterations, o.seconds))
        .collect();
    let mean_rate = rates.iter().sum::<f64>() / rates.len().max(1) as f64;
    let _ = writeln!(
        s,
        "**Mean gap {mean:.2} %** over {} instances; vehicles {vehicles} (BKS {bks_vehicles}); \
         vehicle count equal to BKS on {matched}/{}{}; checker-rejected or incomplete: {infeasible}; \
         mean {mean_rate:.0} iterations/s.\n",
        gaps.len(),
        outcomes.len(),
        // Distance-only BKS plans use whatever vehicle count is shortest: fewer is no record.
        if fewer > 0 && hierarchical {
            format!(" (fewer than BKS on {fewer}: their distance gap is not comparable)")
        } else {
            String::new()
        }
    );
    let with_peer = outcomes.iter().any(|o| o.peer.is_some());
    if with_peer {
        let gaps: Vec<f64> = outcomes.iter().filter_map(peer_gap).collect();
        let vehicles: usize = outcomes
            .iter()
            .filter_map(|o| o.peer.as_ref())
            .map(|p| p.vehicles)
            .sum();
        let infeasible = outcomes
            .iter()
            .filter_map(|o| o.peer.as_ref())
            .filter(|p| !p.feasible)
            .count();
        // Where both reach the same vehicle count, the distances compare like for like.
        let both: Vec<(f64, f64)> = outcomes
            .iter()
            .filter_map(|o| {
                let p = o.peer.as_ref()?;
                (p.vehicles == o.vehicles && p.feasible && o.feasible)
                    .then_some((gap(o)?, peer_gap(o)?))
            })
            .collect();
        let n = both.len() as f64;
        let like_for_like = if both.is_empty() {
            "On no instance do both use the same vehicle count".to_string()
        } else {
            format!(
                "On the {} instances where both use the same vehicle count: mean gap ours {:.2} %, PyVRP {:.2} %",
                both.len(),
                both.iter().map(|b| b.0).sum::<f64>() / n,
                both.iter().map(|b| b.1).sum::<f64>() / n,
            )
        };
        let _ = writeln!(
            s,
            "**PyVRP 0.14.1 (peer, same run, same time and seed): mean gap {:.2} %** over {} instances; \
             vehicles {vehicles}; checker-rejected or incomplete: {infeasible}. {like_for_like}. Its routes are re-measured \
             here in double precision (it solves on distances × 1000, durations rounded up); its iterations/s \
             count its own iterations, not comparable with ours.\n",
            gaps.iter().sum::<f64>() / gaps.len().max(1) as f64,
            gaps.len(),
        );
    }
    let _ = writeln!(
        s,
        "| instance | vehicles | distance | BKS vehicles | BKS distance | gap % | seconds | iterations | it/s | checked |{}",
        if with_peer {
            " PyVRP vehicles | PyVRP distance | PyVRP gap % | PyVRP checked | PyVRP it/s |"
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|{}",
        if with_peer {
            "---:|---:|---:|---|---:|"
        } else {
            ""
        }
    );
    for o in outcomes {
        let _ = writeln!(s, "{}", line(o));
    }
    let _ = writeln!(s, "<!-- /bench -->");
    s
}

pub fn write(path: &Path, label: &str, hierarchical: bool, section: &str) -> Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_else(|_| {
        "# hakobu-solver benchmarks\n\nWritten by the `bench` binary (see README). Gap = 100 · (distance − BKS) / BKS, \
         Euclidean distances in double precision, travel time = distance.\n"
            .to_string()
    });
    let start = marker(label, hierarchical);
    let updated = match existing.find(&start) {
        Some(from) => {
            let rest = &existing[from..];
            let to = rest.find("<!-- /bench -->").map_or(existing.len(), |e| {
                from + e + "<!-- /bench -->\n".len().min(rest.len() - e)
            });
            format!("{}{}{}", &existing[..from], section, &existing[to..])
        }
        None => format!(
            "{}\n{}",
            existing.trim_end_matches('\n').to_string() + "\n",
            section
        ),
    };
    std::fs::write(path, updated)?;
    Ok(())
}
