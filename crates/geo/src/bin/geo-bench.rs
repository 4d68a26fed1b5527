//! `cargo run --release -p hakobu-geo --bin geo-bench [-- --out FILE]`
//!
//! Measures the geocoder on the built gazetteer: load time, resident memory, single-threaded
//! geocodes per second, and how often realistic spellings of real addresses come back at the
//! right town and the right municipality. The addresses are generated from the gazetteer's own
//! town points (every 23rd) in seven spellings people use; the expected answer is the record
//! they were made from. Writes a Markdown table (default crates/geo/BENCHMARKS.md).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use hakobu_geo::Gazetteer;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    data: Option<PathBuf>,
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md"))]
    out: PathBuf,
    /// Geocoding passes over the address set for the throughput figure.
    #[arg(long, default_value_t = 5)]
    passes: usize,
}

struct Case {
    address: String,
    spelling: &'static str,
    city: String,
    town: String,
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | '-' => char::from_u32(c as u32 + 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// 「赤坂一丁目」→ ("赤坂", Some(1)): the town and its chōme number, for digit spellings.
fn chome_parts(town: &str) -> (String, Option<u32>) {
    let Some(stem) = town.strip_suffix("丁目") else {
        return (town.to_owned(), None);
    };
    let digits: String = stem
        .chars()
        .rev()
        .take_while(|c| "〇一二三四五六七八九十".contains(*c))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let base = &stem[..stem.len() - digits.len()];
    let n = hakobu_geo::normalize(&format!("{digits}丁目"));
    (
        base.to_owned(),
        n.strip_suffix("丁目").and_then(|d| d.parse().ok()),
    )
}

fn cases(text: &str) -> Vec<Case> {
    let mut prefs = Vec::new();
    let mut cities = Vec::new();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        match f[0] {
            "P" => prefs.push(f[1].to_owned()),
            "C" => cities.push((f[1].parse::<usize>().unwrap(), f[2].to_owned())),
            "T" if i % 23 == 0 && f[3].is_empty() => {
                let (pref_no, city) = &cities[f[1].parse::<usize>().unwrap()];
                let pref = &prefs[*pref_no];
                let town = f[2].to_owned();
                let (base, chome) = chome_parts(&town);
                let n = i % 40 + 1;
                let block = format!("{n}-{}", i % 17 + 1);
                let mut push = |spelling, address: String| {
                    out.push(Case {
                        address,
                        spelling,
                        city: city.clone(),
                        town: town.clone(),
                    })
                };
                push("full", format!("{pref}{city}{town}{block}"));
                push("no prefecture", format!("{city}{town}{block}"));
                push(
                    "spaces + building",
                    format!("{pref} {city} {town} {block} ハイツ{n}号室"),
                );
                push(
                    "full-width digits",
                    full_width(&format!("{pref}{city}{town}{block}")),
                );
                push(
                    "番地/号",
                    format!("{pref}{city}{town}{n}番地{}号", i % 17 + 1),
                );
                if let Some(c) = chome {
                    push("chōme as digits", format!("{pref}{city}{base}{c}-{block}"));
                    push(
                        "chōme digits, no prefecture",
                        format!("{city}{base}{c}丁目{block}"),
                    );
                }
            }
            _ => {}
        }
    }
    out
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let path = args.data.unwrap_or_else(Gazetteer::default_path);
    let text = std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?;
    drop(text);

    let before = rss_kib();
    let t = Instant::now();
    let g = Gazetteer::load(&path)?;
    let first_ms = t.elapsed().as_secs_f64() * 1000.0;
    let resident_mib = (rss_kib().saturating_sub(before)) as f64 / 1024.0;
    // Load time is the median of 7 loads (the machine is shared; one sample is noise).
    let mut loads = vec![first_ms];
    for _ in 0..6 {
        let t = Instant::now();
        std::hint::black_box(Gazetteer::load(&path)?);
        loads.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    loads.sort_by(f64::total_cmp);
    let load_ms = loads[loads.len() / 2];
    let load_min = loads[0];

    let text = std::fs::read_to_string(&path)?;
    let cases = cases(&text);
    let addresses: Vec<&str> = cases.iter().map(|c| c.address.as_str()).collect();

    let t = Instant::now();
    let mut sink = 0usize;
    for _ in 0..args.passes {
        for a in &addresses {
            sink += g.geocode_uncached(a).map(|r| r.town.len()).unwrap_or(0);
        }
    }
    let per_second = (addresses.len() * args.passes) as f64 / t.elapsed().as_secs_f64();
    std::hint::black_box(sink);

    let mut rows: Vec<(&str, usize, usize, usize)> = Vec::new();
    for c in &cases {
        let got = g.geocode(&c.address).ok();
        let city_ok = got.as_ref().is_some_and(|r| r.city == c.city);
        let town_ok = city_ok && got.as_ref().is_some_and(|r| r.town == c.town);
        match rows.iter_mut().find(|r| r.0 == c.spelling) {
            Some(r) => {
                r.1 += 1;
                r.2 += usize::from(town_ok);
                r.3 += usize::from(city_ok);
            }
            None => rows.push((c.spelling, 1, usize::from(town_ok), usize::from(city_ok))),
        }
    }
    let total: usize = rows.iter().map(|r| r.1).sum();
    let towns: usize = rows.iter().map(|r| r.2).sum();
    let cities: usize = rows.iter().map(|r| r.3).sum();
    let pct = |a: usize, b: usize| 100.0 * a as f64 / b.max(1) as f64;

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = std::process::Command::new("date")
        .arg("+%Y-%m-%d")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();

    let mut md = String::new();
    md.push_str("# hakobu-geo benchmarks\n\n");
    md.push_str("`cargo run --release -p hakobu-geo --bin geo-bench` (written by it; do not edit by hand).\n\n");
    md.push_str(&format!(
        "Machine: {cpu}, {cores} cores. Date: {date}. Data: {} ({} towns, {} postal codes).\n\n",
        g.sources().join(", "),
        g.town_count(),
        g.postal_count()
    ));
    md.push_str("| figure | value | target |\n|---|---|---|\n");
    md.push_str(&format!(
        "| load time (median of 7; fastest) | {load_ms:.0} ms; {load_min:.0} ms | ≤ 150 ms |\n"
    ));
    md.push_str(&format!(
        "| resident data | {resident_mib:.1} MiB | ≤ 60 MB |\n"
    ));
    md.push_str(&format!(
        "| geocodes/s, 1 thread | {per_second:.0} | ≥ 100,000 |\n"
    ));
    md.push_str(&format!(
        "| right town | {:.2} % | ≥ 97 % |\n| right municipality | {:.2} % | ≥ 99 % |\n\n",
        pct(towns, total),
        pct(cities, total)
    ));
    md.push_str(&format!(
        "{total} addresses generated from every 23rd town point, in these spellings:\n\n"
    ));
    md.push_str("| spelling | addresses | right town | right municipality |\n|---|---|---|---|\n");
    for (spelling, n, t, c) in &rows {
        md.push_str(&format!(
            "| {spelling} | {n} | {:.2} % | {:.2} % |\n",
            pct(*t, *n),
            pct(*c, *n)
        ));
    }
    md.push_str("\nA wrong town is counted as wrong even where two towns share a name in one municipality.\n");
    std::fs::write(&args.out, &md)?;
    print!("{md}");
    Ok(())
}
