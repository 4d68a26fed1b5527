//! Address → point. Matches prefecture, municipality, town/chōme (and 小字) by longest prefix on
//! the normalised, folded text; what is left is returned as block numbers and building.

use serde::Serialize;

use crate::gazetteer::{City, Gazetteer, Point};
use crate::normalize::{normalize, split_numbers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A chōme (「赤坂一丁目」): the most precise the data goes.
    Chome,
    /// A town or 大字 without chōme (「麻布十番」 has chōme, 「丸の内」 does too; rural 大字 do not).
    Town,
    /// Only the municipality: the point is its centroid.
    City,
    /// Only the prefecture.
    Prefecture,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Chome => "chome",
            Level::Town => "town",
            Level::City => "city",
            Level::Prefecture => "prefecture",
        }
    }
}

/// Which data placed the point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Geolonia's town/chōme points (or the centroid of a municipality's or prefecture's).
    Geolonia,
    /// Japan Post's town list: a town Geolonia's points lack, at the centroid of its postal
    /// codes.
    JapanPost,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Geolonia => "geolonia",
            Source::JapanPost => "japan_post",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Geocoded {
    pub point: Point,
    pub level: Level,
    /// Which data placed the point.
    pub source: Source,
    pub prefecture: String,
    /// Empty at prefecture level.
    pub city: String,
    /// The town as the gazetteer spells it (「赤坂一丁目」); empty above town level.
    pub town: String,
    /// The 小字 when one matched.
    pub koaza: String,
    /// Block numbers after the town, as `N-M` (「2番3号」→「2-3」).
    pub numbers: String,
    /// What follows the numbers: building, floor, room — the address's line 2.
    pub building: String,
    /// Everything after the matched part: numbers and building, normalised.
    pub rest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeocodeError {
    #[error("address: is empty")]
    Empty,
    #[error("address: no prefecture or municipality recognised in {0:?}")]
    NotFound(String),
    #[error("address: municipality {city:?} exists in {prefectures}; add the prefecture to choose")]
    Ambiguous { city: String, prefectures: String },
}

/// A municipality the text may start with.
#[derive(Debug, Clone, Copy)]
struct CityHit {
    city: u32,
    consumed: usize,
    /// Matched only a designated city's name (「大阪市」): the ward is found from the town.
    by_parent: bool,
}

#[derive(Debug, Clone, Copy)]
struct TownHit {
    /// Index of the town (or 小字) entry whose point is used.
    entry: u32,
    /// Entries of the town group, for the centroid when no plain entry exists.
    group: (u32, u32),
    consumed: usize,
    koaza: bool,
    /// The town written without its chōme (「港区六本木」): `group` holds all its chōme, and
    /// the answer is the town at their centre.
    chomes: bool,
    /// A town only Japan Post knows: `entry` indexes [`Gazetteer::postal_towns`].
    postal: bool,
}

/// The input without whitespace, plus where each of its bytes came from in the normalised text.
struct Compact {
    folded: String,
    origin: Vec<usize>,
}

fn compact(normal: &str) -> Compact {
    let mut origin = Vec::with_capacity(normal.len() + 1);
    let folded = crate::normalize::key(normal, Some(&mut origin));
    Compact { folded, origin }
}

fn starts_at(s: &str, key: &str) -> Option<usize> {
    (!key.is_empty() && s.starts_with(key)).then_some(key.len())
}

/// Char boundaries of `s` after its first 1..=`max_chars` characters.
fn prefix_ends(s: &str, max_chars: usize) -> impl Iterator<Item = usize> + '_ {
    s.char_indices()
        .skip(1)
        .map(|(i, _)| i)
        .chain(std::iter::once(s.len()))
        .take(max_chars)
}

/// Walks the prefixes of `s` over `n` sorted keys (`key(i)`), narrowing the range of keys that
/// start with the prefix as it grows, and calls `visit(lo, hi, end)` for each prefix `s[..end]`
/// some key starts with; stops at the first prefix none does. Most addresses leave the range
/// after a character or two past the town, so this costs a few comparisons, not one binary
/// search per prefix.
fn narrowing<'a>(
    key: impl Fn(usize) -> &'a str,
    n: usize,
    s: &str,
    mut visit: impl FnMut(usize, usize, usize),
) {
    let (mut lo, mut hi) = (0, n);
    for end in prefix_ends(s, 24) {
        let prefix = &s[..end];
        lo += partition(lo, hi, |i| key(i) < prefix);
        hi = lo + partition(lo, hi, |i| key(i).starts_with(prefix));
        if lo == hi {
            return;
        }
        visit(lo, hi, end);
    }
}

