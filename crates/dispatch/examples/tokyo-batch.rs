//! Writes the solver's bench generator's Tokyo deliveries as a batch file the app imports (the
//! 計画 view's CSV: 伝票番号, お届け先名, 住所, 個数, 時間帯), for the window benchmark
//! (tests/e2e/bench/plan-bench.js). Each stop's address is its generated town point's town with
//! a block number (番地, as real addresses have; the gazetteer places it at the town's point),
//! so the app's geocoder puts it back where the generator placed it.
//!
//! `cargo run --release -p hakobu-dispatch --example tokyo-batch -- --stops 300 \
//!   [--reach-m 5000] [--seed 1] --out FILE`
//! prints the (first) generator's store (`lat,lng`), near which the stops lie.

#[path = "../tests/support/tokyo_batch.rs"]
mod tokyo_batch;

use std::fmt::Write as _;

fn bad(flag: &str, value: &str) -> ! {
    panic!("{flag}: {value:?} is not a number")
}

fn main() {
    let (mut stops, mut reach_m, mut seed, mut out) = (300usize, 5000.0f64, 1u64, None);
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag}: needs a value"));
        match flag.as_str() {
            "--stops" => stops = value.parse().unwrap_or_else(|_| bad(&flag, &value)),
            "--reach-m" => reach_m = value.parse().unwrap_or_else(|_| bad(&flag, &value)),
            "--seed" => seed = value.parse().unwrap_or_else(|_| bad(&flag, &value)),
            "--out" => out = Some(value),
            other => panic!("{other}: unknown; use --stops, --reach-m, --seed, --out"),
        }
    }
    let out = out.expect("--out: where to write the CSV");
    // The generator puts each delivery at its own town point, and one store needs twice its
    // deliveries' points within reach: the 23 wards have too few for 2,000 around one store.
    // A bigger batch joins several of the generator's (seeds `seed`, `seed + 1`, …, at most
    // `PER_CALL` stops each), so some towns get more than one delivery, as real days do.
    const PER_CALL: usize = 1000;
    let mut all = Vec::with_capacity(stops);
    let mut store = None;
    for call in 0..stops.div_ceil(PER_CALL) {
        let n = PER_CALL.min(stops - all.len());
        let batch = tokyo_batch::generate(n, reach_m, seed + call as u64);
        store.get_or_insert(batch.store);
        all.extend(batch.stops.into_iter().map(|mut s| {
            if call > 0 {
                s.external_stop_id = format!("{}-{}", s.external_stop_id, call + 1);
            }
            s
        }));
    }
    let store = store.expect("at least one stop");
    let mut csv = String::from("伝票番号,お届け先名,住所,個数,時間帯\n");
    for (k, s) in all.iter().enumerate() {
        let w = s
            .time_window
            .as_ref()
            .expect("generated stops have windows");
        let address = s.address.as_deref().expect("a generated stop's town");
        writeln!(
            csv,
            "{},お客様{k},{address}{}-{},{},{}-{}",
            s.external_stop_id,
            1 + k % 12,
            1 + k % 9,
            s.parcel_count,
            w.start,
            w.end
        )
        .unwrap();
    }
    std::fs::write(&out, csv).unwrap_or_else(|e| panic!("{out}: {e}"));
    println!("{},{}", store.0, store.1);
}
