//! The fixed delivery time zones ("時間枠") of the document: one anytime zone and 18 hourly slots.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum TimeZoneStatus {
    Anytime,
    Time,
}

/// `GET /v1/time_zones` element.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeZone {
    pub id: String,
    pub starts: u32,
    pub ends: u32,
    pub status: TimeZoneStatus,
    pub is_extra_charge: bool,
}

/// (id, starts, ends, is_extra_charge) for the hourly slots, in the document's order.
const HOURLY: [(&str, u32, u32, bool); 18] = [
    ("8ef796d1-927d-4ce3-ba15-77d798a5e173", 6, 7, true),
    ("bcee2ebd-64a9-4152-81e8-bc1fe656adac", 7, 8, true),
    ("c82054fe-98c7-4558-b11b-b1f619e509e5", 8, 9, false),
    ("ab006a6e-f07c-42dc-a6fc-8d2b58fb97cc", 9, 10, false),
    ("cf9cd8d4-ca5e-495c-85e1-78781c5d6abc", 10, 11, false),
    ("9aacd372-1a01-4514-9cdb-ecab0d70ab8c", 11, 12, false),
    ("f30316b2-8e9e-40cf-827c-09a3e88c3ea3", 12, 13, false),
    ("14e83275-8fa5-457a-b67b-9d2e88498629", 13, 14, false),
    ("054d9435-c6d7-4816-8afc-f6530ea92e7d", 14, 15, false),
    ("96823b8f-0df6-4c24-9b50-8eeadd6e21e6", 15, 16, false),
    ("faf4bda3-9bd3-4a26-876c-31c018675178", 16, 17, false),
    ("3a4ca164-27ef-4254-9b7f-3e508808b3e7", 17, 18, false),
    ("910b4f50-38cb-4ab3-9f60-a6ac92cc1df5", 18, 19, false),
    ("30a186e2-99ab-4db7-afba-d6732947a41c", 19, 20, false),
    ("9d2863ff-30da-45a6-a6e5-7e209b3fb5ce", 20, 21, false),
    ("96f60771-d95e-4bbc-8262-37ee6d6eba2f", 21, 22, false),
    ("9d3653d8-6e71-49a3-ace3-835f537fa5d0", 22, 23, true),
    ("fc6c3773-c9de-48d6-9304-a6b31ee7ecec", 23, 0, true),
];

/// The id of the "時間指定なし" (anytime) zone.
pub const ANYTIME_ID: &str = "9fad40c3-1347-4ce8-bd06-61c180391f4b";

/// All 19 zones exactly as `GET /v1/time_zones` lists them: anytime first, then 6時〜0時.
pub fn time_zones() -> Vec<TimeZone> {
    let anytime = TimeZone {
        id: ANYTIME_ID.to_owned(),
        starts: 0,
        ends: 0,
        status: TimeZoneStatus::Anytime,
        is_extra_charge: false,
    };
    std::iter::once(anytime)
        .chain(HOURLY.iter().map(|&(id, starts, ends, extra)| TimeZone {
            id: id.to_owned(),
            starts,
            ends,
            status: TimeZoneStatus::Time,
            is_extra_charge: extra,
        }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nineteen_zones_with_unique_ids_and_document_extra_charges() {
        let zones = time_zones();
        assert_eq!(zones.len(), 19);
        let mut ids: Vec<_> = zones.iter().map(|z| z.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 19);
        let extra: Vec<u32> = zones
            .iter()
            .filter(|z| z.is_extra_charge)
            .map(|z| z.starts)
            .collect();
        assert_eq!(extra, vec![6, 7, 22, 23]);
        assert_eq!(zones[18].ends, 0, "the 23時 slot ends at 0");
    }

    #[test]
    fn serialises_with_document_field_names() {
        let json = serde_json::to_value(&time_zones()[0]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"id": ANYTIME_ID, "starts": 0, "ends": 0, "status": "anytime", "is_extra_charge": false})
        );
    }
}
