//! The gazetteer: prefectures, municipalities, town/chōme points and postal codes, loaded once
//! from the file `scripts/geo-data.py` builds (format documented there).

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::normalize::{aza_prefix_len, changed_key, key};

/// Environment variable naming the gazetteer file, when it is not in a default place.
pub const DATA_ENV: &str = "HAKOBU_GEO_DATA";
pub(crate) const FORMAT_HEADER: &str = "#hakobu-geo gazetteer 1";

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub lat: f64,
    pub lng: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("gazetteer file {path}: {message} (build it with `make data`)")]
    Unreadable { path: String, message: String },
    #[error("gazetteer line {line}: {message}")]
    Malformed { line: usize, message: String },
}

#[derive(Debug)]
pub(crate) struct Prefecture {
    pub name: Box<str>,
    pub point: Point,
}

#[derive(Debug)]
pub(crate) struct City {
    pub pref: u16,
    pub name: Box<str>,
    pub key: Box<str>,
    /// The name without its county (「石狩郡当別町」→「当別町」), as people often write it.
    pub alias: Option<Box<str>>,
    /// For a ward of a designated city (「大阪市北区」), the city (「大阪市」).
    pub parent: Option<Box<str>>,
    pub point: Point,
    pub towns: Range<u32>,
    /// This municipality's entries in [`Gazetteer::postal_towns`].
    pub postal_towns: Range<u32>,
}

/// A string stored in the gazetteer's one text arena: 277k towns as separate heap strings
/// would cost four allocations each, and most of the load time and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    start: u32,
    len: u32,
}

impl Span {
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

/// A point as the file gives it, in millionths of a degree: exactly the file's value, in half
/// the room of a [`Point`] (the 400k towns and postal codes are most of the gazetteer's memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Micro {
    lat: i32,
    lng: i32,
}

impl Micro {
    /// The nearest micro-degree point (a mean of several).
    fn round(p: Point) -> Micro {
        Micro {
            lat: (p.lat * 1e6).round() as i32,
            lng: (p.lng * 1e6).round() as i32,
        }
    }
}

impl From<Micro> for Point {
    fn from(m: Micro) -> Point {
        Point {
            lat: f64::from(m.lat) / 1e6,
            lng: f64::from(m.lng) / 1e6,
        }
    }
}

/// A town (or chōme, or 小字) point. Its four strings lie in the text arena; their lengths are
/// kept as bytes (a town's name is at most 45 bytes today, 255 is checked at load), which makes
/// a town 32 bytes instead of 56 with four [`Span`]s and a [`Point`]: ~7 MB less for 277k towns.
#[derive(Debug)]
pub(crate) struct Town {
    pub city: u32,
    /// name, 小字, key, 小字's key.
    starts: [u32; 4],
    lens: [u8; 4],
    pub point: Micro,
}

impl Town {
    fn new(city: u32, strings: [Span; 4], point: Micro, line: usize) -> Result<Town, LoadError> {
        let mut lens = [0u8; 4];
        for (len, (span, what)) in
            lens.iter_mut().zip(
                strings
                    .iter()
                    .zip(["town", "koaza", "town key", "koaza key"]),
            )
        {
            *len = u8::try_from(span.len).map_err(|_| LoadError::Malformed {
                line,
                message: format!("{what} is {} bytes, more than 255", span.len),
            })?;
        }
        Ok(Town {
            city,
            starts: strings.map(|s| s.start),
            lens,
            point,
        })
    }

    fn span(&self, i: usize) -> Span {
        Span {
            start: self.starts[i],
            len: u32::from(self.lens[i]),
        }
    }

    pub fn name(&self) -> Span {
        self.span(0)
    }

    pub fn koaza(&self) -> Span {
        self.span(1)
    }

    /// The name's comparison key ([`crate::normalize::name_key`]).
    pub fn key(&self) -> Span {
        self.span(2)
    }

    pub fn koaza_key(&self) -> Span {
        self.span(3)
    }
}

#[derive(Debug)]
pub(crate) struct PostalEntry {
    pub code: u32,
    pub city: u32,
    /// Town names joined by `|`.
    pub towns: Span,
    pub point: Micro,
}