/// How many of `lo..hi`, from the start, satisfy `pred` (which holds for a prefix of the range).
fn partition(lo: usize, hi: usize, pred: impl Fn(usize) -> bool) -> usize {
    let (mut a, mut b) = (lo, hi);
    while a < b {
        let mid = a + (b - a) / 2;
        if pred(mid) {
            a = mid + 1;
        } else {
            b = mid;
        }
    }
    a - lo
}

impl Gazetteer {
    /// Geocodes one address line (prefecture optional). The answer is remembered for the same
    /// line (a few thousand lines, the most recently used), so asking again is a lookup.
    pub fn geocode(&self, address: &str) -> Result<Geocoded, GeocodeError> {
        self.answers
            .get_or(address, || self.geocode_uncached(address))
    }

    /// [`Gazetteer::geocode`] without the remembered answers: what the geocoder itself costs
    /// (`geo-bench` measures this).
    pub fn geocode_uncached(&self, address: &str) -> Result<Geocoded, GeocodeError> {
        let normal = normalize(address);
        if normal.is_empty() {
            return Err(GeocodeError::Empty);
        }
        let c = compact(&normal);
        let f = c.folded.as_str();
        let pref = self
            .prefectures
            .iter()
            .position(|p| f.starts_with(&*p.name));
        let at = pref.map_or(0, |p| self.prefectures[p].name.len());
        let hits = self.city_hits(pref, &f[at..]);
        if hits.is_empty() {
            return match pref {
                Some(p) => Ok(self.result(&normal, &c, at, Level::Prefecture, p, None, None)),
                None => Err(GeocodeError::NotFound(normal)),
            };
        }
        // Try the town in every candidate municipality; the longest town match wins.
        let mut best: Option<(CityHit, u32, Option<TownHit>)> = None;
        let mut tied_prefectures: Vec<u16> = Vec::new();
        for hit in &hits {
            let wards: Vec<u32> = if hit.by_parent {
                self.wards_of(hit.city)
            } else {
                vec![hit.city]
            };
            for ward in wards {
                let town = self.match_town(ward, &f[at + hit.consumed..]);
                let score = town.map_or(0, |t| t.consumed + 1);
                let best_score = best
                    .as_ref()
                    .map_or(0, |(_, _, t)| t.map_or(0, |t| t.consumed + 1));
                let city_pref = self.cities[ward as usize].pref;
                if best.is_none() || score > best_score {
                    best = Some((*hit, ward, town));
                    tied_prefectures = vec![city_pref];
                } else if score == best_score && !tied_prefectures.contains(&city_pref) {
                    tied_prefectures.push(city_pref);
                }
            }
        }
        let Some((hit, ward, town)) = best else {
            return Err(GeocodeError::NotFound(normal));
        };
        if tied_prefectures.len() > 1 {
            let names: Vec<&str> = tied_prefectures
                .iter()
                .map(|&p| &*self.prefectures[p as usize].name)
                .collect();
            return Err(GeocodeError::Ambiguous {
                city: self.cities[hit.city as usize].name.to_string(),
                prefectures: names.join(", "),
            });
        }
        let city = &self.cities[ward as usize];
        let pref = usize::from(city.pref);
        let at = at + hit.consumed;
        match town {
            Some(t) => {
                // Japan Post's towns and chōme-less groups are towns; a Geolonia entry is a
                // chōme when its name says so.
                let chome = !t.chomes
                    && !t.postal
                    && self
                        .str(self.towns[t.entry as usize].key())
                        .ends_with("丁目");
                let level = if chome { Level::Chome } else { Level::Town };
                Ok(self.result(
                    &normal,
                    &c,
                    at + t.consumed,
                    level,
                    pref,
                    Some(ward),
                    Some(t),
                ))
            }
            None if hit.by_parent => {
                // Only 「大阪市」 matched: the city's wards' centroid, named as written.
                let wards = self.wards_of(hit.city);
                let point = centroid(wards.iter().map(|&w| self.cities[w as usize].point));
                let mut g = self.result(&normal, &c, at, Level::City, pref, None, None);
                g.city = city.parent.as_deref().unwrap_or_default().to_owned();
                g.point = point;
                Ok(g)
            }
            None => Ok(self.result(&normal, &c, at, Level::City, pref, Some(ward), None)),
        }
    }

