//! `hakobu-geocode [--postal] [--data FILE]`: one address (or postal code) per line on stdin,
//! one JSON object per line on stdout:
//! `{input, lat, lng, level, source, prefecture, city, town, rest}` or `{input, error}`.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use hakobu_geo::Gazetteer;
use serde_json::json;

#[derive(Parser)]
#[command(about = "Geocode Japanese addresses offline, one per line")]
struct Args {
    /// Lines are postal codes (1234567 or 123-4567), not addresses.
    #[arg(long)]
    postal: bool,
    /// The gazetteer file (default: $HAKOBU_GEO_DATA, beside the binary, or the source tree's).
    #[arg(long)]
    data: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let path = args.data.unwrap_or_else(Gazetteer::default_path);
    let gazetteer =
        Gazetteer::load(&path).with_context(|| format!("loading {}", path.display()))?;
    let stdin = std::io::stdin().lock();
    let mut out = BufWriter::new(std::io::stdout().lock());
    for line in stdin.lines() {
        let line = line?;
        let input = line.trim_end_matches('\r');
        if input.trim().is_empty() {
            continue;
        }
        let value = if args.postal {
            match gazetteer.postal(input) {
                Ok(p) => json!({
                    "input": input, "code": p.code, "prefecture": p.prefecture, "city": p.city,
                    "towns": p.towns, "lat": p.point.lat, "lng": p.point.lng,
                }),
                Err(e) => json!({ "input": input, "error": e.to_string() }),
            }
        } else {
            match gazetteer.geocode(input) {
                Ok(g) => json!({
                    "input": input, "lat": g.point.lat, "lng": g.point.lng, "level": g.level, "source": g.source,
                    "prefecture": g.prefecture, "city": g.city, "town": g.town, "rest": g.rest,
                }),
                Err(e) => json!({ "input": input, "error": e.to_string() }),
            }
        };
        serde_json::to_writer(&mut out, &value)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}
