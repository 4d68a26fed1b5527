//! Cached stores: replaced wholesale by a full sync, patched by each write, searched locally.

use hakobu_diaq::{PickupProof, Store, StoreType};
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{Cache, CacheError};

/// Where a store stands on the map, and how precisely (`town` or `ward`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StoreLocation {
    pub lat: f64,
    pub lng: f64,
    pub level: String,
}

/// A store as the cache holds it: the API's object plus what the app adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct CachedStore {
    #[serde(flatten)]
    pub store: Store,
    pub location: Option<StoreLocation>,
    /// RFC 3339: when this row was last read from (or written to) the API.
    pub fetched_at: String,
}

const COLUMNS: &str = "id, id_alias, store_name, store_address_zipcode, store_address_prefecture, \
    store_address_line_1, store_address_line_2, store_phone, store_type, offers_delivery, \
    offers_fetches, pickup_proof, delivery_proof, opening_time, closing_time, lat, lng, geo_level, \
    fetched_at";

/// Columns the search box looks in.
const SEARCHED: [&str; 7] = [
    "store_name",
    "id_alias",
    "store_address_zipcode",
    "store_address_prefecture",
    "store_address_line_1",
    "store_address_line_2",
    "store_phone",
];

impl Cache {
    /// Makes the cached stores exactly `stores` (a full sync): new ones added, changed ones
    /// updated, ones the API no longer has removed — in one transaction.
    pub fn replace_stores(&self, stores: &[CachedStore]) -> Result<(), CacheError> {
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM stores", [])?;
            for s in stores {
                upsert(&tx, s)?;
            }
            tx.commit()
        })
    }

    pub fn upsert_store(&self, store: &CachedStore) -> Result<(), CacheError> {
        self.with(|c| upsert(c, store))
    }

    pub fn delete_store(&self, id: &str) -> Result<bool, CacheError> {
        self.with(|c| Ok(c.execute("DELETE FROM stores WHERE id = ?1", [id])? > 0))
    }

    pub fn store(&self, id: &str) -> Result<Option<CachedStore>, CacheError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {COLUMNS} FROM stores WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()
        })
    }

    /// Stores ordered by alias then name. `search` keeps those where any searched column
    /// contains every whitespace-separated word (case-insensitive for Latin letters).
    pub fn stores(&self, search: Option<&str>) -> Result<Vec<CachedStore>, CacheError> {
        let words: Vec<String> = search
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let haystack = SEARCHED
            .iter()
            .map(|c| format!("lower({c})"))
            .collect::<Vec<_>>()
            .join(" || ' ' || ");
        let conds: Vec<String> = words
            .iter()
            .map(|_| format!("instr({haystack}, ?) > 0"))
            .collect();
        let clause = if conds.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conds.join(" AND "))
        };
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {COLUMNS} FROM stores {clause} ORDER BY id_alias = '', id_alias, store_name"
            ))?;
            let rows = stmt.query_map(rusqlite::params_from_iter(&words), from_row)?;
            rows.collect()
        })
    }
}

fn upsert(c: &Connection, s: &CachedStore) -> rusqlite::Result<()> {
    let st = &s.store;
    let loc = s.location.as_ref();
    c.execute(
        &format!(
            "INSERT INTO stores ({COLUMNS}) VALUES \
             (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) \
             ON CONFLICT (id) DO UPDATE SET id_alias = excluded.id_alias, \
             store_name = excluded.store_name, store_address_zipcode = excluded.store_address_zipcode, \
             store_address_prefecture = excluded.store_address_prefecture, \
             store_address_line_1 = excluded.store_address_line_1, \
             store_address_line_2 = excluded.store_address_line_2, store_phone = excluded.store_phone, \
             store_type = excluded.store_type, offers_delivery = excluded.offers_delivery, \
             offers_fetches = excluded.offers_fetches, pickup_proof = excluded.pickup_proof, \
             delivery_proof = excluded.delivery_proof, opening_time = excluded.opening_time, \
             closing_time = excluded.closing_time, lat = excluded.lat, lng = excluded.lng, \
             geo_level = excluded.geo_level, fetched_at = excluded.fetched_at"
        ),
        params![
            st.id,
            st.id_alias,
            st.store_name,
            st.store_address_zipcode,
            st.store_address_prefecture,
            st.store_address_line_1,
            st.store_address_line_2,
            st.store_phone,
            st.store_type.as_str(),
            st.offers_delivery,
            st.offers_fetches,
            st.pickup_proof.as_str(),
            st.delivery_proof,
            st.opening_time,
            st.closing_time,
            loc.map(|l| l.lat),
            loc.map(|l| l.lng),
            loc.map(|l| l.level.as_str()),
            s.fetched_at,
        ],
    )?;
    Ok(())
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<CachedStore> {
    let store_type: String = r.get(8)?;
    let pickup_proof: String = r.get(11)?;
    let lat: Option<f64> = r.get(15)?;
    let lng: Option<f64> = r.get(16)?;
    let level: Option<String> = r.get(17)?;
    Ok(CachedStore {
        store: Store {
            id: r.get(0)?,
            id_alias: r.get(1)?,
            store_name: r.get(2)?,
            store_address_zipcode: r.get(3)?,
            store_address_prefecture: r.get(4)?,
            store_address_line_1: r.get(5)?,
            store_address_line_2: r.get(6)?,
            store_phone: r.get(7)?,
            store_type: StoreType::parse(&store_type).unwrap_or_default(),
            offers_delivery: r.get(9)?,
            offers_fetches: r.get(10)?,
            pickup_proof: PickupProof::parse(&pickup_proof).unwrap_or_default(),
            delivery_proof: r.get(12)?,
            opening_time: r.get(13)?,
            closing_time: r.get(14)?,
        },
        location: match (lat, lng, level) {
            (Some(lat), Some(lng), Some(level)) => Some(StoreLocation { lat, lng, level }),
            _ => None,
        },
        fetched_at: r.get(18)?,
    })
}