    /// Geocodes many lines; each answer stands alone.
    pub fn geocode_batch<S: AsRef<str>>(
        &self,
        addresses: &[S],
    ) -> Vec<Result<Geocoded, GeocodeError>> {
        addresses.iter().map(|a| self.geocode(a.as_ref())).collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn result(
        &self,
        normal: &str,
        c: &Compact,
        consumed: usize,
        level: Level,
        pref: usize,
        city: Option<u32>,
        town: Option<TownHit>,
    ) -> Geocoded {
        let rest_text = &normal[c.origin[consumed.min(c.origin.len() - 1)]..];
        let (numbers, building) = split_numbers(rest_text);
        let rest = match (numbers.is_empty(), building.is_empty()) {
            (true, _) => building.clone(),
            (false, true) => numbers.clone(),
            (false, false) => format!("{numbers} {building}"),
        };
        let prefecture = &self.prefectures[pref];
        let city_entry = city.map(|i| &self.cities[i as usize]);
        let (point, town_name, koaza) = match town {
            Some(t) if t.postal => {
                let p = &self.postal_towns[t.entry as usize];
                (p.point.into(), self.str(p.name).to_owned(), String::new())
            }
            Some(t) if t.chomes => {
                let group = &self.towns[t.group.0 as usize..t.group.1 as usize];
                let name = self.str(self.towns[t.entry as usize].name());
                let town = name
                    .strip_suffix("丁目")
                    .unwrap_or(name)
                    .trim_end_matches(|c: char| {
                        c.is_ascii_digit() || crate::normalize::is_kanji_numeral(c)
                    });
                (
                    centroid(group.iter().map(|t| t.point.into())),
                    town.to_owned(),
                    String::new(),
                )
            }
            Some(t) => {
                let e = &self.towns[t.entry as usize];
                let point = if t.koaza || e.koaza().is_empty() {
                    e.point.into()
                } else {
                    centroid(
                        self.towns[t.group.0 as usize..t.group.1 as usize]
                            .iter()
                            .map(|t| t.point.into()),
                    )
                };
                let koaza = if t.koaza {
                    self.str(e.koaza()).to_owned()
                } else {
                    String::new()
                };
                (point, self.str(e.name()).to_owned(), koaza)
            }
            None => (
                city_entry.map_or(prefecture.point, |c| c.point),
                String::new(),
                String::new(),
            ),
        };
        Geocoded {
            point,
            level,
            source: if town.is_some_and(|t| t.postal) {
                Source::JapanPost
            } else {
                Source::Geolonia
            },
            prefecture: prefecture.name.to_string(),
            city: city_entry.map(|c| c.name.to_string()).unwrap_or_default(),
            town: town_name,
            koaza,
            numbers,
            building,
            rest,
        }
    }

    /// Municipalities the text starts with, longest match only (several when the name is
    /// shared, e.g. 府中市 in Tokyo and Hiroshima).
    fn city_hits(&self, pref: Option<usize>, s: &str) -> Vec<CityHit> {
        let Some(first) = s.chars().next() else {
            return Vec::new();
        };
        let Some(candidates) = self.cities_by_first_char.get(&first) else {
            return Vec::new();
        };
        let mut hits: Vec<CityHit> = Vec::new();
        let mut seen_parents: Vec<(u16, &str)> = Vec::new();
        for &i in candidates {
            let city = &self.cities[i as usize];
            if pref.is_some_and(|p| usize::from(city.pref) != p) {
                continue;
            }
            let direct = starts_at(s, &city.key)
                .into_iter()
                .chain(city.alias.as_deref().and_then(|a| starts_at(s, a)))
                .max();
            let hit = match direct {
                Some(consumed) => CityHit {
                    city: i,
                    consumed,
                    by_parent: false,
                },
                None => match city
                    .parent
                    .as_deref()
                    .and_then(|p| starts_at(s, p).map(|n| (p, n)))
                {
                    // One hit per designated city, not one per ward.
                    Some((parent, consumed)) if !seen_parents.contains(&(city.pref, parent)) => {
                        seen_parents.push((city.pref, parent));
                        CityHit {
                            city: i,
                            consumed,
                            by_parent: true,
                        }
                    }
                    _ => continue,
                },
            };
            hits.push(hit);
        }
        let longest = hits.iter().map(|h| h.consumed).max().unwrap_or(0);
        hits.retain(|h| h.consumed == longest);
        // A ward matched in full beats its designated city matched by name alone.
        if hits.iter().any(|h| !h.by_parent) {
            hits.retain(|h| !h.by_parent);
        }
        hits
    }

    /// The wards of the designated city `ward` belongs to.
    fn wards_of(&self, ward: u32) -> Vec<u32> {
        let w = &self.cities[ward as usize];
        self.cities
            .iter()
            .enumerate()
            .filter(|(_, c)| c.pref == w.pref && c.parent.is_some() && c.parent == w.parent)
            .map(|(i, _)| i as u32)
            .collect()
    }

    fn town_group(&self, city: &City, key: &str) -> Option<(u32, u32)> {
        let towns = &self.towns[city.towns.start as usize..city.towns.end as usize];
        let lo = towns.partition_point(|t| self.str(t.key()) < key);
        let hi = lo
            + towns[lo..]
                .iter()
                .take_while(|t| self.str(t.key()) == key)
                .count();
        (hi > lo).then(|| (city.towns.start + lo as u32, city.towns.start + hi as u32))
    }

    /// The longest town (or chōme) of `city` that `s` starts with.
    fn match_town(&self, city_index: u32, s: &str) -> Option<TownHit> {
        // The gazetteer's keys leave out a 大字/字 prefix ([`crate::normalize::name_key`]), so
        // the typed text does too (「大字平4-14」 is the town 平).
        let aza = crate::normalize::aza_prefix_len(s);
        if aza > 0
            && let Some(mut hit) = self.match_town_key(city_index, &s[aza..])
        {
            hit.consumed += aza;
            return Some(hit);
        }
        self.match_town_key(city_index, s)
    }

    /// [`Self::match_town`] on text that starts where a town's key would.
    fn match_town_key(&self, city_index: u32, s: &str) -> Option<TownHit> {
        let city = &self.cities[city_index as usize];
        let mut best: Option<((u32, u32), usize)> = None;
        let mut consider = |group: (u32, u32), consumed: usize| {
            if best.is_none_or(|(_, c)| consumed > c) {
                best = Some((group, consumed));
            }
        };
        for end in prefix_ends(s, 24) {
            let key = &s[..end];
            if let Some(group) = self.town_group(city, key) {
                consider(group, end);
            }
            // 「赤坂1-2-3」: the town's chōme written as a bare number.
            let after = &s[end..];
            let digits = after.bytes().take_while(u8::is_ascii_digit).count();
            if digits > 0 {
                let chome_key = format!("{key}{}丁目", &after[..digits]);
                if let Some(group) = self.town_group(city, &chome_key) {
                    let tail = &after[digits..];
                    let sep = if tail.starts_with("丁目") {
                        "丁目".len()
                    } else if tail.starts_with('-') {
                        1
                    } else {
                        0
                    };
                    consider(group, end + digits + sep);
                }
            }
        }
        if let Some(first) = s.bytes().next()
            && first.is_ascii_digit()
        {
            // 「京都市中京区1丁目」-style towns named by the number alone.
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            if let Some(group) = self.town_group(city, &format!("{}丁目", &s[..digits])) {
                let tail = &s[digits..];
                consider(
                    group,
                    digits
                        + if tail.starts_with("丁目") {
                            "丁目".len()
                        } else {
                            0
                        },
                );
            }
        }
        // 「港区六本木」: the town without its chōme, when that says more than any match so far.
        let chomes = self.chome_group(city, s, best.map_or(0, |(_, c)| c));
        let longest = chomes.or(best).map_or(0, |(_, c)| c);
        // A town Japan Post lists and Geolonia's points lack, when it says more still.
        if let Some((entry, consumed)) = self.postal_town(city, s, longest) {
            return Some(TownHit {
                entry,
                group: (entry, entry + 1),
                consumed,
                koaza: false,
                chomes: false,
                postal: true,
            });
        }
        if let Some((group, consumed)) = chomes {
            return Some(TownHit {
                entry: group.0,
                group,
                consumed,
                koaza: false,
                chomes: true,
                postal: false,
            });
        }
        if best.is_none() {
            best = self.town_inside(city, s);
        }
        let (group, consumed) = best?;
        // A 小字 after the town picks its own point.
        let rest = &s[consumed..];
        let rest = rest
            .strip_prefix("小字")
            .or_else(|| rest.strip_prefix('字'))
            .unwrap_or(rest);
        let koaza = (group.0..group.1)
            .filter(|&i| {
                let k = self.str(self.towns[i as usize].koaza_key());
                !k.is_empty() && rest.starts_with(k)
            })
            .max_by_key(|&i| self.str(self.towns[i as usize].koaza_key()).len());
        let plain = (group.0..group.1).find(|&i| self.towns[i as usize].koaza().is_empty());
        Some(match koaza {
            Some(i) => TownHit {
                entry: i,
                group,
                consumed: s.len() - rest.len() + self.str(self.towns[i as usize].koaza_key()).len(),
                koaza: true,
                chomes: false,
                postal: false,
            },
            None => TownHit {
                entry: plain.unwrap_or(group.0),
                group,
                consumed,
                koaza: false,
                chomes: false,
                postal: false,
            },
        })
    }

    /// The longest Japan Post town of `city` that `s` starts with, if longer than `longer_than`
    /// bytes. Kyoto's street names are left to [`Self::town_inside`], as in [`Self::chome_group`].
    fn postal_town(&self, city: &City, s: &str, longer_than: usize) -> Option<(u32, usize)> {
        let start = city.postal_towns.start;
        let towns = &self.postal_towns[start as usize..city.postal_towns.end as usize];
        let mut found = None;
        narrowing(
            |i| self.str(towns[i].key),
            towns.len(),
            s,
            |lo, _, end| {
                if end > longer_than
                    && self.str(towns[lo].key).len() == end
                    && !s[end..].starts_with('通')
                {
                    found = Some((start + lo as u32, end));
                }
            },
        );
        found
    }

    /// The longest prefix of `s`, longer than `longer_than` bytes, that names a town all of
    /// whose entries are chōme (「六本木」 for 「六本木1丁目」…「六本木7丁目」), with those
    /// entries. Digits sort before every other continuation, so a town's chōme lie together
    /// just after the prefix itself.
    fn chome_group(&self, city: &City, s: &str, longer_than: usize) -> Option<((u32, u32), usize)> {
        let start = city.towns.start;
        let towns = &self.towns[start as usize..city.towns.end as usize];
        let mut found = None;
        narrowing(
            |i| self.str(towns[i].key()),
            towns.len(),
            s,
            |lo, hi, end| {
                // 「烏丸通塩小路下る…」 names a Kyoto street, not the town 烏丸:
                // [`Self::town_inside`] reads those.
                if end <= longer_than || s[end..].starts_with('通') {
                    return;
                }
                let prefix = &s[..end];
                let is_chome = |i: usize| {
                    self.str(towns[i].key())
                        .strip_prefix(prefix)
                        .is_some_and(|rest| {
                            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                            digits > 0 && &rest[digits..] == "丁目"
                        })
                };
                let first = (lo..hi)
                    .find(|&i| self.str(towns[i].key()) != prefix)
                    .unwrap_or(hi);
                let n = (first..hi).take_while(|&i| is_chome(i)).count();
                if n > 0 {
                    found = Some(((start + first as u32, start + (first + n) as u32), end));
                }
            },
        );
        found
    }

    /// Kyoto-style addresses put street directions before the town (「寺町通御池上る
    /// 上本能寺前町」): the longest town name found inside the first part of the text.
    fn town_inside(&self, city: &City, s: &str) -> Option<((u32, u32), usize)> {
        let window: String = s.chars().take(40).collect();
        let mut best: Option<(u32, usize, usize)> = None;
        for i in city.towns.clone() {
            let key = self.str(self.towns[i as usize].key());
            if key.chars().count() < 2 {
                continue;
            }
            if let Some(pos) = window.find(key)
                && best.is_none_or(|(_, _, len)| key.len() > len)
            {
                best = Some((i, pos + key.len(), key.len()));
            }
        }
        let (i, end, _) = best?;
        let key = self.str(self.towns[i as usize].key());
        self.town_group(city, key).map(|g| (g, end))
    }
}

fn centroid(points: impl Iterator<Item = Point>) -> Point {
    let (mut lat, mut lng, mut n) = (0.0, 0.0, 0.0);
    for p in points {
        lat += p.lat;
        lng += p.lng;
        n += 1.0;
    }
    if n == 0.0 {
        return Point { lat: 0.0, lng: 0.0 };
    }
    Point {
        lat: lat / n,
        lng: lng / n,
    }
}
