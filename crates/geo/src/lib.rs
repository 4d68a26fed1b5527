//! Offline geocoding for Japanese addresses.
//!
//! For now a small gazetteer: the centroids of Tokyo's 23 special wards and main cities, and
//! town points for the towns the sandbox's demo stores stand in. The full Geolonia/Japan Post
//! gazetteer (issue "hakobu-geo") replaces the table behind [`locate`] without changing its shape.

mod tokyo;

use serde::Serialize;

/// How precisely a point places an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The town (町・大字) the address names.
    Town,
    /// Only the ward or city (区・市).
    Ward,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Located {
    pub lat: f64,
    pub lng: f64,
    pub level: Level,
}

/// Places an address given as the DIAq store/customer fields: prefecture and line 1
/// ("市区町村から", e.g. "港区麻布十番2-3-5"). A line 1 that repeats the prefecture is accepted.
pub fn locate(prefecture: &str, line_1: &str) -> Option<Located> {
    let prefecture = prefecture.trim();
    let line: String = line_1.split_whitespace().collect();
    let line = line.strip_prefix(prefecture).unwrap_or(&line);
    if prefecture != tokyo::PREFECTURE && !prefecture.is_empty() {
        return None;
    }
    let line = line.strip_prefix(tokyo::PREFECTURE).unwrap_or(line);
    let (ward, lat, lng) = tokyo::WARDS
        .iter()
        .filter(|(name, _, _)| line.starts_with(name))
        .max_by_key(|(name, _, _)| name.len())?;
    let rest = &line[ward.len()..];
    let town = tokyo::TOWNS
        .iter()
        .filter(|(w, town, _, _)| w == ward && rest.starts_with(town))
        .max_by_key(|(_, town, _, _)| town.len());
    Some(match town {
        Some(&(_, _, lat, lng)) => Located {
            lat,
            lng,
            level: Level::Town,
        },
        None => Located {
            lat: *lat,
            lng: *lng,
            level: Level::Ward,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn town_beats_ward() {
        let p = locate("東京都", "港区麻布十番2-3-5").unwrap();
        assert_eq!(p.level, Level::Town);
        assert!((p.lat - 35.6553).abs() < 0.01 && (p.lng - 139.7364).abs() < 0.01);
    }

    #[test]
    fn unknown_town_falls_back_to_ward_centroid() {
        let p = locate("東京都", "港区芝公園4-2-8").unwrap();
        assert_eq!(p.level, Level::Ward);
        assert!((p.lat - 35.658).abs() < 0.01);
    }

    #[test]
    fn kita_ku_is_not_taken_for_a_ward_that_contains_it() {
        // "北区" must only match at the start of the line.
        let p = locate("東京都", "北区王子1-1").unwrap();
        assert!((p.lat - 35.7528).abs() < 0.001);
        assert!(locate("東京都", "台北区1-1").is_none());
    }

    #[test]
    fn prefecture_repeated_in_line_1_and_spaces_are_tolerated() {
        assert!(locate("東京都", "東京都 渋谷区 道玄坂2-6-17").is_some());
        assert!(locate("", "渋谷区道玄坂2-6-17").is_some());
    }

    #[test]
    fn outside_the_gazetteer_is_none() {
        assert!(locate("大阪府", "大阪市北区梅田1-1").is_none());
        assert!(locate("東京都", "どこか1-1").is_none());
    }
}