/// A town as Japan Post names it, placed at the centroid of its postal codes: the fallback for
/// towns Geolonia's points lack (a 〇〇通り, a village's 大字).
#[derive(Debug)]
pub(crate) struct PostalTown {
    pub city: u32,
    pub name: Span,
    pub key: Span,
    pub point: Micro,
}

/// Everything the geocoder knows. Build once with [`Gazetteer::load`] (or [`Gazetteer::parse`])
/// and share it: every lookup is read-only.
#[derive(Debug)]
pub struct Gazetteer {
    pub(crate) prefectures: Vec<Prefecture>,
    pub(crate) cities: Vec<City>,
    pub(crate) towns: Vec<Town>,
    pub(crate) postal: Vec<PostalEntry>,
    /// Japan Post's towns, by municipality then key, one entry per town.
    pub(crate) postal_towns: Vec<PostalTown>,
    /// Cities (and their aliases/parents) by the first character of the key, for prefecture-less
    /// input.
    pub(crate) cities_by_first_char: HashMap<char, Vec<u32>>,
    /// Every town, 小字 and postal string, back to back.
    text: String,
    sources: Vec<String>,
    /// Answers of [`Gazetteer::geocode`] so far.
    pub(crate) answers: crate::answers::Answers,
}

fn field<'a>(
    parts: &mut impl Iterator<Item = &'a str>,
    line: usize,
    what: &str,
) -> Result<&'a str, LoadError> {
    parts.next().ok_or_else(|| LoadError::Malformed {
        line,
        message: format!("missing {what}"),
    })
}

fn number<T: std::str::FromStr>(s: &str, line: usize, what: &str) -> Result<T, LoadError> {
    s.parse().map_err(|_| LoadError::Malformed {
        line,
        message: format!("{what} is not a number: {s:?}"),
    })
}

fn micro(lat: &str, lng: &str, line: usize) -> Result<Micro, LoadError> {
    Ok(Micro {
        lat: number::<i32>(lat, line, "lat")?,
        lng: number::<i32>(lng, line, "lng")?,
    })
}

