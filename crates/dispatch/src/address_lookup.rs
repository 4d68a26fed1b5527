//! The address part of the order form, from the offline gazetteer (hakobu-geo): a postal code
//! fills prefecture and city and offers its towns; a typed address is normalised and its
//! building split off into line 2, as the DIAq customer object keeps them.

use std::sync::Arc;

use hakobu_geo::{Gazetteer, GeocodeError, Level};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{CommandError, Dispatch, ErrorCode};

/// What a postal code names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct PostalLookup {
    /// `123-4567`
    pub code: String,
    pub prefecture: String,
    pub city: String,
    /// The towns it covers; empty when it covers the whole municipality.
    pub towns: Vec<String>,
}

/// How precisely an address was placed: the gazetteer's levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AddressLevel {
    Chome,
    Town,
    City,
    Prefecture,
}

impl From<Level> for AddressLevel {
    fn from(level: Level) -> AddressLevel {
        match level {
            Level::Chome => AddressLevel::Chome,
            Level::Town => AddressLevel::Town,
            Level::City => AddressLevel::City,
            Level::Prefecture => AddressLevel::Prefecture,
        }
    }
}

/// An address line normalised: what goes in `address_line_1` and `address_line_2`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct NormalizedAddress {
    /// The prefecture recognised (which may be what line 1 started with); null if none was.
    pub prefecture: Option<String>,
    /// From the municipality on, to the block numbers (the gazetteer's spelling).
    pub line_1: String,
    /// Building, floor, room: what followed the block numbers.
    pub line_2: String,
    /// How precisely it was placed; null: not at all.
    pub level: Option<AddressLevel>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
}

impl Dispatch {
    fn gazetteer(&self) -> Result<Arc<Gazetteer>, CommandError> {
        self.geo.get().ok_or_else(|| {
            CommandError::new(
                ErrorCode::Config,
                "no gazetteer loaded (data/geo/gazetteer.tsv, `make data`): addresses cannot be looked up",
            )
        })
    }

    /// The prefecture, city and towns of a postal code (`1060045`, `106-0045`, `〒１０６－
    /// ００４５` …). Malformed or unknown is `bad_request` naming `address_zipcode`.
    pub fn postal_lookup(&self, code: &str) -> Result<PostalLookup, CommandError> {
        let postal = self.gazetteer()?.postal(code).map_err(|e| {
            CommandError::bad_field("address_zipcode", format!("address_zipcode: {}", e.rule()))
        })?;
        Ok(PostalLookup {
            code: postal.code,
            prefecture: postal.prefecture,
            city: postal.city,
            towns: postal.towns,
        })
    }

    /// Normalises `prefecture` + `line_1` and moves what follows the block numbers (building,
    /// room) to line 2. Placed only at city or prefecture level, the town part is not known,
    /// so line 1 is kept as typed (trimmed) and nothing is split off; not placed at all, the
    /// level is `None`. An empty line 1 names `address_line_1`; a municipality that exists
    /// in several prefectures names `address_prefecture`.
    pub fn normalize_address(
        &self,
        prefecture: &str,
        line_1: &str,
    ) -> Result<NormalizedAddress, CommandError> {
        let geo = self.gazetteer()?;
        let as_typed =
            |prefecture: Option<String>, level: Option<Level>, point: Option<(f64, f64)>| {
                NormalizedAddress {
                    prefecture,
                    line_1: line_1.trim().to_owned(),
                    line_2: String::new(),
                    level: level.map(AddressLevel::from),
                    lat: point.map(|p| p.0),
                    lng: point.map(|p| p.1),
                }
            };
        if line_1.trim().is_empty() {
            return Err(CommandError::bad_field(
                "address_line_1",
                "address_line_1: is required",
            ));
        }
        match geo.geocode(&format!("{}{}", prefecture.trim(), line_1.trim())) {
            Ok(g) if matches!(g.level, Level::Chome | Level::Town) => Ok(NormalizedAddress {
                prefecture: Some(g.prefecture),
                line_1: format!("{}{}{}{}", g.city, g.town, g.koaza, g.numbers),
                line_2: g.building,
                level: Some(g.level.into()),
                lat: Some(g.point.lat),
                lng: Some(g.point.lng),
            }),
            Ok(g) => Ok(as_typed(
                Some(g.prefecture),
                Some(g.level),
                Some((g.point.lat, g.point.lng)),
            )),
            Err(GeocodeError::NotFound(_)) => Ok(as_typed(None, None, None)),
            Err(GeocodeError::Empty) => Err(CommandError::bad_field(
                "address_line_1",
                "address_line_1: is required",
            )),
            Err(e @ GeocodeError::Ambiguous { .. }) => Err(CommandError::bad_field(
                "address_prefecture",
                format!(
                    "address_prefecture: {}",
                    e.to_string().trim_start_matches("address: ")
                ),
            )),
        }
    }
}