impl Gazetteer {
    /// Where the built file is looked for: `$HAKOBU_GEO_DATA`, then `geo/gazetteer.tsv` beside
    /// the executable, then `data/geo/gazetteer.tsv` in the working directory or one above it
    /// (a checkout: `cargo test` runs in the crate's folder), then the source tree this was
    /// compiled from. The working directory comes before the compile-time path because a
    /// shared build cache can hold a build made from another checkout.
    pub fn default_path() -> PathBuf {
        if let Some(p) = std::env::var_os(DATA_ENV).filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        if let Some(beside) = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join("geo").join("gazetteer.tsv")))
            .filter(|p| p.exists())
        {
            return beside;
        }
        if let Some(found) = std::env::current_dir().ok().and_then(|cwd| {
            cwd.ancestors()
                .map(|d| d.join("data").join("geo").join("gazetteer.tsv"))
                .find(|p| p.exists())
        }) {
            return found;
        }
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/geo/gazetteer.tsv")
    }

    pub fn load(path: &Path) -> Result<Gazetteer, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Unreadable {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Gazetteer::parse(&text)
    }

    /// The versions of the data sources the file was built from.
    pub fn sources(&self) -> &[String] {
        &self.sources
    }

    pub fn parse(text: &str) -> Result<Gazetteer, LoadError> {
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, FORMAT_HEADER)) => {}
            other => {
                return Err(LoadError::Malformed {
                    line: 1,
                    message: format!(
                        "expected {FORMAT_HEADER:?}, found {:?}",
                        other.map(|(_, l)| l).unwrap_or("")
                    ),
                });
            }
        }
        let mut g = Gazetteer {
            prefectures: Vec::with_capacity(47),
            cities: Vec::with_capacity(2000),
            towns: Vec::with_capacity(280_000),
            postal: Vec::with_capacity(121_000),
            postal_towns: Vec::new(),
            cities_by_first_char: HashMap::new(),
            // Names, keys and Japan Post's town keys: about 0.55 of the file; one growth of
            // the arena would copy it and double its memory.
            text: String::with_capacity(text.len() / 5 * 3),
            sources: Vec::new(),
            answers: Default::default(),
        };
        for (i, line) in lines {
            let n = i + 1;
            let mut parts = line.split('\t');
            match parts.next() {
                Some(source) if source.starts_with("#source ") => {
                    g.sources.push(source["#source ".len()..].to_owned());
                }
                Some(c) if c.starts_with('#') || c.is_empty() => {}
                Some("P") => {
                    let name = field(&mut parts, n, "name")?;
                    let point = micro(
                        field(&mut parts, n, "lat")?,
                        field(&mut parts, n, "lng")?,
                        n,
                    )?;
                    g.prefectures.push(Prefecture {
                        name: name.into(),
                        point: point.into(),
                    });
                }
                Some("C") => {
                    let pref: u16 = number(field(&mut parts, n, "prefecture")?, n, "prefecture")?;
                    if usize::from(pref) >= g.prefectures.len() {
                        return Err(LoadError::Malformed {
                            line: n,
                            message: format!("unknown prefecture #{pref}"),
                        });
                    }
                    let name = field(&mut parts, n, "name")?;
                    let point = micro(
                        field(&mut parts, n, "lat")?,
                        field(&mut parts, n, "lng")?,
                        n,
                    )?;
                    g.cities.push(City {
                        pref,
                        key: key(name, None).into(),
                        alias: name
                            .find('郡')
                            .map(|i| &name[i + '郡'.len_utf8()..])
                            .filter(|rest| !rest.is_empty())
                            .map(|rest| key(rest, None).into()),
                        parent: name
                            .find('市')
                            .map(|i| &name[..i + '市'.len_utf8()])
                            .filter(|parent| parent.len() < name.len() && name.ends_with('区'))
                            .map(|parent| key(parent, None).into()),
                        name: name.into(),
                        point: point.into(),
                        towns: 0..0,
                        postal_towns: 0..0,
                    });
                }
                Some("T") => {
                    let city: u32 = number(field(&mut parts, n, "city")?, n, "city")?;
                    if city as usize >= g.cities.len() {
                        return Err(LoadError::Malformed {
                            line: n,
                            message: format!("unknown city #{city}"),
                        });
                    }
                    let name = field(&mut parts, n, "town")?;
                    let koaza = field(&mut parts, n, "koaza")?;
                    let point = micro(
                        field(&mut parts, n, "lat")?,
                        field(&mut parts, n, "lng")?,
                        n,
                    )?;
                    let name_span = g.intern(name);
                    let key = g.intern_key(name_span);
                    let koaza_span = g.intern(koaza);
                    let koaza_key = g.intern_key(koaza_span);
                    g.towns.push(Town::new(
                        city,
                        [name_span, koaza_span, key, koaza_key],
                        point,
                        n,
                    )?);
                }
                Some("Z") => {
                    let code: u32 = number(field(&mut parts, n, "code")?, n, "code")?;
                    let city: u32 = number(field(&mut parts, n, "city")?, n, "city")?;
                    let towns = field(&mut parts, n, "towns")?;
                    let point = micro(
                        field(&mut parts, n, "lat")?,
                        field(&mut parts, n, "lng")?,
                        n,
                    )?;
                    let towns = g.intern(towns);
                    g.postal.push(PostalEntry {
                        code,
                        city,
                        towns,
                        point,
                    });
                }
                Some(other) => {
                    return Err(LoadError::Malformed {
                        line: n,
                        message: format!("unknown record kind {other:?}"),
                    });
                }
                None => {}
            }
        }
        g.index();
        Ok(g)
    }

    fn intern(&mut self, s: &str) -> Span {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Span {
            start,
            len: s.len() as u32,
        }
    }

    /// The comparison key ([`crate::normalize::name_key`]) of the name at `name`, sharing the
    /// name's text when they are the same (most are).
    fn intern_key(&mut self, name: Span) -> Span {
        let full = self.str(name);
        let aza = aza_prefix_len(full);
        match changed_key(&full[aza..]) {
            Some(key) => self.intern(&key),
            None => Span {
                start: name.start + aza as u32,
                len: name.len - aza as u32,
            },
        }
    }

    /// The text of a span.
    pub(crate) fn str(&self, span: Span) -> &str {
        &self.text[span.start as usize..(span.start + span.len) as usize]
    }

    fn index(&mut self) {
        let mut towns = std::mem::take(&mut self.towns);
        // The file lists each municipality's towns together: order by city (cheap when already
        // grouped), then each city's run by key.
        towns.sort_by_key(|t| t.city);
        for run in towns.chunk_by_mut(|a, b| a.city == b.city) {
            run.sort_unstable_by(|a, b| {
                self.str(a.key())
                    .cmp(self.str(b.key()))
                    .then_with(|| self.str(a.koaza()).cmp(self.str(b.koaza())))
            });
        }
        self.towns = towns;
        let mut start = 0usize;
        while start < self.towns.len() {
            let city = self.towns[start].city;
            let end = start
                + self.towns[start..]
                    .iter()
                    .take_while(|t| t.city == city)
                    .count();
            self.cities[city as usize].towns = start as u32..end as u32;
            start = end;
        }
        self.postal.sort_by_key(|p| p.code);
        self.index_postal_towns();
        for (i, c) in self.cities.iter().enumerate() {
            let keys = [Some(&c.key), c.alias.as_ref(), c.parent.as_ref()];
            let mut firsts: Vec<char> = keys
                .iter()
                .flatten()
                .filter_map(|k| k.chars().next())
                .collect();
            firsts.dedup();
            for ch in firsts {
                self.cities_by_first_char
                    .entry(ch)
                    .or_default()
                    .push(i as u32);
            }
        }
    }

    /// Japan Post's towns from the postal codes' town lists: each named once per municipality,
    /// at the mean of its codes' points (a town split over several codes by block numbers).
    fn index_postal_towns(&mut self) {
        let postal = std::mem::take(&mut self.postal);
        let mut towns: Vec<PostalTown> = Vec::with_capacity(postal.len() + 4096);
        for p in &postal {
            let mut start = p.towns.start;
            let end = p.towns.start + p.towns.len;
            while start < end {
                let rest = &self.text[start as usize..end as usize];
                let len = rest.find('|').unwrap_or(rest.len()) as u32;
                if len > 0 {
                    let name = Span { start, len };
                    towns.push(PostalTown {
                        city: p.city,
                        name,
                        key: self.intern_key(name),
                        point: p.point,
                    });
                }
                start += len + 1;
            }
        }
        self.postal = postal;
        towns.sort_unstable_by(|a, b| {
            a.city
                .cmp(&b.city)
                .then_with(|| self.str(a.key).cmp(self.str(b.key)))
        });
        // One entry per town, at the mean of its codes' points (to the micro-degree, ~0.1 m).
        let mut n = 1.0;
        let mut mean: Point = towns
            .first()
            .map_or(Point { lat: 0.0, lng: 0.0 }, |t| t.point.into());
        towns.dedup_by(|t, kept| {
            let same = t.city == kept.city && self.str(t.key) == self.str(kept.key);
            let p = Point::from(t.point);
            if same {
                n += 1.0;
                mean.lat += (p.lat - mean.lat) / n;
                mean.lng += (p.lng - mean.lng) / n;
                kept.point = Micro::round(mean);
            } else {
                n = 1.0;
                mean = p;
            }
            same
        });
        let merged = towns;
        let mut start = 0usize;
        while start < merged.len() {
            let city = merged[start].city;
            let end = start
                + merged[start..]
                    .iter()
                    .take_while(|t| t.city == city)
                    .count();
            if let Some(c) = self.cities.get_mut(city as usize) {
                c.postal_towns = start as u32..end as u32;
            }
            start = end;
        }
        self.postal_towns = merged;
    }

    pub fn prefecture_count(&self) -> usize {
        self.prefectures.len()
    }

    pub fn city_count(&self) -> usize {
        self.cities.len()
    }

    pub fn town_count(&self) -> usize {
        self.towns.len()
    }

    pub fn postal_count(&self) -> usize {
        self.postal.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bulk_records_keep_their_size() {
        // 277k towns and 240k postal records: each byte here is ~0.5 MB of the app's memory
        // (geo-bench's "resident data").
        assert_eq!(std::mem::size_of::<Town>(), 32);
        assert_eq!(std::mem::size_of::<PostalEntry>(), 24);
        assert_eq!(std::mem::size_of::<PostalTown>(), 28);
    }
}
